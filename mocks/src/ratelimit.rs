//! Rate limits as the clouds publish them (off unless [`crate::MockOptions::rate_limits`] is set):
//! token buckets keyed like the real services key theirs, answered with each service's own
//! throttling error and headers. `mocks/README.md` lists the figures and their sources.
//!
//! A throttled call takes no token (ARM: "your request isn't processed and a new retry value is
//! returned"). Buckets start full.

use crate::faults::Call;
use crate::state::lock;
use axum::http::{HeaderName, HeaderValue};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::time::Instant;

/// One token bucket's size and refill rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

impl Bucket {
    pub const fn new(capacity: f64, refill_per_sec: f64) -> Self {
        Self { capacity, refill_per_sec }
    }
}

/// The limits the mock enforces. [`RateLimits::published`] holds the clouds' published figures.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimits {
    /// ARM reads per subscription and security principal.
    pub arm_subscription_reads: Bucket,
    /// ARM writes (`POST` actions such as `listClusterUserCredential`) per subscription and
    /// security principal.
    pub arm_subscription_writes: Bucket,
    /// ARM reads without a subscription (`/subscriptions`, tenant-level role definitions,
    /// management groups) per tenant and security principal.
    pub arm_tenant_reads: Bucket,
    /// Graph identity and access, per app and tenant, in resource units, by tenant size:
    /// under 50 users, 50–500, above 500.
    pub graph_identity: [Bucket; 3],
    /// Graph Conditional Access (identity protection and CA service), per tenant for all apps.
    pub graph_conditional_access: Bucket,
    /// EC2 non-mutating actions (`Describe*`), per API, account and region.
    pub ec2_non_mutating: Bucket,
    /// EC2 `DescribeInstances` without filter or paging.
    pub ec2_unfiltered: Bucket,
    /// EKS per API, account and region; IAM, STS and Organizations per API and account. AWS
    /// publishes no figures for these: the mock applies EC2's non-mutating bucket.
    pub aws_other: Bucket,
}

impl RateLimits {
    /// The published figures (sources in `mocks/README.md`).
    pub fn published() -> Self {
        let ec2 = Bucket::new(100.0, 20.0);
        Self {
            arm_subscription_reads: Bucket::new(250.0, 25.0),
            arm_subscription_writes: Bucket::new(200.0, 10.0),
            arm_tenant_reads: Bucket::new(250.0, 25.0),
            graph_identity: [Bucket::new(3500.0, 350.0), Bucket::new(5000.0, 500.0), Bucket::new(8000.0, 800.0)],
            graph_conditional_access: Bucket::new(1.0, 1.0),
            ec2_non_mutating: ec2,
            ec2_unfiltered: Bucket::new(50.0, 10.0),
            aws_other: ec2,
        }
    }

    /// Every bucket scaled by `factor` (tests: small limits that bite quickly).
    pub fn scaled(&self, factor: f64) -> Self {
        let s = |b: Bucket| Bucket::new((b.capacity * factor).max(1.0), b.refill_per_sec * factor);
        Self {
            arm_subscription_reads: s(self.arm_subscription_reads),
            arm_subscription_writes: s(self.arm_subscription_writes),
            arm_tenant_reads: s(self.arm_tenant_reads),
            graph_identity: self.graph_identity.map(s),
            graph_conditional_access: s(self.graph_conditional_access),
            ec2_non_mutating: s(self.ec2_non_mutating),
            ec2_unfiltered: s(self.ec2_unfiltered),
            aws_other: s(self.aws_other),
        }
    }
}

/// Who an Azure call comes from (set by the ARM and Graph handlers once the token is known).
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub tenant: String,
    /// The client (application) id the token was issued to.
    pub principal: String,
    /// Users in the tenant (Graph picks the tenant's size class from it).
    pub tenant_users: usize,
    /// Graph resource units of this request (identity and access limits).
    pub units: u32,
}

