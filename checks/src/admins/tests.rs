use super::*;
use crate::model::{Member, Terms};
use crate::testing::*;

fn requesters() -> Principal {
    principal("Group", "9e9e0000-0000-0000-0000-000000000009", "condiac-pim-test")
}

#[test]
fn the_seeds_requester_group_leads_to_its_members() {
    // k8sadmin (here aks-admins) holds AKS RBAC Cluster Admin; the requester group is its
    // eligible principal; alice is a plain member of the requester group.
    let mut c = hardened_aks();
    edit_admin_group(&mut c, |g| g.eligible = Field::value(g.eligible.path.clone(), vec![], "[]"));
    add_eligible(&mut c, &aks_admins(), requesters());
    add_member(&mut c, &requesters(), alice(), Terms::Permanent);
    let m = AdminModel::of(&c).unwrap();
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
    let p = m.people.iter().find(|p| p.principal.id == alice().id).unwrap();
    assert_eq!(AdminModel::person_text(p), "Alice Admin (eligible via condiac-pim-test → aks-admins)");
    let r = p.best(Kind::Admin).unwrap();
    assert_eq!(r.tenure, Tenure::Eligible);
    assert_eq!(r.terms(m.groups), "PIM-eligible for aks-admins (activation up to PT4H, approval required, MFA)");
    assert_eq!(m.eligibility_groups.len(), 1, "only aks-admins has eligibility");
    // The CA view: alice is in both groups once activated.
    let set = AdminSet::of(&c);
    let a = set.people.iter().find(|p| p.principal.id == alice().id).unwrap();
    assert!(a.groups.contains(&key(&requesters().id)) && a.groups.contains(&key(&aks_admins().id)));
    assert!(set.incomplete.is_empty());
}

#[test]
fn the_most_standing_path_wins_and_every_hold_is_kept() {
    let mut c = hardened_aks();
    // Eligible via the requester group, and a permanent member through platform-team.
    add_eligible(&mut c, &aks_admins(), requesters());
    add_member(&mut c, &requesters(), dave(), Terms::Permanent);
    add_member(&mut c, &aks_admins(), platform_team(), Terms::Permanent);
    add_member(&mut c, &platform_team(), dave(), Terms::Permanent);
    let mut grants = c.entra.role_grants.get().cloned().unwrap();
    grants.push(grant_at(dave(), OWNER, Terms::Eligible { end: None }, SUBSCRIPTION_SCOPE));
    set_grants(&mut c, grants);
    let m = AdminModel::of(&c).unwrap();
    let p = m.people.iter().find(|p| p.principal.id == dave().id).unwrap();
    assert_eq!(p.routes.len(), 2, "the Owner grant and the group path");
    let best = p.best(Kind::Admin).unwrap();
    assert_eq!(best.tenure, Tenure::Permanent);
    assert_eq!(best.chain_text(), "platform-team → aks-admins");
}

#[test]
fn cycles_and_diamonds_end_with_one_path_each() {
    let mut c = hardened_aks();
    let g = |n: u32| principal("Group", &format!("0000000{n}-0000-0000-0000-000000000000"), &format!("g{n}"));
    // aks-admins → g1 → g2 → g1 (cycle), aks-admins → g2 (diamond), g2 eligible for aks-admins.
    add_member(&mut c, &aks_admins(), g(1), Terms::Permanent);
    add_member(&mut c, &g(1), g(2), Terms::Permanent);
    add_member(&mut c, &g(2), g(1), Terms::Permanent);
    add_member(&mut c, &aks_admins(), g(2), Terms::TimeBound { end: "x".into() });
    add_eligible(&mut c, &g(2), aks_admins());
    add_member(&mut c, &g(2), dave(), Terms::Permanent);
    let m = AdminModel::of(&c).unwrap();
    let p = m.people.iter().find(|p| p.principal.id == dave().id).unwrap();
    assert_eq!(p.routes.len(), 1);
    assert_eq!(p.routes[0].tenure, Tenure::Permanent, "through g1, not the time-bound edge");
    assert_eq!(p.routes[0].chain_text(), "g2 → g1 → aks-admins");
}

