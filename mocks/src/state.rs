//! Shared state of a running mock: the estate, options, counters, issued tokens, and the
//! gate every API call passes (count, latency, throttling, faults).

use crate::MockOptions;
use crate::estate::Estate;
use crate::faults::{Call, Faults, Injected};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Who a bearer token was issued to, and for which API.
#[derive(Clone, Debug)]
pub struct Token {
    pub tenant_id: String,
    /// The resource the scope named (`https://management.azure.com`).
    pub audience: String,
}

pub struct State {
    pub estate: Estate,
    pub opts: MockOptions,
    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    faults: Faults,
    counters: Mutex<BTreeMap<String, u64>>,
    tokens: Mutex<HashMap<String, Token>>,
    rng: Mutex<fastrand::Rng>,
}

/// What the gate decided instead of serving the call.
pub enum Denied {
    Throttled { retry_after_secs: u64 },
    Injected(Injected),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    pub fn new(estate: Estate, opts: MockOptions, base_url: String) -> Self {
        let faults = Faults::new(estate.faults.clone());
        let rng = fastrand::Rng::with_seed(opts.seed);
        Self {
            estate,
            opts,
            base_url,
            faults,
            counters: Mutex::default(),
            tokens: Mutex::default(),
            rng: Mutex::new(rng),
        }
    }

    pub fn count(&self, key: &str) {
        *lock(&self.counters).entry(key.to_string()).or_default() += 1;
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

    /// Every served call passes here: counted, delayed by the configured latency, then
    /// possibly throttled (at `throttle_ratio`, API calls only — not logins) or answered
    /// by a fault rule.
    pub async fn gate(&self, call: &Call<'_>, throttleable: bool) -> Result<(), Denied> {
        self.count(call.op);
        if !self.opts.latency.is_zero() {
            tokio::time::sleep(self.opts.latency).await;
        }
        if throttleable && self.opts.throttle_ratio > 0.0 && lock(&self.rng).f64() < self.opts.throttle_ratio {
            self.count(&format!("{}:throttled", call.op));
            return Err(Denied::Throttled { retry_after_secs: self.opts.retry_after_secs });
        }
        if let Some(injected) = self.faults.check(call) {
            self.count(&format!("{}:fault", call.op));
            return Err(Denied::Injected(injected));
        }
        Ok(())
    }
}
