//! How fast a scan asks, shared by every client of a scan (both clouds'):
//! - at most N requests in flight per API host;
//! - pacing per rate-limit scope (an ARM subscription or tenant, Graph, an AWS account's
//!   service in a region): after a throttled answer the scope waits out the answer's
//!   `Retry-After` and then sends at a paced rate, which it slows on each further throttled
//!   answer and speeds up on each answer that goes through; ARM's remaining-reads headers start
//!   the pacing before the first throttled answer and end it when reads are plentiful again.
//!
//! It sits below the SDKs' retry loops, so a request waiting out a backoff holds no slot, and
//! every attempt — retries too — is paced.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

#[derive(Debug)]
pub struct HostLimiter {
    per_host: usize,
    /// Clusters being collected at once, by both clouds together.
    clusters: Arc<Semaphore>,
    /// Clusters whose Kubernetes API is being read at once, by both clouds together.
    data_planes: Arc<Semaphore>,
    /// Lists being read at once across those clusters (one page each in memory).
    lists: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    scopes: Mutex<HashMap<String, Pace>>,
}

/// What an answer said about its rate-limit scope.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signal {
    /// Throttled, with the service's `Retry-After` if it sent one.
    Throttled(Option<Duration>),
    /// Went through; the service says this many reads are left in the scope.
    Remaining(u64),
    /// Went through.
    Ok,
}

/// Pacing of one scope: a client-side token bucket whose rate adapts to the answers.
#[derive(Debug, Clone, Copy)]
struct Pace {
    /// Requests a second.
    rate: f64,
    /// The rate it may speed up to: a known figure's, else unpaced beyond `MAX_RATE`.
    ceiling: f64,
    capacity: f64,
    /// Below zero: sends already promised to waiting requests.
    tokens: f64,
    refilled: Instant,
    hold_until: Instant,
    last_slowdown: Instant,
}

impl Pace {
    fn new(capacity: f64, rate: f64, tokens: f64, now: Instant) -> Self {
        let last_slowdown = now - SLOWDOWN_WINDOW;
        Self { rate, ceiling: MAX_RATE * 2.0, capacity, tokens, refilled: now, hold_until: now, last_slowdown }
    }
}

/// The rate a scope is paced at when the service gives no figure: 20 requests a second, the
/// published refill of EC2's non-mutating bucket (and ARM's is 25).
const FIRST_RATE: f64 = 20.0;
const MIN_RATE: f64 = 0.5;
/// Above this rate pacing ends (no bucket we know of refills faster).
const MAX_RATE: f64 = 500.0;
/// On a throttled answer the rate drops by a fifth; each answer that goes through adds this
/// much to a rate with no known figure (a fifth of a request a second per second at 20 a
/// second).
const SLOWDOWN: f64 = 0.8;
const SPEEDUP: f64 = 0.01;
/// Below a known bucket's refill (after a throttled answer: requests paced on time but sent
/// late, behind a busy host, can arrive together) each answer that goes through adds this
/// share of the refill: slowing for long below a published rate only loses time, and if the
/// figure is too high the next throttled answer slows the scope again.
const KNOWN_SPEEDUP: f64 = 0.01;
/// Throttled answers this close together are one event (requests already in flight).
const SLOWDOWN_WINDOW: Duration = Duration::from_millis(500);

/// Clusters in progress per request in flight: a cluster needs about two dozen calls, a few at
/// a time, so this keeps every slot busy (more held more than they kept busy:
/// docs/performance.md).
const CLUSTERS_PER_SLOT: usize = 2;

/// ARM remaining reads below which a scope is paced, and above which pacing ends.
const LOW_REMAINING: u64 = 50;
const HIGH_REMAINING: u64 = 150;

impl HostLimiter {
    /// `--max-in-flight`'s default.
    pub const DEFAULT_PER_HOST: usize = 64;

    pub fn new(per_host: usize) -> Arc<Self> {
        let per_host = per_host.max(1);
        Arc::new(Self {
            per_host,
            clusters: Arc::new(Semaphore::new(per_host * CLUSTERS_PER_SLOT)),
            data_planes: Arc::new(Semaphore::new(per_host)),
            lists: Arc::new(Semaphore::new(per_host)),
            hosts: Mutex::new(HashMap::new()),
            scopes: Mutex::new(HashMap::new()),
        })
    }

