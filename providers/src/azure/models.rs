//! Typed serde models of the ARM fields kubeposture reads (managedClusters 2026-08-01 GA).
//! Unknown fields are ignored; enum-like values stay strings so newer values survive.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct ManagedCluster {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// ARM tags; a value that is not a string is left out (tags only select waivers).
    #[serde(default)]
    pub tags: Option<BTreeMap<String, serde_json::Value>>,
    pub identity: Option<ManagedClusterIdentity>,
    pub properties: Option<ClusterProperties>,
}

#[derive(Debug, Deserialize)]
pub struct ManagedClusterIdentity {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterProperties {
    pub kubernetes_version: Option<String>,
    pub current_kubernetes_version: Option<String>,
    pub support_plan: Option<String>,
    #[serde(rename = "enableRBAC")]
    pub enable_rbac: Option<bool>,
    pub aad_profile: Option<AadProfile>,
    pub disable_local_accounts: Option<bool>,
    pub api_server_access_profile: Option<ApiServerAccessProfile>,
    pub public_network_access: Option<String>,
    pub network_profile: Option<NetworkProfile>,
    pub agent_pool_profiles: Option<Vec<AgentPoolProfile>>,
    pub service_principal_profile: Option<ServicePrincipalProfile>,
    pub oidc_issuer_profile: Option<OidcIssuerProfile>,
    pub security_profile: Option<SecurityProfile>,
    pub pod_identity_profile: Option<Enabled>,
    pub addon_profiles: Option<BTreeMap<String, Enabled>>,
    pub auto_upgrade_profile: Option<AutoUpgradeProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AadProfile {
    pub managed: Option<bool>,
    #[serde(rename = "enableAzureRBAC")]
    pub enable_azure_rbac: Option<bool>,
    #[serde(rename = "adminGroupObjectIDs")]
    pub admin_group_object_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiServerAccessProfile {
    #[serde(rename = "authorizedIPRanges")]
    pub authorized_ip_ranges: Option<Vec<String>>,
    pub enable_private_cluster: Option<bool>,
    #[serde(rename = "enablePrivateClusterPublicFQDN")]
    pub enable_private_cluster_public_fqdn: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    pub network_policy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPoolProfile {
    pub name: Option<String>,
    pub mode: Option<String>,
    pub os_type: Option<String>,
    pub enable_encryption_at_host: Option<bool>,
}

/// Only the client id: the `secret` field is never read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalProfile {
    pub client_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcIssuerProfile {
    pub enabled: Option<bool>,
    #[serde(rename = "issuerURL")]
    pub issuer_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityProfile {
    pub defender: Option<Defender>,
    pub azure_key_vault_kms: Option<Enabled>,
    pub workload_identity: Option<Enabled>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Defender {
    pub security_monitoring: Option<Enabled>,
}

/// `{ "enabled": bool, … }`
#[derive(Debug, Deserialize)]
pub struct Enabled {
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoUpgradeProfile {
    pub upgrade_channel: Option<String>,
    #[serde(rename = "nodeOSUpgradeChannel")]
    pub node_os_upgrade_channel: Option<String>,
}

/// `locations/{location}/kubernetesVersions`.
#[derive(Debug, Deserialize)]
pub struct KubernetesVersionList {
    #[serde(default)]
    pub values: Vec<KubernetesVersion>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesVersion {
    pub version: Option<String>,
    #[serde(default)]
    pub is_preview: Option<bool>,
    pub capabilities: Option<VersionCapabilities>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionCapabilities {
    #[serde(default)]
    pub support_plan: Vec<String>,
}

/// `Microsoft.Insights/diagnosticSettings`.
#[derive(Debug, Deserialize)]
pub struct DiagnosticSetting {
    pub name: Option<String>,
    pub properties: Option<DiagnosticProperties>,
}

#[derive(Debug, Deserialize)]
pub struct DiagnosticProperties {
    #[serde(default)]
    pub logs: Vec<LogSetting>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSetting {
    pub category: Option<String>,
    pub category_group: Option<String>,
    #[serde(default)]
    pub enabled: bool,
}

/// `GET /subscriptions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    pub display_name: Option<String>,
    pub tenant_id: Option<String>,
    pub state: Option<String>,
}

/// `POST …/managedClusters/{name}/listClusterUserCredential`.
#[derive(Debug, Deserialize)]
pub struct CredentialResults {
    #[serde(default)]
    pub kubeconfigs: Vec<CredentialResult>,
}

#[derive(Debug, Deserialize)]
pub struct CredentialResult {
    pub name: Option<String>,
    /// The kubeconfig, base64.
    pub value: Option<String>,
}
