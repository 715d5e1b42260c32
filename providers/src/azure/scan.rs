//! The Azure scan: subscriptions → clusters (paged) → per-cluster extras → model, streamed.

use super::arm::{ApiClient, ApiError};
use super::credential::{self, CredentialChoice};
use super::data_plane::AksDataPlane;
use super::identity::{ClusterFacts, Identity};
use super::map::{self, Extras};
use super::models::*;
use crate::collected::{Collected, Coverage, ScopeFailure};
use crate::limit::HostLimiter;
use crate::once::OnceMap;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Url};
use kubeposture_checks::model::{DataPlane, VersionCatalog};
use kubeposture_checks::{Cloud, Field};
use serde::Deserialize;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::mpsc;

/// Current GA api-versions; each can be overridden.
#[derive(Clone, Debug)]
pub struct ApiVersions {
    pub managed_clusters: String,
    pub subscriptions: String,
    pub diagnostic_settings: String,
}

impl Default for ApiVersions {
    fn default() -> Self {
        Self {
            managed_clusters: "2026-08-01".into(),
            subscriptions: "2022-12-01".into(),
            diagnostic_settings: "2021-05-01-preview".into(),
        }
    }
}

/// Endpoints; all overridable (sovereign clouds, proxies, the mock).
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub authority_host: Url,
    pub arm: Url,
    pub graph: Url,
}

