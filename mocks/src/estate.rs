//! The estate file (`estate: v1`, YAML): what the mock cloud serves. API resources are kept
//! as raw JSON in their real wire shape, so API examples can be pasted in unchanged (AWS IAM
//! and EC2 resources in the AWS CLI shape, rendered to XML when served; see `aws::estate`).
//! The schema is documented in `mocks/README.md`.

use crate::faults::Fault;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EstateError {
    #[error("the estate file is not valid YAML/JSON for estate v1: {0}")]
    Parse(String),
    #[error("unsupported estate version '{0}' (this mock reads `estate: v1`)")]
    Version(String),
    #[error("invalid estate: {0}")]
    Invalid(String),
}

/// A parsed and validated estate.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    pub estate: String,
    #[serde(default)]
    pub entra: Entra,
    #[serde(default)]
    pub azure: Azure,
    #[serde(default)]
    pub aws: crate::aws::estate::Aws,
    /// Each cluster's Kubernetes API (`k8s/estate.rs`).
    #[serde(default)]
    pub kubernetes: crate::k8s::estate::Kubernetes,
    #[serde(default)]
    pub faults: Vec<Fault>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entra {
    #[serde(default)]
    pub tenants: Vec<Tenant>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// App registrations that may use the client-credentials grant.
    #[serde(default)]
    pub clients: Vec<Client>,
    /// Graph `user` objects, as `GET /v1.0/users/{id}` returns them.
    #[serde(default)]
    pub users: Vec<Value>,
    /// Graph `group` objects, plus the mock-only key `members`: the ids of the group's active
    /// direct members (users, groups, service principals of this tenant), stripped when served.
    #[serde(default)]
    pub groups: Vec<Value>,
    /// Graph `servicePrincipal` objects.
    #[serde(default)]
    pub service_principals: Vec<Value>,
    /// Graph `conditionalAccessPolicy` objects.
    #[serde(default)]
    pub conditional_access_policies: Vec<Value>,
    /// PIM for Groups.
    #[serde(default)]
    pub privileged_access: PrivilegedAccess,
    /// Graph `directoryRole` objects (`id`, `roleTemplateId`, `displayName`, …), plus the
    /// mock-only key `members`: the ids of the users and groups holding the role, stripped when
    /// served. `users/{id}/transitiveMemberOf` lists them beside the groups.
    #[serde(default)]
    pub directory_roles: Vec<Value>,
    /// PIM for Microsoft Entra roles (`roleManagement/directory`).
    #[serde(default)]
    pub role_management: RoleManagement,
}

/// `roleManagement`, in the Graph wire shapes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleManagement {
    #[serde(default)]
    pub directory: DirectoryRoleManagement,
}

/// `roleManagement/directory`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DirectoryRoleManagement {
    /// `unifiedRoleEligibilityScheduleInstance` objects.
    #[serde(default)]
    pub role_eligibility_schedule_instances: Vec<Value>,
}

/// PIM for Groups (Graph `identityGovernance/privilegedAccess/group` and the groups' role
/// management policies), in the Graph wire shapes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PrivilegedAccess {
    /// `privilegedAccessGroupEligibilitySchedule` objects.
    #[serde(default)]
    pub eligibility_schedules: Vec<Value>,
    /// `privilegedAccessGroupAssignmentSchedule` objects.
    #[serde(default)]
    pub assignment_schedules: Vec<Value>,
    /// `unifiedRoleManagementPolicyAssignment` objects with `policy` (and its `rules`) expanded.
    #[serde(default)]
    pub role_management_policy_assignments: Vec<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Azure {
    /// `locations/{location}/kubernetesVersions` response bodies, by location.
    #[serde(default)]
    pub kubernetes_versions: BTreeMap<String, Value>,
    /// Custom role definitions (ARM `roleDefinitions` bodies); the built-in ones are bundled.
    #[serde(default)]
    pub role_definitions: Vec<Value>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Management groups (`GET …/managementGroups/{id}/descendants`); see `mgmt.rs`.
    #[serde(default)]
    pub management_groups: Vec<crate::mgmt::ManagementGroup>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default = "enabled")]
    pub state: String,
    /// The management group it sits in (a `managementGroups` name); none: the tenant root group.
    #[serde(default)]
    pub management_group: Option<String>,
    /// managedCluster resources as `GET …/managedClusters/{name}` returns them.
    #[serde(default)]
    pub managed_clusters: Vec<Value>,
    /// `diagnosticSettings` list items, by the cluster's ARM resource id.
    #[serde(default)]
    pub diagnostic_settings: BTreeMap<String, Vec<Value>>,
    /// ARM `roleAssignments` bodies: every assignment the subscription sees, at its own scope,
    /// below it (resource groups, resources) and inherited from management groups above it.
    #[serde(default)]
    pub role_assignments: Vec<Value>,
    /// ARM `roleEligibilityScheduleInstances` bodies (PIM for Azure resources).
    #[serde(default)]
    pub role_eligibility_schedule_instances: Vec<Value>,
    /// ARM `roleAssignmentScheduleInstances` bodies (PIM for Azure resources).
    #[serde(default)]
    pub role_assignment_schedule_instances: Vec<Value>,
}

