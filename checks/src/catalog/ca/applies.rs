//! Does a policy's conditions apply to **every** sign-in of one admin to the AKS server app?
//! (Definitions, *Guarding AKS sign-in*.) Users, applications, and no narrowing condition; the
//! policy's state is judged apart (`controls::enforced`).

use super::answer::{Answer, all, any};
use super::people::Person;
use super::{SECTIONS, unrecognised};
use crate::azure_rbac::AKS_SERVER_APP_ID;
use crate::model::{
    CaApplications, CaFilter, CaPolicy, CaUsers, ExternalTenants, GuestsOrExternalUsers, IncludeExclude, ObjectKinds,
    UserType,
};

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|x| x.trim().eq_ignore_ascii_case(value))
}

fn shown(list: &[String]) -> String {
    format!("[{}]", list.join(", "))
}

/// Values in `list` outside `known` (case-insensitive).
fn unknown_values<'a>(list: &'a [String], known: &[&str]) -> Vec<&'a str> {
    list.iter().map(|s| s.trim()).filter(|s| !known.iter().any(|k| k.eq_ignore_ascii_case(s))).collect()
}

fn is_guid(s: &str) -> bool {
    ObjectKinds::is_object_id(s)
}

/// Users, applications and narrowing conditions together.
pub fn applies(p: &CaPolicy, person: &Person) -> Answer {
    all([users(p, person), applications(p), narrowing(p)])
}

const GUEST_TYPES: [&str; 7] = [
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];

/// Whether the person is one of these guests or external users.
fn guest_match(g: &GuestsOrExternalUsers, person: &Person, path: &str) -> Answer {
    let types: Vec<String> = g.types.iter().filter(|t| !t.trim().eq_ignore_ascii_case("none")).cloned().collect();
    if types.is_empty() {
        return Answer::no("");
    }
    let odd = unknown_values(&types, &GUEST_TYPES);
    let kind = match &person.user_type {
        Ok(k) => k,
        Err(why) => return Answer::unknown(format!("{path} names guest types, and {why}")),
    };
    let name = match kind {
        UserType::Member => None,
        UserType::InternalGuest => Some("internalGuest"),
        UserType::ExternalGuest => Some("b2bCollaborationGuest"),
        UserType::ExternalMember => Some("b2bCollaborationMember"),
    };
    let matched = name.is_some_and(|n| has(&types, n));
    if !matched {
        if !odd.is_empty() {
            return Answer::unknown(format!("{path}.guestOrExternalUserTypes holds values not understood: {odd:?}"));
        }
        return Answer::no("");
    }
    match &g.tenants {
        ExternalTenants::Any | ExternalTenants::All => Answer::yes(format!("{path} ({})", name.unwrap_or_default())),
        ExternalTenants::Enumerated(list) => Answer::unknown(format!(
            "{path} names external tenants {}, and {}'s home tenant is not collected",
            shown(list),
            person.label
        )),
        ExternalTenants::Other(kind) => {
            Answer::unknown(format!("{path}.externalTenants.membershipKind '{kind}' is not understood"))
        }
    }
}

/// Legacy `GuestsOrExternalUsers` in `includeUsers`/`excludeUsers`: any guest or external user.
fn legacy_guest(person: &Person, path: &str) -> Answer {
    match &person.user_type {
        Ok(UserType::Member) => Answer::no(""),
        Ok(_) => Answer::yes(format!("{path} GuestsOrExternalUsers")),
        Err(why) => Answer::unknown(format!("{path} holds GuestsOrExternalUsers, and {why}")),
    }
}

fn by_id(list: &[String], person: &Person, path: &str) -> Answer {
    let ids: Vec<&String> = list
        .iter()
        .filter(|x| !["All", "None", "GuestsOrExternalUsers"].iter().any(|s| x.trim().eq_ignore_ascii_case(s)))
        .collect();
    match &person.id {
        Some(id) if ids.iter().any(|x| x.trim().eq_ignore_ascii_case(id)) => Answer::yes(format!("{path} by id")),
        Some(_) => Answer::no(""),
        None if ids.is_empty() => Answer::no(""),
        None => Answer::unknown(format!("{path} names users {}", shown(list))),
    }
}

