//! One account's credentials, shared by its SDK clients and the EKS token signer: a role is
//! assumed once and its session reused until five minutes before it expires.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Sessions closer than this to their expiry are renewed.
const MARGIN: Duration = Duration::from_secs(300);

#[derive(Clone, Debug)]
pub struct Session {
    inner: SharedCredentialsProvider,
    held: Arc<tokio::sync::Mutex<Option<Credentials>>>,
    /// How long one load may take (`config::credential_budget`).
    timeout: Duration,
}

impl Session {
    pub fn new(inner: SharedCredentialsProvider, timeout: Duration) -> Self {
        Self { inner, held: Arc::default(), timeout }
    }

    /// The held credentials, or new ones from the inner provider (one caller at a time asks).
    pub async fn get(&self) -> Result<Credentials, CredentialsError> {
        let mut held = self.held.lock().await;
        let fresh = |c: &Credentials| c.expiry().is_none_or(|e| e > SystemTime::now() + MARGIN);
        if let Some(c) = held.as_ref().filter(|c| fresh(c)) {
            return Ok(c.clone());
        }
        let c = tokio::time::timeout(self.timeout, self.inner.provide_credentials())
            .await
            .map_err(|_| CredentialsError::provider_timed_out(self.timeout))??;
        *held = Some(c.clone());
        Ok(c)
    }
}

impl ProvideCredentials for Session {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counting(Arc<AtomicUsize>, Option<SystemTime>);

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            self.0.fetch_add(1, Ordering::SeqCst);
            future::ProvideCredentials::ready(Ok(Credentials::new("AKID", "secret", Some("t".into()), self.1, "test")))
        }
    }

    #[tokio::test]
    async fn one_session_for_concurrent_callers_renewed_near_expiry() {
        let calls = Arc::new(AtomicUsize::new(0));
        let later = SystemTime::now() + Duration::from_secs(3600);
        let s =
            Session::new(SharedCredentialsProvider::new(Counting(calls.clone(), Some(later))), Duration::from_secs(5));
        let (a, b, c) = tokio::join!(s.get(), s.get(), s.provide_credentials());
        assert!(a.is_ok() && b.is_ok() && c.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = Arc::new(AtomicUsize::new(0));
        let soon = SystemTime::now() + Duration::from_secs(60);
        let s =
            Session::new(SharedCredentialsProvider::new(Counting(calls.clone(), Some(soon))), Duration::from_secs(5));
        s.get().await.unwrap();
        s.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "a session about to expire is renewed");
    }
}
