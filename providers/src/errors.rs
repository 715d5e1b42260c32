//! Turning SDK errors into one readable line: the whole cause chain, and for Entra ID the
//! `AADSTS…` code and description without trace ids.

/// Every message of an error's source chain, joined by `: `, each said once.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let msg = err.to_string();
        let msg = msg.trim();
        if !msg.is_empty() && !parts.iter().any(|p| p.contains(msg)) {
            parts.push(msg.to_string());
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// `AADSTS7000215: Invalid client secret provided. …` out of any text that carries an Entra
/// error description, cut before the trace and correlation ids (which Entra separates with
/// CR LF, and which appear escaped as `\r\n` when an SDK quotes the body).
pub fn entra_summary(text: &str) -> Option<String> {
    let start = text.find("AADSTS")?;
    let rest = &text[start..];
    let end =
        ["\r", "\n", "\\r", "\\n", "\" ", "\","].iter().filter_map(|sep| rest.find(sep)).min().unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(['"', ' ']).to_string())
}

/// Whether an error chain says the server's TLS certificate was refused: a setup problem
/// (missing `--ca-cert`, TLS inspection) that retrying cannot fix.
pub fn is_certificate_error(chain_text: &str) -> bool {
    let t = chain_text.to_ascii_lowercase();
    t.contains("certificate") && (t.contains("invalid") || t.contains("unknownissuer") || t.contains("verify"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_summary_cuts_trace_ids_raw_and_escaped() {
        let raw = "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2";
        assert_eq!(entra_summary(raw).unwrap(), "AADSTS7000215: Invalid client secret provided.");
        let quoted =
            r#"invalid type: string "AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1", expected a borrowed string"#;
        assert_eq!(entra_summary(quoted).unwrap(), "AADSTS90002: Tenant 'x' not found.");
        assert_eq!(entra_summary("connection refused"), None);
    }

    #[test]
    fn chain_keeps_each_cause_once() {
        let io = std::io::Error::other("invalid peer certificate: UnknownIssuer");
        let outer = azure_core::Error::with_error(azure_core::error::ErrorKind::Io, io, "error sending request");
        let text = chain(&outer);
        assert!(text.contains("error sending request") && text.contains("UnknownIssuer"), "{text}");
        assert!(is_certificate_error(&text));
        assert!(!is_certificate_error("connection refused"));
    }
}
