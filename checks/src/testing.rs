//! Fixture builders for check tests: fully hardened AKS and EKS clusters that tests then break.

use crate::context::Context;
use crate::field::Field;
use crate::iam::{Condition, Effect, PolicyDocument, Principals, Statement};
use crate::model::*;
use crate::outcome::{Outcome, Status};
use crate::registry::Check;
use std::sync::Arc;

pub mod k8s;
pub use k8s::*;

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
            tags: Default::default(),
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
                kind: NodeKind::AgentPool,
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
        entra: hardened_entra(),
        data_plane: hardened_data_plane(Cloud::Aks),
    }
}

/// The AKS server application's id.
pub const AKS_APP: &str = crate::azure_rbac::AKS_SERVER_APP_ID;
pub use crate::azure_rbac::builtin::{
    AKS_CLUSTER_ADMIN_ROLE, AKS_RBAC_ADMIN, AKS_RBAC_CLUSTER_ADMIN, CONTRIBUTOR, OWNER, RBAC_ADMINISTRATOR,
    USER_ACCESS_ADMINISTRATOR,
};
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// Scopes covering the hardened cluster.
pub const RG_SCOPE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod";
pub const SUBSCRIPTION_SCOPE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";
pub const MG_SCOPE: &str = "/providers/Microsoft.Management/managementGroups/mg-platform";
/// `Authorization_RequestDenied` as Graph returns it without `Policy.Read.All`.
pub const CA_DENIED: &str = "Authorization_RequestDenied (HTTP 403) on listConditionalAccessPolicies: Insufficient privileges to complete the operation — needs Policy.Read.All";

/// Built-in role definitions the tests use, with their real permissions.
pub fn role_definition(id: &str) -> Arc<RoleDefinition> {
    let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let (name, actions, not_actions, data_actions): (&str, &[&str], &[&str], &[&str]) = match id {
        AKS_RBAC_CLUSTER_ADMIN => (
            "Azure Kubernetes Service RBAC Cluster Admin",
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            ],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
        ),
        AKS_RBAC_ADMIN => (
            "Azure Kubernetes Service RBAC Admin",
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            ],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
        ),
        USER_ACCESS_ADMINISTRATOR => {
            ("User Access Administrator", &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], &[], &[])
        }
        RBAC_ADMINISTRATOR => (
            "Role Based Access Control Administrator",
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ],
            &[],
            &[],
        ),
        OWNER => ("Owner", &["*"], &[], &[]),
        CONTRIBUTOR => (
            "Contributor",
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ],
            &[],
        ),
        AKS_CLUSTER_ADMIN_ROLE => (
            "Azure Kubernetes Service Cluster Admin Role",
            &[
                "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
                "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
                "Microsoft.ContainerService/managedClusters/read",
                "Microsoft.ContainerService/managedClusters/runcommand/action",
            ],
            &[],
            &[],
        ),
        _ => ("Reader", &["*/read"], &[], &[]),
    };
    Arc::new(RoleDefinition {
        id: id.into(),
        name: name.into(),
        actions: s(actions),
        not_actions: s(not_actions),
        data_actions: s(data_actions),
        not_data_actions: if id == AKS_RBAC_ADMIN {
            s(&[
                "Microsoft.ContainerService/managedClusters/resourcequotas/write",
                "Microsoft.ContainerService/managedClusters/resourcequotas/delete",
                "Microsoft.ContainerService/managedClusters/namespaces/write",
                "Microsoft.ContainerService/managedClusters/namespaces/delete",
            ])
        } else {
            vec![]
        },
    })
}

/// A custom role definition.
pub fn custom_role(name: &str, actions: &[&str], data_actions: &[&str]) -> Arc<RoleDefinition> {
    let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    Arc::new(RoleDefinition {
        id: "c0570000-0000-0000-0000-00000000c057".into(),
        name: name.into(),
        actions: s(actions),
        not_actions: vec![],
        data_actions: s(data_actions),
        not_data_actions: vec![],
    })
}

pub fn principal(kind: &str, id: &str, name: &str) -> Principal {
    Principal { id: id.into(), kind: kind.into(), display_name: Some(name.into()) }
}

/// A role grant on the hardened cluster's resource group.
pub fn grant(p: Principal, role_id: &str, terms: Terms) -> RoleGrant {
    grant_at(p, role_id, terms, RG_SCOPE)
}

