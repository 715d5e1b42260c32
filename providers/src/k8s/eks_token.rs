//! The EKS bearer token, as `aws eks get-token` makes it: `k8s-aws-v1.` + the unpadded
//! base64url of a presigned STS `GetCallerIdentity` URL whose signature covers the
//! `x-k8s-aws-id` header naming the cluster. The API server's authenticator replays it to STS,
//! so only the signer's own identity, for that one cluster, within 15 minutes, is proven.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine;
use std::time::{Duration, SystemTime};

pub const PREFIX: &str = "k8s-aws-v1.";
/// The header the signature binds the token to.
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";

/// The regional STS endpoint (`https://sts.REGION.amazonaws.com/`), or the one given
/// (`--aws-endpoint-url`: the mock, a proxy), without its path.
pub fn sts_endpoint(region: &str, endpoint_url: Option<&str>) -> String {
    match endpoint_url {
        Some(u) => format!("{}/", u.trim_end_matches('/')),
        None if region.starts_with("cn-") => format!("https://sts.{region}.amazonaws.com.cn/"),
        None => format!("https://sts.{region}.amazonaws.com/"),
    }
}

/// A token for `cluster`, signed by `creds` for `region` at `now`.
pub fn token(
    creds: &Credentials,
    region: &str,
    endpoint: &str,
    cluster: &str,
    now: SystemTime,
) -> Result<String, String> {
    let identity = creds.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(60));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| format!("cannot sign the EKS token: {e}"))?
        .into();
    let url = format!("{endpoint}?Action=GetCallerIdentity&Version=2011-06-15");
    let headers = [(CLUSTER_HEADER, cluster)];
    let request = SignableRequest::new("GET", url.clone(), headers.into_iter(), SignableBody::Bytes(&[]))
        .map_err(|e| format!("cannot sign the EKS token: {e}"))?;
    let (instructions, _) = sign(request, &params).map_err(|e| format!("cannot sign the EKS token: {e}"))?.into_parts();
    let mut signed = url::Url::parse(&url).map_err(|e| format!("bad STS endpoint {endpoint}: {e}"))?;
    {
        let mut q = signed.query_pairs_mut();
        for (k, v) in instructions.params() {
            q.append_pair(k, v);
        }
    }
    Ok(format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signed.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_a_presigned_get_caller_identity_bound_to_the_cluster() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret", Some("session".into()), None, "test");
        let t = token(&creds, "eu-west-1", &sts_endpoint("eu-west-1", None), "prod", SystemTime::UNIX_EPOCH).unwrap();
        let body = t.strip_prefix(PREFIX).expect("prefix");
        let url = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
        let u = url::Url::parse(&url).unwrap();
        assert_eq!(u.host_str(), Some("sts.eu-west-1.amazonaws.com"));
        let q: std::collections::BTreeMap<String, String> = u.query_pairs().into_owned().collect();
        assert_eq!(q["Action"], "GetCallerIdentity");
        assert_eq!(q["X-Amz-SignedHeaders"], "host;x-k8s-aws-id");
        assert_eq!(q["X-Amz-Credential"], "AKIDEXAMPLE/19700101/eu-west-1/sts/aws4_request");
        assert_eq!((q["X-Amz-Expires"].as_str(), q["X-Amz-Security-Token"].as_str()), ("60", "session"));
        assert_eq!(q["X-Amz-Signature"].len(), 64);
        assert_eq!(sts_endpoint("cn-north-1", None), "https://sts.cn-north-1.amazonaws.com.cn/");
        assert_eq!(sts_endpoint("x", Some("https://127.0.0.1:9/")), "https://127.0.0.1:9/");
    }
}