fn by_group(list: &[String], person: &Person, path: &str) -> Answer {
    if list.is_empty() {
        return Answer::no("");
    }
    if let Some(g) = list.iter().find(|g| person.groups.contains(&g.trim().to_ascii_lowercase())) {
        return Answer::yes(format!("{path} group {}", g.trim()));
    }
    match &person.groups_complete {
        Ok(()) => Answer::no(""),
        Err(why) => {
            Answer::unknown(format!("whether {} is in {path} {} is not known: {why}", person.label, shown(list)))
        }
    }
}

/// Included through a role: held actively, and not only through PIM (an activation ends, and the
/// admin keeps signing in as admin through its Azure role).
fn included_by_role(list: &[String], person: &Person, path: &str) -> Answer {
    if list.is_empty() {
        return Answer::no("");
    }
    let (active, eligible) = match (&person.roles, &person.eligible_roles) {
        (Ok(a), Ok(e)) => (a, e),
        (Err(why), _) | (_, Err(why)) => {
            return Answer::unknown(format!(
                "whether {} holds {path} {} is not known: {why}",
                person.label,
                shown(list)
            ));
        }
    };
    let held: Vec<&String> = list.iter().filter(|r| active.contains(&r.trim().to_ascii_lowercase())).collect();
    let standing: Vec<&&String> = held.iter().filter(|r| !eligible.contains(&r.trim().to_ascii_lowercase())).collect();
    match (standing.first(), held.first()) {
        (Some(r), _) => Answer::yes(format!("{path} role {}", r.trim())),
        (None, Some(r)) => Answer::no(format!(
            "{} holds role {} only through a PIM activation, which ends while the admin keeps signing in",
            person.label,
            r.trim()
        )),
        (None, None) => Answer::no(""),
    }
}

/// Excluded through a role: held, or PIM-eligible (it can activate the role and escape).
fn excluded_by_role(list: &[String], person: &Person, path: &str) -> Answer {
    if list.is_empty() {
        return Answer::no("");
    }
    let active = match &person.roles {
        Ok(a) => a,
        Err(why) => {
            return Answer::unknown(format!(
                "whether {} holds {path} {} is not known: {why}",
                person.label,
                shown(list)
            ));
        }
    };
    if let Some(r) = list.iter().find(|r| active.contains(&r.trim().to_ascii_lowercase())) {
        return Answer::yes(format!("{path} role {}", r.trim()));
    }
    match &person.eligible_roles {
        Ok(e) => match list.iter().find(|r| e.contains(&r.trim().to_ascii_lowercase())) {
            Some(r) => Answer::yes(format!("{path} role {} (PIM-eligible: it can activate it and escape)", r.trim())),
            None => Answer::no(""),
        },
        Err(why) => Answer::unknown(format!(
            "whether {} may activate {path} {} through PIM is not known: {why}",
            person.label,
            shown(list)
        )),
    }
}

/// Excluded through a group of `excludeGroups` it may join through PIM for Groups — eligible for
/// it (or for a group nested in it), itself or through a group it is in: it can activate the
/// membership and escape, as with an excluded role it is eligible for.
fn excluded_by_eligibility(u: &CaUsers, person: &Person) -> Answer {
    let mut parts = vec![];
    for g in u.exclude_groups.iter().filter(|g| ObjectKinds::is_object_id(g)) {
        let key = g.trim().to_ascii_lowercase();
        let Some(id) = &person.id else {
            parts.push(Answer::unknown(format!(
                "who may join excludeGroups group {} through PIM is not known for the unlisted admins",
                g.trim()
            )));
            continue;
        };
        match u.exclusion_eligible.get(&key) {
            Some(Ok(eligible)) => {
                if eligible.contains(id) {
                    parts.push(Answer::yes(format!(
                        "excludeGroups group {} (PIM-eligible: it can activate the membership and escape)",
                        g.trim()
                    )));
                } else if let Some(via) = person.groups.iter().find(|x| eligible.contains(*x)) {
                    parts.push(Answer::yes(format!(
                        "excludeGroups group {} (PIM-eligible through group {via}: it can activate the membership and escape)",
                        g.trim()
                    )));
                } else if let Err(why) = &person.groups_complete {
                    parts.push(Answer::unknown(format!(
                        "whether {} may join excludeGroups group {} through PIM is not known: {why}",
                        person.label,
                        g.trim()
                    )));
                }
            }
            Some(Err(why)) => parts.push(Answer::unknown(format!(
                "who may join excludeGroups group {} through PIM is not known: {why}",
                g.trim()
            ))),
            None => parts.push(Answer::unknown(format!(
                "who may join excludeGroups group {} through PIM was not read",
                g.trim()
            ))),
        }
    }
    any(parts)
}

