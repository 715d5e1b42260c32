//! Conditional Access: does a policy guard an admin's sign-in to the AKS server application,
//! and with which controls? One evaluator shared by IDN-001…005 (catalog Definitions,
//! *Guarding AKS sign-in*; `docs/verdicts.md` explains every reading).
//!
//! For one policy and one admin ([`people::Person`]) the answer is yes, no (why) or unknown
//! (why), combined with Kleene's logic so that nothing unknown becomes a yes:
//! - [`controls::enforced`]: the state is `enabled`;
//! - [`applies::applies`]: its users condition includes the admin (`All`, its id, a group it is
//!   in, a directory role it holds, its guest type) and excludes it nowhere (an excluded role it
//!   is only PIM-eligible for counts as excluded: it can activate it and escape); its
//!   applications include `All` or the AKS app and do not exclude it; and no condition narrows
//!   it to some sign-ins (client app types, platforms, locations, risk levels, device filters,
//!   authentication flows, user actions, authentication contexts, workload identities);
//! - what the check needs of it: a grant control ([`controls::requires`], `AND`/`OR`
//!   semantics) or a sign-in frequency ([`controls::sign_in_frequency`]).
//!
//! An admin is guarded when some policy answers yes to all three; unknown when none does and
//! some answer is unknown; otherwise not guarded. A check passes when every admin is guarded.

pub mod answer;
pub mod applies;
pub mod controls;
pub mod people;

use crate::catalog::verdicts::Verdicts;
use crate::field::Field;
use crate::model::{CaPolicy, Cluster};
use crate::outcome::{Evidence, Outcome, Status, Subject};
use answer::{Answer, all, any};
use people::Person;
use std::sync::Arc;

/// The sections of a policy whose unrecognised properties are judged where they matter; any
/// other (other conditions, or top-level properties) may narrow the policy.
pub(crate) const SECTIONS: [&str; 4] =
    ["conditions.users", "conditions.applications", "grantControls", "sessionControls"];

