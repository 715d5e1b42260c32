//! End to end over fleets: AWS Organizations (`--aws-organization`, `--aws-ou`, `--aws-account`)
//! and Azure management groups (`--management-group`), paged, against the mock.

mod common;

use common::aws::*;
use common::{CLIENT, Mock, SECRET, TENANT, aks};
use kubeposture_mocks::MockOptions;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const MGMT: &str = ACCT_A;
const MEMBER: &str = ACCT_B;
const SUSPENDED: &str = "333333333333";
const NO_ROLE: &str = "444444444444";
const NESTED: &str = "555555555555";
const OTHER: &str = "666666666666";
const WORKLOADS: &str = "ou-ab12-11111111";
const TEAM: &str = "ou-ab12-22222222";

fn one_cluster(account: &str, credentials: bool) -> Value {
    let name = format!("eks-{account}");
    let issuers = vec![issuer(account, "us-east-1", &name)];
    account_with(account, credentials, vec![cluster(account, "us-east-1", &name, json!({}))], &issuers)
}

fn account_with(id: &str, credentials: bool, clusters: Vec<Value>, issuers: &[String]) -> Value {
    account(id, credentials, &[("us-east-1", clusters)], iam(id, issuers, vec![]))
}

/// An organization of six accounts: the management account (the scanner's), an active member,
/// a suspended one (its role works, it must not be scanned), one without the reader role, one
/// in a nested OU, one in another OU.
fn organization() -> Value {
    let mut no_role = one_cluster(NO_ROLE, false);
    no_role["assumableRoles"] = json!([]);
    let mut e = estate(
        vec![
            one_cluster(MGMT, true),
            one_cluster(MEMBER, false),
            one_cluster(SUSPENDED, false),
            no_role,
            one_cluster(NESTED, false),
            one_cluster(OTHER, false),
        ],
        json!([]),
    );
    e["aws"]["organization"] = json!({
        "id": "o-ab12cd34ef",
        "managementAccountId": MGMT,
        "organizationalUnits": [
            {"Id": WORKLOADS, "Name": "Workloads"},
            {"Id": TEAM, "Name": "Team", "Parent": WORKLOADS},
            {"Id": "ou-ab12-33333333", "Name": "Sandbox"}
        ],
        "accounts": [
            {"Id": MGMT, "Name": "management", "Email": "root@example.com", "Status": "ACTIVE"},
            {"Id": MEMBER, "Name": "prod", "Status": "ACTIVE", "Parent": WORKLOADS},
            {"Id": SUSPENDED, "Name": "old", "Status": "SUSPENDED", "Parent": WORKLOADS},
            {"Id": NO_ROLE, "Name": "no-role", "Status": "ACTIVE", "Parent": WORKLOADS},
            {"Id": NESTED, "Name": "team", "Status": "ACTIVE", "Parent": TEAM},
            {"Id": OTHER, "Name": "sandbox", "Status": "ACTIVE", "Parent": "ou-ab12-33333333"}
        ]
    });
    e
}

/// Accounts of the clusters the report scored.
fn scanned_accounts(report: &Value) -> BTreeSet<String> {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "cluster")
        .map(|r| r["account"].as_str().unwrap().to_string())
        .collect()
}

fn not_collected(report: &Value) -> Vec<(String, String)> {
    report["scan"]["not_collected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["scope"].as_str().unwrap().to_string(), n["reason"].as_str().unwrap().to_string()))
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn organization_active_accounts_paged_suspended_skipped_unassumable_not_collected() {
    let mock = Mock::start(organization(), MockOptions { page_size: 2, ..Default::default() });
    let (code, report, stderr) = mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader"]);
    assert_eq!(scanned_accounts(&report), set(&[MGMT, MEMBER, NESTED, OTHER]), "{stderr}");
    let nc = not_collected(&report);
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0].0, format!("role arn:aws:iam::{NO_ROLE}:role/kubeposture-reader"));
    assert!(nc[0].1.contains("AccessDenied"), "{nc:?}");
    assert_eq!(code, 2, "an account not collected makes the exit code 2: {stderr}");
    let counters = mock.counters();
    assert_eq!(counters.get("organizations:ListAccounts"), Some(&3), "6 accounts, 2 a page: {counters:?}");
    let as_suspended: Vec<&String> = counters.keys().filter(|k| k.contains(&format!("@{SUSPENDED}"))).collect();
    assert!(as_suspended.is_empty(), "nothing is called in the suspended account: {as_suspended:?}");
}

