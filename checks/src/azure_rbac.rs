//! What an Azure role definition lets its holder do to an AKS cluster, and ISO 8601 durations.
//!
//! Built-in roles are recognised by their definition GUID (the same in every tenant). Any other
//! role is judged by its permissions: Azure computes `actions − notActions` and
//! `dataActions − notDataActions`, so an operation is permitted when some allowed pattern
//! matches it and no excluded pattern does. Patterns are matched without regard to ASCII case;
//! `*` matches any run of characters, `/` included (Azure's only wildcard).
//!
//! A role reaches cluster admin by one of these [`Power`]s (the catalog's *Cluster-admin-capable*):
//! - **data actions** (Kubernetes authorization through Azure RBAC, so only while
//!   `enableAzureRBAC` is on): a write to *every* Kubernetes resource type (a wildcard over the
//!   resource path: `managedClusters/*`, `managedClusters/*/write`, `Microsoft.ContainerService/*`,
//!   `*`); creating pods or any workload that runs pods (pods, deployments, daemonsets,
//!   statefulsets, replicasets, jobs, cronjobs, replicationcontrollers) — on the whole cluster
//!   that runs a pod as any service account of `kube-system`, which is what makes AKS RBAC Writer
//!   an admin role; impersonating users, groups or service accounts; `bind` or `escalate` on
//!   ClusterRoles. Writing ClusterRoleBindings alone is not counted: Kubernetes refuses a binding
//!   to a role whose permissions the writer lacks unless it also has `bind`;
//! - **`listClusterAdminCredential`** (or the older `accessProfiles/listCredential`): the static
//!   admin kubeconfig, while local accounts are enabled or not known to be disabled;
//! - **`listClusterUserCredential`** on a cluster without Entra ID integration: there the user
//!   kubeconfig carries the same cluster-admin certificate;
//! - **`managedClusters/write`**: it can rewrite `adminGroupObjectIDs`, turn local accounts back
//!   on or Azure RBAC off — whatever the cluster's settings.
//!
//! `roleAssignments/write` ([`can_delegate`]) makes a *potential* admin, judged with the
//! assignment's ABAC condition (`crate::abac`).

use crate::iam::wildcard::matches_ignore_case;
use crate::model::RoleDefinition;

/// The AKS server application (audience of AKS Entra ID tokens); the app Conditional Access
/// policies must include to guard `kubectl` sign-ins.
pub const AKS_SERVER_APP_ID: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// Built-in role definition GUIDs.
pub mod builtin {
    pub const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
    pub const AKS_RBAC_ADMIN: &str = "3498e952-d568-435e-9b2c-8d77e338d7f7";
    pub const AKS_RBAC_WRITER: &str = "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb";
    pub const AKS_RBAC_READER: &str = "7f6c6a51-bcf8-42ba-9220-52d62157d7db";
    pub const AKS_CLUSTER_ADMIN_ROLE: &str = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8";
    pub const AKS_CLUSTER_USER_ROLE: &str = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f";
    pub const AKS_CONTRIBUTOR_ROLE: &str = "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8";
    pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    pub const USER_ACCESS_ADMINISTRATOR: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    pub const RBAC_ADMINISTRATOR: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
}

/// The control-plane actions that return the static cluster-admin kubeconfig.
pub const LIST_ADMIN_CREDENTIAL: &str = "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";
const LIST_ACCESS_PROFILE_CREDENTIAL: &str =
    "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action";
/// The user kubeconfig: cluster admin on a cluster without Entra ID integration.
pub const LIST_USER_CREDENTIAL: &str = "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action";
/// Updating the cluster resource (e.g. setting `disableLocalAccounts` back to false).
pub const CLUSTER_WRITE: &str = "Microsoft.ContainerService/managedClusters/write";
/// Creating or changing role assignments.
pub const ROLE_ASSIGNMENT_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";

const DATA: &str = "Microsoft.ContainerService/managedClusters/";

