//! Azure credentials: an explicit choice by flag, or a default chain.
//!
//! Default chain order (first one that is configured is used; a configured credential that
//! Entra rejects stops the chain so the real cause is reported):
//! 1. environment client secret: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`;
//! 2. workload identity: `AZURE_FEDERATED_TOKEN_FILE` (+ `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`);
//! 3. managed identity: when `IDENTITY_ENDPOINT`/`MSI_ENDPOINT` is set or `--azure-credential managed-identity`;
//! 4. Azure CLI (`az account get-access-token`).

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use std::sync::Arc;

/// Which credential to use (`--azure-credential`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CredentialChoice {
    #[default]
    Default,
    /// Client id + secret from the environment, or given explicitly (the demo).
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: String,
    },
    WorkloadIdentity,
    ManagedIdentity {
        client_id: Option<String>,
    },
    AzureCli,
}

/// Environment variables of the client-secret credential.
const ENV_TENANT: &str = "AZURE_TENANT_ID";
const ENV_CLIENT: &str = "AZURE_CLIENT_ID";
const ENV_SECRET: &str = "AZURE_CLIENT_SECRET";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The client-secret triple from the environment, if all three are set.
pub fn client_secret_from_env() -> Option<CredentialChoice> {
    Some(CredentialChoice::ClientSecret {
        tenant_id: env(ENV_TENANT)?,
        client_id: env(ENV_CLIENT)?,
        secret: env(ENV_SECRET)?,
    })
}

/// Builds the credential. `client_options` carries the transport (extra CA) and the authority host.
pub fn build(
    choice: &CredentialChoice,
    client_options: &ClientOptions,
) -> Result<Arc<dyn TokenCredential>, azure_core::Error> {
    let resolved = match choice {
        CredentialChoice::Default => return default_chain(client_options),
        other => other,
    };
    single(resolved, client_options)
}

fn single(choice: &CredentialChoice, co: &ClientOptions) -> Result<Arc<dyn TokenCredential>, azure_core::Error> {
    let cred: Arc<dyn TokenCredential> = match choice {
        CredentialChoice::ClientSecret { tenant_id, client_id, secret } => {
            let inner = ClientSecretCredential::new(
                tenant_id,
                client_id.clone(),
                Secret::new(secret.clone()),
                Some(ClientSecretCredentialOptions { client_options: co.clone() }),
            )?;
            Arc::new(Described {
                inner,
                what: format!("client secret of app {client_id} in tenant {tenant_id}"),
                hint: "",
            })
        }
        CredentialChoice::WorkloadIdentity => {
            let mut opts = WorkloadIdentityCredentialOptions::default();
            opts.credential_options.client_options = co.clone();
            let inner = WorkloadIdentityCredential::new(Some(opts))?;
            let tenant = env(ENV_TENANT).unwrap_or_else(|| "(AZURE_TENANT_ID unset)".into());
            Arc::new(Described { inner, what: format!("workload identity in tenant {tenant}"), hint: "" })
        }
        CredentialChoice::ManagedIdentity { client_id } => {
            let inner = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                client_options: co.clone(),
            }))?;
            Arc::new(Described { inner, what: "managed identity".into(), hint: "" })
        }
        CredentialChoice::AzureCli => {
            let inner = AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id: env(ENV_TENANT),
                ..Default::default()
            }))?;
            Arc::new(Described { inner, what: "Azure CLI login".into(), hint: "" })
        }
        CredentialChoice::Default => return default_chain(co),
    };
    Ok(cred)
}

/// The documented default order: the first credential that is configured.
fn default_chain(co: &ClientOptions) -> Result<Arc<dyn TokenCredential>, azure_core::Error> {
    if let Some(cs) = client_secret_from_env() {
        return single(&cs, co);
    }
    if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        return single(&CredentialChoice::WorkloadIdentity, co);
    }
    if env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some() {
        return single(&CredentialChoice::ManagedIdentity { client_id: env(ENV_CLIENT) }, co);
    }
    // Nothing else is configured: the Azure CLI is the last resort, and its failure says so.
    let inner =
        AzureCliCredential::new(Some(AzureCliCredentialOptions { tenant_id: env(ENV_TENANT), ..Default::default() }))?;
    Ok(Arc::new(Described { inner, what: "Azure CLI login".into(), hint: NO_CREDENTIAL }))
}

/// What to do when no credential of the default order is configured.
pub const NO_CREDENTIAL: &str = "No other Azure credential is configured (tried AZURE_TENANT_ID/AZURE_CLIENT_ID/\
AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE, and a managed identity endpoint): run `az login`, or set a \
service principal's variables and pass --azure-credential client-secret.";

/// Wraps a credential so its failures say which credential failed and why, in one line,
/// and are always `ErrorKind::Credential` (the ARM client reports them as a login failure).
struct Described<C> {
    inner: Arc<C>,
    what: String,
    /// A second sentence: what to do (empty: the cause says it).
    hint: &'static str,
}

impl<C> std::fmt::Debug for Described<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential").field("what", &self.what).finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<C: TokenCredential> TokenCredential for Described<C> {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.inner.get_token(scopes, options).await.map_err(|e| {
            azure_core::Error::with_message(
                ErrorKind::Credential,
                format!("authentication with the {} failed: {}", self.what, first_line(&e))
                    + &if self.hint.is_empty() { String::new() } else { format!(" {}", self.hint) },
            )
        })
    }
}

/// An Entra failure in one line: the `AADSTS…` code and description when Entra gave one
/// (without trace ids), else the whole cause chain. Never the secret: Entra does not echo it.
fn first_line(e: &azure_core::Error) -> String {
    let text = crate::errors::chain(e);
    let status = match e.kind() {
        ErrorKind::HttpResponse { status, .. } => format!(" (HTTP {})", u16::from(*status)),
        _ => String::new(),
    };
    match crate::errors::entra_summary(&text) {
        Some(summary) => format!("{summary}{status}"),
        None => {
            let line = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
            // Without the SDK's "To troubleshoot, visit URL" sentence; the cause after it stays.
            match line.split_once(" To troubleshoot, visit ") {
                Some((before, after)) => {
                    let rest = after.split_once(char::is_whitespace).map(|(_, r)| r).unwrap_or("");
                    format!("{before} {rest}").trim().to_string()
                }
                None => line,
            }
        }
    }
}
