//! IRSA trust analysis by IAM's matching semantics: which service account tokens of one cluster
//! a role's trust policy accepts, worked out exactly rather than probed with sample names.
//!
//! Every `Allow` and `Deny` statement that applies to the cluster's OIDC provider and
//! `sts:AssumeRoleWithWebIdentity` becomes a formula over the token's `:sub` and `:aud` (each
//! condition value an automaton, see [`glob`](super::glob)); other condition keys are constant
//! (absent from a web identity request, like another provider's keys or `aws:PrincipalArn`) or
//! worst case for the defender (a key the request may carry with any value). The subjects a
//! pod can present are `system:serviceaccount:NS:SA` with Kubernetes' name rules; the analysis
//! explores that language's automaton and counts namespaces and service accounts. A pod picks
//! its token's audience, so a subject counts as accepted when some audience is.
//!
//! A condition this build cannot evaluate (a numeric or date operator on `:sub`, an ARN
//! operator on `:aud`) is read both ways: a finding that holds either way is reported, one that
//! depends on it is `unknown` with the reason.

use crate::iam::condition::{BaseOp, Compare, Operator, Truth, evaluate};
use crate::iam::document::{Condition, Effect, PolicyDocument, Principals, Statement};
use crate::iam::eval::action_applies;
use crate::iam::glob::{Glob, Matches, Product, matched};
use crate::iam::request::Request;
use std::collections::{HashMap, VecDeque};

/// The audience EKS pods request for IRSA tokens.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// The action IRSA uses.
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";
/// Every Kubernetes service account token's subject starts so.
const SUBJECT_PREFIX: &str = "system:serviceaccount:";
/// Automaton states explored per role before giving up (`unknown`, never a guess).
const BUDGET: usize = 20_000;
/// Names no policy is expected to spell: accepted means "any".
const PROBE_NAMESPACE: &str = "kp-probe-ns-7f3a";
const PROBE_SERVICE_ACCOUNT: &str = "kp-probe-sa-2c9e";

/// The prefix of the cluster's condition keys: the issuer URL without scheme or trailing `/`,
/// lower-cased (`oidc.eks.REGION.amazonaws.com/id/ID`).
pub fn issuer_host(issuer_url: &str) -> String {
    let url = issuer_url.trim();
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    host.trim_end_matches('/').to_lowercase()
}

/// Whether `written` (a `Principal.Federated` value) names the provider `arn` as IAM compares
/// them: `arn`, partition, service, region, account, the resource type and the issuer host
/// ignore ASCII case; the issuer path (`/id/…`) is case-sensitive. `*` names every principal.
pub fn names_provider(written: &str, arn: &str) -> bool {
    let w = written.trim();
    if w == "*" {
        return true;
    }
    let (wp, ap): (Vec<&str>, Vec<&str>) = (w.splitn(6, ':').collect(), arn.splitn(6, ':').collect());
    if wp.len() != 6 || ap.len() != 6 {
        return w == arn;
    }
    if !wp[..5].iter().zip(&ap[..5]).all(|(a, b)| a.eq_ignore_ascii_case(b)) {
        return false;
    }
    match (split_resource(wp[5]), split_resource(ap[5])) {
        (Some((wk, wh, wpath)), Some((ak, ah, apath))) => {
            wk.eq_ignore_ascii_case(ak) && wh.eq_ignore_ascii_case(ah) && wpath == apath
        }
        _ => wp[5] == ap[5],
    }
}

/// `oidc-provider/HOST/PATH` → (`oidc-provider`, `HOST`, `PATH`).
fn split_resource(r: &str) -> Option<(&str, &str, &str)> {
    let (kind, rest) = r.split_once('/')?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    Some((kind, host, path))
}

/// Whether a `Principal`/`NotPrincipal` element names the web identity caller of `provider`:
/// `"*"`, `{"AWS": "*"}`, or a `Federated` value naming the provider.
fn principal_names(p: &Principals, provider: &str) -> bool {
    match p {
        Principals::Any => true,
        Principals::ByType(by_type) => by_type.iter().any(|(t, values)| {
            (t.eq_ignore_ascii_case("AWS") && values.iter().any(|v| v.trim() == "*"))
                || (t.eq_ignore_ascii_case("Federated") && values.iter().any(|v| names_provider(v, provider)))
        }),
    }
}

/// The statement applies to `sts:AssumeRoleWithWebIdentity` by `provider`, conditions aside.
pub fn applies_to_provider(st: &Statement, provider: &str) -> bool {
    let by_principal = st.principal.as_ref().map(|p| principal_names(p, provider)).unwrap_or(true);
    let excluded = st.not_principal.as_ref().is_some_and(|p| principal_names(p, provider));
    by_principal && !excluded && action_applies(st, WEB_IDENTITY_ACTION)
}

/// The `Allow` statements that trust `provider_arn` for `sts:AssumeRoleWithWebIdentity`,
/// whatever their conditions: the role is an IRSA role of that provider's cluster.
pub fn web_identity_statements(doc: &PolicyDocument, provider_arn: &str) -> Vec<usize> {
    doc.statements
        .iter()
        .filter(|st| st.effect == Effect::Allow && applies_to_provider(st, provider_arn))
        .map(|st| st.index)
        .collect()
}

