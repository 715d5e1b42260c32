//! The cloud-neutral posture model. Providers fill it; checks only read it.
//!
//! Every collected value is a [`Field`], so a check can always tell "the API said
//! no" from "we could not ask". Cloud-specific settings live in cloud-neutral
//! slots named for the concept (e.g. `endpoint.public`), with the real API path
//! kept in the field for evidence.

mod ca;
mod entra;
mod k8s;

pub use ca::*;
pub use entra::*;
pub use k8s::*;

use crate::field::Field;
use crate::iam::PolicyDocument;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Cloud {
    #[serde(rename = "aks")]
    Aks,
    #[serde(rename = "eks")]
    Eks,
}

impl Cloud {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aks => "AKS",
            Cloud::Eks => "EKS",
        }
    }
}

/// What a finding is about: a cluster, or a scope above clusters (an AWS account, an Entra tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Cluster,
    Account,
    Tenant,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Cluster => "cluster",
            ResourceKind::Account => "account",
            ResourceKind::Tenant => "tenant",
        }
    }
}

/// Where a resource lives: enough to name it uniquely and sort findings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    pub kind: ResourceKind,
    pub cloud: Cloud,
    /// Azure subscription id or AWS account id.
    pub account: String,
    pub region: String,
    /// Azure resource group; `None` on EKS.
    pub resource_group: Option<String>,
    pub name: String,
    /// ARM resource id, EKS cluster ARN, AWS account id or tenant id.
    pub id: String,
    /// The resource's tags (ARM `tags`, EKS `tags`), for waiver selectors; empty for scopes.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, String>,
}

/// One managed Kubernetes cluster as the control APIs describe it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cluster {
    pub r#ref: ResourceRef,
    pub version: Version,
    pub endpoint: ApiEndpoint,
    pub authn: Authentication,
    pub authz: Authorization,
    pub cloud_identity: CloudIdentity,
    pub workload_identity: WorkloadIdentity,
    pub network: Network,
    pub node_pools: Field<Vec<NodePool>>,
    /// EKS add-ons (`ListAddons`/`DescribeAddon`).
    pub addons: Field<Vec<Addon>>,
    pub protection: Protection,
    pub logging: Logging,
    /// AKS: Azure RBAC admin paths and Conditional Access.
    pub entra: EntraAccess,
    /// What the cluster's own Kubernetes API showed.
    pub data_plane: DataPlane,
}

/// Control-plane version and the cloud's own list of supported versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Version {
    /// The running control-plane version (`1.29.4`).
    pub current: Field<String>,
    /// AKS `sku.tier` / support plan or EKS `upgradePolicy.supportType`.
    pub support_plan: Field<String>,
    /// From AKS `locations/{location}/kubernetesVersions` or EKS `DescribeClusterVersions`;
    /// shared by every cluster of the same region.
    pub catalog: Field<Arc<VersionCatalog>>,
    /// AKS `autoUpgradeProfile.upgradeChannel`.
    pub upgrade_channel: Field<String>,
    /// AKS `autoUpgradeProfile.nodeOSUpgradeChannel`.
    pub node_os_upgrade_channel: Field<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionCatalog {
    pub versions: Vec<CatalogVersion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogVersion {
    /// Minor version, `1.29`.
    pub minor: String,
    /// The support plans or states the cloud lists for it (AKS `capabilities.supportPlan`:
    /// `KubernetesOfficial`, `AKSLongTermSupport`; EKS `status`: `STANDARD_SUPPORT`, …).
    pub support: Vec<String>,
    pub preview: bool,
    /// End of standard support, RFC 3339, when the cloud says.
    pub end_of_standard_support: Option<String>,
}

/// API server reachability.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiEndpoint {
    /// The API server has a public endpoint (AKS: not a private cluster; EKS: `endpointPublicAccess`).
    pub public: Field<bool>,
    /// In-network clients reach a private endpoint (AKS: private cluster; EKS: `endpointPrivateAccess`).
    pub private: Field<bool>,
    /// Allow-list of the public endpoint as the API returned it (unparsed strings).
    pub allowed_cidrs: Field<Vec<String>>,
    /// AKS: a private cluster still publishes a public FQDN.
    pub private_cluster_public_fqdn: Field<bool>,
    /// AKS `publicNetworkAccess` (`Enabled`, `Disabled`, or any newer value kept as is).
    pub public_network_access: Field<String>,
}

