//! What a policy requires once it applies: its state, its grant controls (with `AND` every
//! listed control is required; with `OR` only what every alternative satisfies), and its
//! sign-in frequency.

use super::answer::{Answer, all, any};
use super::unrecognised;
use crate::model::{AuthenticationStrength, CaGrant, CaPolicy};

/// State `enabled` (enforced); report-only and disabled are not; anything else is unknown.
pub fn enforced(p: &CaPolicy) -> Answer {
    match p.state.trim() {
        s if s.eq_ignore_ascii_case("enabled") => Answer::yes("enabled"),
        s if s.eq_ignore_ascii_case("enabledForReportingButNotEnforced") || s.eq_ignore_ascii_case("disabled") => {
            Answer::no(format!("not enforced (state {s})"))
        }
        s => Answer::unknown(format!("its state '{s}' is not understood")),
    }
}

/// What a check needs the grant controls to require.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// IDN-001: a control among MFA (or an MFA authentication strength), a compliant or
    /// domain-joined device, or block.
    Guard,
    /// Multifactor authentication.
    Mfa,
    /// IDN-003: a compliant or domain-joined device.
    Device,
}

impl Need {
    fn what(self) -> &'static str {
        match self {
            Need::Guard => "MFA, a compliant or domain-joined device, or block",
            Need::Mfa => "multifactor authentication",
            Need::Device => "a compliant or domain-joined device",
        }
    }
}

const BUILT_IN: [&str; 7] = [
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
];

/// Does one built-in control satisfy the need?
fn built_in(control: &str, need: Need) -> Answer {
    let c = control.trim();
    let is = |n: &str| c.eq_ignore_ascii_case(n);
    let yes = || Answer::yes(c.to_string());
    let no = || Answer::no(format!("{c} is not {}", need.what()));
    if is("block") {
        return Answer::yes("block");
    }
    match need {
        Need::Guard | Need::Mfa if is("mfa") => yes(),
        Need::Guard | Need::Device if is("compliantDevice") || is("domainJoinedDevice") => yes(),
        _ if BUILT_IN.iter().any(|b| is(b)) => no(),
        _ => Answer::unknown(format!("grant control '{c}' is not understood")),
    }
}

/// Methods that are multifactor on their own in an authentication strength combination.
const MULTIFACTOR: [&str; 7] = [
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "federatedMultiFactor",
];
const SINGLE_FACTOR: [&str; 9] = [
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "microsoftAuthenticatorPush",
    "email",
    "x509CertificateSingleFactor",
    "federatedSingleFactor",
];
/// Microsoft's built-in strengths: Multifactor authentication, Passwordless MFA,
/// Phishing-resistant MFA.
const BUILT_IN_STRENGTHS: [&str; 3] = [
    "00000000-0000-0000-0000-000000000002",
    "00000000-0000-0000-0000-000000000003",
    "00000000-0000-0000-0000-000000000004",
];

/// An authentication strength requires MFA when every allowed combination is multifactor.
pub fn strength_is_mfa(s: &AuthenticationStrength) -> Answer {
    let name = s.name.clone().or_else(|| s.id.clone()).unwrap_or_else(|| "(unnamed)".into());
    let one = |m: &String| {
        let m = m.trim();
        if MULTIFACTOR.iter().any(|k| k.eq_ignore_ascii_case(m)) {
            Some(true)
        } else if SINGLE_FACTOR.iter().any(|k| k.eq_ignore_ascii_case(m)) {
            Some(false)
        } else {
            None
        }
    };
    match &s.allowed_combinations {
        Some(combos) if !combos.is_empty() => {
            let judged = combos.iter().map(|combo| {
                let methods: Vec<Option<bool>> = combo.iter().map(one).collect();
                let text = combo.join(",");
                if methods.iter().any(Option::is_none) {
                    Answer::unknown(format!("authentication strength {name} allows {text}, not understood"))
                } else if combo.len() >= 2 || methods.contains(&Some(true)) {
                    Answer::yes("")
                } else {
                    Answer::no(format!("authentication strength {name} allows the single factor {text}"))
                }
            });
            match all(judged) {
                Answer::Yes(_) => {
                    Answer::yes(format!("authentication strength {name} (every combination multifactor)"))
                }
                other => other,
            }
        }
        _ => {
            let id = s.id.as_deref().unwrap_or("").trim();
            if BUILT_IN_STRENGTHS.iter().any(|b| b.eq_ignore_ascii_case(id)) {
                Answer::yes(format!("authentication strength {name} (built in, multifactor)"))
            } else if s.requirements_satisfied.as_deref().is_some_and(|r| r.trim().eq_ignore_ascii_case("mfa")) {
                Answer::yes(format!("authentication strength {name} (requirementsSatisfied mfa)"))
            } else {
                Answer::unknown(format!("the combinations of authentication strength {name} were not returned"))
            }
        }
    }
}

/// Each alternative of the grant and whether it satisfies the need.
fn alternatives(g: &CaGrant, need: Need) -> Vec<Answer> {
    let mut out: Vec<Answer> = g.built_in.iter().map(|c| built_in(c, need)).collect();
    out.extend(g.custom_factors.iter().map(|c| Answer::no(format!("custom control {c} is not {}", need.what()))));
    out.extend(g.terms_of_use.iter().map(|t| Answer::no(format!("terms of use {t} is not {}", need.what()))));
    if let Some(s) = &g.authentication_strength {
        out.push(match need {
            Need::Guard | Need::Mfa => strength_is_mfa(s),
            Need::Device => Answer::no("an authentication strength is not a device control".to_string()),
        });
    }
    out
}