/// One check's answer about one role's trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Nothing broader than the check allows is accepted.
    Scoped,
    /// What is accepted, in words, and the `Allow` statements that accept it.
    Broad { what: String, statements: Vec<usize> },
    /// The answer depends on something this build cannot evaluate.
    Unknown(String),
}

impl Scope {
    pub fn is_broad(&self) -> bool {
        matches!(self, Scope::Broad { .. })
    }
}

/// What one role's trust policy lets the cluster's service account tokens do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrsaAnalysis {
    /// `Allow` statements naming the provider and `sts:AssumeRoleWithWebIdentity` (conditions aside).
    pub trust_statements: Vec<usize>,
    /// WID-001: subjects of more than one namespace are accepted.
    pub namespaces: Scope,
    /// WID-002: more than one service account of one namespace is accepted.
    pub service_accounts: Scope,
    /// WID-003: an audience other than `sts.amazonaws.com` is accepted.
    pub audiences: Scope,
}

impl IrsaAnalysis {
    fn all(trust_statements: Vec<usize>, s: Scope) -> Self {
        IrsaAnalysis { trust_statements, namespaces: s.clone(), service_accounts: s.clone(), audiences: s }
    }
}

/// A condition as a formula over the automata of `:sub` and `:aud` values.
#[derive(Clone, Debug)]
enum Expr {
    Const(bool),
    /// Not evaluated by this build: read both ways.
    Unknown,
    /// The value matches glob `i` of its product.
    Atom(usize),
    Not(Box<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    fn eval(&self, m: &[u64], unknown: bool) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::Unknown => unknown,
            Expr::Atom(i) => matched(m, *i),
            Expr::Not(e) => !e.eval(m, unknown),
            Expr::Or(v) => v.iter().any(|e| e.eval(m, unknown)),
        }
    }
}

/// One applying statement: its conditions on `:sub`, on `:aud` and on everything else, ANDed.
#[derive(Debug)]
struct Stmt {
    index: usize,
    allow: bool,
    sub: Vec<Expr>,
    aud: Vec<Expr>,
    rest: Vec<Expr>,
}

impl Stmt {
    /// With `over`, what this build cannot evaluate is read as widening access (an allow that
    /// holds, a deny that does not); otherwise as narrowing it.
    fn holds(&self, sub: &[u64], aud: &[u64], over: bool) -> bool {
        let u = over == self.allow;
        self.sub.iter().all(|e| e.eval(sub, u))
            && self.aud.iter().all(|e| e.eval(aud, u))
            && self.rest.iter().all(|e| e.eval(&[], u))
    }
}

/// Where a condition key points for this provider's web identity request.
enum KeyKind {
    Sub,
    Aud,
    /// The request never carries it (another provider's claim, principal or source keys).
    Absent,
    /// The request carries it with this value.
    Known(String),
    /// The request may carry it with any value.
    Open,
}

/// Keys a web identity request never has: it comes from no AWS principal or service.
const ABSENT_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:username",
    "sts:externalid",
];

struct Builder<'a> {
    host: String,
    provider: &'a str,
    sub: Vec<Glob>,
    aud: Vec<Glob>,
    /// What this build did not evaluate, for the reason of an `unknown`.
    unevaluated: Vec<String>,
}

impl Builder<'_> {
    fn kind(&self, key: &str) -> KeyKind {
        let k = key.trim().to_lowercase();
        if k == format!("{}:sub", self.host) {
            return KeyKind::Sub;
        }
        if k == format!("{}:aud", self.host) {
            return KeyKind::Aud;
        }
        if k == "aws:federatedprovider" {
            return KeyKind::Known(self.provider.to_string());
        }
        if ABSENT_KEYS.contains(&k.as_str()) || k.starts_with("aws:principaltag/") {
            return KeyKind::Absent;
        }
        match k.split_once(':') {
            // Another identity provider's claim (`oidc.eks…/id/OTHER:sub`, `accounts.google.com:aud`).
            Some((prefix, _)) if prefix != self.host && (prefix.contains('.') || prefix.contains('/')) => {
                KeyKind::Absent
            }
            _ => KeyKind::Open,
        }
    }

    fn atom(globs: &mut Vec<Glob>, g: Glob) -> Expr {
        let i = globs.iter().position(|x| *x == g).unwrap_or_else(|| {
            globs.push(g);
            globs.len() - 1
        });
        Expr::Atom(i)
    }

    /// A condition on `:sub` or `:aud` (always present, one value).
    fn value_condition(&mut self, st: usize, c: &Condition, op: &Operator, aud: bool) -> Expr {
        let (compare, negated) = match &op.base {
            BaseOp::Null => {
                // Present: `Null` is true only for the value `false`.
                return Expr::Const(c.values.iter().any(|v| v.trim().eq_ignore_ascii_case("false")));
            }
            BaseOp::Match { compare, negated } if *compare != Compare::Arn => (*compare, *negated),
            _ => {
                self.unevaluated.push(format!("Statement[{st}] compares {} with {}", c.key, c.operator));
                return Expr::Unknown;
            }
        };
        // IAM substitutes a policy variable per request; read literally it matches no token.
        if let Some(v) = c.values.iter().find(|v| has_variable(v)) {
            self.unevaluated.push(format!("Statement[{st}] compares {} with the policy variable in '{v}'", c.key));
            return Expr::Unknown;
        }
        let mut atoms = Vec::new();
        for v in &c.values {
            let g = match compare {
                Compare::Like => Glob::like(v),
                Compare::Exact => Glob::literal(v, false),
                _ => Glob::literal(v, true),
            };
            atoms.push(Self::atom(if aud { &mut self.aud } else { &mut self.sub }, g));
        }
        let any = Expr::Or(atoms);
        if negated { Expr::Not(Box::new(any)) } else { any }
    }

    fn statement(&mut self, st: &Statement) -> Stmt {
        let allow = st.effect == Effect::Allow;
        let mut s = Stmt { index: st.index, allow, sub: vec![], aud: vec![], rest: vec![] };
        for c in &st.conditions {
            let op = Operator::parse(&c.operator);
            match self.kind(&c.key) {
                KeyKind::Sub => {
                    let e = self.value_condition(st.index, c, &op, false);
                    s.sub.push(e);
                }
                KeyKind::Aud => {
                    let e = self.value_condition(st.index, c, &op, true);
                    s.aud.push(e);
                }
                KeyKind::Absent | KeyKind::Known(_) => {
                    let req = match self.kind(&c.key) {
                        KeyKind::Known(v) => Request::new(WEB_IDENTITY_ACTION).with(&c.key, v),
                        _ => Request::new(WEB_IDENTITY_ACTION).without(&c.key),
                    };
                    s.rest.push(match evaluate(c, &req) {
                        Truth::True => Expr::Const(true),
                        Truth::False => Expr::Const(false),
                        Truth::Unknown => {
                            self.unevaluated
                                .push(format!("Statement[{}] compares {} with {}", st.index, c.key, c.operator));
                            Expr::Unknown
                        }
                    });
                }
                // Worst case for the defender: an allow holds, a deny does not.
                KeyKind::Open => s.rest.push(Expr::Const(allow)),
            }
        }
        s
    }
}