/// Data actions that each amount to cluster admin (the suffix after `managedClusters/`), with why.
pub const ADMIN_DATA_PROBES: [(&str, &str); 18] = [
    ("kubeposture-any-resource-type/write", "dataActions permit writing every Kubernetes resource type"),
    (
        "pods/write",
        "dataActions permit creating pods on the whole cluster (as any service account, kube-system included)",
    ),
    (
        "apps/deployments/write",
        "dataActions permit creating Deployments on the whole cluster (pods as any service account)",
    ),
    (
        "apps/daemonsets/write",
        "dataActions permit creating DaemonSets on the whole cluster (pods as any service account)",
    ),
    (
        "apps/statefulsets/write",
        "dataActions permit creating StatefulSets on the whole cluster (pods as any service account)",
    ),
    (
        "apps/replicasets/write",
        "dataActions permit creating ReplicaSets on the whole cluster (pods as any service account)",
    ),
    ("batch/jobs/write", "dataActions permit creating Jobs on the whole cluster (pods as any service account)"),
    ("batch/cronjobs/write", "dataActions permit creating CronJobs on the whole cluster (pods as any service account)"),
    (
        "replicationcontrollers/write",
        "dataActions permit creating ReplicationControllers on the whole cluster (pods as any service account)",
    ),
    (
        "extensions/deployments/write",
        "dataActions permit creating Deployments on the whole cluster (pods as any service account)",
    ),
    (
        "extensions/daemonsets/write",
        "dataActions permit creating DaemonSets on the whole cluster (pods as any service account)",
    ),
    (
        "extensions/replicasets/write",
        "dataActions permit creating ReplicaSets on the whole cluster (pods as any service account)",
    ),
    ("users/impersonate/action", "dataActions permit impersonating users"),
    ("groups/impersonate/action", "dataActions permit impersonating groups (system:masters)"),
    ("serviceaccounts/impersonate/action", "dataActions permit impersonating service accounts"),
    (
        "rbac.authorization.k8s.io/clusterroles/bind/action",
        "dataActions permit binding any ClusterRole (cluster-admin)",
    ),
    ("rbac.authorization.k8s.io/clusterroles/escalate/action", "dataActions permit escalating ClusterRoles"),
    ("rbac.authorization.k8s.io/roles/escalate/action", "dataActions permit escalating Roles"),
];

