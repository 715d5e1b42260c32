//! The HTTP client every provider shares: rustls with the platform roots plus any extra CA
//! (`--ca-cert`: TLS-inspecting proxies, the mock cloud).

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
