//! What an AWS scan needs, and the SDK configuration built from it: the default credential
//! chain (environment, profiles and SSO, web identity, IMDS) or a named profile, one HTTP
//! client trusting any extra CA, a per-host bound on requests in flight, standard retries (for
//! role assumption and caller identity too), and a check that every 2xx body is a whole document.

use crate::limit::{HostLimiter, host_key};
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
    pub max_in_flight_per_host: usize,
    /// Retries per request on throttling and transient errors.
    pub max_retries: u32,
    /// Clusters collected at once.
    pub cluster_concurrency: usize,
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
            max_in_flight_per_host: 16,
            max_retries: 8,
            cluster_concurrency: 32,
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
    let limiter = HostLimiter::new(cfg.max_in_flight_per_host);
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
        let (inner, limiter) = (self.inner.clone(), self.limiter.clone());
        HttpConnectorFuture::new(async move {
            let _slot = limiter.acquire(&host).await;
            whole(inner.call(request).await?).await
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
    let body = std::mem::replace(response.body_mut(), SdkBody::taken());
    let bytes = ByteStream::new(body).collect().await.map_err(|e| ConnectorError::io(e.into()))?.into_bytes();
    let content_type = response.headers().get("content-type").unwrap_or_default();
    super::wire::check(content_type, &bytes).map_err(|e| ConnectorError::other(e.into(), None))?;
    *response.body_mut() = SdkBody::from(bytes);
    Ok(response)
}
