//! What an AWS scan needs, and the SDK configuration built from it: the default credential
//! chain (environment, profiles and SSO, web identity, IMDS) or a named profile, one HTTP
//! client trusting any extra CA, a per-host bound on requests in flight, standard retries (for
//! role assumption and caller identity too), and a check that every 2xx body is a whole document.

use crate::limit::{HostLimiter, Signal, host_key};
use aws_config::identity::IdentityCache;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::retry::RetryConfig;
use std::sync::Arc;
use thiserror::Error;

/// A role to assume for one account (`--aws-role-arn`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleTarget {
    pub arn: String,
    pub external_id: Option<String>,
}

/// Long-term keys given explicitly (the demo); otherwise the default chain is used.
#[derive(Clone)]
pub struct StaticKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticKeys").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct AwsConfig {
    /// `--aws-profile`; `None`: `AWS_PROFILE` or the default chain.
    pub profile: Option<String>,
    pub static_keys: Option<StaticKeys>,
    /// Accounts to scan by assuming these roles; empty (and no organization): the caller's own
    /// account.
    pub roles: Vec<RoleTarget>,
    /// Also every active account of the caller's organization (`--aws-organization`).
    pub organization: Option<super::org::OrgScope>,
    /// Only these regions; empty: every region enabled in the account.
    pub regions: Vec<String>,
    /// Region for global calls (STS, IAM, DescribeRegions); `None`: from the environment or
    /// profile, else `us-east-1`.
    pub home_region: Option<String>,
    /// One endpoint for every service (`--aws-endpoint-url`); the SDK also reads `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Requests in flight per API host, shared with the other cloud's scan.
    pub limiter: Arc<HostLimiter>,
    /// Retries per request on throttling and transient errors.
    pub max_retries: u32,
    /// How each cluster's Kubernetes API is read; `None` (`--no-data-plane`): not read.
    pub data_plane: Option<crate::k8s::Options>,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            profile: None,
            static_keys: None,
            roles: Vec::new(),
            organization: None,
            regions: Vec::new(),
            home_region: None,
            endpoint_url: None,
            extra_ca_pem: None,
            limiter: HostLimiter::new(HostLimiter::DEFAULT_PER_HOST),
            max_retries: 8,
            data_plane: Some(crate::k8s::Options::default()),
        }
    }
}

#[derive(Debug, Error)]
pub enum SetupError {
    #[error("cannot set up TLS for AWS: {0}")]
    Tls(String),
}

/// The base SDK configuration (home region, caller credentials).
pub async fn load(cfg: &AwsConfig) -> Result<SdkConfig, SetupError> {
    let limiter = cfg.limiter.clone();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client(cfg.extra_ca_pem.as_deref(), limiter)?)
        .retry_config(RetryConfig::standard().with_max_attempts(cfg.max_retries.saturating_add(1)))
        // Loading credentials (AssumeRole, SSO, web identity) retries like every other call; the
        // SDK's default 5 s budget for it would give up on a throttled STS long before that.
        .identity_cache(IdentityCache::lazy().load_timeout(credential_budget(cfg.max_retries)).build());
    if let Some(p) = &cfg.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &cfg.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    if let Some(k) = &cfg.static_keys {
        let creds = aws_credential_types::Credentials::new(
            k.access_key_id.clone(),
            k.secret_access_key.clone(),
            None,
            None,
            "kubeposture",
        );
        loader = loader.credentials_provider(creds);
    }
    // The home region: given, else the environment's or profile's, else the first --region
    // (not IMDS: a scan that names its regions need not probe instance metadata).
    let home = cfg.home_region.clone().or_else(|| {
        let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"].iter().any(|v| std::env::var_os(v).is_some());
        (!from_env && cfg.profile.is_none()).then(|| cfg.regions.first().cloned()).flatten()
    });
    if let Some(r) = home {
        loader = loader.region(Region::new(r));
    }
    let conf = loader.load().await;
    Ok(match conf.region() {
        Some(_) => conf,
        None => conf.to_builder().region(Region::from_static("us-east-1")).build(),
    })
}

