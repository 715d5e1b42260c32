//! The Kubernetes API of each cluster, read with the cloud identity the scan already has (an
//! Entra token for the AKS server app; the EKS `k8s-aws-v1.` token). Only `get` and `list`,
//! paged with `limit`/`continue`, a few lists at a time; every page is folded into the compact
//! model and dropped. A list that cannot be read whole is `unknown` with the reason and the
//! missing grant — never a shorter list.

pub mod aws_auth;
pub mod eks_token;
pub mod error;
pub mod map;
pub mod offline;

pub use error::AccessHint;

use crate::limit::{HostLimiter, host_key};
use error::{ReadError, classify};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, ListParams, ObjectList};
use kubeposture_checks::Field;
use kubeposture_checks::model::{DataPlane, paths};
use map::{Kind, WorkloadsBuilder};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// The reason of every data-plane check when the data plane is skipped.
pub const SKIPPED: &str = "not collected: --no-data-plane was given, the cluster's Kubernetes API was not read";

/// How the data plane is read.
#[derive(Clone, Debug)]
pub struct Options {
    /// Items asked for per page (`limit`); the server may send fewer.
    pub page_size: u32,
    /// Lists of one cluster read at once.
    pub list_concurrency: usize,
    /// The scan's limiter: requests in flight per API server, clusters and lists read at once
    /// (both clouds together). `None`: unbounded (a single cluster's read in tests).
    pub limiter: Option<Arc<HostLimiter>>,
    /// Everything of one cluster must be read within this.
    pub cluster_timeout: Duration,
    pub connect_timeout: Duration,
    /// One answer must arrive within this.
    pub read_timeout: Duration,
    /// Retries of a request answered 429, 500, 502, 503 or 504 (`--max-retries`), honouring
    /// the server's `retryAfterSeconds`.
    pub max_retries: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            page_size: 250,
            list_concurrency: 2,
            limiter: None,
            cluster_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_retries: 8,
        }
    }
}

/// One cluster's API server and the credential for it.
pub struct Target {
    /// `https://…` (a path prefix is kept).
    pub server: String,
    /// The cluster CA (PEM); `None`: the platform roots.
    pub ca_pem: Option<Vec<u8>>,
    /// The bearer token. Never logged.
    pub token: String,
    /// EKS: read `kube-system/aws-auth`.
    pub eks: bool,
    pub hint: AccessHint,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("server", &self.server).field("eks", &self.eks).finish_non_exhaustive()
    }
}

/// At most this many characters of a server-supplied text, control characters dropped.
pub fn clean(text: &str, max: usize) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Pages of one list before it is given up (a server whose `continue` never ends).
const MAX_PAGES: usize = 100_000;

/// Waits until one more cluster's API may be read (the scan's bound on data planes in
/// progress); hold it for the whole read, credential included.
pub async fn slot(opts: &Options) -> Option<OwnedSemaphorePermit> {
    match &opts.limiter {
        Some(l) => Some(l.data_plane_slot().await),
        None => None,
    }
}

/// Reads everything the checks need from one cluster.
pub async fn read(target: &Target, opts: &Options) -> DataPlane {
    let server = clean(&target.server, 200);
    match tokio::time::timeout(opts.cluster_timeout, read_all(target, opts)).await {
        Ok(dp) => dp,
        Err(_) => DataPlane::unknown(&format!(
            "reading the Kubernetes API at {server} took longer than {} s: {}",
            opts.cluster_timeout.as_secs(),
            target.hint.on_unreachable()
        )),
    }
}

fn client(target: &Target, opts: &Options) -> Result<kube::Client, String> {
    let uri: http::Uri = target
        .server
        .parse()
        .map_err(|e| format!("the API server URL {} is not valid: {e}", clean(&target.server, 200)))?;
    let mut config = kube::Config::new(uri);
    if let Some(pem) = &target.ca_pem {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let ders: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("the cluster CA certificate does not parse: {e}"))?;
        if ders.is_empty() {
            return Err("the cluster CA certificate holds no PEM certificate".into());
        }
        config.root_cert = Some(ders);
    }
    config.connect_timeout = Some(opts.connect_timeout);
    config.read_timeout = Some(opts.read_timeout);
    config.auth_info.token = Some(target.token.clone().into());
    // Retries are ours (`retrying`): bounded by --max-retries, not kube's fifteen.
    config.default_retry = false;
    kube::Client::try_from(config)
        .map_err(|e| format!("cannot set up a client for {}: {e}", clean(&target.server, 200)))
}

