//! The deployment recipes in `deploy/` parse, and their kubeposture command lines are valid for
//! this CLI (clap's `try_parse_from`), with the settings the README promises.

use crate::cli::{Cli, Command};
use clap::Parser;
use serde_json::Value;
use std::path::PathBuf;

fn deploy(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy").join(path)
}

/// Every document of a multi-document YAML file.
fn documents(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(deploy(path)).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind).unwrap_or_else(|| panic!("no {kind}"))
}

fn scan_args(argv: &[String]) -> crate::cli::ScanArgs {
    let cli = Cli::try_parse_from(std::iter::once("kubeposture".to_string()).chain(argv.iter().cloned()))
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    match cli.command {
        Command::Scan(a) => *a,
        other => panic!("not a scan: {other:?}"),
    }
}

/// Checks one CronJob recipe; returns the scan's arguments.
fn cronjob(path: &str) -> (Vec<Value>, crate::cli::ScanArgs) {
    let docs = documents(path);
    let cj = of_kind(&docs, "CronJob");
    assert_eq!(cj["apiVersion"], "batch/v1");
    assert_eq!(cj["spec"]["concurrencyPolicy"], "Forbid", "two scans of one scope must not overlap");
    let pod = &cj["spec"]["jobTemplate"]["spec"]["template"];
    let sa = of_kind(&docs, "ServiceAccount");
    assert_eq!(pod["spec"]["serviceAccountName"], sa["metadata"]["name"]);
    let c = &pod["spec"]["containers"][0];
    let argv: Vec<String> = c["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
    let args = scan_args(&argv);
    // Reports go to the mounted volume, history to PostgreSQL from a secret (never inline).
    let out = args.output_dir.as_ref().expect("--output-dir").to_str().unwrap().to_string();
    let mounts = c["volumeMounts"].as_array().unwrap();
    assert!(mounts.iter().any(|m| m["mountPath"] == out.as_str()), "{out} is not a mounted volume");
    let env = c["env"].as_array().unwrap();
    let history = env.iter().find(|e| e["name"] == "KUBEPOSTURE_HISTORY").expect("KUBEPOSTURE_HISTORY");
    assert!(history["valueFrom"]["secretKeyRef"].is_object(), "the store URL holds a password: from a secret");
    assert!(args.record.history_scope.is_some(), "a fleet names each scanner's scope");
    assert_eq!(pod["spec"]["securityContext"]["runAsNonRoot"], true);
    (docs, args)
}

#[test]
fn aks_cronjob_uses_workload_identity_and_postgres() {
    let (docs, args) = cronjob("kubernetes/cronjob-aks.yaml");
    assert_eq!(args.azure.azure_credential, crate::cli::AzureCredentialArg::WorkloadIdentity);
    let sa = of_kind(&docs, "ServiceAccount");
    assert!(sa["metadata"]["annotations"]["azure.workload.identity/client-id"].is_string());
    let cj = of_kind(&docs, "CronJob");
    let pod = &cj["spec"]["jobTemplate"]["spec"]["template"];
    assert_eq!(pod["metadata"]["labels"]["azure.workload.identity/use"], "true");
    // The waivers file the args name is the mounted ConfigMap's key.
    let waivers = args.record.waivers.expect("--waivers");
    let cm = of_kind(&docs, "ConfigMap");
    let key = waivers.file_name().unwrap().to_str().unwrap();
    let text = cm["data"][key].as_str().expect("the ConfigMap holds the waivers file");
    let specs: serde_json::Value = serde_yaml_ng::from_str(text).unwrap();
    assert!(specs["waivers"].is_array());
}

#[test]
fn eks_cronjob_uses_irsa_and_postgres() {
    let (docs, args) = cronjob("kubernetes/cronjob-eks.yaml");
    assert_eq!(args.cloud, Some(crate::cli::CloudArg::Aws));
    let sa = of_kind(&docs, "ServiceAccount");
    let arn = sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as_str().unwrap();
    assert!(arn.starts_with("arn:aws:iam::") && arn.contains(":role/"));
}

/// Splits a shell command line (quotes, backslash-newline continuations); enough for recipes.
fn shell_words(line: &str) -> Vec<String> {
    let line = line.replace("\\\n", " ");
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[test]
fn github_workflow_scans_and_uploads_the_reports() {
    let wf = &documents("github-actions/kubeposture-scan.yml")[0];
    assert!(wf["on"]["schedule"][0]["cron"].is_string());
    assert_eq!(wf["permissions"]["id-token"], "write");
    let steps = wf["jobs"]["scan"]["steps"].as_array().unwrap();
    let mut scans = 0;
    let mut out_dir = None;
    for step in steps {
        let Some(run) = step["run"].as_str() else { continue };
        for cmd in run.replace("\\\n", " ").lines() {
            let words = shell_words(cmd.trim());
            if words.first().map(String::as_str) != Some("kubeposture") {
                continue;
            }
            // Up to a redirection or `||`: the command itself.
            let argv: Vec<String> =
                words[1..].iter().take_while(|w| !matches!(w.as_str(), ">" | "||")).cloned().collect();
            let cli = Cli::try_parse_from(std::iter::once("kubeposture".to_string()).chain(argv.iter().cloned()))
                .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            if let Command::Scan(a) = cli.command {
                scans += 1;
                out_dir = a.output_dir.clone();
                assert!(step["env"]["KUBEPOSTURE_HISTORY"].as_str().unwrap().contains("secrets."));
            }
        }
    }
    assert_eq!(scans, 1);
    let upload =
        steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact"))).unwrap();
    assert_eq!(upload["if"], "always()", "reports upload even when findings fail the scan");
    let path = upload["with"]["path"].as_str().unwrap().trim_end_matches('/');
    assert_eq!(out_dir.unwrap().to_str().unwrap(), path);
}

#[test]
fn shell_words_handles_quotes_and_continuations() {
    assert_eq!(shell_words("a 'b c' \"d\" \\\n e ''"), vec!["a", "b c", "d", "e", ""]);
}
