//! The Kubernetes reader against the mock's API servers, which check tokens as AKS and EKS do:
//! a token for the wrong audience or for another cluster is refused, and the data plane comes
//! out `unknown` naming the 401 and the grant — never an empty (passing) cluster: every WKL/K8S
//! verdict of such a cluster is `unknown` with that cause.

use aws_credential_types::Credentials;
use kubeposture_checks::model::DataPlane;
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use kubeposture_providers::Collected;
use kubeposture_providers::azure::{self, AzureConfig, CredentialChoice, Endpoints};
use kubeposture_providers::k8s::{self, AccessHint, Target, eks_token};
use serde_json::json;
use std::time::{Duration, SystemTime};

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const CLIENT_SECRET: &str = "client-secret-for-tests";
const SUB: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const ACCOUNT: &str = "111111111111";
const AKID: &str = "AKIATESTK8STOKENS001";
const AWS_SECRET: &str = "k8s/token+test/secret";

fn estate() -> Estate {
    let aks_id =
        format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-a");
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
                     "spec": {"containers": [{"name": "web", "image": "contoso.azurecr.io/web:1"}]}});
    let e = json!({
        "estate": "v1",
        "entra": {"tenants": [{"tenantId": TENANT, "clients": [{"clientId": CLIENT, "clientSecret": CLIENT_SECRET}]}]},
        "azure": {"subscriptions": [{"subscriptionId": SUB, "tenantId": TENANT, "managedClusters": [{
            "id": aks_id, "name": "aks-a", "location": "westeurope",
            "properties": {"aadProfile": {"managed": true, "enableAzureRBAC": true}}
        }]}]},
        "aws": {"accounts": [{
            "accountId": ACCOUNT, "regions": ["eu-west-1"],
            "credentials": [{"accessKeyId": AKID, "secretAccessKey": AWS_SECRET, "arn": format!("arn:aws:iam::{ACCOUNT}:user/scanner")}],
            "regional": {"eu-west-1": {"clusters": [
                {"cluster": {"name": "prod", "status": "ACTIVE"}},
                {"cluster": {"name": "staging", "status": "ACTIVE"}}
            ]}}
        }]},
        "kubernetes": {"clusters": [
            {"cluster": aks_id, "objects": [pod]},
            {"cluster": format!("arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod"), "objects": [pod]}
        ]}
    });
    Estate::from_yaml(&e.to_string()).expect("estate parses")
}

async fn mock() -> MockCloud {
    MockCloud::start(estate(), MockOptions::default()).await.expect("mock starts")
}

/// Every WKL/K8S verdict of a cluster whose data plane is `dp`: each `unknown`, naming `why`.
fn all_unknown(mut cluster: kubeposture_checks::Cluster, dp: DataPlane, why: &str) {
    cluster.data_plane = dp;
    let ctx = kubeposture_checks::Context::new(time::OffsetDateTime::UNIX_EPOCH);
    let outcomes: Vec<_> = kubeposture_checks::evaluate(&cluster, &ctx)
        .into_iter()
        .filter(|(m, _)| matches!(m.family(), "WKL" | "K8S"))
        .collect();
    assert!(outcomes.len() >= 19, "every data-plane check is reported");
    for (m, o) in outcomes {
        assert_eq!(o.status, kubeposture_checks::Status::Unknown, "{}: {}", m.id, o.message);
        assert!(o.message.contains(why), "{}: {}", m.id, o.message);
    }
}

fn workload_count(dp: &DataPlane) -> Option<usize> {
    dp.workloads.get().map(|w| w.items.iter().filter(|w| w.namespace == "shop").count())
}

