//! Shared e2e harness: a mock cloud on a background runtime, and the built binary run against it.
#![allow(dead_code)]

use assert_cmd::Command;
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use serde_json::{Value, json};
use std::path::PathBuf;

pub mod aws;
pub mod entra;

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
pub const SECRET: &str = "s3cr3t-Value-That-Must-Never-Be-Printed";
pub const SUB_A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub const SUB_B: &str = "bbbbbbbb-0000-0000-0000-000000000002";

pub struct Mock {
    pub rt: tokio::runtime::Runtime,
    pub cloud: Option<MockCloud>,
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
}

impl Mock {
    pub fn start(estate: Value, opts: MockOptions) -> Mock {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("mock-ca.pem");
        let estate = Estate::from_yaml(&estate.to_string()).expect("test estate parses");
        let cloud = rt
            .block_on(MockCloud::start(estate, MockOptions { ca_pem_path: Some(ca.clone()), ..opts }))
            .expect("mock starts");
        Mock { rt, cloud: Some(cloud), dir, ca }
    }

    pub fn url(&self) -> String {
        self.cloud.as_ref().unwrap().url()
    }

    pub fn counters(&self) -> std::collections::BTreeMap<String, u64> {
        self.cloud.as_ref().unwrap().counters()
    }

    /// `kubeposture scan` against this mock with the client-secret credential from the environment.
    pub fn scan(&self, secret: &str, args: &[&str]) -> std::process::Output {
        let url = self.url();
        Command::cargo_bin("kubeposture")
            .unwrap()
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_CLIENT_ID", CLIENT)
            .env("AZURE_CLIENT_SECRET", secret)
            .args(["scan", "--quiet", "--azure-credential", "client-secret", "--ca-cert"])
            .arg(&self.ca)
            .args(["--authority-host", &url, "--arm-endpoint", &url, "--graph-endpoint", &url])
            .args(args)
            .timeout(std::time::Duration::from_secs(240))
            .output()
            .unwrap()
    }

    /// `kubeposture scan --cloud aws` against this mock with the given keys; `roles` are assumed
    /// (each with the test external id).
    pub fn scan_aws(&self, akid: &str, secret: &str, roles: &[&str], args: &[&str]) -> std::process::Output {
        let url = self.url();
        let mut cmd = Command::cargo_bin("kubeposture").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", akid)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HOME", self.dir.path())
            .args(["scan", "--quiet", "--cloud", "aws", "--aws-endpoint-url", &url, "--ca-cert"])
            .arg(&self.ca);
        // The external id applies to assumed roles only (without any it is a usage error).
        if !roles.is_empty() || args.contains(&"--aws-organization") {
            cmd.args(["--aws-external-id", aws::EXTERNAL_ID]);
        }
        for r in roles {
            cmd.args(["--aws-role-arn", r]);
        }
        cmd.args(args).timeout(std::time::Duration::from_secs(240)).output().unwrap()
    }

    /// An AWS scan's JSON report.
    pub fn scan_aws_json(&self, roles: &[&str], args: &[&str]) -> (i32, Value, String) {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        parse_report(self.scan_aws(aws::AKID, aws::SECRET, roles, &a))
    }

    /// Scan and parse the JSON report.
    pub fn scan_json(&self, args: &[&str]) -> (i32, Value, String) {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        parse_report(self.scan(SECRET, &a))
    }
}

fn parse_report(out: std::process::Output) -> (i32, Value, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// The finding of `check` on the resource named `name`.
pub fn finding(report: &Value, check: &str, name: &str) -> Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == check && f["resource"]["name"] == name)
        .unwrap_or_else(|| panic!("no {check} finding on {name}"))
        .clone()
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(c) = self.cloud.take() {
            self.rt.block_on(c.shutdown());
        }
    }
}

/// A realistic ARM managedCluster body; `props` is merged over a hardened baseline.
pub fn aks(sub: &str, rg: &str, name: &str, location: &str, props: Value) -> Value {
    let mut base = json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"),
        "name": name,
        "type": "Microsoft.ContainerService/ManagedClusters",
        "location": location,
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "provisioningState": "Succeeded",
            "kubernetesVersion": "1.31.2",
            "currentKubernetesVersion": "1.31.2",
            "enableRBAC": true,
            "disableLocalAccounts": true,
            "aadProfile": {"managed": true, "enableAzureRBAC": true, "adminGroupObjectIDs": []},
            "apiServerAccessProfile": {"enablePrivateCluster": true},
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"},
            "agentPoolProfiles": [{"name": "system", "mode": "System", "osType": "Linux", "enableEncryptionAtHost": true}],
            "oidcIssuerProfile": {"enabled": true},
            "securityProfile": {"workloadIdentity": {"enabled": true}, "azureKeyVaultKms": {"enabled": true},
                                "defender": {"securityMonitoring": {"enabled": true}}},
            "addonProfiles": {"azurepolicy": {"enabled": true}, "azureKeyvaultSecretsProvider": {"enabled": true}},
            "autoUpgradeProfile": {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"}
        }
    });
    if let (Some(p), Some(o)) = (base["properties"].as_object_mut(), props.as_object()) {
        for (k, v) in o {
            p.insert(k.clone(), v.clone());
        }
    }
    base
}

pub fn versions() -> Value {
    json!({"values": [
        {"version": "1.30", "isPreview": false, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.30.5": {"upgrades": ["1.31.2"]}}},
        {"version": "1.31", "isDefault": true, "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.31.2": {"upgrades": []}}}
    ]})
}

/// An estate of two subscriptions in one tenant with the given clusters and faults.
pub fn estate(sub_a: Vec<Value>, sub_b: Vec<Value>, faults: Value) -> Value {
    json!({
        "estate": "v1",
        "entra": {"tenants": [{"tenantId": TENANT, "clients": [{"clientId": CLIENT, "clientSecret": SECRET}]}]},
        "azure": {
            "kubernetesVersions": {"westeurope": versions(), "eastus": versions()},
            "subscriptions": [
                {"subscriptionId": SUB_A, "tenantId": TENANT, "displayName": "Prod", "managedClusters": sub_a},
                {"subscriptionId": SUB_B, "tenantId": TENANT, "displayName": "Dev", "managedClusters": sub_b}
            ]
        },
        "faults": faults
    })
}

/// Findings as (check, cluster, status) triples, for comparing runs.
pub fn triples(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_string(),
                f["resource"]["id"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
