//! The AWS scan: login → accounts (the caller's, or one per assumed role) → enabled regions →
//! clusters, streamed as each is complete; then one scope per account (orphaned OIDC providers).
//! IAM is read once per account, versions once per region, policies once per ARN. A cluster is
//! mapped once every account's IAM is in (an IRSA role may be another account's, see
//! [`fleet`](super::fleet)); the account scopes once every account's clusters are.

use super::config::{self, AwsConfig, RoleTarget, SetupError};
use super::data_plane::EksDataPlane;
use super::ec2::{self, RegionInstances};
use super::eks::{self, Clients};
use super::error::{AwsError, err};
use super::fleet::{Fleet, FleetIam, Registration};
use super::iam::{self, AccountIam, NodeRoles, issuer_key, provider_issuer};
use super::map::{self, Extras};
use super::nodes::{self, Profiles};
use super::org;
use super::pages;
use super::session::Session;
use super::vpc_flags::VpcFlags;
use crate::collected::{Collected, Coverage, ScopeFailure};
use crate::once::OnceMap;
use aws_config::{Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use kubeposture_checks::model::{DataPlane, VersionCatalog};
use kubeposture_checks::{Cloud, Cluster, Field, ResourceKind, ResourceRef, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, mpsc};

pub async fn scan(cfg: AwsConfig, tx: mpsc::Sender<Collected>) -> Result<(), SetupError> {
    let base = config::load(&cfg).await?;
    let data_plane = cfg.data_plane.clone().map(|opts| EksDataPlane {
        endpoint_url: cfg.endpoint_url.clone(),
        opts: crate::k8s::Options { limiter: Some(cfg.limiter.clone()), ..opts },
    });
    let scanner =
        Arc::new(Scanner { data_plane, versions: OnceMap::default(), node_roles: NodeRoles::default(), cfg, tx });
    // Each account is set up (role assumed, identity checked) and scanned in its own task, so
    // no account waits for another's setup.
    let mut tasks = tokio::task::JoinSet::new();
    let roles = scanner.roles(&base).await;
    let login = if roles.is_empty() && scanner.cfg.organization.is_none() {
        let provider = base.credentials_provider();
        if provider.is_none() {
            let e = AwsError::new("GetCallerIdentity", "no AWS credentials are configured");
            scanner.send(Collected::ScopeFailed(failure("AWS login".into(), &e))).await;
        }
        provider
    } else {
        None
    };
    // Every account registers its IAM facts (or why it has none) before any cluster is mapped.
    let fleet = FleetIam::new(roles.len() + usize::from(login.is_some()));
    if let Some(provider) = login {
        let account = Account::new(&base, provider, scanner.budget(), fleet.clone());
        let (s, reg) = (scanner.clone(), Registration::new(fleet.clone(), "the login account".into()));
        tasks.spawn(async move { s.account(account, None, reg).await });
    }
    for role in roles {
        let (s, base) = (scanner.clone(), base.clone());
        let account_id = role.arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or(&role.arn).to_string();
        let (reg, fleet) = (Registration::new(fleet.clone(), account_id), fleet.clone());
        tasks.spawn(async move {
            let account = Account::new(&base, Scanner::assume(&base, &role).await, s.budget(), fleet);
            s.account(account, Some(role), reg).await
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(Some(d)) = joined {
            done.push(d);
        }
    }
    let scanned = Scanned::new(&done, &*fleet.ready().await);
    done.sort_by(|a, b| a.id.cmp(&b.id));
    for d in done.iter().filter(|d| d.seen.unscanned.is_none()) {
        scanner.send(Collected::Scope(Box::new(account_scope(&d.id, &d.facts, &d.seen, &scanned)))).await;
    }
    Ok(())
}

/// What an account's task hands back for the account scopes.
struct Done {
    id: String,
    facts: Arc<AccountIam>,
    seen: Seen,
}

struct Scanner {
    cfg: AwsConfig,
    tx: mpsc::Sender<Collected>,
    /// `DescribeClusterVersions`, once per region.
    versions: OnceMap<String, Field<Arc<VersionCatalog>>>,
    node_roles: NodeRoles,
    /// `None` with `--no-data-plane`.
    data_plane: Option<EksDataPlane>,
}

/// One account to scan, with credentials acting in it.
struct Account {
    id: String,
    conf: SdkConfig,
    /// The credentials of `conf`, shared with the EKS token signer.
    session: Session,
    iam: aws_sdk_iam::Client,
    /// IAM facts, read once however many regions and clusters need them.
    facts: OnceCell<Arc<AccountIam>>,
    /// Instance profile → role, read once when some node outside a node group needs it.
    profiles: OnceCell<Arc<Profiles>>,
    /// Every scanned account's IAM (this one's included), awaited before a cluster is mapped.
    fleet: Arc<FleetIam>,
}

impl Account {
    /// Credentials through `provider`, one session for every client of the account.
    fn new(
        base: &SdkConfig,
        provider: SharedCredentialsProvider,
        budget: std::time::Duration,
        fleet: Arc<FleetIam>,
    ) -> Self {
        let session = Session::new(provider, budget);
        let conf = base.to_builder().credentials_provider(SharedCredentialsProvider::new(session.clone())).build();
        Self {
            iam: config::iam(&conf),
            id: String::new(),
            conf,
            session,
            facts: OnceCell::new(),
            profiles: OnceCell::new(),
            fleet,
        }
    }

    /// The credentials acting in this account (an assumed role's session is reused until 5
    /// minutes before it expires).
    async fn credentials(&self) -> Result<Credentials, String> {
        self.session.get().await.map_err(|e| super::error::credentials(&e))
    }
}

fn failure(scope: String, e: &AwsError) -> ScopeFailure {
    ScopeFailure { cloud: Cloud::Eks, scope, operation: e.operation.to_string(), reason: e.to_string() }
}

impl Scanner {
    async fn send(&self, item: Collected) {
        // The receiver only goes away when the scan is being abandoned.
        let _ = self.tx.send(item).await;
    }

    fn budget(&self) -> std::time::Duration {
        config::credential_budget(self.cfg.max_retries)
    }

    async fn whoami(conf: &SdkConfig) -> Result<String, AwsError> {
        let out = config::sts(conf).get_caller_identity().send().await.map_err(err("GetCallerIdentity"))?;
        out.account.ok_or_else(|| AwsError::new("GetCallerIdentity", "no Account in the answer"))
    }

    /// A provider of credentials acting through `role` (assumed on first use).
    async fn assume(base: &SdkConfig, role: &RoleTarget) -> SharedCredentialsProvider {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(&role.arn).session_name("kubeposture");
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id);
        }
        SharedCredentialsProvider::new(builder.configure(base).build().await)
    }

    /// The roles given, plus one per account of the organization (`--aws-organization`).
    async fn roles(&self, base: &SdkConfig) -> Vec<RoleTarget> {
        let mut roles = self.cfg.roles.clone();
        let Some(scope) = &self.cfg.organization else { return roles };
        match org::targets(base, scope).await {
            Ok((found, skipped)) => {
                for s in skipped {
                    if scope.accounts.contains(&s.account) {
                        let reason = format!("not scanned: {}", s.why);
                        let f = ScopeFailure {
                            cloud: Cloud::Eks,
                            scope: format!("account {}", s.account),
                            operation: "ListAccounts".into(),
                            reason,
                        };
                        self.send(Collected::ScopeFailed(f)).await;
                    } else {
                        tracing::info!("organization account {} not scanned: {}", s.account, s.why);
                    }
                }
                for r in found {
                    if !roles.iter().any(|have| have.arn == r.arn) {
                        roles.push(r);
                    }
                }
            }
            Err(e) => self.send(Collected::ScopeFailed(failure("AWS organization".into(), &e))).await,
        }
        roles
    }

    async fn regions(&self, account: &Account) -> Result<Vec<String>, AwsError> {
        if !self.cfg.regions.is_empty() {
            return Ok(self.cfg.regions.clone());
        }
        let ec2 = config::ec2(&account.conf);
        let out = ec2.describe_regions().send().await.map_err(err("DescribeRegions"))?;
        let mut regions: Vec<String> =
            out.regions().iter().filter_map(|r| r.region_name().map(str::to_string)).collect();
        // Every account has regions enabled: an answer without any is not "nothing to scan".
        if regions.is_empty() {
            return Err(AwsError::new("DescribeRegions", "the answer lists no region; pass --region to scan some"));
        }
        regions.sort();
        Ok(regions)
    }

    async fn facts(&self, account: &Account) -> Arc<AccountIam> {
        account.facts.get_or_init(|| async { Arc::new(iam::load_account(&account.iam).await) }).await.clone()
    }

    /// One account: its credentials first (the role assumed, once); then whose it is
    /// (`GetCallerIdentity`), its enabled regions and its IAM facts, asked at once, the facts
    /// registered with the fleet; then its regions, each scanned as its cluster list arrives.
    /// Hands back what its account scope needs, once every cluster of it is out.
    async fn account(
        self: Arc<Self>,
        mut account: Account,
        role: Option<RoleTarget>,
        reg: Registration,
    ) -> Option<Done> {
        let failed = |e: &AwsError| {
            let scope = role.as_ref().map_or_else(|| "AWS login".to_string(), |r| format!("role {}", r.arn));
            Collected::ScopeFailed(failure(scope, e))
        };
        if let Err(why) = account.credentials().await {
            let op = if role.is_some() { "AssumeRole" } else { "GetCallerIdentity" };
            let e = AwsError::new(op, why);
            reg.failed(e.to_string());
            self.send(failed(&e)).await;
            return None;
        }
        let (who, regions, facts) =
            tokio::join!(Self::whoami(&account.conf), self.regions(&account), self.facts(&account));
        account.id = match who {
            Ok(id) => id,
            Err(mut e) => {
                if role.is_some() {
                    e.operation = "AssumeRole";
                }
                reg.failed(e.to_string());
                self.send(failed(&e)).await;
                return None;
            }
        };
        reg.facts(account.id.clone(), facts.clone());
        let label = format!("account {}", account.id);
        let regions = match regions {
            Ok(r) => r,
            Err(e) => {
                self.send(Collected::ScopeFailed(failure(label, &e))).await;
                let seen = Seen { unscanned: Some(e.to_string()), ..Seen::default() };
                return Some(Done { id: account.id, facts, seen });
            }
        };
        let account = Arc::new(account);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut tasks = tokio::task::JoinSet::new();
        for region in regions {
            let (s, account, seen) = (self.clone(), account.clone(), seen.clone());
            tasks.spawn(async move { s.region(account, region, seen).await });
        }
        while tasks.join_next().await.is_some() {}
        let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
        Some(Done { id: account.id.clone(), facts, seen })
    }

    async fn region(self: Arc<Self>, account: Arc<Account>, region: String, seen: Arc<Mutex<Seen>>) {
        let conf = account.conf.to_builder().region(Region::new(region.clone())).build();
        let eks = config::eks(&conf);
        let names =
            pages::all("ListClusters", eks.list_clusters().into_paginator().send(), |o| o.clusters.unwrap_or_default())
                .await;
        let names = match names {
            Ok(n) => n,
            Err(e) => {
                seen.lock().unwrap_or_else(|p| p.into_inner()).unlisted.insert(region.clone(), e.to_string());
                let scope = format!("account {} region {region}", account.id);
                return self.send(Collected::ScopeFailed(failure(scope, &e))).await;
            }
        };
        seen.lock().unwrap_or_else(|p| p.into_inner()).regions.insert(region.clone());
        let ec2 = config::ec2(&conf);
        // The region's instances tagged for clusters: one paged DescribeInstances, on first need.
        let instances: Arc<OnceCell<RegionInstances>> = Arc::default();
        let mut tasks = tokio::task::JoinSet::new();
        if !names.is_empty() {
            // Asked now, beside the first DescribeCluster, rather than after it.
            let (instances, ec2) = (instances.clone(), ec2.clone());
            tasks.spawn(async move {
                instances.get_or_init(|| ec2::tagged_instances(&ec2)).await;
            });
        }
        for name in names {
            let permit = self.cfg.limiter.cluster_slot().await;
            // Finished clusters' tasks are freed as they go, not when the region ends.
            while tasks.try_join_next().is_some() {}
            let (s, account, seen, eks, ec2, region, instances) = (
                self.clone(),
                account.clone(),
                seen.clone(),
                eks.clone(),
                ec2.clone(),
                region.clone(),
                instances.clone(),
            );
            tasks.spawn(async move {
                let _permit = permit;
                let cluster = s.cluster(&account, &region, &eks, &ec2, &instances, &name).await;
                seen.lock().unwrap_or_else(|p| p.into_inner()).record(&region, &name, &cluster);
                s.send(Collected::Cluster(Box::new(cluster))).await;
            });
        }
        while tasks.join_next().await.is_some() {}
        self.send(Collected::Covered(Coverage::Region { account: account.id.clone(), region })).await;
    }

    async fn cluster(
        &self,
        account: &Account,
        region: &str,
        eks: &aws_sdk_eks::Client,
        ec2: &aws_sdk_ec2::Client,
        instances: &OnceCell<RegionInstances>,
        name: &str,
    ) -> Cluster {
        let flags = VpcFlags::default();
        let described = eks
            .describe_cluster()
            .name(name)
            .customize()
            .interceptor(flags.clone())
            .send()
            .await
            .map_err(err("DescribeCluster"));
        let c = match described.map(|d| d.cluster) {
            Ok(Some(c)) => c,
            Ok(None) => {
                let r = map::cluster_ref(&account.id, region, name, None);
                return Cluster::unknown(r, "DescribeCluster returned no cluster");
            }
            Err(e) => return Cluster::unknown(map::cluster_ref(&account.id, region, name, None), &e.to_string()),
        };
        let mut r = map::cluster_ref(&account.id, region, name, c.arn());
        r.tags = c.tags().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
        let instances = instances.get_or_init(|| ec2::tagged_instances(ec2)).await;
        let clients = Clients {
            eks,
            ec2,
            iam: &account.iam,
            node_roles: &self.node_roles,
            instances,
            profiles: &account.profiles,
        };
        let (catalog, mut node_pools, access_entries, addons, fleet, data_plane) = tokio::join!(
            self.versions.get_or_init(region.to_string(), || eks::versions(eks, region)),
            eks::node_pools(&clients, name),
            eks::access_entries(eks, name),
            eks::addons(eks, name),
            account.fleet.ready(),
            self.data_plane(account, region, &c),
        );
        let facts = self.facts(account).await;
        // The node roles of node access entries and of Auto Mode's computeConfig are node roles
        // too (NODE-002/003).
        let mode = c.access_config().and_then(|a| a.authentication_mode()).map(|m| m.as_str());
        let mut entry_pools = nodes::access_entry_pools(&clients, &access_entries, mode).await;
        entry_pools.extend(nodes::auto_mode_pool(&clients, c.compute_config()).await);
        if let (Some(pools), false) = (node_pools.get(), entry_pools.is_empty()) {
            let mut all = pools.clone();
            all.extend(entry_pools);
            node_pools = Field::value(node_pools.path.clone(), all, node_pools.observed());
        }
        let stated = flags.stated();
        map::map(r, &c, &facts, &fleet, Extras { catalog, node_pools, access_entries, addons, data_plane, stated })
    }

    async fn data_plane(&self, account: &Account, region: &str, c: &aws_sdk_eks::types::Cluster) -> DataPlane {
        match &self.data_plane {
            Some(dp) => dp.read(region, c, account.credentials().await).await,
            None => DataPlane::unknown(crate::k8s::SKIPPED),
        }
    }
}

/// What an account's regions showed: regions listed, issuers of their clusters.
#[derive(Default)]
struct Seen {
    regions: BTreeSet<String>,
    issuers: BTreeSet<String>,
    /// Regions with a cluster whose issuer could not be read, and why.
    uncertain: BTreeMap<String, String>,
    /// Regions whose cluster list could not be read, and why.
    unlisted: BTreeMap<String, String>,
    /// Why no region of the account was listed (`DescribeRegions` failed).
    unscanned: Option<String>,
}

impl Seen {
    fn record(&mut self, region: &str, name: &str, cluster: &Cluster) {
        let issuer = &cluster.workload_identity.oidc_issuer_url;
        match (issuer.get(), issuer.unknown_reason()) {
            (Some(i), _) => {
                self.issuers.insert(issuer_key(i));
            }
            (None, Some(why)) => {
                self.uncertain.insert(region.to_string(), format!("cluster {name}: {why}"));
            }
            _ => {}
        }
    }
}

/// What every scanned account showed: a provider may be another account's cluster's
/// (cross-account IRSA), so orphans are judged against all of it.
#[derive(Default)]
struct Scanned {
    issuers: BTreeSet<String>,
    /// Region → why, for regions of any account with a cluster that could not be read.
    uncertain: BTreeMap<String, String>,
    /// Region → why, for regions of any account whose cluster list failed.
    unlisted: BTreeMap<String, String>,
    /// Accounts none of whose clusters were listed, and why.
    unscanned: Vec<(String, String)>,
}

impl Scanned {
    fn new(done: &[Done], fleet: &Fleet) -> Self {
        let mut all = Scanned::default();
        for d in done {
            all.issuers.extend(d.seen.issuers.iter().cloned());
            for (region, why) in &d.seen.uncertain {
                all.uncertain.entry(region.clone()).or_insert_with(|| format!("account {}, {why}", d.id));
            }
            for (region, why) in &d.seen.unlisted {
                all.unlisted.entry(region.clone()).or_insert_with(|| format!("account {}: {why}", d.id));
            }
            if let Some(why) = &d.seen.unscanned {
                all.unscanned.push((d.id.clone(), why.clone()));
            }
        }
        all.unscanned.extend(fleet.unscanned.iter().map(|b| (b.account.clone(), b.why.clone())));
        all
    }
}

/// The account scope: IAM OIDC providers for EKS issuers that no scanned cluster (of any
/// account) uses, in the regions the account listed (a provider for a region not scanned is
/// not judged). A provider that would be orphaned while some cluster list failed or some
/// cluster could not be read — of any scanned account, in its region — makes the list unknown:
/// orphaned can only be said of what every cluster list was read for.
fn account_scope(account: &str, facts: &AccountIam, seen: &Seen, all: &Scanned) -> Scope {
    const PATH: &str = "iam.ListOpenIDConnectProviders";
    let orphan_oidc_providers = match &facts.oidc_providers {
        Ok(arns) => {
            let mut orphans = Vec::new();
            for arn in arns {
                let Some(key) = provider_issuer(arn) else { continue };
                let Some(region) = eks_issuer_region(&key) else { continue };
                if all.issuers.contains(&key) {
                    continue;
                }
                if !seen.regions.contains(region) && !seen.unlisted.contains_key(region) {
                    continue;
                }
                if let Some(why) = all.unlisted.get(region) {
                    let reason =
                        format!("{arn} may belong to a cluster of {region}, whose cluster list failed ({why})");
                    return scope(account, Field::unknown(PATH, reason));
                }
                if let Some(why) = all.uncertain.get(region) {
                    let reason = format!("{arn} may belong to a cluster that could not be read ({why})");
                    return scope(account, Field::unknown(PATH, reason));
                }
                if let Some((other, why)) = all.unscanned.first() {
                    let reason = format!(
                        "{arn} may belong to a cluster of account {other} (cross-account IRSA), which could not be scanned ({why})"
                    );
                    return scope(account, Field::unknown(PATH, reason));
                }
                orphans.push(arn.clone());
            }
            let raw = serde_json::to_string(&orphans).unwrap_or_default();
            Field::value(PATH, orphans, raw)
        }
        Err(e) => Field::unknown(PATH, e.to_string()),
    };
    scope(account, orphan_oidc_providers)
}

fn scope(account: &str, orphan_oidc_providers: Field<Vec<String>>) -> Scope {
    Scope {
        r#ref: ResourceRef {
            kind: ResourceKind::Account,
            cloud: Cloud::Eks,
            account: account.to_string(),
            region: String::new(),
            resource_group: None,
            name: account.to_string(),
            id: account.to_string(),
            tags: Default::default(),
        },
        orphan_oidc_providers,
        conditional_access: Field::absent("conditionalAccess/policies"),
    }
}