    /// Waits until one more cluster may be collected. Clusters in progress are bounded (both
    /// clouds together, in proportion to the requests in flight) so that a fleet's partial
    /// answers are not all held at once; the bound is far above what the requests in flight
    /// can keep busy.
    pub async fn cluster_slot(&self) -> OwnedSemaphorePermit {
        // The semaphore is never closed, so acquiring cannot fail.
        self.clusters.clone().acquire_owned().await.expect("the cluster semaphore is never closed")
    }

    /// Waits until one more cluster's Kubernetes API may be read: `--max-in-flight` clusters at
    /// once, both clouds together — each reads two lists at a time, so while some set up
    /// (credential, TLS) the others keep every list slot busy.
    pub async fn data_plane_slot(&self) -> OwnedSemaphorePermit {
        // The semaphore is never closed, so acquiring cannot fail.
        self.data_planes.clone().acquire_owned().await.expect("the data-plane semaphore is never closed")
    }

    /// Waits until one more list may be read, held for the whole list: the bound on the
    /// data planes' pages in memory (each list folds a page before asking the next):
    /// `--max-in-flight` lists, all clusters together. Each cluster's API server is its own
    /// host with its own bound on requests, so this bounds memory, not a server.
    pub async fn list_slot(&self) -> OwnedSemaphorePermit {
        // The semaphore is never closed, so acquiring cannot fail.
        self.lists.clone().acquire_owned().await.expect("the list semaphore is never closed")
    }