/// Who may authenticate and how.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Authentication {
    /// AKS: managed Entra ID integration (`aadProfile.managed`).
    pub entra_managed: Field<bool>,
    /// AKS: local accounts (static admin kubeconfig) enabled — `!disableLocalAccounts`.
    pub local_accounts_enabled: Field<bool>,
    /// AKS `aadProfile.adminGroupObjectIDs`.
    pub admin_group_ids: Field<Vec<String>>,
    /// EKS `accessConfig.authenticationMode`.
    pub mode: Field<String>,
    /// EKS `accessConfig.bootstrapClusterCreatorAdminPermissions`.
    pub creator_admin: Field<bool>,
    /// EKS access entries with their associated access policies.
    pub access_entries: Field<Vec<AccessEntry>>,
}

/// An EKS access entry (`DescribeAccessEntry`) and its access policies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// Evidence path prefix: `accessEntries[<principalArn>]`.
    pub path: String,
    pub principal_arn: String,
    /// `STANDARD`, `EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, … kept as the API returned it
    /// (`DescribeAccessEntry`: unknown when that call failed, like the two fields below).
    pub kind: Field<String>,
    pub username: Field<String>,
    pub kubernetes_groups: Field<Vec<String>>,
    /// `ListAssociatedAccessPolicies`.
    pub policies: Field<Vec<AccessPolicy>>,
}

impl AccessEntry {
    /// The entry's type for evidence: the value, `(absent)`, or `unknown (why)`.
    pub fn kind_label(&self) -> String {
        match (self.kind.get(), self.kind.unknown_reason()) {
            (Some(k), _) => k.clone(),
            (None, Some(why)) => format!("unknown ({why})"),
            _ => "(absent)".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessPolicy {
    /// `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`.
    pub policy_arn: String,
    /// `accessScope.type`: `cluster` or `namespace`.
    pub scope: String,
    pub namespaces: Vec<String>,
}

/// Who may do what inside the cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Authorization {
    /// Kubernetes RBAC (AKS `enableRBAC`).
    pub kubernetes_rbac: Field<bool>,
    /// AKS: Kubernetes authorization through Azure RBAC (`aadProfile.enableAzureRBAC`).
    pub azure_rbac: Field<bool>,
}

/// How the cluster itself authenticates to its cloud.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CloudIdentity {
    /// `managed_identity`, `service_principal` (AKS), `iam_role` (EKS), or the raw type.
    pub kind: Field<String>,
}

/// Pods → cloud identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkloadIdentity {
    /// OIDC issuer enabled (AKS `oidcIssuerProfile.enabled`; EKS: `identity.oidc.issuer` present).
    pub oidc_issuer_enabled: Field<bool>,
    pub oidc_issuer_url: Field<String>,
    /// AKS `securityProfile.workloadIdentity.enabled`.
    pub workload_identity_enabled: Field<bool>,
    /// AKS deprecated pod identity (`podIdentityProfile.enabled`).
    pub pod_identity_enabled: Field<bool>,
    /// EKS: the IAM OIDC provider ARN whose URL is the cluster's issuer; absent when none exists.
    pub oidc_provider: Field<String>,
    /// EKS: IAM roles whose trust policy names the cluster's OIDC provider (IRSA roles).
    pub irsa_roles: Field<Vec<IrsaRole>>,
}

/// An IAM role trusted through the cluster's OIDC provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IrsaRole {
    pub arn: String,
    pub name: String,
    /// The IAM OIDC provider through which this role trusts the cluster, when it is not the
    /// cluster's `oidc_provider`: a provider of the role's own account (cross-account IRSA, the
    /// cluster's issuer registered in another account). Empty: the cluster's provider.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
    /// The trust policy (`AssumeRolePolicyDocument`), URL-decoded and parsed; unknown when it
    /// is not a policy document (the reason says why).
    pub trust: Field<PolicyDocument>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Network {
    /// Network policy engine: AKS `networkProfile.networkPolicy` kept verbatim (`azure`, `calico`,
    /// `cilium`, `none`, or a value newer than this build).
    pub policy_engine: Field<String>,
}