/// A built-in role grant on `scope`.
pub fn grant_at(p: Principal, role_id: &str, terms: Terms, scope: &str) -> RoleGrant {
    grant_of(p, role_definition(role_id), terms, scope)
}

/// A grant of any role definition on `scope`.
pub fn grant_of(p: Principal, def: Arc<RoleDefinition>, terms: Terms, scope: &str) -> RoleGrant {
    let path = format!("roleAssignments[{}:{}]", p.id, def.id);
    RoleGrant {
        role: Field::value(format!("roleDefinitions[{}]", def.id), def.clone(), def.name.clone()),
        terms: Field::value(format!("{path}.terms"), terms.clone(), terms.describe()),
        principal: p,
        scope: scope.into(),
        condition: None,
        condition_roles: Default::default(),
        path,
    }
}

pub fn platform_team() -> Principal {
    principal("Group", "5e7a0000-0000-0000-0000-0000000091a7", "platform-team")
}

pub fn dave() -> Principal {
    principal("User", "da7e0000-0000-0000-0000-000000000004", "Dave Ops")
}

/// A direct edge into a group on `terms`.
pub fn member(p: Principal, terms: Terms) -> Member {
    let raw = terms.describe();
    Member { terms: Field::value(format!("groups[…].members[{}].terms", p.id), terms, raw), principal: p }
}

/// A group with these direct members and eligible principals and the strict PIM policy.
pub fn group_with(g: Principal, members: Vec<Member>, eligible: Vec<Member>) -> EntraGroup {
    EntraGroup {
        members: Field::value(format!("groups[{}].members", g.id), members, "[…]"),
        eligible: Field::value(format!("groups[{}].eligibilitySchedules", g.id), eligible, "[…]"),
        pim_policy: strict_pim_policy(&g),
        group: g,
    }
}

/// Add (or replace) a group in the cluster's directory graph.
pub fn put_group(c: &mut Cluster, g: EntraGroup) {
    let mut groups = c.entra.groups.get().cloned().unwrap_or_default();
    groups.insert(g.group.id.to_ascii_lowercase(), Arc::new(g));
    let raw = format!("{} groups", groups.len());
    c.entra.groups = Field::value("groups", groups, raw);
}

/// Replace the cluster's role grants.
pub fn set_grants(c: &mut Cluster, grants: Vec<RoleGrant>) {
    let raw = format!("{} assignments", grants.len());
    c.entra.role_grants = Field::value("roleAssignments", grants, raw);
}

/// A copy of a group of the cluster's graph, or a new empty one.
fn group_of(c: &Cluster, g: &Principal) -> EntraGroup {
    c.entra
        .groups
        .get()
        .and_then(|m| m.get(&g.id.to_ascii_lowercase()))
        .map(|g| (**g).clone())
        .unwrap_or_else(|| group_with(g.clone(), vec![], vec![]))
}

/// Make `m` an active member of `group` on `terms` (the group is created when missing).
pub fn add_member(c: &mut Cluster, group: &Principal, m: Principal, terms: Terms) {
    let mut g = group_of(c, group);
    let mut list = g.members.get().cloned().unwrap_or_default();
    list.push(member(m, terms));
    g.members = Field::value(g.members.path.clone(), list, "[…]");
    put_group(c, g);
}

/// Make `m` PIM-eligible for `group`'s member role (the group is created when missing).
pub fn add_eligible(c: &mut Cluster, group: &Principal, m: Principal) {
    let mut g = group_of(c, group);
    let mut list = g.eligible.get().cloned().unwrap_or_default();
    list.push(member(m, Terms::Eligible { end: None }));
    g.eligible = Field::value(g.eligible.path.clone(), list, "[…]");
    put_group(c, g);
}

/// Replace the cluster's directory graph.
pub fn set_groups(c: &mut Cluster, groups: Vec<EntraGroup>) {
    let raw = format!("{} groups", groups.len());
    let map = groups.into_iter().map(|g| (g.group.id.to_ascii_lowercase(), Arc::new(g))).collect();
    c.entra.groups = Field::value("groups", map, raw);
}

/// Replace the tenant's Conditional Access policies as seen from the cluster.
pub fn set_ca(c: &mut Cluster, policies: Vec<CaPolicy>) {
    let raw = format!("{} policies", policies.len());
    c.entra.conditional_access = Field::value("conditionalAccess/policies", Arc::new(policies), raw);
}

