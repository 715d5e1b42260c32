//! Every response body under tests/fixtures/graph/v1.0 and tests/fixtures/azure-authorization,
//! pasted into an estate unchanged, is served back unchanged. Each file gets an estate of its own
//! (the Graph examples reuse ids across files); the estate around a body is filled in where the
//! example refers to things it does not contain (the group and principals of the PIM examples,
//! the subscriptions and the non-bundled roles of the ARM examples).

use crate::testkit::{ARM, GRAPH, Kit, q};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const TENANT: &str = "7d1c9a52-4b1e-4e8f-9a3c-2f6b8e0d1c35";

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(sub)
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(sub: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir(sub)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn kit(tenant: Value, azure: Value) -> Kit {
    let estate = json!({"estate": "v1", "entra": {"tenants": [tenant]}, "azure": azure});
    Kit::new(&estate.to_string())
}

fn tenant(extra: Value) -> Value {
    let mut t = json!({"tenantId": TENANT});
    t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    t
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    for k in keys {
        v.as_object_mut().unwrap().remove(*k);
    }
    v
}

/// A user for each principal id the PIM examples name.
fn principals(items: &[Value], key: &str) -> Vec<Value> {
    let mut ids: Vec<&str> = items.iter().filter_map(|i| i[key].as_str()).collect();
    ids.dedup();
    ids.into_iter().map(|id| json!({"id": id, "displayName": "filled in by the test"})).collect()
}

async fn graph_file(name: &str, body: &Value) {
    let items: Vec<Value> = body["value"].as_array().cloned().unwrap_or_default();
    if name.starts_with("conditionalaccessroot-list-policies.") {
        let k = kit(tenant(json!({"conditionalAccessPolicies": items})), json!({}));
        let a = k.get(&k.token(GRAPH), "/v1.0/identity/conditionalAccess/policies").await;
        assert_eq!(a.body, *body, "{name}");
    } else if name.starts_with("conditionalaccesspolicy-get.") {
        // The entity without the response's @odata.context is what an estate holds.
        let policy = without(body, &["@odata.context"]);
        let id = policy["id"].as_str().unwrap().to_string();
        let k = kit(tenant(json!({"conditionalAccessPolicies": [policy.clone()]})), json!({}));
        let t = k.token(GRAPH);
        let a = k.get(&t, &format!("/v1.0/identity/conditionalAccess/policies/{id}")).await;
        assert_eq!(a.body, *body, "{name}");
        let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies").await;
        assert_eq!(a.body["value"], json!([policy]), "{name}");
    } else if name.starts_with("group-list-members.") {
        // Members as users of a group; an item without `id` (example 3, a group shown with
        // displayName and mail only) needs one to be referenced.
        let group = "0f0f0f0f-0000-4000-8000-000000000001";
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut members = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item["id"].as_str() {
                Some(id) => {
                    members.push(id.to_string());
                    users.push(item.clone());
                }
                None => {
                    let id = format!("0f0f0f0f-0000-4000-8000-0000000001{i:02}");
                    let mut g = item.clone();
                    g["id"] = json!(id);
                    members.push(id);
                    groups.push(g);
                }
            }
        }
        groups.push(json!({"id": group, "displayName": "fixture group", "members": members}));
        let k = kit(tenant(json!({"users": users, "groups": groups})), json!({}));
        let select =
            body["@odata.context"].as_str().unwrap().split_once('(').map(|(_, s)| s.trim_end_matches(')').to_string());
        let path = match &select {
            Some(s) => format!("/v1.0/groups/{group}/members?$select={s}"),
            None => format!("/v1.0/groups/{group}/members"),
        };
        let a = k.get(&k.token(GRAPH), &path).await;
        assert_eq!(a.status, 200, "{name}: {}", a.text);
        let served = a.body["value"].as_array().unwrap();
        assert_eq!(served.len(), items.len(), "{name}");
        for (s, want) in served.iter().zip(&items) {
            assert!(s["@odata.type"].as_str().unwrap().starts_with("#microsoft.graph."), "{name}: {s}");
            let extra: &[&str] = if want.get("id").is_some() { &["@odata.type"] } else { &["@odata.type", "id"] };
            assert_eq!(without(s, extra), *want, "{name}");
        }
        if select.is_none() {
            assert_eq!(a.body["@odata.context"], body["@odata.context"], "{name}");
        }
    } else if name.starts_with("privilegedaccessgroup-list-eligibilityschedules.")
        || name.starts_with("privilegedaccessgroup-list-assignmentschedules.")
    {
        let (list, key) = if name.contains("eligibility") {
            ("eligibilitySchedules", "eligibilitySchedules")
        } else {
            ("assignmentSchedules", "assignmentSchedules")
        };
        let groups: Vec<Value> = principals(&items, "groupId");
        let users = principals(&items, "principalId");
        let t = tenant(json!({"users": users, "groups": groups, "privilegedAccess": {key: items}}));
        let k = kit(t, json!({}));
        let it = &items[0];
        let filter = format!(
            "groupId eq '{}' and principalId eq '{}'",
            it["groupId"].as_str().unwrap(),
            it["principalId"].as_str().unwrap()
        );
        let select =
            body["@odata.context"].as_str().unwrap().split_once('(').map(|(_, s)| s.trim_end_matches(')').to_string());
        let mut path = format!("/v1.0/identityGovernance/privilegedAccess/group/{list}?$filter={}", q(&filter));
        if let Some(s) = select {
            path.push_str(&format!("&$select={s}"));
        }
        let a = k.get(&k.token(GRAPH), &path).await;
        assert_eq!(a.body, *body, "{name}");
    } else if name.starts_with("policyroot-list-rolemanagementpolicyassignments.") {
        let groups = principals(&items, "scopeId");
        let k = kit(
            tenant(json!({"groups": groups, "privilegedAccess": {"roleManagementPolicyAssignments": items}})),
            json!({}),
        );
        let filter = format!("scopeId eq '{}' and scopeType eq 'Group'", items[0]["scopeId"].as_str().unwrap());
        let path = format!(
            "/v1.0/policies/roleManagementPolicyAssignments?$filter={}&$expand={}",
            q(&filter),
            q("policy($expand=rules)")
        );
        let a = k.get(&k.token(GRAPH), &path).await;
        assert_eq!(a.body, *body, "{name}");
    } else {
        panic!("{name}: a Graph fixture this test does not know; teach it where the body goes");
    }
}

