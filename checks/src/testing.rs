//! Fixture builders for check tests: a fully hardened AKS cluster that tests then break.

use crate::context::Context;
use crate::field::Field;
use crate::model::*;
use crate::outcome::{Outcome, Status};
use crate::registry::Check;
use std::sync::Arc;

fn v<T: ToString>(path: &'static str, value: T) -> Field<T> {
    let raw = value.to_string();
    Field::value(path, value, raw)
}

fn list(path: &'static str, items: &[&str]) -> Field<Vec<String>> {
    let value: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let raw = serde_json::to_string(&value).unwrap_or_default();
    Field::value(path, value, raw)
}

/// A catalog where 1.30 … 1.32 are in standard support and 1.29 only in LTS.
pub fn aks_catalog() -> Arc<VersionCatalog> {
    let cv = |minor: &str, support: &[&str]| CatalogVersion {
        minor: minor.into(),
        support: support.iter().map(|s| s.to_string()).collect(),
        preview: false,
        end_of_standard_support: None,
    };
    Arc::new(VersionCatalog {
        versions: vec![
            cv("1.29", &["AKSLongTermSupport"]),
            cv("1.30", &["KubernetesOfficial", "AKSLongTermSupport"]),
            cv("1.31", &["KubernetesOfficial"]),
            cv("1.32", &["KubernetesOfficial"]),
        ],
    })
}

/// An AKS cluster that passes every ARM check.
pub fn hardened_aks() -> Cluster {
    Cluster {
        r#ref: ResourceRef {
            kind: ResourceKind::Cluster,
            cloud: Cloud::Aks,
            account: "00000000-0000-0000-0000-000000000001".into(),
            region: "westeurope".into(),
            resource_group: Some("rg-prod".into()),
            name: "aks-hardened".into(),
            id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-hardened".into(),
        },
        version: Version {
            current: v("properties.currentKubernetesVersion", "1.31.2".to_string()),
            support_plan: v("properties.supportPlan", "KubernetesOfficial".to_string()),
            catalog: Field::value("locations/westeurope/kubernetesVersions", aks_catalog(), "4 versions"),
            upgrade_channel: v("properties.autoUpgradeProfile.upgradeChannel", "stable".to_string()),
            node_os_upgrade_channel: v("properties.autoUpgradeProfile.nodeOSUpgradeChannel", "NodeImage".to_string()),
        },
        endpoint: ApiEndpoint {
            public: Field::value("properties.apiServerAccessProfile.enablePrivateCluster", false, "true"),
            private: v("properties.apiServerAccessProfile.enablePrivateCluster", true),
            allowed_cidrs: Field::absent("properties.apiServerAccessProfile.authorizedIPRanges"),
            private_cluster_public_fqdn: v("properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN", false),
            public_network_access: v("properties.publicNetworkAccess", "Disabled".to_string()),
        },
        authn: Authentication {
            entra_managed: v("properties.aadProfile.managed", true),
            local_accounts_enabled: Field::value("properties.disableLocalAccounts", false, "true"),
            admin_group_ids: list("properties.aadProfile.adminGroupObjectIDs", &[]),
            mode: Field::absent("accessConfig.authenticationMode"),
            creator_admin: Field::absent("accessConfig.bootstrapClusterCreatorAdminPermissions"),
            access_entries: Field::absent("accessEntries"),
        },
        authz: Authorization {
            kubernetes_rbac: v("properties.enableRBAC", true),
            azure_rbac: v("properties.aadProfile.enableAzureRBAC", true),
        },
        cloud_identity: CloudIdentity { kind: Field::value("identity.type", "managed_identity".to_string(), "SystemAssigned") },
        workload_identity: WorkloadIdentity {
            oidc_issuer_enabled: v("properties.oidcIssuerProfile.enabled", true),
            oidc_issuer_url: v("properties.oidcIssuerProfile.issuerURL", "https://westeurope.oic.prod-aks.azure.com/t/c/".to_string()),
            workload_identity_enabled: v("properties.securityProfile.workloadIdentity.enabled", true),
            pod_identity_enabled: Field::absent("properties.podIdentityProfile.enabled"),
            oidc_provider: Field::absent("oidcProvider"),
            irsa_roles: Field::absent("irsaRoles"),
        },
        network: Network { policy_engine: v("properties.networkProfile.networkPolicy", "cilium".to_string()) },
        node_pools: Field::value(
            "properties.agentPoolProfiles",
            vec![NodePool {
                name: "system".into(),
                path: "properties.agentPoolProfiles[0]".into(),
                mode: v("properties.agentPoolProfiles[0].mode", "System".to_string()),
                os_type: v("properties.agentPoolProfiles[0].osType", "Linux".to_string()),
                encryption_at_host: v("properties.agentPoolProfiles[0].enableEncryptionAtHost", true),
                imds: Field::absent("properties.agentPoolProfiles[0].imds"),
                node_role: Field::absent("properties.agentPoolProfiles[0].nodeRole"),
            }],
            "1 pool",
        ),
        addons: Field::absent("addons"),
        protection: Protection {
            secrets_kms: v("properties.securityProfile.azureKeyVaultKms.enabled", true),
            policy_addon: v("properties.addonProfiles.azurepolicy.enabled", true),
            defender: v("properties.securityProfile.defender.securityMonitoring.enabled", true),
            keyvault_secrets_provider: v("properties.addonProfiles.azureKeyvaultSecretsProvider.enabled", true),
        },
        logging: Logging { enabled_categories: list("diagnosticSettings[*].logs", &["kube-audit-admin", "kube-apiserver"]) },
    }
}