/// Change the hardened admin group in place (the other groups stay).
pub fn edit_admin_group(c: &mut Cluster, edit: impl FnOnce(&mut EntraGroup)) {
    let mut g = c
        .entra
        .groups
        .get()
        .and_then(|m| m.get(&aks_admins().id.to_ascii_lowercase()))
        .map(|g| (**g).clone())
        .unwrap_or_else(hardened_admin_group);
    edit(&mut g);
    put_group(c, g);
}

/// Change the hardened cluster's AKS Conditional Access policy in place (the risk policies stay).
pub fn edit_aks_ca(c: &mut Cluster, edit: impl FnOnce(&mut CaPolicy)) {
    let mut policies = hardened_ca();
    edit(&mut policies[0]);
    set_ca(c, policies);
}

pub fn aks_admins() -> Principal {
    principal("Group", "3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c", "aks-admins")
}

pub fn alice() -> Principal {
    principal("User", "a11ce000-0000-0000-0000-000000000001", "Alice Admin")
}

/// Activation at most 4 h, with approval and MFA.
pub fn strict_pim_policy(g: &Principal) -> Field<PimPolicy> {
    Field::value(
        format!("groups[{}].roleManagementPolicy[member]", g.id),
        PimPolicy {
            path: format!("groups[{}].roleManagementPolicy[member]", g.id),
            max_activation: Some("PT4H".into()),
            approval_required: Some(true),
            activation_rules: vec!["MultiFactorAuthentication".into(), "Justification".into()],
        },
        "PT4H, approval, MFA",
    )
}

/// The hardened admin group: nobody active, one PIM-eligible member, a strict PIM policy.
pub fn hardened_admin_group() -> EntraGroup {
    group_with(aks_admins(), vec![], vec![member(alice(), Terms::Eligible { end: None })])
}

/// A Conditional Access policy covering AKS: MFA and a compliant device, sign-in every 4 h.
pub fn aks_ca_policy() -> CaPolicy {
    CaPolicy {
        id: "ca-aks".into(),
        name: "AKS: compliant device".into(),
        state: "enabled".into(),
        conditions: CaConditions {
            users: Some(CaUsers { include_users: vec!["All".into()], ..Default::default() }),
            applications: Some(CaApplications { include: vec![AKS_APP.into()], ..Default::default() }),
            client_app_types: vec!["all".into()],
            ..Default::default()
        },
        grant: Some(CaGrant {
            operator: Some("AND".into()),
            built_in: vec!["mfa".into(), "compliantDevice".into()],
            ..Default::default()
        }),
        session: CaSession {
            sign_in_frequency: Some(SignInFrequency {
                is_enabled: Some(true),
                value: Some(4),
                unit: Some("hours".into()),
                interval: Some("timeBased".into()),
                authentication_type: Some("primaryAndSecondaryAuthentication".into()),
            }),
            ..Default::default()
        },
        unrecognised: vec![],
    }
}

/// The policy's users condition, created empty when null.
pub fn ca_users(p: &mut CaPolicy) -> &mut CaUsers {
    p.conditions.users.get_or_insert_with(Default::default)
}

/// Exclude `group` from the policy, with the principals PIM-eligible to join it.
pub fn exclude_group(p: &mut CaPolicy, group: &str, eligible: &[&str]) {
    let u = ca_users(p);
    u.exclude_groups.push(group.into());
    let who = eligible.iter().map(|e| e.to_ascii_lowercase()).collect();
    u.exclusion_eligible.insert(group.to_ascii_lowercase(), Ok(who));
}

/// The policy's applications condition, created empty when null.
pub fn ca_apps(p: &mut CaPolicy) -> &mut CaApplications {
    p.conditions.applications.get_or_insert_with(Default::default)
}

/// The policy's grant controls, created empty when null.
pub fn ca_grant(p: &mut CaPolicy) -> &mut CaGrant {
    p.grant.get_or_insert_with(Default::default)
}

