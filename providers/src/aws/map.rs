//! `DescribeCluster` plus the other reads → posture model. Decides only what is known.

use super::iam::{AccountIam, RoleTrust, issuer_key, provider_issuer};
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

pub fn map(r: ResourceRef, c: &EksCluster, iam: &AccountIam, extras: Extras) -> Cluster {
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
        endpoint: endpoint(c),
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
        workload_identity: workload_identity(&r, issuer, iam),
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

fn endpoint(c: &EksCluster) -> ApiEndpoint {
    const PUBLIC: &str = "cluster.resourcesVpcConfig.endpointPublicAccess";
    const PRIVATE: &str = "cluster.resourcesVpcConfig.endpointPrivateAccess";
    const CIDRS: &str = "cluster.resourcesVpcConfig.publicAccessCidrs";
    let (public, private, allowed_cidrs) = match c.resources_vpc_config() {
        Some(v) => {
            let b = |p: &'static str, x: bool| Field::value(p, x, x.to_string());
            let cidrs = match &v.public_access_cidrs {
                Some(l) => Field::value(CIDRS, l.clone(), json(l)),
                None => Field::absent(CIDRS),
            };
            (b(PUBLIC, v.endpoint_public_access()), b(PRIVATE, v.endpoint_private_access()), cidrs)
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

fn workload_identity(r: &ResourceRef, issuer: Option<&str>, iam: &AccountIam) -> WorkloadIdentity {
    const ISSUER: &str = "cluster.identity.oidc.issuer";
    let Some(issuer) = issuer.filter(|i| !i.is_empty()) else {
        return WorkloadIdentity {
            oidc_issuer_enabled: Field::value(ISSUER, false, "(absent)"),
            oidc_issuer_url: Field::absent(ISSUER),
            workload_identity_enabled: Field::absent("workloadIdentity.enabled"),
            pod_identity_enabled: Field::absent("podIdentityProfile.enabled"),
            oidc_provider: Field::absent("iam.ListOpenIDConnectProviders"),
            irsa_roles: Field::value("iam.ListRoles", vec![], "no OIDC issuer"),
        };
    };
    let key = issuer_key(issuer);
    let oidc_provider = match &iam.oidc_providers {
        Ok(arns) => match arns.iter().find(|a| provider_issuer(a).as_deref() == Some(key.as_str())) {
            Some(arn) => Field::value("iam.ListOpenIDConnectProviders", arn.clone(), arn.clone()),
            None => Field::absent("iam.ListOpenIDConnectProviders"),
        },
        Err(e) => Field::unknown("iam.ListOpenIDConnectProviders", e.to_string()),
    };
    // The ARN a trust policy must name: the existing provider's, or the one IAM would give it.
    let partition = r.id.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws");
    let expected = oidc_provider.get().cloned().unwrap_or_else(|| {
        format!("arn:{partition}:iam::{}:oidc-provider/{}", r.account, issuer.trim_start_matches("https://"))
    });
    let irsa_roles = match &iam.roles {
        Ok(roles) => {
            let mine: Vec<IrsaRole> =
                roles.iter().filter(|role| targets(role, &expected)).map(|role| irsa_role(role, &r.account)).collect();
            let raw = format!("[{}]", mine.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "));
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

/// A role is an IRSA role of this cluster when an `Allow` statement lets its provider call
/// `sts:AssumeRoleWithWebIdentity` (by `Federated` ARN, `"*"` or `{"AWS": "*"}`). A trust
/// policy that does not parse may trust any provider: it is listed for every cluster.
fn targets(role: &RoleTrust, provider_arn: &str) -> bool {
    match &role.trust {
        Ok(doc) => !web_identity_statements(doc, provider_arn).is_empty(),
        Err(_) => true,
    }
}

fn irsa_role(role: &RoleTrust, account: &str) -> IrsaRole {
    let path = format!("role[{}].AssumeRolePolicyDocument", role.name);
    IrsaRole {
        arn: role.arn.clone(),
        name: role.name.clone(),
        trust: match &role.trust {
            Ok(doc) => Field::value(path, doc.clone(), role.text.clone()),
            Err(e) => Field::unknown(
                path,
                format!(
                    "its trust policy does not parse ({e}), so whether it trusts this cluster cannot be told (it is listed for every cluster of account {account})"
                ),
            ),
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
