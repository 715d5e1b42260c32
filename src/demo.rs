//! `scan --demo`: the mock cloud in-process with the bundled estate, scanned through the
//! same credential and ARM code as a real scan.

use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use kubeposture_providers::aws::AwsConfig;
use kubeposture_providers::azure::{AzureConfig, CredentialChoice, Endpoints};

pub struct Demo {
    pub mock: MockCloud,
}

impl Demo {
    pub async fn start() -> anyhow::Result<Self> {
        let mock = MockCloud::start(Estate::demo(), MockOptions::default()).await?;
        Ok(Self { mock })
    }

    /// Points an Azure config at the mock and logs in as the demo estate's client.
    pub fn configure_azure(&self, cfg: &mut AzureConfig) -> anyhow::Result<()> {
        let creds = Estate::demo()
            .client_credentials()
            .ok_or_else(|| anyhow::anyhow!("the demo estate has no client credentials"))?;
        let url: url::Url = self.mock.url().parse()?;
        cfg.endpoints = Endpoints { authority_host: url.clone(), arm: url.clone(), graph: url };
        cfg.credential = CredentialChoice::ClientSecret {
            tenant_id: creds.tenant_id,
            client_id: creds.client_id,
            secret: creds.client_secret,
        };
        cfg.extra_ca_pem = Some(self.mock.ca_pem().as_bytes().to_vec());
        Ok(())
    }

    /// Points an AWS config at the mock.
    pub fn configure_aws(&self, cfg: &mut AwsConfig) -> anyhow::Result<()> {
        cfg.endpoint_url = Some(self.mock.url());
        cfg.extra_ca_pem = Some(self.mock.ca_pem().as_bytes().to_vec());
        anyhow::bail!("the demo estate has no AWS part yet")
    }
}
