//! ARM `Microsoft.Authorization`: role assignments, role definitions (a bundled table of
//! built-in roles plus the estate's custom roles) and PIM for Azure resources (role eligibility
//! and assignment schedule instances). Served through `arm::handle`, with ARM's conventions.

use crate::arm::{Ctx, denied, error};
use crate::directory::str_of;
use crate::estate::Azure;
use crate::faults::Call;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::LazyLock;

const BUILTIN_YAML: &str = include_str!("../estates/builtin-roles.yaml");

static BUILTIN: LazyLock<Vec<Value>> =
    LazyLock::new(|| serde_yaml_ng::from_str(BUILTIN_YAML).expect("estates/builtin-roles.yaml is valid (tested)"));

/// The bundled built-in role definitions (ARM shape, `id` at the root scope).
pub fn builtin_roles() -> &'static [Value] {
    &BUILTIN
}

/// The key of a role definition: its `name` (the GUID), else the last segment of its `id`.
pub fn role_key(v: &Value) -> Option<&str> {
    str_of(v, "name").or_else(|| str_of(v, "id").and_then(|i| i.rsplit('/').next()))
}

/// The GUID at the end of a `roleDefinitionId`.
fn guid_of(role_definition_id: &str) -> &str {
    role_definition_id.trim_end_matches('/').rsplit('/').next().unwrap_or(role_definition_id)
}

pub fn builtin(guid: &str) -> Option<&'static Value> {
    builtin_roles().iter().find(|r| role_key(r).is_some_and(|k| k.eq_ignore_ascii_case(guid)))
}

fn custom<'a>(azure: &'a Azure, guid: &str) -> Option<&'a Value> {
    azure.role_definitions.iter().find(|r| role_key(r).is_some_and(|k| k.eq_ignore_ascii_case(guid)))
}

/// The list operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    RoleAssignments,
    EligibilityInstances,
    AssignmentInstances,
}

impl List {
    fn op(self) -> &'static str {
        match self {
            List::RoleAssignments => "listRoleAssignments",
            List::EligibilityInstances => "listRoleEligibilityScheduleInstances",
            List::AssignmentInstances => "listRoleAssignmentScheduleInstances",
        }
    }
}

pub enum Route<'a> {
    /// `/subscriptions/{sub}[/…]/providers/Microsoft.Authorization/{list}`.
    List { list: List, scope: String, sub: &'a str },
    /// `[/subscriptions/{sub}[/…]]/providers/Microsoft.Authorization/roleDefinitions/{id}`.
    Definition { sub: Option<&'a str>, id: &'a str },
}

/// Parses an authorization path (already split into segments).
pub fn route<'a>(s: &[&'a str]) -> Option<Route<'a>> {
    let is = |i: usize, want: &str| s.get(i).is_some_and(|x| x.eq_ignore_ascii_case(want));
    let i =
        (0..s.len().saturating_sub(1)).rev().find(|&i| is(i, "providers") && is(i + 1, "Microsoft.Authorization"))?;
    let scope = &s[..i];
    let sub = match scope {
        [] => None,
        [first, sub, ..] if first.eq_ignore_ascii_case("subscriptions") => Some(*sub),
        _ => return None,
    };
    let scope_id = format!("/{}", scope.join("/"));
    match &s[i + 2..] {
        [kind] => {
            let list = if kind.eq_ignore_ascii_case("roleAssignments") {
                List::RoleAssignments
            } else if kind.eq_ignore_ascii_case("roleEligibilityScheduleInstances") {
                List::EligibilityInstances
            } else if kind.eq_ignore_ascii_case("roleAssignmentScheduleInstances") {
                List::AssignmentInstances
            } else {
                return None;
            };
            Some(Route::List { list, scope: scope_id, sub: sub? })
        }
        [kind, id] if kind.eq_ignore_ascii_case("roleDefinitions") => Some(Route::Definition { sub, id }),
        _ => None,
    }
}