/// Whether a condition value holds an IAM policy variable (`${aws:username}`,
/// `${aws:PrincipalTag/team, 'x'}`). The escapes `${*}`, `${?}` and `${$}` too: not told apart,
/// they only make a value unknown.
pub fn has_variable(value: &str) -> bool {
    value.contains("${")
}

/// Probes `doc` as the trust policy of a role, for tokens of the cluster whose IAM OIDC
/// provider is `provider_arn` and whose issuer is `issuer_url`.
pub fn analyze_irsa(doc: &PolicyDocument, provider_arn: &str, issuer_url: &str) -> IrsaAnalysis {
    let trust = web_identity_statements(doc, provider_arn);
    if trust.is_empty() {
        return IrsaAnalysis::all(trust, Scope::Scoped);
    }
    let applying: Vec<&Statement> = doc.statements.iter().filter(|st| applies_to_provider(st, provider_arn)).collect();
    if let Some(odd) = applying.iter().find(|st| matches!(st.effect, Effect::Other(_))) {
        let why = format!(
            "Statement[{}] has Effect '{}', which IAM does not accept, so what it grants cannot be told",
            odd.index,
            odd.effect.as_str()
        );
        return IrsaAnalysis::all(trust, Scope::Unknown(why));
    }
    let mut b = Builder {
        host: issuer_host(issuer_url),
        provider: provider_arn,
        sub: vec![],
        aud: vec![],
        unevaluated: vec![],
    };
    let stmts: Vec<Stmt> = applying.iter().map(|st| b.statement(st)).collect();
    let mut aud_globs = b.aud;
    let sts = aud_globs.len();
    aud_globs.push(Glob::literal(STS_AUDIENCE, false));
    let model = Model { stmts, sub: Product::new(b.sub), aud: Product::new(aud_globs), sts };
    let Some(audiences) = model.audiences() else {
        return IrsaAnalysis::all(trust, Scope::Unknown(too_complex(":aud")));
    };
    let Some(graph) = Graph::explore(&model.sub) else {
        return IrsaAnalysis::all(trust, Scope::Unknown(too_complex(":sub")));
    };
    let unevaluated = b.unevaluated;
    let judge = |f: &Finder| -> Scope {
        match (f(&model, &audiences, &graph, false), f(&model, &audiences, &graph, true)) {
            (Some(found), _) => found,
            (None, Some(_)) => Scope::Unknown(format!(
                "whether it does depends on conditions this build does not evaluate: {}",
                unevaluated.join("; ")
            )),
            (None, None) => Scope::Scoped,
        }
    };
    IrsaAnalysis {
        namespaces: judge(&namespaces),
        service_accounts: judge(&service_accounts),
        audiences: judge(&other_audiences),
        trust_statements: trust,
    }
}

/// Looks for one kind of breadth; `over` reads unevaluated conditions as widening access.
type Finder = dyn Fn(&Model, &[Audience], &Graph, bool) -> Option<Scope>;

fn too_complex(key: &str) -> String {
    format!("its {key} conditions are too complex to evaluate within this build's limits ({BUDGET} automaton states)")
}

struct Model {
    stmts: Vec<Stmt>,
    sub: Product,
    /// The `:aud` globs, and last the literal `sts.amazonaws.com`.
    aud: Product,
    sts: usize,
}

/// One class of audiences a pod can request: which aud globs match, and an example.
struct Audience {
    matches: Matches,
    example: String,
}

impl Audience {
    fn is_sts(&self, m: &Model) -> bool {
        matched(&self.matches, m.sts)
    }
}