/// The users condition: included and not excluded.
fn users(p: &CaPolicy, person: &Person) -> Answer {
    const U: &str = "conditions.users";
    let Some(u) = &p.conditions.users else {
        return Answer::no(if p.conditions.client_applications.is_some() {
            "it targets workload identities (clientApplications), not users"
        } else {
            "its users condition is empty, so it applies to nobody"
        });
    };
    let excluded = excluded(u, person);
    if let Answer::Yes(how) = &excluded {
        return Answer::no(format!("it excludes {} ({how})", person.label));
    }
    if let Some(why) = unrecognised(p, U, false) {
        return Answer::unknown(why);
    }
    let included = included(u, person);
    let included = match included {
        Answer::No(why) if why.is_empty() => Answer::no(format!("it does not include {}", person.label)),
        other => other,
    };
    all([included, excluded.negate()])
}

fn included(u: &CaUsers, person: &Person) -> Answer {
    let users = &u.include_users;
    let everyone = if has(users, "All") { Answer::yes("includeUsers All") } else { Answer::no("") };
    let legacy = if has(users, "GuestsOrExternalUsers") {
        legacy_guest(person, "conditions.users.includeUsers")
    } else {
        Answer::no("")
    };
    let guests = match &u.include_guests {
        Some(g) => guest_match(g, person, "conditions.users.includeGuestsOrExternalUsers"),
        None => Answer::no(""),
    };
    any([
        everyone,
        by_id(users, person, "includeUsers"),
        legacy,
        by_group(&u.include_groups, person, "includeGroups"),
        included_by_role(&u.include_roles, person, "includeRoles"),
        guests,
    ])
}

fn excluded(u: &CaUsers, person: &Person) -> Answer {
    let legacy = if has(&u.exclude_users, "GuestsOrExternalUsers") {
        legacy_guest(person, "conditions.users.excludeUsers")
    } else {
        Answer::no("")
    };
    let guests = match &u.exclude_guests {
        Some(g) => guest_match(g, person, "conditions.users.excludeGuestsOrExternalUsers"),
        None => Answer::no(""),
    };
    any([
        by_id(&u.exclude_users, person, "excludeUsers"),
        legacy,
        by_group(&u.exclude_groups, person, "excludeGroups"),
        excluded_by_eligibility(u, person),
        excluded_by_role(&u.exclude_roles, person, "excludeRoles"),
        guests,
    ])
}

