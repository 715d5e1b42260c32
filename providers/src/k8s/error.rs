//! Why a Kubernetes read failed, in one or two sentences that name the missing grant.

use kubeposture_checks::Cloud;

/// What the reason of a failed read should say about the scanner's access on this cluster.
#[derive(Clone, Debug, Default)]
pub struct AccessHint {
    pub cloud: Option<Cloud>,
    /// AKS: `aadProfile.enableAzureRBAC` (authorization by Azure role assignments).
    pub azure_rbac: Option<bool>,
    /// EKS: `accessConfig.authenticationMode`.
    pub eks_mode: Option<String>,
    /// The API server has no public endpoint (a private cluster).
    pub private_only: bool,
}

/// The lists AKS RBAC Reader and AmazonEKSViewPolicy leave out.
pub const SECRETS_AND_RBAC: &str = "Secrets and RBAC objects";

impl AccessHint {
    /// The grant the API server asks for when it answers 401.
    pub fn on_unauthorized(&self) -> String {
        match self.cloud {
            Some(Cloud::Aks) => "the API server did not accept the Entra token for the AKS server app \
(6dae42f8-4368-4678-94ff-3960e28e3630): the cluster must use managed Entra integration in the scanning identity's tenant"
                .into(),
            Some(Cloud::Eks) => {
                let mapped = match self.eks_mode.as_deref() {
                    Some("CONFIG_MAP") => "map the scanning IAM role in the aws-auth ConfigMap",
                    _ => "create an access entry for the scanning IAM role (aws eks create-access-entry)",
                };
                format!("the API server did not accept the IAM identity: {mapped}")
            }
            None => "the API server did not accept the token".into(),
        }
    }

    /// The grant to give when a list answers 403; `kind` is what was refused (`Secrets`).
    pub fn on_forbidden(&self, kind: &str) -> String {
        let sensitive = matches!(
            kind,
            "Secrets" | "Roles" | "ClusterRoles" | "RoleBindings" | "ClusterRoleBindings" | "Secrets in default"
        );
        match (self.cloud, self.azure_rbac) {
            (Some(Cloud::Aks), Some(true)) if sensitive => format!(
                "Azure Kubernetes Service RBAC Reader does not cover {SECRETS_AND_RBAC}: give the scanning identity a custom role with the data action Microsoft.ContainerService/managedClusters/*/read on the cluster"
            ),
            (Some(Cloud::Aks), Some(true)) => {
                "assign the scanning identity Azure Kubernetes Service RBAC Reader on the cluster".into()
            }
            (Some(Cloud::Aks), _) => "bind the scanning identity's Entra object id to a ClusterRole that can get and list it (Kubernetes RBAC authorizes this cluster)".into(),
            (Some(Cloud::Eks), _) if sensitive => format!(
                "AmazonEKSViewPolicy does not cover {SECRETS_AND_RBAC}: associate AmazonEKSAdminViewPolicy with the scanning role's access entry, or bind its group to a ClusterRole that can list them"
            ),
            (Some(Cloud::Eks), _) => "associate AmazonEKSViewPolicy (cluster scope) with the scanning role's access entry".into(),
            (None, _) => "grant the scanning identity get and list on it".into(),
        }
    }

    /// What to do when the API server cannot be reached.
    pub fn on_unreachable(&self) -> &'static str {
        if self.private_only {
            "the cluster's API server is private: run kubeposture from a network that reaches it (a peered VNet or VPC, a runner inside), or pass --no-data-plane"
        } else {
            "check the network path to the API server (authorized IP ranges or public access CIDRs must admit the scanner), or pass --no-data-plane"
        }
    }
}

/// A failed list: a 401, a 403, or no usable answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The whole API refused the credential (401), or could not be reached, or timed out:
    /// nothing else on this cluster can be read either.
    Fatal(String),
    /// This list only (403, a broken page, a malformed body).
    List(String),
}

impl ReadError {
    pub fn reason(&self) -> &str {
        match self {
            ReadError::Fatal(r) | ReadError::List(r) => r,
        }
    }
}

/// Reasons the reader gives a list whose pages did not add up (see `k8s::pages`).
pub const INCOMPLETE: [&str; 3] = ["Truncated", "BadContinue", "TooManyPages"];

/// Classifies a kube error on `what` (`list Secrets`).
pub fn classify(e: &kube::Error, what: &str, kind: &str, server: &str, hint: &AccessHint) -> ReadError {
    match e {
        kube::Error::Api(s) if s.code == 401 => {
            ReadError::Fatal(format!("the API server answered 401 Unauthorized: {}", hint.on_unauthorized()))
        }
        kube::Error::Api(s) if INCOMPLETE.contains(&s.reason.as_str()) => {
            ReadError::List(format!("{what} came back incomplete: {}", crate::k8s::clean(&s.message, 300)))
        }
        kube::Error::Api(s) if s.code == 403 => {
            let msg = crate::k8s::clean(&s.message, 300);
            ReadError::List(format!("403 Forbidden on {what} ({msg}): {}", hint.on_forbidden(kind)))
        }
        kube::Error::Api(s) => {
            let msg = crate::k8s::clean(&s.message, 300);
            ReadError::List(format!("HTTP {} {} on {what}: {msg}", s.code, s.reason))
        }
        kube::Error::SerdeError(err) => ReadError::List(format!("malformed answer to {what}: {err}")),
        other => {
            let cause = crate::k8s::clean(&crate::errors::chain(other), 400);
            ReadError::Fatal(format!("cannot connect to the API server {server} ({cause}): {}", hint.on_unreachable()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_grant() {
        let aks = AccessHint { cloud: Some(Cloud::Aks), azure_rbac: Some(true), ..Default::default() };
        assert!(aks.on_forbidden("Secrets").contains("RBAC Reader does not cover Secrets"));
        assert!(aks.on_forbidden("Pods").contains("Azure Kubernetes Service RBAC Reader"));
        let eks = AccessHint { cloud: Some(Cloud::Eks), eks_mode: Some("CONFIG_MAP".into()), ..Default::default() };
        assert!(eks.on_unauthorized().contains("aws-auth"));
        assert!(eks.on_forbidden("Pods").contains("AmazonEKSViewPolicy"));
        assert!(AccessHint { private_only: true, ..Default::default() }.on_unreachable().contains("private"));
    }
}
