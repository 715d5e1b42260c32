//! ARM managedCluster → posture model. Decides only what is known, never pass/fail.

use super::models::*;
use kubeposture_checks::Field;
use kubeposture_checks::model::*;
use std::sync::Arc;

/// Inputs collected by calls other than the cluster GET.
pub struct Extras {
    pub catalog: Field<Arc<VersionCatalog>>,
    pub logging: Field<Vec<String>>,
    pub entra: EntraAccess,
    pub data_plane: DataPlane,
}

/// The resource group named in an ARM id, matched case-insensitively.
pub fn resource_group(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts.windows(2).find(|w| w[0].eq_ignore_ascii_case("resourceGroups")).map(|w| w[1].to_string())
}

/// The subscription named in an ARM id.
pub fn subscription(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts.windows(2).find(|w| w[0].eq_ignore_ascii_case("subscriptions")).map(|w| w[1].to_string())
}

pub fn cluster_ref(id: &str, name: &str, location: &str, subscription_id: &str) -> ResourceRef {
    let name = match (name, id.rsplit('/').next()) {
        ("", Some(last)) if !last.is_empty() => last,
        ("", _) => "(unnamed)",
        (n, _) => n,
    };
    ResourceRef {
        kind: ResourceKind::Cluster,
        cloud: Cloud::Aks,
        account: subscription(id).unwrap_or_else(|| subscription_id.to_string()),
        region: location.to_string(),
        resource_group: resource_group(id),
        name: name.to_string(),
        id: id.to_string(),
        tags: Default::default(),
    }
}