#[test]
fn long_chains_and_wide_groups_are_linear() {
    let mut c = hardened_aks();
    let mut groups = vec![hardened_admin_group()];
    let mut prev = aks_admins();
    for i in 0..3000 {
        let g = principal("Group", &format!("{i:08}-0000-0000-0000-000000000000"), &format!("g{i}"));
        let last = groups.last_mut().unwrap();
        let mut members = last.members.get().cloned().unwrap_or_default();
        members.push(member(g.clone(), Terms::Permanent));
        // Each group also points back to the root: a cycle at every level.
        members.push(member(aks_admins(), Terms::Permanent));
        last.members = Field::value(last.members.path.clone(), members, "[…]");
        groups.push(group_with(g.clone(), vec![], vec![]));
        prev = g;
    }
    let last = groups.last_mut().unwrap();
    let people: Vec<Member> =
        (0..3000).map(|i| member(principal("User", &format!("u{i}"), &format!("u{i}")), Terms::Permanent)).collect();
    last.members = Field::value(last.members.path.clone(), people, "[…]");
    set_groups(&mut c, groups);
    let _ = prev;
    let start = std::time::Instant::now();
    let m = AdminModel::of(&c).unwrap();
    assert_eq!(m.people.len(), 3000 + 1, "every user, and alice");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn what_could_not_be_read_is_a_gap_at_its_tenure() {
    let mut c = hardened_aks();
    add_eligible(&mut c, &aks_admins(), requesters());
    // The requester group was not read at all.
    let m = AdminModel::of(&c).unwrap();
    let gap = m.gaps.iter().find(|g| g.what.contains("condiac-pim-test")).unwrap();
    assert_eq!(gap.tenure, Tenure::Eligible);
    assert_eq!(m.gaps_at(Kind::Admin, Tenure::Unknown).count(), 0, "it cannot hide standing access");
    // An eligible principal of unknown kind may be a group.
    let mut c = hardened_aks();
    add_eligible(&mut c, &aks_admins(), principal("Unknown", "0dd00000-0000-0000-0000-000000000000", "x"));
    let m = AdminModel::of(&c).unwrap();
    assert!(m.gaps.iter().any(|g| g.what.contains("what kind of principal")), "{:?}", m.gaps);
    // Members not read below a permanent hold: a gap that could hide standing access.
    let mut c = hardened_aks();
    edit_admin_group(&mut c, |g| g.members = Field::unknown(g.members.path.clone(), "denied"));
    let m = AdminModel::of(&c).unwrap();
    assert_eq!(m.gaps_at(Kind::Admin, Tenure::Unknown).count(), 1);
    // The expansion not collected at all.
    let mut c = hardened_aks();
    c.entra.groups = Field::unknown("groups", "Graph down");
    let m = AdminModel::of(&c).unwrap();
    assert!(m.gaps.iter().any(|g| g.what.contains("Graph down")), "{:?}", m.gaps);
    assert!(!AdminSet::of(&c).incomplete.is_empty());
}

#[test]
fn potential_admins_and_undetermined_grants() {
    let mut c = hardened_aks();
    let mut grants = c.entra.role_grants.get().cloned().unwrap();
    grants.push(grant(dave(), USER_ACCESS_ADMINISTRATOR, Terms::Permanent));
    let mut unread = grant(principal("Group", "0e0e0000-0000-0000-0000-000000000000", "ops"), READER, Terms::Permanent);
    unread.role = Field::unknown("roleDefinitions[x]", "denied");
    grants.push(unread);
    set_grants(&mut c, grants);
    let m = AdminModel::of(&c).unwrap();
    let d = m.people.iter().find(|p| p.principal.id == dave().id).unwrap();
    assert_eq!(d.kind(), Kind::Potential);
    assert!(AdminModel::person_text(d).contains("potential admin, permanent: User Access Administrator"));
    let gap = m.gaps.iter().find(|g| g.on == GapOn::Grant).unwrap();
    assert!(gap.hides_groups && gap.what.contains("denied"));
    let set = AdminSet::of(&c);
    assert!(set.people.iter().any(|p| p.potential && p.principal.id == dave().id));
    // Bob's constrained User Access Administrator (hardened) is no admin at all.
    assert!(!m.people.iter().any(|p| p.principal.display_name.as_deref() == Some("Bob Delegator")));
}

#[test]
fn gates_read_absent_as_the_aks_defaults() {
    let mut c = hardened_aks();
    absent(&mut c.authn.local_accounts_enabled);
    absent(&mut c.authz.azure_rbac);
    absent(&mut c.authn.entra_managed);
    assert_eq!(gates(&c), Gates { local_accounts: Some(true), azure_rbac: Some(false), entra: Some(false) });
    unknown(&mut c.authz.azure_rbac);
    assert_eq!(gates(&c).azure_rbac, None);
}

#[test]
fn devices_are_no_admins_and_unknown_kinds_are_gaps() {
    let mut c = hardened_aks();
    add_member(
        &mut c,
        &aks_admins(),
        principal("device", "de000000-0000-0000-0000-000000000000", "laptop"),
        Terms::Permanent,
    );
    let m = AdminModel::of(&c).unwrap();
    assert!(!m.people.iter().any(|p| p.principal.is("device")));
    assert!(m.gaps.is_empty());
    // A holder whose kind ARM and Graph did not say may be a group.
    let mut grants = c.entra.role_grants.get().cloned().unwrap();
    grants.push(grant(principal("Unknown", "0e0e0000-0000-0000-0000-00000000000e", "?"), OWNER, Terms::Permanent));
    set_grants(&mut c, grants);
    let m = AdminModel::of(&c).unwrap();
    assert_eq!(m.gaps_at(Kind::Admin, Tenure::Permanent).count(), 1);
    assert!(m.people.iter().any(|p| p.principal.id.starts_with("0e0e")), "still listed");
}
