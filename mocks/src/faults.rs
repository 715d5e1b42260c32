//! Injected faults: an error answer or a malformed body for the calls a rule selects.

use serde::Deserialize;
use std::sync::atomic::{AtomicU32, Ordering};

/// Operations the mock serves, with the selectors a fault on them may use.
pub const OPERATIONS: &[(&str, &[&str])] = &[
    ("token", &["tenant"]),
    ("listSubscriptions", &["page"]),
    ("listManagedClusters", &["subscription", "resourceGroup", "page"]),
    ("getManagedCluster", &["subscription", "cluster"]),
    ("listKubernetesVersions", &["subscription", "location"]),
    ("listDiagnosticSettings", &["subscription", "cluster"]),
];

/// One fault rule from the estate's `faults:` list.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Fault {
    /// An operation name from [`OPERATIONS`].
    pub operation: String,
    pub tenant: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    /// A cluster's name or full resource id.
    pub cluster: Option<String>,
    pub location: Option<String>,
    /// 1-based page of a paged list.
    pub page: Option<u32>,
    /// HTTP status of the error answer.
    pub status: Option<u16>,
    /// Service error code (`AuthorizationFailed`).
    pub code: Option<String>,
    pub message: Option<String>,
    /// Answer 200 with a truncated JSON body instead of an error.
    #[serde(default)]
    pub malformed: bool,
    /// Only the first N matching calls fail (default: every one).
    pub times: Option<u32>,
}

/// What a call carries for fault matching.
#[derive(Clone, Copy, Debug, Default)]
pub struct Call<'a> {
    pub op: &'a str,
    pub tenant: Option<&'a str>,
    pub subscription: Option<&'a str>,
    pub resource_group: Option<&'a str>,
    /// The cluster's resource id.
    pub cluster: Option<&'a str>,
    pub location: Option<&'a str>,
    pub page: Option<u32>,
}

/// What to answer instead of the real response.
#[derive(Clone, Debug, PartialEq)]
pub enum Injected {
    Error { status: u16, code: String, message: String },
    Malformed,
}

impl Fault {
    pub fn validate(&self) -> Result<(), String> {
        let Some((_, allowed)) = OPERATIONS.iter().find(|(op, _)| *op == self.operation) else {
            let names: Vec<&str> = OPERATIONS.iter().map(|(o, _)| *o).collect();
            return Err(format!("fault on unknown operation '{}' (one of: {})", self.operation, names.join(", ")));
        };
        let used = [
            ("tenant", self.tenant.is_some()),
            ("subscription", self.subscription.is_some()),
            ("resourceGroup", self.resource_group.is_some()),
            ("cluster", self.cluster.is_some()),
            ("location", self.location.is_some()),
            ("page", self.page.is_some()),
        ];
        for (sel, set) in used {
            if set && !allowed.contains(&sel) {
                return Err(format!(
                    "fault on {}: '{sel}' does not select anything there (use: {})",
                    self.operation,
                    allowed.join(", ")
                ));
            }
        }
        match (self.malformed, self.status) {
            (true, Some(_)) => Err(format!("fault on {}: `malformed` and `status` exclude each other", self.operation)),
            (false, None) => {
                Err(format!("fault on {}: give `status` (and `code`), or `malformed: true`", self.operation))
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, call: &Call) -> bool {
        fn eq(want: &Option<String>, got: Option<&str>) -> bool {
            match want {
                None => true,
                Some(w) => got.is_some_and(|g| g.eq_ignore_ascii_case(w)),
            }
        }
        let cluster_ok = match &self.cluster {
            None => true,
            Some(w) => call.cluster.is_some_and(|id| {
                id.eq_ignore_ascii_case(w) || id.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case(w))
            }),
        };
        self.operation == call.op
            && eq(&self.tenant, call.tenant)
            && eq(&self.subscription, call.subscription)
            && eq(&self.resource_group, call.resource_group)
            && eq(&self.location, call.location)
            && cluster_ok
            && self.page.is_none_or(|p| call.page == Some(p))
    }

    fn injected(&self) -> Injected {
        if self.malformed {
            return Injected::Malformed;
        }
        let status = self.status.unwrap_or(500);
        let code = self.code.clone().unwrap_or_else(|| default_code(status).to_string());
        let message = self.message.clone().unwrap_or_else(|| default_message(&code, self.operation.as_str()));
        Injected::Error { status, code, message }
    }
}

fn default_code(status: u16) -> &'static str {
    match status {
        401 => "InvalidAuthenticationToken",
        403 => "AuthorizationFailed",
        404 => "ResourceNotFound",
        429 => "TooManyRequests",
        _ => "InternalServerError",
    }
}

fn default_message(code: &str, op: &str) -> String {
    match code {
        "AuthorizationFailed" => format!(
            "The client does not have authorization to perform action for {op} over the requested scope, or the scope is invalid."
        ),
        _ => format!("{code} (injected by the mock on {op})"),
    }
}

/// The estate's fault rules and how often each has fired.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<(Fault, AtomicU32)>,
}

impl Faults {
    pub fn new(rules: Vec<Fault>) -> Self {
        Self { rules: rules.into_iter().map(|f| (f, AtomicU32::new(0))).collect() }
    }

    /// The first rule matching `call` that has not used up its `times`.
    pub fn check(&self, call: &Call) -> Option<Injected> {
        for (rule, fired) in &self.rules {
            if !rule.matches(call) {
                continue;
            }
            let n = fired.fetch_add(1, Ordering::Relaxed);
            if rule.times.is_none_or(|t| n < t) {
                return Some(rule.injected());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(y: &str) -> Fault {
        serde_yaml_ng::from_str(y).unwrap()
    }

    #[test]
    fn selects_by_subscription_and_page() {
        let f =
            Faults::new(vec![fault("{operation: listManagedClusters, subscription: S1, page: 2, malformed: true}")]);
        let call = |sub, page| Call {
            op: "listManagedClusters",
            subscription: Some(sub),
            page: Some(page),
            ..Default::default()
        };
        assert_eq!(f.check(&call("s1", 1)), None);
        assert_eq!(f.check(&call("s2", 2)), None);
        assert_eq!(f.check(&call("s1", 2)), Some(Injected::Malformed));
    }

    #[test]
    fn cluster_by_name_or_id_and_times() {
        let f = Faults::new(vec![fault("{operation: listDiagnosticSettings, cluster: aks-1, status: 403, times: 1}")]);
        let call = Call {
            op: "listDiagnosticSettings",
            cluster: Some("/subscriptions/s/resourceGroups/rg/providers/x/managedClusters/AKS-1"),
            ..Default::default()
        };
        assert!(
            matches!(f.check(&call), Some(Injected::Error { status: 403, ref code, .. }) if code == "AuthorizationFailed")
        );
        assert_eq!(f.check(&call), None, "times: 1");
    }

    #[test]
    fn validation_catches_typos() {
        assert!(fault("{operation: listManagedCluster, status: 403}").validate().is_err());
        assert!(fault("{operation: listSubscriptions, cluster: x, status: 403}").validate().is_err());
        assert!(fault("{operation: listSubscriptions}").validate().is_err());
        assert!(fault("{operation: listSubscriptions, status: 500}").validate().is_ok());
    }
}
