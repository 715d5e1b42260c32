//! The demo estate's identity scenes, read back through the mock's own ARM and Graph endpoints
//! and judged with the IDN rules of CHECKS.md (a small test-only evaluator, not kubeposture's):
//! aks-prod-hardened passes every IDN check, and every IDN check fails somewhere.

use crate::estate::Estate;
use crate::testkit::{ARM, GRAPH, Kit, q};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const AKS_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const UAA: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const RBAC_ADMIN: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const AKS_RBAC_ADMIN: &str = "3498e952-d568-435e-9b2c-8d77e338d7f7";
const AKS_CLUSTER_ADMIN_ROLE: &str = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8";

fn s(v: &Value, pointer: &str) -> String {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_ascii_lowercase()
}

fn strings(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default()
}

/// `scope` covers the resource `id` (or is above every subscription).
fn covers(scope: &str, id: &str) -> bool {
    let (scope, id) = (scope.trim_end_matches('/').to_ascii_lowercase(), id.to_ascii_lowercase());
    !scope.starts_with("/subscriptions/") || id == scope || id.starts_with(&format!("{scope}/"))
}

/// ISO 8601 duration in hours (`PT4H`, `P1D`).
fn hours(d: &str) -> f64 {
    let (days, time) = d.trim_start_matches('P').split_once('T').unwrap_or((d.trim_start_matches('P'), ""));
    let mut h = days.trim_end_matches('D').parse::<f64>().unwrap_or(0.0) * 24.0;
    let mut num = String::new();
    for c in time.chars() {
        match c {
            'H' => h += num.parse::<f64>().unwrap_or(0.0),
            'M' => h += num.parse::<f64>().unwrap_or(0.0) / 60.0,
            'S' => h += num.parse::<f64>().unwrap_or(0.0) / 3600.0,
            _ => {
                num.push(c);
                continue;
            }
        }
        num.clear();
    }
    h
}

struct Group {
    /// Whether any member link down to each transitive member is permanent, by member id.
    standing_members: Vec<String>,
    pim_managed: bool,
    /// (maximumDuration hours, approval required, MFA on activation) of the member policy.
    policy: Option<(f64, bool, bool)>,
}

struct Scan {
    kit: Kit,
    arm: String,
    graph: String,
    roles: HashMap<String, Value>,
    groups: HashMap<String, Group>,
}

impl Scan {
    async fn all(&self, token: &str, url: &str) -> Vec<Value> {
        self.kit.get_all(token, url).await.0
    }

    async fn role(&mut self, role_definition_id: &str) -> Value {
        let guid = role_definition_id.rsplit('/').next().unwrap().to_ascii_lowercase();
        if !self.roles.contains_key(&guid) {
            let a = self
                .kit
                .get(
                    &self.arm,
                    &format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}?api-version=2022-04-01"),
                )
                .await;
            assert_eq!(a.status, 200, "{guid}: {}", a.text);
            self.roles.insert(guid.clone(), a.body);
        }
        self.roles[&guid].clone()
    }

    async fn group(&mut self, id: &str) -> &Group {
        let id = id.to_ascii_lowercase();
        if !self.groups.contains_key(&id) {
            let g = self.load_group(&id).await;
            self.groups.insert(id.clone(), g);
        }
        &self.groups[&id]
    }

    async fn load_group(&mut self, id: &str) -> Group {
        let pim = "/v1.0/identityGovernance/privilegedAccess/group";
        let filter = q(&format!("groupId eq '{id}'"));
        let eligible = self.all(&self.graph, &format!("{pim}/eligibilitySchedules?$filter={filter}")).await;
        let assigned = self.all(&self.graph, &format!("{pim}/assignmentSchedules?$filter={filter}")).await;
        let pim_managed = !eligible.is_empty() || !assigned.is_empty();
        let time_bound: BTreeSet<String> = assigned
            .iter()
            .filter(|a| matches!(s(a, "/scheduleInfo/expiration/type").as_str(), "afterdatetime" | "afterduration"))
            .map(|a| s(a, "/principalId"))
            .collect();
        let mut standing = Vec::new();
        for m in self.all(&self.graph, &format!("/v1.0/groups/{id}/members")).await {
            let mid = s(&m, "/id");
            if pim_managed && time_bound.contains(&mid) {
                continue;
            }
            standing.push(mid.clone());
            if s(&m, "/@odata.type") == "#microsoft.graph.group" {
                let nested = Box::pin(self.group(&mid)).await.standing_members.clone();
                standing.extend(nested);
            }
        }
        let f = q(&format!("scopeId eq '{id}' and scopeType eq 'Group' and roleDefinitionId eq 'member'"));
        let url = format!(
            "/v1.0/policies/roleManagementPolicyAssignments?$filter={f}&$expand={}",
            q("policy($expand=rules)")
        );
        let policy = self.all(&self.graph, &url).await.first().map(|p| {
            let rules = p["policy"]["rules"].as_array().unwrap();
            let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
            (
                hours(rule("Expiration_EndUser_Assignment")["maximumDuration"].as_str().unwrap()),
                rule("Approval_EndUser_Assignment")["setting"]["isApprovalRequired"] == true,
                strings(rule("Enablement_EndUser_Assignment"), "/enabledRules")
                    .contains(&"multifactorauthentication".into()),
            )
        });
        Group { standing_members: standing, pim_managed, policy }
    }
}

