//! The HTTP client every provider shares: rustls with the platform roots plus any extra CA
//! (`--ca-cert`: TLS-inspecting proxies, the mock cloud).

use crate::errors::{chain, is_certificate_error};
use azure_core::error::ErrorKind;
use azure_core::http::{AsyncRawResponse, HttpClient, Request};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("the CA file holds no PEM certificate")]
    NoCertificate,
    #[error("cannot use the CA certificate: {0}")]
    Invalid(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Builds a reqwest client trusting the platform roots plus `extra_ca_pem` (a PEM bundle).
pub fn http_client(extra_ca_pem: Option<&[u8]>) -> Result<reqwest::Client, TlsError> {
    let mut builder = reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .connect_timeout(std::time::Duration::from_secs(20))
        .timeout(std::time::Duration::from_secs(120));
    if let Some(pem) = extra_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| TlsError::Invalid(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| TlsError::Client(e.to_string()))
}

/// The client as azure_core's transport. A refused server certificate is reported once with
/// its cause instead of being retried like a dropped connection.
#[derive(Debug)]
pub struct SdkClient(pub reqwest::Client);

impl SdkClient {
    pub fn transport(client: reqwest::Client) -> azure_core::http::Transport {
        azure_core::http::Transport::new(Arc::new(SdkClient(client)))
    }
}

#[async_trait::async_trait]
impl HttpClient for SdkClient {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        self.0.execute_request(request).await.map_err(|e| {
            let text = chain(&e);
            if is_certificate_error(&text) {
                let hint = "the server's TLS certificate is not trusted; pass its CA with --ca-cert";
                azure_core::Error::with_message(ErrorKind::Other, format!("{text} ({hint})"))
            } else {
                e
            }
        })
    }
}
