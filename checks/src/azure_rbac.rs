//! What an Azure role definition lets its holder do to an AKS cluster, and ISO 8601 durations.
//!
//! Built-in roles are recognised by their definition GUID (the same in every tenant). Any other
//! role is judged by its permissions: Azure computes `actions − notActions` and
//! `dataActions − notDataActions`, so an operation is permitted when some allowed pattern
//! matches it and no excluded pattern does. Patterns are matched without regard to ASCII case;
//! `*` matches any run of characters, `/` included (Azure's only wildcard; operation names never
//! contain `?`, so the shared IAM matcher serves as is).
//!
//! A custom role is cluster-admin-capable when:
//! - its data actions permit any of [`ADMIN_DATA_PROBES`]: a write to *every* Kubernetes
//!   resource type (only a wildcard over the resource path — `managedClusters/*`,
//!   `managedClusters/*/write`, `Microsoft.ContainerService/*`, `*` — matches the probe, so a
//!   role listing specific types such as `apps/deployments/*` does not count), writing
//!   ClusterRoleBindings (bind yourself to `cluster-admin`), or impersonating groups
//!   (`system:masters`); or
//! - its actions permit `listClusterAdminCredential` together with `managedClusters/write`
//!   (it can re-enable local accounts and then fetch the static admin kubeconfig); or
//! - its actions permit `listClusterAdminCredential` while local accounts are enabled or not
//!   known to be disabled (the same rule as the built-in Azure Kubernetes Service Cluster Admin
//!   Role).

use crate::iam::wildcard::matches_ignore_case;
use crate::model::RoleDefinition;

/// The AKS server application (audience of AKS Entra ID tokens); the app Conditional Access
/// policies must include to guard `kubectl` sign-ins.
pub const AKS_SERVER_APP_ID: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// Built-in role definition GUIDs.
pub mod builtin {
    pub const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
    pub const AKS_RBAC_ADMIN: &str = "3498e952-d568-435e-9b2c-8d77e338d7f7";
    pub const AKS_CLUSTER_ADMIN_ROLE: &str = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8";
    pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    pub const USER_ACCESS_ADMINISTRATOR: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    pub const RBAC_ADMINISTRATOR: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
}

/// The control-plane action that returns the static cluster-admin kubeconfig.
pub const LIST_ADMIN_CREDENTIAL: &str = "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";
/// Updating the cluster resource (e.g. setting `disableLocalAccounts` back to false).
pub const CLUSTER_WRITE: &str = "Microsoft.ContainerService/managedClusters/write";
/// Creating or changing role assignments.
pub const ROLE_ASSIGNMENT_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";

/// Data actions that each amount to cluster admin; see the module doc.
pub const ADMIN_DATA_PROBES: [(&str, &str); 3] = [
    (
        "Microsoft.ContainerService/managedClusters/kubeposture-any-resource-type/write",
        "custom role: dataActions permit writing every Kubernetes resource type",
    ),
    (
        "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write",
        "custom role: dataActions permit writing ClusterRoleBindings",
    ),
    (
        "Microsoft.ContainerService/managedClusters/groups/impersonate/action",
        "custom role: dataActions permit impersonating groups",
    ),
];

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
    let id = def.id.trim().trim_end_matches('/');
    id.rsplit('/').next().unwrap_or(id)
}

fn is_builtin(def: &RoleDefinition, guid: &str) -> bool {
    definition_guid(def).eq_ignore_ascii_case(guid)
}

/// Why holding `def` on a scope covering the cluster makes its holder cluster admin, or `None`.
/// `local_accounts_enabled`: `Some(false)` when local accounts are known to be disabled, `None`
/// when that is unknown (taken as enabled: never assume the safe side).
pub fn is_cluster_admin_capable(def: &RoleDefinition, local_accounts_enabled: Option<bool>) -> Option<&'static str> {
    use builtin::*;
    let local = local_accounts_enabled != Some(false);
    if is_builtin(def, AKS_RBAC_CLUSTER_ADMIN) {
        return Some(
            "built-in Azure Kubernetes Service RBAC Cluster Admin: full control of the cluster through Azure RBAC",
        );
    }
    if is_builtin(def, AKS_RBAC_ADMIN) {
        return Some(
            "built-in Azure Kubernetes Service RBAC Admin: admin of every namespace, including roles and role bindings",
        );
    }
    if is_builtin(def, AKS_CLUSTER_ADMIN_ROLE) {
        return local.then_some(
            "built-in Azure Kubernetes Service Cluster Admin Role: listClusterAdminCredential returns the static admin kubeconfig while local accounts are enabled",
        );
    }
    if is_builtin(def, OWNER) {
        return Some("built-in Owner: managedClusters/write, listClusterAdminCredential and role assignments");
    }
    if is_builtin(def, CONTRIBUTOR) {
        return Some(
            "built-in Contributor: managedClusters/write (can re-enable local accounts) and listClusterAdminCredential",
        );
    }
    if let Some((_, why)) = ADMIN_DATA_PROBES.iter().find(|(op, _)| data_actions_permit(def, op)) {
        return Some(why);
    }
    if actions_permit(def, LIST_ADMIN_CREDENTIAL) {
        if actions_permit(def, CLUSTER_WRITE) {
            return Some(
                "custom role: actions permit managedClusters/write and listClusterAdminCredential (can re-enable local accounts and fetch the admin kubeconfig)",
            );
        }
        if local {
            return Some(
                "custom role: actions permit listClusterAdminCredential, which returns the static admin kubeconfig while local accounts are enabled",
            );
        }
    }
    None
}