/// A `NextToken` of ListAccounts that repeats an earlier page's: the organization's account
/// list is incomplete, so it is not collected (named with the page) — never a shorter list of
/// accounts scanned as if it were the organization.
#[test]
fn organization_list_with_a_repeated_token_is_not_collected_never_shorter() {
    let mut e = organization();
    e["faults"] = json!([{"operation": "organizations:ListAccounts", "page": 2, "repeatToken": true}]);
    let mock = Mock::start(e, MockOptions { page_size: 2, ..Default::default() });
    let (code, report, stderr) = mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader"]);
    let nc = not_collected(&report);
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0].0, "AWS organization");
    assert!(nc[0].1.contains("malformed body on ListAccounts, page 2"), "{nc:?}");
    assert!(nc[0].1.contains("repeats one of an earlier page"), "{nc:?}");
    assert!(scanned_accounts(&report).is_empty(), "no account of a partial list is scanned: {stderr}");
    assert_eq!(code, 2, "{stderr}");

    // Below an OU: the same rule for ListAccountsForParent and ListOrganizationalUnitsForParent.
    for op in ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"] {
        let mut e = organization();
        e["faults"] = json!([{"operation": op, "page": 1, "repeatToken": true}]);
        let mock = Mock::start(e, MockOptions { page_size: 1, ..Default::default() });
        let (code, report, stderr) =
            mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader", "--aws-ou", WORKLOADS]);
        let nc = not_collected(&report);
        assert!(nc.iter().any(|(_, why)| why.contains("repeats one of an earlier page")), "{op}: {nc:?}");
        assert!(scanned_accounts(&report).is_empty(), "{op}: {stderr}");
        assert_eq!(code, 2, "{op}: {stderr}");
    }
}

#[test]
fn organization_narrowed_to_ous_and_accounts() {
    let mock = Mock::start(organization(), MockOptions { page_size: 1, ..Default::default() });
    let (code, report, stderr) =
        mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader", "--aws-ou", WORKLOADS]);
    // Below Workloads, nested Team included; the suspended and role-less ones as before.
    assert_eq!(scanned_accounts(&report), set(&[MEMBER, NESTED]), "{stderr}");
    assert_eq!(code, 2);
    assert!(!mock.counters().contains_key("organizations:ListAccounts"));

    let (code, report, stderr) = mock.scan_aws_json(
        &[],
        &["--aws-organization", "kubeposture-reader", "--aws-account", MEMBER, "--aws-account", SUSPENDED],
    );
    assert_eq!(scanned_accounts(&report), set(&[MEMBER]), "{stderr}");
    let nc = not_collected(&report);
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0].0, format!("account {SUSPENDED}"));
    assert!(nc[0].1.contains("SUSPENDED"), "{nc:?}");
    assert_eq!(code, 2);
}

