//! Shared state of a running mock: the estate, options, counters, issued tokens, and the
//! gate every API call passes (count, latency, throttling, faults).

use crate::MockOptions;
use crate::estate::Estate;
use crate::faults::{Call, Faults, Injected};
use crate::ratelimit::{Limiter, Refusal};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Who a bearer token was issued to, and for which API.
#[derive(Clone, Debug)]
pub struct Token {
    pub tenant_id: String,
    /// The resource the scope named (`https://management.azure.com`, or the AKS server app id).
    pub audience: String,
    /// The application (client) id the token was issued to.
    pub client_id: String,
}

pub struct State {
    pub estate: Estate,
    pub opts: MockOptions,
    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    faults: Faults,
    /// Published rate limits, when enabled.
    pub limiter: Option<Limiter>,
    counters: Mutex<BTreeMap<String, u64>>,
    tokens: Mutex<HashMap<String, Token>>,
    rng: Mutex<fastrand::Rng>,
    /// AWS session credentials issued by `sts:AssumeRole`, by access key id.
    pub aws_sessions: Mutex<HashMap<String, crate::aws::Session>>,
    /// Each cluster's Kubernetes API.
    pub k8s: crate::k8s::Apis,
    /// The CA (PEM) the clusters' credentials name.
    pub ca_pem: String,
    /// An address that refuses connections: where unreachable clusters' API servers "are".
    pub unreachable_url: String,
}

/// What the gate decided instead of serving the call.
pub enum Denied {
    /// The service's throttling answer: from the rate limits (with their `Retry-After`, code
    /// and message where the service has its own) or from `throttle_ratio`.
    Throttled(Refusal),
    Injected(Injected),
}

/// Where unreachable API servers are: loopback port 1 (tcpmux), which nothing serves, so the
/// connection is refused at once (and the address is the same in every run).
const UNREACHABLE_URL: &str = "https://127.0.0.1:1";

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    pub fn new(estate: Estate, opts: MockOptions, base_url: String) -> Self {
        let faults = Faults::new(estate.faults.clone());
        let rng = fastrand::Rng::with_seed(opts.seed);
        let limiter = opts.rate_limits.clone().map(Limiter::new);
        let k8s = crate::k8s::Apis::build(&estate).unwrap_or_default();
        Self {
            k8s,
            ca_pem: String::new(),
            unreachable_url: UNREACHABLE_URL.to_string(),
            estate,
            opts,
            base_url,
            faults,
            limiter,
            counters: Mutex::default(),
            tokens: Mutex::default(),
            rng: Mutex::new(rng),
            aws_sessions: Mutex::default(),
        }
    }

    pub fn count(&self, key: &str) {
        *lock(&self.counters).entry(key.to_string()).or_default() += 1;
    }

    /// Counts `op{suffix}`, and for an AWS call also `op@ACCOUNT{suffix}` (the caller's account),
    /// for a per-group Graph call `op@GROUPID{suffix}`.
    fn count_call(&self, call: &Call<'_>, suffix: &str) {
        self.count(&format!("{}{suffix}", call.op));
        if let Some(key) = call.account.or(call.group) {
            self.count(&format!("{}@{key}{suffix}", call.op));
        }
    }

    /// A random `u64` from the mock's seeded generator.
    pub fn random(&self) -> u64 {
        lock(&self.rng).u64(..)
    }

    /// A request id in the UUID form AWS uses.
    pub fn request_id(&self) -> String {
        let (a, b) = (self.random(), self.random());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    pub fn counters(&self) -> BTreeMap<String, u64> {
        lock(&self.counters).clone()
    }

    pub fn issue_token(&self, token: Token) -> String {
        let mut tokens = lock(&self.tokens);
        let id = format!("mock-{}-{:016x}", tokens.len() + 1, lock(&self.rng).u64(..));
        tokens.insert(id.clone(), token);
        id
    }

    /// The token behind an `Authorization: Bearer …` value.
    pub fn token(&self, authorization: Option<&str>) -> Option<Token> {
        let bearer = authorization?.strip_prefix("Bearer ")?;
        lock(&self.tokens).get(bearer.trim()).cloned()
    }

    /// Every served call passes here: counted, checked against the rate limits on arrival,
    /// delayed by the configured latency, then possibly throttled (at `throttle_ratio`, API
    /// calls only — not logins) or answered by a fault rule.
    /// AWS calls are also counted per caller account (`iam:ListRoles@111122223333`), per-group
    /// Graph calls per group (`listGroupMembers@3c8e1f2a-…`).
    pub async fn gate(&self, call: &Call<'_>, throttleable: bool) -> Result<(), Denied> {
        self.count_call(call, "");
        let limited = match (&self.limiter, throttleable) {
            (Some(l), true) => l.admit(call).err(),
            _ => None,
        };
        if !self.opts.latency.is_zero() {
            tokio::time::sleep(self.opts.latency).await;
        }
        if let Some(refusal) = limited {
            self.count_call(call, ":throttled");
            return Err(Denied::Throttled(refusal));
        }
        if throttleable && self.opts.throttle_ratio > 0.0 && lock(&self.rng).f64() < self.opts.throttle_ratio {
            self.count_call(call, ":throttled");
            let retry_after_secs = Some(self.opts.retry_after_secs);
            return Err(Denied::Throttled(Refusal { retry_after_secs, code: None, message: None }));
        }
        if let Some(injected) = self.faults.check(call) {
            self.count_call(call, ":fault");
            return Err(Denied::Injected(injected));
        }
        Ok(())
    }
}