impl Model {
    /// Every combination of aud globs some non-empty audience matches, with an example each.
    fn audiences(&self) -> Option<Vec<Audience>> {
        let mut alphabet = self.aud.chars();
        alphabet.push(
            ['z', 'q', 'x', '0', '#', '\u{e000}'].into_iter().find(|c| !alphabet.contains(c)).unwrap_or('\u{e001}'),
        );
        let start = self.aud.start();
        let mut seen: HashMap<Vec<u64>, ()> = HashMap::from([(start.clone(), ())]);
        let mut queue = VecDeque::from([(start, String::new())]);
        let mut out: Vec<Audience> = Vec::new();
        while let Some((state, text)) = queue.pop_front() {
            for &c in &alphabet {
                let next = self.aud.step(&state, c);
                if seen.contains_key(&next) {
                    continue;
                }
                if seen.len() >= BUDGET {
                    return None;
                }
                seen.insert(next.clone(), ());
                let example = format!("{text}{c}");
                let matches = self.aud.matches(&next);
                if !out.iter().any(|a| a.matches == matches) {
                    out.push(Audience { matches, example: example.clone() });
                }
                queue.push_back((next, example));
            }
        }
        Some(out)
    }

    /// The statements that accept this subject with this audience (`over`: see [`Stmt::holds`]).
    fn accepted(&self, sub: &[u64], aud: &Audience, over: bool) -> bool {
        let allowed = self.stmts.iter().any(|s| s.allow && s.holds(sub, &aud.matches, over));
        allowed && !self.stmts.iter().any(|s| !s.allow && s.holds(sub, &aud.matches, over))
    }

    /// The `Allow` statements accepting this subject with some audience.
    fn allowing(&self, sub: &[u64], auds: &[Audience], over: bool) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .stmts
            .iter()
            .filter(|s| s.allow && auds.iter().any(|a| self.accepted(sub, a, over) && s.holds(sub, &a.matches, over)))
            .map(|s| s.index)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

const NS_ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz0123456789-";
const SA_ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz0123456789-.";

/// Kubernetes name rules as a tiny automaton: 0 = at a label start, 1 = after an alphanumeric
/// (a complete name), 2 = after `-`. Namespaces are DNS labels; service accounts DNS subdomains.
fn name_step(state: u8, c: char, subdomain: bool) -> Option<u8> {
    match c {
        'a'..='z' | '0'..='9' => Some(1),
        '-' if state != 0 => Some(2),
        '.' if subdomain && state == 1 => Some(0),
        _ => None,
    }
}

/// A state of the subject automaton: in the namespace or the service account part, the name
/// rule's state, and the globs' state.
struct Node {
    in_sa: bool,
    name: u8,
    state: Vec<u64>,
    matches: Matches,
    next: Vec<(char, usize)>,
    /// From a namespace node: the `:` into the service account part.
    colon: Option<usize>,
    /// The first edge that reached it (shortest path).
    parent: Option<(usize, char)>,
}

struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// Every state reachable from `system:serviceaccount:` over valid names, or `None` past the budget.
    fn explore(p: &Product) -> Option<Graph> {
        let start = p.run(&p.start(), SUBJECT_PREFIX);
        let mut nodes = Vec::new();
        let mut index: HashMap<(bool, u8, Vec<u64>), usize> = HashMap::new();
        let mut add =
            |nodes: &mut Vec<Node>, in_sa: bool, name: u8, state: Vec<u64>, parent| -> Option<(usize, bool)> {
                let key = (in_sa, name, state);
                if let Some(&i) = index.get(&key) {
                    return Some((i, false));
                }
                if nodes.len() >= BUDGET {
                    return None;
                }
                let matches = p.matches(&key.2);
                nodes.push(Node { in_sa, name, state: key.2.clone(), matches, next: vec![], colon: None, parent });
                index.insert(key, nodes.len() - 1);
                Some((nodes.len() - 1, true))
            };
        add(&mut nodes, false, 0, start, None)?;
        let mut queue = VecDeque::from([0usize]);
        while let Some(i) = queue.pop_front() {
            let (in_sa, name) = (nodes[i].in_sa, nodes[i].name);
            let alphabet = if in_sa { SA_ALPHABET } else { NS_ALPHABET };
            for c in alphabet.chars() {
                let Some(n) = name_step(name, c, in_sa) else { continue };
                let state = p.step(&nodes[i].state, c);
                let (j, new) = add(&mut nodes, in_sa, n, state, Some((i, c)))?;
                nodes[i].next.push((c, j));
                if new {
                    queue.push_back(j);
                }
            }
            if !in_sa && name == 1 {
                let state = p.step(&nodes[i].state, ':');
                let (j, new) = add(&mut nodes, true, 0, state, Some((i, ':')))?;
                nodes[i].colon = Some(j);
                if new {
                    queue.push_back(j);
                }
            }
        }
        Some(Graph { nodes })
    }

    /// The text from the last `:` (or the start) to node `i`.
    fn path(&self, mut i: usize) -> String {
        let mut out = Vec::new();
        while let Some((from, c)) = self.nodes[i].parent {
            if c == ':' {
                break;
            }
            out.push(c);
            i = from;
        }
        out.iter().rev().collect()
    }

    fn step(&self, i: usize, c: char) -> Option<usize> {
        self.nodes[i].next.iter().find(|(x, _)| *x == c).map(|(_, j)| *j)
    }

    fn run(&self, i: usize, text: &str) -> Option<usize> {
        text.chars().try_fold(i, |i, c| self.step(i, c))
    }