fn enabled() -> String {
    "Enabled".into()
}

/// Credentials of the first client of the first tenant (what `--demo` logs in with).
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// AWS login of the first credential of the first account, and the roles to assume from it
/// (every `assumableRoles` entry, in estate order): what `--demo` scans AWS with.
#[derive(Clone, Debug)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The identity the keys authenticate as.
    pub arn: String,
    pub roles: Vec<AwsRoleToAssume>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsRoleToAssume {
    pub role_arn: String,
    pub external_id: Option<String>,
}

const DEMO: &str = include_str!("../estates/demo.yaml");

impl Estate {
    /// Parses and validates an estate (YAML; JSON is YAML too).
    pub fn from_yaml(text: &str) -> Result<Estate, EstateError> {
        let estate: Estate = serde_yaml_ng::from_str(text).map_err(|e| EstateError::Parse(e.to_string()))?;
        estate.checked()
    }

    /// Parses and validates an estate built as JSON (generated estates: no text round trip).
    pub fn from_value(value: serde_json::Value) -> Result<Estate, EstateError> {
        let estate: Estate = serde_json::from_value(value).map_err(|e| EstateError::Parse(e.to_string()))?;
        estate.checked()
    }

    fn checked(mut self) -> Result<Estate, EstateError> {
        if self.estate != "v1" {
            return Err(EstateError::Version(self.estate));
        }
        self.validate()?;
        self.aws.prepare().map_err(EstateError::Invalid)?;
        crate::k8s::Apis::build(&self).map_err(EstateError::Invalid)?;
        Ok(self)
    }

    /// The bundled demo estate (`mocks/estates/demo.yaml`).
    pub fn demo() -> Estate {
        Estate::from_yaml(DEMO).expect("the bundled demo estate is valid (tested)")
    }

    /// The Entra tenants' ids, in estate order.
    pub fn tenant_ids(&self) -> Vec<&str> {
        self.entra.tenants.iter().map(|t| t.tenant_id.as_str()).collect()
    }

    /// The first tenant's first client: what a scan of the estate signs in as (`scan --demo`
    /// refuses an estate with several tenants; the mock serves them all).
    pub fn client_credentials(&self) -> Option<ClientCredentials> {
        let t = self.entra.tenants.first()?;
        let c = t.clients.first()?;
        Some(ClientCredentials {
            tenant_id: t.tenant_id.clone(),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
        })
    }