/// Whether an API answer is worth asking again (throttling, a transient server error).
fn transient(e: &kube::Error) -> Option<Duration> {
    match e {
        kube::Error::Api(s) if matches!(s.code, 429 | 500 | 502 | 503 | 504) => {
            let after = s.details.as_ref().map(|d| d.retry_after_seconds).unwrap_or(0);
            Some(Duration::from_secs(u64::from(after.min(30))))
        }
        _ => None,
    }
}

/// `call` until it succeeds, fails for good, or has been retried `retries` times; waits the
/// server's `retryAfterSeconds`, else 200 ms doubling up to 5 s.
async fn retrying<T, F, Fut>(retries: u32, call: F) -> kube::Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = kube::Result<T>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(e) if attempt < retries => {
                let Some(after) = transient(&e) else { return Err(e) };
                let backoff = Duration::from_millis(200u64 << attempt.min(5)).min(Duration::from_secs(5));
                tokio::time::sleep(after.max(backoff)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Reads every page of a list, handing each page's items to `each`; returns how many items.
async fn pages<T, F, Fut>(
    fetch: F,
    base: &ListParams,
    page_size: u32,
    retries: u32,
    mut each: impl FnMut(Vec<T>),
) -> Result<usize, (kube::Error, usize)>
where
    T: Clone,
    F: Fn(ListParams) -> Fut,
    Fut: Future<Output = kube::Result<ObjectList<T>>>,
{
    let mut token: Option<String> = None;
    let mut count = 0;
    for page in 1..=MAX_PAGES {
        let mut lp = base.clone().limit(page_size);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let list = retrying(retries, || fetch(lp.clone())).await.map_err(|e| (e, page))?;
        count += list.items.len();
        let remaining = list.metadata.remaining_item_count.filter(|n| *n > 0);
        let next = list.metadata.continue_.filter(|c| !c.is_empty());
        each(list.items);
        match (next, remaining) {
            (None, Some(n)) => {
                let message = format!("the answer ended the list without a continue token while {n} more items remain");
                let status = kube::core::Status::failure(&message, "Truncated").with_code(200);
                return Err((kube::Error::Api(status.boxed()), page));
            }
            (None, None) => return Ok(count),
            (Some(c), _) if token.as_ref() == Some(&c) => {
                let status =
                    kube::core::Status::failure("the continue token did not advance", "BadContinue").with_code(500);
                return Err((kube::Error::Api(status.boxed()), page));
            }
            (Some(c), _) => token = Some(c),
        }
    }
    let status = kube::core::Status::failure("more pages than kubeposture reads", "TooManyPages").with_code(500);
    Err((kube::Error::Api(status.boxed()), MAX_PAGES))
}

struct Reader<'a> {
    client: kube::Client,
    target: &'a Target,
    opts: &'a Options,
    slots: Semaphore,
    /// The API server's key (`host:port` and path) for its bound on requests in flight.
    host: String,
}

impl Reader<'_> {
    /// `call` once a request slot on the API server's host is free (held until it answers; a
    /// retry's wait holds none).
    async fn limited<T>(&self, call: impl Future<Output = T>) -> T {
        let _slot = match &self.opts.limiter {
            Some(l) => Some(l.acquire(&self.host, None).await),
            None => None,
        };
        call.await
    }

    /// One of the cluster's list slots, then one of the scan's (the bound on pages in memory),
    /// held for a whole list.
    async fn list_slot(&self) -> (Option<SemaphorePermit<'_>>, Option<OwnedSemaphorePermit>) {
        let own = self.slots.acquire().await;
        let scan = match &self.opts.limiter {
            Some(l) => Some(l.list_slot().await),
            None => None,
        };
        (own.ok(), scan)
    }

    fn fail(&self, e: &kube::Error, page: usize, kind: &str) -> ReadError {
        let what = if page > 1 { format!("list {kind} (page {page})") } else { format!("list {kind}") };
        classify(e, &what, kind, &clean(&self.target.server, 200), &self.target.hint)
    }

    /// Every page of one list (`fetch` asks for one), each request limited, the items handed
    /// to `each`; how many there were.
    async fn paged<T, F, Fut>(
        &self,
        kind: &str,
        lp: &ListParams,
        fetch: F,
        each: impl FnMut(Vec<T>),
    ) -> Result<usize, ReadError>
    where
        T: Clone,
        F: Fn(ListParams) -> Fut,
        Fut: Future<Output = kube::Result<ObjectList<T>>>,
    {
        let _slot = self.list_slot().await;
        pages(|lp| self.limited(fetch(lp)), lp, self.opts.page_size, self.opts.max_retries, each)
            .await
            .map_err(|(e, page)| self.fail(&e, page, kind))
    }

    /// Every item of `K` across the cluster, each handed to `each`.
    async fn list<K>(&self, kind: &str, lp: &ListParams, each: impl FnMut(Vec<K>)) -> Result<usize, ReadError>
    where
        K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let fetch = |lp: ListParams| {
            let api = api.clone();
            async move { api.list(&lp).await }
        };
        self.paged(kind, lp, fetch, each).await
    }

    /// Names (metadata only) of `K` objects.
    async fn list_metadata<K, T>(
        &self,
        kind: &str,
        api: Api<K>,
        lp: &ListParams,
        f: impl Fn(&k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> T,
    ) -> Result<Vec<T>, ReadError>
    where
        K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let mut out = Vec::new();
        let fetch = |lp: ListParams| {
            let api = api.clone();
            async move { api.list_metadata(&lp).await }
        };
        self.paged(kind, lp, fetch, |items| out.extend(items.iter().map(|i| f(&i.metadata)))).await?;
        Ok(out)
    }

    /// A whole list mapped item by item into a field.
    async fn field<K, T>(&self, path: &'static str, kind: &str, f: impl Fn(&K) -> T) -> Field<Vec<T>>
    where
        K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let mut out = Vec::new();
        match self.list::<K>(kind, &ListParams::default(), |items| out.extend(items.iter().map(&f))).await {
            Ok(n) => Field::value(path, out, format!("{n} {kind}")),
            Err(e) => Field::unknown(path, e.reason().to_string()),
        }
    }

    async fn workloads(
        &self,
        probe: Result<usize, ReadError>,
        builder: Mutex<WorkloadsBuilder>,
    ) -> Field<kubeposture_checks::model::Workloads> {
        let feed = |kind: Kind, r: Result<usize, ReadError>| {
            if let Err(e) = r {
                lock(&builder).failed(kind, e.reason().to_string());
            }
        };
        feed(Kind::Deployment, probe);
        let lp = ListParams::default();
        let cron =
            self.list::<CronJob>("CronJobs", &lp, |items| items.iter().for_each(|o| lock(&builder).cron_job(o))).await;
        feed(Kind::CronJob, cron);
        let (jobs, rs, sts, ds) = tokio::join!(
            self.list::<Job>("Jobs", &lp, |items| items.iter().for_each(|o| lock(&builder).job(o))),
            self.list::<ReplicaSet>("ReplicaSets", &lp, |items| items
                .iter()
                .for_each(|o| lock(&builder).replica_set(o))),
            self.list::<StatefulSet>("StatefulSets", &lp, |items| items
                .iter()
                .for_each(|o| lock(&builder).stateful_set(o))),
            self.list::<DaemonSet>("DaemonSets", &lp, |items| items.iter().for_each(|o| lock(&builder).daemon_set(o))),
        );
        feed(Kind::Job, jobs);
        feed(Kind::ReplicaSet, rs);
        feed(Kind::StatefulSet, sts);
        feed(Kind::DaemonSet, ds);
        let pods = self.list::<Pod>("Pods", &lp, |items| items.iter().for_each(|o| lock(&builder).pod(o))).await;
        feed(Kind::Pod, pods);
        let w = builder.into_inner().unwrap_or_else(|p| p.into_inner()).finish();
        let raw = format!("{} workloads", w.items.len());
        Field::value(paths::WORKLOADS, w, raw)
    }

    async fn aws_auth(&self) -> Field<kubeposture_checks::model::AwsAuth> {
        if !self.target.eks {
            return Field::absent(paths::AWS_AUTH);
        }
        let _slot = self.list_slot().await;
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), "kube-system");
        match retrying(self.opts.max_retries, || self.limited(api.get_opt("aws-auth"))).await {
            Ok(None) => Field::absent(paths::AWS_AUTH),
            Ok(Some(cm)) => {
                let data = cm.data.unwrap_or_default();
                match aws_auth::parse(&data) {
                    Ok(a) => {
                        let raw = format!(
                            "{} mapRoles, {} mapUsers, {} mapAccounts",
                            a.map_roles.len(),
                            a.map_users.len(),
                            a.map_accounts.len()
                        );
                        Field::value(paths::AWS_AUTH, a, raw)
                    }
                    Err(e) => Field::unknown(paths::AWS_AUTH, format!("the aws-auth ConfigMap cannot be parsed: {e}")),
                }
            }
            Err(e) => Field::unknown(paths::AWS_AUTH, self.fail(&e, 1, "the aws-auth ConfigMap").reason().to_string()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The key of an API server's bound on requests in flight: its `host:port` and path — one API
/// server per cluster, also when a proxy serves several clusters by path on one address
/// (`https://rancher.example/k8s/clusters/c-1`, the mock).
fn api_server_key(server: &str) -> String {
    match url::Url::parse(server) {
        Ok(u) => format!("{}{}", host_key(&u), u.path().trim_end_matches('/')),
        Err(_) => String::new(),
    }
}

async fn read_all(target: &Target, opts: &Options) -> DataPlane {
    let client = match client(target, opts) {
        Ok(c) => c,
        Err(e) => return DataPlane::unknown(&e),
    };
    let host = api_server_key(&target.server);
    let r = Reader { client, target, opts, slots: Semaphore::new(opts.list_concurrency.max(1)), host };
    // The first list tells whether the API can be reached and accepts the credential at all
    // (a second goes beside it: the cluster's two list slots are both busy from the start).
    let builder = Mutex::new(WorkloadsBuilder::default());
    let all = ListParams::default();
    let (probe, services) = tokio::join!(
        r.list::<Deployment>("Deployments", &all, |items| { items.iter().for_each(|o| lock(&builder).deployment(o)) }),
        r.field::<Service, _>(paths::SERVICES, "Services", map::service),
    );
    if let Err(ReadError::Fatal(reason)) = &probe {
        return DataPlane::unknown(reason);
    }
    let token_lp = ListParams::default().fields("type=kubernetes.io/service-account-token");
    let default_lp = ListParams::default();
    let secrets_all: Api<Secret> = Api::all(r.client.clone());
    let cms_default: Api<ConfigMap> = Api::namespaced(r.client.clone(), "default");
    let secrets_default: Api<Secret> = Api::namespaced(r.client.clone(), "default");
    let name_of = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| m.name.clone().unwrap_or_default();
    let names = |r: Result<Vec<String>, ReadError>, path: &'static str, what: &str| match r {
        Ok(n) => {
            let raw = format!("{} {what}", n.len());
            Field::value(path, n, raw)
        }
        Err(e) => Field::unknown(path, e.reason().to_string()),
    };
    let (
        workloads,
        ingresses,
        service_accounts,
        roles,
        cluster_roles,
        role_bindings,
        crbs,
        cms,
        secrets,
        tokens,
        aws_auth,
    ) = tokio::join!(
        r.workloads(probe, builder),
        r.field::<Ingress, _>(paths::INGRESSES, "Ingresses", map::ingress),
        r.field::<ServiceAccount, _>(paths::SERVICE_ACCOUNTS, "ServiceAccounts", map::service_account),
        r.field::<Role, _>(paths::ROLES, "Roles", map::role),
        r.field::<ClusterRole, _>(paths::CLUSTER_ROLES, "ClusterRoles", map::cluster_role),
        r.field::<RoleBinding, _>(paths::ROLE_BINDINGS, "RoleBindings", map::role_binding),
        r.field::<ClusterRoleBinding, _>(
            paths::CLUSTER_ROLE_BINDINGS,
            "ClusterRoleBindings",
            map::cluster_role_binding
        ),
        r.list_metadata("ConfigMaps in default", cms_default, &default_lp, name_of),
        r.list_metadata("Secrets in default", secrets_default, &default_lp, name_of),
        r.list_metadata("Secrets", secrets_all, &token_lp, map::token_secret),
        r.aws_auth(),
    );
    let token_secrets = match tokens {
        Ok(t) => {
            let raw = format!("{} token Secrets", t.len());
            Field::value(paths::TOKEN_SECRETS, t, raw)
        }
        Err(e) => Field::unknown(paths::TOKEN_SECRETS, e.reason().to_string()),
    };
    DataPlane {
        workloads,
        services,
        ingresses,
        service_accounts,
        roles,
        cluster_roles,
        role_bindings,
        cluster_role_bindings: crbs,
        default_config_maps: names(cms, paths::DEFAULT_CONFIG_MAPS, "ConfigMaps"),
        default_secrets: names(secrets, paths::DEFAULT_SECRETS, "Secrets"),
        token_secrets,
        aws_auth,
    }
}

#[cfg(test)]
mod tests {
    use super::api_server_key;

    #[test]
    fn clusters_behind_one_proxy_address_are_apart() {
        assert_eq!(api_server_key("https://rancher.example/k8s/clusters/c-1/"), "rancher.example:443/k8s/clusters/c-1");
        assert_ne!(api_server_key("https://127.0.0.1:9443/k8s/a"), api_server_key("https://127.0.0.1:9443/k8s/b"));
        assert_eq!(
            api_server_key("https://ABC.gr7.eu-west-1.eks.amazonaws.com"),
            "abc.gr7.eu-west-1.eks.amazonaws.com:443"
        );
    }
}