/// One way a role's permissions reach cluster admin; see the module doc. The text says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Kubernetes admin through Azure RBAC data actions: only while Azure RBAC is on.
    Data(&'static str),
    /// The static admin kubeconfig: only while local accounts are enabled.
    AdminCredential(&'static str),
    /// The user kubeconfig, cluster admin only without Entra ID integration.
    UserCredential(&'static str),
    /// `managedClusters/write`: always.
    ClusterWrite(&'static str),
}

/// The cluster settings that decide which powers reach it; `None` when not collected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gates {
    /// Local accounts enabled (unknown counts as enabled, as the catalog says).
    pub local_accounts: Option<bool>,
    /// Kubernetes authorization through Azure RBAC (`aadProfile.enableAzureRBAC`).
    pub azure_rbac: Option<bool>,
    /// Managed Entra ID integration (`aadProfile.managed`).
    pub entra: Option<bool>,
}

/// What holding a role on a scope covering the cluster means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Cluster admin, and why.
    Admin(&'static str),
    /// Cluster admin only if a setting that could not be read allows it (Azure RBAC, Entra ID).
    Undetermined(String),
    /// Not cluster admin on this cluster.
    None,
}

/// Azure operation pattern match: ASCII case ignored, `*` matches any run of characters.
pub fn action_matches(pattern: &str, operation: &str) -> bool {
    matches_ignore_case(pattern.trim(), operation)
}

/// `allowed − denied` permits `operation`.
pub fn permits(allowed: &[String], denied: &[String], operation: &str) -> bool {
    allowed.iter().any(|p| action_matches(p, operation)) && !denied.iter().any(|p| action_matches(p, operation))
}

/// The role's control-plane actions permit `operation`.
pub fn actions_permit(def: &RoleDefinition, operation: &str) -> bool {
    permits(&def.actions, &def.not_actions, operation)
}

/// The role's data actions permit `operation`.
pub fn data_actions_permit(def: &RoleDefinition, operation: &str) -> bool {
    permits(&def.data_actions, &def.not_data_actions, operation)
}

/// The definition's GUID: `id` may be the bare GUID or a full `…/roleDefinitions/<guid>` id.
pub fn definition_guid(def: &RoleDefinition) -> &str {
    guid_of(&def.id)
}

/// The GUID at the end of a role definition id (or the id itself).
pub fn guid_of(id: &str) -> &str {
    let id = id.trim().trim_end_matches('/');
    id.rsplit('/').next().unwrap_or(id)
}

fn is_builtin(def: &RoleDefinition, guid: &str) -> bool {
    definition_guid(def).eq_ignore_ascii_case(guid)
}

/// The built-in roles whose powers are known by GUID: (GUID, name, powers).
const BUILTINS: &[(&str, &str, &[Power])] = {
    use Power::*;
    use builtin::*;
    &[
        (
            AKS_RBAC_CLUSTER_ADMIN,
            "Azure Kubernetes Service RBAC Cluster Admin",
            &[Data("built-in Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action through Azure RBAC")],
        ),
        (
            AKS_RBAC_ADMIN,
            "Azure Kubernetes Service RBAC Admin",
            &[Data(
                "built-in Azure Kubernetes Service RBAC Admin on the whole cluster: roles, role bindings and workloads of every namespace",
            )],
        ),
        (
            AKS_RBAC_WRITER,
            "Azure Kubernetes Service RBAC Writer",
            &[Data(
                "built-in Azure Kubernetes Service RBAC Writer on the whole cluster: runs pods as any service account, kube-system included",
            )],
        ),
        (AKS_RBAC_READER, "Azure Kubernetes Service RBAC Reader", &[]),
        (
            AKS_CLUSTER_ADMIN_ROLE,
            "Azure Kubernetes Service Cluster Admin Role",
            &[AdminCredential(
                "built-in Azure Kubernetes Service Cluster Admin Role: listClusterAdminCredential returns the static admin kubeconfig",
            )],
        ),
        (
            AKS_CLUSTER_USER_ROLE,
            "Azure Kubernetes Service Cluster User Role",
            &[UserCredential(
                "built-in Azure Kubernetes Service Cluster User Role: without Entra ID integration the user kubeconfig is cluster admin",
            )],
        ),
        (
            AKS_CONTRIBUTOR_ROLE,
            "Azure Kubernetes Service Contributor Role",
            &[ClusterWrite(
                "built-in Azure Kubernetes Service Contributor Role: managedClusters/write (can rewrite adminGroupObjectIDs, re-enable local accounts)",
            )],
        ),
        (
            OWNER,
            "Owner",
            &[
                ClusterWrite(
                    "built-in Owner: managedClusters/write (can rewrite adminGroupObjectIDs, re-enable local accounts)",
                ),
                AdminCredential("built-in Owner: listClusterAdminCredential returns the static admin kubeconfig"),
            ],
        ),
        (
            CONTRIBUTOR,
            "Contributor",
            &[
                ClusterWrite(
                    "built-in Contributor: managedClusters/write (can rewrite adminGroupObjectIDs, re-enable local accounts)",
                ),
                AdminCredential("built-in Contributor: listClusterAdminCredential returns the static admin kubeconfig"),
            ],
        ),
        (READER, "Reader", &[]),
        (USER_ACCESS_ADMINISTRATOR, "User Access Administrator", &[]),
        (RBAC_ADMINISTRATOR, "Role Based Access Control Administrator", &[]),
    ]
};

fn builtin_powers(guid: &str) -> Option<&'static [Power]> {
    BUILTINS.iter().find(|(g, _, _)| g.eq_ignore_ascii_case(guid)).map(|(_, _, p)| *p)
}

/// A built-in role kubeposture knows by GUID, as a definition with its name (its powers come
/// from the GUID, not from permissions): what a condition naming it is judged with.
pub fn builtin_definition(guid: &str) -> Option<RoleDefinition> {
    BUILTINS.iter().find(|(g, _, _)| g.eq_ignore_ascii_case(guid.trim())).map(|(g, name, _)| RoleDefinition {
        id: g.to_string(),
        name: name.to_string(),
        actions: vec![],
        not_actions: vec![],
        data_actions: vec![],
        not_data_actions: vec![],
    })
}

/// Every power the role holds, whatever the cluster's settings.
pub fn powers(def: &RoleDefinition) -> Vec<Power> {
    if let Some(p) = builtin_powers(definition_guid(def)) {
        return p.to_vec();
    }
    let mut out = vec![];
    if actions_permit(def, CLUSTER_WRITE) {
        out.push(Power::ClusterWrite(
            "custom role: actions permit managedClusters/write (can rewrite adminGroupObjectIDs, re-enable local accounts)",
        ));
    }
    if actions_permit(def, LIST_ADMIN_CREDENTIAL) || actions_permit(def, LIST_ACCESS_PROFILE_CREDENTIAL) {
        out.push(Power::AdminCredential(
            "custom role: actions permit listClusterAdminCredential, the static admin kubeconfig",
        ));
    }
    if actions_permit(def, LIST_USER_CREDENTIAL) {
        out.push(Power::UserCredential(
            "custom role: actions permit listClusterUserCredential, cluster admin without Entra ID integration",
        ));
    }
    if let Some((_, why)) = ADMIN_DATA_PROBES.iter().find(|(op, _)| data_actions_permit(def, &format!("{DATA}{op}"))) {
        out.push(Power::Data(why));
    }
    out
}

/// Whether holding `def` on a scope covering a cluster with these settings makes its holder
/// cluster admin. A power that depends on a setting not collected is `Undetermined`, except
/// local accounts (unknown counts as enabled, as the catalog says).
pub fn reach(def: &RoleDefinition, gates: Gates) -> Reach {
    let mut undetermined = None;
    for p in powers(def) {
        match p {
            Power::ClusterWrite(why) => return Reach::Admin(why),
            Power::AdminCredential(why) if gates.local_accounts != Some(false) => return Reach::Admin(why),
            Power::AdminCredential(_) => {}
            Power::UserCredential(why) => match gates.entra {
                Some(false) => return Reach::Admin(why),
                Some(true) => {}
                None => {
                    undetermined.get_or_insert(format!("{why}, and whether Entra ID integration is on is not known"));
                }
            },
            Power::Data(why) => match gates.azure_rbac {
                Some(true) => return Reach::Admin(why),
                Some(false) => {}
                None => {
                    undetermined
                        .get_or_insert(format!("{why}, and whether Azure RBAC authorizes Kubernetes is not known"));
                }
            },
        }
    }
    undetermined.map_or(Reach::None, Reach::Undetermined)
}

/// Whether the role could make its holder an admin of some cluster (any power, or role
/// assignments): what the provider expands groups for.
pub fn may_reach(def: &RoleDefinition) -> bool {
    !powers(def).is_empty() || can_delegate(def)
}

/// The role can call `listClusterAdminCredential` (the static admin kubeconfig, usable while
/// local accounts are enabled).
pub fn can_fetch_admin_kubeconfig(def: &RoleDefinition) -> bool {
    powers(def).iter().any(|p| matches!(p, Power::AdminCredential(_)))
}

/// The role can create role assignments (and so grant itself cluster admin): User Access
/// Administrator, Role Based Access Control Administrator, Owner, or any role whose actions
/// permit `Microsoft.Authorization/roleAssignments/write`.
pub fn can_delegate(def: &RoleDefinition) -> bool {
    use builtin::*;
    [USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR, OWNER].iter().any(|g| is_builtin(def, g))
        || actions_permit(def, ROLE_ASSIGNMENT_WRITE)
}

/// An ISO 8601 duration (`PT8H`, `PT30M`, `P1D`, `P1DT2H`, `P1W`, `PT1.5H`) in hours. Years and
/// months (no fixed length) and anything malformed give `None`. ASCII case is ignored.
pub fn duration_hours(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_uppercase();
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut hours = 0.0;
    let mut any = false;
    let mut add = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut last = 0; // index into units: components must come in order, each at most once
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let at = units.iter().position(|(u, _)| *u == c)?;
            if at < last || number.is_empty() {
                return None;
            }
            let n: f64 = number.parse().ok()?;
            hours += n * units[at].1;
            any = true;
            number.clear();
            last = at + 1;
        }
        number.is_empty().then_some(())
    };
    add(date, &[('W', 168.0), ('D', 24.0)])?;
    if let Some(t) = time {
        add(t, &[('H', 1.0), ('M', 1.0 / 60.0), ('S', 1.0 / 3600.0)])?;
    }
    (any && hours.is_finite()).then_some(hours)
}