/// A raw ARM body that did not match the expected shape: keep the cluster, mark every
/// field unknown with the parse error, so no finding is lost.
pub fn unparsable(raw: &serde_json::Value, subscription_id: &str, error: &str) -> Cluster {
    let s = |k: &str| raw.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    Cluster::unknown(
        cluster_ref(&s("id"), &s("name"), &s("location"), subscription_id),
        &format!("the managedCluster body did not parse: {error}"),
    )
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn opt_bool(path: &'static str, v: Option<bool>) -> Field<bool> {
    Field::from_option(path, v)
}

fn opt_str(path: &'static str, v: &Option<String>) -> Field<String> {
    Field::from_option(path, v.clone())
}

/// A field under a section that may itself be missing: section missing → absent at the section path.
fn nested<S, T>(section_path: &'static str, section: Option<&S>, f: impl FnOnce(&S) -> Field<T>) -> Field<T> {
    match section {
        Some(s) => f(s),
        None => Field::absent(section_path),
    }
}

pub fn map(mc: &ManagedCluster, subscription_id: &str, extras: Extras) -> Cluster {
    let mut r = cluster_ref(&mc.id, &mc.name, &mc.location, subscription_id);
    r.tags = mc.tags.iter().flatten().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect();
    let Some(p) = mc.properties.as_ref() else {
        return Cluster::unknown(r, "the ARM body has no `properties`");
    };
    let aad = p.aad_profile.as_ref();
    let sec = p.security_profile.as_ref();
    let addon = |name: &str| {
        p.addon_profiles.as_ref().and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))).map(|(_, v)| v)
    };
    let addon_enabled = |name: &'static str, path: &'static str| match addon(name) {
        Some(a) => opt_bool(path, a.enabled),
        None => Field::absent(path),
    };
    let upgrade = p.auto_upgrade_profile.as_ref();

    Cluster {
        r#ref: r,
        version: Version {
            current: match (&p.current_kubernetes_version, &p.kubernetes_version) {
                (Some(v), _) => Field::value("properties.currentKubernetesVersion", v.clone(), v.clone()),
                (None, v) => opt_str("properties.kubernetesVersion", v),
            },
            support_plan: opt_str("properties.supportPlan", &p.support_plan),
            catalog: extras.catalog,
            upgrade_channel: nested("properties.autoUpgradeProfile", upgrade, |u| {
                opt_str("properties.autoUpgradeProfile.upgradeChannel", &u.upgrade_channel)
            }),
            node_os_upgrade_channel: nested("properties.autoUpgradeProfile", upgrade, |u| {
                opt_str("properties.autoUpgradeProfile.nodeOSUpgradeChannel", &u.node_os_upgrade_channel)
            }),
        },
        endpoint: endpoint(p),
        authn: Authentication {
            entra_managed: nested("properties.aadProfile", aad, |a| {
                opt_bool("properties.aadProfile.managed", a.managed)
            }),
            local_accounts_enabled: match p.disable_local_accounts {
                Some(d) => Field::value("properties.disableLocalAccounts", !d, d.to_string()),
                None => Field::absent("properties.disableLocalAccounts"),
            },
            admin_group_ids: nested("properties.aadProfile", aad, |a| match &a.admin_group_object_ids {
                Some(ids) => Field::value("properties.aadProfile.adminGroupObjectIDs", ids.clone(), json(ids)),
                None => Field::absent("properties.aadProfile.adminGroupObjectIDs"),
            }),
            mode: Field::absent("accessConfig.authenticationMode"),
            creator_admin: Field::absent("accessConfig.bootstrapClusterCreatorAdminPermissions"),
            access_entries: Field::absent("accessEntries"),
        },
        authz: Authorization {
            kubernetes_rbac: opt_bool("properties.enableRBAC", p.enable_rbac),
            azure_rbac: nested("properties.aadProfile", aad, |a| {
                opt_bool("properties.aadProfile.enableAzureRBAC", a.enable_azure_rbac)
            }),
        },
        cloud_identity: CloudIdentity { kind: identity_kind(mc, p) },
        workload_identity: WorkloadIdentity {
            oidc_issuer_enabled: nested("properties.oidcIssuerProfile", p.oidc_issuer_profile.as_ref(), |o| {
                opt_bool("properties.oidcIssuerProfile.enabled", o.enabled)
            }),
            oidc_issuer_url: nested("properties.oidcIssuerProfile", p.oidc_issuer_profile.as_ref(), |o| {
                opt_str("properties.oidcIssuerProfile.issuerURL", &o.issuer_url)
            }),
            workload_identity_enabled: nested("properties.securityProfile", sec, |s| {
                nested("properties.securityProfile.workloadIdentity", s.workload_identity.as_ref(), |w| {
                    opt_bool("properties.securityProfile.workloadIdentity.enabled", w.enabled)
                })
            }),
            pod_identity_enabled: nested("properties.podIdentityProfile", p.pod_identity_profile.as_ref(), |w| {
                opt_bool("properties.podIdentityProfile.enabled", w.enabled)
            }),
            oidc_provider: Field::absent("oidcProvider"),
            irsa_roles: Field::absent("irsaRoles"),
        },
        network: Network {
            policy_engine: nested("properties.networkProfile", p.network_profile.as_ref(), |n| {
                opt_str("properties.networkProfile.networkPolicy", &n.network_policy)
            }),
        },
        node_pools: node_pools(p),
        addons: Field::absent("addons"),
        protection: Protection {
            secrets_kms: nested("properties.securityProfile", sec, |s| {
                nested("properties.securityProfile.azureKeyVaultKms", s.azure_key_vault_kms.as_ref(), |k| {
                    opt_bool("properties.securityProfile.azureKeyVaultKms.enabled", k.enabled)
                })
            }),
            policy_addon: addon_enabled("azurepolicy", "properties.addonProfiles.azurepolicy.enabled"),
            defender: nested("properties.securityProfile", sec, |s| {
                nested("properties.securityProfile.defender", s.defender.as_ref(), |d| {
                    nested(
                        "properties.securityProfile.defender.securityMonitoring",
                        d.security_monitoring.as_ref(),
                        |m| opt_bool("properties.securityProfile.defender.securityMonitoring.enabled", m.enabled),
                    )
                })
            }),
            keyvault_secrets_provider: addon_enabled(
                "azureKeyvaultSecretsProvider",
                "properties.addonProfiles.azureKeyvaultSecretsProvider.enabled",
            ),
        },
        logging: Logging { enabled_categories: extras.logging },
        entra: extras.entra,
        data_plane: extras.data_plane,
    }
}

fn endpoint(p: &ClusterProperties) -> ApiEndpoint {
    const PRIVATE: &str = "properties.apiServerAccessProfile.enablePrivateCluster";
    const RANGES: &str = "properties.apiServerAccessProfile.authorizedIPRanges";
    const FQDN: &str = "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN";
    let public_network_access = opt_str("properties.publicNetworkAccess", &p.public_network_access);
    let Some(ap) = p.api_server_access_profile.as_ref() else {
        // What ARM returns for a default public cluster (`az aks create` without flags): public,
        // no allow-list (CHECKS.md v1.1, NET-001).
        let raw = "(absent: no apiServerAccessProfile, a default public cluster)";
        return ApiEndpoint {
            public: Field::value(PRIVATE, true, raw),
            private: Field::value(PRIVATE, false, raw),
            allowed_cidrs: Field::absent(RANGES),
            private_cluster_public_fqdn: Field::absent(FQDN),
            public_network_access,
        };
    };
    let private = ap.enable_private_cluster.unwrap_or(false);
    let raw = ap.enable_private_cluster.map(|b| b.to_string()).unwrap_or_else(|| "(absent)".into());
    ApiEndpoint {
        public: Field::value(PRIVATE, !private, raw.clone()),
        private: Field::value(PRIVATE, private, raw),
        allowed_cidrs: match &ap.authorized_ip_ranges {
            Some(r) => Field::value(RANGES, r.clone(), json(r)),
            None => Field::absent(RANGES),
        },
        private_cluster_public_fqdn: opt_bool(FQDN, ap.enable_private_cluster_public_fqdn),
        public_network_access,
    }
}

