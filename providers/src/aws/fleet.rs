//! IAM across the scanned accounts. An IRSA role may live in another account than its cluster:
//! the documented cross-account pattern registers cluster A's issuer as an IAM OIDC provider in
//! account B, whose roles then trust it. So every account's IAM facts are gathered before any
//! cluster is mapped, and a cluster's issuer finds the providers and roles of every scanned
//! account through one index (by issuer, never clusters × accounts).

use super::iam::{AccountIam, RoleTrust, issuer_key, provider_issuer};
use kubeposture_checks::iam::{Effect, Principals};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::watch;

/// An account that could not be read far enough to know its OIDC providers.
#[derive(Clone, Debug)]
pub struct Blind {
    /// The account id when known (the role ARN names it), else how it was reached.
    pub account: String,
    pub why: String,
}

/// One account's IAM facts and its roles indexed by the issuers their trust policies name.
pub struct Member {
    pub id: String,
    pub facts: Arc<AccountIam>,
    index: OnceLock<RoleIndex>,
}

/// Roles by the issuer key of the `Federated` providers they name; `any`: roles that may trust
/// any provider (`Principal: "*"`, `{"AWS": "*"}`, `NotPrincipal`, a trust that does not parse).
/// A pre-filter only: the exact test is `web_identity_statements` on the candidates.
#[derive(Default)]
struct RoleIndex {
    by_issuer: HashMap<String, Vec<usize>>,
    any: Vec<usize>,
}

impl RoleIndex {
    fn new(roles: &[RoleTrust]) -> Self {
        let mut ix = RoleIndex::default();
        for (i, role) in roles.iter().enumerate() {
            match named_issuers(role) {
                None => ix.any.push(i),
                Some(keys) => {
                    for k in keys {
                        ix.by_issuer.entry(k).or_default().push(i);
                    }
                }
            }
        }
        ix
    }
}

/// The issuer keys a role's `Allow` statements name as `Federated` principals; `None` when the
/// role may trust any provider.
fn named_issuers(role: &RoleTrust) -> Option<BTreeSet<String>> {
    let doc = role.trust.as_ref().ok()?;
    let mut keys = BTreeSet::new();
    for st in doc.statements.iter().filter(|st| st.effect == Effect::Allow) {
        if st.not_principal.is_some() {
            return None;
        }
        match &st.principal {
            None | Some(Principals::Any) => return None,
            Some(Principals::ByType(by_type)) => {
                for (kind, values) in by_type {
                    let federated = kind.eq_ignore_ascii_case("Federated");
                    for v in values {
                        let v = v.trim();
                        if v == "*" && (federated || kind.eq_ignore_ascii_case("AWS")) {
                            return None;
                        }
                        if federated && let Some(k) = provider_issuer(v) {
                            keys.insert(k);
                        }
                    }
                }
            }
        }
    }
    Some(keys)
}

impl Member {
    /// Indices of the roles that may trust a provider for `key` (a superset).
    pub fn candidates(&self, key: &str) -> impl Iterator<Item = usize> + '_ {
        let ix = self.index.get_or_init(|| match &self.facts.roles {
            Ok(roles) => RoleIndex::new(roles),
            Err(_) => RoleIndex::default(),
        });
        let mut out: Vec<usize> = ix.by_issuer.get(key).into_iter().flatten().chain(&ix.any).copied().collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter()
    }
}

/// Every scanned account's IAM, once all of them are in.
#[derive(Default)]
pub struct Fleet {
    pub members: Vec<Member>,
    /// Issuer key → (member index, provider ARN) of every scanned account's EKS providers.
    providers: HashMap<String, Vec<(usize, String)>>,
    /// Accounts whose providers are unknown: any issuer may be trusted there.
    pub blind: Vec<Blind>,
    /// Accounts not scanned at all (no credentials, AssumeRole refused): their clusters are unknown too.
    pub unscanned: Vec<Blind>,
}

impl Fleet {
    fn new(accounts: Vec<(String, Arc<AccountIam>)>, mut unscanned: Vec<Blind>) -> Self {
        unscanned.sort_by(|a, b| a.account.cmp(&b.account));
        let mut blind = unscanned.clone();
        let mut members = Vec::with_capacity(accounts.len());
        let mut providers: HashMap<String, Vec<(usize, String)>> = HashMap::new();
        for (i, (id, facts)) in accounts.into_iter().enumerate() {
            match &facts.oidc_providers {
                Ok(arns) => {
                    for arn in arns {
                        if let Some(k) = provider_issuer(arn) {
                            providers.entry(k).or_default().push((i, arn.clone()));
                        }
                    }
                }
                Err(e) => blind.push(Blind { account: id.clone(), why: e.to_string() }),
            }
            members.push(Member { id, facts, index: OnceLock::new() });
        }
        for list in providers.values_mut() {
            list.sort_by(|a, b| a.1.cmp(&b.1));
        }
        blind.sort_by(|a, b| a.account.cmp(&b.account));
        Fleet { members, providers, blind, unscanned }
    }

    /// The member for an account id.
    pub fn member(&self, account: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == account)
    }

    /// Providers for `issuer` in scanned accounts other than `account`, sorted by ARN.
    pub fn foreign_providers<'a>(
        &'a self,
        issuer: &str,
        account: &'a str,
    ) -> impl Iterator<Item = (&'a Member, &'a str)> {
        self.providers
            .get(&issuer_key(issuer))
            .into_iter()
            .flatten()
            .map(|(i, arn)| (&self.members[*i], arn.as_str()))
            .filter(move |(m, _)| m.id != account)
    }

    /// Accounts other than `account` whose providers are unknown.
    pub fn blind_besides<'a>(&'a self, account: &'a str) -> impl Iterator<Item = &'a Blind> {
        self.blind.iter().filter(move |b| b.account != account)
    }
}