#[test]
fn organization_listing_denied_outside_management_and_delegated_admins() {
    let mut e = organization();
    // The scanner's keys now belong to a plain member account.
    let mut creds = e["aws"]["accounts"][0].as_object_mut().unwrap().remove("credentials").unwrap();
    creds[0]["arn"] = json!(format!("arn:aws:iam::{MEMBER}:user/scanner"));
    e["aws"]["accounts"][1]["credentials"] = creds;
    let mock = Mock::start(e.clone(), MockOptions::default());
    let (code, report, stderr) = mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader"]);
    let nc = not_collected(&report);
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0].0, "AWS organization");
    assert!(nc[0].1.starts_with("AccessDeniedException (HTTP 400) on ListAccounts"), "{nc:?}");
    assert_eq!(code, 2, "{stderr}");
    drop(mock);

    // A delegated administrator may list it.
    e["aws"]["organization"]["delegatedAdministrators"] = json!([MEMBER]);
    let mock = Mock::start(e, MockOptions::default());
    let (_, report, stderr) = mock.scan_aws_json(&[], &["--aws-organization", "kubeposture-reader"]);
    assert_eq!(scanned_accounts(&report), set(&[MGMT, MEMBER, NESTED, OTHER]), "{stderr}");
}

#[test]
fn organization_flags_are_checked_up_front() {
    let mock = Mock::start(organization(), MockOptions::default());
    for args in [
        &["--aws-organization", "arn:aws:iam::111111111111:role/r"][..],
        &["--aws-organization", "r", "--aws-ou", "nope"][..],
        &["--aws-organization", "r", "--aws-account", "12345"][..],
    ] {
        let out = mock.scan_aws(AKID, common::aws::SECRET, &[], args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

const SUB_PROD: &str = "aaaaaaaa-0000-0000-0000-00000000000a";
const SUB_PLATFORM: &str = "aaaaaaaa-0000-0000-0000-00000000000b";
const SUB_ROOT: &str = "aaaaaaaa-0000-0000-0000-00000000000c";

fn management_groups() -> Value {
    let sub = |id: &str, mg: Option<&str>| {
        let mut s = json!({"subscriptionId": id, "tenantId": TENANT, "displayName": format!("sub {id}"),
                           "managedClusters": [aks(id, "rg", &format!("aks-{}", &id[id.len() - 1..]), "westeurope", json!({}))]});
        if let Some(mg) = mg {
            s["managementGroup"] = json!(mg);
        }
        s
    };
    json!({
        "estate": "v1",
        "entra": {"tenants": [{"tenantId": TENANT, "clients": [{"clientId": CLIENT, "clientSecret": SECRET}]}]},
        "azure": {
            "kubernetesVersions": {"westeurope": common::versions()},
            "managementGroups": [
                {"name": "platform", "tenantId": TENANT, "displayName": "Platform"},
                {"name": "prod", "tenantId": TENANT, "parent": "platform"}
            ],
            "subscriptions": [sub(SUB_PROD, Some("prod")), sub(SUB_PLATFORM, Some("platform")), sub(SUB_ROOT, None)]
        }
    })
}

#[test]
fn management_group_scans_the_subscriptions_below_it_paged() {
    let mock = Mock::start(management_groups(), MockOptions { page_size: 1, ..Default::default() });
    let (code, report, stderr) = mock.scan_json(&["--management-group", "platform"]);
    assert_eq!(scanned_accounts(&report), set(&[SUB_PROD, SUB_PLATFORM]), "{stderr}");
    assert_eq!(report["scan"]["not_collected"], json!([]));
    assert!(code <= 1, "{stderr}");
    // prod group, two subscriptions: three items, one a page.
    assert_eq!(mock.counters().get("listManagementGroupDescendants"), Some(&3));

    // The tenant root group holds everything; an unknown group is not collected.
    let (_, report, _) = mock.scan_json(&["--management-group", TENANT]);
    assert_eq!(scanned_accounts(&report), set(&[SUB_PROD, SUB_PLATFORM, SUB_ROOT]));
    let (code, report, _) = mock.scan_json(&["--management-group", "nope", "--subscription", SUB_ROOT]);
    assert_eq!(scanned_accounts(&report), set(&[SUB_ROOT]));
    let nc = not_collected(&report);
    assert_eq!(nc.len(), 1, "{nc:?}");
    assert_eq!(nc[0].0, "management group nope");
    assert!(nc[0].1.starts_with("AuthorizationFailed (HTTP 403) on listManagementGroupDescendants"), "{nc:?}");
    assert_eq!(code, 2);
}
