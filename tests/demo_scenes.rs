//! The demo estate's documented scenes (the comment above each cluster in
//! `mocks/estates/demo.yaml`), asserted on the scanner's own output: each scene's claims as
//! (check, cluster, status) rows, a few with the words the finding must name, the hardened
//! clusters with no failure anywhere, and every check failing somewhere and passing somewhere.
//! Changing a scene means changing its rows here.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// (cluster, check, status, words the message must contain): what each scene comment says.
const SCENES: &[(&str, &str, &str, &[&str])] = &[
    // aks-payments: "Public API server whose allow-list quietly contains 0.0.0.0/0."
    ("aks-payments", "NET-001", "fail", &["0.0.0.0/0"]),
    ("aks-payments", "NET-003", "fail", &[]),
    // aks-internal-tools: "A private cluster that still publishes a public FQDN."
    ("aks-internal-tools", "NET-001", "pass", &[]),
    ("aks-internal-tools", "NET-003", "pass", &[]),
    ("aks-internal-tools", "NET-004", "fail", &[]),
    // aks-legacy-2021: "no Entra ID, no RBAC, local accounts, a service principal, kubenet, out of support."
    ("aks-legacy-2021", "AUTH-001", "fail", &[]),
    ("aks-legacy-2021", "AUTH-002", "fail", &[]),
    ("aks-legacy-2021", "AUTH-004", "fail", &[]),
    ("aks-legacy-2021", "AUTH-009", "fail", &[]),
    ("aks-legacy-2021", "NET-006", "fail", &[]),
    ("aks-legacy-2021", "CLU-001", "fail", &[]),
    // aks-dev-shared: "An allow-list with a /8 private range and a CGNAT range on a public endpoint;
    // 1.31 only in long-term support, on the LTS plan (not standard support)."
    ("aks-dev-shared", "NET-001", "pass", &[]),
    ("aks-dev-shared", "NET-002", "fail", &[]),
    ("aks-dev-shared", "CLU-001", "fail", &["only in long-term support"]),
    // aks-dev-sandbox: "Partly unknown: the body lacks apiServerAccessProfile and securityProfile,
    // the network policy is a value newer than kubeposture, and diagnostic settings are denied."
    ("aks-dev-sandbox", "NET-001", "fail", &[]),
    ("aks-dev-sandbox", "NET-003", "fail", &[]),
    ("aks-dev-sandbox", "NET-004", "not_applicable", &[]),
    ("aks-dev-sandbox", "CLU-007", "fail", &[]),
    ("aks-dev-sandbox", "NET-006", "unknown", &[]),
    ("aks-dev-sandbox", "CLU-005", "unknown", &[]),
    // aks-ml-gpu: "A preview version in use, Defender on, no policy add-on."
    ("aks-ml-gpu", "CLU-001", "fail", &[]),
    ("aks-ml-gpu", "CLU-007", "pass", &[]),
    ("aks-ml-gpu", "CLU-006", "fail", &[]),
    // eks-prod-public: "Wide open: public endpoint for 0.0.0.0/0 with no private access,
    // CONFIG_MAP auth, no secrets encryption, no control-plane logs, 1.30 in extended support,
    // an OIDC issuer without an IAM OIDC provider, a node group without launch template whose
    // nodes allow IMDSv1, and a node role with AdministratorAccess."
    ("eks-prod-public", "NET-001", "fail", &[]),
    ("eks-prod-public", "NET-005", "fail", &[]),
    ("eks-prod-public", "AUTH-005", "fail", &["CONFIG_MAP"]),
    ("eks-prod-public", "CLU-004", "fail", &[]),
    ("eks-prod-public", "CLU-005", "fail", &[]),
    ("eks-prod-public", "CLU-001", "fail", &[]),
    ("eks-prod-public", "WID-004", "fail", &[]),
    ("eks-prod-public", "NODE-001", "fail", &["node group legacy via instance[", "HttpTokens is optional"]),
    ("eks-prod-public", "NODE-002", "fail", &["AdministratorAccess"]),
    // eks-prod-eu-api: "Public endpoint restricted to one office range, private access disabled;
    // API_AND_CONFIG_MAP with the creator's bootstrap admin, an IAM user with
    // AmazonEKSClusterAdminPolicy, three cluster-admin principals in all; IRSA roles with a
    // system:serviceaccount:* and a namespace wildcard subject; launch template with hop limit 2;
    // the CNI policy on the node role; VPC CNI without network policy."
    ("eks-prod-eu-api", "NET-001", "pass", &[]),
    ("eks-prod-eu-api", "NET-003", "fail", &[]),
    ("eks-prod-eu-api", "NET-005", "fail", &[]),
    ("eks-prod-eu-api", "AUTH-005", "fail", &["API_AND_CONFIG_MAP"]),
    ("eks-prod-eu-api", "AUTH-008", "fail", &[]),
    ("eks-prod-eu-api", "AUTH-006", "fail", &[]),
    ("eks-prod-eu-api", "AUTH-007", "fail", &[]),
    ("eks-prod-eu-api", "WID-001", "fail", &[]),
    ("eks-prod-eu-api", "WID-002", "fail", &[]),
    (
        "eks-prod-eu-api",
        "NODE-001",
        "fail",
        &["name=eks-prod-eu-api-workers,id=lt-0c3d4e5f6a7b80001", "HttpPutResponseHopLimit is 2"],
    ),
    ("eks-prod-eu-api", "NODE-003", "fail", &["AmazonEKS_CNI_Policy"]),
    ("eks-prod-eu-api", "NET-006", "fail", &[]),
    // eks-dev-sandbox: "Public for 0.0.0.0/0 alongside private access; API_AND_CONFIG_MAP with the
    // creator's bootstrap admin; IRSA roles without conditions and for every namespace's
    // `default` service account. kubeposture may not list its access entries (see faults), so
    // those checks come out unknown."
    ("eks-dev-sandbox", "NET-001", "fail", &[]),
    ("eks-dev-sandbox", "NET-005", "pass", &[]),
    ("eks-dev-sandbox", "AUTH-005", "fail", &[]),
    ("eks-dev-sandbox", "AUTH-008", "fail", &[]),
    ("eks-dev-sandbox", "WID-001", "fail", &[]),
    ("eks-dev-sandbox", "AUTH-006", "unknown", &["ListAccessEntries"]),
    ("eks-dev-sandbox", "AUTH-007", "unknown", &["ListAccessEntries"]),
    ("eks-dev-sandbox", "IDN-012", "unknown", &[]),
    // The EC2 access entries' node roles cannot be known either (NODE-002/003).
    ("eks-dev-sandbox", "NODE-002", "unknown", &["ListAccessEntries"]),
    ("eks-dev-sandbox", "NODE-003", "unknown", &["ListAccessEntries"]),
    // eks-dev-batch: "Mostly in order: private endpoint, API auth mode, IMDSv2 hop 1, 1.33; but no
    // secrets encryption config, only the audit log (no authenticator log) and no network policy."
    ("eks-dev-batch", "NET-003", "pass", &[]),
    ("eks-dev-batch", "NET-005", "pass", &[]),
    ("eks-dev-batch", "AUTH-005", "pass", &[]),
    ("eks-dev-batch", "NODE-001", "pass", &[]),
    ("eks-dev-batch", "CLU-001", "pass", &[]),
    ("eks-dev-batch", "CLU-004", "fail", &[]),
    ("eks-dev-batch", "CLU-005", "fail", &[]),
    ("eks-dev-batch", "NET-006", "fail", &[]),
    // eks-dev-eu: "The newest version (1.34), API mode, public endpoint limited to the VPN range
    // plus private access; an IRSA role without an aud condition; no audit logs."
    ("eks-dev-eu", "CLU-001", "pass", &[]),
    ("eks-dev-eu", "AUTH-005", "pass", &[]),
    ("eks-dev-eu", "NET-001", "pass", &[]),
    ("eks-dev-eu", "NET-005", "pass", &[]),
    ("eks-dev-eu", "WID-003", "fail", &["tools-irsa"]),
    ("eks-dev-eu", "CLU-005", "fail", &[]),
];

