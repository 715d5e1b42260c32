//! One test per rule of the evaluator: each answers yes, no and (where it can) unknown.

use super::answer::Answer;
use super::applies::applies;
use super::controls::{Need, enforced, requires, sign_in_frequency};
use super::people::{Person, people};
use crate::model::*;
use crate::testing::*;
use std::collections::BTreeSet;

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const BREAK_GLASS: &str = "b7ea0000-0000-0000-0000-000000000000";

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// A member user in `groups`, holding `roles`, eligible for `eligible`.
fn admin(groups: &[&str], roles: &[&str], eligible: &[&str]) -> Person {
    Person {
        id: Some("a11ce000-0000-0000-0000-000000000001".into()),
        label: "Alice Admin (User a11ce000-0000-0000-0000-000000000001)".into(),
        kind: "User".into(),
        groups: set(groups),
        groups_complete: Ok(()),
        roles: Ok(set(roles)),
        eligible_roles: Ok(set(eligible)),
        user_type: Ok(UserType::Member),
    }
}

fn alice() -> Person {
    admin(&[], &[], &[])
}

fn policy(edit: impl FnOnce(&mut CaPolicy)) -> CaPolicy {
    let mut p = aks_ca_policy();
    edit(&mut p);
    p
}

fn yes(a: &Answer) -> bool {
    a.is_yes()
}
fn no(a: &Answer, needle: &str) -> bool {
    matches!(a, Answer::No(w) if w.contains(needle))
}
fn unsure(a: &Answer, needle: &str) -> bool {
    matches!(a, Answer::Unknown(w) if w.contains(needle))
}

macro_rules! check {
    ($pred:ident, $answer:expr $(, $needle:expr)?) => {{
        let a = $answer;
        assert!($pred(&a $(, $needle)?), "{}: {a:?}", stringify!($answer));
    }};
}

#[test]
fn users_all_id_group_and_none() {
    check!(yes, applies(&aks_ca_policy(), &alice()));
    let by = |edit: fn(&mut CaUsers)| {
        policy(|p| {
            *ca_users(p) = CaUsers::default();
            edit(ca_users(p));
        })
    };
    check!(yes, applies(&by(|u| u.include_users = vec!["A11CE000-0000-0000-0000-000000000001".into()]), &alice()));
    check!(no, applies(&by(|u| u.include_users = vec!["None".into()]), &alice()), "does not include Alice");
    check!(no, applies(&by(|_| {}), &alice()), "does not include");
    let group = by(|u| u.include_groups = vec!["0E0E0E0E-0000-0000-0000-000000000000".into()]);
    check!(yes, applies(&group, &admin(&["0e0e0e0e-0000-0000-0000-000000000000"], &[], &[])));
    check!(no, applies(&group, &alice()), "does not include");
    let mut partial = alice();
    partial.groups_complete = Err("transitiveMemberOf: 403".into());
    check!(unsure, applies(&group, &partial), "transitiveMemberOf: 403");
    check!(no, applies(&policy(|p| p.conditions.users = None), &alice()), "users condition is empty");
}

#[test]
fn roles_include_only_when_held_and_exclude_when_eligible() {
    let include = policy(|p| *ca_users(p) = CaUsers { include_roles: vec![GLOBAL_ADMIN.into()], ..Default::default() });
    check!(yes, applies(&include, &admin(&[], &[GLOBAL_ADMIN], &[])));
    check!(no, applies(&include, &admin(&[], &[GLOBAL_ADMIN], &[GLOBAL_ADMIN])), "only through a PIM activation");
    check!(no, applies(&include, &admin(&[], &[], &[GLOBAL_ADMIN])), "does not include");
    let mut unknown_roles = alice();
    unknown_roles.roles = Err("transitiveMemberOf denied".into());
    check!(unsure, applies(&include, &unknown_roles), "transitiveMemberOf denied");

    let exclude = policy(|p| ca_users(p).exclude_roles = vec![GLOBAL_READER.to_uppercase()]);
    check!(yes, applies(&exclude, &alice()));
    check!(no, applies(&exclude, &admin(&[], &[GLOBAL_READER], &[])), "it excludes Alice");
    check!(no, applies(&exclude, &admin(&[], &[], &[GLOBAL_READER])), "PIM-eligible: it can activate it and escape");
    let mut no_eligibility = alice();
    no_eligibility.eligible_roles = Err("roleEligibilityScheduleInstances: 403".into());
    check!(unsure, applies(&exclude, &no_eligibility), "through PIM is not known");
}

