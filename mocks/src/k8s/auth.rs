//! Who a Kubernetes API request is, checked as the managed API servers check it.
//!
//! AKS: an Entra access token issued (by the mock's Entra) for the AKS server app audience, in
//! the tenant of the cluster's subscription. EKS: `k8s-aws-v1.` + a presigned STS
//! `GetCallerIdentity` URL whose SigV4 signature is verified here against the secret of the
//! mock's own credentials (long-term keys or `AssumeRole` sessions), with the `x-k8s-aws-id`
//! header set to this cluster's name — so a token for another cluster, a tampered URL, an
//! unknown key or one older than 15 minutes is refused, as aws-iam-authenticator refuses it.

use crate::state::State;
use aws_lc_rs::{digest, hmac};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The AKS server application: the audience of tokens AKS accepts.
pub const AKS_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const EKS_PREFIX: &str = "k8s-aws-v1.";
/// How long an EKS token is accepted after its `X-Amz-Date`.
const EKS_TOKEN_LIFETIME_SECS: i64 = 15 * 60;

/// The user name the API server sees, or why the token is refused.
pub fn aks(state: &State, authorization: Option<&str>, tenant: &str) -> Result<String, String> {
    let token = state.token(authorization).ok_or("not a token this mock's Entra issued")?;
    if token.audience != AKS_APP {
        return Err(format!("the token's audience is {}, not the AKS server app", token.audience));
    }
    if !token.tenant_id.eq_ignore_ascii_case(tenant) {
        return Err(format!("the token is from tenant {}, not the cluster's tenant", token.tenant_id));
    }
    Ok(token.client_id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes()).as_ref().to_vec()
}

/// SigV4's URI encoding: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`.
fn sigv4_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The caller's ARN, or why the token is refused, for a request to EKS cluster `cluster`.
pub fn eks(state: &State, authorization: Option<&str>, cluster: &str) -> Result<String, String> {
    eks_at(state, authorization, cluster, OffsetDateTime::now_utc())
}

fn eks_at(state: &State, authorization: Option<&str>, cluster: &str, now: OffsetDateTime) -> Result<String, String> {
    let bearer = authorization.and_then(|a| a.strip_prefix("Bearer ")).ok_or("no bearer token")?.trim();
    let body = bearer.strip_prefix(EKS_PREFIX).ok_or("not a k8s-aws-v1 token")?;
    let url = base64url_decode(body).and_then(|b| String::from_utf8(b).ok()).ok_or("the token is not base64url")?;
    let url = url::Url::parse(&url).map_err(|e| format!("the token is not a URL: {e}"))?;
    let base = url::Url::parse(&state.base_url).map_err(|e| e.to_string())?;
    // The mock's own origin stands for sts.REGION.amazonaws.com.
    if url.scheme() != "https"
        || url.host_str() != base.host_str()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err(format!("the presigned URL is not for STS ({})", url.host_str().unwrap_or("")));
    }
    if url.path() != "/" {
        return Err("the presigned URL's path is not /".into());
    }
    let mut q: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in url.query_pairs() {
        if q.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("the presigned URL repeats {k}"));
        }
    }
    let get = |k: &str| q.get(k).map(String::as_str).ok_or(format!("the presigned URL has no {k}"));
    if get("Action")? != "GetCallerIdentity" || get("Version")? != "2011-06-15" {
        return Err("the presigned URL is not sts:GetCallerIdentity".into());
    }
    if get("X-Amz-Algorithm")? != "AWS4-HMAC-SHA256" {
        return Err("the presigned URL is not signed with AWS4-HMAC-SHA256".into());
    }
    let signed_headers = get("X-Amz-SignedHeaders")?;
    let headers: Vec<&str> = signed_headers.split(';').collect();
    if !headers.contains(&"host") || !headers.contains(&"x-k8s-aws-id") || headers.len() != 2 {
        return Err(format!("the signature must cover host and x-k8s-aws-id, not {signed_headers}"));
    }
    let credential = get("X-Amz-Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, region, "sts", "aws4_request"] = scope.as_slice() else {
        return Err(format!("the credential scope {credential} is not an STS scope"));
    };
    let amz_date = get("X-Amz-Date")?;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let signed_at = time::PrimitiveDateTime::parse(amz_date, &format)
        .map_err(|_| format!("X-Amz-Date {amz_date} is not a date"))?
        .assume_utc();
    if !amz_date.starts_with(date) {
        return Err("X-Amz-Date does not match the credential scope's date".into());
    }
    let age = (now - signed_at).whole_seconds();
    if !(-300..=EKS_TOKEN_LIFETIME_SECS).contains(&age) {
        return Err(format!("the token was signed {age} s ago: it is expired"));
    }
    let (secret, arn) = crate::aws::secret_of(state, akid, q.get("X-Amz-Security-Token").map(String::as_str))?;
    let canonical_query: Vec<String> = q
        .iter()
        .filter(|(k, _)| k.as_str() != "X-Amz-Signature")
        .map(|(k, v)| format!("{}={}", sigv4_encode(k), sigv4_encode(v)))
        .collect();
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    };
    let key = [b"AWS4".as_slice(), secret.as_bytes()].concat();
    let signing = mac(&mac(&mac(&mac(&key, date), region), "sts"), "aws4_request");
    let want = get("X-Amz-Signature")?;
    // The signer hashed an empty body, or declared it unsigned.
    let empty = hex(digest::digest(&digest::SHA256, b"").as_ref());
    let matches = [empty.as_str(), "UNSIGNED-PAYLOAD"].iter().any(|payload| {
        let canonical = format!(
            "GET\n/\n{}\nhost:{host}\nx-k8s-aws-id:{cluster}\n\nhost;x-k8s-aws-id\n{payload}",
            canonical_query.join("&")
        );
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/sts/aws4_request\n{}",
            hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
        );
        hex(&mac(&signing, &to_sign)) == want
    });
    if !matches {
        return Err("the signature does not match (a token for another cluster, or altered)".into());
    }
    Ok(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_and_sigv4_encoding() {
        assert_eq!(base64url_decode("aGVsbG8_").unwrap(), b"hello?");
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert!(base64url_decode("a b").is_none());
        assert_eq!(sigv4_encode("a/b c~"), "a%2Fb%20c~");
    }
}
