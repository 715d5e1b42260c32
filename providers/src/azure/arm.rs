//! ARM (and Graph) over azure_core's pipeline: bearer token, retries honouring `Retry-After`,
//! a bound on in-flight requests per host, and `nextLink` paging.

use crate::limit::{HostLimiter, Signal, host_key};
use azure_core::credentials::TokenCredential;
use azure_core::error::ErrorKind;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{ClientOptions, Context, Method, Pipeline, PipelineSendOptions, Request, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use thiserror::Error;

/// Why an ARM/Graph call failed. Display is one line, safe to print.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ApiError {
    /// Login failed: no request could be authorized.
    #[error("{0}")]
    Credential(String),
    /// The service answered with an error status.
    #[error("{code} (HTTP {status}) on {operation}: {message}")]
    Status { operation: String, status: u16, code: String, message: String },
    /// A 2xx answer whose body is not the JSON expected (truncated, wrong types, no `value`).
    #[error("malformed body on {operation}{}: {detail}", page.map(|n| format!(", page {n}")).unwrap_or_default())]
    Malformed { operation: String, page: Option<u32>, detail: String },
    /// A request that could not be built (a bad base URL or path).
    #[error("cannot build the request URL {url}: {detail}")]
    BadUrl { url: String, detail: String },
    /// No answer (connection, TLS, timeout) after retries.
    #[error("request to {url} failed: {detail}")]
    Transport { url: String, detail: String },
}

impl ApiError {
    /// The service error code (`AuthorizationFailed`), when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// `{"error": {"code", "message"}}` — the ARM and Graph error body.
#[derive(Deserialize)]
struct ErrorBody {
    error: Option<ErrorDetail>,
}
#[derive(Deserialize)]
struct ErrorDetail {
    code: Option<String>,
    message: Option<String>,
}

/// A page of an ARM list (`nextLink`) or a Graph list (`@odata.nextLink`). `value` is required:
/// a page without it is malformed, not empty.
#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "nextLink", alias = "@odata.nextLink")]
    next_link: Option<String>,
}

/// A client for one API (ARM or Graph) sharing the credential and transport.
#[derive(Clone)]
pub struct ApiClient {
    pipeline: Pipeline,
    base: Url,
}

impl ApiClient {
    /// `scope` is the token scope (`https://management.azure.com/.default`).
    pub fn new(
        base: Url,
        scope: &str,
        credential: Arc<dyn TokenCredential>,
        client_options: ClientOptions,
        limiter: Arc<HostLimiter>,
    ) -> Self {
        let auth: Arc<dyn Policy> = Arc::new(BearerTokenAuthorizationPolicy::new(credential, [scope.to_string()]));
        let limit: Arc<dyn Policy> = Arc::new(Limit(limiter));
        let pipeline = Pipeline::new(
            Some("kubeposture"),
            Some(env!("CARGO_PKG_VERSION")),
            client_options,
            vec![auth],
            vec![limit],
            None,
        );
        Self { pipeline, base }
    }

    /// `path_and_query` relative to the base URL (`/subscriptions?api-version=…`).
    pub fn url(&self, path_and_query: &str) -> Result<Url, ApiError> {
        self.base
            .join(path_and_query)
            .map_err(|e| ApiError::BadUrl { url: path_and_query.to_string(), detail: e.to_string() })
    }

    /// GET a JSON document. `operation` names the call in errors (`listManagedClusters`).
    pub async fn get_json<T: DeserializeOwned>(&self, operation: &str, url: Url) -> Result<T, ApiError> {
        let body = self.get(operation, url).await?;
        parse(operation, None, &body)
    }

    /// POST a JSON body, read a JSON answer (Graph `directoryObjects/getByIds`).
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        operation: &str,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<T, ApiError> {
        let answer = self.send(operation, url, Method::Post, Some(body)).await?;
        parse(operation, None, &answer)
    }

    /// POST without a body, read a JSON answer (ARM actions such as `listClusterUserCredential`).
    pub async fn post_empty<T: DeserializeOwned>(&self, operation: &str, url: Url) -> Result<T, ApiError> {
        let answer = self.send(operation, url, Method::Post, None).await?;
        parse(operation, None, &answer)
    }