/// Which bucket a call draws from, and what the answer says about it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    ArmSubscription { subscription: String, principal: String },
    ArmSubscriptionWrites { subscription: String, principal: String },
    ArmTenant { tenant: String, principal: String },
    GraphIdentity { tenant: String, app: String },
    GraphConditionalAccess { tenant: String },
    Aws { key: String },
}

impl Scope {
    fn key(&self) -> String {
        match self {
            Scope::ArmSubscription { subscription, principal } => {
                format!("arm/subscription/{}/{principal}", subscription.to_ascii_lowercase())
            }
            Scope::ArmSubscriptionWrites { subscription, principal } => {
                format!("arm/subscription-writes/{}/{principal}", subscription.to_ascii_lowercase())
            }
            Scope::ArmTenant { tenant, principal } => format!("arm/tenant/{}/{principal}", tenant.to_ascii_lowercase()),
            Scope::GraphIdentity { tenant, app } => format!("graph/identity/{}/{app}", tenant.to_ascii_lowercase()),
            Scope::GraphConditionalAccess { tenant } => format!("graph/ca/{}", tenant.to_ascii_lowercase()),
            Scope::Aws { key } => format!("aws/{key}"),
        }
    }
}

/// A call the limits turned away.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// Seconds until enough tokens are back (rounded up, at least 1); `None` where the service
    /// sends no `Retry-After` (Graph Conditional Access; AWS).
    pub retry_after_secs: Option<u64>,
    /// The service's error code, where it differs from the mock's generic throttling answer.
    pub code: Option<&'static str>,
    pub message: Option<String>,
}

/// What one bucket saw: enough to compute the time a scan needs at least.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BucketStats {
    pub key: String,
    pub capacity: f64,
    pub refill_per_sec: f64,
    /// Tokens taken by admitted calls.
    pub admitted_units: f64,
    pub admitted_calls: u64,
    pub throttled_calls: u64,
}

impl BucketStats {
    /// Seconds this bucket alone needs for what it admitted: whatever exceeds a full bucket
    /// at the refill rate.
    pub fn bound_secs(&self) -> f64 {
        if self.refill_per_sec <= 0.0 {
            return 0.0;
        }
        ((self.admitted_units - self.capacity).max(0.0)) / self.refill_per_sec
    }
}

struct State {
    limit: Bucket,
    tokens: f64,
    last: Instant,
    stats: BucketStats,
}

/// The buckets of a running mock.
pub struct Limiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<String, State>>,
}

/// ARM's read operations (everything the mock serves on ARM is a read).
/// ARM `POST` actions the mock serves: ARM counts them as writes.
fn is_arm_write(op: &str) -> bool {
    op == "listClusterUserCredential"
}

fn is_arm(op: &str) -> bool {
    matches!(
        op,
        "listSubscriptions"
            | "listManagedClusters"
            | "getManagedCluster"
            | "listKubernetesVersions"
            | "listDiagnosticSettings"
            | "listRoleAssignments"
            | "listRoleEligibilityScheduleInstances"
            | "listRoleAssignmentScheduleInstances"
            | "getRoleDefinition"
            | "listManagementGroupDescendants"
    )
}