#[test]
fn exclusions_by_id_and_group() {
    check!(no, applies(&policy(|p| ca_users(p).exclude_users = vec![alice().id.unwrap()]), &alice()), "excludes Alice");
    let glass = policy(|p| exclude_group(p, BREAK_GLASS, &[]));
    check!(yes, applies(&glass, &alice()));
    check!(no, applies(&glass, &admin(&[BREAK_GLASS], &[], &[])), "excludeGroups group");
    let mut partial = alice();
    partial.groups_complete = Err("not collected".into());
    check!(unsure, applies(&glass, &partial), "not collected");
}

/// An admin PIM-eligible for an excluded group (the just-in-time exclusion pattern), itself or
/// through a group it is in, can activate the membership and escape, like an excluded role.
#[test]
fn an_admin_eligible_for_an_excluded_group_escapes() {
    const REQUESTERS: &str = "0e0e0e0e-0000-0000-0000-000000000000";
    let id = alice().id.unwrap();
    check!(no, applies(&policy(|p| exclude_group(p, BREAK_GLASS, &[&id])), &alice()), "PIM-eligible");
    let via = policy(|p| exclude_group(p, BREAK_GLASS, &[REQUESTERS]));
    check!(no, applies(&via, &admin(&[REQUESTERS], &[], &[])), "PIM-eligible through group");
    check!(yes, applies(&via, &alice()));
    let mut partial = alice();
    partial.groups_complete = Err("transitiveMemberOf: 403".into());
    check!(unsure, applies(&via, &partial), "transitiveMemberOf: 403");
    let unread = policy(|p| ca_users(p).exclude_groups = vec![BREAK_GLASS.into()]);
    check!(unsure, applies(&unread, &alice()), "through PIM was not read");
    let failed = policy(|p| {
        ca_users(p).exclude_groups = vec![BREAK_GLASS.into()];
        ca_users(p).exclusion_eligible.insert(BREAK_GLASS.into(), Err("eligibilitySchedules: 403".into()));
    });
    check!(unsure, applies(&failed, &alice()), "eligibilitySchedules: 403");
}

#[test]
fn guests_and_external_users() {
    let guests = |types: &str, tenants: ExternalTenants| GuestsOrExternalUsers {
        types: types.split(',').map(String::from).collect(),
        tenants,
    };
    let mut guest = alice();
    guest.user_type = Ok(UserType::ExternalGuest);
    let exclude = policy(|p| {
        ca_users(p).exclude_guests = Some(guests("internalGuest,b2bCollaborationGuest", ExternalTenants::All))
    });
    check!(yes, applies(&exclude, &alice()));
    check!(no, applies(&exclude, &guest), "excludes Alice");
    let enumerated = policy(|p| {
        ca_users(p).exclude_guests =
            Some(guests("b2bCollaborationGuest", ExternalTenants::Enumerated(vec!["t-1".into()])))
    });
    check!(unsure, applies(&enumerated, &guest), "home tenant is not collected");
    check!(yes, applies(&enumerated, &alice()));
    let mut untyped = alice();
    untyped.user_type = Err("userType not read".into());
    check!(unsure, applies(&exclude, &untyped), "userType not read");
    let legacy = policy(|p| ca_users(p).exclude_users = vec!["GuestsOrExternalUsers".into()]);
    check!(no, applies(&legacy, &guest), "GuestsOrExternalUsers");
    check!(yes, applies(&legacy, &alice()));
    let include = policy(|p| {
        *ca_users(p) = CaUsers {
            include_guests: Some(guests("b2bCollaborationMember,serviceProvider", ExternalTenants::Any)),
            ..Default::default()
        }
    });
    let mut member = alice();
    member.user_type = Ok(UserType::ExternalMember);
    check!(yes, applies(&include, &member));
    check!(no, applies(&include, &alice()), "does not include");
    let odd = policy(|p| ca_users(p).exclude_guests = Some(guests("futureGuest", ExternalTenants::All)));
    check!(unsure, applies(&odd, &alice()), "futureGuest");
}