impl Default for Endpoints {
    fn default() -> Self {
        let u = |s: &str| Url::parse(s).expect("static URL");
        Self {
            authority_host: u("https://login.microsoftonline.com/"),
            arm: u("https://management.azure.com/"),
            graph: u("https://graph.microsoft.com/"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AzureConfig {
    pub credential: CredentialChoice,
    pub endpoints: Endpoints,
    pub api_versions: ApiVersions,
    /// Only these subscription ids (empty, and no management group: every subscription the
    /// credential can see).
    pub subscriptions: Vec<String>,
    /// Also the subscriptions below these management groups.
    pub management_groups: Vec<String>,
    /// Requests in flight per API host, shared with the other cloud's scan.
    pub limiter: Arc<HostLimiter>,
    /// Extra CA (PEM) to trust.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Retries on 408/429/5xx, honouring `Retry-After`.
    pub max_retries: u32,
    /// How each cluster's Kubernetes API is read; `None` (`--no-data-plane`): not read.
    pub data_plane: Option<crate::k8s::Options>,
    /// The token scope of the AKS server app.
    pub aks_scope: String,
}

impl Default for AzureConfig {
    fn default() -> Self {
        Self {
            credential: CredentialChoice::Default,
            endpoints: Endpoints::default(),
            api_versions: ApiVersions::default(),
            subscriptions: Vec::new(),
            management_groups: Vec::new(),
            limiter: HostLimiter::new(HostLimiter::DEFAULT_PER_HOST),
            extra_ca_pem: None,
            max_retries: 8,
            data_plane: Some(crate::k8s::Options::default()),
            aks_scope: super::data_plane::AKS_SCOPE.to_string(),
        }
    }
}

/// Setup errors: nothing could be asked yet.
#[derive(Debug, Error)]
pub enum SetupError {
    #[error(transparent)]
    Tls(#[from] crate::http::TlsError),
    #[error("cannot set up the Azure credential: {0}")]
    Credential(String),
}

const ARM_SCOPE: &str = "https://management.azure.com/.default";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

fn client_options(cfg: &AzureConfig) -> Result<ClientOptions, SetupError> {
    let http = crate::http::http_client(cfg.extra_ca_pem.as_deref())?;
    let mut custom = CustomConfiguration::default();
    custom.authority_host = cfg.endpoints.authority_host.as_str().trim_end_matches('/').to_string();
    Ok(ClientOptions {
        transport: Some(crate::http::SdkClient::transport(http)),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            max_retries: cfg.max_retries,
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Scans every visible (or selected) subscription, streaming clusters and scope failures to `tx`.
pub async fn scan(cfg: AzureConfig, tx: mpsc::Sender<Collected>) -> Result<(), SetupError> {
    let co = client_options(&cfg)?;
    let cred = credential::build(&cfg.credential, &co).map_err(|e| SetupError::Credential(e.to_string()))?;
    let limiter = cfg.limiter.clone();
    let arm = ApiClient::new(cfg.endpoints.arm.clone(), ARM_SCOPE, cred.clone(), co.clone(), limiter.clone());
    let graph = ApiClient::new(cfg.endpoints.graph.clone(), GRAPH_SCOPE, cred.clone(), co, limiter);
    let identity = Identity::new(arm.clone(), graph);
    let data_plane = cfg.data_plane.clone().map(|opts| AksDataPlane {
        arm: arm.clone(),
        credential: cred,
        scope: cfg.aks_scope.clone(),
        api_version: cfg.api_versions.managed_clusters.clone(),
        opts: crate::k8s::Options { limiter: Some(cfg.limiter.clone()), ..opts },
    });
    let scanner = Arc::new(Scanner { arm, identity, cfg, tx, catalogs: OnceMap::default(), data_plane });

    let subs = match scanner.subscriptions().await {
        Ok(s) => s,
        Err(fail) => {
            scanner.send(Collected::ScopeFailed(fail)).await;
            return Ok(());
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    let tenants: std::collections::BTreeSet<String> = subs.iter().filter_map(|s| s.tenant.clone()).collect();
    for sub in subs {
        let s = scanner.clone();
        tasks.spawn(async move { s.subscription(sub).await });
    }
    for tenant in tenants {
        let conditional_access = scanner.identity.conditional_access().await;
        scanner.send(Collected::Scope(Box::new(map::tenant_scope(&tenant, conditional_access)))).await;
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

struct Scanner {
    arm: ApiClient,
    identity: Identity,
    cfg: AzureConfig,
    tx: mpsc::Sender<Collected>,
    /// `kubernetesVersions` per location, fetched once per scan.
    catalogs: OnceMap<String, Field<Arc<VersionCatalog>>>,
    /// `None` with `--no-data-plane`.
    data_plane: Option<AksDataPlane>,
}

struct Sub {
    id: String,
    label: String,
    tenant: Option<String>,
}

fn failure(scope: String, operation: &str, e: &ApiError) -> ScopeFailure {
    ScopeFailure { cloud: Cloud::Aks, scope, operation: operation.into(), reason: e.to_string() }
}

impl Scanner {
    async fn send(&self, item: Collected) {
        // The receiver only goes away when the scan is being abandoned.
        let _ = self.tx.send(item).await;
    }

    /// The subscriptions asked for (`--subscription`, and those below `--management-group`);
    /// `None`: every subscription.
    async fn wanted(&self) -> Option<Vec<String>> {
        if self.cfg.subscriptions.is_empty() && self.cfg.management_groups.is_empty() {
            return None;
        }
        let mut wanted = self.cfg.subscriptions.clone();
        for group in &self.cfg.management_groups {
            match super::mgmt::subscriptions_below(&self.arm, group).await {
                Ok(ids) => {
                    for id in ids {
                        if !wanted.iter().any(|w| w.eq_ignore_ascii_case(&id)) {
                            wanted.push(id);
                        }
                    }
                }
                Err(e) => {
                    let f = failure(format!("management group {group}"), "listManagementGroupDescendants", &e);
                    self.send(Collected::ScopeFailed(f)).await;
                }
            }
        }
        Some(wanted)
    }

    async fn subscriptions(&self) -> Result<Vec<Sub>, ScopeFailure> {
        let narrowed = !self.cfg.subscriptions.is_empty() || !self.cfg.management_groups.is_empty();
        let url = self
            .arm
            .url(&format!("subscriptions?api-version={}", self.cfg.api_versions.subscriptions))
            .map_err(|e| failure("Azure".into(), "listSubscriptions", &e))?;
        let listed: Result<Vec<Subscription>, ApiError> = self.arm.list("listSubscriptions", url).await;
        let listed = match listed {
            Ok(l) => l,
            Err(ApiError::Credential(msg)) => {
                return Err(ScopeFailure {
                    cloud: Cloud::Aks,
                    scope: "Azure login".into(),
                    operation: "token".into(),
                    reason: msg,
                });
            }
            // Listing denied but subscriptions named: scan those.
            Err(e) if narrowed => {
                tracing::warn!("cannot list subscriptions ({e}); scanning the ones given");
                Vec::new()
            }
            Err(e) => return Err(failure("Azure subscriptions".into(), "listSubscriptions", &e)),
        };
        let label = |s: &Subscription| match &s.display_name {
            Some(n) => format!("subscription {} ({n})", s.subscription_id),
            None => format!("subscription {}", s.subscription_id),
        };
        let Some(wanted) = self.wanted().await else {
            return Ok(listed
                .iter()
                .map(|s| Sub { id: s.subscription_id.clone(), label: label(s), tenant: s.tenant_id.clone() })
                .collect());
        };
        Ok(wanted
            .iter()
            .map(|want| match listed.iter().find(|s| s.subscription_id.eq_ignore_ascii_case(want)) {
                Some(s) => Sub { id: s.subscription_id.clone(), label: label(s), tenant: s.tenant_id.clone() },
                None => Sub { id: want.clone(), label: format!("subscription {want}"), tenant: None },
            })
            .collect())
    }

    async fn subscription(self: Arc<Self>, sub: Sub) {
        let first = self.arm.url(&format!(
            "subscriptions/{}/providers/Microsoft.ContainerService/managedClusters?api-version={}",
            sub.id, self.cfg.api_versions.managed_clusters
        ));
        let mut next = match first {
            Ok(u) => Some(u),
            Err(e) => {
                return self.send(Collected::ScopeFailed(failure(sub.label.clone(), "listManagedClusters", &e))).await;
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        let mut complete = true;
        let mut page = 0;
        while let Some(url) = next.take() {
            page += 1;
            match self.arm.page::<serde_json::Value>("listManagedClusters", page, url).await {
                Ok((items, n)) => {
                    next = n;
                    // Clusters waiting for a slot are held as compact text, not parsed trees: a
                    // fleet's subscriptions all list at once and wait together.
                    let waiting: Vec<String> = items.iter().map(serde_json::Value::to_string).collect();
                    drop(items);
                    for text in waiting {
                        let permit = self.cfg.limiter.cluster_slot().await;
                        // Finished clusters' tasks are freed as they go, not when the list ends.
                        while tasks.try_join_next().is_some() {}
                        let s = self.clone();
                        let sub_id = sub.id.clone();
                        tasks.spawn(async move {
                            let _permit = permit;
                            // Text this process wrote from a parsed value parses again.
                            let raw = serde_json::from_str(&text).unwrap_or_default();
                            drop(text);
                            let cluster = s.cluster(&sub_id, raw).await;
                            s.send(Collected::Cluster(Box::new(cluster))).await;
                        });
                    }
                }
                Err(e) => {
                    complete = false;
                    self.send(Collected::ScopeFailed(failure(sub.label.clone(), "listManagedClusters", &e))).await;
                }
            }
        }
        while tasks.join_next().await.is_some() {}
        if complete {
            self.send(Collected::Covered(Coverage::Subscription(sub.id.clone()))).await;
        }
    }

    async fn cluster(&self, sub: &str, raw: serde_json::Value) -> kubeposture_checks::Cluster {
        let mc = match ManagedCluster::deserialize(&raw) {
            Ok(mc) => mc,
            Err(e) => return map::unparsable(&raw, sub, &e.to_string()),
        };
        let admin_group_ids = mc
            .properties
            .as_ref()
            .and_then(|p| p.aad_profile.as_ref())
            .and_then(|a| a.admin_group_object_ids.clone())
            .unwrap_or_default();
        let facts = ClusterFacts { subscription: sub, id: &mc.id, admin_group_ids: &admin_group_ids };
        let (catalog, logging, entra, data_plane) = tokio::join!(
            self.catalog(sub, &mc.location),
            self.logging(&mc.id),
            self.identity.for_cluster(facts),
            self.data_plane(&mc)
        );
        map::map(&mc, sub, Extras { catalog, logging, entra, data_plane })
    }

    async fn data_plane(&self, mc: &ManagedCluster) -> DataPlane {
        match &self.data_plane {
            Some(dp) => dp.read(mc).await,
            None => DataPlane::unknown(crate::k8s::SKIPPED),
        }
    }

    async fn catalog(&self, sub: &str, location: &str) -> Field<Arc<VersionCatalog>> {
        let path = format!("locations/{location}/kubernetesVersions");
        if location.is_empty() {
            return Field::unknown(path, "the cluster has no location");
        }
        self.catalogs.get_or_init(location.to_ascii_lowercase(), || async {
            let url = self.arm.url(&format!(
                "subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions?api-version={}",
                self.cfg.api_versions.managed_clusters
            ));
            let got = match url {
                Ok(u) => self.arm.get_json::<KubernetesVersionList>("listKubernetesVersions", u).await,
                Err(e) => Err(e),
            };
            match got {
                Ok(list) => {
                    let cat = map::catalog(&list);
                    let raw = cat.versions.iter().map(|v| v.minor.as_str()).collect::<Vec<_>>().join(", ");
                    Field::value(path.clone(), Arc::new(cat), raw)
                }
                Err(e) => Field::unknown(path.clone(), e.to_string()),
            }
        })
        .await
    }

    async fn logging(&self, cluster_id: &str) -> Field<Vec<String>> {
        const PATH: &str = "diagnosticSettings[*].properties.logs";
        let url = self.arm.url(&format!(
            "{}/providers/Microsoft.Insights/diagnosticSettings?api-version={}",
            cluster_id.trim_start_matches('/'),
            self.cfg.api_versions.diagnostic_settings
        ));
        let got = match url {
            Ok(u) => self.arm.list::<DiagnosticSetting>("listDiagnosticSettings", u).await,
            Err(e) => Err(e),
        };
        match got {
            Ok(settings) => {
                let cats = map::enabled_categories(&settings);
                let names: Vec<&str> = settings.iter().filter_map(|s| s.name.as_deref()).collect();
                let raw = if settings.is_empty() {
                    "no diagnostic settings".to_string()
                } else {
                    format!("{} (settings: {})", serde_json::to_string(&cats).unwrap_or_default(), names.join(", "))
                };
                Field::value(PATH, cats, raw)
            }
            Err(e) => Field::unknown(PATH, e.to_string()),
        }
    }
}