fn norm(scope: &str) -> String {
    scope.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether an item at `item` scope shows in a list at `request` scope: at it, above it, or
/// below it. Scopes outside subscriptions (management groups, `/`) are listed under the
/// subscriptions that inherit them, so they always show.
fn related(item: &str, request: &str) -> bool {
    let (item, request) = (norm(item), norm(request));
    if !item.starts_with("/subscriptions/") {
        return true;
    }
    let under = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    under(&request, &item) || under(&item, &request)
}

impl Ctx<'_> {
    pub(crate) async fn authz(&self, route: Route<'_>) -> Response {
        match route {
            Route::List { list, scope, sub } => self.authz_list(list, &scope, sub).await,
            Route::Definition { sub, id } => self.role_definition(sub, id).await,
        }
    }

    async fn authz_list(&self, list: List, scope: &str, sub: &str) -> Response {
        let call =
            Call { op: list.op(), subscription: Some(sub), page: Some(self.page_number()), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        let s = match self.subscription(sub) {
            Ok(s) => s,
            Err(r) => return *r,
        };
        let items = match list {
            List::RoleAssignments => &s.role_assignments,
            List::EligibilityInstances => &s.role_eligibility_schedule_instances,
            List::AssignmentInstances => &s.role_assignment_schedule_instances,
        };
        // `$filter` (atScope(), assignedTo('…'), principalId eq '…', asTarget()) is accepted and
        // ignored: the answer is the whole list, a superset of the filtered one.
        let items: Vec<Value> = items
            .iter()
            .filter(|a| a.pointer("/properties/scope").and_then(Value::as_str).is_some_and(|i| related(i, scope)))
            .cloned()
            .collect();
        self.paged(&items)
    }

    async fn role_definition(&self, sub: Option<&str>, id: &str) -> Response {
        let call = Call { op: "getRoleDefinition", subscription: sub, role: Some(id), ..Default::default() };
        if let Err(d) = self.state.gate(&call, true).await {
            return denied(d);
        }
        if let Some(Err(r)) = sub.map(|s| self.subscription(s)) {
            return *r;
        }
        if let Some(b) = builtin(id) {
            let mut b = b.clone();
            let scope = sub.map(|s| format!("/subscriptions/{s}")).unwrap_or_default();
            let key = role_key(&b).unwrap_or(id).to_string();
            b["id"] = Value::String(format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{key}"));
            return Json(b).into_response();
        }
        match custom(&self.state.estate.azure, id) {
            Some(c) => Json(c.clone()).into_response(),
            None => error(
                404,
                "RoleDefinitionDoesNotExist",
                &format!("The specified role definition with ID '{id}' does not exist."),
            ),
        }
    }
}

/// Checks the estate's authorization data: custom roles have a key and do not shadow built-in
/// ones; assignments and schedule instances have a `properties.scope` in their subscription (or
/// a management group / the root above it) and a `roleDefinitionId` that is built-in or custom.
pub fn validate(azure: &Azure) -> Result<(), String> {
    let mut keys = BTreeSet::new();
    for (i, r) in azure.role_definitions.iter().enumerate() {
        let Some(key) = role_key(r) else {
            return Err(format!("azure.roleDefinitions[{i}] needs a `name` (the role GUID) or an `id`"));
        };
        if builtin(key).is_some() {
            return Err(format!("azure.roleDefinitions[{key}] has the id of a built-in role (those are bundled)"));
        }
        if !keys.insert(key.to_ascii_lowercase()) {
            return Err(format!("azure.roleDefinitions: role {key} is defined twice"));
        }
    }
    for s in &azure.subscriptions {
        let sub = &s.subscription_id;
        let own = format!("/subscriptions/{}", sub.to_ascii_lowercase());
        for (list, items) in [
            ("roleAssignments", &s.role_assignments),
            ("roleEligibilityScheduleInstances", &s.role_eligibility_schedule_instances),
            ("roleAssignmentScheduleInstances", &s.role_assignment_schedule_instances),
        ] {
            for (i, a) in items.iter().enumerate() {
                let here = format!(
                    "azure.subscriptions[{sub}].{list}[{}]",
                    str_of(a, "name").map(str::to_string).unwrap_or(i.to_string())
                );
                let Some(scope) = a.pointer("/properties/scope").and_then(Value::as_str) else {
                    return Err(format!("{here} has no string `properties.scope`"));
                };
                let n = norm(scope);
                let in_sub = n == own || n.starts_with(&format!("{own}/"));
                let above = n.is_empty() || n.starts_with("/providers/microsoft.management/managementgroups/");
                if !in_sub && !above {
                    return Err(format!(
                        "{here}.properties.scope: {scope} is neither in subscription {sub} nor a management group (or the root) above it"
                    ));
                }
                let Some(role) = a.pointer("/properties/roleDefinitionId").and_then(Value::as_str) else {
                    return Err(format!("{here} has no string `properties.roleDefinitionId`"));
                };
                let guid = guid_of(role);
                if builtin(guid).is_none() && custom(azure, guid).is_none() {
                    return Err(format!(
                        "{here}.properties.roleDefinitionId: role {guid} is neither a bundled built-in role nor under azure.roleDefinitions"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockOptions;
    use crate::estate::Estate;
    use crate::testkit::{ARM, GRAPH, Kit};

    const SUB: &str = "4f1c2d3e-0000-4000-8000-00000000a001";
    const OTHER: &str = "4f1c2d3e-0000-4000-8000-00000000b002";
    const CUSTOM: &str = "6a1b2c3d-0000-4000-8000-0000000000c1";

    fn estate(faults: &str) -> String {
        format!(
            r#"
estate: v1
entra: {{tenants: [{{tenantId: t1}}, {{tenantId: t2}}]}}
azure:
  roleDefinitions:
    - id: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM}
      name: {CUSTOM}
      type: Microsoft.Authorization/roleDefinitions
      properties: {{roleName: Cluster Operator, type: CustomRole, permissions: [{{actions: [], notActions: [], dataActions: ["Microsoft.ContainerService/managedClusters/*"], notDataActions: []}}]}}
  subscriptions:
    - subscriptionId: {SUB}
      tenantId: t1
      roleAssignments:
        - {{name: at-sub, properties: {{scope: /subscriptions/{SUB}, roleDefinitionId: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7}}}}
        - {{name: at-mg, properties: {{scope: /providers/Microsoft.Management/managementGroups/contoso, roleDefinitionId: /providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7}}}}
        - {{name: at-rg1, properties: {{scope: /subscriptions/{SUB}/resourceGroups/rg1, roleDefinitionId: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9}}}}
        - {{name: at-rg2-cluster, properties: {{scope: /subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.ContainerService/managedClusters/c, roleDefinitionId: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM}}}}}
      roleEligibilityScheduleInstances:
        - {{name: e1, properties: {{scope: /subscriptions/{SUB}/resourceGroups/rg2, roleDefinitionId: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b}}}}
      roleAssignmentScheduleInstances:
        - {{name: i1, properties: {{scope: /subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.ContainerService/managedClusters/c, roleDefinitionId: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM}, endDateTime: "2027-01-01T00:00:00Z"}}}}
    - subscriptionId: {OTHER}
      tenantId: t2
faults: {faults}
"#
        )
    }

    fn names(items: &[Value]) -> Vec<&str> {
        items.iter().map(|i| i["name"].as_str().unwrap()).collect()
    }

    #[tokio::test]
    async fn role_assignments_at_above_and_below_the_scope() {
        let k =
            Kit::with(Estate::from_yaml(&estate("[]")).unwrap(), MockOptions { page_size: 3, ..Default::default() });
        let t = k.token(ARM);
        let list =
            format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01");
        let (all, pages) = k.get_all(&t, &list).await;
        assert_eq!((names(&all), pages), (vec!["at-sub", "at-mg", "at-rg1", "at-rg2-cluster"], 2));
        let first = k.get(&t, &list).await;
        let next = first.body["nextLink"].as_str().unwrap();
        assert!(next.contains("api-version=2022-04-01&%24skipToken=3"), "{next}");
        // $filter is accepted and ignored; paths match case-insensitively.
        let a = k.get(&t, &format!("/SUBSCRIPTIONS/{SUB}/providers/microsoft.authorization/ROLEASSIGNMENTS?api-version=2022-04-01&$filter=atScope()")).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.body["value"].as_array().unwrap().len(), 3);
        let rg = format!(
            "/subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
        );
        assert_eq!(names(&k.get_all(&t, &rg).await.0), ["at-sub", "at-mg", "at-rg2-cluster"]);
        assert_eq!(k.counter("listRoleAssignments"), 5);

        let a = k.get(&t, &format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments")).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("MissingApiVersionParameter")));
        let g = k.token(GRAPH);
        assert_eq!(k.get(&g, &list).await.status, 401);
        let a = k.get(&t, &list.replace(SUB, OTHER)).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (401, Some("InvalidAuthenticationTokenTenant")));
        let a = k.get(&t, &list.replace(SUB, "00000000-0000-0000-0000-000000000000")).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (404, Some("SubscriptionNotFound")));
    }

    #[tokio::test]
    async fn pim_schedule_instances() {
        let k = Kit::new(&estate("[]"));
        let t = k.token(ARM);
        let base = format!("/subscriptions/{SUB}/providers/Microsoft.Authorization");
        let a = k
            .get(&t, &format!("{base}/roleEligibilityScheduleInstances?api-version=2020-10-01&$filter=asTarget()"))
            .await;
        assert_eq!(names(a.body["value"].as_array().unwrap()), ["e1"]);
        let a = k.get(&t, &format!("{base}/roleAssignmentScheduleInstances?api-version=2020-10-01")).await;
        assert_eq!(a.body["value"][0]["properties"]["endDateTime"], "2027-01-01T00:00:00Z");
        let rg1 = format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Authorization");
        let a = k.get(&t, &format!("{rg1}/roleAssignmentScheduleInstances?api-version=2020-10-01")).await;
        assert_eq!(a.body["value"], serde_json::json!([]));
        assert_eq!(k.counter("listRoleEligibilityScheduleInstances"), 1);
        assert_eq!(k.counter("listRoleAssignmentScheduleInstances"), 2);
    }

    #[tokio::test]
    async fn role_definitions_built_in_and_custom() {
        let faults = "[{operation: getRoleDefinition, role: 8e3af657-a8ff-443c-a75c-2fe8c4bcb635, status: 403}]";
        let k = Kit::new(&estate(faults));
        let t = k.token(ARM);
        let b1ff = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
        let a = k
            .get(&t, &format!("/providers/Microsoft.Authorization/roleDefinitions/{b1ff}?api-version=2022-04-01"))
            .await;
        assert_eq!(a.status, 200);
        assert_eq!(a.body["id"], format!("/providers/Microsoft.Authorization/roleDefinitions/{b1ff}"));
        assert_eq!(a.body["properties"]["roleName"], "Azure Kubernetes Service RBAC Cluster Admin");
        let a = k
            .get(
                &t,
                &format!(
                    "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{}?api-version=2022-04-01",
                    b1ff.to_uppercase()
                ),
            )
            .await;
        assert_eq!(
            a.body["id"],
            format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{b1ff}")
        );
        let a = k
            .get(&t, &format!("/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM}?api-version=2022-04-01"))
            .await;
        assert_eq!(a.body, estate_custom(), "custom roles are served as written");
        let missing = "00000000-1111-4000-8000-000000000000";
        let a = k.get(&t, &format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{missing}?api-version=2022-04-01")).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (404, Some("RoleDefinitionDoesNotExist")));
        assert_eq!(
            a.body["error"]["message"],
            format!("The specified role definition with ID '{missing}' does not exist.")
        );
        let a = k.get(&t, "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635?api-version=2022-04-01").await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (403, Some("AuthorizationFailed")));
        assert_eq!(k.counter("getRoleDefinition"), 5);
        assert_eq!(k.counter("getRoleDefinition:fault"), 1);
    }

    fn estate_custom() -> Value {
        Estate::from_yaml(&estate("[]")).unwrap().azure.role_definitions[0].clone()
    }

    #[test]
    fn validation_names_the_bad_reference() {
        let base = estate("[]");
        let err = |from: &str, to: &str| {
            assert!(base.contains(from), "{from}");
            Estate::from_yaml(&base.replacen(from, to, 1)).unwrap_err().to_string()
        };
        let e = err(
            "roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            "roleDefinitions/18d7d88d-0000-0000-0000-000000000000",
        );
        assert!(
            e.contains(&format!("azure.subscriptions[{SUB}].roleAssignments[at-rg1].properties.roleDefinitionId")),
            "{e}"
        );
        let e = err(
            &format!("scope: /subscriptions/{SUB}/resourceGroups/rg1,"),
            &format!("scope: /subscriptions/{OTHER}/resourceGroups/rg1,"),
        );
        assert!(e.contains("is neither in subscription"), "{e}");
        let e = err(&format!("name: {CUSTOM}\n"), "name: 8e3af657-a8ff-443c-a75c-2fe8c4bcb635\n");
        assert!(e.contains("built-in"), "{e}");
        let e = err("{name: e1, properties: {scope", "{name: e1, properties: {scopes");
        assert!(e.contains("roleEligibilityScheduleInstances[e1] has no string `properties.scope`"), "{e}");
    }

    #[test]
    fn builtin_table_matches_the_published_ids() {
        let want = [
            ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
            ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
            ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
            ("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168"),
            ("Azure Kubernetes Service Cluster Admin Role", "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"),
            ("Azure Kubernetes Service Cluster User Role", "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"),
            ("Azure Kubernetes Service Contributor Role", "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8"),
            ("Azure Kubernetes Service RBAC Admin", "3498e952-d568-435e-9b2c-8d77e338d7f7"),
            ("Azure Kubernetes Service RBAC Cluster Admin", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"),
            ("Azure Kubernetes Service RBAC Reader", "7f6c6a51-bcf8-42ba-9220-52d62157d7db"),
            ("Azure Kubernetes Service RBAC Writer", "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"),
        ];
        assert_eq!(builtin_roles().len(), want.len());
        for (name, id) in want {
            let r = builtin(id).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(r["properties"]["roleName"], name);
            assert_eq!(r["properties"]["type"], "BuiltInRole");
            assert_eq!(r["id"], format!("/providers/Microsoft.Authorization/roleDefinitions/{id}"));
            let p = &r["properties"]["permissions"][0];
            for k in ["actions", "notActions", "dataActions", "notDataActions"] {
                assert!(p[k].is_array(), "{name} {k}");
            }
        }
        // Cross-check the compiled fixture's ids.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/azure-authorization/compiled/builtin-role-ids.json"
        );
        let ids: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for (name, id) in ids.as_object().unwrap() {
            if name.starts_with('_') || name.starts_with("AcrQuarantineWriter") {
                continue;
            }
            let r = builtin(id.as_str().unwrap()).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(r["properties"]["roleName"], name.as_str());
        }
        let cluster_admin = builtin("b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b").unwrap();
        assert_eq!(
            cluster_admin["properties"]["permissions"][0]["dataActions"][0],
            "Microsoft.ContainerService/managedClusters/*"
        );
    }

    #[test]
    fn scopes_relate_above_at_and_below() {
        let sub = "/subscriptions/S";
        let rg = "/subscriptions/s/resourceGroups/RG";
        assert!(related(sub, rg) && related(rg, sub) && related(rg, rg));
        assert!(!related("/subscriptions/s/resourceGroups/rg2", rg));
        assert!(!related("/subscriptions/s/resourceGroups/rg-2", "/subscriptions/s/resourceGroups/rg"));
        assert!(related("/providers/Microsoft.Management/managementGroups/mg", rg));
        assert!(related("/", rg));
    }
}