#[cfg(test)]
mod tests {
    use super::builtin::*;
    use super::*;
    use crate::testing::role_definition;

    fn custom(actions: &[&str], not_actions: &[&str], data: &[&str], not_data: &[&str]) -> RoleDefinition {
        let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        RoleDefinition {
            id: "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-3333-4444-555555555555".into(),
            name: "custom".into(),
            actions: s(actions),
            not_actions: s(not_actions),
            data_actions: s(data),
            not_data_actions: s(not_data),
        }
    }

    const ALL_ON: Gates = Gates { local_accounts: Some(true), azure_rbac: Some(true), entra: Some(true) };
    const HARDENED: Gates = Gates { local_accounts: Some(false), azure_rbac: Some(true), entra: Some(true) };

    fn admin(def: &RoleDefinition, g: Gates) -> bool {
        matches!(reach(def, g), Reach::Admin(_))
    }

    #[test]
    fn builtin_admin_roles_by_guid() {
        for id in [AKS_RBAC_CLUSTER_ADMIN, AKS_RBAC_ADMIN, AKS_RBAC_WRITER, OWNER, CONTRIBUTOR, AKS_CONTRIBUTOR_ROLE] {
            let def = builtin_definition(id).unwrap();
            assert!(admin(&def, HARDENED), "{id}");
        }
        let mut def = (*role_definition(OWNER)).clone();
        def.id = format!("/providers/Microsoft.Authorization/roleDefinitions/{}", OWNER.to_uppercase());
        def.actions.clear();
        assert!(admin(&def, HARDENED), "full id, any case, by GUID");
        for id in [READER, AKS_RBAC_READER, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR] {
            assert_eq!(reach(&builtin_definition(id).unwrap(), ALL_ON), Reach::None, "{id}");
        }
    }