/// Replace a field with "could not be collected".
pub fn unknown<T>(f: &mut Field<T>) {
    let path = f.path.clone();
    *f = Field::unknown(path, "AuthorizationFailed on managedClusters");
}

/// Replace a field's value, keeping its path; the raw evidence text is the value's `Display`.
pub fn set<T: ToString>(f: &mut Field<T>, value: T) {
    let raw = value.to_string();
    *f = Field::value(f.path.clone(), value, raw);
}

/// Replace a string field's value, keeping its path.
pub fn set_str(f: &mut Field<String>, value: &str) {
    set(f, value.to_string());
}

/// Replace a list field's value, keeping its path; raw is the JSON array.
pub fn set_list(f: &mut Field<Vec<String>>, items: &[&str]) {
    let path = f.path.clone();
    *f = list_at(path, items);
}

/// Make a field absent from the collected response, keeping its path.
pub fn absent<T>(f: &mut Field<T>) {
    *f = Field::absent(f.path.clone());
}

/// Make the hardened cluster's API server public (not a private cluster) with this allow-list
/// (`None` = `authorizedIPRanges` absent).
pub fn make_public(c: &mut Cluster, cidrs: Option<&[&str]>) {
    const PRIVATE: &str = "properties.apiServerAccessProfile.enablePrivateCluster";
    c.endpoint.public = Field::value(PRIVATE, true, "false");
    c.endpoint.private = Field::value(PRIVATE, false, "false");
    c.endpoint.allowed_cidrs = match cidrs {
        Some(items) => list_at("properties.apiServerAccessProfile.authorizedIPRanges".into(), items),
        None => Field::absent("properties.apiServerAccessProfile.authorizedIPRanges"),
    };
}

/// A fixed clock for tests: 2025-06-01T00:00:00Z.
pub fn ctx() -> Context {
    Context::new(time::macros::datetime!(2025-06-01 00:00 UTC))
}

/// Runs one check on a cluster with [`ctx`].
pub fn run(check: &Check, c: &Cluster) -> Outcome {
    let eval = check.cluster.unwrap_or_else(|| panic!("{} has no cluster evaluation", check.meta.id));
    eval(c, &ctx())
}

pub fn run_scope(check: &Check, s: &Scope) -> Outcome {
    let eval = check.scope.unwrap_or_else(|| panic!("{} has no scope evaluation", check.meta.id));
    eval(s, &ctx())
}

fn list_at(path: std::borrow::Cow<'static, str>, items: &[&str]) -> Field<Vec<String>> {
    let value: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let raw = serde_json::to_string(&value).unwrap_or_default();
    Field::value(path, value, raw)
}

/// The decision table shared by settings whose secure value is `true` and whose absence is the
/// cloud's insecure default: hardened → pass, `false` → fail, absent → fail showing `(absent)`,
/// not collected → unknown naming the reason.
pub fn assert_true_setting(check: &Check, field: fn(&mut Cluster) -> &mut Field<bool>) {
    let id = check.meta.id;
    assert_eq!(run(check, &hardened_aks()).status, Status::Pass, "{id}: hardened");
    let mut c = hardened_aks();
    set(field(&mut c), false);
    assert_eq!(run(check, &c).status, Status::Fail, "{id}: false");
    absent(field(&mut c));
    let o = run(check, &c);
    assert_eq!(o.status, Status::Fail, "{id}: absent");
    assert!(o.evidence.iter().any(|e| e.observed == "(absent)"), "{id}: absent shown in {:?}", o.evidence);
    unknown(field(&mut c));
    let o = run(check, &c);
    assert_eq!(o.status, Status::Unknown, "{id}: not collected");
    assert!(o.message.contains("AuthorizationFailed"), "{id}: reason in {}", o.message);
}
