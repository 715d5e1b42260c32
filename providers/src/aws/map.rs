//! `DescribeCluster` plus the other reads → posture model. Decides only what is known.

use super::fleet::{Fleet, Member};
use super::iam::{AccountIam, RoleTrust, issuer_key, provider_issuer};
use super::vpc_flags::Stated;
use aws_sdk_eks::types::Cluster as EksCluster;
use kubeposture_checks::Field;
use kubeposture_checks::iam::web_identity_statements;
use kubeposture_checks::model::*;
use std::sync::Arc;

/// Inputs collected by calls other than DescribeCluster.
pub struct Extras {
    pub catalog: Field<Arc<VersionCatalog>>,
    pub node_pools: Field<Vec<NodePool>>,
    pub access_entries: Field<Vec<AccessEntry>>,
    pub addons: Field<Vec<Addon>>,
    pub data_plane: DataPlane,
    /// Which `resourcesVpcConfig` flags the answer stated (`None`: not told, the SDK's reading stands).
    pub stated: Option<Stated>,
}

pub fn cluster_ref(account: &str, region: &str, name: &str, arn: Option<&str>) -> ResourceRef {
    ResourceRef {
        kind: ResourceKind::Cluster,
        cloud: Cloud::Eks,
        account: account.to_string(),
        region: region.to_string(),
        resource_group: None,
        name: name.to_string(),
        id: arn.map(str::to_string).unwrap_or_else(|| format!("arn:aws:eks:{region}:{account}:cluster/{name}")),
        tags: Default::default(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn opt_str(path: &'static str, v: Option<&str>) -> Field<String> {
    Field::from_option(path, v.map(str::to_string))
}

pub fn map(r: ResourceRef, c: &EksCluster, iam: &AccountIam, fleet: &Fleet, extras: Extras) -> Cluster {
    let access = c.access_config();
    let issuer = c.identity().and_then(|i| i.oidc()).and_then(|o| o.issuer());
    Cluster {
        version: Version {
            current: opt_str("cluster.version", c.version()),
            support_plan: opt_str(
                "cluster.upgradePolicy.supportType",
                c.upgrade_policy().and_then(|u| u.support_type()).map(|s| s.as_str()),
            ),
            catalog: extras.catalog,
            upgrade_channel: Field::absent("upgradeChannel"),
            node_os_upgrade_channel: Field::absent("nodeOSUpgradeChannel"),
        },
        endpoint: endpoint(c, extras.stated),
        authn: Authentication {
            entra_managed: Field::absent("aadProfile.managed"),
            local_accounts_enabled: Field::absent("disableLocalAccounts"),
            admin_group_ids: Field::absent("aadProfile.adminGroupObjectIDs"),
            mode: opt_str(
                "cluster.accessConfig.authenticationMode",
                access.and_then(|a| a.authentication_mode()).map(|m| m.as_str()),
            ),
            creator_admin: Field::from_option(
                "cluster.accessConfig.bootstrapClusterCreatorAdminPermissions",
                access.and_then(|a| a.bootstrap_cluster_creator_admin_permissions()),
            ),
            access_entries: extras.access_entries,
        },
        authz: Authorization {
            kubernetes_rbac: Field::absent("enableRBAC"),
            azure_rbac: Field::absent("aadProfile.enableAzureRBAC"),
        },
        cloud_identity: CloudIdentity {
            kind: match c.role_arn() {
                Some(arn) => Field::value("cluster.roleArn", "iam_role".to_string(), arn),
                None => Field::absent("cluster.roleArn"),
            },
        },
        workload_identity: workload_identity(&r, issuer, iam, fleet),
        network: Network { policy_engine: Field::absent("networkPolicy") },
        node_pools: extras.node_pools,
        addons: extras.addons,
        protection: Protection {
            secrets_kms: secrets_kms(c),
            policy_addon: Field::absent("policyAddon"),
            defender: Field::absent("defender"),
            keyvault_secrets_provider: Field::absent("keyvaultSecretsProvider"),
        },
        logging: Logging { enabled_categories: logging(c) },
        entra: EntraAccess::absent(),
        data_plane: extras.data_plane,
        r#ref: r,
    }
}

fn endpoint(c: &EksCluster, stated: Option<Stated>) -> ApiEndpoint {
    const PUBLIC: &str = "cluster.resourcesVpcConfig.endpointPublicAccess";
    const PRIVATE: &str = "cluster.resourcesVpcConfig.endpointPrivateAccess";
    const CIDRS: &str = "cluster.resourcesVpcConfig.publicAccessCidrs";
    let (public, private, allowed_cidrs) = match c.resources_vpc_config() {
        Some(v) => {
            // An unstated flag is not false: the SDK's default would make a public endpoint private.
            let b = |p: &'static str, x: bool, said: fn(Stated) -> bool| match stated {
                Some(s) if !said(s) => Field::unknown(p, "DescribeCluster's answer does not state it"),
                _ => Field::value(p, x, x.to_string()),
            };
            let cidrs = match &v.public_access_cidrs {
                Some(l) => Field::value(CIDRS, l.clone(), json(l)),
                None => Field::absent(CIDRS),
            };
            (
                b(PUBLIC, v.endpoint_public_access(), |s| s.public),
                b(PRIVATE, v.endpoint_private_access(), |s| s.private),
                cidrs,
            )
        }
        None => {
            let why = "DescribeCluster returned no resourcesVpcConfig";
            (Field::unknown(PUBLIC, why), Field::unknown(PRIVATE, why), Field::unknown(CIDRS, why))
        }
    };
    ApiEndpoint {
        public,
        private,
        allowed_cidrs,
        private_cluster_public_fqdn: Field::absent("privateClusterPublicFqdn"),
        public_network_access: Field::absent("publicNetworkAccess"),
    }
}

fn workload_identity(r: &ResourceRef, issuer: Option<&str>, iam: &AccountIam, fleet: &Fleet) -> WorkloadIdentity {
    const ISSUER: &str = "cluster.identity.oidc.issuer";
    const PROVIDERS: &str = "iam.ListOpenIDConnectProviders";
    let Some(issuer) = issuer.filter(|i| !i.is_empty()) else {
        return WorkloadIdentity {
            oidc_issuer_enabled: Field::value(ISSUER, false, "(absent)"),
            oidc_issuer_url: Field::absent(ISSUER),
            workload_identity_enabled: Field::absent("workloadIdentity.enabled"),
            pod_identity_enabled: Field::absent("podIdentityProfile.enabled"),
            oidc_provider: Field::absent(PROVIDERS),
            irsa_roles: Field::value("iam.ListRoles", vec![], "no OIDC issuer"),
        };
    };
    let key = issuer_key(issuer);
    let foreign: Vec<(&Member, &str)> = fleet.foreign_providers(issuer, &r.account).collect();
    let own = match &iam.oidc_providers {
        Ok(arns) => Ok(arns.iter().find(|a| provider_issuer(a).as_deref() == Some(key.as_str()))),
        Err(e) => Err(e.to_string()),
    };
    // The cluster's own provider; else one another scanned account registered for its issuer
    // (cross-account IRSA); else none, unless an account whose providers are unknown may hold one.
    let oidc_provider = match (&own, foreign.first()) {
        (Err(e), _) => Field::unknown(PROVIDERS, e.clone()),
        (Ok(Some(arn)), _) => Field::value(PROVIDERS, (*arn).clone(), (*arn).clone()),
        (Ok(None), Some((m, arn))) => {
            Field::value(format!("account[{}].{PROVIDERS}", m.id), arn.to_string(), arn.to_string())
        }
        (Ok(None), None) => match fleet.blind_besides(&r.account).next() {
            Some(b) => Field::unknown(
                PROVIDERS,
                format!(
                    "account {} has no IAM OIDC provider for the issuer, and account {} (scanned too) may hold one: its providers could not be read ({})",
                    r.account, b.account, b.why
                ),
            ),
            None => Field::absent(PROVIDERS),
        },
    };
    // The ARN a trust policy of the cluster's account must name: the existing provider's, or
    // the one IAM would give it.
    let partition = r.id.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws");
    let expected = match &own {
        Ok(Some(arn)) => (*arn).clone(),
        _ => format!("arn:{partition}:iam::{}:oidc-provider/{}", r.account, issuer.trim_start_matches("https://")),
    };
    let irsa_roles = match &iam.roles {
        Ok(roles) => {
            // Roles of the cluster's account trust a provider that exists, or (none anywhere)
            // are listed for the record; with only another account's provider they cannot be assumed.
            let mut mine: Vec<IrsaRole> = Vec::new();
            if !matches!((&own, foreign.is_empty()), (Ok(None), false)) {
                let ours = |role: &&RoleTrust| targets(role, &expected);
                match fleet.member(&r.account).filter(|m| std::ptr::eq(Arc::as_ptr(&m.facts), iam)) {
                    Some(m) => mine.extend(
                        m.candidates(&key).map(|i| &roles[i]).filter(ours).map(|role| irsa_role(role, &r.account, "")),
                    ),
                    None => mine.extend(roles.iter().filter(ours).map(|role| irsa_role(role, &r.account, ""))),
                }
            }
            for (m, arn) in &foreign {
                match &m.facts.roles {
                    Ok(theirs) => mine.extend(
                        m.candidates(&key)
                            .map(|i| &theirs[i])
                            .filter(|role| targets(role, arn))
                            .map(|role| irsa_role(role, &m.id, arn)),
                    ),
                    Err(e) => mine.push(gap(&m.id, &format!("its IAM OIDC provider {arn} trusts this cluster's issuer, but its roles could not be listed ({e})"))),
                }
            }
            for b in fleet.blind_besides(&r.account) {
                mine.push(gap(
                    &b.account,
                    &format!(
                        "its IAM OIDC providers could not be read ({}), so its roles may trust this cluster's issuer",
                        b.why
                    ),
                ));
            }
            let raw = format!("[{}]", mine.iter().map(|r| r.arn.as_str()).collect::<Vec<_>>().join(", "));
            Field::value("iam.ListRoles", mine, raw)
        }
        Err(e) => Field::unknown("iam.ListRoles", e.to_string()),
    };
    WorkloadIdentity {
        oidc_issuer_enabled: Field::value(ISSUER, true, issuer),
        oidc_issuer_url: Field::value(ISSUER, issuer.to_string(), issuer),
        workload_identity_enabled: Field::absent("workloadIdentity.enabled"),
        pod_identity_enabled: Field::absent("podIdentityProfile.enabled"),
        oidc_provider,
        irsa_roles,
    }
}

/// The roles of a scanned account that could not be read: any of them may trust the cluster,
/// so they stand as one role whose trust is unknown (never a shorter list).
fn gap(account: &str, why: &str) -> IrsaRole {
    IrsaRole {
        arn: format!("arn:aws:iam::{account}:role/*"),
        name: format!("roles of account {account}"),
        provider: String::new(),
        trust: Field::unknown(format!("account[{account}].iam.ListRoles"), format!("account {account}: {why}")),
    }
}

/// A role is an IRSA role of this cluster when an `Allow` statement lets its provider call
/// `sts:AssumeRoleWithWebIdentity` (by `Federated` ARN, `"*"` or `{"AWS": "*"}`). A trust
/// policy that does not parse may trust any provider: it is listed for every cluster.
fn targets(role: &RoleTrust, provider_arn: &str) -> bool {
    match &role.trust {
        Ok(doc) => !web_identity_statements(doc, provider_arn).is_empty(),
        Err(_) => true,
    }
}

fn irsa_role(role: &RoleTrust, account: &str, provider: &str) -> IrsaRole {
    let path = format!("role[{}].AssumeRolePolicyDocument", role.name);
    IrsaRole {
        arn: role.arn.clone(),
        name: role.name.clone(),
        provider: provider.to_string(),
        trust: match &role.trust {
            Ok(doc) => Field::value(path, doc.clone(), role.text.clone()),
            Err(e) => {
                let whose = if provider.is_empty() {
                    format!("every cluster of account {account}")
                } else {
                    format!("every cluster whose issuer has an IAM OIDC provider in account {account}")
                };
                Field::unknown(
                    path,
                    format!(
                        "its trust policy does not parse ({e}), so whether it trusts this cluster cannot be told (it is listed for {whose})"
                    ),
                )
            }
        },
    }
}

fn secrets_kms(c: &EksCluster) -> Field<bool> {
    const PATH: &str = "cluster.encryptionConfig";
    let configs = c.encryption_config();
    let covered = configs.iter().any(|e| {
        e.resources().iter().any(|r| r == "secrets")
            && e.provider().and_then(|p| p.key_arn()).is_some_and(|k| !k.is_empty())
    });
    let raw = configs
        .iter()
        .map(|e| format!("{{resources: {:?}, keyArn: {:?}}}", e.resources(), e.provider().and_then(|p| p.key_arn())))
        .collect::<Vec<_>>()
        .join(", ");
    Field::value(PATH, covered, format!("[{raw}]"))
}

fn logging(c: &EksCluster) -> Field<Vec<String>> {
    const PATH: &str = "cluster.logging.clusterLogging";
    let Some(l) = c.logging() else {
        return Field::absent(PATH);
    };
    let mut enabled: Vec<String> = l
        .cluster_logging()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types())
        .map(|t| t.as_str().to_ascii_lowercase())
        .collect();
    enabled.sort();
    enabled.dedup();
    let raw = json(&enabled);
    Field::value(PATH, enabled, raw)
}
