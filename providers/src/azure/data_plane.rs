//! AKS: each cluster's Kubernetes API, reached with the scan's own Entra credential — an access
//! token for the AKS server app — at the address and CA `listClusterUserCredential` gives
//! (needs *Azure Kubernetes Service Cluster User Role*). Local accounts are never used.

use super::arm::{ApiClient, ApiError};
use super::models::{CredentialResults, ManagedCluster};
use crate::k8s::{self, AccessHint, Target};
use azure_core::credentials::TokenCredential;
use base64::Engine;
use kubeposture_checks::Cloud;
use kubeposture_checks::model::DataPlane;
use std::sync::Arc;

/// The AKS server application (the audience of AKS's Entra tokens).
pub const AKS_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

/// Why an AKS data plane is not read.
pub const NO_ENTRA: &str = "no Entra integration: kubeposture does not use local accounts";

pub struct AksDataPlane {
    pub arm: ApiClient,
    pub credential: Arc<dyn TokenCredential>,
    /// Token scope for the AKS server app (overridable for tests).
    pub scope: String,
    pub api_version: String,
    pub opts: k8s::Options,
}

/// The server URL and CA (PEM) of the kubeconfig's current context (else its first cluster).
pub fn server_and_ca(kubeconfig: &str) -> Result<(String, Option<Vec<u8>>), String> {
    let kc =
        kube::config::Kubeconfig::from_yaml(kubeconfig).map_err(|e| format!("the kubeconfig does not parse: {e}"))?;
    let context_cluster = kc
        .current_context
        .as_ref()
        .and_then(|cur| kc.contexts.iter().find(|c| &c.name == cur))
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    let named = match context_cluster {
        Some(name) => kc.clusters.iter().find(|c| c.name == name),
        None => kc.clusters.first(),
    };
    let cluster = named.and_then(|c| c.cluster.as_ref()).ok_or("the kubeconfig names no cluster")?;
    let server = cluster.server.clone().filter(|s| !s.is_empty()).ok_or("the kubeconfig's cluster has no server")?;
    let ca = match &cluster.certificate_authority_data {
        Some(b64) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| format!("certificate-authority-data is not base64: {e}"))?,
        ),
        None => None,
    };
    Ok((server, ca))
}

impl AksDataPlane {
    async fn kubeconfig(&self, cluster_id: &str) -> Result<String, String> {
        let url = self.arm.url(&format!(
            "{}/listClusterUserCredential?api-version={}",
            cluster_id.trim_start_matches('/'),
            self.api_version
        ));
        let got: Result<CredentialResults, ApiError> = match url {
            Ok(u) => self.arm.post_empty("listClusterUserCredential", u).await,
            Err(e) => Err(e),
        };
        let creds = got.map_err(|e| {
            let grant = if matches!(&e, ApiError::Status { status: 403, .. }) {
                ": give the scanning identity the Azure Kubernetes Service Cluster User Role on the cluster"
            } else {
                ""
            };
            format!("the cluster's API server address could not be read: {e}{grant}")
        })?;
        let value = creds
            .kubeconfigs
            .iter()
            .find_map(|k| k.value.as_deref())
            .ok_or("listClusterUserCredential returned no kubeconfig")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|e| format!("listClusterUserCredential returned a kubeconfig that is not base64: {e}"))?;
        String::from_utf8(bytes).map_err(|_| "listClusterUserCredential returned a kubeconfig that is not UTF-8".into())
    }

    /// Reads the cluster's Kubernetes API, or says why it cannot be.
    pub async fn read(&self, mc: &ManagedCluster) -> DataPlane {
        let props = mc.properties.as_ref();
        let aad = props.and_then(|p| p.aad_profile.as_ref());
        if aad.and_then(|a| a.managed) != Some(true) {
            return DataPlane::unknown(NO_ENTRA);
        }
        let _slot = k8s::slot(&self.opts).await;
        let kubeconfig = match self.kubeconfig(&mc.id).await {
            Ok(k) => k,
            Err(e) => return DataPlane::unknown(&e),
        };
        let (server, ca_pem) = match server_and_ca(&kubeconfig) {
            Ok(s) => s,
            Err(e) => return DataPlane::unknown(&format!("listClusterUserCredential: {e}")),
        };
        let token = match self.credential.get_token(&[self.scope.as_str()], None).await {
            Ok(t) => t.token.secret().to_string(),
            Err(e) => {
                let why = crate::errors::chain(&e);
                return DataPlane::unknown(&format!("no Entra token for the AKS server app ({}): {why}", self.scope));
            }
        };
        let private = props.and_then(|p| p.api_server_access_profile.as_ref()).and_then(|a| a.enable_private_cluster);
        let hint = AccessHint {
            cloud: Some(Cloud::Aks),
            azure_rbac: aad.and_then(|a| a.enable_azure_rbac),
            eks_mode: None,
            private_only: private == Some(true),
        };
        k8s::read(&Target { server, ca_pem, token, eks: false, hint }, &self.opts).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_ca_of_the_current_context() {
        // The shape `az aks get-credentials` writes (format=exec).
        let kc = r#"apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://aks-prod-dns-4f2c1b.hcp.westeurope.azmk8s.io:443
  name: aks-prod
contexts:
- context:
    cluster: aks-prod
    user: clusterUser_rg-prod_aks-prod
  name: aks-prod
current-context: aks-prod
users:
- name: clusterUser_rg-prod_aks-prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
"#;
        let (server, ca) = server_and_ca(kc).unwrap();
        assert_eq!(server, "https://aks-prod-dns-4f2c1b.hcp.westeurope.azmk8s.io:443");
        assert_eq!(ca.as_deref(), Some(&b"-----BEGIN"[..]));
        assert!(server_and_ca("clusters: 3").is_err());
        assert!(server_and_ca("apiVersion: v1\nkind: Config\nclusters: []\n").is_err());
    }
}
