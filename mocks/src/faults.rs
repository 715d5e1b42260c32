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
    // ARM Microsoft.Authorization. `role` is the role definition GUID.
    ("listRoleAssignments", &["subscription", "page"]),
    ("listRoleEligibilityScheduleInstances", &["subscription", "page"]),
    ("listRoleAssignmentScheduleInstances", &["subscription", "page"]),
    ("getRoleDefinition", &["subscription", "role"]),
    ("listManagementGroupDescendants", &["tenant", "page"]),
    // Microsoft Graph: `tenant` is the caller's tenant, `group` the group id (from the path or
    // the `$filter`'s groupId / scopeId).
    ("listConditionalAccessPolicies", &["tenant", "page"]),
    ("getConditionalAccessPolicy", &["tenant"]),
    ("getGroup", &["tenant", "group"]),
    ("listGroupMembers", &["tenant", "group", "page"]),
    ("listGroupEligibilitySchedules", &["tenant", "group", "page"]),
    ("listGroupAssignmentSchedules", &["tenant", "group", "page"]),
    ("listRoleManagementPolicyAssignments", &["tenant", "group", "page"]),
    ("getDirectoryObjectsByIds", &["tenant"]),
    // `principal` is the user whose memberships are listed.
    ("listTransitiveMemberOf", &["tenant", "principal", "page"]),
    ("listDirectoryRoleEligibilityScheduleInstances", &["tenant", "page"]),
    // AWS: `account` is the caller's account (for sts:AssumeRole too; `role` picks the target).
    ("sts:GetCallerIdentity", &["account"]),
    ("sts:AssumeRole", &["account", "role"]),
    ("iam:ListRoles", &["account", "page"]),
    ("iam:GetRole", &["account", "role"]),
    ("iam:ListOpenIDConnectProviders", &["account"]),
    ("iam:GetOpenIDConnectProvider", &["account"]),
    ("iam:ListAttachedRolePolicies", &["account", "role", "page"]),
    ("iam:ListRolePolicies", &["account", "role", "page"]),
    ("iam:GetRolePolicy", &["account", "role"]),
    ("iam:GetPolicy", &["account", "policy"]),
    ("iam:GetPolicyVersion", &["account", "policy"]),
    ("iam:ListInstanceProfilesForRole", &["account", "role", "page"]),
    ("iam:ListInstanceProfiles", &["account", "page"]),
    ("ec2:DescribeRegions", &["account", "region"]),
    ("ec2:DescribeLaunchTemplateVersions", &["account", "region", "page"]),
    ("ec2:DescribeInstances", &["account", "region", "cluster", "page"]),
    ("eks:ListClusters", &["account", "region", "page"]),
    ("eks:DescribeCluster", &["account", "region", "cluster"]),
    ("eks:ListNodegroups", &["account", "region", "cluster", "page"]),
    ("eks:DescribeNodegroup", &["account", "region", "cluster", "nodegroup"]),
    ("eks:ListAccessEntries", &["account", "region", "cluster", "page"]),
    ("eks:DescribeAccessEntry", &["account", "region", "cluster", "principal"]),
    ("eks:ListAssociatedAccessPolicies", &["account", "region", "cluster", "principal", "page"]),
    ("eks:ListAddons", &["account", "region", "cluster", "page"]),
    ("eks:DescribeAddon", &["account", "region", "cluster", "addon"]),
    ("eks:DescribeClusterVersions", &["account", "region", "page"]),
    // Organizations: `account` is the caller (management or delegated administrator).
    ("organizations:ListAccounts", &["account", "page"]),
    ("organizations:ListAccountsForParent", &["account", "page"]),
    ("organizations:ListOrganizationalUnitsForParent", &["account", "page"]),
    ("organizations:ListRoots", &["account"]),
    ("listClusterUserCredential", &["subscription", "cluster"]),
    // Kubernetes API: `cluster` the ARM id / ARN (or name), `kind` the resource (`pods`).
    ("k8s:list", &["cluster", "kind", "page"]),
    ("k8s:get", &["cluster", "kind"]),
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
    /// A cluster's name or full resource id (AKS) / ARN (EKS).
    pub cluster: Option<String>,
    pub location: Option<String>,
    /// AWS account id of the caller.
    pub account: Option<String>,
    /// AWS region (from the request's SigV4 credential scope).
    pub region: Option<String>,
    /// EKS node group name.
    pub nodegroup: Option<String>,
    /// IAM role name (or ARN).
    pub role: Option<String>,
    /// IAM managed policy ARN.
    pub policy: Option<String>,
    /// EKS access entry principal ARN.
    pub principal: Option<String>,
    /// EKS add-on name.
    pub addon: Option<String>,
    /// Entra group object id (Graph group and PIM-for-Groups calls).
    pub group: Option<String>,
    /// Kubernetes resource, lower-case plural (`pods`, `secrets`).
    pub kind: Option<String>,
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
    /// AWS paged lists: serve the page, but with a next-page token that repeats the one the
    /// request sent (page 1: the token of page 1 itself), as a service stuck in a cycle would.
    /// The SDKs' paginators stop there quietly: a shorter list unless the caller checks.
    #[serde(default)]
    pub repeat_token: bool,
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
    /// The cluster's resource id (AKS) or ARN (EKS).
    pub cluster: Option<&'a str>,
    pub location: Option<&'a str>,
    pub page: Option<u32>,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub nodegroup: Option<&'a str>,
    /// Role name, or ARN (sts:AssumeRole).
    pub role: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub principal: Option<&'a str>,
    pub addon: Option<&'a str>,
    /// Entra group object id of a per-group Graph call.
    pub group: Option<&'a str>,
    /// `ec2:DescribeInstances`: the clusters whose nodes the answer's page holds (a `cluster`
    /// selector matches any of them).
    pub clusters: &'a [String],
    /// Kubernetes resource of a `k8s:` call.
    pub kind: Option<&'a str>,
    /// Who calls (AWS: the caller's ARN), for default error messages.
    pub caller: Option<&'a str>,
    /// What the call is on (AWS: a resource ARN), for default error messages.
    pub resource: Option<&'a str>,
    /// A variant with its own rate-limit bucket (EC2 `DescribeInstances` without filters:
    /// `unfiltered`).
    pub rate_class: Option<&'a str>,
}