/// A risk policy for all users and apps: MFA.
pub fn risk_policy(id: &str, sign_in: &[&str], user: &[&str]) -> CaPolicy {
    let mut p = aks_ca_policy();
    p.id = id.into();
    p.name = id.into();
    ca_apps(&mut p).include = vec!["All".into()];
    p.grant = Some(CaGrant { operator: Some("OR".into()), built_in: vec!["mfa".into()], ..Default::default() });
    p.session = CaSession::default();
    p.conditions.sign_in_risk_levels = sign_in.iter().map(|s| s.to_string()).collect();
    p.conditions.user_risk_levels = user.iter().map(|s| s.to_string()).collect();
    p
}

/// The tenant's policies: the AKS one plus sign-in risk and user risk policies.
pub fn hardened_ca() -> Vec<CaPolicy> {
    vec![
        aks_ca_policy(),
        risk_policy("sign-in-risk", &["high", "medium"], &[]),
        risk_policy("user-risk", &[], &["high"]),
    ]
}

/// What CA targets a member user through: these groups and active roles, no eligible roles.
pub fn memberships(groups: &[&str], roles: &[&str]) -> Field<Memberships> {
    let m = Memberships {
        groups: groups.iter().map(|g| g.to_ascii_lowercase()).collect(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        eligible_roles: Field::value("roleEligibilityScheduleInstances", vec![], "[]"),
        user_type: Field::value("userType", UserType::Member, "Member"),
    };
    Field::value("transitiveMemberOf", m, format!("{groups:?}"))
}

/// Set one admin's memberships.
pub fn set_member_of(c: &mut Cluster, user: &str, m: Field<Memberships>) {
    let mut map = c.entra.member_of.get().cloned().unwrap_or_default();
    map.insert(user.to_ascii_lowercase(), m);
    c.entra.member_of = Field::value("transitiveMemberOf", map, "…");
}

/// Identity around the hardened AKS cluster: the admin group holds AKS RBAC Cluster Admin, a
/// reader reads, User Access Administrator is constrained by an ABAC condition.
pub fn hardened_entra() -> EntraAccess {
    let mut uaa = grant(
        principal("User", "b0b00000-0000-0000-0000-000000000002", "Bob Delegator"),
        USER_ACCESS_ADMINISTRATOR,
        Terms::Permanent,
    );
    uaa.condition = Some("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))".into());
    let grants = vec![
        grant(aks_admins(), AKS_RBAC_CLUSTER_ADMIN, Terms::Permanent),
        grant(principal("User", "c4a70000-0000-0000-0000-000000000003", "Carol Reader"), READER, Terms::Permanent),
        uaa,
    ];
    EntraAccess {
        role_grants: Field::value("roleAssignments", grants, "3 assignments"),
        groups: Field::value(
            "groups",
            [(aks_admins().id.to_ascii_lowercase(), Arc::new(hardened_admin_group()))].into(),
            "[aks-admins]",
        ),
        conditional_access: Field::value("conditionalAccess/policies", Arc::new(hardened_ca()), "3 policies"),
        // Alice is only eligible for aks-admins: no active membership anywhere.
        member_of: Field::value(
            "transitiveMemberOf",
            [("a11ce000-0000-0000-0000-000000000001".to_string(), memberships(&[], &[]))].into(),
            "{Alice Admin: []}",
        ),
    }
}

/// An Entra tenant scope with the hardened policies.
pub fn clean_tenant() -> Scope {
    let id = "7d1c9a52-4b1e-4e8f-9a3c-2f6b8e0d1c35";
    Scope {
        r#ref: ResourceRef {
            kind: ResourceKind::Tenant,
            cloud: Cloud::Aks,
            account: id.into(),
            region: String::new(),
            resource_group: None,
            name: id.into(),
            id: id.into(),
            tags: Default::default(),
        },
        orphan_oidc_providers: Field::absent("oidcProviders"),
        conditional_access: Field::value("conditionalAccess/policies", Arc::new(hardened_ca()), "3 policies"),
    }
}

pub const EKS_ACCOUNT: &str = "111122223333";
pub const EKS_ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
pub const EKS_OIDC_PROVIDER: &str =
    "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/// An EKS catalog (`DescribeClusterVersions`): 1.30 in extended support, 1.31 … 1.33 standard.
