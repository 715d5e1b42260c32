use crate::MockOptions;
use crate::estate::Estate;
use crate::testkit::{ARM, GRAPH, Kit, q};
use axum::http::Method;
use serde_json::{Value, json};

const T: &str = "11111111-0000-4000-8000-000000000001";
const ADMINS: &str = "22222222-0000-4000-8000-0000000000a1";
const ONCALL: &str = "22222222-0000-4000-8000-0000000000a2";
const EMPTY: &str = "22222222-0000-4000-8000-0000000000a3";
const ALICE: &str = "33333333-0000-4000-8000-000000000001";
const BOB: &str = "33333333-0000-4000-8000-000000000002";
const CAROL: &str = "33333333-0000-4000-8000-000000000003";
const SP: &str = "44444444-0000-4000-8000-000000000001";

fn estate_yaml(faults: &str) -> String {
    format!(
        r##"
estate: v1
entra:
  tenants:
    - tenantId: {T}
      clients: [{{clientId: c, clientSecret: s}}]
      users:
        - {{id: {ALICE}, displayName: Alice, userPrincipalName: alice@contoso.com, userType: Member}}
        - {{id: {BOB}, displayName: Bob, userPrincipalName: bob@contoso.com, userType: Guest, externalUserState: Accepted}}
        - {{id: {CAROL}, displayName: Carol, userPrincipalName: carol@contoso.com}}
      groups:
        - {{id: {ADMINS}, displayName: admins, securityEnabled: true, mailEnabled: false, members: [{ALICE}, {ONCALL}, {SP}]}}
        - {{id: {ONCALL}, displayName: oncall, securityEnabled: true, members: [{BOB}]}}
        - {{id: {EMPTY}, displayName: empty, securityEnabled: true}}
      servicePrincipals:
        - {{id: {SP}, appId: 55555555-0000-4000-8000-000000000001, displayName: deployer}}
      directoryRoles:
        - {{id: role-ga, displayName: Global Administrator, roleTemplateId: 62e90394-69f5-4237-9190-012177145e10, members: [{ALICE}]}}
        - {{id: role-gr, displayName: Global Reader, roleTemplateId: f2ef992c-3afb-46b9-b7cf-a126ee74c451, members: [{ONCALL}]}}
      roleManagement:
        directory:
          roleEligibilityScheduleInstances:
            - {{id: re1, principalId: {CAROL}, roleDefinitionId: 62e90394-69f5-4237-9190-012177145e10, directoryScopeId: /, memberType: Direct}}
            - {{id: re2, principalId: {ONCALL}, roleDefinitionId: 194ae4cb-b126-40b2-bd5b-6091b380977d, directoryScopeId: /, memberType: Direct}}
      conditionalAccessPolicies:
        - {{id: ca-1, displayName: one, state: enabled}}
        - {{id: ca-2, displayName: two, state: disabled}}
        - {{id: ca-3, displayName: three, state: enabledForReportingButNotEnforced}}
      privilegedAccess:
        eligibilitySchedules:
          - {{id: e1, accessId: member, groupId: {ADMINS}, principalId: {CAROL}, memberType: Direct}}
          - {{id: e2, accessId: owner, groupId: {ADMINS}, principalId: {BOB}, memberType: Direct}}
          - {{id: e3, accessId: member, groupId: {ONCALL}, principalId: {CAROL}, memberType: Direct}}
        assignmentSchedules:
          - id: a1
            accessId: member
            groupId: {ADMINS}
            principalId: {ALICE}
            scheduleInfo: {{expiration: {{type: noExpiration}}}}
        roleManagementPolicyAssignments:
          - id: Group_{ADMINS}_p1_member
            policyId: Group_{ADMINS}_p1
            scopeId: {ADMINS}
            scopeType: Group
            roleDefinitionId: member
            policy:
              id: Group_{ADMINS}_p1
              scopeId: {ADMINS}
              scopeType: Group
              rules:
                - {{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", id: Expiration_EndUser_Assignment, maximumDuration: PT4H}}
          - id: Group_{ADMINS}_p2_owner
            policyId: Group_{ADMINS}_p2
            scopeId: {ADMINS}
            scopeType: Group
            roleDefinitionId: owner
            policy: {{id: Group_{ADMINS}_p2, rules: []}}
          - id: Group_{ONCALL}_p3_member
            policyId: Group_{ONCALL}_p3
            scopeId: {ONCALL}
            scopeType: Group
            roleDefinitionId: member
            policy: {{id: Group_{ONCALL}_p3, rules: []}}
faults: {faults}
"##
    )
}

fn kit() -> Kit {
    Kit::new(&estate_yaml("[]"))
}

fn kit_with(faults: &str, opts: MockOptions) -> Kit {
    Kit::with(Estate::from_yaml(&estate_yaml(faults)).unwrap(), opts)
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["id"].as_str().unwrap_or("")).collect()
}

#[tokio::test]
async fn wants_a_graph_token_and_answers_graph_errors() {
    let k = kit();
    let a = k.send(Method::GET, None, "/v1.0/groups/x", "").await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(a.body["error"]["message"], "Access token is empty.");
    let inner = &a.body["error"]["innerError"];
    assert!(inner["date"].as_str().is_some_and(|d| d.len() == 19 && d.contains('T')), "{inner}");
    let rid = inner["request-id"].as_str().unwrap();
    assert_eq!(inner["client-request-id"], rid);
    assert_eq!(a.headers["request-id"], rid);

    let arm = k.token(ARM);
    let a = k.get(&arm, "/v1.0/groups/x").await;
    assert_eq!(
        (a.status, a.body["error"]["message"].as_str()),
        (401, Some("Access token validation failure. Invalid audience."))
    );

    let t = k.token(GRAPH);
    let a = k.get(&t, "/v1.0/users").await;
    assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("BadRequest")));
    assert_eq!(a.body["error"]["message"], "Resource not found for the segment 'users'.");
    let a = k.send(Method::GET, Some(&t), "/v1.0/directoryObjects/getByIds", "").await;
    assert_eq!(a.status, 405);
    assert_eq!(k.counter("getGroup"), 0, "refused before any operation");
}