/// What to answer instead of the real response.
#[derive(Clone, Debug, PartialEq)]
pub enum Injected {
    Error {
        status: u16,
        code: String,
        message: String,
    },
    Malformed,
    /// Serve the page with a repeated next-page token (AWS paged lists only, by validation).
    RepeatToken,
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
            ("account", self.account.is_some()),
            ("region", self.region.is_some()),
            ("nodegroup", self.nodegroup.is_some()),
            ("role", self.role.is_some()),
            ("policy", self.policy.is_some()),
            ("principal", self.principal.is_some()),
            ("addon", self.addon.is_some()),
            ("group", self.group.is_some()),
            ("kind", self.kind.is_some()),
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
        if self.repeat_token && !(aws_service(&self.operation).is_some() && allowed.contains(&"page")) {
            return Err(format!("fault on {}: `repeatToken` is for AWS paged lists only", self.operation));
        }
        match (u8::from(self.malformed) + u8::from(self.repeat_token), self.status) {
            (0, None) => Err(format!(
                "fault on {}: give `status` (and `code`), `malformed: true` or `repeatToken: true`",
                self.operation
            )),
            (0, Some(_)) | (1, None) => Ok(()),
            _ => {
                Err(format!("fault on {}: `status`, `malformed` and `repeatToken` exclude each other", self.operation))
            }
        }
    }

    fn matches(&self, call: &Call) -> bool {
        fn eq(want: &Option<String>, got: Option<&str>) -> bool {
            match want {
                None => true,
                Some(w) => got.is_some_and(|g| g.eq_ignore_ascii_case(w)),
            }
        }
        // A name selects an id/ARN ending in `/name` too.
        fn named(want: &Option<String>, got: Option<&str>) -> bool {
            match want {
                None => true,
                Some(w) => got.is_some_and(|id| {
                    id.eq_ignore_ascii_case(w) || id.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case(w))
                }),
            }
        }
        self.operation == call.op
            && eq(&self.tenant, call.tenant)
            && eq(&self.subscription, call.subscription)
            && eq(&self.resource_group, call.resource_group)
            && eq(&self.location, call.location)
            && (named(&self.cluster, call.cluster) || call.clusters.iter().any(|c| named(&self.cluster, Some(c))))
            && eq(&self.account, call.account)
            && eq(&self.region, call.region)
            && eq(&self.nodegroup, call.nodegroup)
            && named(&self.role, call.role)
            && eq(&self.policy, call.policy)
            && eq(&self.principal, call.principal)
            && eq(&self.addon, call.addon)
            && eq(&self.group, call.group)
            && eq(&self.kind, call.kind)
            && self.page.is_none_or(|p| call.page == Some(p))
    }

    fn injected(&self, call: &Call) -> Injected {
        if self.malformed {
            return Injected::Malformed;
        }
        if self.repeat_token {
            return Injected::RepeatToken;
        }
        let status = self.status.unwrap_or(500);
        let code = self.code.clone().unwrap_or_else(|| default_code(&self.operation, status).to_string());
        let message = self.message.clone().unwrap_or_else(|| default_message(&code, call));
        Injected::Error { status, code, message }
    }
}

