//! IAM, read once per account and shared by every cluster and region of it: OIDC providers,
//! roles with their trust policies, node roles with their policies (each policy document
//! fetched once per ARN per scan).

use super::error::{AwsError, err};
use super::pages;
use crate::once::OnceMap;
use aws_sdk_iam::Client;
use kubeposture_checks::Field;
use kubeposture_checks::iam::PolicyDocument;
use kubeposture_checks::model::{InlinePolicy, ManagedPolicy, NodeRole};
use std::sync::Arc;

/// A role and its trust policy as `ListRoles` returned it.
#[derive(Debug)]
pub struct RoleTrust {
    pub name: String,
    pub arn: String,
    /// The decoded document text (kept to attribute a document that does not parse).
    pub text: String,
    pub trust: Result<PolicyDocument, String>,
}

/// Account-wide IAM facts.
#[derive(Debug)]
pub struct AccountIam {
    /// `ListOpenIDConnectProviders`: provider ARNs.
    pub oidc_providers: Result<Vec<String>, AwsError>,
    pub roles: Result<Vec<RoleTrust>, AwsError>,
}

/// Parses a policy document as IAM sends it (URL-encoded) or already decoded; also returns
/// the decoded text.
pub fn parse_document(wire: &str) -> (String, Result<PolicyDocument, String>) {
    let text = kubeposture_checks::iam::decode(wire).into_owned();
    let doc = kubeposture_checks::iam::parse(&text).map_err(|e| e.to_string());
    (text, doc)
}

pub async fn load_account(iam: &Client) -> AccountIam {
    let providers = async {
        let out = iam.list_open_id_connect_providers().send().await.map_err(err("ListOpenIDConnectProviders"))?;
        Ok(out.open_id_connect_provider_list().iter().filter_map(|p| p.arn().map(str::to_string)).collect())
    };
    let roles = async {
        let roles = pages::all("ListRoles", iam.list_roles().into_paginator().send(), |o| o.roles).await?;
        Ok(roles
            .into_iter()
            .map(|r| {
                let (text, trust) = match r.assume_role_policy_document() {
                    Some(wire) => parse_document(wire),
                    None => (String::new(), Err("ListRoles returned no AssumeRolePolicyDocument".to_string())),
                };
                RoleTrust { name: r.role_name().to_string(), arn: r.arn().to_string(), text, trust }
            })
            .collect())
    };
    let (oidc_providers, roles) = tokio::join!(providers, roles);
    AccountIam { oidc_providers, roles }
}

/// The host-and-path form of an issuer (`oidc.eks.REGION.amazonaws.com/id/ID`), compared as
/// IAM compares provider URLs: the host without regard to case, the path (`/id/ID`) exactly.
pub fn issuer_key(issuer: &str) -> String {
    let url = issuer.trim().trim_start_matches("https://").trim_end_matches('/');
    match url.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
        None => url.to_ascii_lowercase(),
    }
}

/// The provider ARN's issuer part (`arn:aws:iam::ACCT:oidc-provider/HOST/PATH` → `host/path`).
pub fn provider_issuer(arn: &str) -> Option<String> {
    arn.split_once(":oidc-provider/").map(|(_, url)| issuer_key(url))
}

/// Node roles and policy documents, fetched once each however many node groups share them.
#[derive(Default)]
pub struct NodeRoles {
    roles: OnceMap<String, Field<Arc<NodeRole>>>,
    documents: OnceMap<String, Field<PolicyDocument>>,
}

impl NodeRoles {
    pub async fn get(&self, iam: &Client, role_arn: &str, path: &str) -> Field<Arc<NodeRole>> {
        let path = path.to_string();
        self.roles.get_or_init(role_arn.to_string(), || self.load(iam, role_arn, path)).await
    }

    async fn load(&self, iam: &Client, role_arn: &str, path: String) -> Field<Arc<NodeRole>> {
        let name = role_arn.rsplit('/').next().unwrap_or(role_arn).to_string();
        let (attached, inline, instance_profiles) =
            tokio::join!(self.attached(iam, &name), self.inline(iam, &name), instance_profiles(iam, &name));
        let role = NodeRole { arn: role_arn.to_string(), name, attached, inline, instance_profiles };
        Field::value(path, Arc::new(role), role_arn.to_string())
    }

