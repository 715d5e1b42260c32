use super::parse::{Expr, MAX_DEPTH, MAX_LEN, Quantifier, parse};
use super::*;
use crate::azure_rbac::builtin::*;
use crate::model::{RoleDefinition, Terms};
use crate::testing::{dave, grant};
use std::sync::Arc;

const ON: Gates = Gates { local_accounts: Some(false), azure_rbac: Some(true), entra: Some(true) };

/// Microsoft's examples (fixtures/abac), by heading.
fn examples() -> Vec<(String, String)> {
    let text = include_str!("../../fixtures/abac/delegate-role-assignments-examples.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, cond) = l.split_once('\t').expect("heading<TAB>condition");
            (name.to_string(), cond.to_string())
        })
        .collect()
}

/// A non-admin role definition for the examples' roles (Backup, VM login, AcrPull).
fn harmless(
    guid: &str,
    name: &str,
    actions: &[&str],
    data: &[&str],
) -> (String, crate::field::Field<Arc<RoleDefinition>>) {
    let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let def = RoleDefinition {
        id: guid.into(),
        name: name.into(),
        actions: s(actions),
        not_actions: vec![],
        data_actions: s(data),
        not_data_actions: vec![],
    };
    (guid.into(), crate::field::Field::value(format!("roleDefinitions[{guid}]"), Arc::new(def), name))
}

fn delegate(condition: &str) -> RoleGrant {
    let mut g = grant(dave(), RBAC_ADMINISTRATOR, Terms::Permanent);
    g.condition = Some(condition.into());
    g.condition_roles = [
        harmless(
            "5e467623-bb1f-42f4-a55d-6e525e11384b",
            "Backup Contributor",
            &["Microsoft.RecoveryServices/Vaults/backupFabrics/*"],
            &[],
        ),
        harmless(
            "a795c7a0-d4a2-40c1-ae25-d81f01202912",
            "Backup Reader",
            &["Microsoft.RecoveryServices/Vaults/backupJobs/read"],
            &[],
        ),
        harmless(
            "1c0163c0-47e6-4577-8991-ea5c82e286e4",
            "Virtual Machine Administrator Login",
            &["Microsoft.Network/publicIPAddresses/read"],
            &[
                "Microsoft.Compute/virtualMachines/login/action",
                "Microsoft.Compute/virtualMachines/loginAsAdmin/action",
            ],
        ),
        harmless(
            "fb879df8-f326-4884-b1cf-06f3ad86be52",
            "Virtual Machine User Login",
            &["Microsoft.Network/publicIPAddresses/read"],
            &["Microsoft.Compute/virtualMachines/login/action"],
        ),
        harmless(
            "7f951dda-4ed3-4680-a7ca-43fe172d538d",
            "AcrPull",
            &["Microsoft.ContainerRegistry/registries/pull/read"],
            &[],
        ),
    ]
    .into_iter()
    .collect();
    g
}

fn judge(condition: &str) -> Delegation {
    delegation(&delegate(condition), ON)
}

#[test]
fn microsofts_examples() {
    let want = [
        ("Constrain roles", "constrained"),
        ("Constrain roles and principal types", "constrained"),
        ("Constrain roles and specific groups", "constrained"),
        ("Constrain virtual machine management", "constrained"),
        // AKS RBAC Cluster Admin among the roles: limited to one user, but that user may be the
        // delegate itself.
        ("Constrain AKS cluster management", "unconstrained"),
        ("Constrain ACR management", "constrained"),
        ("Constrain add role assignments", "constrained"),
        // An exclusion list leaves every other role, Contributor and the AKS roles included.
        ("Allow most roles, but don't allow others to assign roles", "unconstrained"),
    ];
    let examples = examples();
    assert_eq!(examples.len(), want.len());
    for ((name, cond), (want_name, verdict)) in examples.iter().zip(want) {
        assert_eq!(name, want_name);
        let got = judge(cond);
        let ok = match verdict {
            "constrained" => matches!(got, Delegation::Constrained(_)),
            _ => matches!(got, Delegation::Unconstrained(_)),
        };
        assert!(ok, "{name}: {got:?}");
    }
    let Delegation::Unconstrained(why) = judge(&examples[4].1) else { unreachable!() };
    assert!(why.contains("Azure Kubernetes Service RBAC"), "{why}");
    let Delegation::Constrained(how) = judge(&examples[0].1) else { unreachable!() };
    assert_eq!(
        how,
        "its ABAC condition limits writes to Backup Contributor, Backup Reader, none cluster-admin-capable"
    );
}