/// The service prefix of an AWS operation (`eks` of `eks:ListClusters`).
fn aws_service(op: &str) -> Option<&str> {
    op.split_once(':').map(|(s, _)| s)
}

/// Whether an operation is a Microsoft Graph one (Graph error codes and messages).
pub fn is_graph(op: &str) -> bool {
    matches!(
        op,
        "listConditionalAccessPolicies"
            | "getConditionalAccessPolicy"
            | "getGroup"
            | "listGroupMembers"
            | "listGroupEligibilitySchedules"
            | "listGroupAssignmentSchedules"
            | "listRoleManagementPolicyAssignments"
            | "getDirectoryObjectsByIds"
    )
}

fn default_code(op: &str, status: u16) -> &'static str {
    if is_graph(op) {
        return match status {
            400 => "BadRequest",
            401 => "InvalidAuthenticationToken",
            403 => "Authorization_RequestDenied",
            404 => "Request_ResourceNotFound",
            429 => "TooManyRequests",
            503 => "serviceNotAvailable",
            _ => "generalException",
        };
    }
    match (aws_service(op), status) {
        (None, 401) => "InvalidAuthenticationToken",
        (None, 403) => "AuthorizationFailed",
        (None, 404) => "ResourceNotFound",
        (None, 429) => "TooManyRequests",
        (None, _) => "InternalServerError",
        (Some("k8s"), 400) => "BadRequest",
        (Some("k8s"), 401) => "Unauthorized",
        (Some("k8s"), 403) => "Forbidden",
        (Some("k8s"), 404) => "NotFound",
        (Some("k8s"), 410) => "Expired",
        (Some("k8s"), 429) => "TooManyRequests",
        (Some("k8s"), 503) => "ServiceUnavailable",
        (Some("k8s"), _) => "InternalError",
        (Some("eks"), 400) => "InvalidParameterException",
        (Some("eks"), 401) => "UnrecognizedClientException",
        (Some("eks"), 403) => "AccessDeniedException",
        (Some("eks"), 404) => "ResourceNotFoundException",
        (Some("eks"), 429) => "ThrottlingException",
        (Some("eks"), 503) => "ServiceUnavailableException",
        (Some("eks"), _) => "ServerException",
        (Some("organizations"), 400) => "InvalidInputException",
        (Some("organizations"), 401 | 403) => "AccessDeniedException",
        (Some("organizations"), 429) => "TooManyRequestsException",
        (Some("organizations"), _) => "ServiceException",
        (Some("ec2"), 400) => "InvalidParameterValue",
        (Some("ec2"), 401) => "AuthFailure",
        (Some("ec2"), 403) => "UnauthorizedOperation",
        (Some("ec2"), 503) => "Unavailable",
        (Some("ec2"), _) => "InternalError",
        (Some(_), 400) => "ValidationError",
        (Some(_), 401 | 403) => "AccessDenied",
        (Some(_), 404) => "NoSuchEntity",
        (Some(_), 429) => "Throttling",
        (Some(_), 503) => "ServiceUnavailable",
        (Some("sts"), _) => "InternalFailure",
        (Some(_), _) => "ServiceFailure",
    }
}