pub fn eks_catalog() -> Arc<VersionCatalog> {
    let cv = |minor: &str, status: &str, end: &str| CatalogVersion {
        minor: minor.into(),
        support: vec![status.to_string()],
        preview: false,
        end_of_standard_support: Some(end.to_string()),
    };
    Arc::new(VersionCatalog {
        versions: vec![
            cv("1.30", "EXTENDED_SUPPORT", "2025-07-23T00:00:00Z"),
            cv("1.31", "STANDARD_SUPPORT", "2025-11-26T00:00:00Z"),
            cv("1.32", "STANDARD_SUPPORT", "2026-03-23T00:00:00Z"),
            cv("1.33", "STANDARD_SUPPORT", "2026-07-29T00:00:00Z"),
        ],
    })
}

/// A statement for test policy documents: `effect` on `actions` and `resources`.
pub fn statement(index: usize, effect: Effect, actions: &[&str], resources: &[&str]) -> Statement {
    let strings = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Statement {
        index,
        sid: None,
        effect,
        principal: None,
        not_principal: None,
        action: Some(strings(actions)),
        not_action: None,
        resource: (!resources.is_empty()).then(|| strings(resources)),
        not_resource: None,
        conditions: vec![],
        raw: format!("{{\"Action\":{actions:?},\"Resource\":{resources:?}}}"),
    }
}

/// A condition entry for test policy documents.
pub fn condition(operator: &str, key: &str, values: &[&str]) -> Condition {
    Condition { operator: operator.into(), key: key.into(), values: values.iter().map(|s| s.to_string()).collect() }
}

/// The trust policy of a well-scoped IRSA role: one service account, audience sts.amazonaws.com.
pub fn irsa_trust(sub: &str) -> PolicyDocument {
    let host = EKS_ISSUER.trim_start_matches("https://");
    let mut st = statement(0, Effect::Allow, &["sts:AssumeRoleWithWebIdentity"], &[]);
    st.principal = Some(Principals::ByType([("Federated".to_string(), vec![EKS_OIDC_PROVIDER.to_string()])].into()));
    st.conditions = vec![
        condition("StringEquals", &format!("{host}:sub"), &[sub]),
        condition("StringEquals", &format!("{host}:aud"), &["sts.amazonaws.com"]),
    ];
    PolicyDocument { version: Some("2012-10-17".into()), statements: vec![st] }
}

fn doc(path: &str, statements: Vec<Statement>) -> Field<PolicyDocument> {
    Field::value(path.to_string(), PolicyDocument { version: Some("2012-10-17".into()), statements }, "{…}")
}

/// The node role of [`hardened_eks`]: the two AWS-managed node policies, no CNI policy, no inline.
pub fn eks_node_role() -> NodeRole {
    let managed = |name: &str, actions: &[&str]| ManagedPolicy {
        arn: format!("arn:aws:iam::aws:policy/{name}"),
        name: name.into(),
        document: doc(&format!("policy[{name}].Document"), vec![statement(0, Effect::Allow, actions, &["*"])]),
    };
    NodeRole {
        arn: "arn:aws:iam::111122223333:role/eks-node".into(),
        name: "eks-node".into(),
        attached: Field::value(
            "role[eks-node].AttachedPolicies",
            vec![
                managed(
                    "AmazonEKSWorkerNodePolicy",
                    &["ec2:DescribeInstances", "ec2:DescribeRouteTables", "eks:DescribeCluster"],
                ),
                managed("AmazonEC2ContainerRegistryReadOnly", &["ecr:GetAuthorizationToken", "ecr:BatchGetImage"]),
            ],
            "[AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryReadOnly]",
        ),
        inline: Field::value("role[eks-node].RolePolicyNames", vec![], "[]"),
        instance_profiles: Field::value(
            "role[eks-node].InstanceProfiles",
            vec!["arn:aws:iam::111122223333:instance-profile/eks-node".to_string()],
            "[eks-node]",
        ),
    }
}

/// An EKS cluster that passes every EKS check: private endpoint, API access entries with one
/// admin role, a scoped IRSA role, IMDSv2 with hop limit 1, network policy in vpc-cni, KMS
/// secrets encryption, audit and authenticator logs.
/// The hardened EKS cluster in authentication mode `CONFIG_MAP`, whose ListAccessEntries EKS
/// refuses.
pub fn config_map_eks() -> Cluster {
    let mut c = hardened_eks();
    set_str(&mut c.authn.mode, "CONFIG_MAP");
    c.authn.access_entries = Field::unknown(
        "accessEntries",
        "InvalidRequestException (HTTP 400) on ListAccessEntries: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
    );
    c
}

