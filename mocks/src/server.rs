//! The HTTPS server: one origin serving every API, dispatched by method and path.

use crate::estate::Estate;
use crate::state::State;
use crate::{MockError, MockOptions, arm, aws, entra, graph, tls};
use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// A running mock cloud. Dropping it without [`MockCloud::shutdown`] leaves the server
/// running until the runtime ends.
pub struct MockCloud {
    url: String,
    ca_pem: String,
    state: Arc<State>,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<()>,
}

impl MockCloud {
    pub async fn start(estate: Estate, opts: MockOptions) -> Result<MockCloud, MockError> {
        let tls = tls::generate().map_err(MockError::Tls)?;
        let addr = opts.listen;
        let listen = |source| MockError::Listen { addr, source };
        let listener = std::net::TcpListener::bind(opts.listen).map_err(listen)?;
        listener.set_nonblocking(true).map_err(listen)?;
        let local = listener.local_addr().map_err(listen)?;
        let host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
        let host = if host.contains(':') { format!("[{host}]") } else { host };
        let url = format!("https://{host}:{}", local.port());
        if let Some(path) = &opts.ca_pem_path {
            std::fs::write(path, &tls.ca_pem).map_err(|source| MockError::WriteCa { path: path.clone(), source })?;
        }
        let mut state = State::new(estate, opts, url.clone());
        state.ca_pem = tls.ca_pem.clone();
        let state = Arc::new(state);
        let app = axum::Router::new().fallback(dispatch).with_state(state.clone());
        let handle = Handle::new();
        let server = axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(tls.server_config))
            .map_err(listen)?
            .handle(handle.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = server.serve(app.into_make_service()).await {
                tracing::error!("mock cloud stopped: {e}");
            }
        });
        Ok(MockCloud { url, ca_pem: tls.ca_pem, state, handle, task })
    }

    /// `https://127.0.0.1:PORT` (no trailing slash): the authority host, ARM and Graph endpoint,
    /// and the AWS endpoint (`AWS_ENDPOINT_URL`) of EKS, IAM, STS and EC2.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The CA certificate (PEM) that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Calls served so far by operation (`listManagedClusters`, `iam:ListRoles`), AWS calls also
    /// per caller account (`iam:ListRoles@111122223333`), per-group Graph calls also per group
    /// (`listGroupMembers@3c8e1f2a-…`), plus `…:throttled` and `…:fault` for answers the mock
    /// replaced. Also at `GET /_mock/counters`.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        self.state.counters()
    }

    /// The rate-limit buckets used so far (empty without `MockOptions::rate_limits`).
    pub fn rate_limit_stats(&self) -> Vec<crate::BucketStats> {
        self.state.limiter.as_ref().map(|l| l.stats()).unwrap_or_default()
    }

    pub async fn shutdown(self) {
        self.handle.shutdown();
        let _ = self.task.await;
    }
}

const MAX_BODY: usize = 1 << 20;

pub(crate) async fn dispatch(state: axum::extract::State<Arc<State>>, req: Request) -> Response {
    let (mut response, headers) = crate::ratelimit::with_request(serve(state, req)).await;
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    response
}

async fn serve(axum::extract::State(state): axum::extract::State<Arc<State>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let aws_req =
        aws::Request { method: &parts.method, path: &path, query: &query, headers: &parts.headers, body: &body };
    if let Some(r) = aws::handle(&state, &aws_req).await {
        return r;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, ["_mock", "counters"]) => Json(state.counters()).into_response(),
        (&Method::POST, [tenant, "oauth2", "v2.0", "token"]) => entra::token(&state, tenant, &body).await,
        (_, ["v1.0", ..]) => {
            let req = graph::Request {
                method: &parts.method,
                path: &path,
                query: &query,
                headers: &parts.headers,
                body: &body,
            };
            graph::handle(&state, &req).await
        }
        (_, ["k8s", rest @ ..]) => crate::k8s::handle(&state, rest, &query, &parts.headers, &parts.method).await,
        (&Method::GET | &Method::POST, [first, ..])
            if first.eq_ignore_ascii_case("subscriptions") || first.eq_ignore_ascii_case("providers") =>
        {
            arm::handle(&state, &parts.method, &path, &query, authorization.as_deref()).await
        }
        _ => arm::error(404, "NotFound", &format!("{} {path} is not served by this mock", parts.method)),
    }
}