#[tokio::test]
async fn conditional_access_policies_page_with_skiptoken() {
    let k = kit_with("[]", MockOptions { page_size: 2, ..Default::default() });
    let t = k.token(GRAPH);
    let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies").await;
    assert_eq!(a.status, 200);
    assert!(a.headers["content-type"].to_str().unwrap().starts_with("application/json;odata.metadata=minimal"));
    assert_eq!(a.body["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#conditionalAccess/policies");
    assert_eq!(ids(a.body["value"].as_array().unwrap()), ["ca-1", "ca-2"]);
    let next = a.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with("https://127.0.0.1:1/v1.0/identity/conditionalAccess/policies?$skiptoken="), "{next}");
    let (all, pages) = k.get_all(&t, "/v1.0/identity/conditionalAccess/policies").await;
    assert_eq!((ids(&all), pages), (vec!["ca-1", "ca-2", "ca-3"], 2));
    // `$top` overrides the page size; `$select` trims and shows in the context.
    let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies?$top=1&$select=id,state").await;
    assert_eq!(a.body["value"], json!([{"id": "ca-1", "state": "enabled"}]));
    assert_eq!(
        a.body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#conditionalAccess/policies(id,state)"
    );
    let next = a.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("$top=1") && next.contains("$select=id,state"), "{next}");
    assert_eq!(k.get(&t, next).await.body["value"], json!([{"id": "ca-2", "state": "disabled"}]));
    let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies?$top=0").await;
    assert_eq!(a.status, 400);
    let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies/CA-2").await;
    assert_eq!(
        a.body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#conditionalAccess/policies/$entity"
    );
    assert_eq!(a.body["displayName"], "two");
    assert_eq!(k.get(&t, "/v1.0/identity/conditionalAccess/policies/nope").await.status, 404);
    assert_eq!(k.counter("listConditionalAccessPolicies"), 5, "the $top=0 call is refused before the operation");
    assert_eq!(k.counter("getConditionalAccessPolicy"), 2);
}

