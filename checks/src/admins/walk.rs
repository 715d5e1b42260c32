//! From one group holding admin down to the people at the end of its edges.
//!
//! A bottleneck search over the group graph: each node (group or person) is settled once at
//! the most standing tenure any path gives it, with buckets for the four tenures, so the work is
//! linear in the edges reached and cycles (nested or through eligibility) end by themselves.

use super::{Hop, Tenure, is_group, is_inert, key, kind_unknown, name};
use crate::field::{Field, Obs};
use crate::model::{EntraGroup, Principal, Terms};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// What one walk found.
pub struct Walk<'a> {
    /// Non-group principals, each with its most standing tenure and chain (own group first).
    pub reached: Vec<(Principal, Tenure, Vec<Hop>)>,
    /// What could not be read: text, the tenure at which it matters, evidence path.
    pub gaps: Vec<(String, Tenure, String)>,
    /// Groups reached that have PIM-eligible principals: activating them leads to admin.
    pub eligibility_groups: Vec<&'a EntraGroup>,
}

struct Seen {
    principal: Principal,
    tenure: Tenure,
    /// The group it was reached from and the terms of that edge.
    parent: Option<(String, Field<Terms>)>,
}

const LEVELS: [Tenure; 4] = [Tenure::Permanent, Tenure::Unknown, Tenure::TimeBound, Tenure::Eligible];

fn level(t: Tenure) -> usize {
    LEVELS.iter().position(|l| *l == t).unwrap_or(3)
}

pub fn walk<'a>(root: &'a EntraGroup, start: Tenure, groups: &'a BTreeMap<String, Arc<EntraGroup>>) -> Walk<'a> {
    let mut out = Walk { reached: vec![], gaps: vec![], eligibility_groups: vec![] };
    let root_key = key(&root.group.id);
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let mut buckets: [Vec<String>; 4] = Default::default();
    let mut done: HashSet<String> = HashSet::new();
    seen.insert(root_key.clone(), Seen { principal: root.group.clone(), tenure: start, parent: None });
    buckets[level(start)].push(root_key.clone());
    for l in 0..LEVELS.len() {
        while let Some(g) = buckets[l].pop() {
            if seen.get(&g).is_none_or(|s| level(s.tenure) != l) || !done.insert(g.clone()) {
                continue;
            }
            let at = LEVELS[l];
            let node: &EntraGroup = if g == root_key {
                root
            } else {
                match groups.get(&g) {
                    Some(n) => n,
                    None => {
                        let label = seen.get(&g).map(|s| s.principal.label()).unwrap_or_else(|| g.clone());
                        out.gaps.push((format!("the members of {label} were not read"), at, format!("groups[{g}]")));
                        continue;
                    }
                }
            };
            let mut edges: Vec<(&Principal, Tenure, &Field<Terms>)> = vec![];
            match &node.members.obs {
                Obs::Value { value, .. } => {
                    edges.extend(value.iter().map(|m| (&m.principal, at.max(Tenure::of(&m.terms)), &m.terms)));
                }
                Obs::Unknown { reason } => out.gaps.push((
                    format!("the members of {}: {reason}", node.group.label()),
                    at,
                    node.members.path.to_string(),
                )),
                Obs::Absent => {}
            }
            match &node.eligible.obs {
                Obs::Value { value, .. } => {
                    if !value.is_empty() {
                        out.eligibility_groups.push(node);
                    }
                    edges.extend(value.iter().map(|m| (&m.principal, Tenure::Eligible, &m.terms)));
                }
                Obs::Unknown { reason } => out.gaps.push((
                    format!("who is PIM-eligible for {}: {reason}", node.group.label()),
                    Tenure::Eligible,
                    node.eligible.path.to_string(),
                )),
                Obs::Absent => {}
            }
            for (p, t, terms) in edges.into_iter().filter(|(p, _, _)| !is_inert(p)) {
                let k = key(&p.id);
                if seen.get(&k).is_some_and(|s| s.tenure <= t) {
                    continue;
                }
                if kind_unknown(p) {
                    out.gaps.push((
                        format!(
                            "what kind of principal {} is ({}, reached through {}): if a group, its members are not listed",
                            p.label(),
                            terms_word(t),
                            name(&node.group)
                        ),
                        t,
                        format!("{}[{}]", node.eligible.path, p.id),
                    ));
                }
                let principal = match groups.get(&k) {
                    Some(n) if is_group(p) => n.group.clone(),
                    _ => p.clone(),
                };
                seen.insert(k.clone(), Seen { principal, tenure: t, parent: Some((g.clone(), terms.clone())) });
                if is_group(p) {
                    buckets[level(t)].push(k);
                }
            }
        }
    }
    for (k, s) in &seen {
        if *k == root_key || is_group(&s.principal) || kind_unknown(&s.principal) {
            continue;
        }
        out.reached.push((s.principal.clone(), s.tenure, chain(&seen, k, &root_key)));
    }
    out
}

/// Longest chain kept per path; a deeper one keeps its first hops, then one hop standing for
/// the rest up to the root (the path's tenure is computed over all of them).
pub const MAX_CHAIN: usize = 32;

/// The hops from a principal up to the root.
fn chain(seen: &BTreeMap<String, Seen>, from: &str, root: &str) -> Vec<Hop> {
    let mut hops = vec![];
    let mut at = from;
    while let Some((parent, terms)) = seen.get(at).and_then(|s| s.parent.as_ref()) {
        let Some(p) = seen.get(parent) else { break };
        if hops.len() == MAX_CHAIN && parent != root {
            let root_group = seen.get(root).map(|s| s.principal.clone());
            if let Some(r) = root_group {
                let elided = Principal { display_name: Some(format!("… {}", name(&r))), ..r };
                hops.push(Hop { group: elided, terms: Field::unknown("groups", "deeper than kubeposture shows") });
            }
            break;
        }
        hops.push(Hop { group: p.principal.clone(), terms: terms.clone() });
        at = parent;
    }
    hops
}

fn terms_word(t: Tenure) -> &'static str {
    match t {
        Tenure::Permanent => "permanent",
        Tenure::Unknown => "terms unknown",
        Tenure::TimeBound => "time-bound",
        Tenure::Eligible => "eligible",
    }
}