/// Scenes documented as hardened: nothing fails and nothing is unknown there.
const HARDENED: &[&str] = &["aks-prod-hardened", "eks-prod-hardened"];

/// Checks that cannot show both statuses in the demo, each with why.
const ONE_SIDED: &[(&str, &str)] = &[
    ("IDN-005", "a tenant-scope finding and the demo has one Entra tenant"),
    ("IDN-012", "an inventory: the catalog says it never fails"),
];

fn demo_findings() -> Vec<Value> {
    let out = Command::cargo_bin("kubeposture")
        .unwrap()
        .env_remove("KUBEPOSTURE_LOG")
        .args(["scan", "--demo", "--quiet", "--format", "json", "--fail-on", "never"])
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn resource_name(f: &Value) -> String {
    let r = &f["resource"];
    let key = if r["kind"] == "cluster" { "name" } else { "id" };
    r[key].as_str().unwrap_or_default().to_string()
}

#[test]
fn documented_scenes_show_in_the_scan() {
    let findings = demo_findings();
    let by_key: BTreeMap<(String, String), &Value> = findings
        .iter()
        .map(|f| ((resource_name(f), f["check_id"].as_str().unwrap_or_default().to_string()), f))
        .collect();
    let mut wrong = Vec::new();
    for (cluster, check, status, words) in SCENES {
        let Some(f) = by_key.get(&(cluster.to_string(), check.to_string())) else {
            wrong.push(format!("{cluster} {check}: no finding (the scene expects {status})"));
            continue;
        };
        let (got, message) = (f["status"].as_str().unwrap_or_default(), f["message"].as_str().unwrap_or_default());
        if got != *status {
            wrong.push(format!("{cluster} {check}: {got}, the scene says {status}: {message}"));
        }
        for w in *words {
            if !message.contains(w) {
                wrong.push(format!("{cluster} {check}: the message does not name `{w}`: {message}"));
            }
        }
    }
    for f in &findings {
        let name = resource_name(f);
        let status = f["status"].as_str().unwrap_or_default();
        if HARDENED.contains(&name.as_str()) && (status == "fail" || status == "unknown") {
            wrong.push(format!("{name} is documented as hardened but {} is {status}: {}", f["check_id"], f["message"]));
        }
    }
    assert!(wrong.is_empty(), "the demo's scenes and its scan disagree:\n{}", wrong.join("\n"));
}

#[test]
fn every_check_fails_somewhere_and_passes_somewhere() {
    let findings = demo_findings();
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in &findings {
        seen.entry(f["check_id"].as_str().unwrap_or_default())
            .or_default()
            .insert(f["status"].as_str().unwrap_or_default());
    }
    let one_sided: Vec<String> = seen
        .iter()
        .filter(|(id, s)| {
            let both = s.contains("fail") && s.contains("pass");
            !both && !ONE_SIDED.iter().any(|(c, _)| c == *id)
        })
        .map(|(id, s)| format!("{id}: only {s:?}"))
        .collect();
    assert!(
        one_sided.is_empty(),
        "every check must fail somewhere and pass somewhere in the demo:\n{}",
        one_sided.join("\n")
    );
}