fn is_conditional_access(op: &str) -> bool {
    matches!(op, "listConditionalAccessPolicies" | "getConditionalAccessPolicy")
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Self { limits, buckets: Mutex::default() }
    }

    /// The bucket and cost of a call, or `None` when no published limit applies (logins).
    fn classify(&self, call: &Call<'_>, caller: Option<&Caller>) -> Option<(Scope, Bucket, f64)> {
        let l = &self.limits;
        // A cluster's Kubernetes API server publishes no request rate (API Priority and
        // Fairness bounds requests in flight per server, far above a reader's few lists).
        if call.op.starts_with("k8s:") {
            return None;
        }
        if let Some((service, action)) = call.op.split_once(':') {
            let account = call.account.unwrap_or("-");
            let (key, bucket) = match service {
                "ec2" => {
                    let unfiltered = call.rate_class == Some("unfiltered");
                    let b = if unfiltered { l.ec2_unfiltered } else { l.ec2_non_mutating };
                    let suffix = if unfiltered { ":unfiltered" } else { "" };
                    (format!("{account}/{}/{action}{suffix}", call.region.unwrap_or("-")), b)
                }
                "eks" => (format!("{account}/{}/{action}", call.region.unwrap_or("-")), l.aws_other),
                _ => (format!("{account}/{service}/{action}"), l.aws_other),
            };
            return Some((Scope::Aws { key }, bucket, 1.0));
        }
        let caller = caller?;
        if let (true, Some(sub)) = (is_arm_write(call.op), call.subscription) {
            let scope =
                Scope::ArmSubscriptionWrites { subscription: sub.to_string(), principal: caller.principal.clone() };
            return Some((scope, l.arm_subscription_writes, 1.0));
        }
        if is_arm(call.op) {
            return Some(match call.subscription {
                Some(sub) => (
                    Scope::ArmSubscription { subscription: sub.to_string(), principal: caller.principal.clone() },
                    l.arm_subscription_reads,
                    1.0,
                ),
                None => (
                    Scope::ArmTenant { tenant: caller.tenant.clone(), principal: caller.principal.clone() },
                    l.arm_tenant_reads,
                    1.0,
                ),
            });
        }
        if is_conditional_access(call.op) {
            return Some((
                Scope::GraphConditionalAccess { tenant: caller.tenant.clone() },
                l.graph_conditional_access,
                1.0,
            ));
        }
        if call.op == "token" {
            return None;
        }
        let size = match caller.tenant_users {
            0..50 => 0,
            50..=500 => 1,
            _ => 2,
        };
        let scope = Scope::GraphIdentity { tenant: caller.tenant.clone(), app: caller.principal.clone() };
        Some((scope, l.graph_identity[size], f64::from(caller.units.max(1))))
    }

    /// Takes the call's tokens, or says why not. Records the service's remaining-quota headers
    /// for the answer.
    pub fn admit(&self, call: &Call<'_>) -> Result<(), Refusal> {
        let caller = current_caller();
        let Some((scope, limit, cost)) = self.classify(call, caller.as_ref()) else { return Ok(()) };
        let now = Instant::now();
        let mut buckets = lock(&self.buckets);
        let key = scope.key();
        let b = buckets.entry(key.clone()).or_insert_with(|| State {
            limit,
            tokens: limit.capacity,
            last: now,
            stats: BucketStats {
                key,
                capacity: limit.capacity,
                refill_per_sec: limit.refill_per_sec,
                admitted_units: 0.0,
                admitted_calls: 0,
                throttled_calls: 0,
            },
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * b.limit.refill_per_sec).min(b.limit.capacity);
        b.last = now;
        if b.tokens >= cost {
            b.tokens -= cost;
            b.stats.admitted_units += cost;
            b.stats.admitted_calls += 1;
            remaining_headers(&scope, b.tokens, b.limit, cost);
            return Ok(());
        }
        b.stats.throttled_calls += 1;
        let wait = if b.limit.refill_per_sec > 0.0 { (cost - b.tokens) / b.limit.refill_per_sec } else { 3600.0 };
        let retry_after = (wait.ceil() as u64).max(1);
        Err(refusal(&scope, retry_after))
    }

    /// Every bucket used so far, by key.
    pub fn stats(&self) -> Vec<BucketStats> {
        let mut v: Vec<BucketStats> = lock(&self.buckets).values().map(|b| b.stats.clone()).collect();
        v.sort_by(|a, b| a.key.cmp(&b.key));
        v
    }
}