#[test]
fn conditions_that_do_not_restrict_writes() {
    let examples = examples();
    // The delete half of "Constrain roles" alone: writes are free.
    let delete_only = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))";
    assert!(matches!(judge(delete_only), Delegation::Unconstrained(_)));
    let principal_types = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}))";
    assert!(matches!(judge(principal_types), Delegation::Unconstrained(_)));
    let principals = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {ea585310-c95c-4a68-af22-49af4363bbb1}))";
    assert!(matches!(judge(principals), Delegation::Unconstrained(_)));
    // A condition on something else entirely leaves writes free too.
    assert!(matches!(
        judge(
            "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:ContainerName] StringEqualsIgnoreCase 'foo'"
        ),
        Delegation::Unconstrained(_)
    ));
    // OR with an unrestricted alternative.
    let or_free = format!(
        "({}) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User')",
        examples[0].1
    );
    assert!(matches!(judge(&or_free), Delegation::Unconstrained(_)));
    assert!(matches!(judge(""), Delegation::Unconstrained(_)), "blank is none");
}

#[test]
fn allowed_roles_are_judged_on_this_cluster() {
    let only = |guids: &str| {
        format!(
            "((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{guids}}}))"
        )
    };
    // Reader and AKS RBAC Reader: fine.
    assert!(matches!(judge(&only(&format!("{READER}, {AKS_RBAC_READER}"))), Delegation::Constrained(_)));
    // User Access Administrator hands out everything.
    assert!(
        matches!(judge(&only(USER_ACCESS_ADMINISTRATOR)), Delegation::Unconstrained(w) if w.contains("can assign roles itself"))
    );
    // The AKS Cluster Admin Role reaches admin only while local accounts are enabled.
    let g = delegate(&only(AKS_CLUSTER_ADMIN_ROLE));
    assert!(matches!(delegation(&g, ON), Delegation::Constrained(_)));
    let local = Gates { local_accounts: Some(true), ..ON };
    assert!(matches!(delegation(&g, local), Delegation::Unconstrained(_)));
    // A data role on a cluster whose Azure RBAC is not known: unknown, not a pass.
    let g = delegate(&only(AKS_RBAC_WRITER));
    assert!(matches!(delegation(&g, Gates { azure_rbac: None, ..ON }), Delegation::Unknown(_)));
    assert!(matches!(delegation(&g, Gates { azure_rbac: Some(false), ..ON }), Delegation::Constrained(_)));
    // A custom role whose definition was not read.
    let custom = "0badc0de-0000-4000-8000-000000000001";
    assert!(matches!(judge(&only(custom)), Delegation::Unknown(w) if w.contains(custom)));
    // …or was read and is an admin role.
    let mut g = delegate(&only(custom));
    let mut def = (*crate::testing::custom_role("ops", &[], &["Microsoft.ContainerService/managedClusters/*"])).clone();
    def.id = custom.into();
    g.condition_roles.insert(custom.into(), crate::field::Field::value("r", Arc::new(def), "ops"));
    assert!(matches!(delegation(&g, ON), Delegation::Unconstrained(_)));
    // No write allowed at all.
    assert!(
        matches!(judge("!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})"), Delegation::Constrained(w) if w.contains("no role assignment writes"))
    );
}

#[test]
fn operators_quantifiers_and_keywords() {
    let g = |op: &str, set: &str| {
        format!(
            "(!(ActionMatches{{'Microsoft.Authorization/roleAssignments/*'}})) || (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] {op} {set})"
        )
    };
    let reader = format!("{{{READER}}}");
    assert!(matches!(judge(&g("ForAnyOfAnyValues:GuidEquals", &reader)), Delegation::Constrained(_)));
    assert!(matches!(judge(&g("GuidEquals", READER)), Delegation::Constrained(_)), "single value, no set");
    assert!(matches!(judge(&g("ForAllOfAnyValues:GuidEquals", &reader)), Delegation::Constrained(_)));
    assert!(matches!(judge(&g("ForAnyOfAllValues:GuidNotEquals", &reader)), Delegation::Unconstrained(_)));
    assert!(matches!(judge(&g("StringNotEquals", &format!("'{READER}'"))), Delegation::Unconstrained(_)));
    // Full role definition ids compare by their GUID, in any case.
    let full = format!("{{'/providers/Microsoft.Authorization/roleDefinitions/{}'}}", READER.to_uppercase());
    assert!(matches!(judge(&g("ForAnyOfAnyValues:StringEqualsIgnoreCase", &full)), Delegation::Constrained(_)));
    // Operators kubeposture does not evaluate on the role: unknown, never a pass.
    assert!(matches!(judge(&g("StringStartsWith", "'acdd'")), Delegation::Unknown(_)));
    assert!(matches!(judge(&g("GuidEquals", &format!("{{{READER}, {OWNER}}}"))), Delegation::Unknown(_)));
    // `NOT` / `and` / `or` keywords in any case, Exists.
    let words = format!(
        "not (ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}}) or (Exists @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] and @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals {READER})"
    );
    assert!(matches!(judge(&words), Delegation::Constrained(_)), "{:?}", judge(&words));
    // SubOperationMatches can be either way.
    let sub = format!(
        "(!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}} AND SubOperationMatches{{'x'}})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals {READER})"
    );
    assert!(matches!(judge(&sub), Delegation::Unconstrained(_)));
}