    pub fn aws_credentials(&self) -> Option<AwsCredentials> {
        let c = self.aws.accounts.iter().find_map(|a| a.credentials.first())?;
        let roles = self
            .aws
            .accounts
            .iter()
            .flat_map(|a| &a.assumable_roles)
            .map(|r| AwsRoleToAssume { role_arn: r.arn.clone(), external_id: r.external_id.clone() })
            .collect();
        Some(AwsCredentials {
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            arn: c.arn.clone(),
            roles,
        })
    }

    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.entra.tenants.iter().find(|t| t.tenant_id.eq_ignore_ascii_case(id))
    }

    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.azure.subscriptions.iter().find(|s| s.subscription_id.eq_ignore_ascii_case(id))
    }

    fn validate(&self) -> Result<(), EstateError> {
        let bad = |m: String| Err(EstateError::Invalid(m));
        let mut tenants = BTreeSet::new();
        for t in &self.entra.tenants {
            if !tenants.insert(t.tenant_id.to_ascii_lowercase()) {
                return bad(format!("tenant {} is listed twice", t.tenant_id));
            }
            crate::directory::validate(t).map_err(EstateError::Invalid)?;
        }
        crate::authz::validate(&self.azure).map_err(EstateError::Invalid)?;
        crate::mgmt::validate(self).map_err(EstateError::Invalid)?;
        let mut subs = BTreeSet::new();
        for s in &self.azure.subscriptions {
            if !subs.insert(s.subscription_id.to_ascii_lowercase()) {
                return bad(format!("subscription {} is listed twice", s.subscription_id));
            }
            if self.tenant(&s.tenant_id).is_none() {
                return bad(format!(
                    "subscription {} names tenant {}, which is not under entra.tenants",
                    s.subscription_id, s.tenant_id
                ));
            }
            let ids: BTreeSet<String> =
                s.managed_clusters.iter().filter_map(resource_id).map(|i| i.to_ascii_lowercase()).collect();
            for key in s.diagnostic_settings.keys() {
                if !ids.contains(&key.to_ascii_lowercase()) {
                    return bad(format!(
                        "diagnosticSettings key {key} is not the id of a managedCluster of subscription {}",
                        s.subscription_id
                    ));
                }
            }
        }
        for f in &self.faults {
            f.validate().map_err(EstateError::Invalid)?;
        }
        Ok(())
    }
}

/// The `id` of an ARM resource body, when it has one.
pub fn resource_id(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_estate_is_valid() {
        let e = Estate::demo();
        let clusters: usize = e.azure.subscriptions.iter().map(|s| s.managed_clusters.len()).sum();
        assert!(clusters >= 6 && e.azure.subscriptions.len() >= 2);
        assert!(e.client_credentials().is_some());
        let eks: Vec<(&str, &str, &str)> = e
            .aws
            .accounts
            .iter()
            .flat_map(|a| {
                a.regional.iter().flat_map(move |(r, d)| {
                    d.clusters.iter().map(move |c| (a.account_id.as_str(), r.as_str(), c.name()))
                })
            })
            .collect();
        assert!(eks.len() >= 6, "{eks:?}");
        for (account, region) in [
            ("111122223333", "us-east-1"),
            ("111122223333", "eu-west-1"),
            ("444455556666", "us-east-1"),
            ("444455556666", "eu-west-1"),
        ] {
            assert!(eks.iter().any(|(a, r, _)| *a == account && *r == region), "{account} {region}");
        }
        let aws = e.aws_credentials().expect("demo AWS login");
        assert_eq!(aws.access_key_id, "AKIAKUBEPOSTUREDEMO1");
        assert_eq!(
            aws.roles,
            [
                AwsRoleToAssume {
                    role_arn: "arn:aws:iam::111122223333:role/kubeposture-reader".into(),
                    external_id: None
                },
                AwsRoleToAssume {
                    role_arn: "arn:aws:iam::444455556666:role/kubeposture-reader".into(),
                    external_id: Some("kubeposture-demo".into())
                },
            ]
        );
    }

    #[test]
    fn aws_errors_name_where() {
        let y = "estate: v1\naws:\n  accounts:\n    - accountId: \"111122223333\"\n      regions: [us-east-1]\n      regional:\n        us-east-1:\n          clusters: [{cluster: {name: c, createdAt: soon}}]\n";
        let err = Estate::from_yaml(y).unwrap_err().to_string();
        assert!(err.contains("aws.accounts[111122223333].regional.us-east-1.clusters[c].cluster.createdAt"), "{err}");
        let typo = "estate: v1\naws:\n  acounts: []\n";
        assert!(matches!(Estate::from_yaml(typo), Err(EstateError::Parse(_))));
    }

    #[test]
    fn rejects_other_versions_and_unknown_keys() {
        assert!(matches!(Estate::from_yaml("estate: v2"), Err(EstateError::Version(_))));
        assert!(matches!(Estate::from_yaml("estate: v1\nazure: {subscriptons: []}"), Err(EstateError::Parse(_))));
    }

    #[test]
    fn diagnostic_settings_must_name_a_cluster() {
        let y = r#"
estate: v1
entra: {tenants: [{tenantId: t}]}
azure:
  subscriptions:
    - subscriptionId: s
      tenantId: t
      managedClusters: [{id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a}]
      diagnosticSettings: {"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/b": []}
"#;
        let err = Estate::from_yaml(y).unwrap_err().to_string();
        assert!(err.contains("managedClusters/b"), "{err}");
    }
}