/// Does the policy's grant require the need? `AND`: some control satisfies it; `OR`: every
/// alternative does; an operator missing or not understood with several controls: only when
/// both readings agree.
pub fn requires(p: &CaPolicy, need: Need) -> Answer {
    if let Some(why) = unrecognised(p, "grantControls", true) {
        return Answer::unknown(why);
    }
    let Some(g) = &p.grant else {
        return Answer::no("it has no grant controls");
    };
    let alts = alternatives(g, need);
    if alts.is_empty() {
        return Answer::no("it has no grant controls");
    }
    let listed = controls_text(g);
    let and = || match any(alts.clone()) {
        Answer::Yes(how) => Answer::yes(format!("requires {how} (AND of {listed})")),
        Answer::No(why) => Answer::no(format!("it requires none of {} ({listed}): {why}", need.what())),
        u => u,
    };
    let or = || match all(alts.clone()) {
        Answer::Yes(_) => Answer::yes(format!("requires {listed} (each alternative is {})", need.what())),
        Answer::No(why) => Answer::no(format!(
            "it lets a sign-in through with an alternative that is not {} ({listed}, operator OR): {why}",
            need.what()
        )),
        u => u,
    };
    if alts.len() == 1 {
        return and();
    }
    match g.operator.as_deref().map(str::trim) {
        Some(o) if o.eq_ignore_ascii_case("AND") => and(),
        Some(o) if o.eq_ignore_ascii_case("OR") => or(),
        other => {
            let (a, o) = (and(), or());
            if a.is_yes() == o.is_yes() && a.is_no() == o.is_no() {
                a
            } else {
                Answer::unknown(format!(
                    "its grant operator {other:?} is not understood, and the readings AND and OR differ"
                ))
            }
        }
    }
}

/// `mfa, compliantDevice, authenticationStrength X, …` for messages.
pub fn controls_text(g: &CaGrant) -> String {
    let mut parts: Vec<String> = g.built_in.clone();
    parts.extend(g.custom_factors.iter().map(|c| format!("custom control {c}")));
    parts.extend(g.terms_of_use.iter().map(|t| format!("terms of use {t}")));
    if let Some(s) = &g.authentication_strength {
        parts.push(format!("authentication strength {}", s.name.clone().or_else(|| s.id.clone()).unwrap_or_default()));
    }
    parts.join(", ")
}

/// IDN-004: does the policy make the admin sign in again within `max_hours` (or every time)?
pub fn sign_in_frequency(p: &CaPolicy, max_hours: u32) -> Answer {
    if let Some(why) = unrecognised(p, "sessionControls", true) {
        return Answer::unknown(why);
    }
    if p.grant.as_ref().is_some_and(|g| g.built_in.iter().any(|c| c.trim().eq_ignore_ascii_case("block"))) {
        return Answer::yes("it blocks sign-in");
    }
    let Some(f) = &p.session.sign_in_frequency else {
        return Answer::no("it sets no sign-in frequency");
    };
    const PATH: &str = "sessionControls.signInFrequency";
    match f.is_enabled {
        Some(false) => return Answer::no("it sets no sign-in frequency (isEnabled false)"),
        None if f.value.is_none() && f.unit.is_none() && f.interval.is_none() => {
            return Answer::no("it sets no sign-in frequency");
        }
        None => return Answer::unknown(format!("{PATH}.isEnabled is not set")),
        Some(true) => {}
    }
    let auth = match f.authentication_type.as_deref().map(str::trim) {
        None => "",
        Some(a) if a.eq_ignore_ascii_case("primaryAndSecondaryAuthentication") => "",
        Some(a) if a.eq_ignore_ascii_case("secondaryAuthentication") => " (second factor only)",
        Some(a) => return Answer::unknown(format!("{PATH}.authenticationType '{a}' is not understood")),
    };
    match f.interval.as_deref().map(str::trim) {
        Some(i) if i.eq_ignore_ascii_case("everyTime") => return Answer::yes(format!("sign-in every time{auth}")),
        None => {}
        Some(i) if i.eq_ignore_ascii_case("timeBased") => {}
        Some(i) => return Answer::unknown(format!("{PATH}.frequencyInterval '{i}' is not understood")),
    }
    let Some(value) = f.value.filter(|v| *v > 0) else {
        return Answer::unknown(format!("{PATH}.value is {:?}, not a positive number", f.value));
    };
    let hours = match f.unit.as_deref().map(str::trim) {
        Some(u) if u.eq_ignore_ascii_case("hours") => value,
        Some(u) if u.eq_ignore_ascii_case("days") => value.saturating_mul(24),
        Some(u) => return Answer::unknown(format!("{PATH}.type '{u}' is not a unit the scanner knows (hours, days)")),
        None => return Answer::unknown(format!("{PATH}.type is null: the unit of {value} is not known")),
    };
    let shown = match f.unit.as_deref().map(str::trim) {
        Some(u) if u.eq_ignore_ascii_case("days") => format!("{value} day(s) = {hours} h"),
        _ => format!("{hours} h"),
    };
    if hours <= i64::from(max_hours) {
        Answer::yes(format!("sign-in frequency {shown} (at most {max_hours} h){auth}"))
    } else {
        Answer::no(format!("its sign-in frequency of {shown} is longer than {max_hours} h"))
    }
}