fn identity_kind(mc: &ManagedCluster, p: &ClusterProperties) -> Field<String> {
    if let Some(kind) = mc.identity.as_ref().and_then(|i| i.kind.as_deref()).filter(|k| !k.eq_ignore_ascii_case("None"))
    {
        return Field::value("identity.type", "managed_identity".to_string(), kind.to_string());
    }
    match p.service_principal_profile.as_ref().and_then(|s| s.client_id.as_deref()) {
        Some(id) if id.eq_ignore_ascii_case("msi") => {
            Field::value("properties.servicePrincipalProfile.clientId", "managed_identity".to_string(), id.to_string())
        }
        Some(id) => {
            Field::value("properties.servicePrincipalProfile.clientId", "service_principal".to_string(), id.to_string())
        }
        None => Field::absent("identity.type"),
    }
}

fn node_pools(p: &ClusterProperties) -> Field<Vec<NodePool>> {
    const PATH: &str = "properties.agentPoolProfiles";
    let Some(pools) = &p.agent_pool_profiles else {
        return Field::absent(PATH);
    };
    let mapped: Vec<NodePool> = pools
        .iter()
        .enumerate()
        .map(|(i, ap)| {
            let base = format!("{PATH}[{i}]");
            let f = |leaf: &str| format!("{base}.{leaf}");
            NodePool {
                name: ap.name.clone().unwrap_or_else(|| format!("#{i}")),
                kind: NodeKind::AgentPool,
                mode: Field::from_option(f("mode"), ap.mode.clone()),
                os_type: Field::from_option(f("osType"), ap.os_type.clone()),
                encryption_at_host: Field::from_option(f("enableEncryptionAtHost"), ap.enable_encryption_at_host),
                imds: Field::absent(f("imds")),
                node_role: Field::absent(f("nodeRole")),
                path: base,
            }
        })
        .collect();
    let raw = format!("{} pool(s)", mapped.len());
    Field::value(PATH, mapped, raw)
}

/// `kubernetesVersions` → catalog (support plans kept verbatim).
pub fn catalog(list: &KubernetesVersionList) -> VersionCatalog {
    VersionCatalog {
        versions: list
            .values
            .iter()
            .filter_map(|v| {
                Some(CatalogVersion {
                    minor: v.version.clone()?,
                    support: v.capabilities.as_ref().map(|c| c.support_plan.clone()).unwrap_or_default(),
                    preview: v.is_preview.unwrap_or(false),
                    end_of_standard_support: None,
                })
            })
            .collect(),
    }
}

/// Log categories a diagnostic-settings list enables; category groups expanded
/// (`audit` → kube-audit, kube-audit-admin, guard; `allLogs` → every AKS category).
pub fn enabled_categories(settings: &[DiagnosticSetting]) -> Vec<String> {
    const AUDIT: &[&str] = &["kube-audit", "kube-audit-admin", "guard"];
    const ALL: &[&str] = &[
        "kube-apiserver",
        "kube-audit",
        "kube-audit-admin",
        "kube-controller-manager",
        "kube-scheduler",
        "cluster-autoscaler",
        "cloud-controller-manager",
        "guard",
        "csi-azuredisk-controller",
        "csi-azurefile-controller",
        "csi-snapshot-controller",
    ];
    let mut out = std::collections::BTreeSet::new();
    for log in settings.iter().filter_map(|s| s.properties.as_ref()).flat_map(|p| &p.logs).filter(|l| l.enabled) {
        if let Some(c) = &log.category {
            out.insert(c.to_ascii_lowercase());
        }
        match log.category_group.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("audit") => out.extend(AUDIT.iter().map(|s| s.to_string())),
            Some("alllogs") => out.extend(ALL.iter().map(|s| s.to_string())),
            _ => {}
        }
    }
    out.into_iter().collect()
}

/// An Entra tenant scope: its Conditional Access policies.
pub fn tenant_scope(tenant: &str, conditional_access: Field<Arc<Vec<CaPolicy>>>) -> Scope {
    Scope {
        r#ref: ResourceRef {
            kind: ResourceKind::Tenant,
            cloud: Cloud::Aks,
            account: tenant.to_string(),
            region: String::new(),
            resource_group: None,
            name: tenant.to_string(),
            id: tenant.to_string(),
            tags: Default::default(),
        },
        orphan_oidc_providers: Field::absent("oidcProviders"),
        conditional_access,
    }
}