/// What kind of nodes a [`NodePool`] stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// An AKS agent pool.
    #[default]
    AgentPool,
    /// An EKS managed node group (`ListNodegroups`).
    ManagedNodeGroup,
    /// EC2 instances tagged for the cluster outside managed node groups, Karpenter and Auto
    /// Mode: one Auto Scaling group, or standalone instances.
    SelfManaged,
    /// Instances Karpenter launched (`karpenter.sh/nodepool`).
    Karpenter,
    /// EKS Auto Mode instances (`aws:eks:cluster-name`).
    AutoMode,
    /// The IAM role of an `EC2_LINUX`/`EC2_WINDOWS`/`EC2`/`HYBRID_LINUX`/`HYPERPOD_LINUX` access
    /// entry: a node identity, whatever nodes use it (no instance metadata of its own).
    AccessEntry,
    /// The node role EKS Auto Mode gives the instances it launches (`DescribeCluster`
    /// `computeConfig.nodeRoleArn`), even while no instance runs.
    AutoModeNodeRole,
}

impl NodeKind {
    /// How a pool of this kind is named in messages: `node group ng-a`, `Karpenter node pool x`.
    pub fn describe(self, name: &str) -> String {
        match self {
            NodeKind::AgentPool => format!("agent pool {name}"),
            NodeKind::ManagedNodeGroup => format!("node group {name}"),
            NodeKind::SelfManaged => format!("self-managed nodes {name}"),
            NodeKind::Karpenter => format!("Karpenter node pool {name}"),
            NodeKind::AutoMode => format!("Auto Mode node pool {name}"),
            NodeKind::AccessEntry => format!("access entry {name}"),
            NodeKind::AutoModeNodeRole => format!("Auto Mode node role {name}"),
        }
    }

    /// Whether pools of this kind are nodes (with instance metadata), not only a node role.
    pub fn has_nodes(self) -> bool {
        !matches!(self, NodeKind::AccessEntry | NodeKind::AutoModeNodeRole)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodePool {
    pub name: String,
    #[serde(default)]
    pub kind: NodeKind,
    /// Path prefix of this pool in the API response (`properties.agentPoolProfiles[0]`).
    pub path: String,
    pub mode: Field<String>,
    pub os_type: Field<String>,
    /// AKS `enableEncryptionAtHost`.
    pub encryption_at_host: Field<bool>,
    /// EKS: instance metadata options of the nodes — from the launch template version, or from
    /// each running instance when there is no launch template (or it leaves an option unset).
    /// Absent for access entries, which have no nodes of their own.
    pub imds: Field<Vec<Imds>>,
    /// EKS: the node IAM role and its policies (shared by every pool using it); absent for
    /// instances launched without an instance profile.
    pub node_role: Field<Arc<NodeRole>>,
}

/// Instance metadata options as one source states them (`MetadataOptions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Imds {
    /// Evidence path prefix: `launchTemplate[lt-0abc…:3].LaunchTemplateData.MetadataOptions` or
    /// `instance[i-0abc…].MetadataOptions`.
    pub source: String,
    /// `HttpTokens`: `required` (IMDSv2 only) or `optional`.
    pub http_tokens: Option<String>,
    /// `HttpPutResponseHopLimit`.
    pub hop_limit: Option<i64>,
    /// `HttpEndpoint`: `enabled` or `disabled`.
    pub endpoint: Option<String>,
}

/// A node IAM role: its managed and inline policies with their documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeRole {
    pub arn: String,
    pub name: String,
    /// `ListAttachedRolePolicies` (+ `GetPolicy`/`GetPolicyVersion` for each document).
    pub attached: Field<Vec<ManagedPolicy>>,
    /// `ListRolePolicies` + `GetRolePolicy`.
    pub inline: Field<Vec<InlinePolicy>>,
    /// `ListInstanceProfilesForRole`: the instance profile ARNs that hand out its credentials.
    pub instance_profiles: Field<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// The default version's document.
    pub document: Field<PolicyDocument>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: Field<PolicyDocument>,
}

/// An EKS add-on (`DescribeAddon`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Addon {
    /// Evidence path prefix: `addons[vpc-cni]`.
    pub path: String,
    pub name: String,
    pub version: Option<String>,
    /// `configurationValues` (JSON or YAML on the wire) parsed; absent when unset, unknown
    /// when it does not parse.
    pub configuration: Field<serde_json::Value>,
    pub service_account_role_arn: Option<String>,
    /// `DescribeAddon`'s `status` (`ACTIVE`, `CREATE_FAILED`, `DEGRADED`, …), read for the
    /// add-ons a check judges (vpc-cni and policy engines); absent for add-ons only listed.
    pub status: Field<String>,
}

