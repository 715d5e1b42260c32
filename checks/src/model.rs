//! The cloud-neutral posture model. Providers fill it; checks only read it.
//!
//! Every collected value is a [`Field`], so a check can always tell "the API said
//! no" from "we could not ask". Cloud-specific settings live in cloud-neutral
//! slots named for the concept (e.g. `endpoint.public`), with the real API path
//! kept in the field for evidence.

use crate::field::Field;
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

/// Where a cluster lives: enough to name it uniquely and sort findings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClusterRef {
    pub cloud: Cloud,
    /// Azure subscription id or AWS account id.
    pub account: String,
    pub region: String,
    /// Azure resource group; `None` on EKS.
    pub resource_group: Option<String>,
    pub name: String,
    /// ARM resource id or EKS cluster ARN.
    pub id: String,
}

/// One managed Kubernetes cluster as the control APIs describe it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cluster {
    pub r#ref: ClusterRef,
    pub version: Version,
    pub endpoint: ApiEndpoint,
    pub authn: Authentication,
    pub authz: Authorization,
    pub cloud_identity: CloudIdentity,
    pub workload_identity: WorkloadIdentity,
    pub network: Network,
    pub node_pools: Field<Vec<NodePool>>,
    pub protection: Protection,
    pub logging: Logging,
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
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Network {
    /// Network policy engine: AKS `networkProfile.networkPolicy` kept verbatim (`azure`, `calico`,
    /// `cilium`, `none`, or a value newer than this build).
    pub policy_engine: Field<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodePool {
    pub name: String,
    /// Path prefix of this pool in the API response (`properties.agentPoolProfiles[0]`).
    pub path: String,
    pub mode: Field<String>,
    pub os_type: Field<String>,
    /// AKS `enableEncryptionAtHost`.
    pub encryption_at_host: Field<bool>,
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
    pub fn unknown(r#ref: ClusterRef, reason: &str) -> Self {
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
            },
            authz: Authorization { kubernetes_rbac: u!("enableRBAC"), azure_rbac: u!("aadProfile.enableAzureRBAC") },
            cloud_identity: CloudIdentity { kind: u!("identity") },
            workload_identity: WorkloadIdentity {
                oidc_issuer_enabled: u!("oidcIssuer.enabled"),
                oidc_issuer_url: u!("oidcIssuer.url"),
                workload_identity_enabled: u!("workloadIdentity.enabled"),
                pod_identity_enabled: u!("podIdentityProfile.enabled"),
            },
            network: Network { policy_engine: u!("networkPolicy") },
            node_pools: u!("nodePools"),
            protection: Protection {
                secrets_kms: u!("secretsEncryption"),
                policy_addon: u!("policyAddon"),
                defender: u!("defender"),
                keyvault_secrets_provider: u!("keyvaultSecretsProvider"),
            },
            logging: Logging { enabled_categories: u!("logging") },
        }
    }
}