    #[test]
    fn data_roles_need_azure_rbac() {
        let def = builtin_definition(AKS_RBAC_CLUSTER_ADMIN).unwrap();
        let off = Gates { azure_rbac: Some(false), ..ALL_ON };
        assert_eq!(reach(&def, off), Reach::None);
        let unknown = Gates { azure_rbac: None, ..ALL_ON };
        assert!(matches!(reach(&def, unknown), Reach::Undetermined(w) if w.contains("Azure RBAC")));
        // Owner reaches admin whatever the settings.
        let none = Gates { local_accounts: Some(false), azure_rbac: Some(false), entra: Some(true) };
        assert!(admin(&builtin_definition(OWNER).unwrap(), none));
    }

    #[test]
    fn admin_credential_needs_local_accounts() {
        let def = builtin_definition(AKS_CLUSTER_ADMIN_ROLE).unwrap();
        assert!(admin(&def, ALL_ON));
        assert!(admin(&def, Gates { local_accounts: None, ..HARDENED }), "unknown counts as enabled");
        assert_eq!(reach(&def, HARDENED), Reach::None);
    }

    #[test]
    fn user_credential_is_admin_without_entra() {
        let def = builtin_definition(AKS_CLUSTER_USER_ROLE).unwrap();
        assert_eq!(reach(&def, ALL_ON), Reach::None);
        assert!(admin(&def, Gates { entra: Some(false), azure_rbac: Some(false), local_accounts: Some(true) }));
        assert!(matches!(reach(&def, Gates { entra: None, ..ALL_ON }), Reach::Undetermined(_)));
        let custom_user = custom(&[LIST_USER_CREDENTIAL], &[], &[], &[]);
        assert!(admin(&custom_user, Gates { entra: Some(false), ..ALL_ON }));
    }