#[test]
fn the_parser_reads_what_azure_writes() {
    let e = parse(
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {a, 'b'}",
    )
    .unwrap();
    match e {
        Expr::Compare { attribute, quantifier, operator, values } => {
            assert_eq!(attribute.source, "Request");
            assert_eq!(attribute.name, "Microsoft.Authorization/roleAssignments:RoleDefinitionId");
            assert_eq!(quantifier, Some(Quantifier::AnyOfAny));
            assert_eq!(operator, "GuidEquals");
            assert_eq!(values, ["a", "b"]);
        }
        other => panic!("{other:?}"),
    }
    // Operands the other way round.
    assert!(matches!(parse("{'x'} StringEquals @Resource[a:b]").unwrap(), Expr::Compare { .. }));
    assert!(parse("a && b || !c").is_err(), "bare words are not expressions");
    // The demo's multi-line condition.
    let multi = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR\n (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals\n {acdd72a7-3385-48ef-bd42-f606fba81ae7, 7f6c6a51-bcf8-42ba-9220-52d62157d7db}))\n AND\n ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))";
    assert!(matches!(parse(multi).unwrap(), Expr::And(v) if v.len() == 2));
}

#[test]
fn malformed_conditions_are_unknown_never_a_panic() {
    for bad in [
        "(",
        ")",
        "((ActionMatches{'x'})",
        "ActionMatches{'x'",
        "ActionMatches{'x' 'y'}",
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]",
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals",
        "@Request[unterminated GuidEquals x",
        "@[x] GuidEquals y",
        "x GuidEquals 'unterminated",
        "a & b",
        "a | b",
        "ForAnyOfSomeValues:GuidEquals",
        "@Request[a:b] ForSomeValues:GuidEquals {x}",
        "@Request[a:b] GuidEquals {x} AND",
        "!",
        "[",
        "\u{0}\u{1}\u{202e}",
        "é@Request[é] GuidEquals é",
    ] {
        let r = judge(bad);
        assert!(matches!(r, Delegation::Unknown(ref w) if w.contains("could not be parsed")), "{bad:?}: {r:?}");
    }
}

#[test]
fn bounded_depth_length_and_time() {
    let deep = format!("{}ActionMatches{{'x'}}{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    assert!(parse(&deep).unwrap_err().0.contains("nested deeper"));
    let nots = format!("{}ActionMatches{{'x'}}", "!".repeat(100_000));
    assert!(parse(&nots).is_err());
    assert!(parse(&"a".repeat(MAX_LEN + 1)).unwrap_err().0.contains("longer than"));
    // A long flat chain is fine and quick.
    let term = format!("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidNotEquals {READER}");
    let long = vec![term; 500].join(" AND ");
    let start = std::time::Instant::now();
    assert!(matches!(judge(&long), Delegation::Unconstrained(_)));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    // Hundreds of roles named: evaluated within the bound, or unknown beyond it.
    let guids: Vec<String> = (0..300).map(|i| format!("00000000-0000-4000-8000-{i:012}")).collect();
    let many = format!(
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{}}}",
        guids.join(", ")
    );
    assert!(matches!(judge(&many), Delegation::Unknown(w) if w.contains("more than")));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Tokens conditions are made of, glued in any order.
    fn token() -> BoxedStrategy<String> {
        prop_oneof![
            Just("(".to_string()),
            Just(")".to_string()),
            Just("!".to_string()),
            Just(" && ".to_string()),
            Just(" || ".to_string()),
            Just(" AND ".to_string()),
            Just(" or ".to_string()),
            Just(" NOT ".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}".to_string()),
            Just("SubOperationMatches{'x'}".to_string()),
            Just(super::super::eval::ROLE_ATTRIBUTE.to_string()),
            Just("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]".to_string()),
            Just("@Resource[Microsoft.Authorization/roleAssignments:PrincipalType]".to_string()),
            Just(" ForAnyOfAnyValues:GuidEquals ".to_string()),
            Just(" ForAnyOfAllValues:GuidNotEquals ".to_string()),
            Just(" GuidEquals ".to_string()),
            Just(" StringLike ".to_string()),
            Just(" Exists ".to_string()),
            Just(READER.to_string()),
            Just(OWNER.to_string()),
            Just("'User'".to_string()),
            "\\PC{0,6}",
        ]
        .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn token_soup_never_panics(tokens in prop::collection::vec(token(), 0..40)) {
            let _ = judge(&tokens.concat());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = judge(&s);
        }

        /// Adding `OR <anything>` to a condition can only widen what it allows: never from
        /// unconstrained to constrained.
        #[test]
        fn an_or_never_constrains_more(tokens in prop::collection::vec(token(), 0..12)) {
            let base = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidNotEquals 8e3af657-a8ff-443c-a75c-2fe8c4bcb635))";
            let wider = format!("{base} OR ({})", tokens.concat());
            prop_assert!(!matches!(judge(&wider), Delegation::Constrained(_)));
        }
    }
}