    /// Waits for `scope`'s pace, then for a slot on `host` (`name:port`); the slot is freed
    /// when the permit drops. A scope not seen yet starts with `bucket` (size, refill a second)
    /// when the service's figures are known beforehand, else unpaced.
    pub async fn acquire(&self, host: &str, scope: Option<(&str, Option<(f64, f64)>)>) -> OwnedSemaphorePermit {
        if let Some((scope, bucket)) = scope {
            self.pace(scope, bucket).await;
        }
        let sem = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(host.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))).clone()
        };
        // The semaphore is never closed, so acquiring cannot fail.
        sem.acquire_owned().await.expect("host semaphores are never closed")
    }

    async fn pace(&self, scope: &str, bucket: Option<(f64, f64)>) {
        loop {
            let wait = {
                let mut scopes = self.scopes.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let p = match (scopes.get_mut(scope), bucket) {
                    (Some(p), _) => p,
                    (None, Some((capacity, rate))) => scopes
                        .entry(scope.to_string())
                        .or_insert(Pace { ceiling: rate, ..Pace::new(capacity, rate, capacity, now) }),
                    (None, None) => return,
                };
                if p.hold_until > now {
                    (p.hold_until, false)
                } else {
                    p.tokens = (p.tokens + now.duration_since(p.refilled).as_secs_f64() * p.rate).min(p.capacity);
                    p.refilled = now;
                    p.tokens -= 1.0;
                    if p.tokens >= 0.0 {
                        return;
                    }
                    // Promised the token that comes after those already promised.
                    (now + Duration::from_secs_f64(-p.tokens / p.rate), true)
                }
            };
            tokio::time::sleep_until(wait.0).await;
            if wait.1 {
                return;
            }
        }
    }

    /// Records what an answer in `scope` said.
    pub fn report(&self, scope: &str, signal: Signal) {
        let mut scopes = self.scopes.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match signal {
            Signal::Throttled(retry_after) => {
                let p = scopes.entry(scope.to_string()).or_insert(Pace::new(1.0, FIRST_RATE / SLOWDOWN, 0.0, now));
                if let Some(ra) = retry_after {
                    p.hold_until = p.hold_until.max(now + ra.min(Duration::from_secs(300)));
                }
                if now.duration_since(p.last_slowdown) >= SLOWDOWN_WINDOW {
                    p.rate = (p.rate * SLOWDOWN).max(MIN_RATE);
                    p.last_slowdown = now;
                }
                p.tokens = p.tokens.min(0.0);
            }
            Signal::Remaining(left) if left < LOW_REMAINING => {
                let p = scopes.entry(scope.to_string()).or_insert(Pace::new(1.0, FIRST_RATE, 0.0, now));
                // The service's count is the truth; ours may only be lower (sends promised).
                p.tokens = p.tokens.min(left as f64);
            }
            Signal::Remaining(left) if left > HIGH_REMAINING => {
                scopes.remove(scope);
            }
            Signal::Remaining(_) | Signal::Ok => {
                if let Some(p) = scopes.get_mut(scope) {
                    // Back to a known figure within a second or two; an unknown rate is probed.
                    let step = if p.ceiling <= MAX_RATE { p.ceiling * KNOWN_SPEEDUP } else { SPEEDUP };
                    p.rate = (p.rate + step).min(p.ceiling);
                    if p.rate > MAX_RATE {
                        scopes.remove(scope);
                    }
                }
            }
        }
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
                let _slot = limiter.acquire("example:443", None).await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            });
        }
        while tasks.join_next().await.is_some() {}
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    // Pacing only delays: these assert the least time it takes, never an upper bound.
    #[tokio::test]
    async fn a_throttled_scope_waits_out_retry_after_then_is_paced() {
        let limiter = HostLimiter::new(8);
        limiter.report("s1", Signal::Throttled(Some(Duration::from_millis(200))));
        // Another scope is not held.
        let start = Instant::now();
        drop(limiter.acquire("h:443", Some(("s2", None))).await);
        assert!(start.elapsed() < Duration::from_millis(200));
        for _ in 0..3 {
            drop(limiter.acquire("h:443", Some(("s1", None))).await);
        }
        // Held, then three sends 50 ms apart (the first rate, 20 a second).
        assert!(start.elapsed() >= Duration::from_millis(300), "{:?}", start.elapsed());
        // Throttled answers of requests already in flight slow it down once.
        tokio::time::sleep(SLOWDOWN_WINDOW).await;
        let rate = limiter.scopes.lock().unwrap()["s1"].rate;
        limiter.report("s1", Signal::Throttled(None));
        limiter.report("s1", Signal::Throttled(None));
        assert_eq!(limiter.scopes.lock().unwrap()["s1"].rate, rate * SLOWDOWN);
        // Plenty of reads left: unpaced again; few: paced.
        limiter.report("s1", Signal::Remaining(200));
        assert!(!limiter.scopes.lock().unwrap().contains_key("s1"));
        limiter.report("s1", Signal::Remaining(10));
        assert_eq!(limiter.scopes.lock().unwrap()["s1"].rate, FIRST_RATE);
    }

    #[tokio::test]
    async fn a_known_bucket_is_used_from_the_first_request() {
        let limiter = HostLimiter::new(64);
        let start = Instant::now();
        for _ in 0..12 {
            drop(limiter.acquire("h:443", Some(("s", Some((10.0, 20.0))))).await);
        }
        // Ten at once, then two at 20 a second.
        assert!(start.elapsed() >= Duration::from_millis(95), "{:?}", start.elapsed());
        // A known figure is not exceeded however many answers go through.
        for _ in 0..100 {
            limiter.report("s", Signal::Ok);
        }
        assert_eq!(limiter.scopes.lock().unwrap()["s"].rate, 20.0);
    }

    #[tokio::test]
    async fn a_known_bucket_is_back_at_its_refill_after_a_second_of_answers() {
        let limiter = HostLimiter::new(4);
        drop(limiter.acquire("h:443", Some(("s", Some((100.0, 20.0))))).await);
        let rate = |l: &HostLimiter| l.scopes.lock().unwrap()["s"].rate;
        limiter.report("s", Signal::Throttled(None));
        assert!((rate(&limiter) - 16.0).abs() < 1e-9);
        for _ in 0..20 {
            limiter.report("s", Signal::Ok);
        }
        assert!((rate(&limiter) - 20.0).abs() < 1e-9, "{}", rate(&limiter));
    }
}