/// The role can call `listClusterAdminCredential` (the static admin kubeconfig, usable while
/// local accounts are enabled): Owner, Contributor, Azure Kubernetes Service Cluster Admin Role,
/// or any role whose actions permit it.
pub fn can_fetch_admin_kubeconfig(def: &RoleDefinition) -> bool {
    use builtin::*;
    [OWNER, CONTRIBUTOR, AKS_CLUSTER_ADMIN_ROLE].iter().any(|g| is_builtin(def, g))
        || actions_permit(def, LIST_ADMIN_CREDENTIAL)
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

    #[test]
    fn builtin_admin_roles_by_guid() {
        for id in [AKS_RBAC_CLUSTER_ADMIN, AKS_RBAC_ADMIN, OWNER, CONTRIBUTOR] {
            let def = role_definition(id);
            assert!(is_cluster_admin_capable(&def, Some(false)).is_some(), "{id}");
        }
        let mut def = (*role_definition(OWNER)).clone();
        def.id = format!("/providers/Microsoft.Authorization/roleDefinitions/{}", OWNER.to_uppercase());
        def.actions.clear();
        assert!(is_cluster_admin_capable(&def, Some(false)).is_some(), "full id, any case, by GUID");
        let reader = role_definition("acdd72a7-3385-48ef-bd42-f606fba81ae7");
        assert_eq!(is_cluster_admin_capable(&reader, None), None);
        let uaa = role_definition(USER_ACCESS_ADMINISTRATOR);
        assert_eq!(is_cluster_admin_capable(&uaa, None), None, "UAA is a delegation risk (IDN-011), not admin");
    }

    #[test]
    fn cluster_admin_role_needs_local_accounts() {
        let def = role_definition(AKS_CLUSTER_ADMIN_ROLE);
        assert!(is_cluster_admin_capable(&def, Some(true)).is_some());
        assert!(is_cluster_admin_capable(&def, None).is_some(), "unknown counts as enabled");
        assert_eq!(is_cluster_admin_capable(&def, Some(false)), None);
    }

    #[test]
    fn custom_data_actions() {
        let all = custom(&[], &[], &["Microsoft.ContainerService/managedClusters/*"], &[]);
        assert!(is_cluster_admin_capable(&all, Some(false)).is_some());
        let writes = custom(&[], &[], &["microsoft.containerservice/MANAGEDCLUSTERS/*/write"], &[]);
        assert!(is_cluster_admin_capable(&writes, Some(false)).is_some(), "case-insensitive");
        assert!(is_cluster_admin_capable(&custom(&[], &[], &["*"], &[]), Some(false)).is_some());
        let no_secrets = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
            &["Microsoft.ContainerService/managedClusters/secrets/*"],
        );
        assert!(is_cluster_admin_capable(&no_secrets, Some(false)).is_some(), "still writes everything else");
        let read_only = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/*"],
            &[
                "Microsoft.ContainerService/managedClusters/*/write",
                "Microsoft.ContainerService/managedClusters/*/action",
            ],
        );
        assert_eq!(is_cluster_admin_capable(&read_only, Some(false)), None);
        let writer = custom(
            &[],
            &[],
            &[
                "Microsoft.ContainerService/managedClusters/apps/deployments/*",
                "Microsoft.ContainerService/managedClusters/pods/*",
            ],
            &[],
        );
        assert_eq!(is_cluster_admin_capable(&writer, Some(false)), None, "specific types are not admin");
        let binder = custom(
            &[],
            &[],
            &["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/*"],
            &[],
        );
        assert!(is_cluster_admin_capable(&binder, Some(false)).unwrap().contains("ClusterRoleBindings"));
        let impersonator =
            custom(&[], &[], &["Microsoft.ContainerService/managedClusters/groups/impersonate/action"], &[]);
        assert!(is_cluster_admin_capable(&impersonator, Some(false)).is_some());
        // Data patterns in `actions` grant nothing on the data plane.
        assert_eq!(
            is_cluster_admin_capable(
                &custom(&["Microsoft.ContainerService/managedClusters/*/read"], &[], &[], &[]),
                None
            ),
            None
        );
    }

    #[test]
    fn custom_admin_credential_actions() {
        let list = custom(&[LIST_ADMIN_CREDENTIAL], &[], &[], &[]);
        assert!(is_cluster_admin_capable(&list, Some(true)).is_some());
        assert_eq!(is_cluster_admin_capable(&list, Some(false)), None);
        let write_and_list = custom(&["Microsoft.ContainerService/managedClusters/*"], &[], &[], &[]);
        assert!(is_cluster_admin_capable(&write_and_list, Some(false)).unwrap().contains("re-enable"));
        let minus = custom(&["Microsoft.ContainerService/*"], &["*/listClusterAdminCredential/action"], &[], &[]);
        assert_eq!(is_cluster_admin_capable(&minus, Some(true)), None, "notActions removes it");
    }

    #[test]
    fn admin_kubeconfig() {
        for id in [OWNER, CONTRIBUTOR, AKS_CLUSTER_ADMIN_ROLE] {
            assert!(can_fetch_admin_kubeconfig(&role_definition(id)), "{id}");
        }
        for id in [AKS_RBAC_CLUSTER_ADMIN, USER_ACCESS_ADMINISTRATOR, "acdd72a7-3385-48ef-bd42-f606fba81ae7"] {
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