/// The one directory role always held by someone: a tenant cannot remove its last Global
/// Administrator.
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// Whether the users condition includes anybody at all — the question of a tenant-wide check
/// (IDN-005) that has no admin to ask about. `All` does; an id in `includeUsers` only when it is
/// a user's, one in `includeGroups` only when it is a group's with anybody in it or eligible for
/// it (Graph matches each list against that kind only, so a group's id in `includeUsers`, a
/// deleted object's id or an empty group includes nobody),
/// and not when the same id is excluded; Global Administrator (always held) does. Whether anyone
/// holds another directory role or is a guest is not collected: unknown.
pub fn includes_someone(p: &CaPolicy) -> Answer {
    let Some(u) = &p.conditions.users else {
        return Answer::no("its users condition is empty, so it applies to nobody");
    };
    if has(&u.include_users, "All") {
        return Answer::yes("includeUsers All");
    }
    let ids = |list: &[String]| -> Vec<String> {
        list.iter().filter(|x| ObjectKinds::is_object_id(x)).map(|x| x.trim().to_ascii_lowercase()).collect()
    };
    let excluded: Vec<String> = ids(&u.exclude_users).into_iter().chain(ids(&u.exclude_groups)).collect();
    let mut parts = vec![];
    for (list, kind, path) in
        [(&u.include_users, "User", "includeUsers"), (&u.include_groups, "Group", "includeGroups")]
    {
        for id in ids(list) {
            parts.push(match u.objects.is(&id, kind) {
                Ok(true) if excluded.contains(&id) => Answer::no(format!("{path} {id} is excluded too")),
                Ok(true) if kind == "Group" => match u.objects.populated.get(&id) {
                    Some(Ok(true)) => Answer::yes(format!("{path} {id} (a group with members)")),
                    Some(Ok(false)) => {
                        Answer::no(format!("{path} {id} is a group nobody is in or eligible for, so it targets nobody"))
                    }
                    Some(Err(why)) => Answer::unknown(format!("whether anybody is in {path} {id} is not known: {why}")),
                    None => Answer::unknown(format!("whether anybody is in {path} {id} was not read")),
                },
                Ok(true) => Answer::yes(format!("{path} {id} ({kind})")),
                Ok(false) => Answer::no(format!(
                    "{path} {id} is not a {} (Graph matches {path} against {}s only), so it targets nobody",
                    kind.to_ascii_lowercase(),
                    kind.to_ascii_lowercase()
                )),
                Err(why) => Answer::unknown(format!("whether {path} {id} is a {}: {why}", kind.to_ascii_lowercase())),
            });
        }
        let odd: Vec<&String> = list
            .iter()
            .filter(|x| {
                !ObjectKinds::is_object_id(x) && !["All", "None"].iter().any(|k| x.trim().eq_ignore_ascii_case(k))
            })
            .filter(|x| !(path == "includeUsers" && x.trim().eq_ignore_ascii_case("GuestsOrExternalUsers")))
            .collect();
        if !odd.is_empty() {
            parts.push(Answer::unknown(format!("{path} holds values not understood: {odd:?}")));
        }
    }
    if u.include_roles.iter().any(|r| r.trim().eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR)) {
        parts.push(Answer::yes("includeRoles Global Administrator (always held)"));
    } else if !u.include_roles.is_empty() {
        parts.push(Answer::unknown(format!(
            "whether anyone holds includeRoles {} is not collected",
            shown(&u.include_roles)
        )));
    }
    let guests = has(&u.include_users, "GuestsOrExternalUsers")
        || u.include_guests.as_ref().is_some_and(|g| g.types.iter().any(|t| !t.trim().eq_ignore_ascii_case("none")));
    if guests {
        parts.push(Answer::unknown("whether the tenant has the guests or external users it includes is not collected"));
    }
    if let Some(why) = unrecognised(p, "conditions.users", false) {
        parts.push(Answer::unknown(why));
    }
    match any(parts) {
        Answer::No(why) if why.is_empty() => {
            Answer::no(format!("its users condition includes nobody (includeUsers {})", shown(&u.include_users)))
        }
        a => a,
    }
}

/// Special values of `includeApplications`/`excludeApplications` besides app ids. None of the
/// app groupings (`Office365`, `MicrosoftAdminPortals`) contains the AKS server app.
const APP_KEYWORDS: [&str; 4] = ["All", "None", "Office365", "MicrosoftAdminPortals"];

/// The applications condition covers sign-in to the AKS server app.
pub fn applications(p: &CaPolicy) -> Answer {
    const A: &str = "conditions.applications";
    let Some(a) = &p.conditions.applications else {
        return Answer::no("its applications condition is empty, so it applies to no application");
    };
    if has(&a.exclude, AKS_SERVER_APP_ID) {
        return Answer::no(format!("it excludes the AKS server app {AKS_SERVER_APP_ID}"));
    }
    if let Some(why) = unrecognised(p, A, false) {
        return Answer::unknown(why);
    }
    all([included_app(a), excluded_app(a), filter_app(a)])
}

fn odd_apps(list: &[String]) -> Vec<&str> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !is_guid(s) && !APP_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s)))
        .collect()
}

fn included_app(a: &CaApplications) -> Answer {
    if !a.user_actions.is_empty() {
        return Answer::no(format!("it targets user actions {}, not sign-in to applications", shown(&a.user_actions)));
    }
    if !a.authentication_contexts.is_empty() {
        return Answer::no(format!(
            "it applies only where an app asks for authentication context {}, which AKS sign-in does not",
            shown(&a.authentication_contexts)
        ));
    }
    if has(&a.include, "All") {
        return Answer::yes("All applications");
    }
    if has(&a.include, AKS_SERVER_APP_ID) {
        return Answer::yes("the AKS server app");
    }
    let odd = odd_apps(&a.include);
    if !odd.is_empty() {
        return Answer::unknown(format!("includeApplications holds values not understood: {odd:?}"));
    }
    if let Some(f) = a.filter.as_ref().filter(|f| !f.rule.trim().is_empty() && f.mode.eq_ignore_ascii_case("include")) {
        return Answer::unknown(format!(
            "whether the AKS server app matches applicationFilter ({}) is not known",
            f.rule.trim()
        ));
    }
    let apps = if a.include.is_empty() { "none".to_string() } else { a.include.join(", ") };
    Answer::no(format!("its applications ({apps}) include neither All nor the AKS server app {AKS_SERVER_APP_ID}"))
}