#[tokio::test]
async fn groups_without_the_estate_members_key() {
    let k = kit();
    let t = k.token(GRAPH);
    let a = k.get(&t, &format!("/v1.0/groups/{}", ADMINS.to_uppercase())).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity", "id": ADMINS, "displayName": "admins", "securityEnabled": true, "mailEnabled": false})
    );
    let a = k.get(&t, &format!("/v1.0/groups/{ADMINS}?$select=id,displayName")).await;
    assert_eq!(
        a.body,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)/$entity", "id": ADMINS, "displayName": "admins"})
    );
    let missing = "99999999-0000-4000-8000-000000000000";
    let a = k.get(&t, &format!("/v1.0/groups/{missing}")).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(
        a.body["error"]["message"],
        format!(
            "Resource '{missing}' does not exist or one of its queried reference-property objects are not present."
        )
    );
    // A user is not a group.
    assert_eq!(k.get(&t, &format!("/v1.0/groups/{ALICE}")).await.status, 404);
    assert_eq!(k.counter("getGroup"), 4);
    assert_eq!(k.counter(&format!("getGroup@{ADMINS}")), 1, "the @ counter uses the id as requested");
    assert_eq!(k.counter(&format!("getGroup@{}", ADMINS.to_uppercase())), 1);
}

#[tokio::test]
async fn transitive_member_of_follows_nested_groups() {
    let k = kit_with("[]", MockOptions::default());
    let t = k.token(GRAPH);
    let ids = |v: &Value| -> Vec<String> {
        v["value"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap().to_string()).collect()
    };
    let bob = k.get(&t, &format!("/v1.0/users/{BOB}/transitiveMemberOf?$select=id")).await;
    assert_eq!(
        ids(&bob.body),
        vec![ONCALL.to_string(), ADMINS.to_string(), "role-gr".to_string()],
        "oncall, then admins through it, then the role oncall holds"
    );
    // Directory roles come beside the groups, typed, with their template id (through a group too).
    let alice = k.get(&t, &format!("/v1.0/users/{ALICE}/transitiveMemberOf?$select=id,roleTemplateId")).await;
    let roles: Vec<&Value> = alice.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["@odata.type"] == "#microsoft.graph.directoryRole")
        .collect();
    assert_eq!(
        roles,
        [
            &json!({"@odata.type": "#microsoft.graph.directoryRole", "id": "role-ga", "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"})
        ]
    );
    let bob_roles: Vec<String> = bob.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["roleTemplateId"].as_str().map(String::from))
        .collect();
    assert!(bob_roles.is_empty(), "$select=id leaves roleTemplateId out");
    let carol = k.get(&t, &format!("/v1.0/users/{CAROL}/transitiveMemberOf")).await;
    assert_eq!(ids(&carol.body), Vec::<String>::new(), "eligibility is not membership");
    assert_eq!(k.get(&t, &format!("/v1.0/users/{ONCALL}/transitiveMemberOf")).await.status, 404);
    assert_eq!(k.counter("listTransitiveMemberOf"), 4);
}

#[tokio::test]
async fn directory_role_eligibility_lists_and_filters() {
    let k = kit_with(
        &format!(
            "[{{operation: listTransitiveMemberOf, principal: {CAROL}, status: 403, code: Authorization_RequestDenied}}]"
        ),
        MockOptions { page_size: 1, ..Default::default() },
    );
    let t = k.token(GRAPH);
    let path = "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances";
    let (all, pages) = k.get_all(&t, path).await;
    assert_eq!((ids(&all), pages), (vec!["re1", "re2"], 2));
    let a = k.get(&t, &format!("{path}?$filter={}", q(&format!("principalId eq '{CAROL}'")))).await;
    assert_eq!(ids(a.body["value"].as_array().unwrap()), ["re1"]);
    assert_eq!(k.get(&t, &format!("/v1.0/users/{CAROL}/transitiveMemberOf")).await.status, 403, "fault by principal");
    assert_eq!(k.get(&t, &format!("/v1.0/users/{ALICE}/transitiveMemberOf")).await.status, 200);
}

