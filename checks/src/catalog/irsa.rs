//! What WID-001/002/003 share: the cluster's IRSA inputs and the per-role judgement of trust
//! policies through [`analyze_irsa`]. Each role judged is a subject of the outcome.

use crate::catalog::verdicts::Verdicts;
use crate::field::Obs;
use crate::iam::{IrsaAnalysis, Scope, analyze_irsa};
use crate::model::Cluster;
use crate::outcome::{Evidence, Outcome, Status, Subject};
use crate::require;

/// How one IRSA check reads the analysis of a role's trust policy.
pub struct IrsaCheck {
    /// The part of the analysis this check reports.
    pub scope: fn(&IrsaAnalysis) -> &Scope,
    /// Message leads for fail, unknown and pass.
    pub fail: &'static str,
    pub unknown: &'static str,
    pub pass: &'static str,
}

fn cite(indices: &[usize]) -> String {
    let list: Vec<String> = indices.iter().map(|i| format!("Statement[{i}]")).collect();
    list.join(", ")
}

/// Judges every IRSA role of the cluster with `check`.
pub fn judge(c: &Cluster, check: &IrsaCheck) -> Outcome {
    let wi = &c.workload_identity;
    require!(wi.oidc_issuer_enabled);
    if !wi.oidc_issuer_enabled.is_true() {
        return Outcome::not_applicable(
            "The cluster has no OIDC issuer, so no IAM role can trust its service account tokens.",
            vec![Evidence::of(&wi.oidc_issuer_enabled)],
        );
    }
    require!(wi.oidc_provider);
    let Some(provider) = wi.oidc_provider.get() else {
        // Without the IAM OIDC provider STS rejects every token of the cluster (WID-004 reports it).
        return Outcome::not_applicable(
            "No IAM OIDC provider exists for the cluster's issuer, so no role can be assumed with its service account tokens.",
            vec![Evidence::of(&wi.oidc_provider)],
        );
    };
    // The provider's URL is the issuer: its ARN names it when the issuer URL was not collected.
    let Some(issuer) = wi
        .oidc_issuer_url
        .get()
        .cloned()
        .or_else(|| provider.split_once(":oidc-provider/").map(|(_, h)| h.to_string()))
    else {
        return Outcome::unknown_because(
            format!(
                "{} was not collected ({}) and the provider ARN names no issuer, so trust conditions cannot be read.",
                wi.oidc_issuer_url.path,
                wi.oidc_issuer_url.observed()
            ),
            vec![Evidence::of(&wi.oidc_issuer_url), Evidence::of(&wi.oidc_provider)],
        );
    };
    require!(wi.irsa_roles);
    let roles = wi.irsa_roles.get().map(Vec::as_slice).unwrap_or_default();
    let context = vec![Evidence::of(&wi.oidc_provider)];
    if roles.is_empty() {
        // Not a pass: no trust policy was judged. Not unknown: the role list was collected.
        return Outcome::not_applicable(
            "No IAM role trusts the cluster's OIDC provider (no IRSA roles), so there is no trust policy to judge.",
            vec![Evidence::of(&wi.oidc_provider), Evidence::of(&wi.irsa_roles)],
        );
    }
    let mut v = Verdicts::default();
    for role in roles {
        let name = format!("{} ({})", role.name, role.arn);
        let mut arn = vec![Evidence::new(format!("{}[{}].Arn", wi.irsa_roles.path, role.name), role.arn.clone())];
        // A role of another account trusts the cluster through that account's provider.
        let provider = if role.provider.is_empty() {
            provider.as_str()
        } else {
            arn.push(Evidence::new(format!("{}[{}].Provider", wi.irsa_roles.path, role.name), role.provider.clone()));
            role.provider.as_str()
        };
        let subject = |status, reason: &str| Subject::new(role.arn.clone(), role.name.clone(), status, reason);
        let doc = match &role.trust.obs {
            Obs::Value { value, .. } => value,
            Obs::Unknown { reason } => {
                v.unknown(format!("{name}: {reason}"), [arn, vec![Evidence::of(&role.trust)]].concat());
                v.subject(subject(Status::Unknown, reason));
                continue;
            }
            Obs::Absent => {
                let why = "no trust policy was returned";
                v.unknown(format!("{name}: {why}"), [arn, vec![Evidence::of(&role.trust)]].concat());
                v.subject(subject(Status::Unknown, why));
                continue;
            }
        };
        let analysis = analyze_irsa(doc, provider, &issuer);
        match (check.scope)(&analysis) {
            Scope::Scoped => {
                let note =
                    if analysis.trust_statements.is_empty() { " (no statement trusts this provider)" } else { "" };
                v.pass(format!("{name}{note}"), arn);
                let reason = if note.is_empty() { "scoped" } else { "no statement trusts this provider" };
                v.subject(subject(Status::Pass, reason));
            }
            Scope::Unknown(why) => {
                v.unknown(format!("{name}: {why}"), arn);
                v.subject(subject(Status::Unknown, why));
            }
            Scope::Broad { what, statements } => {
                let mut evidence = arn;
                for st in doc.statements.iter().filter(|st| statements.contains(&st.index)) {
                    evidence
                        .push(Evidence::new(format!("{}.Statement[{}]", role.trust.path, st.index), st.raw.clone()));
                }
                let reason = format!("accepts {what} ({})", cite(statements));
                v.fail(format!("{name} {reason}"), evidence);
                v.subject(subject(Status::Fail, &reason));
            }
        }
    }
    v.outcome(check.fail, check.unknown, check.pass, context)
}