/// How long loading credentials may take: every attempt of the retry policy at its longest
/// backoff (20 s) plus the attempt itself.
pub fn credential_budget(max_retries: u32) -> std::time::Duration {
    std::time::Duration::from_secs(30 + 25 * u64::from(max_retries))
}

/// Service clients whose retries draw on no shared retry quota: `--max-retries` and pacing
/// (`crate::limit`) bound them, and a fleet scan's throttled retries must not run the SDK's
/// per-service quota dry and turn into unread clusters.
macro_rules! unmetered {
    ($name:ident, $sdk:ident) => {
        pub fn $name(conf: &SdkConfig) -> $sdk::Client {
            use $sdk::config::retry::{RetryPartition, TokenBucket};
            let partition = RetryPartition::custom(stringify!($name)).token_bucket(TokenBucket::unlimited()).build();
            $sdk::Client::from_conf($sdk::config::Builder::from(conf).retry_partition(partition).build())
        }
    };
}
unmetered!(eks, aws_sdk_eks);
unmetered!(ec2, aws_sdk_ec2);
unmetered!(iam, aws_sdk_iam);
unmetered!(sts, aws_sdk_sts);
unmetered!(organizations, aws_sdk_organizations);

/// The SDK's hyper + rustls client trusting the platform roots plus `extra_ca_pem`, behind
/// the per-host limiter.
fn http_client(extra_ca_pem: Option<&[u8]>, limiter: Arc<HostLimiter>) -> Result<SharedHttpClient, SetupError> {
    let mut store = tls::TrustStore::default();
    if let Some(pem) = extra_ca_pem {
        store = store.with_pem_certificate(pem.to_vec());
    }
    let context =
        tls::TlsContext::builder().with_trust_store(store).build().map_err(|e| SetupError::Tls(e.to_string()))?;
    let inner = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(context)
        .build_https();
    Ok(SharedHttpClient::new(Limited { inner, limiter }))
}

#[derive(Debug)]
struct Limited {
    inner: SharedHttpClient,
    limiter: Arc<HostLimiter>,
}

impl HttpClient for Limited {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(LimitedConnector { inner, limiter: self.limiter.clone() })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    limiter: Arc<HostLimiter>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let host = url::Url::parse(request.uri()).map(|u| host_key(&u)).unwrap_or_default();
        let scope = rate_scope(&host, &request);
        let host = api_host(host, &request);
        let (inner, limiter) = (self.inner.clone(), self.limiter.clone());
        HttpConnectorFuture::new(async move {
            let _slot = limiter.acquire(&host, scope.as_deref().map(|s| (s, Some(PUBLISHED_BUCKET)))).await;
            let mut response = inner.call(request).await?;
            if let Some(scope) = &scope {
                response = paced(&limiter, scope, response).await?;
            }
            whole(response).await
        })
    }
}

/// A 2xx response whose body is a whole document of its content type, read into memory; a
/// truncated or malformed one is an error the caller reports as such (not retried: the same
/// server gives the same page).
async fn whole(mut response: HttpResponse) -> Result<HttpResponse, ConnectorError> {
    if !response.status().is_success() {
        return Ok(response);
    }
    buffer_body(&mut response).await?;
    let content_type = response.headers().get("content-type").unwrap_or_default();
    super::wire::check(content_type, response.body().bytes().unwrap_or_default())
        .map_err(|e| ConnectorError::other(e.into(), None))?;
    Ok(response)
}

/// Reads the response's body into memory (`response.body().bytes()` then has it all).
async fn buffer_body(response: &mut HttpResponse) -> Result<(), ConnectorError> {
    let body = std::mem::replace(response.body_mut(), SdkBody::taken());
    let bytes = ByteStream::new(body).collect().await.map_err(|e| ConnectorError::io(e.into()))?.into_bytes();
    *response.body_mut() = SdkBody::from(bytes);
    Ok(())
}

/// AWS's published request-rate bucket for EC2's non-mutating APIs (size, refill a second):
/// every API is paced from it until its answers say otherwise (EKS, IAM and STS publish none).
const PUBLISHED_BUCKET: (f64, f64) = (100.0, 20.0);

