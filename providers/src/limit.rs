//! A bound on requests in flight per API host, shared by every client of a scan. It sits
//! below the SDKs' retry loops, so a request waiting out a backoff holds no slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug)]
pub struct HostLimiter {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimiter {
    pub fn new(per_host: usize) -> Arc<Self> {
        Arc::new(Self { per_host: per_host.max(1), hosts: Mutex::new(HashMap::new()) })
    }

    /// Waits for a slot on `host` (`name:port`); the slot is freed when the permit drops.
    pub async fn acquire(&self, host: &str) -> OwnedSemaphorePermit {
        let sem = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(host.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))).clone()
        };
        // The semaphore is never closed, so acquiring cannot fail.
        sem.acquire_owned().await.expect("host semaphores are never closed")
    }
}

/// `host:port` of a URL, the key the limiter counts by.
pub fn host_key(url: &url::Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn never_more_than_the_bound_per_host() {
        let limiter = HostLimiter::new(3);
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (limiter, now, peak) = (limiter.clone(), now.clone(), peak.clone());
            tasks.spawn(async move {
                let _slot = limiter.acquire("example:443").await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            });
        }
        while tasks.join_next().await.is_some() {}
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