pub(crate) fn in_section(path: &str, section: &str) -> bool {
    path == section || path.strip_prefix(section).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// The policy's unrecognised properties under `section` (and, with `top`, at its top level) as
/// one reason.
pub(crate) fn unrecognised(p: &CaPolicy, section: &str, top: bool) -> Option<String> {
    let hits: Vec<String> = p
        .unrecognised
        .iter()
        .filter(|u| in_section(&u.path, section) || (top && !u.path.contains('.')))
        .map(|u| format!("{} = {}", u.path, u.raw))
        .collect();
    (!hits.is_empty()).then(|| format!("it has properties the scanner does not understand ({})", hits.join(", ")))
}

/// Evidence naming a policy and what was concluded about it.
pub fn policy_evidence(field: &Field<Arc<Vec<CaPolicy>>>, p: &CaPolicy, what: &str) -> Evidence {
    Evidence::new(format!("{}[{}]", field.path, p.id), format!("{} (state {}): {what}", p.name, p.state))
}

/// The tenant's policies, or the `unknown` outcome.
pub fn policies(field: &Field<Arc<Vec<CaPolicy>>>) -> Result<&[CaPolicy], Outcome> {
    crate::catalog::entra::collected(field, "Conditional Access").map(|p| p.as_slice())
}

/// One policy's answer for each admin, folded for evidence: people with the same answer are
/// listed together; when all share it, nobody is named.
fn fold_answers(answers: &[(&Person, Answer)]) -> String {
    let mut groups: Vec<(&Answer, Vec<&str>)> = Vec::new();
    for (person, a) in answers {
        match groups.iter_mut().find(|(g, _)| *g == a) {
            Some((_, names)) => names.push(&person.label),
            None => groups.push((a, vec![&person.label])),
        }
    }
    let one = groups.len() == 1;
    groups
        .iter()
        .map(|(a, names)| {
            let whom = if one { String::new() } else { format!(" for {}", names.join(", ")) };
            match a {
                Answer::Yes(how) => format!("counts{whom}: {how}"),
                Answer::No(why) => format!("does not count{whom}: {why}"),
                Answer::Unknown(why) => format!("unknown{whom}: {why}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The texts of a check judged by [`judge`].
pub struct Messages {
    /// Leads the pass message; each admin and the policies guarding it follow.
    pub pass: &'static str,
    /// Leads the fail message; the admins left unguarded follow.
    pub fail: &'static str,
    /// Leads the unknown message; the admins and why follow.
    pub unknown: &'static str,
}

/// Nobody to guard: no principal that signs in as a user can act as cluster admin.
pub(crate) fn nobody(field: &Field<Arc<Vec<CaPolicy>>>) -> Outcome {
    Outcome::not_applicable(
        "No user can act as cluster admin through Entra ID (no user, group member or PIM-eligible principal holds a cluster-admin-capable role), so no AKS sign-in needs guarding.",
        vec![Evidence::of(field)],
    )
}

/// IDN-001/003/004: each admin is guarded when an enforced policy applies to every sign-in of
/// it and `counts` (what the check needs of the policy) holds.
pub fn judge(c: &Cluster, counts: impl Fn(&CaPolicy) -> Answer, m: &Messages) -> Outcome {
    let field = &c.entra.conditional_access;
    let list = match policies(field) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let people = people::people(c);
    if people.is_empty() {
        return nobody(field);
    }
    // Per policy: what does not depend on the admin.
    let fixed: Vec<Answer> = list.iter().map(|p| all([controls::enforced(p), counts(p)])).collect();
    let mut by_policy: Vec<Vec<(&Person, Answer)>> = vec![Vec::new(); list.len()];
    let mut v = Verdicts::default();
    let mut statuses = Vec::new();
    for person in &people {
        let answers: Vec<Answer> = list
            .iter()
            .zip(&fixed)
            .map(|(p, f)| match f {
                Answer::No(_) => f.clone(),
                _ => all([f.clone(), applies::applies(p, person)]),
            })
            .collect();
        for (i, a) in answers.iter().enumerate() {
            by_policy[i].push((person, a.clone()));
        }
        let named = |pick: fn(&Answer) -> bool| -> Vec<String> {
            list.iter()
                .zip(&answers)
                .filter(|(_, a)| pick(a))
                .map(|(p, a)| format!("{} ({})", p.name, a.text()))
                .collect()
        };
        let (status, reason) = match any(answers.clone()) {
            Answer::Yes(_) => {
                let names: Vec<&str> =
                    list.iter().zip(&answers).filter(|(_, a)| a.is_yes()).map(|(p, _)| p.name.as_str()).collect();
                let reason = format!("guarded by {}", names.join(", "));
                v.pass(format!("{} by {}", person.label, names.join(", ")), vec![]);
                (Status::Pass, reason)
            }
            Answer::Unknown(_) => {
                let mut undecided = named(|a| matches!(a, Answer::Unknown(_)));
                if undecided.len() > 3 {
                    let more = undecided.len() - 3;
                    undecided.truncate(3);
                    undecided.push(format!("and {more} more policies (see the evidence)"));
                }
                let why = undecided.join("; ");
                v.unknown(format!("{}: {why}", person.label), vec![]);
                (Status::Unknown, why)
            }
            Answer::No(_) => {
                let reason = if list.is_empty() {
                    "the tenant has no Conditional Access policies".to_string()
                } else {
                    "no enforced policy guards every sign-in".to_string()
                };
                v.fail(person.label.clone(), vec![]);
                (Status::Fail, reason)
            }
        };
        statuses.push(status);
        v.subject(Subject::new(person.subject_id(), person.label.clone(), status, reason));
    }
    let pass = statuses.iter().all(|s| *s == Status::Pass);
    let mut evidence: Vec<Evidence> = list
        .iter()
        .zip(&by_policy)
        .filter(|(_, answers)| !pass || answers.iter().any(|(_, a)| a.is_yes()))
        .map(|(p, answers)| policy_evidence(field, p, &fold_answers(answers)))
        .collect();
    if list.is_empty() {
        evidence
            .push(Evidence::new(field.path.to_string(), format!("{} (the tenant has no policies)", field.observed())));
    }
    v.outcome(m.fail, m.unknown, m.pass, evidence)
}

#[cfg(test)]
mod tests;