/// The scope AWS counts a request against (per API, account and region), as far as the request
/// shows it: the caller's credentials (one per account), region and service from the SigV4
/// credential scope, and the API.
fn rate_scope(host: &str, request: &HttpRequest) -> Option<String> {
    let (key, region, service) = credential_scope(request)?;
    Some(format!("{host}/{key}/{region}/{service}/{}", api(request)))
}

/// The API host a request is bounded on: its service in its region, as AWS serves them
/// (`eks.eu-west-1.amazonaws.com`, `iam.amazonaws.com`), also when an endpoint override
/// (`--aws-endpoint-url`: a proxy, a mock) sends every service to one address.
fn api_host(host: String, request: &HttpRequest) -> String {
    match credential_scope(request) {
        Some((_, region, service)) => format!("{host}/{service}/{region}"),
        None => host,
    }
}

/// Access key id, region and service of a SigV4-signed request's credential scope.
fn credential_scope(request: &HttpRequest) -> Option<(&str, &str, &str)> {
    let authorization = request.headers().get("authorization")?;
    let credential = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = credential.split('/');
    let (key, _date, region, service) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some((key, region, service))
}

/// The API a request calls: JSON protocols name it in `X-Amz-Target`, query protocols in the
/// form body's `Action`; REST (EKS) by the shape of its path (`/clusters/{}/addons/{}`).
fn api(request: &HttpRequest) -> String {
    if let Some(target) = request.headers().get("x-amz-target") {
        return target.to_string();
    }
    let body = request.body().bytes().unwrap_or_default();
    if let Some(action) = String::from_utf8_lossy(body).split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return action.to_string();
    }
    let path = request.uri().split(['?', '#']).next().unwrap_or("");
    let path = path.split_once("://").map_or(path, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut shape: Vec<&str> = segments.iter().step_by(2).copied().collect();
    if segments.len().is_multiple_of(2) && !segments.is_empty() {
        shape.push("{}");
    }
    shape.join("/")
}

/// Tells the limiter whether `response` was throttled (EKS 429 `ThrottlingException`, EC2 503
/// `RequestLimitExceeded`, IAM/STS/Organizations 400 `Throttling`/`TooManyRequestsException`).
async fn paced(limiter: &HostLimiter, scope: &str, mut response: HttpResponse) -> Result<HttpResponse, ConnectorError> {
    let throttled = match response.status().as_u16() {
        429 | 503 => true,
        400 => {
            // Read the (small) error body to see its code, then hand it on unchanged.
            buffer_body(&mut response).await?;
            let text = String::from_utf8_lossy(response.body().bytes().unwrap_or_default());
            ["Throttling", "TooManyRequestsException", "RequestLimitExceeded"].iter().any(|c| text.contains(c))
        }
        _ => false,
    };
    limiter.report(scope, if throttled { Signal::Throttled(None) } else { Signal::Ok });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(uri: &str, credential: &str) -> HttpRequest {
        let mut r = HttpRequest::empty();
        r.set_uri(uri).unwrap();
        r.headers_mut().insert(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"),
        );
        r
    }

    #[test]
    fn each_service_and_region_is_its_own_host_behind_one_endpoint() {
        let eks = signed("https://127.0.0.1:9443/clusters/a", "AKIDEXAMPLE/20261130/eu-west-1/eks/aws4_request");
        let iam = signed("https://127.0.0.1:9443/", "AKIDEXAMPLE/20261130/us-east-1/iam/aws4_request");
        assert_eq!(api_host("127.0.0.1:9443".into(), &eks), "127.0.0.1:9443/eks/eu-west-1");
        assert_eq!(api_host("127.0.0.1:9443".into(), &iam), "127.0.0.1:9443/iam/us-east-1");
        assert_eq!(
            rate_scope("127.0.0.1:9443", &eks).as_deref(),
            Some("127.0.0.1:9443/AKIDEXAMPLE/eu-west-1/eks/clusters/{}")
        );
        // Unsigned: the address alone.
        assert_eq!(api_host("h:443".into(), &HttpRequest::empty()), "h:443");
    }
}