#[tokio::test]
async fn members_are_typed_directory_objects_paged() {
    let k = kit_with("[]", MockOptions { page_size: 2, ..Default::default() });
    let t = k.token(GRAPH);
    let path = format!("/v1.0/groups/{ADMINS}/members");
    let a = k.get(&t, &path).await;
    assert_eq!(a.body["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
    assert_eq!(
        a.body["value"],
        json!([
            {"@odata.type": "#microsoft.graph.user", "id": ALICE, "displayName": "Alice", "userPrincipalName": "alice@contoso.com"},
            {"@odata.type": "#microsoft.graph.group", "id": ONCALL, "displayName": "oncall", "securityEnabled": true},
        ])
    );
    let (all, pages) = k.get_all(&t, &path).await;
    assert_eq!(pages, 2);
    assert_eq!(
        all[2],
        json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": SP, "appId": "55555555-0000-4000-8000-000000000001", "displayName": "deployer"})
    );
    let a = k.get(&t, &format!("{path}?$select=id")).await;
    assert_eq!(a.body["value"][1], json!({"@odata.type": "#microsoft.graph.group", "id": ONCALL}));
    let a = k.get(&t, &format!("/v1.0/groups/{EMPTY}/members")).await;
    assert_eq!((a.status, a.body["value"].clone()), (200, json!([])));
    assert!(a.body.get("@odata.nextLink").is_none());
    assert_eq!(k.get(&t, "/v1.0/groups/nope/members").await.status, 404);
    // A skip token of another list is refused.
    let ca = k.get(&t, "/v1.0/identity/conditionalAccess/policies").await;
    let token = ca.body["@odata.nextLink"].as_str().unwrap().split("$skiptoken=").nth(1).unwrap().to_string();
    let a = k.get(&t, &format!("{path}?$skiptoken={token}")).await;
    assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("Directory_ExpiredPageToken")));
    assert_eq!(k.counter(&format!("listGroupMembers@{ADMINS}")), 4);
    assert_eq!(k.counter(&format!("listGroupMembers@{EMPTY}")), 1);
}

#[tokio::test]
async fn pim_schedules_need_a_group_or_principal_filter() {
    let k = kit();
    let t = k.token(GRAPH);
    for list in ["eligibilitySchedules", "assignmentSchedules"] {
        let base = format!("/v1.0/identityGovernance/privilegedAccess/group/{list}");
        let a = k.get(&t, &base).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("BadRequest")), "{list}");
        assert!(a.body["error"]["message"].as_str().unwrap().contains("requires the $filter (eq) query parameter"));
        let a = k.get(&t, &format!("{base}?$filter={}", q("accessId eq 'member'"))).await;
        assert_eq!(a.status, 400, "another property does not scope the list");
        let a = k.get(&t, &format!("{base}?$filter={}", q("groupId eq '"))).await;
        assert_eq!(a.status, 400);
        assert!(a.body["error"]["message"].as_str().unwrap().starts_with("Invalid filter clause"));
    }
    let elig = "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules";
    let a = k.get(&t, &format!("{elig}?$filter={}", q(&format!("groupId eq '{ADMINS}'")))).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/privilegedAccess/group/eligibilitySchedules"
    );
    assert_eq!(ids(a.body["value"].as_array().unwrap()), ["e1", "e2"]);
    // `filter` without `$`, principalId, and both with `and`.
    let a = k.get(&t, &format!("{elig}?filter={}", q(&format!("principalId eq '{CAROL}'")))).await;
    assert_eq!(ids(a.body["value"].as_array().unwrap()), ["e1", "e3"]);
    let f = format!("groupId eq '{ADMINS}' AND principalId eq '{}' and accessId eq 'member'", CAROL.to_uppercase());
    let a = k.get(&t, &format!("{elig}?$filter={}&$select=id,accessId", q(&f))).await;
    assert_eq!(a.body["value"], json!([{"id": "e1", "accessId": "member"}]));
    let assign = "/v1.0/identityGovernance/privilegedAccess/group/assignmentSchedules";
    let a = k.get(&t, &format!("{assign}?$filter={}", q(&format!("groupId eq '{ADMINS}'")))).await;
    assert_eq!(ids(a.body["value"].as_array().unwrap()), ["a1"]);
    // `$expand=principal`: each schedule with its principal as a typed directory object.
    let a = k.get(&t, &format!("{elig}?$filter={}&$expand=principal", q(&format!("groupId eq '{ADMINS}'")))).await;
    assert_eq!(a.status, 200);
    let first = &a.body["value"][0];
    assert_eq!(first["principal"]["id"], first["principalId"]);
    assert!(first["principal"]["@odata.type"].as_str().unwrap().starts_with("#microsoft.graph."));
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("eligibilitySchedules(principal())"));
    let a = k.get(&t, &format!("{elig}?$filter={}&$expand=group", q(&format!("groupId eq '{ADMINS}'")))).await;
    assert_eq!(a.status, 400);
    assert_eq!(k.counter("listGroupEligibilitySchedules"), 8, "the refused calls count too");
    assert_eq!(k.counter(&format!("listGroupEligibilitySchedules@{ADMINS}")), 4);
    assert_eq!(k.counter(&format!("listGroupAssignmentSchedules@{ADMINS}")), 1);
}

