//! EKS: each cluster's Kubernetes API at the endpoint and CA `DescribeCluster` gives,
//! authenticated with the scan's own IAM identity through the `k8s-aws-v1.` token.

use crate::k8s::{self, AccessHint, Target, eks_token};
use aws_credential_types::Credentials;
use aws_sdk_eks::types::Cluster as EksCluster;
use base64::Engine;
use kubeposture_checks::Cloud;
use kubeposture_checks::model::DataPlane;

pub struct EksDataPlane {
    pub opts: k8s::Options,
    /// `--aws-endpoint-url`: the STS endpoint the token is presigned for.
    pub endpoint_url: Option<String>,
}

impl EksDataPlane {
    pub async fn read(&self, region: &str, c: &EksCluster, creds: Result<Credentials, String>) -> DataPlane {
        let name = c.name().unwrap_or_default();
        let Some(server) = c.endpoint().filter(|e| !e.is_empty()) else {
            let status = c.status().map(|s| s.as_str()).unwrap_or("(absent)");
            return DataPlane::unknown(&format!("DescribeCluster returned no endpoint (status {status})"));
        };
        let ca_pem = match c.certificate_authority().and_then(|a| a.data()) {
            Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
                Ok(pem) => Some(pem),
                Err(e) => return DataPlane::unknown(&format!("certificateAuthority.data is not base64: {e}")),
            },
            None => {
                return DataPlane::unknown(
                    "DescribeCluster returned no certificateAuthority: the API server cannot be verified",
                );
            }
        };
        // The token is signed once a slot is free: a token that waited would be older.
        let _slot = k8s::slot(&self.opts).await;
        let creds = match creds {
            Ok(c) => c,
            Err(e) => return DataPlane::unknown(&format!("no AWS credentials to sign the EKS token: {e}")),
        };
        let endpoint = eks_token::sts_endpoint(region, self.endpoint_url.as_deref());
        let token = match eks_token::token(&creds, region, &endpoint, name, std::time::SystemTime::now()) {
            Ok(t) => t,
            Err(e) => return DataPlane::unknown(&e),
        };
        let vpc = c.resources_vpc_config();
        let hint = AccessHint {
            cloud: Some(Cloud::Eks),
            azure_rbac: None,
            eks_mode: c.access_config().and_then(|a| a.authentication_mode()).map(|m| m.as_str().to_string()),
            private_only: vpc.is_some_and(|v| !v.endpoint_public_access()),
        };
        k8s::read(&Target { server: server.to_string(), ca_pem, token, eks: true, hint }, &self.opts).await
    }
}