    /// Nodes from which some node in `accepting` is reachable.
    fn coreach(&self, accepting: &[bool]) -> Vec<bool> {
        let mut back: Vec<Vec<usize>> = vec![vec![]; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for &(_, j) in &n.next {
                back[j].push(i);
            }
            if let Some(j) = n.colon {
                back[j].push(i);
            }
        }
        let mut seen = accepting.to_vec();
        let mut queue: VecDeque<usize> = (0..self.nodes.len()).filter(|&i| accepting[i]).collect();
        while let Some(j) = queue.pop_front() {
            for &i in &back[j] {
                if !seen[i] {
                    seen[i] = true;
                    queue.push_back(i);
                }
            }
        }
        seen
    }

    /// The shortest text from `from` to a node with `goal`, then the shortest other one (over
    /// `next` edges only). Up to two, shortest first.
    fn two_texts(&self, from: usize, goal: &dyn Fn(usize) -> bool, live: &[bool]) -> Vec<String> {
        // States: (node, how far along the first text; usize::MAX once it differs).
        let mut out: Vec<String> = Vec::new();
        for round in 0..2 {
            let first: Vec<char> = out.first().map(|s| s.chars().collect()).unwrap_or_default();
            let mut seen: HashMap<(usize, usize), ()> = HashMap::new();
            let along0 = if round == 0 { usize::MAX } else { 0 };
            let mut queue = VecDeque::from([(from, along0, String::new())]);
            seen.insert((from, along0), ());
            let mut found = None;
            while let Some((i, along, text)) = queue.pop_front() {
                let differs = along == usize::MAX || along < first.len();
                if !text.is_empty() && goal(i) && (round == 0 || differs && along != first.len()) {
                    found = Some(text);
                    break;
                }
                for &(c, j) in &self.nodes[i].next {
                    if !live[j] {
                        continue;
                    }
                    let next_along = match along {
                        usize::MAX => usize::MAX,
                        a if a < first.len() && first[a] == c => a + 1,
                        _ => usize::MAX,
                    };
                    if seen.insert((j, next_along), ()).is_none() {
                        queue.push_back((j, next_along, format!("{text}{c}")));
                    }
                }
            }
            match found {
                Some(t) => out.push(t),
                None => break,
            }
        }
        out
    }
}

/// Namespace nodes whose `:` leads to a live service account part, and the live nodes.
fn live(m: &Model, auds: &[Audience], g: &Graph, over: bool) -> (Vec<bool>, Vec<bool>) {
    let mut cache: HashMap<&[u64], bool> = HashMap::new();
    let accepting: Vec<bool> = g
        .nodes
        .iter()
        .map(|n| {
            n.in_sa
                && n.name == 1
                && *cache.entry(&n.matches).or_insert_with(|| auds.iter().any(|a| m.accepted(&n.matches, a, over)))
        })
        .collect();
    let live = g.coreach(&accepting);
    (accepting, live)
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" and ")
}

/// WID-001: service accounts of more than one namespace.
fn namespaces(m: &Model, auds: &[Audience], g: &Graph, over: bool) -> Option<Scope> {
    let (accepting, live) = live(m, auds, g, over);
    let good = |i: usize| !g.nodes[i].in_sa && g.nodes[i].colon.is_some_and(|j| live[j]);
    let names = g.two_texts(0, &good, &live);
    if names.len() < 2 {
        return None;
    }
    let any = g.run(0, PROBE_NAMESPACE).is_some_and(good);
    let mut statements = Vec::new();
    let mut examples = Vec::new();
    for ns in &names {
        let Some(colon) = g.run(0, ns).and_then(|i| g.nodes[i].colon) else { continue };
        let sa_goal = |j: usize| accepting[j];
        if let Some(sa) = g.two_texts(colon, &sa_goal, &live).into_iter().next() {
            let node = g.run(colon, &sa).unwrap_or(colon);
            statements.extend(m.allowing(&g.nodes[node].matches, auds, over));
            examples.push(format!("{SUBJECT_PREFIX}{ns}:{sa}"));
        }
    }
    statements.sort_unstable();
    statements.dedup();
    let what = if any {
        format!("service accounts of any namespace (e.g. {})", quoted(&examples))
    } else {
        format!("service accounts of more than one namespace (e.g. {})", quoted(&examples))
    };
    Some(Scope::Broad { what, statements })
}

/// WID-002: more than one service account of a single namespace.
fn service_accounts(m: &Model, auds: &[Audience], g: &Graph, over: bool) -> Option<Scope> {
    let (accepting, live) = live(m, auds, g, over);
    let sa_goal = |j: usize| accepting[j];
    // Namespace nodes in discovery order: the first with two service accounts is the shortest.
    for (i, n) in g.nodes.iter().enumerate() {
        let Some(colon) = n.colon.filter(|&j| !n.in_sa && live[j]) else { continue };
        let accounts = g.two_texts(colon, &sa_goal, &live);
        if accounts.len() < 2 {
            continue;
        }
        let ns = g.path(i);
        let any = g.run(colon, PROBE_SERVICE_ACCOUNT).is_some_and(|j| accepting[j]);
        let mut statements = Vec::new();
        for sa in &accounts {
            if let Some(j) = g.run(colon, sa) {
                statements.extend(m.allowing(&g.nodes[j].matches, auds, over));
            }
        }
        statements.sort_unstable();
        statements.dedup();
        let examples: Vec<String> = accounts.iter().map(|sa| format!("{SUBJECT_PREFIX}{ns}:{sa}")).collect();
        let what = if any {
            format!("any service account of namespace `{ns}` (e.g. {})", quoted(&examples))
        } else {
            format!("more than one service account of namespace `{ns}` (e.g. {})", quoted(&examples))
        };
        return Some(Scope::Broad { what, statements });
    }
    None
}