/// Filled as accounts are set up; clusters wait for [`FleetIam::ready`] before they are mapped.
pub struct FleetIam {
    pending: Mutex<Pending>,
    ready: watch::Sender<Option<Arc<Fleet>>>,
}

struct Pending {
    left: usize,
    accounts: Vec<(String, Arc<AccountIam>)>,
    blind: Vec<Blind>,
}

impl FleetIam {
    /// Expects `accounts` registrations (each account's facts, or why it has none).
    pub fn new(accounts: usize) -> Arc<Self> {
        let fleet = Arc::new(Self {
            pending: Mutex::new(Pending { left: accounts, accounts: vec![], blind: vec![] }),
            ready: watch::Sender::new(None),
        });
        if accounts == 0 {
            fleet.ready.send_replace(Some(Arc::default()));
        }
        fleet
    }

    fn register(&self, outcome: Result<(String, Arc<AccountIam>), Blind>) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if p.left == 0 {
            return;
        }
        match outcome {
            Ok(a) => p.accounts.push(a),
            Err(b) => p.blind.push(b),
        }
        p.left -= 1;
        if p.left == 0 {
            let fleet = Fleet::new(std::mem::take(&mut p.accounts), std::mem::take(&mut p.blind));
            self.ready.send_replace(Some(Arc::new(fleet)));
        }
    }

    /// Every account's IAM, once each account has registered.
    pub async fn ready(&self) -> Arc<Fleet> {
        let mut rx = self.ready.subscribe();
        match rx.wait_for(Option::is_some).await {
            Ok(f) => f.clone().unwrap_or_default(),
            // The sender lives as long as `self`.
            Err(_) => Arc::default(),
        }
    }
}

/// One account's registration: made once; dropped unmade (an early return, a panic), the
/// account registers as blind so no cluster waits forever.
pub struct Registration {
    fleet: Arc<FleetIam>,
    account: String,
    done: bool,
}

impl Registration {
    pub fn new(fleet: Arc<FleetIam>, account: String) -> Self {
        Self { fleet, account, done: false }
    }

    pub fn facts(mut self, id: String, facts: Arc<AccountIam>) {
        self.done = true;
        self.fleet.register(Ok((id, facts)));
    }

    pub fn failed(mut self, why: String) {
        self.done = true;
        self.fleet.register(Err(Blind { account: std::mem::take(&mut self.account), why }));
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if !self.done {
            let account = std::mem::take(&mut self.account);
            self.fleet.register(Err(Blind { account, why: "its scan stopped before IAM was read".into() }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::iam::parse_document;

    const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/CLUSTERA";

    fn role(name: &str, principal: &str) -> RoleTrust {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRoleWithWebIdentity"}}]}}"#
        );
        let (text, trust) = parse_document(&text);
        RoleTrust { name: name.into(), arn: format!("arn:aws:iam::444455556666:role/{name}"), text, trust }
    }

    fn account(id: &str, providers: Vec<String>, roles: Vec<RoleTrust>) -> (String, Arc<AccountIam>) {
        (id.into(), Arc::new(AccountIam { oidc_providers: Ok(providers), roles: Ok(roles) }))
    }

    #[test]
    fn another_accounts_provider_and_the_roles_that_may_trust_it_are_found_by_issuer() {
        let b_provider = format!("arn:aws:iam::444455556666:oidc-provider/{ISSUER}");
        let roles = vec![
            role("named", &format!(r#"{{"Federated":"{b_provider}"}}"#)),
            role(
                "other-issuer",
                r#"{"Federated":"arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER"}"#,
            ),
            role("anyone", r#""*""#),
            role("aws-star", r#"{"AWS":"*"}"#),
            role("service", r#"{"Service":"ec2.amazonaws.com"}"#),
        ];
        let mut broken = role("broken", "{");
        broken.trust = Err("not JSON".into());
        let mut roles = roles;
        roles.push(broken);
        let fleet = Fleet::new(
            vec![account("111122223333", vec![], vec![]), account("444455556666", vec![b_provider.clone()], roles)],
            vec![],
        );
        let issuer = format!("https://{ISSUER}/");
        let found: Vec<(&str, &str)> =
            fleet.foreign_providers(&issuer, "111122223333").map(|(m, arn)| (m.id.as_str(), arn)).collect();
        assert_eq!(found, vec![("444455556666", b_provider.as_str())]);
        // The cluster's own account is not "another" account.
        assert_eq!(fleet.foreign_providers(&issuer, "444455556666").count(), 0);
        let b = fleet.member("444455556666").unwrap();
        let names: Vec<&str> =
            b.candidates(&issuer_key(&issuer)).map(|i| b.facts.roles.as_ref().unwrap()[i].name.as_str()).collect();
        assert_eq!(names, vec!["named", "anyone", "aws-star", "broken"]);
    }

    #[tokio::test]
    async fn the_fleet_is_ready_once_every_account_registered_even_one_that_stopped() {
        let fleet = FleetIam::new(2);
        Registration::new(fleet.clone(), "111122223333".into())
            .facts("111122223333".into(), account("x", vec![], vec![]).1);
        drop(Registration::new(fleet.clone(), "444455556666".into()));
        let ready = fleet.ready().await;
        assert_eq!(ready.members.len(), 1);
        assert_eq!(ready.unscanned[0].account, "444455556666");
        assert_eq!(ready.blind.len(), 1);
        assert!(FleetIam::new(0).ready().await.members.is_empty());
    }
}
