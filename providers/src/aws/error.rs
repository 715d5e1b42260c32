//! AWS SDK errors as one line: `AccessDeniedException (HTTP 403) on ListAccessEntries: …`.

use crate::errors::is_certificate_error;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Why one AWS call failed. Display is one line, safe to print (no credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    pub operation: &'static str,
    /// The service error code (`AccessDenied`), when the service answered.
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, self.status) {
            (Some(code), Some(status)) => write!(f, "{code} (HTTP {status}) on {}: {}", self.operation, self.message),
            (Some(code), None) => write!(f, "{code} on {}: {}", self.operation, self.message),
            _ => write!(f, "{} failed: {}", self.operation, self.message),
        }
    }
}

impl std::error::Error for AwsError {}

pub fn describe<E>(operation: &'static str, e: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let SdkError::ServiceError(s) = e {
        let status = s.raw().status().as_u16();
        let message = match (s.err().message().filter(|m| !m.trim().is_empty()), s.err().code()) {
            (Some(m), _) => m.to_string(),
            (None, None) if status == 404 => {
                "no error code or message: the endpoint does not serve this operation".into()
            }
            (None, _) => "(no message)".into(),
        };
        return AwsError {
            operation,
            code: Some(s.err().code().unwrap_or("UnknownError").to_string()),
            status: Some(status),
            message,
        };
    }
    let mut message = DisplayErrorContext(e).to_string();
    if is_certificate_error(&message) {
        message.push_str(" (the server's TLS certificate is not trusted; pass its CA with --ca-cert)");
    }
    AwsError { operation, code: None, status: None, message }
}

/// `?`-friendly: `client.op().send().await.map_err(err("Op"))`.
pub fn err<E>(operation: &'static str) -> impl Fn(SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| describe(operation, &e)
}