    async fn attached(&self, iam: &Client, role: &str) -> Field<Vec<ManagedPolicy>> {
        let path = format!("role[{role}].AttachedPolicies");
        let pager = iam.list_attached_role_policies().role_name(role).into_paginator().send();
        let listed = pages::all("ListAttachedRolePolicies", pager, |o| o.attached_policies.unwrap_or_default()).await;
        let listed = match listed {
            Ok(l) => l,
            Err(e) => return Field::unknown(path, e.to_string()),
        };
        let mut out = Vec::new();
        for p in listed {
            let arn = p.policy_arn().unwrap_or_default().to_string();
            let name = p.policy_name().unwrap_or_default().to_string();
            let document = self.documents.get_or_init(arn.clone(), || managed_document(iam, arn.clone())).await;
            out.push(ManagedPolicy { arn, name, document });
        }
        let raw = format!("[{}]", out.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "));
        Field::value(path, out, raw)
    }

    async fn inline(&self, iam: &Client, role: &str) -> Field<Vec<InlinePolicy>> {
        let path = format!("role[{role}].RolePolicyNames");
        let pager = iam.list_role_policies().role_name(role).into_paginator().send();
        let names = pages::all("ListRolePolicies", pager, |o| o.policy_names).await;
        let names = match names {
            Ok(n) => n,
            Err(e) => return Field::unknown(path, e.to_string()),
        };
        let mut out = Vec::new();
        for name in names {
            let doc_path = format!("role[{role}].RolePolicy[{name}].PolicyDocument");
            let document = match iam.get_role_policy().role_name(role).policy_name(&name).send().await {
                Ok(o) => document_field(doc_path, Some(o.policy_document())),
                Err(e) => Field::unknown(doc_path, err("GetRolePolicy")(e).to_string()),
            };
            out.push(InlinePolicy { name, document });
        }
        let raw = format!("[{}]", out.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "));
        Field::value(path, out, raw)
    }
}

async fn instance_profiles(iam: &Client, role: &str) -> Field<Vec<String>> {
    let path = format!("role[{role}].InstanceProfiles");
    let pager = iam.list_instance_profiles_for_role().role_name(role).into_paginator().send();
    let listed = pages::all("ListInstanceProfilesForRole", pager, |o| o.instance_profiles).await;
    match listed {
        Ok(profiles) => {
            let arns: Vec<String> = profiles.iter().map(|p| p.arn().to_string()).collect();
            let raw = serde_json::to_string(&arns).unwrap_or_default();
            Field::value(path, arns, raw)
        }
        Err(e) => Field::unknown(path, e.to_string()),
    }
}

/// A managed policy's default version document (`GetPolicy` then `GetPolicyVersion`).
async fn managed_document(iam: &Client, arn: String) -> Field<PolicyDocument> {
    let path = format!("policy[{arn}].DefaultVersion.Document");
    let policy = match iam.get_policy().policy_arn(&arn).send().await {
        Ok(p) => p,
        Err(e) => return Field::unknown(path, err("GetPolicy")(e).to_string()),
    };
    let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else {
        return Field::unknown(path, "GetPolicy returned no DefaultVersionId");
    };
    match iam.get_policy_version().policy_arn(&arn).version_id(version).send().await {
        Ok(v) => document_field(path, v.policy_version().and_then(|v| v.document())),
        Err(e) => Field::unknown(path, err("GetPolicyVersion")(e).to_string()),
    }
}

fn document_field(path: String, wire: Option<&str>) -> Field<PolicyDocument> {
    let Some(wire) = wire else {
        return Field::unknown(path, "IAM returned no policy document");
    };
    let (text, doc) = parse_document(wire);
    match doc {
        Ok(d) => Field::value(path, d, text),
        Err(e) => Field::unknown(path, format!("the policy document does not parse: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_url_encoded_and_decoded_documents() {
        let wire = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        let (text, doc) = parse_document(wire);
        assert_eq!(text, r#"{"Version":"2012-10-17","Statement":[]}"#);
        assert!(doc.unwrap().statements.is_empty());
        let (text, doc) = parse_document("not%20a%20policy");
        assert_eq!(text, "not a policy");
        assert!(doc.is_err());
    }

    #[test]
    fn issuer_keys_match_provider_arns() {
        let issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123";
        let arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123";
        assert_eq!(provider_issuer(arn), Some(issuer_key(issuer)));
        assert_eq!(provider_issuer("arn:aws:iam::1:role/x"), None);
        // The host ignores case, the path does not (as IAM and the IRSA matcher compare them).
        assert_eq!(provider_issuer(&arn.replace("oidc.eks.us-east-1", "OIDC.EKS.US-EAST-1")), Some(issuer_key(issuer)));
        assert_ne!(provider_issuer(&arn.replace("ABC123", "abc123")), Some(issuer_key(issuer)));
    }
}