#[test]
fn unlisted_admins_are_guarded_only_by_policies_for_everybody() {
    let nobody_known = Person::unlisted("roleAssignments: 403");
    check!(yes, applies(&aks_ca_policy(), &nobody_known));
    check!(
        unsure,
        applies(&policy(|p| ca_users(p).exclude_users = vec![BREAK_GLASS.into()]), &nobody_known),
        "names users"
    );
    check!(
        unsure,
        applies(&policy(|p| ca_users(p).exclude_groups = vec![BREAK_GLASS.into()]), &nobody_known),
        "roleAssignments: 403"
    );
}

#[test]
fn unrecognised_user_properties_are_unknown_unless_excluded() {
    let odd = |p: &mut CaPolicy| {
        p.unrecognised.push(Unrecognised { path: "conditions.users.includeAgents".into(), raw: "[\"All\"]".into() })
    };
    check!(unsure, applies(&policy(odd), &alice()), "conditions.users.includeAgents");
    let excluded = policy(|p| {
        odd(p);
        ca_users(p).exclude_users = vec![alice().id.unwrap()];
    });
    check!(no, applies(&excluded, &alice()), "excludes Alice");
}

#[test]
fn applications() {
    check!(yes, applies(&policy(|p| ca_apps(p).include = vec!["All".into()]), &alice()));
    check!(no, applies(&policy(|p| ca_apps(p).include = vec!["Office365".into()]), &alice()), "include neither");
    check!(no, applies(&policy(|p| ca_apps(p).include = vec!["MicrosoftAdminPortals".into()]), &alice()), "neither");
    let all_but_aks = policy(|p| {
        ca_apps(p).include = vec!["All".into()];
        ca_apps(p).exclude = vec![AKS_APP.to_uppercase()];
    });
    check!(no, applies(&all_but_aks, &alice()), "excludes the AKS server app");
    check!(unsure, applies(&policy(|p| ca_apps(p).include = vec!["AllAgentIdResources".into()]), &alice()), "AllAgent");
    let actions = policy(|p| {
        *ca_apps(p) =
            CaApplications { user_actions: vec!["urn:user:registersecurityinfo".into()], ..Default::default() }
    });
    check!(no, applies(&actions, &alice()), "user actions");
    let context =
        policy(|p| *ca_apps(p) = CaApplications { authentication_contexts: vec!["c1".into()], ..Default::default() });
    check!(no, applies(&context, &alice()), "authentication context");
    let filter = |mode: &str| CaFilter { mode: mode.into(), rule: "CustomSecurityAttribute.Tier -eq \"0\"".into() };
    let excluded_by_filter = policy(|p| ca_apps(p).filter = Some(filter("exclude")));
    check!(unsure, applies(&excluded_by_filter, &alice()), "may exclude the AKS server app");
    let included_by_filter = policy(|p| {
        ca_apps(p).include = vec![];
        ca_apps(p).filter = Some(filter("include"));
    });
    check!(unsure, applies(&included_by_filter, &alice()), "matches applicationFilter");
    check!(yes, applies(&policy(|p| ca_apps(p).filter = Some(filter("include"))), &alice()));
    check!(no, applies(&policy(|p| p.conditions.applications = None), &alice()), "applications condition is empty");
}