/// Custom roles for the role GUIDs an ARM example names that are not bundled built-ins.
fn fill_roles(items: &[&Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for i in items {
        let id = i.pointer("/properties/roleDefinitionId").and_then(Value::as_str).unwrap();
        let guid = id.rsplit('/').next().unwrap();
        if crate::authz::builtin(guid).is_none() && !out.iter().any(|r| r["name"] == guid) {
            out.push(json!({"id": format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"), "name": guid, "properties": {"roleName": "filled in by the test"}}));
        }
    }
    out
}

async fn arm_file(name: &str, example: &Value) {
    let body = &example["responses"]["200"]["body"];
    let params = &example["parameters"];
    let api = params["api-version"].as_str().unwrap();
    if name == "GetRoleDefinitionById.json" {
        let sub = body["id"].as_str().unwrap().split('/').nth(2).unwrap().to_string();
        let azure = json!({"roleDefinitions": [body], "subscriptions": [{"subscriptionId": sub, "tenantId": TENANT}]});
        let k = kit(tenant(json!({})), azure);
        let t = k.token(ARM);
        let key = body["name"].as_str().unwrap();
        for scope in [String::new(), format!("/subscriptions/{sub}")] {
            let a = k
                .get(&t, &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{key}?api-version={api}"))
                .await;
            assert_eq!(a.body, *body, "{name} at '{scope}'");
        }
        return;
    }
    let items: Vec<&Value> = body["value"].as_array().unwrap().iter().collect();
    let list = match name {
        "RoleAssignments_ListForScope.json" | "RoleAssignments_ListForSubscription.json" => "roleAssignments",
        "GetRoleEligibilityScheduleInstancesByScope.json" => "roleEligibilityScheduleInstances",
        "GetRoleAssignmentScheduleInstancesByScope.json" => "roleAssignmentScheduleInstances",
        _ => panic!("{name}: an authorization fixture this test does not know; teach it where the body goes"),
    };
    let scope = items[0].pointer("/properties/scope").and_then(Value::as_str).unwrap();
    let sub = scope.split('/').nth(2).unwrap();
    let azure = json!({
        "roleDefinitions": fill_roles(&items),
        "subscriptions": [{"subscriptionId": sub, "tenantId": TENANT, list: items}],
    });
    let k = kit(tenant(json!({})), azure);
    let filter =
        params.get("$filter").and_then(Value::as_str).map(|f| format!("&$filter={}", q(f))).unwrap_or_default();
    let path = format!("/subscriptions/{sub}/providers/Microsoft.Authorization/{list}?api-version={api}{filter}");
    let a = k.get(&k.token(ARM), &path).await;
    assert_eq!(a.body, *body, "{name}");
}

#[tokio::test]
async fn graph_fixtures_are_served_unchanged() {
    let files = files("graph/v1.0");
    assert!(files.len() >= 9, "{files:?}");
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        graph_file(&name, &read(&f)).await;
    }
}

#[tokio::test]
async fn authorization_fixtures_are_served_unchanged() {
    let files = files("azure-authorization");
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        if f.parent().unwrap().ends_with("compiled") {
            continue; // builtin-role-ids.json: ids, not a body (authz::tests checks the table against it)
        }
        arm_file(&name, &read(&f)).await;
    }
}
