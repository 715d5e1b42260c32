//! `scan --demo`: the mock cloud in-process with the bundled estate, scanned through the same
//! credential and API code as a real scan.

use anyhow::Context as _;
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use kubeposture_providers::aws::{AwsConfig, RoleTarget, StaticKeys};
use kubeposture_providers::azure::{AzureConfig, CredentialChoice, Endpoints};

/// A scan signs in to one Entra tenant: an estate with several would be scanned only in part,
/// so it is refused rather than silently cut to its first tenant.
fn one_tenant(estate: &Estate, path: &std::path::Path) -> anyhow::Result<()> {
    let ids = estate.tenant_ids();
    if ids.len() > 1 {
        anyhow::bail!(
            "the estate file {} has {} Entra tenants ({}), but a scan signs in to one tenant: split it into one estate file per tenant",
            path.display(),
            ids.len(),
            ids.join(", ")
        );
    }
    Ok(())
}

pub struct Demo {
    pub mock: MockCloud,
    estate: Estate,
}

impl Demo {
    /// Starts the mock with the built-in demo estate, or the estate file given.
    pub async fn start(estate_file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let estate = match estate_file {
            None => Estate::demo(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the estate file {}", path.display()))?;
                let estate = Estate::from_yaml(&text)
                    .with_context(|| format!("the estate file {} is not valid", path.display()))?;
                one_tenant(&estate, path)?;
                estate
            }
        };
        let mock = MockCloud::start(estate.clone(), MockOptions::default()).await?;
        Ok(Self { mock, estate })
    }

    /// The clouds the estate has credentials for (`All` when it has both or neither).
    pub fn clouds(&self) -> crate::cli::CloudArg {
        use crate::cli::CloudArg;
        match (self.estate.client_credentials().is_some(), self.estate.aws_credentials().is_some()) {
            (true, false) => CloudArg::Azure,
            (false, true) => CloudArg::Aws,
            _ => CloudArg::All,
        }
    }

    fn ca(&self) -> Option<Vec<u8>> {
        Some(self.mock.ca_pem().as_bytes().to_vec())
    }

    /// The demo's thresholds when no `--config` is given: the workload settings a real
    /// deployment configures (trusted registries, Service ports), so WKL-002 and WKL-005 judge.
    pub fn thresholds(t: &mut kubeposture_checks::Thresholds) {
        t.workloads.allowed_registries = Some(vec![
            "*.azurecr.io".into(),
            "111122223333.dkr.ecr.*.amazonaws.com".into(),
            "444455556666.dkr.ecr.*.amazonaws.com".into(),
        ]);
        t.workloads.allowed_service_ports = Some(vec![80, 443]);
    }

    /// Points an Azure config at the mock and logs in as the demo estate's client.
    pub fn configure_azure(&self, cfg: &mut AzureConfig) -> anyhow::Result<()> {
        let creds = self.estate.client_credentials().context("the demo estate has no Entra client")?;
        let url: url::Url = self.mock.url().parse()?;
        cfg.endpoints = Endpoints { authority_host: url.clone(), arm: url.clone(), graph: url };
        cfg.credential = CredentialChoice::ClientSecret {
            tenant_id: creds.tenant_id,
            client_id: creds.client_id,
            secret: creds.client_secret,
        };
        cfg.extra_ca_pem = self.ca();
        Ok(())
    }

    /// Points an AWS config at the mock: the demo's scanner keys, assuming its reader roles.
    pub fn configure_aws(&self, cfg: &mut AwsConfig) -> anyhow::Result<()> {
        let creds = self.estate.aws_credentials().context("the demo estate has no AWS credentials")?;
        cfg.static_keys =
            Some(StaticKeys { access_key_id: creds.access_key_id, secret_access_key: creds.secret_access_key });
        cfg.roles =
            creds.roles.into_iter().map(|r| RoleTarget { arn: r.role_arn, external_id: r.external_id }).collect();
        cfg.endpoint_url = Some(self.mock.url());
        cfg.home_region = Some("us-east-1".into());
        cfg.extra_ca_pem = self.ca();
        Ok(())
    }
}