#[tokio::test]
async fn policy_assignments_expand_policy_and_rules() {
    let k = kit();
    let t = k.token(GRAPH);
    let base = "/v1.0/policies/roleManagementPolicyAssignments";
    let scoped = format!("scopeId eq '{ADMINS}' and scopeType eq 'Group'");
    assert_eq!(k.get(&t, base).await.status, 400);
    let a = k.get(&t, &format!("{base}?$filter={}", q(&format!("scopeId eq '{ADMINS}'")))).await;
    assert_eq!(a.status, 400, "scopeType is required too");
    // Without $expand: no policy.
    let a = k.get(&t, &format!("{base}?$filter={}", q(&scoped))).await;
    assert_eq!(
        a.body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/roleManagementPolicyAssignments"
    );
    let items = a.body["value"].as_array().unwrap();
    assert_eq!(ids(items), [format!("Group_{ADMINS}_p1_member"), format!("Group_{ADMINS}_p2_owner")]);
    assert!(items.iter().all(|i| i.get("policy").is_none()));
    // policy($expand=rules), narrowed to the member role.
    let f = format!("{scoped} and roleDefinitionId eq 'member'");
    let a = k.get(&t, &format!("{base}?$filter={}&$expand={}", q(&f), q("policy($expand=rules)"))).await;
    assert_eq!(
        a.body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#policies/roleManagementPolicyAssignments(policy(rules()))"
    );
    let items = a.body["value"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["policy"]["rules"][0]["maximumDuration"], "PT4H");
    // $expand=policy: the policy without its rules.
    let a = k.get(&t, &format!("{base}?$filter={}&$expand=policy", q(&f))).await;
    assert_eq!(
        a.body["value"][0]["policy"],
        json!({"id": format!("Group_{ADMINS}_p1"), "scopeId": ADMINS, "scopeType": "Group"})
    );
    let a = k.get(&t, &format!("{base}?$filter={}&$expand=rules", q(&f))).await;
    assert_eq!(a.status, 400);
    assert!(a.body["error"]["message"].as_str().unwrap().contains("Could not find a property named 'rules'"));
    assert_eq!(k.counter(&format!("listRoleManagementPolicyAssignments@{ADMINS}")), 4);
    assert_eq!(k.counter("listRoleManagementPolicyAssignments"), 6);
}

#[tokio::test]
async fn get_by_ids_returns_known_objects_of_the_asked_types() {
    let k = kit();
    let t = k.token(GRAPH);
    let path = "/v1.0/directoryObjects/getByIds";
    let missing = "99999999-0000-4000-8000-000000000000";
    let body = json!({"ids": [SP, missing, ALICE, ADMINS]}).to_string();
    let a = k.send(Method::POST, Some(&t), path, &body).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
    let v = a.body["value"].as_array().unwrap();
    assert_eq!(ids(v), [SP, ALICE, ADMINS]);
    assert_eq!(v[0]["@odata.type"], "#microsoft.graph.servicePrincipal");
    assert_eq!(v[2]["@odata.type"], "#microsoft.graph.group");
    assert!(v[2].get("members").is_none());
    let body = json!({"ids": [SP, ALICE, ADMINS], "types": ["user", "Group"]}).to_string();
    let a = k.send(Method::POST, Some(&t), path, &body).await;
    assert_eq!(ids(a.body["value"].as_array().unwrap()), [ALICE, ADMINS]);
    // Users carry Graph's default properties only (no userType) unless `$select` asks.
    assert!(v[1].get("userType").is_none() && v[1]["userPrincipalName"] == "alice@contoso.com", "{}", v[1]);
    let body = json!({"ids": [ALICE, BOB], "types": ["user"]}).to_string();
    let a = k.send(Method::POST, Some(&t), &format!("{path}?$select=id,userType,externalUserState"), &body).await;
    assert_eq!(
        a.body["value"],
        json!([
            {"@odata.type": "#microsoft.graph.user", "id": ALICE, "userType": "Member"},
            {"@odata.type": "#microsoft.graph.user", "id": BOB, "userType": "Guest", "externalUserState": "Accepted"}
        ])
    );
    for bad in ["not json", "{}", r#"{"ids": "x"}"#, r#"{"ids": ["x"], "types": ["printer"]}"#] {
        let a = k.send(Method::POST, Some(&t), path, bad).await;
        assert_eq!((a.status, a.body["error"]["code"].as_str()), (400, Some("Request_BadRequest")), "{bad}");
    }
    assert_eq!(k.counter("getDirectoryObjectsByIds"), 7);
}