/// Scans the mock's Azure side and returns the one cluster's data plane.
async fn aks_data_plane(m: &MockCloud, scope: &str) -> DataPlane {
    let url: url::Url = m.url().parse().unwrap();
    let cfg = AzureConfig {
        credential: CredentialChoice::ClientSecret {
            tenant_id: TENANT.into(),
            client_id: CLIENT.into(),
            secret: CLIENT_SECRET.into(),
        },
        endpoints: Endpoints { authority_host: url.clone(), arm: url.clone(), graph: url },
        extra_ca_pem: Some(m.ca_pem().as_bytes().to_vec()),
        aks_scope: scope.into(),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let scan = tokio::spawn(azure::scan(cfg, tx));
    let mut found = None;
    while let Some(item) = rx.recv().await {
        if let Collected::Cluster(c) = item {
            found = Some(c.data_plane);
        }
    }
    scan.await.unwrap().unwrap();
    found.expect("the cluster was scanned")
}

#[tokio::test]
async fn aks_accepts_only_a_token_for_the_aks_server_app() {
    let m = mock().await;
    let dp = aks_data_plane(&m, azure::data_plane::AKS_SCOPE).await;
    assert_eq!(workload_count(&dp), Some(1), "{:?}", dp.workloads);
    assert_eq!(m.counters().get("listClusterUserCredential"), Some(&1));

    // An ARM token is a valid Entra token, for the wrong audience.
    let dp = aks_data_plane(&m, "https://management.azure.com/.default").await;
    let why = dp.workloads.unknown_reason().expect("refused");
    assert!(why.starts_with("the API server answered 401 Unauthorized"), "{why}");
    assert!(why.contains("6dae42f8-4368-4678-94ff-3960e28e3630"), "{why}");
    assert!(dp.token_secrets.unknown_reason().is_some_and(|r| r == why), "every list says the same");
    all_unknown(kubeposture_checks::testing::hardened_aks(), dp, "401 Unauthorized");
    m.shutdown().await;
}

fn eks_target(m: &MockCloud, cluster: &str, token: String) -> Target {
    Target {
        server: format!("{}/k8s/eks/{ACCOUNT}/eu-west-1/{cluster}", m.url()),
        ca_pem: Some(m.ca_pem().as_bytes().to_vec()),
        token,
        eks: true,
        hint: AccessHint { cloud: Some(kubeposture_checks::Cloud::Eks), ..Default::default() },
    }
}

fn sign(m: &MockCloud, akid: &str, for_cluster: &str, at: SystemTime) -> String {
    let creds = Credentials::new(akid, AWS_SECRET, None, None, "test");
    eks_token::token(&creds, "eu-west-1", &eks_token::sts_endpoint("eu-west-1", Some(&m.url())), for_cluster, at)
        .unwrap()
}

#[tokio::test]
async fn eks_accepts_only_a_fresh_token_signed_for_this_cluster() {
    let m = mock().await;
    let opts = k8s::Options::default();
    let now = SystemTime::now();
    let dp = k8s::read(&eks_target(&m, "prod", sign(&m, AKID, "prod", now)), &opts).await;
    assert_eq!(workload_count(&dp), Some(1), "{:?}", dp.workloads);
    assert!(dp.aws_auth.get().is_none() && !dp.aws_auth.is_unknown(), "no aws-auth: absent");

    let refused = [
        ("a token for another cluster", sign(&m, AKID, "staging", now)),
        ("an expired token", sign(&m, AKID, "prod", now - Duration::from_secs(20 * 60))),
        ("an unknown key", sign(&m, "AKIAUNKNOWN000000000", "prod", now)),
        ("a tampered token", sign(&m, AKID, "prod", now).replace('A', "B")),
        ("no token", String::new()),
    ];
    for (what, token) in refused {
        let dp = k8s::read(&eks_target(&m, "prod", token), &opts).await;
        let why = dp.workloads.unknown_reason().unwrap_or_else(|| panic!("{what} was accepted"));
        assert!(why.contains("401 Unauthorized") && why.contains("access entry"), "{what}: {why}");
        all_unknown(kubeposture_checks::testing::hardened_eks(), dp, "401 Unauthorized");
    }
    assert!(
        m.counters()
            .get(&format!("k8s:unauthorized@arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod"))
            .is_some_and(|n| *n >= 5)
    );
    m.shutdown().await;
}

#[tokio::test]
async fn unreachable_and_unparsable_targets_are_unknown_with_the_cause() {
    let m = mock().await;
    let opts = k8s::Options { connect_timeout: Duration::from_secs(5), ..Default::default() };
    let mut t = eks_target(&m, "prod", sign(&m, AKID, "prod", SystemTime::now()));
    t.server = "https://127.0.0.1:1".into();
    t.hint.private_only = true;
    let dp = k8s::read(&t, &opts).await;
    let why = dp.services.unknown_reason().unwrap();
    assert!(why.contains("cannot connect to the API server https://127.0.0.1:1") && why.contains("private"), "{why}");
    t.server = "not a url".into();
    assert!(k8s::read(&t, &opts).await.roles.unknown_reason().unwrap().contains("not valid"));
    t.server = format!("{}/k8s/eks/{ACCOUNT}/eu-west-1/prod", m.url());
    t.ca_pem = Some(b"not a certificate".to_vec());
    assert!(k8s::read(&t, &opts).await.roles.unknown_reason().unwrap().contains("CA"));
    m.shutdown().await;
}