#[cfg(test)]
pub mod fixtures {
    //! Trust policies for the WID tests: the shared fixtures rewritten for [`hardened_eks`], and
    //! hand-written statements.

    use crate::field::Field;
    use crate::iam::{PolicyDocument, parse};
    use crate::model::{Cluster, IrsaRole};
    use crate::testing::{EKS_ISSUER, EKS_OIDC_PROVIDER};

    /// The fixtures' provider ARN prefix and issuer host, replaced by the test cluster's.
    const FIXTURE_PROVIDER: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const FIXTURE_HOST: &str = "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    pub fn host() -> &'static str {
        EKS_ISSUER.trim_start_matches("https://")
    }

    /// Rewrites `HOST` and `PROVIDER` placeholders and the fixtures' example ids to the test cluster's.
    pub fn localize(text: &str) -> String {
        text.replace(FIXTURE_PROVIDER, EKS_OIDC_PROVIDER)
            .replace(FIXTURE_HOST, host())
            .replace("PROVIDER", EKS_OIDC_PROVIDER)
            .replace("HOST", host())
    }

    pub fn doc(text: &str) -> PolicyDocument {
        parse(&localize(text)).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// A document of these statements (JSON array text, placeholders allowed).
    pub fn statements(json: &str) -> PolicyDocument {
        doc(&format!(r#"{{"Version":"2012-10-17","Statement":{json}}}"#))
    }

    /// One Allow statement for the test cluster's provider with this `Condition` block.
    pub fn allow(condition: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"PROVIDER"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}"#
        )
    }

    /// A trust policy fixture from `tests/fixtures/aws/trust-policies`.
    pub fn fixture(name: &str) -> PolicyDocument {
        let path = format!("{}/../tests/fixtures/aws/trust-policies/{name}", env!("CARGO_MANIFEST_DIR"));
        doc(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    pub fn role(name: &str, trust: PolicyDocument) -> IrsaRole {
        IrsaRole {
            arn: format!("arn:aws:iam::111122223333:role/{name}"),
            name: name.into(),
            provider: String::new(),
            trust: Field::value(format!("role[{name}].AssumeRolePolicyDocument"), trust, "{…}"),
        }
    }

    pub fn with_roles(mut c: Cluster, roles: Vec<IrsaRole>) -> Cluster {
        let raw = format!("{} role(s)", roles.len());
        c.workload_identity.irsa_roles = Field::value(c.workload_identity.irsa_roles.path.clone(), roles, raw);
        c
    }

    /// The hardened cluster with one IRSA role `app` trusting through `trust`.
    pub fn cluster_with(trust: PolicyDocument) -> Cluster {
        with_roles(crate::testing::hardened_eks(), vec![role("app", trust)])
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::field::Field;
    use crate::outcome::Status;
    use crate::testing::*;

    const ANY_NAMESPACE: IrsaCheck =
        IrsaCheck { scope: |a| &a.namespaces, fail: "Open", unknown: "Unknown", pass: "Scoped" };

    #[test]
    fn not_applicable_without_issuer_provider_or_roles() {
        let mut c = hardened_eks();
        set(&mut c.workload_identity.oidc_issuer_enabled, false);
        assert_eq!(judge(&c, &ANY_NAMESPACE).status, Status::NotApplicable);
        let mut c = hardened_eks();
        absent(&mut c.workload_identity.oidc_provider);
        assert_eq!(judge(&c, &ANY_NAMESPACE).status, Status::NotApplicable);
        let c = with_roles(hardened_eks(), vec![]);
        let o = judge(&c, &ANY_NAMESPACE);
        assert_eq!(o.status, Status::NotApplicable);
        assert!(o.message.contains("no IRSA roles"), "{}", o.message);
        let mut c = hardened_eks();
        absent(&mut c.workload_identity.irsa_roles);
        assert_eq!(judge(&c, &ANY_NAMESPACE).status, Status::NotApplicable);
    }

    #[test]
    fn uncollected_inputs_are_unknown() {
        for f in [
            |c: &mut Cluster| unknown(&mut c.workload_identity.oidc_issuer_enabled),
            |c: &mut Cluster| unknown(&mut c.workload_identity.oidc_provider),
            |c: &mut Cluster| unknown(&mut c.workload_identity.irsa_roles),
        ] {
            let mut c = hardened_eks();
            f(&mut c);
            let o = judge(&c, &ANY_NAMESPACE);
            assert_eq!(o.status, Status::Unknown, "{o:?}");
            assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
        }
    }

    #[test]
    fn issuer_url_missing_falls_back_to_the_provider_arn() {
        let mut c = cluster_with(statements(&format!("[{}]", allow(r#"{"StringLike":{"HOST:sub":"*"}}"#))));
        absent(&mut c.workload_identity.oidc_issuer_url);
        assert_eq!(judge(&c, &ANY_NAMESPACE).status, Status::Fail);
        unknown(&mut c.workload_identity.oidc_issuer_url);
        assert_eq!(judge(&c, &ANY_NAMESPACE).status, Status::Fail);
        c.workload_identity.oidc_provider = Field::value("p", "arn:aws:iam::1:role/x".to_string(), "x");
        let o = judge(&c, &ANY_NAMESPACE);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("AuthorizationFailed"), "{}", o.message);
    }

    #[test]
    fn pod_identity_trust_has_no_effect_on_any_irsa_check() {
        let doc = fixture("pod-identity-trust.json");
        let a = crate::iam::analyze_irsa(&doc, EKS_OIDC_PROVIDER, EKS_ISSUER);
        assert!(a.trust_statements.is_empty() && a.namespaces == Scope::Scoped && a.audiences == Scope::Scoped);
        for check in [&crate::catalog::wid_001::CHECK, &crate::catalog::wid_002::CHECK, &crate::catalog::wid_003::CHECK]
        {
            assert_eq!(run(check, &cluster_with(doc.clone())).status, Status::Pass, "{}", check.meta.id);
        }
    }

    #[test]
    fn absent_trust_document_is_unknown() {
        let mut r = role("app", irsa_trust("system:serviceaccount:a:b"));
        absent(&mut r.trust);
        let o = judge(&with_roles(hardened_eks(), vec![r]), &ANY_NAMESPACE);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("no trust policy was returned"), "{}", o.message);
    }
}