#[tokio::test]
async fn demo_identity_scenes() {
    let kit = Kit::with(Estate::demo(), crate::MockOptions { page_size: 3, ..Default::default() });
    let (arm, graph) = (kit.token(ARM), kit.token(GRAPH));
    let mut scan = Scan { kit, arm, graph, roles: HashMap::new(), groups: HashMap::new() };
    let policies = scan.all(&scan.graph, "/v1.0/identity/conditionalAccess/policies").await;
    let mut failures: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();

    // IDN-005, on the tenant.
    let enabled: Vec<&Value> = policies.iter().filter(|p| p["state"] == "enabled").collect();
    let sign_in_risk =
        enabled.iter().any(|p| strings(p, "/conditions/signInRiskLevels").iter().any(|l| l == "high" || l == "medium"));
    let user_risk = enabled.iter().any(|p| strings(p, "/conditions/userRiskLevels").contains(&"high".into()));
    assert!(sign_in_risk && !user_risk);
    failures.entry("tenant".into()).or_default().insert("IDN-005");

    let subs = scan.all(&scan.arm, "/subscriptions?api-version=2022-12-01").await;
    for sub in subs {
        let sid = sub["subscriptionId"].as_str().unwrap().to_string();
        let base = format!("/subscriptions/{sid}/providers");
        let clusters = scan
            .all(&scan.arm, &format!("{base}/Microsoft.ContainerService/managedClusters?api-version=2026-08-01"))
            .await;
        let assignments = scan
            .all(
                &scan.arm,
                &format!("{base}/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()"),
            )
            .await;
        let eligible = scan
            .all(
                &scan.arm,
                &format!("{base}/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01"),
            )
            .await;
        let instances = scan
            .all(
                &scan.arm,
                &format!("{base}/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01"),
            )
            .await;
        for c in clusters {
            let name = c["name"].as_str().unwrap().to_string();
            let cid = c["id"].as_str().unwrap();
            let local_accounts = c["properties"]["disableLocalAccounts"] != true;
            let mut fails = BTreeSet::new();
            // (principal id, type, role is admin-capable, standing assignment, delegation without condition)
            let mut admin_groups: BTreeSet<String> =
                strings(&c, "/properties/aadProfile/adminGroupObjectIDs").into_iter().collect();
            let mut admin_users = BTreeSet::new();
            let mut standing_groups: BTreeSet<String> = admin_groups.clone();
            let grants = assignments.iter().map(|a| (a, false)).chain(eligible.iter().map(|e| (e, true)));
            for (a, is_eligible) in grants.collect::<Vec<_>>() {
                if !covers(&s(a, "/properties/scope"), cid) {
                    continue;
                }
                let role = scan.role(a["properties"]["roleDefinitionId"].as_str().unwrap()).await;
                let guid = s(&role, "/name");
                let perms = &role["properties"]["permissions"][0];
                let capable = [OWNER, CONTRIBUTOR, AKS_RBAC_CLUSTER_ADMIN, AKS_RBAC_ADMIN].contains(&guid.as_str())
                    || (guid == AKS_CLUSTER_ADMIN_ROLE && local_accounts)
                    || strings(perms, "/dataActions")
                        .iter()
                        .any(|d| d.starts_with("microsoft.containerservice/managedclusters/*"))
                    || strings(perms, "/actions").iter().any(|d| d.ends_with("listclusteradmincredential/action"));
                let delegation = [UAA, RBAC_ADMIN, OWNER].contains(&guid.as_str());
                if delegation && a["properties"]["condition"].is_null() {
                    fails.insert("IDN-011");
                }
                if !capable {
                    continue;
                }
                let time_bound = instances.iter().any(|i| {
                    s(i, "/properties/originRoleAssignmentId") == s(a, "/id")
                        && !i["properties"]["endDateTime"].is_null()
                });
                let standing = !is_eligible && !time_bound;
                let principal = s(a, "/properties/principalId");
                match s(a, "/properties/principalType").as_str() {
                    "group" => {
                        admin_groups.insert(principal.clone());
                        if standing {
                            standing_groups.insert(principal);
                        }
                    }
                    _ => {
                        admin_users.insert(principal);
                        if standing {
                            fails.insert("IDN-006");
                        }
                    }
                }
            }
            for g in &admin_groups {
                let group = scan.group(g).await;
                if standing_groups.contains(g) && !group.standing_members.is_empty() {
                    fails.insert("IDN-006");
                }
                if !group.pim_managed {
                    fails.insert("IDN-007");
                }
                if let Some((max, approval, mfa)) = group.policy {
                    if max > 8.0 {
                        fails.insert("IDN-008");
                    }
                    if !approval {
                        fails.insert("IDN-009");
                    }
                    if !mfa {
                        fails.insert("IDN-010");
                    }
                }
            }
            // Conditional Access: the policies that would cover the cluster's admins.
            let would_cover = |p: &Value| {
                let apps = strings(p, "/conditions/applications/includeApplications");
                let app = (apps.contains(&AKS_APP.into()) || apps.contains(&"all".into()))
                    && !strings(p, "/conditions/applications/excludeApplications").contains(&AKS_APP.into());
                let users = strings(p, "/conditions/users/includeUsers");
                let groups = strings(p, "/conditions/users/includeGroups");
                let excluded: Vec<String> =
                    [strings(p, "/conditions/users/excludeUsers"), strings(p, "/conditions/users/excludeGroups")]
                        .concat();
                let all = users.contains(&"all".into());
                let who = all
                    || (admin_users.iter().all(|u| users.contains(u))
                        && admin_groups.iter().all(|g| groups.contains(g)));
                let none_excluded = !admin_users.iter().chain(&admin_groups).any(|x| excluded.contains(x));
                app && who && none_excluded && !(admin_users.is_empty() && admin_groups.is_empty())
            };
            let covering: Vec<&Value> = policies.iter().filter(|p| p["state"] == "enabled" && would_cover(p)).collect();
            let controls = |p: &Value| strings(p, "/grantControls/builtInControls");
            if !covering.iter().any(|p| {
                controls(p)
                    .iter()
                    .any(|c| ["mfa", "compliantdevice", "domainjoineddevice", "block"].contains(&c.as_str()))
            }) {
                fails.insert("IDN-001");
            }
            if covering.is_empty() && policies.iter().any(|p| p["state"] != "enabled" && would_cover(p)) {
                fails.insert("IDN-002");
            }
            if !covering.iter().any(|p| {
                let c = controls(p);
                let device = c.iter().any(|x| x == "compliantdevice" || x == "domainjoineddevice");
                device && (p["grantControls"]["operator"] == "AND" || c.len() == 1)
            }) {
                fails.insert("IDN-003");
            }
            if !covering.iter().any(|p| {
                let f = &p["sessionControls"]["signInFrequency"];
                let h = f["value"].as_f64().unwrap_or(f64::MAX) * if f["type"] == "days" { 24.0 } else { 1.0 };
                f["isEnabled"] == true && h <= 8.0
            }) {
                fails.insert("IDN-004");
            }
            failures.insert(name, fails);
        }
    }

    let want: BTreeMap<String, BTreeSet<&str>> = [
        ("tenant", vec!["IDN-005"]),
        ("aks-prod-hardened", vec![]),
        ("aks-payments", vec!["IDN-001", "IDN-002", "IDN-003", "IDN-004", "IDN-006", "IDN-007", "IDN-011"]),
        ("aks-internal-tools", vec!["IDN-001", "IDN-003", "IDN-004", "IDN-006", "IDN-011"]),
        ("aks-legacy-2021", vec!["IDN-001", "IDN-003", "IDN-004", "IDN-006", "IDN-007"]),
        ("aks-dev-shared", vec!["IDN-003", "IDN-004", "IDN-008", "IDN-009", "IDN-010"]),
        ("aks-dev-sandbox", vec!["IDN-003", "IDN-004", "IDN-008", "IDN-009", "IDN-010"]),
        ("aks-ml-gpu", vec!["IDN-003", "IDN-004", "IDN-007"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().collect()))
    .collect();
    assert_eq!(failures, want);
    let every: BTreeSet<&str> = failures.values().flatten().copied().collect();
    assert_eq!(every.len(), 11, "IDN-001…IDN-011 each fail somewhere: {every:?}");

    // Each group's Graph data was read once, though dev-admins covers two clusters.
    let c = scan.kit.state.counters();
    let dev_admins = "677f9acd-f900-43a7-aad6-75a8da33314d";
    for op in [
        "listGroupMembers",
        "listGroupEligibilitySchedules",
        "listGroupAssignmentSchedules",
        "listRoleManagementPolicyAssignments",
    ] {
        assert_eq!(c[&format!("{op}@{dev_admins}")], 1, "{op}");
    }
    assert_eq!(c["listGroupMembers@dbceb7fa-a576-4a03-bf1d-a1dfecad96af"], 1, "the nested payments-oncall");
    assert!(!c.keys().any(|k| k.ends_with(":fault") || k.ends_with(":throttled")));
}

#[test]
fn demo_directory_is_complete() {
    let e = Estate::demo();
    let t = &e.entra.tenants[0];
    assert_eq!(t.tenant_id, "7d1c9a52-4b1e-4e8f-9a3c-2f6b8e0d1c35");
    // The demo client is also a service principal; every group member resolves.
    let client = &t.clients[0].client_id;
    assert!(t.service_principals.iter().any(|sp| sp["appId"] == client.as_str()));
    for name in [
        "aks-platform-admins",
        "payments-admins",
        "payments-oncall",
        "legacy-ops",
        "dev-admins",
        "ml-admins",
        "Security Operations",
    ] {
        assert!(t.groups.iter().any(|g| g["displayName"] == name), "{name}");
    }
    assert!(t.group("3c8e1f2a-7b4d-4e6f-8a9c-0d1e2f3a4b5c").is_some());
    assert!(t.group("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").is_some());
    // The delegation condition is the real ABAC form, version 2.0.
    let sub = e.subscription("4f1c2d3e-0000-4000-8000-00000000a001").unwrap();
    let secops = sub.role_assignments.iter().find(|a| a["properties"]["condition"].is_string()).unwrap();
    assert_eq!(secops["properties"]["conditionVersion"], "2.0");
    assert!(secops["properties"]["condition"].as_str().unwrap().contains(
        "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7"
    ));
    assert!(e.azure.role_definitions.iter().any(|r| r["properties"]["roleName"] == "ML Cluster Operator"));
}
