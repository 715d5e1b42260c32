//! Command-line interface.

use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kubeposture",
    version,
    about = "Scores how well managed Kubernetes clusters (AKS, EKS) are locked down, with evidence from the clouds' control APIs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log level for diagnostics on stderr. No level prints a credential, token or signature.
    #[arg(long, global = true, value_enum, default_value = "warn", env = "KUBEPOSTURE_LOG")]
    pub log: LogLevel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan clusters and report findings.
    Scan(Box<ScanArgs>),
    /// List the check catalog.
    Checks {
        /// table, json, or markdown (the docs page, docs/checks.md).
        #[arg(long, value_enum, default_value = "table")]
        format: CatalogFormat,
    },
    /// Explain one check: rationale, remediation, references, compliance ids.
    Explain {
        /// Check id (NET-001) or slug (api-endpoint-open-to-internet).
        id: String,
    },
    /// Render a saved JSON report again, in any format, without scanning.
    Report(ReportCmd),
    /// Who can act as cluster admin on each AKS and EKS cluster, how and on what terms.
    Admins(Box<AdminsCmd>),
    /// List the scans in the history store, or prune old ones.
    History(HistoryArgs),
    /// What changed between two recorded scans (default: the last two of the same scope).
    Diff(DiffArgs),
}

/// Where the history is kept.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// History store: a file path or sqlite://PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require].
    #[arg(long, value_name = "URL", env = "KUBEPOSTURE_HISTORY", global = true)]
    pub history: Option<String>,
    /// Extra CA certificate(s) to trust for the PostgreSQL server's TLS, PEM.
    #[arg(long, value_name = "FILE", env = "KUBEPOSTURE_CA_CERT", global = true)]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// table or json.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// Only scans of this scope key (as listed).
    #[arg(long, value_name = "KEY")]
    pub scope: Option<String>,
    /// At most this many scans, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

#[derive(Subcommand, Debug)]
pub enum HistoryAction {
    /// Delete scans older than --keep (e.g. 90d, 12w, 48h).
    Prune {
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        keep: time::Duration,
    },
}

/// `90d`, `12w`, `48h`: how long to keep scans.
pub fn parse_age(s: &str) -> Result<time::Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().map_err(|_| format!("'{s}' is not an age like 90d, 12w or 48h"))?;
    let d = match unit {
        "d" => time::Duration::days(n),
        "w" => time::Duration::weeks(n),
        "h" => time::Duration::hours(n),
        _ => return Err(format!("'{s}': the unit must be d (days), w (weeks) or h (hours)")),
    };
    if n == 0 {
        return Err("--keep 0 would delete every scan; give an age like 90d".into());
    }
    Ok(d)
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The older scan's id (default: the scan before NEW of the same scope).
    pub old: Option<i64>,
    /// The newer scan's id (default: the latest scan).
    pub new: Option<i64>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// table, json or csv.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Without scan ids: the latest scan of this scope key.
    #[arg(long, value_name = "KEY")]
    pub scope: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Csv,
}

/// Flags that shape reports (scan and report).
#[derive(Args, Debug, Clone, Copy)]
pub struct ReportArgs {
    /// Group results by a framework's controls (table, CSV, JSON, HTML): cis-aks-1.8, cis-eks-1.8, seeds.
    #[arg(long, value_name = "FRAMEWORK", value_parser = parse_framework)]
    pub compliance: Option<kubeposture_checks::compliance::Framework>,
    /// SARIF: report unknown findings as results too (level warning), not only failures.
    #[arg(long)]
    pub sarif_unknown: bool,
}

/// What the reports show and how the terminal report looks (scan, report, admins).
#[derive(Args, Debug, Clone)]
pub struct ViewArgs {
    /// Only these checks, in every format and for the exit code (id or slug; repeatable, or comma-separated).
    #[arg(long = "check", value_name = "ID", value_delimiter = ',', value_parser = parse_check)]
    pub checks: Vec<String>,
    /// Only these resources: a cluster's name, `rg/name` or full id, an account or tenant id (repeatable).
    #[arg(long = "resource", value_name = "NAME")]
    pub resources: Vec<String>,
    /// Terminal report: the evidence under each finding, unknown findings one by one.
    #[arg(long, short = 'v')]
    pub details: bool,
    /// Colour the terminal report: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: crate::report::term::ColorChoice,
}