fn excluded_app(a: &CaApplications) -> Answer {
    let odd = odd_apps(&a.exclude);
    if odd.is_empty() {
        Answer::yes("")
    } else {
        Answer::unknown(format!("excludeApplications holds values not understood: {odd:?}"))
    }
}

fn filter_app(a: &CaApplications) -> Answer {
    match &a.filter {
        Some(f) if f.rule.trim().is_empty() || f.mode.eq_ignore_ascii_case("include") => Answer::yes(""),
        Some(f) if f.mode.eq_ignore_ascii_case("exclude") => Answer::unknown(format!(
            "applicationFilter (exclude: {}) may exclude the AKS server app; its attributes are not collected",
            f.rule.trim()
        )),
        Some(f) => Answer::unknown(format!("applicationFilter mode '{}' is not understood", f.mode)),
        None => Answer::yes(""),
    }
}

const CLIENT_APP_TYPES: [&str; 6] =
    ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"];
const PLATFORMS: [&str; 7] = ["all", "android", "iOS", "windows", "windowsPhone", "macOS", "linux"];
const TRANSFER_METHODS: [&str; 3] = ["none", "deviceCodeFlow", "authenticationTransfer"];

/// No condition narrows the policy to some sign-ins only.
pub fn narrowing(p: &CaPolicy) -> Answer {
    narrowing_besides(p, None)
}

/// No condition but the risk condition `risk` (`signInRiskLevels`, `userRiskLevels`) narrows
/// the policy: it acts on every sign-in at that risk (IDN-005). Conditions combine with AND, so
/// a policy with both risk conditions acts only on sign-ins that meet both.
pub fn narrowing_besides(p: &CaPolicy, risk_condition: Option<&str>) -> Answer {
    let c = &p.conditions;
    let risk = |what: &str, levels: &[String]| {
        if risk_condition == Some(what) { Answer::yes("") } else { risk(what, levels) }
    };
    let mut parts = vec![
        workload(p),
        client_app_types(&c.client_app_types),
        platforms(c.platforms.as_ref()),
        locations(c.locations.as_ref()),
        devices(p),
        risk("signInRiskLevels", &c.sign_in_risk_levels),
        risk("userRiskLevels", &c.user_risk_levels),
        risk("servicePrincipalRiskLevels", &c.service_principal_risk_levels),
        risk("insiderRiskLevels", &c.insider_risk_levels),
        flows(&c.transfer_methods),
    ];
    let other: Vec<String> = p
        .unrecognised
        .iter()
        .filter(|u| !SECTIONS.iter().any(|s| super::in_section(&u.path, s)))
        .map(|u| format!("{} = {}", u.path, u.raw))
        .collect();
    if !other.is_empty() {
        parts.push(Answer::unknown(format!(
            "it has properties the scanner does not understand ({}), which may narrow it",
            other.join(", ")
        )));
    }
    all(parts)
}

fn workload(p: &CaPolicy) -> Answer {
    match &p.conditions.client_applications {
        Some(ca)
            if !ca.include_service_principals.is_empty() || ca.filter.as_ref().is_some_and(|f| !f.rule.is_empty()) =>
        {
            Answer::no("it targets workload identities (clientApplications), not users")
        }
        _ => Answer::yes(""),
    }
}

fn client_app_types(types: &[String]) -> Answer {
    if types.is_empty() || has(types, "all") || (has(types, "browser") && has(types, "mobileAppsAndDesktopClients")) {
        return Answer::yes("");
    }
    let odd = unknown_values(types, &CLIENT_APP_TYPES);
    if !odd.is_empty() {
        return Answer::unknown(format!("clientAppTypes holds values not understood: {odd:?}"));
    }
    Answer::no(format!(
        "its clientAppTypes {} do not cover both browser and mobileAppsAndDesktopClients (kubelogin, az, the portal)",
        shown(types)
    ))
}

