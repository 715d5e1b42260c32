//! `--log trace` over the whole demo (Entra logins, ARM, Graph, SigV4-signed AWS calls with
//! assumed-role session tokens, the clusters' Kubernetes APIs with Entra and EKS bearer tokens):
//! no secret, token or signature reaches stderr or any report.

use assert_cmd::Command;
use kubeposture_mocks::Estate;

/// Where a secret's value would follow its name (`name: v`, `name=v`, `"name":"v"`): the value
/// must be redacted. A name glued to more of a word (`x-amz-security-token;` in SigV4's signed
/// header list, `AuthorizationFailed`) carries no value.
fn leaked_after(text: &str, name: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let is_sep = |c: char| matches!(c, '"' | '\'' | ':' | '=' | ' ' | '>' | '\\');
    let mut out = Vec::new();
    for (at, _) in lower.match_indices(name) {
        let rest = &text[at + name.len()..];
        let value = rest.trim_start_matches(is_sep);
        if value.len() == rest.len() {
            continue;
        }
        let value = value.strip_prefix("Bearer ").unwrap_or(value);
        if !(value.starts_with("<redacted>") || value.is_empty() || value.starts_with(['\n', ',', '}', '{'])) {
            out.push(format!("{name}{}", rest.chars().take(40).collect::<String>()));
        }
    }
    out
}

#[test]
fn trace_logs_and_reports_carry_no_secret_token_or_signature() {
    let estate = Estate::demo();
    let azure = estate.client_credentials().unwrap();
    let aws = estate.aws_credentials().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("kubeposture")
        .unwrap()
        .args(["scan", "--demo", "--quiet", "--log", "trace", "--format", "table,json,csv", "--output-dir"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(stderr.len() > 100_000 && stderr.contains("DEBUG"), "trace logging is on: {} bytes", stderr.len());
    let mut texts = vec![("stderr".to_string(), stderr)];
    for f in ["kubeposture.txt", "kubeposture.json", "kubeposture.csv"] {
        texts.push((f.to_string(), std::fs::read_to_string(dir.path().join(f)).unwrap()));
    }
    let literal = [
        azure.client_secret.as_str(),
        aws.secret_access_key.as_str(),
        "IQoJb3JpZ2luX2Vj", // the prefix of every session token the mock's STS issues
        "AWS4-HMAC-SHA256 Credential",
    ];
    for (name, text) in &texts {
        for secret in literal {
            assert!(!text.contains(secret), "{name} contains {secret}");
        }
        // Bearer tokens the mock's Entra endpoint issues: `mock-N-<16 hex>`.
        let token = text.match_indices("mock-").any(|(i, _)| {
            let rest = &text[i + 5..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0
                && rest[digits..].starts_with('-')
                && rest[digits + 1..].chars().take(16).all(|c| c.is_ascii_hexdigit())
        });
        assert!(!token, "{name} contains a bearer token");
        // EKS data-plane tokens: `k8s-aws-v1.` + the base64url of a presigned STS URL (`https…`).
        assert!(!text.contains("k8s-aws-v1.aHR0"), "{name} contains an EKS token");
        // Logs only: reports are prose ("not authorized to perform …"), checked for the values above.
        if name != "stderr" {
            continue;
        }
        for key in
            ["authorization", "x-amz-security-token", "signature", "sessiontoken", "access_token", "client_secret"]
        {
            let leaks = leaked_after(text, key);
            assert!(leaks.is_empty(), "{name}: {leaks:?}");
        }
    }
}