#[test]
fn client_app_types_must_cover_modern_clients() {
    let types = |t: &[&str]| policy(|p| p.conditions.client_app_types = t.iter().map(|s| s.to_string()).collect());
    check!(yes, applies(&types(&[]), &alice()));
    check!(yes, applies(&types(&["browser", "mobileAppsAndDesktopClients"]), &alice()));
    check!(no, applies(&types(&["browser"]), &alice()), "clientAppTypes [browser]");
    check!(no, applies(&types(&["exchangeActiveSync", "other"]), &alice()), "do not cover");
    check!(unsure, applies(&types(&["browser", "futureClients"]), &alice()), "futureClients");
}

#[test]
fn platforms_and_locations_must_not_narrow() {
    let platforms = |inc: &[&str], exc: &[&str]| {
        policy(|p| {
            p.conditions.platforms = Some(IncludeExclude {
                include: inc.iter().map(|s| s.to_string()).collect(),
                exclude: exc.iter().map(|s| s.to_string()).collect(),
            })
        })
    };
    check!(yes, applies(&platforms(&["all"], &[]), &alice()));
    check!(no, applies(&platforms(&["windows", "macOS"], &[]), &alice()), "only to platforms");
    check!(no, applies(&platforms(&["all"], &["iOS"]), &alice()), "leaves out platforms");
    check!(unsure, applies(&platforms(&["android", "plan9"], &[]), &alice()), "plan9");
    let locations = |inc: &[&str], exc: &[&str]| {
        policy(|p| {
            p.conditions.locations = Some(IncludeExclude {
                include: inc.iter().map(|s| s.to_string()).collect(),
                exclude: exc.iter().map(|s| s.to_string()).collect(),
            })
        })
    };
    check!(yes, applies(&locations(&["All"], &[]), &alice()));
    check!(no, applies(&locations(&["All"], &["AllTrusted"]), &alice()), "leaves out locations [AllTrusted]");
    check!(no, applies(&locations(&["AllTrusted"], &[]), &alice()), "only to locations");
}

#[test]
fn risk_device_and_flow_conditions_narrow() {
    check!(no, applies(&policy(|p| p.conditions.sign_in_risk_levels = vec!["high".into()]), &alice()), "signInRisk");
    check!(no, applies(&policy(|p| p.conditions.user_risk_levels = vec!["high".into()]), &alice()), "userRisk");
    check!(no, applies(&policy(|p| p.conditions.insider_risk_levels = vec!["elevated".into()]), &alice()), "insider");
    check!(
        no,
        applies(&policy(|p| p.conditions.service_principal_risk_levels = vec!["high".into()]), &alice()),
        "servicePrincipal"
    );
    let device = |mode: &str, rule: &str| {
        policy(|p| {
            p.conditions.devices = Some(CaDevices {
                filter: Some(CaFilter { mode: mode.into(), rule: rule.into() }),
                ..Default::default()
            })
        })
    };
    check!(no, applies(&device("exclude", "device.isCompliant -eq True"), &alice()), "may be the admin's");
    check!(no, applies(&device("include", "device.trustType -eq \"ServerAD\""), &alice()), "only to devices");
    check!(yes, applies(&device("exclude", ""), &alice()));
    check!(unsure, applies(&device("sometimes", "device.x -eq 1"), &alice()), "sometimes");
    let legacy = policy(|p| {
        p.conditions.devices = Some(CaDevices {
            include_devices: vec!["All".into()],
            exclude_devices: vec!["Compliant".into()],
            ..Default::default()
        })
    });
    check!(no, applies(&legacy, &alice()), "excludeDevices [Compliant]");
    let states = policy(|p| {
        p.conditions.device_states =
            Some(IncludeExclude { include: vec!["All".into()], exclude: vec!["DomainJoined".into()] })
    });
    check!(no, applies(&states, &alice()), "deviceStates");
    check!(no, applies(&policy(|p| p.conditions.transfer_methods = vec!["deviceCodeFlow".into()]), &alice()), "flows");
    check!(yes, applies(&policy(|p| p.conditions.transfer_methods = vec!["none".into()]), &alice()));
    check!(unsure, applies(&policy(|p| p.conditions.transfer_methods = vec!["qrFlow".into()]), &alice()), "qrFlow");
    let workload = policy(|p| {
        p.conditions.client_applications = Some(CaClientApplications {
            include_service_principals: vec!["ServicePrincipalsInMyTenant".into()],
            ..Default::default()
        })
    });
    check!(no, applies(&workload, &alice()), "workload identities");
    let empty_workload = policy(|p| p.conditions.client_applications = Some(CaClientApplications::default()));
    check!(yes, applies(&empty_workload, &alice()));
}