fn refusal(scope: &Scope, retry_after: u64) -> Refusal {
    let aka = "Refer to https://aka.ms/arm-throttling for additional information.";
    match scope {
        Scope::ArmSubscription { subscription, principal } => Refusal {
            retry_after_secs: Some(retry_after),
            code: Some("SubscriptionRequestsThrottled"),
            message: Some(format!(
                "Number of 'read' requests for subscription '{subscription}' actor '{principal}' exceeded. Please try again after '{retry_after}' seconds after additional tokens are available. {aka}"
            )),
        },
        Scope::ArmSubscriptionWrites { subscription, principal } => Refusal {
            retry_after_secs: Some(retry_after),
            code: Some("SubscriptionRequestsThrottled"),
            message: Some(format!(
                "Number of 'write' requests for subscription '{subscription}' actor '{principal}' exceeded. Please try again after '{retry_after}' seconds after additional tokens are available. {aka}"
            )),
        },
        Scope::ArmTenant { tenant, principal } => Refusal {
            retry_after_secs: Some(retry_after),
            code: Some("TenantRequestsThrottled"),
            message: Some(format!(
                "Number of 'read' requests for tenant '{tenant}' actor '{principal}' exceeded. Please try again after '{retry_after}' seconds after additional tokens are available. {aka}"
            )),
        },
        Scope::GraphIdentity { tenant, app } => {
            add_header("x-ms-throttle-scope", &format!("Tenant_Application/Read/{app}/{tenant}"));
            add_header("x-ms-throttle-information", "ResourceUnitLimitExceeded");
            Refusal { retry_after_secs: Some(retry_after), code: None, message: None }
        }
        // "The resources listed earlier do not return a Retry-After header."
        Scope::GraphConditionalAccess { .. } => Refusal { retry_after_secs: None, code: None, message: None },
        Scope::Aws { .. } => Refusal { retry_after_secs: None, code: None, message: None },
    }
}

fn remaining_headers(scope: &Scope, tokens: f64, limit: Bucket, cost: f64) {
    let left = tokens.floor().max(0.0) as u64;
    match scope {
        Scope::ArmSubscription { .. } => add_header("x-ms-ratelimit-remaining-subscription-reads", &left.to_string()),
        Scope::ArmSubscriptionWrites { .. } => {
            add_header("x-ms-ratelimit-remaining-subscription-writes", &left.to_string())
        }
        Scope::ArmTenant { .. } => add_header("x-ms-ratelimit-remaining-tenant-reads", &left.to_string()),
        Scope::GraphIdentity { .. } => {
            add_header("x-ms-resource-unit", &(cost as u64).to_string());
            let used = 1.0 - tokens / limit.capacity;
            if used > 0.8 {
                add_header("x-ms-throttle-limit-percentage", &format!("{used:.2}"));
            }
        }
        _ => {}
    }
}

/// Per-request context: who calls (Azure), and headers the gate adds to the answer. Lives for
/// one request inside [`with_request`]; outside one (handler unit tests) nothing is limited.
#[derive(Default)]
pub struct RequestCtx {
    caller: Option<Caller>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

tokio::task_local! {
    static REQUEST: RefCell<RequestCtx>;
}

/// Runs one request's handling with its context; returns the answer and the headers to add.
pub async fn with_request<F: std::future::Future>(f: F) -> (F::Output, Vec<(HeaderName, HeaderValue)>) {
    REQUEST
        .scope(RefCell::new(RequestCtx::default()), async move {
            let out = f.await;
            let headers = REQUEST.with(|c| std::mem::take(&mut c.borrow_mut().headers));
            (out, headers)
        })
        .await
}

/// Names the Azure caller of the current request.
pub fn set_caller(caller: Caller) {
    let _ = REQUEST.try_with(|c| c.borrow_mut().caller = Some(caller));
}

fn current_caller() -> Option<Caller> {
    REQUEST.try_with(|c| c.borrow().caller.clone()).ok().flatten()
}

fn add_header(name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        let _ = REQUEST.try_with(|c| c.borrow_mut().headers.push((HeaderName::from_static(name), v)));
    }
}

