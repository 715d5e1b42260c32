//! Diagnostics on stderr (`--log`). No level prints a credential, token or signature: the
//! HTTP and SDK crates that dump requests and responses at `trace` (SigV4 `Authorization`,
//! `x-amz-security-token`, STS answers, bearer tokens) are capped at `debug`, and every line is
//! passed through [`redact`] before it is written, whatever its source.

use crate::cli::LogLevel;
use std::io::Write;
use tracing_subscriber::fmt::MakeWriter;

/// Crates that log whole requests or responses below `debug`.
const CHATTY: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_smithy_types",
    "aws_sigv4",
    "aws_runtime",
    "aws_config",
    "aws_sdk_sts",
    "aws_sdk_sso",
    "aws_sdk_ssooidc",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "azure_core",
    "azure_identity",
    "typespec_client_core",
];

pub fn init(level: LogLevel) {
    let level = match level {
        LogLevel::Off => "off",
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(level))
        .with_writer(Redacting)
        .with_ansi(false)
        .with_target(level == "debug" || level == "trace")
        .try_init();
}

fn filter(level: &str) -> tracing_subscriber::EnvFilter {
    // The TLS verifier logs each refused certificate as an error, aws-config each source of its
    // chains it tries, kube each failed request; the scan reports what failed itself.
    let mut directives = format!("{level},rustls_platform_verifier=off,aws_config=error,kube_client=off");
    if level == "trace" {
        for c in CHATTY.iter().filter(|c| **c != "aws_config") {
            directives.push_str(&format!(",{c}=debug"));
        }
    }
    tracing_subscriber::EnvFilter::try_new(directives).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
}

/// stderr, each event redacted.
struct Redacting;

impl<'a> MakeWriter<'a> for Redacting {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(Vec::new())
    }
}

/// Collects one event, writes it redacted when dropped.
pub struct LineWriter(Vec<u8>);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let text = redact(&String::from_utf8_lossy(&self.0));
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }
}

/// Names after which a value is a secret (matched case-insensitively).
const SECRET_KEYS: &[&str] = &[
    "authorization",
    "x-amz-security-token",
    "x-amz-signature",
    "signature",
    "sessiontoken",
    "session_token",
    "secretaccesskey",
    "secret_access_key",
    "aws_secret_access_key",
    "client_secret",
    "clientsecret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "bearer",
    "credential",
];

/// Every value that follows a secret's name (`name: v`, `name=v`, `"name":"v"`, `<Name>v<`,
/// `Bearer v`) replaced by `<redacted>`, up to the next separator. Linear in the text.
pub fn redact(text: &str) -> String {
    let lower = text.to_ascii_lowercase().into_bytes();
    let bytes = text.as_bytes();
    let is_sep = |b: u8| matches!(b, b'"' | b'\'' | b':' | b'=' | b'>' | b' ' | b'\\');
    let ends_value =
        |b: u8| matches!(b, b'"' | b'\'' | b'<' | b',' | b'&' | b' ' | b'\n' | b'\r' | b'}' | b')' | b'\\' | b';');
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let key = SECRET_KEYS.iter().find(|k| lower[i..].starts_with(k.as_bytes()));
        // Only a whole name (not the tail of a longer word) followed by a separator.
        let Some(key) = key.filter(|k| {
            (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && bytes.get(i + k.len()).is_some_and(|b| is_sep(*b))
        }) else {
            i += 1;
            continue;
        };
        let mut j = i + key.len();
        while j < bytes.len() && is_sep(bytes[j]) {
            j += 1;
        }
        if lower[j..].starts_with(b"bearer ") {
            j += "bearer ".len();
        }
        let start = j;
        while j < bytes.len() && !ends_value(bytes[j]) {
            j += 1;
        }
        if j > start {
            out.push_str(&text[copied..start]);
            out.push_str("<redacted>");
            copied = j;
        }
        i = j.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_are_redacted_in_every_shape() {
        let sigv4 = "authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20261130/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123";
        let r = redact(sigv4);
        assert!(!r.contains("AKIAX") && !r.contains("abcdef0123") && !r.contains("AWS4-HMAC"), "{r}");
        for (text, secret) in [
            ("x-amz-security-token: IQoJb3JpZ2luX2Vj/abc=", "IQoJb3JpZ2luX2Vj"),
            ("\"x-amz-security-token\": \"IQoJtoken\"", "IQoJtoken"),
            ("<SessionToken>IQoJxml</SessionToken>", "IQoJxml"),
            ("<SecretAccessKey>wJalr/K7</SecretAccessKey>", "wJalr"),
            ("headers: { authorization: Bearer eyJ0eXAi.abc.def }", "eyJ0eXAi"),
            ("client_secret=s3cr3t&grant_type=client_credentials", "s3cr3t"),
            ("{\"access_token\":\"mock-1-abc\",\"expires_in\":3599}", "mock-1-abc"),
            ("X-Amz-Signature=0a1b2c&X-Amz-Date=1", "0a1b2c"),
        ] {
            let r = redact(text);
            assert!(!r.contains(secret), "{text} -> {r}");
            assert!(r.contains("<redacted>"), "{text} -> {r}");
        }
        assert_eq!(redact("listing clusters in eu-west-1"), "listing clusters in eu-west-1");
        assert_eq!(redact("authorizationFailed"), "authorizationFailed");
    }

    #[test]
    fn linear_on_long_lines() {
        let long = "authorization: ".repeat(50_000);
        let _ = redact(&long);
        let plain = "x".repeat(1_000_000);
        assert_eq!(redact(&plain).len(), plain.len());
    }
}