/// WID-003: an audience other than `sts.amazonaws.com`.
fn other_audiences(m: &Model, auds: &[Audience], g: &Graph, over: bool) -> Option<Scope> {
    let others: Vec<&Audience> = auds.iter().filter(|a| !a.is_sts(m)).collect();
    for n in g.nodes.iter().filter(|n| n.in_sa && n.name == 1) {
        let Some(aud) = others.iter().find(|a| m.accepted(&n.matches, a, over)) else { continue };
        let every = others.iter().all(|a| m.accepted(&n.matches, a, over));
        let statements: Vec<usize> =
            m.stmts.iter().filter(|s| s.allow && s.holds(&n.matches, &aud.matches, over)).map(|s| s.index).collect();
        let what = if every {
            "any audience (no effective :aud condition)".to_string()
        } else {
            format!("audience `{}`", aud.example)
        };
        return Some(Scope::Broad { what, statements });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse;

    const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/";
    const PROVIDER: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    const HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";

    fn analyze(statements: &str) -> IrsaAnalysis {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#).replace("HOST", HOST);
        analyze_irsa(&parse(&text).unwrap(), PROVIDER, ISSUER)
    }

    fn allow(condition: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}"#
        )
    }

    fn one(condition: &str) -> IrsaAnalysis {
        analyze(&format!("[{}]", allow(condition)))
    }

    fn broad(s: &Scope) -> &str {
        match s {
            Scope::Broad { what, .. } => what,
            other => panic!("not broad: {other:?}"),
        }
    }

    #[test]
    fn a_policy_variable_in_sub_or_aud_is_never_read_literally() {
        // Literally, `${…}` matches no service account: the role would look scoped.
        let a = one(
            r#"{"StringLike":{"HOST:sub":"system:serviceaccount:${aws:PrincipalTag/team}:*","HOST:aud":"sts.amazonaws.com"}}"#,
        );
        assert!(matches!(&a.namespaces, Scope::Unknown(why) if why.contains("policy variable")), "{:?}", a.namespaces);
        assert!(!matches!(a.service_accounts, Scope::Scoped), "{:?}", a.service_accounts);
        let a = one(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:ns:app","HOST:aud":"${HOST:sub}"}}"#);
        assert_eq!(a.namespaces, Scope::Scoped);
        assert!(matches!(a.audiences, Scope::Unknown(_)), "{:?}", a.audiences);
    }

    #[test]
    fn issuer_host_strips_scheme_and_slash() {
        assert_eq!(issuer_host(ISSUER), HOST.to_lowercase());
        assert_eq!(issuer_host("oidc.example/ID"), "oidc.example/id");
    }

    #[test]
    fn provider_arns_compare_as_iam_does() {
        assert!(names_provider(PROVIDER, PROVIDER));
        assert!(names_provider(
            &PROVIDER.replace("oidc.eks", "OIDC.EKS").replace("arn:aws:iam", "ARN:AWS:IAM"),
            PROVIDER
        ));
        assert!(!names_provider(&PROVIDER.replace("/id/ABC", "/id/abc"), PROVIDER));
        assert!(!names_provider(&PROVIDER.replace("111122223333", "444455556666"), PROVIDER));
        assert!(!names_provider(&format!("{PROVIDER}D"), PROVIDER));
        assert!(names_provider(" * ", PROVIDER));
        assert!(!names_provider("arn:aws:iam::111122223333:oidc-provider/*", PROVIDER));
    }

    #[test]
    fn scoped_trust_is_scoped_everywhere() {
        let a =
            one(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:payments:api","HOST:aud":"sts.amazonaws.com"}}"#);
        assert_eq!(
            (a.trust_statements, a.namespaces, a.service_accounts, a.audiences),
            (vec![0], Scope::Scoped, Scope::Scoped, Scope::Scoped)
        );
    }

    #[test]
    fn namespace_patterns() {
        for (sub, any) in [
            ("system:serviceaccount:*", true),
            ("*", true),
            ("system:serviceaccount:*:default", true),
            ("system:serviceaccount:team-*", false),
            ("system:serviceaccount:team-?:api", false),
            ("system:serviceaccount:?*:api", true),
        ] {
            let a = one(&format!(r#"{{"StringLike":{{"HOST:sub":"{sub}","HOST:aud":"sts.amazonaws.com"}}}}"#));
            let what = broad(&a.namespaces);
            assert_eq!(what.contains("any namespace"), any, "{sub}: {what}");
        }
        let a = one(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:team-*"}}"#);
        assert!(
            broad(&a.namespaces).contains("`system:serviceaccount:team-a:a` and `system:serviceaccount:team-b:a`"),
            "{:?}",
            a.namespaces
        );
        // Two explicit service accounts in two namespaces: more than one namespace.
        let a = one(r#"{"StringEquals":{"HOST:sub":["system:serviceaccount:a:x","system:serviceaccount:b:x"]}}"#);
        assert!(broad(&a.namespaces).contains("more than one namespace"));
        assert_eq!(a.service_accounts, Scope::Scoped);
    }

    #[test]
    fn service_account_patterns() {
        for sub in
            ["system:serviceaccount:batch:*", "system:serviceaccount:batch:app-?", "system:serviceaccount:batch*:a*"]
        {
            let a = one(&format!(r#"{{"StringLike":{{"HOST:sub":"{sub}","HOST:aud":"sts.amazonaws.com"}}}}"#));
            assert!(a.service_accounts.is_broad(), "{sub}");
        }
        let a = one(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:batch:*"}}"#);
        assert_eq!(a.namespaces, Scope::Scoped);
        assert!(broad(&a.service_accounts).contains("any service account of namespace `batch`"));
        let a = one(r#"{"StringEquals":{"HOST:sub":["system:serviceaccount:a:x","system:serviceaccount:a:y"]}}"#);
        assert!(broad(&a.service_accounts).contains("more than one service account of namespace `a`"));
        // A `*` that cannot be a name character: only one valid subject.
        let a = one(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:a:x*"}}"#);
        assert!(a.service_accounts.is_broad());
        let a = one(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:x*"}}"#);
        assert_eq!(a.service_accounts, Scope::Scoped);
    }

    #[test]
    fn operators_prefixes_and_suffixes() {
        for cond in [
            r#"{"ForAnyValue:StringLike":{"HOST:sub":"system:serviceaccount:*"}}"#,
            r#"{"ForAllValues:StringLike":{"HOST:sub":"system:serviceaccount:*"}}"#,
            r#"{"StringLikeIfExists":{"HOST:sub":"*"}}"#,
            r#"{"StringNotEquals":{"HOST:sub":"system:serviceaccount:kube-system:aws-node"}}"#,
            r#"{"StringNotLike":{"HOST:sub":"system:serviceaccount:kube-system:*"}}"#,
            r#"{"Null":{"HOST:sub":"false"}}"#,
            r#"{"StringEqualsIgnoreCase":{"HOST:sub":["SYSTEM:SERVICEACCOUNT:A:X","system:serviceaccount:b:x"]}}"#,
        ] {
            assert!(one(cond).namespaces.is_broad(), "{cond}");
        }
        for cond in [
            r#"{"ForAllValues:StringEquals":{"HOST:sub":"system:serviceaccount:a:x"}}"#,
            r#"{"StringEqualsIfExists":{"HOST:sub":"system:serviceaccount:a:x"}}"#,
            r#"{"Null":{"HOST:sub":"true"}}"#,
            r#"{"StringEquals":{"HOST:sub":"SYSTEM:serviceaccount:a:x"}}"#,
            r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*"},"StringEquals":{"HOST:SUB":"system:serviceaccount:a:x"}}"#,
            r#"{"StringLike":{"HOST:sub":"system:serviceaccount:a:*"},"StringNotLike":{"HOST:sub":"system:serviceaccount:a:?*"}}"#,
        ] {
            assert_eq!(one(cond).namespaces, Scope::Scoped, "{cond}");
        }
    }

    #[test]
    fn principal_and_action_forms() {
        let open = r#""Action":"sts:AssumeRoleWithWebIdentity""#;
        for p in [r#""*""#, r#"{"AWS":"*"}"#, r#"{"Federated":["arn:other","PROV"]}"#, r#"{"AWS":["*"]}"#] {
            let a = analyze(&format!(r#"[{{"Effect":"Allow","Principal":{},{open}}}]"#, p.replace("PROV", PROVIDER)));
            assert!(a.namespaces.is_broad(), "{p}");
        }
        for action in
            [r#""sts:*""#, r#""sts:AssumeRole*""#, r#""*""#, r#"["s3:GetObject","STS:assumerolewithwebidentity"]"#]
        {
            let a = analyze(&format!(
                r#"[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":{action}}}]"#
            ));
            assert!(a.namespaces.is_broad(), "{action}");
        }
        let not_action = analyze(&format!(
            r#"[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"NotAction":"sts:AssumeRole"}}]"#
        ));
        assert!(not_action.namespaces.is_broad());
        let excluded = analyze(&format!(
            r#"[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"NotAction":"sts:AssumeRoleWith*"}}]"#
        ));
        assert!(excluded.trust_statements.is_empty() && excluded.namespaces == Scope::Scoped);
        let other = analyze(
            r#"[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/x"},"Action":"*"}]"#,
        );
        assert!(other.trust_statements.is_empty());
        let lowercase_id = analyze(&format!(
            r#"[{{"Effect":"Allow","Principal":{{"Federated":"{}"}},"Action":"*"}}]"#,
            PROVIDER.to_lowercase()
        ));
        assert!(lowercase_id.trust_statements.is_empty());
        let not_principal =
            analyze(&format!(r#"[{{"Effect":"Allow","NotPrincipal":{{"Federated":"{PROVIDER}"}},"Action":"*"}}]"#));
        assert!(not_principal.trust_statements.is_empty());
    }

    #[test]
    fn deny_statements_carve_out() {
        let open = allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*"}}"#);
        let deny = r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringNotEquals":{"HOST:sub":"system:serviceaccount:payments:api"}}}"#;
        let a = analyze(&format!("[{open},{deny}]"));
        assert_eq!((a.namespaces, a.service_accounts), (Scope::Scoped, Scope::Scoped));
        // A deny on another principal, or on a key that may hold anything, is not counted on.
        let other = r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"*"}"#;
        assert!(analyze(&format!("[{open},{other}]")).namespaces.is_broad());
        let vpc = r#"{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}"#;
        assert!(analyze(&format!("[{open},{vpc}]")).namespaces.is_broad());
        let all = r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:*"}"#;
        assert_eq!(analyze(&format!("[{open},{all}]")).namespaces, Scope::Scoped);
    }

    #[test]
    fn second_statement_reopens_and_is_cited() {
        let scoped =
            allow(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b","HOST:aud":"sts.amazonaws.com"}}"#);
        let open = format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithWebIdentity"}}"#
        );
        let a = analyze(&format!("[{scoped},{open}]"));
        match &a.namespaces {
            Scope::Broad { statements, .. } => assert_eq!(statements, &[1]),
            other => panic!("{other:?}"),
        }
        assert_eq!(a.trust_statements, [0, 1]);
    }

    #[test]
    fn audiences() {
        let pinned = r#""HOST:sub":"system:serviceaccount:a:b""#;
        let a = one(&format!(r#"{{"StringEquals":{{{pinned},"HOST:aud":"sts.amazonaws.com"}}}}"#));
        assert_eq!(a.audiences, Scope::Scoped);
        let a = one(&format!(r#"{{"StringEquals":{{{pinned}}}}}"#));
        assert!(broad(&a.audiences).contains("any audience"));
        let a = one(&format!(r#"{{"StringEquals":{{{pinned},"HOST:aud":["sts.amazonaws.com","my-app"]}}}}"#));
        assert_eq!(broad(&a.audiences), "audience `my-app`");
        let a = one(&format!(r#"{{"StringEquals":{{{pinned}}},"StringLike":{{"HOST:aud":"sts.amazonaws.com*"}}}}"#));
        assert!(broad(&a.audiences).starts_with("audience `sts.amazonaws.com"), "{:?}", a.audiences);
        let a = one(&format!(
            r#"{{"StringEquals":{{{pinned}}},"StringEqualsIgnoreCase":{{"HOST:aud":"STS.amazonaws.com"}}}}"#
        ));
        assert!(a.audiences.is_broad(), "case variants of the audience are other audiences");
        // Pod chooses the audience: a role scoped only by a custom audience is still open.
        let a = one(r#"{"StringLike":{"HOST:sub":"*","HOST:aud":"my-app"}}"#);
        assert!(a.namespaces.is_broad() && broad(&a.audiences) == "audience `my-app`");
    }

    #[test]
    fn other_keys() {
        // Another provider's claim is absent from this cluster's tokens.
        let a =
            one(r#"{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub":"system:serviceaccount:a:b"}}"#);
        assert_eq!(a.namespaces, Scope::Scoped);
        let a = one(r#"{"StringNotEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub":"x"}}"#);
        assert!(a.namespaces.is_broad());
        // Keys a web identity request never has.
        assert_eq!(one(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#).namespaces, Scope::Scoped);
        assert!(
            one(r#"{"StringEquals":{"aws:FederatedProvider":"PROV"}}"#.replace("PROV", PROVIDER).as_str())
                .namespaces
                .is_broad()
        );
        // A global key the request may carry does not scope service accounts.
        assert!(one(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#).namespaces.is_broad());
    }

    #[test]
    fn unevaluated_conditions_are_unknown_only_when_they_matter() {
        let a = one(r#"{"NumericLessThan":{"HOST:sub":"5"}}"#);
        assert!(matches!(&a.namespaces, Scope::Unknown(why) if why.contains("NumericLessThan")), "{:?}", a.namespaces);
        let a = one(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*"},"DateLessThan":{"HOST:aud":"x"}}"#);
        assert!(matches!(a.namespaces, Scope::Unknown(_)));
        let open = allow(r#"{"StringLike":{"HOST:sub":"system:serviceaccount:*"}}"#);
        let odd_deny =
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"NumericEquals":{"HOST:sub":"1"}}}"#;
        assert!(matches!(analyze(&format!("[{open},{odd_deny}]")).namespaces, Scope::Unknown(_)));
        let scoped =
            allow(r#"{"StringEquals":{"HOST:sub":"system:serviceaccount:a:b"},"NumericLessThan":{"HOST:aud":"1"}}"#);
        assert_eq!(analyze(&format!("[{scoped}]")).namespaces, Scope::Scoped);
        // IAM refuses an Effect it does not know: the document does not parse, so the provider
        // lists the role as unknown.
        let weird = format!(r#"{{"Statement":[{{"Effect":"allow","Principal":"*","Action":"*"}},{open}]}}"#);
        let e = parse(&weird.replace("HOST", HOST)).unwrap_err().to_string();
        assert!(e.contains("Effect is \"allow\""), "{e}");
    }

    #[test]
    fn pathological_patterns_stay_bounded() {
        let many: Vec<String> = (0..40).map(|i| format!("\"system:serviceaccount:*{i}*{i}*:*x{i}\"")).collect();
        let cond = format!(r#"{{"StringLike":{{"HOST:sub":[{}]}}}}"#, many.join(","));
        let start = std::time::Instant::now();
        let a = one(&cond);
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
        assert!(a.namespaces.is_broad() || matches!(a.namespaces, Scope::Unknown(_)));
    }
}