    async fn get(&self, operation: &str, url: Url) -> Result<Vec<u8>, ApiError> {
        self.send(operation, url, Method::Get, None).await
    }

    async fn send(
        &self,
        operation: &str,
        url: Url,
        method: Method,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, ApiError> {
        let mut req = Request::new(url.clone(), method);
        if let Some(b) = body {
            req.insert_header("content-type", "application/json");
            req.set_body(serde_json::to_vec(b).unwrap_or_default());
        }
        let ctx = Context::new();
        let resp = self
            .pipeline
            .send(&ctx, &mut req, Some(PipelineSendOptions { skip_checks: true, ..Default::default() }))
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::Credential => ApiError::Credential(crate::errors::chain(&e)),
                _ => ApiError::Transport { url: redact(&url), detail: crate::errors::chain(&e) },
            })?;
        let status = u16::from(resp.status());
        let body: Vec<u8> = resp.into_body().as_ref().to_vec();
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let detail = serde_json::from_slice::<ErrorBody>(&body).ok().and_then(|b| b.error);
        Err(ApiError::Status {
            operation: operation.to_string(),
            status,
            code: detail.as_ref().and_then(|d| d.code.clone()).unwrap_or_else(|| format!("HTTP{status}")),
            message: detail
                .and_then(|d| d.message)
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect()),
        })
    }

    /// Page `n` (1-based) of a list (`value` + `nextLink`/`@odata.nextLink`). Follow the returned
    /// URL verbatim.
    pub async fn page<T: DeserializeOwned>(
        &self,
        operation: &str,
        n: u32,
        url: Url,
    ) -> Result<(Vec<T>, Option<Url>), ApiError> {
        let body = self.get(operation, url.clone()).await?;
        let page: Page<T> = parse(operation, Some(n), &body)?;
        let malformed =
            |detail: String| ApiError::Malformed { operation: operation.to_string(), page: Some(n), detail };
        let next = match page.next_link.filter(|l| !l.is_empty()) {
            Some(link) => Some(Url::parse(&link).map_err(|e| malformed(format!("bad nextLink: {e}")))?),
            None => None,
        };
        if next.as_ref() == Some(&url) {
            return Err(malformed("nextLink points at the same page".into()));
        }
        Ok((page.value, next))
    }

    /// Every item of a paged list, or the first page's failure: never a shorter list.
    pub async fn list<T: DeserializeOwned>(&self, operation: &str, first: Url) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut n = 0u32;
        while let Some(url) = next.take() {
            n += 1;
            let (items, following) = self.page(operation, n, url).await?;
            out.extend(items);
            next = following;
        }
        Ok(out)
    }
}

/// A 2xx body as `T`, or what is wrong with it.
fn parse<T: DeserializeOwned>(operation: &str, page: Option<u32>, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Malformed {
        operation: operation.to_string(),
        page,
        detail: e.to_string(),
    })
}

/// A URL as shown in errors: path only, no query (skip tokens are opaque and long).
pub fn redact(url: &Url) -> String {
    format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or(""), url.path())
}

/// Bounds in-flight requests per host and paces each rate-limit scope by what the answers say
/// (a per-try policy: retries wait outside the bound, and each attempt is paced).
#[derive(Debug)]
pub struct Limit(pub Arc<HostLimiter>);

#[async_trait::async_trait]
impl Policy for Limit {
    async fn send(&self, ctx: &Context, request: &mut Request, next: &[Arc<dyn Policy>]) -> PolicyResult {
        let host = api_host(request.url());
        let scope = rate_scope(&host, request.url(), request.method() != azure_core::http::Method::Get);
        let _slot = self.0.acquire(&host, Some((&scope, None))).await;
        let answer = next[0].send(ctx, request, &next[1..]).await;
        if let Ok(r) = &answer {
            self.0.report(&scope, signal(u16::from(r.status()), r.headers()));
        }
        answer
    }
}

