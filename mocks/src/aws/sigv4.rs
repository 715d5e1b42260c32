//! The `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
//! SignedHeaders=…, Signature=…` header. The mock reads who signed and for which service and
//! region; it does not verify the signature.

/// What a SigV4 `Authorization` header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigV4 {
    pub access_key_id: String,
    /// `YYYYMMDD` of the credential scope.
    pub date: String,
    pub region: String,
    /// `eks`, `iam`, `sts`, `ec2`, …
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Whether an `Authorization` value claims to be SigV4 (then [`parse`] must succeed).
pub fn is_sigv4(authorization: &str) -> bool {
    authorization.trim_start().starts_with(ALGORITHM)
}

/// Parses a SigV4 `Authorization` value; `Err` says what is wrong, in the words AWS uses.
pub fn parse(authorization: &str) -> Result<SigV4, String> {
    let rest = authorization
        .trim()
        .strip_prefix(ALGORITHM)
        .ok_or_else(|| format!("Unsupported authorization type: '{authorization}'"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else { continue };
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed_headers = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let missing =
        |p: &str| format!("Authorization header requires '{p}' parameter. Authorization={}", authorization.trim());
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, region, service, terminator] = scope.as_slice() else {
        return Err(format!(
            "Credential should be scoped to a valid region, not a malformed scope: '{credential}'. \
             Expected AKID/YYYYMMDD/REGION/SERVICE/aws4_request."
        ));
    };
    if *terminator != "aws4_request" {
        return Err(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        ));
    }
    if akid.is_empty() || region.is_empty() || service.is_empty() {
        return Err(format!("Credential should be scoped correctly: '{credential}'."));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("Date in Credential scope does not match YYYYMMDD: '{date}'."));
    }
    if signature.is_empty() || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("The request signature we calculated does not match the signature you provided.".into());
    }
    Ok(SigV4 {
        access_key_id: akid.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed_headers.split(';').map(str::to_string).collect(),
        signature: signature.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_sdk_header() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/eu-west-1/eks/aws4_request, \
                 SignedHeaders=host;x-amz-date;x-amz-user-agent, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let s = parse(h).unwrap();
        assert_eq!(s.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(s.date, "20261124");
        assert_eq!((s.region.as_str(), s.service.as_str()), ("eu-west-1", "eks"));
        assert_eq!(s.signed_headers, ["host", "x-amz-date", "x-amz-user-agent"]);
        assert!(is_sigv4(h));
    }

    #[test]
    fn tolerates_no_spaces_and_any_order() {
        let h =
            "AWS4-HMAC-SHA256 Signature=abcdef,SignedHeaders=host,Credential=ASIAX/20260101/us-east-1/sts/aws4_request";
        let s = parse(h).unwrap();
        assert_eq!((s.access_key_id.as_str(), s.service.as_str()), ("ASIAX", "sts"));
    }

    #[test]
    fn rejects_malformed_headers() {
        assert!(!is_sigv4("Bearer mock-1"));
        assert!(parse("Bearer x").is_err());
        let no_cred = parse("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab").unwrap_err();
        assert!(no_cred.contains("'Credential'"), "{no_cred}");
        assert!(
            parse("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/iam, SignedHeaders=host, Signature=ab").is_err()
        );
        assert!(
            parse(
                "AWS4-HMAC-SHA256 Credential=AK/2026-01-01/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab"
            )
            .is_err()
        );
        assert!(
            parse("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=")
                .is_err()
        );
    }
}