/// Graph resource units of a request (the published base costs; `$select` −1, `$expand` +1,
/// `$top` under 20 −1; never below 1).
pub fn graph_units(op: &str, query: &[(String, String)]) -> u32 {
    let base: i32 = match op {
        "listGroupMembers" | "getDirectoryObjectsByIds" => 3,
        "listTransitiveMemberOf" => 2,
        _ => 1,
    };
    let has = |name: &str| query.iter().any(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(name));
    let top = query
        .iter()
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("top"))
        .and_then(|(_, v)| v.parse::<u32>().ok());
    let mut units = base;
    if has("select") {
        units -= 1;
    }
    if has("expand") {
        units += 1;
    }
    if top.is_some_and(|t| t < 20) {
        units -= 1;
    }
    units.max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm_call(sub: Option<&str>) -> Call<'_> {
        Call { op: "listDiagnosticSettings", subscription: sub, ..Default::default() }
    }

    async fn admit_as(l: &Limiter, call: &Call<'_>, caller: Caller) -> (Result<(), Refusal>, Vec<(String, String)>) {
        let (r, h) = with_request(async {
            set_caller(caller);
            l.admit(call)
        })
        .await;
        let h = h.into_iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string())).collect();
        (r, h)
    }

    fn caller() -> Caller {
        Caller { tenant: "t1".into(), principal: "app".into(), tenant_users: 10, units: 1 }
    }

    #[tokio::test(start_paused = true)]
    async fn arm_subscription_bucket_counts_down_refills_and_says_when() {
        let l = Limiter::new(RateLimits::published());
        for i in 0..250u64 {
            let (r, h) = admit_as(&l, &arm_call(Some("S1")), caller()).await;
            assert!(r.is_ok(), "call {i}");
            assert_eq!(h, [("x-ms-ratelimit-remaining-subscription-reads".into(), (249 - i).to_string())]);
        }
        let (r, _) = admit_as(&l, &arm_call(Some("S1")), caller()).await;
        let refusal = r.unwrap_err();
        assert_eq!(refusal.code, Some("SubscriptionRequestsThrottled"));
        assert_eq!(refusal.retry_after_secs, Some(1));
        assert!(refusal.message.unwrap().contains("subscription 'S1' actor 'app'"));
        // Another subscription has its own bucket; the tenant bucket is apart too.
        assert!(admit_as(&l, &arm_call(Some("S2")), caller()).await.0.is_ok());
        let (r, h) = admit_as(&l, &arm_call(None), caller()).await;
        assert!(r.is_ok());
        assert_eq!(h[0].0, "x-ms-ratelimit-remaining-tenant-reads");
        // 25 tokens a second.
        tokio::time::advance(std::time::Duration::from_millis(400)).await;
        for _ in 0..10 {
            assert!(admit_as(&l, &arm_call(Some("S1")), caller()).await.0.is_ok());
        }
        assert!(admit_as(&l, &arm_call(Some("S1")), caller()).await.0.is_err());
        let s1 = l.stats().into_iter().find(|s| s.key.starts_with("arm/subscription/s1")).unwrap();
        assert_eq!((s1.admitted_calls, s1.throttled_calls), (260, 2));
        assert!((s1.bound_secs() - 0.4).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn arm_posts_draw_on_the_writes_bucket_and_kubernetes_apis_on_none() {
        let l = Limiter::new(RateLimits::published());
        let post = Call { op: "listClusterUserCredential", subscription: Some("S1"), ..Default::default() };
        for i in 0..200u64 {
            let (r, h) = admit_as(&l, &post, caller()).await;
            assert!(r.is_ok(), "call {i}");
            assert_eq!(h, [("x-ms-ratelimit-remaining-subscription-writes".into(), (199 - i).to_string())]);
        }
        let refusal = admit_as(&l, &post, caller()).await.0.unwrap_err();
        assert_eq!(refusal.code, Some("SubscriptionRequestsThrottled"));
        assert!(refusal.message.unwrap().contains("'write' requests for subscription 'S1'"));
        // The reads of the same subscription are a bucket apart.
        assert!(admit_as(&l, &arm_call(Some("S1")), caller()).await.0.is_ok());
        let k8s = Call { op: "k8s:list", account: Some("111122223333"), ..Default::default() };
        for _ in 0..1000 {
            assert!(admit_as(&l, &k8s, caller()).await.0.is_ok());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn aws_buckets_are_per_api_account_and_region() {
        let l = Limiter::new(RateLimits::published().scaled(0.05));
        let call = |op, region| Call { op, account: Some("111122223333"), region: Some(region), ..Default::default() };
        for _ in 0..5 {
            assert!(l.admit(&call("eks:DescribeCluster", "us-east-1")).is_ok());
        }
        let refused = l.admit(&call("eks:DescribeCluster", "us-east-1")).unwrap_err();
        assert_eq!(refused.retry_after_secs, None);
        assert!(l.admit(&call("eks:DescribeCluster", "eu-west-1")).is_ok());
        assert!(l.admit(&call("eks:ListNodegroups", "us-east-1")).is_ok());
        // IAM is global: one bucket per account and API whatever the region.
        for _ in 0..5 {
            assert!(l.admit(&call("iam:ListRoles", "us-east-1")).is_ok());
        }
        assert!(l.admit(&call("iam:ListRoles", "eu-west-1")).is_err());
        let unfiltered = Call { rate_class: Some("unfiltered"), ..call("ec2:DescribeInstances", "us-east-1") };
        for _ in 0..2 {
            assert!(l.admit(&unfiltered).is_ok());
        }
        assert!(l.admit(&unfiltered).is_err());
        assert!(l.admit(&call("ec2:DescribeInstances", "us-east-1")).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn graph_counts_resource_units_and_conditional_access_apart() {
        let l = Limiter::new(RateLimits::published());
        let members = Call { op: "listGroupMembers", tenant: Some("t1"), ..Default::default() };
        let c = Caller { units: graph_units("listGroupMembers", &[]), ..caller() };
        assert_eq!(c.units, 3);
        for _ in 0..1165 {
            assert!(admit_as(&l, &members, c.clone()).await.0.is_ok());
        }
        let (r, h) = admit_as(&l, &members, c.clone()).await;
        assert!(r.is_ok());
        assert!(h.iter().any(|(k, _)| k == "x-ms-throttle-limit-percentage"), "{h:?}");
        let (r, h) = admit_as(&l, &members, c.clone()).await;
        assert_eq!(r.unwrap_err().retry_after_secs, Some(1));
        assert!(h.iter().any(|(k, v)| k == "x-ms-throttle-scope" && v == "Tenant_Application/Read/app/t1"), "{h:?}");
        let ca = Call { op: "listConditionalAccessPolicies", ..Default::default() };
        assert!(admit_as(&l, &ca, caller()).await.0.is_ok());
        let refused = admit_as(&l, &ca, caller()).await.0.unwrap_err();
        assert_eq!(refused.retry_after_secs, None, "CA throttling sends no Retry-After");
        // Logins are never limited, and without a request context nothing is.
        let token = Call { op: "token", ..Default::default() };
        assert!(admit_as(&l, &token, caller()).await.0.is_ok());
        for _ in 0..10 {
            assert!(l.admit(&ca).is_ok());
        }
    }

    #[test]
    fn graph_units_follow_the_published_costs() {
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        assert_eq!(graph_units("getGroup", &[]), 1);
        assert_eq!(graph_units("getDirectoryObjectsByIds", &[]), 3);
        assert_eq!(graph_units("listGroupMembers", &q(&[("$select", "id"), ("$top", "999")])), 2);
        assert_eq!(graph_units("listRoleManagementPolicyAssignments", &q(&[("$expand", "policy")])), 2);
        assert_eq!(graph_units("getGroup", &q(&[("$select", "id"), ("$top", "5")])), 1);
    }
}