/// The API host a request is bounded on: ARM or Graph at the URL's `host:port` — two hosts on
/// Azure, also when an endpoint override (a proxy, the mock) serves both from one address.
fn api_host(url: &Url) -> String {
    let first = url.path_segments().and_then(|mut s| s.next()).unwrap_or("");
    let api = if first == "v1.0" || first == "beta" { "graph" } else { "arm" };
    format!("{}/{api}", host_key(url))
}

/// The scope ARM counts a request against: its subscription's reads, or its writes (any other
/// method: ARM's writes bucket is apart), else the tenant (per host, so Graph — one scope
/// whatever the method — is its own).
fn rate_scope(host: &str, url: &Url, write: bool) -> String {
    let mut segments = url.path_segments().into_iter().flatten();
    match (segments.next(), segments.next()) {
        (Some(s), Some(id)) if s.eq_ignore_ascii_case("subscriptions") && !id.is_empty() => {
            let writes = if write { "/writes" } else { "" };
            format!("{host}/subscriptions/{}{writes}", id.to_ascii_lowercase())
        }
        _ => host.to_string(),
    }
}

/// What an ARM or Graph answer says about its scope: 429 with `Retry-After` (seconds), or the
/// remaining-reads headers.
fn signal(status: u16, headers: &azure_core::http::headers::Headers) -> Signal {
    use azure_core::http::headers::HeaderName;
    const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
    const SUBSCRIPTION: HeaderName = HeaderName::from_static("x-ms-ratelimit-remaining-subscription-reads");
    const TENANT: HeaderName = HeaderName::from_static("x-ms-ratelimit-remaining-tenant-reads");
    const WRITES: HeaderName = HeaderName::from_static("x-ms-ratelimit-remaining-subscription-writes");
    if status == 429 {
        let after = headers.get_optional_str(&RETRY_AFTER).and_then(|v| v.trim().parse::<u64>().ok());
        return Signal::Throttled(after.map(std::time::Duration::from_secs));
    }
    let remaining =
        [SUBSCRIPTION, TENANT, WRITES].iter().find_map(|h| headers.get_optional_str(h)?.trim().parse().ok());
    remaining.map_or(Signal::Ok, Signal::Remaining)
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::http::headers::{HeaderName, Headers};

    #[test]
    fn every_remaining_quota_header_paces_and_429_holds() {
        for name in [
            "x-ms-ratelimit-remaining-subscription-reads",
            "x-ms-ratelimit-remaining-tenant-reads",
            "x-ms-ratelimit-remaining-subscription-writes",
        ] {
            let mut h = Headers::new();
            h.insert(HeaderName::from(name.to_string()), "42");
            assert_eq!(signal(200, &h), Signal::Remaining(42), "{name}");
        }
        let mut h = Headers::new();
        h.insert(HeaderName::from_static("retry-after"), "7");
        assert_eq!(signal(429, &h), Signal::Throttled(Some(std::time::Duration::from_secs(7))));
        assert_eq!(signal(200, &Headers::new()), Signal::Ok);
        let arm = &api_host(&Url::parse("https://management.azure.com/subscriptions?api-version=1").unwrap());
        assert_eq!(arm, "management.azure.com:443/arm");
        let url = Url::parse("https://management.azure.com/subscriptions/ABC/resourceGroups/x").unwrap();
        assert_eq!(rate_scope(arm, &url, false), "management.azure.com:443/arm/subscriptions/abc");
        assert_eq!(rate_scope(arm, &url, true), "management.azure.com:443/arm/subscriptions/abc/writes");
        // Graph throttles per app and tenant whatever the method (getByIds is a POST).
        let graph = Url::parse("https://graph.microsoft.com/v1.0/directoryObjects/getByIds").unwrap();
        // Graph is a host of its own, also at ARM's address (the mock).
        let local = Url::parse("https://127.0.0.1:8443/v1.0/directoryObjects/getByIds").unwrap();
        assert_eq!(api_host(&local), "127.0.0.1:8443/graph");
        assert_eq!(rate_scope(&api_host(&graph), &graph, true), "graph.microsoft.com:443/graph");
    }
}