/// The region of an EKS issuer (`oidc.eks.REGION.amazonaws.com/id/ID`); `None` for other issuers.
fn eks_issuer_region(key: &str) -> Option<&str> {
    let host = key.split('/').next()?;
    let rest = host.strip_prefix("oidc.eks.")?;
    let (region, domain) = rest.split_once('.')?;
    domain.starts_with("amazonaws.com").then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a scan of this one account showed.
    fn alone(seen: &Seen) -> Scanned {
        Scanned {
            issuers: seen.issuers.clone(),
            uncertain: seen.uncertain.clone(),
            unlisted: seen.unlisted.clone(),
            unscanned: vec![],
        }
    }

    #[test]
    fn a_provider_for_another_accounts_cluster_is_not_orphaned() {
        let issuer = "oidc.eks.us-east-1.amazonaws.com/id/CLUSTERA";
        let facts = AccountIam {
            oidc_providers: Ok(vec![format!("arn:aws:iam::444455556666:oidc-provider/{issuer}")]),
            roles: Ok(vec![]),
        };
        // Account B (the provider's) lists its region and has no cluster there.
        let b = Seen { regions: ["us-east-1".to_string()].into(), ..Seen::default() };
        let mut all = alone(&b);
        all.issuers.insert(issuer_key(&format!("https://{issuer}")));
        let scope = account_scope("444455556666", &facts, &b, &all);
        assert_eq!(scope.orphan_oidc_providers.get().unwrap(), &Vec::<String>::new());
        // Without account A's cluster in the scan it is orphaned; with account A unscanned, unknown.
        let mut all = alone(&b);
        assert_eq!(account_scope("444455556666", &facts, &b, &all).orphan_oidc_providers.get().unwrap().len(), 1);
        all.unscanned.push(("111122223333".into(), "AccessDenied on AssumeRole".into()));
        let scope = account_scope("444455556666", &facts, &b, &all);
        assert!(scope.orphan_oidc_providers.unknown_reason().unwrap().contains("111122223333"));
    }

    #[test]
    fn orphans_are_eks_providers_of_scanned_regions_without_a_cluster() {
        let arn = |host: &str| format!("arn:aws:iam::111122223333:oidc-provider/{host}");
        let facts = AccountIam {
            oidc_providers: Ok(vec![
                arn("oidc.eks.us-east-1.amazonaws.com/id/USED"),
                arn("oidc.eks.us-east-1.amazonaws.com/id/ORPHAN"),
                arn("oidc.eks.ap-south-1.amazonaws.com/id/NOTSCANNED"),
                arn("token.actions.githubusercontent.com"),
            ]),
            roles: Ok(vec![]),
        };
        let mut seen = Seen {
            regions: ["us-east-1".to_string()].into(),
            issuers: [issuer_key("https://oidc.eks.us-east-1.amazonaws.com/id/USED")].into(),
            uncertain: BTreeMap::new(),
            unlisted: BTreeMap::new(),
            unscanned: None,
        };
        let scope = account_scope("111122223333", &facts, &seen, &alone(&seen));
        assert_eq!(
            scope.orphan_oidc_providers.get().unwrap(),
            &vec![arn("oidc.eks.us-east-1.amazonaws.com/id/ORPHAN")]
        );
        assert_eq!(eks_issuer_region("oidc.eks.cn-north-1.amazonaws.com.cn/id/X"), Some("cn-north-1"));
        seen.uncertain.insert("us-east-1".into(), "cluster x: AccessDeniedException".into());
        let scope = account_scope("111122223333", &facts, &seen, &alone(&seen));
        assert!(scope.orphan_oidc_providers.unknown_reason().unwrap().contains("AccessDeniedException"));
    }

    #[test]
    fn a_failed_cluster_list_makes_its_regions_providers_unknown_never_an_empty_list() {
        let arn = |host: &str| format!("arn:aws:iam::111122223333:oidc-provider/{host}");
        let facts = AccountIam {
            oidc_providers: Ok(vec![arn("oidc.eks.eu-west-1.amazonaws.com/id/MAYBE")]),
            roles: Ok(vec![]),
        };
        let mut seen = Seen { regions: ["us-east-1".to_string()].into(), ..Seen::default() };
        seen.unlisted.insert("eu-west-1".into(), "AccessDeniedException (HTTP 403) on ListClusters: no".into());
        let scope = account_scope("111122223333", &facts, &seen, &alone(&seen));
        let why = scope.orphan_oidc_providers.unknown_reason().unwrap();
        assert!(why.contains("ListClusters") && why.contains("eu-west-1"), "{why}");
        // A provider of a region whose list was read is still judged.
        seen.unlisted.clear();
        seen.regions.insert("eu-west-1".into());
        let scope = account_scope("111122223333", &facts, &seen, &alone(&seen));
        assert_eq!(scope.orphan_oidc_providers.get().unwrap().len(), 1);
    }
}