    #[test]
    fn custom_data_actions() {
        let all = custom(&[], &[], &["Microsoft.ContainerService/managedClusters/*"], &[]);
        assert!(admin(&all, HARDENED));
        let writes = custom(&[], &[], &["microsoft.containerservice/MANAGEDCLUSTERS/*/write"], &[]);
        assert!(admin(&writes, HARDENED), "case-insensitive");
        assert!(admin(&custom(&[], &[], &["*"], &[]), HARDENED));
        let no_secrets = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
            &["Microsoft.ContainerService/managedClusters/secrets/*"],
        );
        assert!(admin(&no_secrets, HARDENED), "still writes everything else");
        let read_only = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
            &[
                "Microsoft.ContainerService/managedClusters/*/write",
                "Microsoft.ContainerService/managedClusters/*/action",
            ],
        );
        assert_eq!(reach(&read_only, HARDENED), Reach::None);
        let config = custom(
            &[],
            &[],
            &[
                "Microsoft.ContainerService/managedClusters/configmaps/*",
                "Microsoft.ContainerService/managedClusters/services/*",
            ],
            &[],
        );
        assert_eq!(reach(&config, HARDENED), Reach::None, "specific non-workload types are not admin");
        for pod_runner in [
            "Microsoft.ContainerService/managedClusters/pods/*",
            "Microsoft.ContainerService/managedClusters/apps/deployments/write",
            "Microsoft.ContainerService/managedClusters/batch/cronjobs/*",
        ] {
            assert!(admin(&custom(&[], &[], &[pod_runner], &[]), HARDENED), "{pod_runner}");
        }
        for (action, want) in [
            (
                "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/bind/action",
                "binding",
            ),
            (
                "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/escalate/action",
                "escalating",
            ),
            ("Microsoft.ContainerService/managedClusters/groups/impersonate/action", "impersonating groups"),
            ("Microsoft.ContainerService/managedClusters/users/impersonate/action", "impersonating users"),
            ("Microsoft.ContainerService/managedClusters/serviceaccounts/impersonate/action", "service accounts"),
        ] {
            match reach(&custom(&[], &[], &[action], &[]), HARDENED) {
                Reach::Admin(why) => assert!(why.contains(want), "{action}: {why}"),
                other => panic!("{action}: {other:?}"),
            }
        }
        // Writing ClusterRoleBindings alone does not let Kubernetes bind cluster-admin.
        let crb = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/*"],
            &[],
        );
        assert_eq!(reach(&crb, HARDENED), Reach::None);
        // Data patterns in `actions` grant nothing on the data plane.
        assert_eq!(
            reach(&custom(&["Microsoft.ContainerService/managedClusters/*/read"], &[], &[], &[]), ALL_ON),
            Reach::None
        );
    }

    #[test]
    fn custom_control_plane_actions() {
        let list = custom(&[LIST_ADMIN_CREDENTIAL], &[], &[], &[]);
        assert!(admin(&list, ALL_ON));
        assert_eq!(reach(&list, HARDENED), Reach::None);
        let profile =
            custom(&["Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action"], &[], &[], &[]);
        assert!(admin(&profile, ALL_ON));
        let write = custom(&[CLUSTER_WRITE], &[], &[], &[]);
        assert!(matches!(reach(&write, HARDENED), Reach::Admin(w) if w.contains("managedClusters/write")));
        let minus = custom(
            &["Microsoft.ContainerService/*"],
            &["*/listClusterAdminCredential/action", "*/accessProfiles/*", "*/write"],
            &[],
            &[],
        );
        assert_eq!(reach(&minus, ALL_ON), Reach::None, "notActions remove them");
    }

    #[test]
    fn admin_kubeconfig() {
        for id in [OWNER, CONTRIBUTOR, AKS_CLUSTER_ADMIN_ROLE] {
            assert!(can_fetch_admin_kubeconfig(&role_definition(id)), "{id}");
        }
        for id in [AKS_RBAC_CLUSTER_ADMIN, USER_ACCESS_ADMINISTRATOR, READER] {
            assert!(!can_fetch_admin_kubeconfig(&role_definition(id)), "{id}");
        }
        assert!(can_fetch_admin_kubeconfig(&custom(
            &["Microsoft.ContainerService/managedClusters/list*"],
            &[],
            &[],
            &[]
        )));
    }

    #[test]
    fn delegation() {
        for id in [OWNER, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR] {
            assert!(can_delegate(&role_definition(id)), "{id}");
        }
        // Contributor's notActions remove `Microsoft.Authorization/*/Write`.
        assert!(!can_delegate(&role_definition(CONTRIBUTOR)));
        assert!(!can_delegate(&role_definition(AKS_RBAC_CLUSTER_ADMIN)));
        assert!(can_delegate(&custom(&["Microsoft.Authorization/roleAssignments/*"], &[], &[], &[])));
        assert!(!can_delegate(&custom(&["Microsoft.Authorization/*/read"], &[], &[], &[])));
    }

    #[test]
    fn durations() {
        let h = |s: &str| duration_hours(s);
        assert_eq!(h("PT8H"), Some(8.0));
        assert_eq!(h("PT30M"), Some(0.5));
        assert_eq!(h("P1D"), Some(24.0));
        assert_eq!(h("P1DT2H"), Some(26.0));
        assert_eq!(h("pt2h30m"), Some(2.5));
        assert_eq!(h("PT1.5H"), Some(1.5));
        assert_eq!(h("P1W"), Some(168.0));
        assert_eq!(h("PT3600S"), Some(1.0));
        assert_eq!(h(" PT12H "), Some(12.0));
        for bad in ["", "P", "PT", "8H", "PT8", "PTH", "P1M", "P1Y", "PT8H8H", "PT30M2H", "P1H", "PT1D", "PTxH", "P1DT"]
        {
            assert_eq!(h(bad), None, "{bad:?}");
        }
    }
}
