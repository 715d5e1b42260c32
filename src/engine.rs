//! The scan engine: runs providers, scores each cluster as soon as its posture is complete
//! (while collection of the next goes on), and gathers the result.

use crate::findings::ScanResult;
use crate::progress::Progress;
use kubeposture_checks::{Cloud, Context};
use kubeposture_providers::aws::{self, AwsConfig};
use kubeposture_providers::azure::{self, AzureConfig};
use kubeposture_providers::{Collected, ScopeFailure};
use tokio::sync::mpsc;

/// Which clouds to scan and how.
pub struct ScanPlan {
    pub azure: Option<AzureConfig>,
    pub aws: Option<AwsConfig>,
}

pub async fn run(plan: ScanPlan, ctx: Context, progress: &Progress) -> ScanResult {
    // Small buffer: providers wait for scoring rather than pile clusters up in memory.
    let (tx, mut rx) = mpsc::channel::<Collected>(64);
    let mut result = ScanResult::default();

    let mut providers = tokio::task::JoinSet::new();
    if let Some(cfg) = plan.azure {
        let tx = tx.clone();
        providers.spawn(async move {
            azure::scan(cfg, tx.clone()).await.err().map(|e| ScopeFailure {
                cloud: Cloud::Aks,
                scope: "Azure".into(),
                operation: "setup".into(),
                reason: e.to_string(),
            })
        });
    }
    if let Some(cfg) = plan.aws {
        let tx = tx.clone();
        providers.spawn(async move {
            aws::scan(cfg, tx).await.err().map(|e| ScopeFailure {
                cloud: Cloud::Eks,
                scope: "AWS".into(),
                operation: "setup".into(),
                reason: e.to_string(),
            })
        });
    }
    drop(tx);

    while let Some(item) = rx.recv().await {
        match item {
            Collected::Cluster(cluster) => {
                result.record_all(&cluster.r#ref, kubeposture_checks::evaluate(&cluster, &ctx));
                progress.cluster_done(&cluster.r#ref.name);
            }
            Collected::Scope(scope) => {
                result.record_all(&scope.r#ref, kubeposture_checks::evaluate_scope(&scope, &ctx));
            }
            Collected::ScopeFailed(f) => {
                progress.scope_failed(&f);
                result.not_collected.push(f);
            }
            Collected::Covered(c) => result.covered.push(c),
        }
    }
    while let Some(joined) = providers.join_next().await {
        match joined {
            Ok(Some(f)) => result.not_collected.push(f),
            Ok(None) => {}
            Err(e) => result.not_collected.push(ScopeFailure {
                cloud: Cloud::Aks,
                scope: "provider task".into(),
                operation: "scan".into(),
                reason: format!("the provider task stopped unexpectedly: {e}"),
            }),
        }
    }
    result.finish();
    result
}