#[test]
fn unrecognised_conditions_are_unknown_but_a_known_narrowing_still_decides() {
    let odd = |p: &mut CaPolicy| {
        p.unrecognised.push(Unrecognised { path: "conditions.times".into(), raw: "{\"included\":{}}".into() })
    };
    check!(unsure, applies(&policy(odd), &alice()), "conditions.times");
    let narrowed = policy(|p| {
        odd(p);
        p.conditions.client_app_types = vec!["browser".into()];
    });
    check!(no, applies(&narrowed, &alice()), "clientAppTypes");
    let top =
        policy(|p| p.unrecognised.push(Unrecognised { path: "partialEnablementStrategy".into(), raw: "\"x\"".into() }));
    check!(unsure, applies(&top, &alice()), "partialEnablementStrategy");
}

#[test]
fn state() {
    check!(yes, enforced(&aks_ca_policy()));
    check!(no, enforced(&policy(|p| p.state = "enabledForReportingButNotEnforced".into())), "not enforced");
    check!(no, enforced(&policy(|p| p.state = "disabled".into())), "disabled");
    check!(unsure, enforced(&policy(|p| p.state = "enabledForPilot".into())), "enabledForPilot");
}

fn grant(op: Option<&str>, controls: &[&str]) -> CaPolicy {
    policy(|p| {
        p.grant = Some(CaGrant {
            operator: op.map(String::from),
            built_in: controls.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
    })
}

#[test]
fn and_requires_every_control_or_only_what_every_alternative_satisfies() {
    let and = grant(Some("AND"), &["mfa", "compliantDevice"]);
    for need in [Need::Guard, Need::Mfa, Need::Device] {
        check!(yes, requires(&and, need));
    }
    let or = grant(Some("OR"), &["mfa", "compliantDevice"]);
    check!(yes, requires(&or, Need::Guard));
    check!(no, requires(&or, Need::Device), "alternative that is not");
    check!(no, requires(&or, Need::Mfa), "alternative that is not");
    let device_or_terms = policy(|p| {
        p.grant = Some(CaGrant {
            operator: Some("OR".into()),
            built_in: vec!["compliantDevice".into()],
            terms_of_use: vec!["ce580154-086a-40fd-91df-8a60abac81a0".into()],
            ..Default::default()
        })
    });
    check!(no, requires(&device_or_terms, Need::Device), "terms of use");
    check!(yes, requires(&grant(Some("OR"), &["compliantDevice", "domainJoinedDevice"]), Need::Device));
    check!(yes, requires(&grant(Some("OR"), &["block"]), Need::Device));
    check!(no, requires(&grant(Some("OR"), &["approvedApplication", "compliantApplication"]), Need::Guard), "not");
    check!(unsure, requires(&grant(Some("AND"), &["unknownFutureValue"]), Need::Guard), "unknownFutureValue");
    check!(yes, requires(&grant(Some("AND"), &["mfa", "unknownFutureValue"]), Need::Mfa));
    check!(no, requires(&policy(|p| p.grant = None), Need::Guard), "no grant controls");
    check!(no, requires(&grant(Some("OR"), &[]), Need::Guard), "no grant controls");
}

#[test]
fn a_missing_or_odd_operator_counts_only_where_both_readings_agree() {
    check!(yes, requires(&grant(None, &["mfa"]), Need::Mfa));
    check!(yes, requires(&grant(None, &["mfa", "compliantDevice"]), Need::Guard));
    check!(unsure, requires(&grant(None, &["mfa", "compliantDevice"]), Need::Device), "readings AND and OR differ");
    check!(unsure, requires(&grant(Some("XOR"), &["mfa", "compliantDevice"]), Need::Mfa), "XOR");
}

#[test]
fn authentication_strengths_count_as_mfa_only_when_every_combination_is_multifactor() {
    let strength = |id: &str, combos: Option<&[&str]>| {
        policy(|p| {
            p.grant = Some(CaGrant {
                operator: Some("OR".into()),
                authentication_strength: Some(AuthenticationStrength {
                    id: Some(id.into()),
                    name: Some(format!("strength {id}")),
                    allowed_combinations: combos
                        .map(|c| c.iter().map(|x| x.split(',').map(String::from).collect()).collect()),
                    requirements_satisfied: None,
                }),
                ..Default::default()
            })
        })
    };
    check!(yes, requires(&strength("00000000-0000-0000-0000-000000000004", None), Need::Mfa));
    let custom =
        strength("c0570000-0000-0000-0000-000000000001", Some(&["fido2", "password,sms", "windowsHelloForBusiness"]));
    check!(yes, requires(&custom, Need::Guard));
    check!(no, requires(&custom, Need::Device), "not a device control");
    let weak = strength("c0570000-0000-0000-0000-000000000002", Some(&["fido2", "sms"]));
    check!(no, requires(&weak, Need::Mfa), "single factor sms");
    let odd = strength("c0570000-0000-0000-0000-000000000003", Some(&["qrCodePin"]));
    check!(unsure, requires(&odd, Need::Mfa), "qrCodePin");
    check!(unsure, requires(&strength("c0570000-0000-0000-0000-000000000004", None), Need::Mfa), "not returned");
}

#[test]
fn unrecognised_grant_properties_are_unknown() {
    let p =
        policy(|p| p.unrecognised.push(Unrecognised { path: "grantControls.requireAgent".into(), raw: "true".into() }));
    check!(unsure, requires(&p, Need::Guard), "grantControls.requireAgent");
    check!(yes, applies(&p, &alice())); // grant properties do not change who the policy applies to
}

#[test]
fn sign_in_frequency_units() {
    let freq = |edit: fn(&mut SignInFrequency)| {
        policy(|p| {
            let f = p.session.sign_in_frequency.as_mut().expect("set");
            edit(f);
        })
    };
    check!(yes, sign_in_frequency(&aks_ca_policy(), 8));
    check!(yes, sign_in_frequency(&freq(|f| f.value = Some(8)), 8));
    check!(no, sign_in_frequency(&freq(|f| f.value = Some(9)), 8), "9 h is longer than 8 h");
    check!(no, sign_in_frequency(&freq(|f| f.unit = Some("days".into())), 8), "4 day(s) = 96 h");
    check!(
        yes,
        sign_in_frequency(
            &freq(|f| {
                f.unit = Some("days".into());
                f.value = Some(1);
            }),
            24
        )
    );
    check!(unsure, sign_in_frequency(&freq(|f| f.unit = Some("minutes".into())), 8), "'minutes'");
    check!(unsure, sign_in_frequency(&freq(|f| f.unit = None), 8), "type is null");
    check!(unsure, sign_in_frequency(&freq(|f| f.value = None), 8), "not a positive number");
    check!(
        yes,
        sign_in_frequency(
            &freq(|f| {
                f.interval = Some("everyTime".into());
                f.value = None;
                f.unit = None;
            }),
            8
        )
    );
    check!(unsure, sign_in_frequency(&freq(|f| f.interval = Some("sometimes".into())), 8), "sometimes");
    check!(yes, sign_in_frequency(&freq(|f| f.authentication_type = Some("secondaryAuthentication".into())), 8));
    check!(unsure, sign_in_frequency(&freq(|f| f.authentication_type = Some("passkeyOnly".into())), 8), "passkeyOnly");
    check!(no, sign_in_frequency(&freq(|f| f.is_enabled = Some(false)), 8), "isEnabled false");
    check!(unsure, sign_in_frequency(&freq(|f| f.is_enabled = None), 8), "isEnabled is not set");
    check!(no, sign_in_frequency(&policy(|p| p.session = CaSession::default()), 8), "no sign-in frequency");
    check!(yes, sign_in_frequency(&grant(Some("OR"), &["block"]), 1));
    let odd = policy(|p| {
        p.unrecognised
            .push(Unrecognised { path: "sessionControls.futureControl".into(), raw: "{\"isEnabled\":true}".into() })
    });
    check!(unsure, sign_in_frequency(&odd, 8), "futureControl");
}

/// Shapes real tenants return (docs/verdicts.md, "Shapes real tenants return").
#[test]
fn real_tenant_shapes() {
    // A group's id in includeUsers: Entra matches includeUsers against user ids only.
    let group = "0e0e0e0e-0000-0000-0000-000000000000";
    let misplaced = policy(|p| {
        *ca_users(p) = CaUsers { include_users: vec![group.into()], ..Default::default() };
    });
    check!(no, applies(&misplaced, &admin(&[group], &[], &[])), "does not include");
    // All applications but the AKS server app.
    let all_but_aks = policy(|p| {
        let a = p.conditions.applications.as_mut().expect("set");
        a.include = vec!["All".into()];
        a.exclude = vec![crate::azure_rbac::AKS_SERVER_APP_ID.into()];
    });
    check!(no, applies(&all_but_aks, &alice()), "excludes the AKS server app");
    // Beta session controls acting after sign-in narrow nothing and weaken no control.
    let beta = policy(|p| {
        p.session.after_sign_in = vec![
            "continuousAccessEvaluation = {\"mode\":\"strictEnforcement\"}".into(),
            "globalSecureAccessFilteringProfile = {\"isEnabled\":true}".into(),
        ];
        p.session.secure_sign_in_session = Some(true);
    });
    check!(yes, applies(&beta, &alice()));
    check!(yes, requires(&beta, Need::Device));
    check!(yes, sign_in_frequency(&beta, 8));
    // Beta conditions set to something: they may narrow the policy.
    for path in ["conditions.clients", "conditions.applications.globalSecureAccess", "conditions.times"] {
        let odd = policy(|p| p.unrecognised.push(Unrecognised { path: path.into(), raw: "{\"x\":1}".into() }));
        check!(unsure, applies(&odd, &alice()), path);
    }
    // Report-only is not enforced.
    check!(no, enforced(&policy(|p| p.state = "enabledForReportingButNotEnforced".into())), "not enforced");
}

#[test]
fn people_of_the_hardened_cluster() {
    let c = hardened_aks();
    let p = people(&c);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].label, "Alice Admin (User a11ce000-0000-0000-0000-000000000001)");
    assert!(p[0].groups.contains(&aks_admins().id.to_ascii_lowercase()), "the eligible admin group counts: {p:?}");
    assert_eq!(p[0].user_type, Ok(UserType::Member));
    // Alice's memberships were not read: group-based decisions become unknown.
    let mut c = hardened_aks();
    c.entra.member_of = crate::field::Field::value("transitiveMemberOf", Default::default(), "{}");
    let p = people(&c);
    assert!(p[0].groups_complete.as_ref().is_err_and(|e| e.contains("were not collected")), "{p:?}");
    // The admins cannot be listed: one stand-in.
    let mut c = hardened_aks();
    unknown(&mut c.entra.groups);
    let p = people(&c);
    assert_eq!(p.last().map(|x| x.id.clone()), Some(None), "{p:?}");
}