pub fn hardened_eks() -> Cluster {
    let arn = "arn:aws:eks:eu-west-1:111122223333:cluster/eks-hardened";
    let admin = AccessEntry {
        path: "accessEntries[arn:aws:iam::111122223333:role/platform-admins]".into(),
        principal_arn: "arn:aws:iam::111122223333:role/platform-admins".into(),
        kind: Field::value("type", "STANDARD".to_string(), "STANDARD"),
        username: Field::value(
            "username",
            "arn:aws:sts::111122223333:assumed-role/platform-admins/{{SessionName}}".to_string(),
            "arn:aws:sts::111122223333:assumed-role/platform-admins/{{SessionName}}",
        ),
        kubernetes_groups: Field::value("kubernetesGroups", vec![], ""),
        policies: Field::value(
            "accessEntries[arn:aws:iam::111122223333:role/platform-admins].associatedAccessPolicies",
            vec![AccessPolicy {
                policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy".into(),
                scope: "cluster".into(),
                namespaces: vec![],
            }],
            "[AmazonEKSClusterAdminPolicy (cluster)]",
        ),
    };
    let node = AccessEntry {
        path: "accessEntries[arn:aws:iam::111122223333:role/eks-node]".into(),
        principal_arn: "arn:aws:iam::111122223333:role/eks-node".into(),
        kind: Field::value("type", "EC2_LINUX".to_string(), "EC2_LINUX"),
        username: Field::value(
            "username",
            "system:node:{{EC2PrivateDNSName}}".to_string(),
            "system:node:{{EC2PrivateDNSName}}",
        ),
        kubernetes_groups: Field::value("kubernetesGroups", vec![], ""),
        policies: Field::value(
            "accessEntries[arn:aws:iam::111122223333:role/eks-node].associatedAccessPolicies",
            vec![],
            "[]",
        ),
    };
    let irsa = IrsaRole {
        arn: "arn:aws:iam::111122223333:role/payments-api".into(),
        name: "payments-api".into(),
        provider: String::new(),
        trust: Field::value(
            "role[payments-api].AssumeRolePolicyDocument",
            irsa_trust("system:serviceaccount:payments:api"),
            "{…}",
        ),
    };
    let pool = NodePool {
        name: "ng-general".into(),
        kind: NodeKind::ManagedNodeGroup,
        path: "nodegroups[ng-general]".into(),
        mode: Field::absent("nodegroups[ng-general].mode"),
        os_type: v("nodegroups[ng-general].amiType", "AL2023_x86_64_STANDARD".to_string()),
        encryption_at_host: Field::absent("nodegroups[ng-general].encryptionAtHost"),
        imds: Field::value(
            "nodegroups[ng-general].launchTemplate",
            vec![Imds {
                source: "launchTemplate[lt-0abc1234def567890:3].LaunchTemplateData.MetadataOptions".into(),
                http_tokens: Some("required".into()),
                hop_limit: Some(1),
                endpoint: Some("enabled".into()),
            }],
            "lt-0abc1234def567890 version 3",
        ),
        node_role: Field::value(
            "nodegroups[ng-general].nodeRole",
            Arc::new(eks_node_role()),
            "arn:aws:iam::111122223333:role/eks-node",
        ),
    };
    let vpc_cni = Addon {
        path: "addons[vpc-cni]".into(),
        name: "vpc-cni".into(),
        version: Some("v1.19.2-eksbuild.1".into()),
        configuration: Field::value(
            "addons[vpc-cni].configurationValues",
            serde_json::json!({"enableNetworkPolicy": "true"}),
            r#"{"enableNetworkPolicy":"true"}"#,
        ),
        service_account_role_arn: Some("arn:aws:iam::111122223333:role/vpc-cni-irsa".into()),
        status: Field::value("addons[vpc-cni].status", "ACTIVE".to_string(), "ACTIVE"),
    };
    Cluster {
        r#ref: ResourceRef {
            kind: ResourceKind::Cluster,
            cloud: Cloud::Eks,
            account: EKS_ACCOUNT.into(),
            region: "eu-west-1".into(),
            resource_group: None,
            name: "eks-hardened".into(),
            id: arn.into(),
            tags: Default::default(),
        },
        version: Version {
            current: v("cluster.version", "1.32".to_string()),
            support_plan: v("cluster.upgradePolicy.supportType", "STANDARD".to_string()),
            catalog: Field::value("clusterVersions[eu-west-1]", eks_catalog(), "1.30, 1.31, 1.32, 1.33"),
            upgrade_channel: Field::absent("upgradeChannel"),
            node_os_upgrade_channel: Field::absent("nodeOSUpgradeChannel"),
        },
        endpoint: ApiEndpoint {
            public: v("cluster.resourcesVpcConfig.endpointPublicAccess", false),
            private: v("cluster.resourcesVpcConfig.endpointPrivateAccess", true),
            allowed_cidrs: list("cluster.resourcesVpcConfig.publicAccessCidrs", &["0.0.0.0/0"]),
            private_cluster_public_fqdn: Field::absent("privateClusterPublicFqdn"),
            public_network_access: Field::absent("publicNetworkAccess"),
        },
        authn: Authentication {
            entra_managed: Field::absent("aadProfile.managed"),
            local_accounts_enabled: Field::absent("disableLocalAccounts"),
            admin_group_ids: Field::absent("aadProfile.adminGroupObjectIDs"),
            mode: v("cluster.accessConfig.authenticationMode", "API".to_string()),
            creator_admin: v("cluster.accessConfig.bootstrapClusterCreatorAdminPermissions", false),
            access_entries: Field::value("accessEntries", vec![admin, node], "2 entries"),
        },
        authz: Authorization {
            kubernetes_rbac: Field::absent("enableRBAC"),
            azure_rbac: Field::absent("aadProfile.enableAzureRBAC"),
        },
        cloud_identity: CloudIdentity {
            kind: Field::value("cluster.roleArn", "iam_role".to_string(), "arn:aws:iam::111122223333:role/eks-cluster"),
        },
        workload_identity: WorkloadIdentity {
            oidc_issuer_enabled: v("cluster.identity.oidc.issuer", true),
            oidc_issuer_url: v("cluster.identity.oidc.issuer", EKS_ISSUER.to_string()),
            workload_identity_enabled: Field::absent("workloadIdentity.enabled"),
            pod_identity_enabled: Field::absent("podIdentityProfile.enabled"),
            oidc_provider: v("iam.ListOpenIDConnectProviders", EKS_OIDC_PROVIDER.to_string()),
            irsa_roles: Field::value("iam.ListRoles", vec![irsa], "1 role"),
        },
        network: Network { policy_engine: Field::absent("networkPolicy") },
        node_pools: Field::value("nodegroups", vec![pool], "1 node group"),
        addons: Field::value("addons", vec![vpc_cni], "[vpc-cni]"),
        protection: Protection {
            secrets_kms: Field::value(
                "cluster.encryptionConfig",
                true,
                r#"[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:eu-west-1:111122223333:key/1234"}}]"#,
            ),
            policy_addon: Field::absent("policyAddon"),
            defender: Field::absent("defender"),
            keyvault_secrets_provider: Field::absent("keyvaultSecretsProvider"),
        },
        logging: Logging {
            enabled_categories: list("cluster.logging.clusterLogging", &["api", "audit", "authenticator"]),
        },
        entra: EntraAccess::absent(),
        data_plane: hardened_data_plane(Cloud::Eks),
    }
}

/// An AWS account scope with nothing wrong in it.
pub fn clean_account() -> Scope {
    Scope {
        r#ref: ResourceRef {
            kind: ResourceKind::Account,
            cloud: Cloud::Eks,
            account: EKS_ACCOUNT.into(),
            region: String::new(),
            resource_group: None,
            name: EKS_ACCOUNT.into(),
            id: EKS_ACCOUNT.into(),
            tags: Default::default(),
        },
        orphan_oidc_providers: Field::value("iam.ListOpenIDConnectProviders", vec![], "[]"),
        conditional_access: Field::absent("conditionalAccess/policies"),
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
/// The workload thresholds that need configuring are set: Azure and ECR registries, Services
/// on 80 and 443.
pub fn ctx() -> Context {
    let mut ctx = Context::new(time::macros::datetime!(2025-06-01 00:00 UTC));
    ctx.thresholds.workloads.allowed_registries =
        Some(vec!["*.azurecr.io".into(), "111122223333.dkr.ecr.*.amazonaws.com".into()]);
    ctx.thresholds.workloads.allowed_service_ports = Some(vec![80, 443]);
    ctx
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
