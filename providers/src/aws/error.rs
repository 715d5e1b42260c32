//! AWS SDK errors as one line that says what failed and why:
//! `AccessDeniedException (HTTP 403) on ListAccessEntries: …`, `malformed body on ListRoles,
//! page 2: …`, or for a login what was tried and what to do. Never a Debug dump.

use super::wire::MalformedBody;
use crate::errors::{chain, is_certificate_error};
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Why one AWS call failed. Display is one line, safe to print (no credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    pub operation: &'static str,
    /// The service error code (`AccessDenied`), when the service answered.
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
    /// The page of a paged list that failed (1-based).
    pub page: Option<u32>,
    /// The service answered 2xx with a body that is not a whole document or does not parse.
    pub malformed: bool,
}

impl AwsError {
    /// A failure without a service answer.
    pub fn new(operation: &'static str, message: impl Into<String>) -> Self {
        Self { operation, code: None, status: None, message: message.into(), page: None, malformed: false }
    }
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = self.operation;
        let page = match self.page {
            Some(n) if n > 1 || self.malformed => format!(", page {n}"),
            _ => String::new(),
        };
        if self.malformed {
            return write!(f, "malformed body on {op}{page}: {}", self.message);
        }
        match (&self.code, self.status) {
            (Some(code), Some(status)) => write!(f, "{code} (HTTP {status}) on {op}{page}: {}", self.message),
            (Some(code), None) => write!(f, "{code} on {op}{page}: {}", self.message),
            _ => write!(f, "{op}{page} failed: {}", self.message),
        }
    }
}

impl std::error::Error for AwsError {}

/// What to tell the user when no credential source of the default chain gave credentials.
pub const NO_CREDENTIALS: &str = "no AWS credentials found (tried the environment variables \
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the shared config and credentials files with SSO and \
credential_process, a web identity token file, and ECS and EC2 instance metadata); run `aws sso login` \
(or `aws configure`), or pass --aws-profile NAME for a configured profile";

pub fn describe<E>(operation: &'static str, e: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            if (200..300).contains(&status) {
                // A success status the SDK could not read: the body is not what the model says.
                return AwsError { status: Some(status), malformed: true, ..AwsError::new(operation, chain(s.err())) };
            }
            let message = match (s.err().message().filter(|m| !m.trim().is_empty()), s.err().code()) {
                (Some(m), _) => m.to_string(),
                (None, None) if status == 404 => {
                    "no error code or message: the endpoint does not serve this operation".into()
                }
                (None, _) => "the service gave no message".into(),
            };
            AwsError {
                code: Some(s.err().code().unwrap_or("UnknownError").to_string()),
                status: Some(status),
                ..AwsError::new(operation, message)
            }
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            AwsError { status: Some(status), malformed: true, ..AwsError::new(operation, causes(e)) }
        }
        SdkError::TimeoutError(_) => AwsError::new(operation, "timed out waiting for an answer"),
        _ => {
            if let Some(m) = find::<MalformedBody>(e) {
                return AwsError { malformed: true, ..AwsError::new(operation, m.0.clone()) };
            }
            if let Some(c) = find::<CredentialsError>(e) {
                return AwsError::new(operation, credentials(c));
            }
            let mut message = causes(e);
            if is_certificate_error(&message) {
                message.push_str(" (the server's TLS certificate is not trusted; pass its CA with --ca-cert)");
            }
            AwsError::new(operation, message)
        }
    }
}

/// The login failure in words: what was tried, and what to do.
pub(crate) fn credentials(c: &CredentialsError) -> String {
    match c {
        CredentialsError::CredentialsNotLoaded(_) => NO_CREDENTIALS.to_string(),
        CredentialsError::ProviderTimedOut(t) => format!(
            "loading AWS credentials took longer than {} s; check the network path to the credential source \
(SSO, STS, instance metadata)",
            t.timeout_duration().as_secs()
        ),
        CredentialsError::InvalidConfiguration(_) => format!(
            "the AWS credential configuration is invalid: {}; fix the profile (`aws configure list`) or pass \
--aws-profile NAME",
            causes(c)
        ),
        _ => match find::<aws_sdk_sts::operation::assume_role::AssumeRoleError>(c) {
            // STS refused: its code and message, not the SDK's Debug form of the error.
            Some(e) => {
                let code = e.code().unwrap_or("UnknownError");
                let message = e.message().unwrap_or("STS gave no message");
                let hint = if code.contains("AccessDenied") {
                    "; check that the role's trust policy allows the caller (and the external id, --aws-external-id)"
                } else {
                    ""
                };
                format!("{code}: {message}{hint}")
            }
            None => format!("AWS credentials could not be loaded: {}", causes(c)),
        },
    }
}

/// The first error of type `T` in `e`'s source chain.
fn find<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        cur = err.source();
    }
    None
}

/// The source chain without the SDK's generic wrappers ("dispatch failure", "other", …).
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    const WRAPPERS: &[&str] = &[
        "dispatch failure",
        "other",
        "io",
        "user",
        "timeout",
        "response error",
        "service error",
        "unhandled error",
        "failed to construct request",
        "the credential provider was not enabled",
    ];
    let text = chain(e);
    let parts: Vec<&str> = text.split(": ").collect();
    let start = parts.iter().position(|p| !WRAPPERS.contains(&p.trim())).unwrap_or(parts.len().saturating_sub(1));
    parts[start..].join(": ")
}

/// `?`-friendly: `client.op().send().await.map_err(err("Op"))`.
pub fn err<E>(operation: &'static str) -> impl Fn(SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| describe(operation, &e)
}