#[tokio::test]
async fn faults_throttling_and_counters() {
    let faults = format!(
        r#"
  - {{operation: listGroupMembers, group: {ADMINS}, status: 403, code: Authorization_RequestDenied}}
  - {{operation: getGroup, status: 404, times: 1}}
  - {{operation: listConditionalAccessPolicies, page: 2, malformed: true}}
  - {{operation: getDirectoryObjectsByIds, tenant: {T}, status: 503}}"#
    );
    let k = kit_with(&faults, MockOptions { page_size: 2, ..Default::default() });
    let t = k.token(GRAPH);
    let a = k.get(&t, &format!("/v1.0/groups/{ADMINS}/members")).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.body["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(a.body["error"]["message"], "Insufficient privileges to complete the operation.");
    assert!(a.body["error"]["innerError"]["request-id"].is_string());
    assert_eq!(k.get(&t, &format!("/v1.0/groups/{ONCALL}/members")).await.status, 200);
    let a = k.get(&t, &format!("/v1.0/groups/{ONCALL}")).await;
    assert_eq!((a.status, a.body["error"]["code"].as_str()), (404, Some("Request_ResourceNotFound")));
    assert!(a.body["error"]["message"].as_str().unwrap().contains(ONCALL));
    assert_eq!(k.get(&t, &format!("/v1.0/groups/{ONCALL}")).await.status, 200, "times: 1");
    let a = k.get(&t, "/v1.0/identity/conditionalAccess/policies").await;
    let a = k.get(&t, a.body["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(a.status, 200);
    assert!(serde_json::from_str::<Value>(&a.text).is_err(), "page 2 is malformed");
    let a = k.send(Method::POST, Some(&t), "/v1.0/directoryObjects/getByIds", r#"{"ids": []}"#).await;
    assert_eq!((a.status, a.body["error"]["code"].as_str()), (503, Some("serviceNotAvailable")));
    let c = k.state.counters();
    assert_eq!(c[&format!("listGroupMembers@{ADMINS}:fault")], 1);
    assert_eq!(c[&format!("listGroupMembers@{ADMINS}")], 1);
    assert_eq!(c[&format!("listGroupMembers@{ONCALL}")], 1);
    assert_eq!(c["listGroupMembers"], 2);
    assert_eq!(c["listConditionalAccessPolicies:fault"], 1);

    // Throttling: 429 TooManyRequests with Retry-After.
    let k = kit_with("[]", MockOptions { throttle_ratio: 1.0, retry_after_secs: 7, ..Default::default() });
    let t = k.token(GRAPH);
    let a = k.get(&t, &format!("/v1.0/groups/{ADMINS}")).await;
    assert_eq!((a.status, a.body["error"]["code"].as_str()), (429, Some("TooManyRequests")));
    assert_eq!(a.headers["retry-after"], "7");
    assert_eq!(k.counter(&format!("getGroup@{ADMINS}:throttled")), 1);
}

#[test]
fn filters_parse_eq_clauses_joined_by_and() {
    use super::parse_filter;
    assert_eq!(
        parse_filter("groupId eq 'a' and  principalId   EQ 'b''c'").unwrap(),
        [("groupId".to_string(), "a".to_string()), ("principalId".to_string(), "b'c".to_string())]
    );
    for bad in
        ["", "groupId", "groupId eq a", "groupId eq 'a' or principalId eq 'b'", "groupId ne 'a'", "groupId eq 'a' and"]
    {
        assert!(parse_filter(bad).is_err(), "{bad}");
    }
}