/// An include/exclude condition (platforms, locations): any exclusion, or an include list short
/// of `all_value`, narrows. `known` lists the values understood (empty: any value, e.g. ids).
fn include_exclude(cond: Option<&IncludeExclude>, what: &str, all_value: &str, known: &[&str]) -> Answer {
    let Some(c) = cond else { return Answer::yes("") };
    let understood = |x: &&String| known.is_empty() || known.iter().any(|k| k.eq_ignore_ascii_case(x.trim()));
    let (excluded, odd_excluded): (Vec<&String>, Vec<&String>) = c.exclude.iter().partition(understood);
    if !excluded.is_empty() {
        return Answer::no(format!("it leaves out {what} {}", shown(&c.exclude)));
    }
    if !odd_excluded.is_empty() {
        return Answer::unknown(format!("its excluded {what} hold values not understood: {odd_excluded:?}"));
    }
    if c.include.is_empty() || has(&c.include, all_value) {
        return Answer::yes("");
    }
    let odd_included: Vec<&String> = c.include.iter().filter(|x| !understood(x)).collect();
    if !odd_included.is_empty() {
        return Answer::unknown(format!("its included {what} hold values not understood: {odd_included:?}"));
    }
    Answer::no(format!("it applies only to {what} {}, not {all_value}", shown(&c.include)))
}

fn platforms(c: Option<&IncludeExclude>) -> Answer {
    include_exclude(c, "platforms", "all", &PLATFORMS)
}

fn locations(c: Option<&IncludeExclude>) -> Answer {
    include_exclude(c, "locations", "All", &[])
}

fn filter(f: &CaFilter, path: &str) -> Answer {
    if f.rule.trim().is_empty() {
        return Answer::yes("");
    }
    match f.mode.trim() {
        m if m.eq_ignore_ascii_case("include") => {
            Answer::no(format!("{path} applies it only to devices matching {}", f.rule.trim()))
        }
        m if m.eq_ignore_ascii_case("exclude") => {
            Answer::no(format!("{path} leaves out devices matching {}, which may be the admin's", f.rule.trim()))
        }
        m => Answer::unknown(format!("{path} mode '{m}' is not understood")),
    }
}

fn devices(p: &CaPolicy) -> Answer {
    let c = &p.conditions;
    let mut parts = vec![];
    if let Some(d) = &c.devices {
        if let Some(f) = &d.filter {
            parts.push(filter(f, "deviceFilter"));
        }
        if !d.exclude_devices.is_empty() || !(d.include_devices.is_empty() || has(&d.include_devices, "All")) {
            parts.push(Answer::no(format!(
                "its device condition (includeDevices {}, excludeDevices {}) leaves devices out",
                shown(&d.include_devices),
                shown(&d.exclude_devices)
            )));
        }
    }
    if let Some(s) = &c.device_states
        && (!s.exclude.is_empty() || !(s.include.is_empty() || has(&s.include, "All")))
    {
        parts.push(Answer::no(format!(
            "its deviceStates condition (includeStates {}, excludeStates {}) leaves devices out",
            shown(&s.include),
            shown(&s.exclude)
        )));
    }
    all(parts)
}

fn risk(what: &str, levels: &[String]) -> Answer {
    if levels.is_empty() { Answer::yes("") } else { Answer::no(format!("it applies only at {what} {}", shown(levels))) }
}

fn flows(methods: &[String]) -> Answer {
    let real: Vec<String> = methods.iter().filter(|m| !m.trim().eq_ignore_ascii_case("none")).cloned().collect();
    if real.is_empty() {
        return Answer::yes("");
    }
    let odd = unknown_values(&real, &TRANSFER_METHODS);
    if odd.len() == real.len() {
        return Answer::unknown(format!("authenticationFlows.transferMethods holds values not understood: {odd:?}"));
    }
    Answer::no(format!("it applies only to the authentication flows {}", shown(&real)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_and_keywords() {
        assert!(is_guid(AKS_SERVER_APP_ID));
        assert!(!is_guid("Office365"));
        assert_eq!(
            odd_apps(&["All".into(), "Office365".into(), "AllAgentIdResources".into()]),
            ["AllAgentIdResources"]
        );
    }
}
