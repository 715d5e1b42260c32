//! Is a successful answer a whole document? The SDKs' XML readers stop quietly at the end of
//! a truncated body (a cut-off `DescribeRegions` reads as "no regions", a cut-off later page as
//! the last one), so every 2xx body is checked before the SDK sees it: XML must close its root
//! element, JSON must be one complete value. Linear in the body, no recursion.

/// Why a body is not a whole document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed body: {0}")]
pub struct MalformedBody(pub String);

/// Checks a 2xx body by its `Content-Type`; other types and empty bodies pass.
pub fn check(content_type: &str, body: &[u8]) -> Result<(), MalformedBody> {
    if body.is_empty() {
        return Ok(());
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("xml") {
        xml(body)
    } else if ct.contains("json") {
        json(body)
    } else {
        Ok(())
    }
}

fn xml(body: &[u8]) -> Result<(), MalformedBody> {
    let text = std::str::from_utf8(body).map_err(|e| MalformedBody(format!("not UTF-8 ({e})")))?;
    let mut depth: u64 = 0;
    let mut roots = 0u32;
    for token in xmlparser::Tokenizer::from(text) {
        match token.map_err(|e| MalformedBody(format!("{e} after {} bytes", body.len())))? {
            xmlparser::Token::ElementStart { .. } => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(..) | xmlparser::ElementEnd::Empty => depth = depth.saturating_sub(1),
            },
            _ => {}
        }
    }
    match (roots, depth) {
        (0, _) => Err(MalformedBody("no XML element in the body".into())),
        (_, 0) => Ok(()),
        (_, open) => Err(MalformedBody(format!(
            "the XML document ends after {} bytes with {open} element(s) still open (truncated)",
            body.len()
        ))),
    }
}

fn json(body: &[u8]) -> Result<(), MalformedBody> {
    // IgnoredAny reads the whole value without building it; serde_json bounds nesting at 128.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map(|_| ()).map_err(|e| MalformedBody(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_xml_is_malformed() {
        let whole = r#"<?xml version="1.0"?><DescribeRegionsResponse xmlns="x"><regionInfo><item><regionName>eu-west-1</regionName></item></regionInfo></DescribeRegionsResponse>"#;
        assert_eq!(check("text/xml;charset=UTF-8", whole.as_bytes()), Ok(()));
        for cut in [20, 60, 90, whole.len() - 1] {
            let e = check("text/xml", &whole.as_bytes()[..cut]).unwrap_err();
            assert!(e.0.contains("truncated") || e.0.contains("after"), "{cut}: {e}");
        }
        // The mock's malformed EC2 body: cut off inside a start tag.
        let cut =
            r#"<?xml version="1.0" encoding="UTF-8"?><DescribeRegionsResponse xmlns="x"><requestId>1</requestId><item"#;
        assert!(check("text/xml", cut.as_bytes()).is_err());
        assert!(check("text/xml", b"   ").is_err());
    }

    #[test]
    fn truncated_json_is_malformed() {
        assert_eq!(check("application/json", br#"{"clusters":["a"],"nextToken":null}"#), Ok(()));
        let e = check("application/x-amz-json-1.1", br#"{"cluster": {"name": ""#).unwrap_err();
        assert!(e.to_string().contains("EOF"), "{e}");
        assert_eq!(check("text/plain", b"{"), Ok(()));
        assert_eq!(check("application/json", b""), Ok(()));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "[".repeat(200_000);
        assert!(check("application/json", deep.as_bytes()).is_err());
        let deep_xml = "<a>".repeat(200_000);
        assert!(check("text/xml", deep_xml.as_bytes()).is_err());
    }
}