impl ViewArgs {
    pub fn filter(&self) -> crate::findings::Filter {
        crate::findings::Filter { checks: self.checks.clone(), resources: self.resources.clone() }
    }
}

fn parse_check(s: &str) -> Result<String, String> {
    kubeposture_checks::find(s.trim())
        .map(|c| c.meta.id.to_string())
        .ok_or_else(|| format!("no check '{s}'; `kubeposture checks` lists them"))
}

fn parse_framework(s: &str) -> Result<kubeposture_checks::compliance::Framework, String> {
    kubeposture_checks::compliance::Framework::parse(s).ok_or_else(|| {
        let keys: Vec<&str> = kubeposture_checks::compliance::Framework::ALL.iter().map(|f| f.key()).collect();
        format!("unknown framework '{s}' ({})", keys.join(", "))
    })
}

#[derive(Args, Debug)]
pub struct ReportCmd {
    /// A JSON report written by `kubeposture scan --format json`.
    #[arg(long, value_name = "FILE", required_unless_present = "scan", conflicts_with = "scan")]
    pub from: Option<PathBuf>,
    /// A scan recorded in the history store (`kubeposture history` lists them); needs --history.
    #[arg(long, value_name = "ID", requires = "history")]
    pub scan: Option<i64>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Report formats; several at once need --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub format: Vec<Format>,
    /// Write each format to DIR/kubeposture.* instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when a check of this severity or higher fails [default: the report's own].
    #[arg(long, value_parser = crate::findings::FailOn::parse)]
    pub fail_on: Option<crate::findings::FailOn>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AdminsFormat {
    Table,
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct AdminsCmd {
    /// Read a saved JSON report instead of scanning.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Only principals whose name or id contains this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub principal: Option<String>,
    /// table, csv or json.
    #[arg(long = "admins-format", value_enum, default_value = "table")]
    pub admins_format: AdminsFormat,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CloudArg {
    Azure,
    Aws,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AzureCredentialArg {
    /// Environment client secret → workload identity → managed identity → Azure CLI.
    Default,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET.
    ClientSecret,
    /// AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID, AZURE_CLIENT_ID.
    WorkloadIdentity,
    /// The VM / App Service / AKS managed identity (AZURE_CLIENT_ID selects a user-assigned one).
    ManagedIdentity,
    /// The logged-in Azure CLI account.
    AzureCli,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Which clouds to scan [default: azure; with --demo: all].
    #[arg(long, value_enum)]
    pub cloud: Option<CloudArg>,
    /// Scan a built-in mock estate through the real credential and API code (no cloud account needed).
    #[arg(long)]
    pub demo: bool,
    /// With --demo: serve this estate file (see mocks/README.md) instead of the built-in one.
    #[arg(long, value_name = "FILE", requires = "demo")]
    pub estate: Option<PathBuf>,
    /// Report formats; several at once need --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub format: Vec<Format>,
    /// Write each format to DIR/kubeposture.{txt,json,csv} instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when a check of this severity or higher fails (critical, high, medium, low, info, never).
    #[arg(long, default_value = "low", value_parser = crate::findings::FailOn::parse)]
    pub fail_on: crate::findings::FailOn,
    /// Include scan start/finish timestamps in reports (off: output is byte-for-byte reproducible).
    #[arg(long)]
    pub timestamps: bool,
    /// Thresholds file (YAML), see README "Configuration".
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra CA certificate(s) to trust, PEM (TLS-inspecting proxies, the mock cloud).
    #[arg(long, value_name = "FILE", env = "KUBEPOSTURE_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Most requests in flight per API host.
    #[arg(long, default_value_t = kubeposture_providers::limit::HostLimiter::DEFAULT_PER_HOST as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_in_flight: u16,
    /// Retries per request on throttling (429, honouring Retry-After on Azure) and transient errors.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub max_retries: u32,
    /// Do not read the clusters' Kubernetes APIs: the WKL and K8S checks report `unknown`.
    #[arg(long)]
    pub no_data_plane: bool,

    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub record: RecordArgs,
    #[command(flatten)]
    pub view: ViewArgs,

    #[command(flatten)]
    pub azure: AzureArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// History and waivers of a scan.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Record the scan in this history store (a file path or sqlite://PATH, or postgres://…) and mark findings new/existing.
    #[arg(long, value_name = "URL", env = "KUBEPOSTURE_HISTORY")]
    pub history: Option<String>,
    /// Name of this scan's scope in the history (default: derived from --cloud, --subscription, --aws-role-arn, --region, --aws-profile).
    #[arg(long, value_name = "NAME")]
    pub history_scope: Option<String>,
    /// Exit 1 only for failures that are new since the previous scan of the same scope (needs --history).
    #[arg(long, requires = "history")]
    pub fail_on_new: bool,
    /// Waivers file (YAML), see README "Scheduled scans".
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AwsArgs {
    /// AWS named profile (default: AWS_PROFILE, then the default credential chain).
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// Scan the account of this role by assuming it (repeatable): ARN or ARN,external_id=ID.
    #[arg(long, value_name = "ARN[,external_id=ID]")]
    pub aws_role_arn: Vec<String>,
    /// External id for every --aws-role-arn that does not name its own.
    #[arg(long, value_name = "ID")]
    pub aws_external_id: Option<String>,
    /// Scan every active account of the organization by assuming this role in each (the caller
    /// must be the management account or a delegated administrator).
    #[arg(long, value_name = "ROLE_NAME")]
    pub aws_organization: Option<String>,
    /// With --aws-organization: only accounts below this OU or root (repeatable; nested OUs included).
    #[arg(long = "aws-ou", value_name = "OU_ID", requires = "aws_organization")]
    pub aws_ous: Vec<String>,
    /// With --aws-organization: only this account (repeatable).
    #[arg(long = "aws-account", value_name = "ACCOUNT_ID", requires = "aws_organization")]
    pub aws_accounts: Vec<String>,
    /// Only these AWS regions (repeatable; default: every region enabled in the account).
    #[arg(long = "region", value_name = "REGION", value_parser = crate::usage::aws_region)]
    pub regions: Vec<String>,
    /// One endpoint for every AWS service (the SDK also reads AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub aws_endpoint_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct AzureArgs {
    /// Only these subscriptions (repeatable; default: every subscription the credential can read).
    #[arg(long = "subscription", value_name = "ID", value_parser = crate::usage::guid)]
    pub subscriptions: Vec<String>,
    /// Scan the subscriptions below this management group, nested groups included (repeatable).
    #[arg(long = "management-group", value_name = "ID")]
    pub management_groups: Vec<String>,
    /// Azure credential to use.
    #[arg(long, value_enum, default_value = "default", env = "KUBEPOSTURE_AZURE_CREDENTIAL")]
    pub azure_credential: AzureCredentialArg,
    /// Entra ID authority host.
    #[arg(long, value_name = "URL", env = "AZURE_AUTHORITY_HOST", default_value = "https://login.microsoftonline.com")]
    pub authority_host: String,
    /// Azure Resource Manager endpoint.
    #[arg(long, value_name = "URL", env = "KUBEPOSTURE_ARM_ENDPOINT", default_value = "https://management.azure.com")]
    pub arm_endpoint: String,
    /// Microsoft Graph endpoint.
    #[arg(long, value_name = "URL", env = "KUBEPOSTURE_GRAPH_ENDPOINT", default_value = "https://graph.microsoft.com")]
    pub graph_endpoint: String,
    /// Override an ARM api-version: managedClusters=…, subscriptions=…, diagnosticSettings=… (repeatable).
    #[arg(long, value_name = "NAME=VERSION")]
    pub arm_api_version: Vec<String>,
}
