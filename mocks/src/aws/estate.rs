//! The estate's `aws:` section: accounts with their credentials, assumable roles, IAM
//! resources (AWS CLI shape), and per region EKS clusters (EKS JSON wire shape), EC2 launch
//! templates and instances (AWS CLI shape). [`Aws::prepare`] validates the references and
//! rewrites timestamps and missing required members to what the services send (`validate.rs`).
//! `mocks/README.md` documents the schema.

use crate::aws::xml::url_encode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Aws {
    /// `DescribeClusterVersions` items (EKS wire shape), the same in every region.
    #[serde(default)]
    pub cluster_versions: Vec<Value>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// AWS Organizations, served to its management account and delegated administrators.
    #[serde(default)]
    pub organization: Option<super::organizations::Organization>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Account {
    pub account_id: String,
    #[serde(default)]
    pub alias: Option<String>,
    /// Enabled regions (`DescribeRegions`); EKS and EC2 answer only here.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Long-term access keys that authenticate as an identity of this account.
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// Roles `sts:AssumeRole` may enter, from any identity the mock knows.
    #[serde(default)]
    pub assumable_roles: Vec<AssumableRole>,
    #[serde(default)]
    pub iam: Iam,
    /// EKS and EC2 resources by region (each an enabled region).
    #[serde(default)]
    pub regional: BTreeMap<String, Regional>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The identity (`GetCallerIdentity` Arn): a user or role of this account.
    pub arn: String,
    /// `GetCallerIdentity` UserId; derived from the ARN when absent.
    #[serde(default)]
    pub user_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssumableRole {
    pub arn: String,
    /// When set, `AssumeRole` must carry exactly this `ExternalId`.
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Iam {
    /// `{Arn, Url, ClientIDList, ThumbprintList, CreateDate?, Tags?}`.
    #[serde(default)]
    pub oidc_providers: Vec<Value>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Managed policies by ARN: customer-managed ones, and AWS-managed ones the estate reads.
    #[serde(default)]
    pub policies: Vec<Policy>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    #[serde(rename = "Role")]
    pub role: RoleBody,
    /// `{PolicyName, PolicyArn}`.
    #[serde(rename = "AttachedPolicies", default)]
    pub attached_policies: Vec<Value>,
    #[serde(rename = "RolePolicies", default)]
    pub role_policies: Vec<RolePolicy>,
    /// `{InstanceProfileName, InstanceProfileId, Arn, Path, CreateDate?}`.
    #[serde(rename = "InstanceProfiles", default)]
    pub instance_profiles: Vec<Value>,
}

/// A `Role` in AWS CLI shape; its trust policy is kept apart, in the estate's key order.
#[derive(Clone, Debug, Deserialize)]
pub struct RoleBody {
    #[serde(rename = "AssumeRolePolicyDocument", default)]
    pub trust: Option<Document>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePolicy {
    #[serde(rename = "PolicyName")]
    pub name: String,
    #[serde(rename = "PolicyDocument")]
    pub document: Document,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// `{PolicyName, PolicyId, Arn, Path, DefaultVersionId, AttachmentCount, IsAttachable, …}`.
    #[serde(rename = "Policy")]
    pub policy: Value,
    #[serde(rename = "Versions", default)]
    pub versions: Vec<PolicyVersion>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyVersion {
    #[serde(rename = "VersionId")]
    pub version_id: String,
    #[serde(rename = "IsDefaultVersion", default)]
    pub is_default: Option<bool>,
    #[serde(rename = "CreateDate", default)]
    pub create_date: Option<Value>,
    #[serde(rename = "Document")]
    pub document: Document,
}

/// A policy document: a JSON object (sent as its compact JSON, keys in estate order) or a
/// string (sent as is, so a document that is not JSON can be served).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "serde_yaml_ng::Value")]
pub struct Document {
    /// The document text.
    pub text: String,
}

impl TryFrom<serde_yaml_ng::Value> for Document {
    type Error = String;
    fn try_from(v: serde_yaml_ng::Value) -> Result<Self, String> {
        let text = match v {
            serde_yaml_ng::Value::String(s) => s,
            other => serde_json::to_string(&other).map_err(|e| format!("a policy document is not JSON: {e}"))?,
        };
        Ok(Document { text })
    }
}

impl Document {
    /// URL-encoded, as IAM sends documents.
    pub fn wire(&self) -> String {
        url_encode(&self.text)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Regional {
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    #[serde(default)]
    pub launch_templates: Vec<LaunchTemplate>,
    /// EC2 `Instance` objects (AWS CLI shape); each is served as its own reservation.
    #[serde(default)]
    pub instances: Vec<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// `DescribeCluster`'s `cluster`, EKS wire shape.
    pub cluster: Value,
    /// `DescribeNodegroup`'s `nodegroup` objects.
    #[serde(default)]
    pub nodegroups: Vec<Value>,
    #[serde(default)]
    pub access_entries: Vec<AccessEntry>,
    /// `DescribeAddon`'s `addon` objects.
    #[serde(default)]
    pub addons: Vec<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessEntry {
    /// `DescribeAccessEntry`'s `accessEntry`.
    pub access_entry: Value,
    /// `ListAssociatedAccessPolicies` items: `{policyArn, accessScope, associatedAt, modifiedAt}`.
    #[serde(default)]
    pub access_policies: Vec<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct LaunchTemplate {
    pub launch_template_id: String,
    pub launch_template_name: String,
    #[serde(default)]
    pub default_version_number: Option<i64>,
    #[serde(default)]
    pub latest_version_number: Option<i64>,
    /// `LaunchTemplateVersion` objects (AWS CLI shape): `VersionNumber`, `LaunchTemplateData`, ….
    #[serde(default)]
    pub versions: Vec<Value>,
}

/// A string member of a JSON object.
pub fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A stable IAM-style unique id (`AROA` + 17 characters) derived from `seed`.
pub fn derived_id(prefix: &str, seed: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let fnv =
        |s: &str| s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut bits = (u128::from(fnv(seed)) << 64) | u128::from(fnv(&format!("{seed}\u{1}")));
    let mut out = prefix.to_string();
    for _ in 0..(21usize.saturating_sub(prefix.len())) {
        out.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    out
}

/// The last `/` segment of an ARN or path (a role's or a user's name).
pub fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The account id of an ARN (`arn:aws:iam::ACCOUNT:…`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, _, account, _] if !account.is_empty() => Some(account),
        _ => None,
    }
}

/// Whether `arn` is an AWS-managed policy (`arn:aws:iam::aws:policy/…`).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with("arn:aws:iam::aws:policy/")
}

impl Aws {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.account_id == id)
    }

    /// The account and long-term credential behind an access key id.
    pub fn credential(&self, access_key_id: &str) -> Option<(&Account, &Credential)> {
        self.accounts
            .iter()
            .find_map(|a| a.credentials.iter().find(|c| c.access_key_id == access_key_id).map(|c| (a, c)))
    }

    /// The assumable role with this ARN, and its account.
    pub fn assumable(&self, role_arn: &str) -> Option<(&Account, &AssumableRole)> {
        self.accounts.iter().find_map(|a| a.assumable_roles.iter().find(|r| r.arn == role_arn).map(|r| (a, r)))
    }
}

impl Account {
    pub fn regional(&self, region: &str) -> Option<&Regional> {
        self.regional.get(region)
    }

    pub fn is_enabled(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.iam.roles.iter().find(|r| r.name() == name)
    }

    pub fn policy(&self, arn: &str) -> Option<&Policy> {
        self.iam.policies.iter().find(|p| s(&p.policy, "Arn") == Some(arn))
    }

    pub fn oidc_provider(&self, arn: &str) -> Option<&Value> {
        self.iam.oidc_providers.iter().find(|p| s(p, "Arn") == Some(arn))
    }
}

impl Role {
    pub fn name(&self) -> &str {
        s_map(&self.role.rest, "RoleName").unwrap_or_default()
    }

    pub fn arn(&self) -> &str {
        s_map(&self.role.rest, "Arn").unwrap_or_default()
    }

    pub fn role_id(&self) -> &str {
        s_map(&self.role.rest, "RoleId").unwrap_or_default()
    }

    /// The `Role` as IAM sends it (trust policy URL-encoded); `full: false` leaves out what
    /// list operations do not return (`PermissionsBoundary`, `RoleLastUsed`, `Tags`).
    pub fn wire(&self, full: bool) -> Value {
        let mut m = self.role.rest.clone();
        if !full {
            for k in ["PermissionsBoundary", "RoleLastUsed", "Tags"] {
                m.remove(k);
            }
        }
        if let Some(d) = &self.role.trust {
            m.insert("AssumeRolePolicyDocument".into(), json!(d.wire()));
        }
        Value::Object(m)
    }
}

/// A string member of a JSON map.
pub fn s_map<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

impl Policy {
    pub fn arn(&self) -> &str {
        s(&self.policy, "Arn").unwrap_or_default()
    }

    pub fn version(&self, id: &str) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.version_id == id)
    }
}

impl Regional {
    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.name() == name)
    }
}

impl LaunchTemplate {
    /// The version a `$Latest`, `$Default` or number selects.
    pub fn version(&self, selector: &str) -> Option<&Value> {
        let n = match selector {
            "$Latest" => self.latest_version_number?,
            "$Default" => self.default_version_number?,
            n => n.parse().ok()?,
        };
        self.versions.iter().find(|v| v.get("VersionNumber").and_then(Value::as_i64) == Some(n))
    }
}

impl Cluster {
    pub fn name(&self) -> &str {
        s(&self.cluster, "name").unwrap_or_default()
    }

    /// `accessConfig.authenticationMode`; a cluster without one is `CONFIG_MAP`.
    pub fn authentication_mode(&self) -> &str {
        self.cluster.pointer("/accessConfig/authenticationMode").and_then(Value::as_str).unwrap_or("CONFIG_MAP")
    }

    pub fn nodegroup(&self, name: &str) -> Option<&Value> {
        self.nodegroups.iter().find(|n| s(n, "nodegroupName") == Some(name))
    }

    pub fn access_entry(&self, principal: &str) -> Option<&AccessEntry> {
        self.access_entries.iter().find(|e| s(&e.access_entry, "principalArn") == Some(principal))
    }

    pub fn addon(&self, name: &str) -> Option<&Value> {
        self.addons.iter().find(|a| s(a, "addonName") == Some(name))
    }
}