fn default_message(code: &str, call: &Call) -> String {
    let op = call.op;
    match code {
        "Authorization_RequestDenied" => "Insufficient privileges to complete the operation.".into(),
        "Request_ResourceNotFound" => format!(
            "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
            call.group.or(call.resource).unwrap_or("")
        ),
        "InvalidAuthenticationToken" if is_graph(op) => "Access token validation failure.".into(),
        "TooManyRequests" if is_graph(op) => "Too many requests.".into(),
        "AuthorizationFailed" => format!(
            "The client does not have authorization to perform action for {op} over the requested scope, or the scope is invalid."
        ),
        "AccessDeniedException" if op.starts_with("organizations:") => {
            "You don't have permissions to access this resource.".into()
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            let who = call.caller.map(|c| format!("User: {c} is")).unwrap_or_else(|| "You are".into());
            let on = call.resource.map(|r| format!(" on resource: {r}")).unwrap_or_default();
            format!("{who} not authorized to perform: {op}{on} because no identity-based policy allows the {op} action")
        }
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
                return Some(rule.injected(call));
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
    fn aws_selectors_and_default_codes() {
        let f = Faults::new(vec![
            fault(
                "{operation: eks:ListAccessEntries, account: '111122223333', region: eu-west-1, cluster: prod, status: 403}",
            ),
            fault(
                "{operation: iam:GetPolicyVersion, policy: 'arn:aws:iam::aws:policy/AdministratorAccess', status: 404}",
            ),
            fault("{operation: sts:AssumeRole, role: kubeposture-reader, status: 500}"),
        ]);
        let arn = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
        let call = Call {
            op: "eks:ListAccessEntries",
            account: Some("111122223333"),
            region: Some("eu-west-1"),
            cluster: Some(arn),
            caller: Some("arn:aws:sts::111122223333:assumed-role/kubeposture-reader/s"),
            resource: Some(arn),
            ..Default::default()
        };
        let Some(Injected::Error { status: 403, code, message }) = f.check(&call) else { panic!() };
        assert_eq!(code, "AccessDeniedException");
        assert!(message.starts_with("User: arn:aws:sts::111122223333:assumed-role/kubeposture-reader/s is not authorized to perform: eks:ListAccessEntries on resource: arn:aws:eks:"), "{message}");
        assert_eq!(f.check(&Call { region: Some("us-east-1"), ..call }), None);
        let pv = Call {
            op: "iam:GetPolicyVersion",
            policy: Some("arn:aws:iam::aws:policy/AdministratorAccess"),
            ..Default::default()
        };
        assert!(matches!(f.check(&pv), Some(Injected::Error { status: 404, ref code, .. }) if code == "NoSuchEntity"));
        let ar = Call {
            op: "sts:AssumeRole",
            role: Some("arn:aws:iam::444455556666:role/kubeposture-reader"),
            ..Default::default()
        };
        assert!(
            matches!(f.check(&ar), Some(Injected::Error { status: 500, ref code, .. }) if code == "InternalFailure")
        );
    }

    #[test]
    fn aws_selectors_are_validated_per_operation() {
        assert!(fault("{operation: eks:ListClusters, cluster: c, status: 403}").validate().is_err());
        assert!(fault("{operation: iam:ListOpenIDConnectProviders, page: 2, status: 500}").validate().is_err());
        assert!(fault("{operation: ec2:DescribeInstances, cluster: c, page: 1, malformed: true}").validate().is_ok());
        assert!(fault("{operation: ec2:DescribeInstances, nodegroup: ng, status: 403}").validate().is_err());
        assert!(fault("{operation: iam:ListRole, status: 500}").validate().is_err());
        assert!(
            fault("{operation: eks:DescribeAddon, addon: vpc-cni, region: us-east-1, status: 404}").validate().is_ok()
        );
    }

    #[test]
    fn repeated_tokens_only_on_aws_paged_lists() {
        assert!(fault("{operation: organizations:ListAccounts, page: 2, repeatToken: true}").validate().is_ok());
        assert!(fault("{operation: ec2:DescribeInstances, repeatToken: true}").validate().is_ok());
        assert!(fault("{operation: eks:DescribeCluster, repeatToken: true}").validate().is_err());
        assert!(fault("{operation: listManagedClusters, repeatToken: true}").validate().is_err());
        assert!(fault("{operation: iam:ListRoles, repeatToken: true, malformed: true}").validate().is_err());
        assert!(fault("{operation: iam:ListRoles, repeatToken: true, status: 500}").validate().is_err());
    }

    #[test]
    fn validation_catches_typos() {
        assert!(fault("{operation: listManagedCluster, status: 403}").validate().is_err());
        assert!(fault("{operation: listSubscriptions, cluster: x, status: 403}").validate().is_err());
        assert!(fault("{operation: listSubscriptions}").validate().is_err());
        assert!(fault("{operation: listSubscriptions, status: 500}").validate().is_ok());
    }
}