/// EKS add-ons that are NetworkPolicy engines, by a part of their name (NET-006).
pub const EKS_POLICY_ENGINE_ADDONS: &[&str] = &["calico", "cilium", "tigera"];

/// Whether an EKS add-on's name is a NetworkPolicy engine's.
pub fn is_policy_engine_addon(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    EKS_POLICY_ENGINE_ADDONS.iter().any(|e| name.contains(e))
}

/// A scope above clusters: an AWS account or an Entra tenant, for what belongs to no cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scope {
    pub r#ref: ResourceRef,
    /// AWS: IAM OIDC providers for EKS issuers that match no cluster of the account.
    pub orphan_oidc_providers: Field<Vec<String>>,
    /// Entra tenant: its Conditional Access policies.
    pub conditional_access: Field<Arc<Vec<CaPolicy>>>,
}

/// Protection add-ons and secrets encryption.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Protection {
    /// Secrets encrypted with a customer-managed KMS key (AKS `securityProfile.azureKeyVaultKms.enabled`).
    pub secrets_kms: Field<bool>,
    /// Admission policy add-on (AKS `addonProfiles.azurepolicy.enabled`).
    pub policy_addon: Field<bool>,
    /// Runtime threat detection (AKS `securityProfile.defender.securityMonitoring.enabled`).
    pub defender: Field<bool>,
    /// AKS `addonProfiles.azureKeyvaultSecretsProvider.enabled`.
    pub keyvault_secrets_provider: Field<bool>,
}

/// Control-plane logs shipped somewhere.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Logging {
    /// Enabled control-plane log categories (AKS diagnostic settings `logs[].category` with
    /// `enabled: true`, category groups expanded; EKS `logging.clusterLogging` types).
    pub enabled_categories: Field<Vec<String>>,
}

impl Cluster {
    /// A cluster of which nothing could be collected beyond its identity.
    pub fn unknown(r#ref: ResourceRef, reason: &str) -> Self {
        macro_rules! u {
            ($p:expr) => {
                Field::unknown($p, reason)
            };
        }
        Cluster {
            r#ref,
            version: Version {
                current: u!("version"),
                support_plan: u!("supportPlan"),
                catalog: u!("kubernetesVersions"),
                upgrade_channel: u!("upgradeChannel"),
                node_os_upgrade_channel: u!("nodeOSUpgradeChannel"),
            },
            endpoint: ApiEndpoint {
                public: u!("endpoint.public"),
                private: u!("endpoint.private"),
                allowed_cidrs: u!("endpoint.allowedCidrs"),
                private_cluster_public_fqdn: u!("endpoint.privateClusterPublicFqdn"),
                public_network_access: u!("publicNetworkAccess"),
            },
            authn: Authentication {
                entra_managed: u!("aadProfile.managed"),
                local_accounts_enabled: u!("disableLocalAccounts"),
                admin_group_ids: u!("aadProfile.adminGroupObjectIDs"),
                mode: u!("accessConfig.authenticationMode"),
                creator_admin: u!("accessConfig.bootstrapClusterCreatorAdminPermissions"),
                access_entries: u!("accessEntries"),
            },
            authz: Authorization { kubernetes_rbac: u!("enableRBAC"), azure_rbac: u!("aadProfile.enableAzureRBAC") },
            cloud_identity: CloudIdentity { kind: u!("identity") },
            workload_identity: WorkloadIdentity {
                oidc_issuer_enabled: u!("oidcIssuer.enabled"),
                oidc_issuer_url: u!("oidcIssuer.url"),
                workload_identity_enabled: u!("workloadIdentity.enabled"),
                pod_identity_enabled: u!("podIdentityProfile.enabled"),
                oidc_provider: u!("oidcProvider"),
                irsa_roles: u!("irsaRoles"),
            },
            network: Network { policy_engine: u!("networkPolicy") },
            node_pools: u!("nodePools"),
            addons: u!("addons"),
            protection: Protection {
                secrets_kms: u!("secretsEncryption"),
                policy_addon: u!("policyAddon"),
                defender: u!("defender"),
                keyvault_secrets_provider: u!("keyvaultSecretsProvider"),
            },
            logging: Logging { enabled_categories: u!("logging") },
            entra: EntraAccess::unknown(reason),
            data_plane: DataPlane::unknown(reason),
        }
    }
}
