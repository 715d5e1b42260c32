//! `kubeposture scan`.

use crate::cli::{AzureCredentialArg, CloudArg, ScanArgs};
use crate::findings::exit;
use crate::report::{self, Format, ReportMeta};
use anyhow::{Context as _, bail};
use kubeposture_checks::Context;
use kubeposture_providers::aws::{AwsConfig, OrgScope, RoleTarget};
use kubeposture_providers::azure::{self, AzureConfig, CredentialChoice};
use kubeposture_providers::limit::HostLimiter;
use std::sync::Arc;
use url::Url;

fn endpoint(s: &str, what: &str) -> anyhow::Result<Url> {
    let mut u = Url::parse(s).with_context(|| format!("{what} is not a URL: {s}"))?;
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

fn azure_config(args: &ScanArgs, extra_ca: Option<Vec<u8>>, limiter: &Arc<HostLimiter>) -> anyhow::Result<AzureConfig> {
    let a = &args.azure;
    let mut cfg = AzureConfig {
        credential: match a.azure_credential {
            AzureCredentialArg::Default => CredentialChoice::Default,
            AzureCredentialArg::ClientSecret => azure::credential::client_secret_from_env().ok_or_else(|| {
                anyhow::anyhow!(
                    "--azure-credential client-secret needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
                )
            })?,
            AzureCredentialArg::WorkloadIdentity => CredentialChoice::WorkloadIdentity,
            AzureCredentialArg::ManagedIdentity => CredentialChoice::ManagedIdentity {
                client_id: std::env::var("AZURE_CLIENT_ID").ok().filter(|s| !s.is_empty()),
            },
            AzureCredentialArg::AzureCli => CredentialChoice::AzureCli,
        },
        endpoints: azure::Endpoints {
            authority_host: endpoint(&a.authority_host, "--authority-host")?,
            arm: endpoint(&a.arm_endpoint, "--arm-endpoint")?,
            graph: endpoint(&a.graph_endpoint, "--graph-endpoint")?,
        },
        subscriptions: a.subscriptions.clone(),
        management_groups: a.management_groups.clone(),
        limiter: limiter.clone(),
        max_retries: args.max_retries,
        extra_ca_pem: extra_ca,
        data_plane: data_plane(args),
        ..Default::default()
    };
    for kv in &a.arm_api_version {
        let Some((k, v)) = kv.split_once('=') else { bail!("--arm-api-version wants NAME=VERSION, got {kv}") };
        let slot = match k {
            "managedClusters" => &mut cfg.api_versions.managed_clusters,
            "subscriptions" => &mut cfg.api_versions.subscriptions,
            "diagnosticSettings" => &mut cfg.api_versions.diagnostic_settings,
            _ => bail!("--arm-api-version: unknown API '{k}' (managedClusters, subscriptions, diagnosticSettings)"),
        };
        *slot = v.to_string();
    }
    Ok(cfg)
}

/// `ARN` or `ARN,external_id=ID`.
fn role_target(spec: &str, default_external_id: Option<&String>) -> anyhow::Result<RoleTarget> {
    let (arn, external_id) = match spec.split_once(',') {
        None => (spec, default_external_id.cloned()),
        Some((arn, opt)) => match opt.trim().strip_prefix("external_id=") {
            Some(id) if !id.is_empty() => (arn, Some(id.to_string())),
            _ => bail!("--aws-role-arn wants ARN or ARN,external_id=ID, got {spec}"),
        },
    };
    if !arn.starts_with("arn:") || !arn.contains(":role/") {
        bail!("--aws-role-arn: '{arn}' is not an IAM role ARN");
    }
    Ok(RoleTarget { arn: arn.to_string(), external_id })
}

/// `--aws-organization ROLE_NAME` with its `--aws-ou` / `--aws-account` limits.
fn org_scope(role: &str, a: &crate::cli::AwsArgs) -> anyhow::Result<OrgScope> {
    let name_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
    if !name_ok(role) || role.starts_with("arn:") {
        bail!("--aws-organization wants a role name (like kubeposture-reader), got '{role}'");
    }
    for ou in &a.aws_ous {
        let ok = (ou.starts_with("ou-") || ou.starts_with("r-"))
            && ou.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            bail!("--aws-ou wants an OU id (ou-…) or root id (r-…), got '{ou}'");
        }
    }
    for id in &a.aws_accounts {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            bail!("--aws-account wants a 12-digit account id, got '{id}'");
        }
    }
    Ok(OrgScope {
        role_name: role.to_string(),
        parents: a.aws_ous.clone(),
        accounts: a.aws_accounts.clone(),
        external_id: a.aws_external_id.clone(),
    })
}

fn aws_config(args: &ScanArgs, extra_ca: Option<Vec<u8>>, limiter: &Arc<HostLimiter>) -> anyhow::Result<AwsConfig> {
    let a = &args.aws;
    let roles = a
        .aws_role_arn
        .iter()
        .map(|r| role_target(r, a.aws_external_id.as_ref()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let organization = match &a.aws_organization {
        None => None,
        Some(role) => Some(org_scope(role, a)?),
    };
    Ok(AwsConfig {
        profile: a.aws_profile.clone(),
        roles,
        organization,
        regions: a.regions.clone(),
        endpoint_url: a.aws_endpoint_url.clone(),
        extra_ca_pem: extra_ca,
        limiter: limiter.clone(),
        max_retries: args.max_retries,
        data_plane: data_plane(args),
        ..Default::default()
    })
}

/// How clusters' Kubernetes APIs are read; `None` with `--no-data-plane`.
fn data_plane(args: &ScanArgs) -> Option<kubeposture_providers::k8s::Options> {
    (!args.no_data_plane)
        .then(|| kubeposture_providers::k8s::Options { max_retries: args.max_retries, ..Default::default() })
}

pub async fn run(args: ScanArgs) -> anyhow::Result<u8> {
    if args.format.len() > 1 && args.output_dir.is_none() {
        bail!("several --format values need --output-dir");
    }
    // Waivers and the history store are checked before scanning: a bad file or an unreachable
    // store fails now, not after the scan.
    let config = crate::config::load_all(args.config.as_deref())?;
    let waivers = crate::waivers::load(args.config.as_deref(), &config, args.record.waivers.as_deref())?;
    let mut history = match &args.record.history {
        Some(url) => Some(crate::history::Store::open(url, extra_ca(&args)?.as_deref()).await?),
        None => None,
    };
    let started = time::OffsetDateTime::now_utc();
    let (mut result, clouds) = collect(&args).await?;

    let waived = crate::waivers::apply(&waivers, &mut result, started.date());
    result.warnings = waived.warnings();
    for w in &result.warnings {
        eprintln!("warning: {}", report::text::clean(w));
    }
    let scope_key = args.record.history_scope.clone().unwrap_or_else(|| {
        crate::history::scope::derived_key(
            &clouds,
            &args.azure.subscriptions,
            &args.aws.aws_role_arn,
            &args.aws.regions,
            args.aws.aws_profile.as_deref(),
            args.demo,
        )
    });
    if let Some(store) = &history {
        crate::history::mark_novelty(store, &scope_key, &mut result).await?;
    }
    result.fail_on_new = args.record.fail_on_new;
    // History records the whole scan; --check/--resource narrow only the reports and the exit code.
    if let Some(store) = history.as_mut() {
        let scope = crate::history::ScanScope::of(&clouds, &result);
        let scan = crate::history::NewScan {
            scope_key: &scope_key,
            started_at: started,
            finished_at: time::OffsetDateTime::now_utc(),
            scope: &scope,
            exit_code: result.exit_code(args.fail_on),
        };
        let id = store.record(&scan, &result).await.context("the scan could not be recorded in the history store")?;
        eprintln!("recorded scan {id} in the history store (scope: {})", report::text::clean(&scope_key));
    }
    result.filter(&args.view.filter());
    let code = result.exit_code(args.fail_on);
    let meta = ReportMeta {
        clouds,
        fail_on: args.fail_on,
        exit_code: code,
        generated_at: report::generation_time(),
        options: report::ReportOptions::new(&args.report, &args.view),
    };
    write_reports(&args.format, args.output_dir.as_deref(), &result, &meta)?;
    Ok(if code == exit::OK { exit::OK } else { code })
}

/// `--ca-cert`, read and checked.
fn extra_ca(args: &ScanArgs) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(p) = &args.ca_cert else { return Ok(None) };
    let pem = std::fs::read(p).with_context(|| format!("cannot read --ca-cert {}", p.display()))?;
    kubeposture_providers::http::http_client(Some(&pem)).with_context(|| format!("--ca-cert {}", p.display()))?;
    Ok(Some(pem))
}

/// Scans what the flags say and returns the result and the clouds scanned.
pub async fn collect(args: &ScanArgs) -> anyhow::Result<(crate::findings::ScanResult, Vec<&'static str>)> {
    let mut thresholds = crate::config::load(args.config.as_deref())?;
    if args.demo && args.config.is_none() {
        crate::demo::Demo::thresholds(&mut thresholds);
    }
    let extra_ca = extra_ca(args)?;
    let demo = if args.demo { Some(crate::demo::Demo::start(args.estate.as_deref()).await?) } else { None };
    // The demo scans whichever clouds its estate holds unless --cloud says otherwise.
    let cloud = match (args.cloud, &demo) {
        (Some(c), _) => c,
        (None, Some(d)) => d.clouds(),
        (None, None) => CloudArg::Azure,
    };
    let want_azure = matches!(cloud, CloudArg::Azure | CloudArg::All);
    let want_aws = matches!(cloud, CloudArg::Aws | CloudArg::All);

    // One bound per API host for both clouds' requests (the demo serves both from one host).
    let limiter = HostLimiter::new(usize::from(args.max_in_flight));
    let mut azure_cfg = if want_azure { Some(azure_config(args, extra_ca.clone(), &limiter)?) } else { None };
    let mut aws_cfg = if want_aws { Some(aws_config(args, extra_ca, &limiter)?) } else { None };
    let demo = if let Some(d) = demo {
        if let Some(cfg) = azure_cfg.as_mut() {
            d.configure_azure(cfg)?;
        }
        if let Some(cfg) = aws_cfg.as_mut() {
            d.configure_aws(cfg)?;
        }
        Some(d)
    } else {
        None
    };

    let mut clouds = Vec::new();
    if want_azure {
        clouds.push("azure");
    }
    if want_aws {
        clouds.push("aws");
    }
    let ctx = Context { now: time::OffsetDateTime::now_utc(), thresholds };
    let progress = crate::progress::Progress::new(!args.quiet);
    let started = time::OffsetDateTime::now_utc();
    let plan = crate::engine::ScanPlan { azure: azure_cfg, aws: aws_cfg };
    let mut result = crate::engine::run(plan, ctx, &progress).await;
    progress.finish();
    if args.timestamps {
        result.started_at = Some(started);
        result.finished_at = Some(time::OffsetDateTime::now_utc());
    }
    if let Some(d) = demo {
        d.mock.shutdown().await;
    }

    for n in &result.not_collected {
        eprintln!(
            "error: could not collect {} {}: {}",
            n.cloud.as_str(),
            report::text::clean(&n.scope),
            report::text::clean(&n.reason)
        );
    }
    Ok((result, clouds))
}

/// Each format to `DIR/kubeposture.*`, or the one format to stdout.
pub fn write_reports(
    formats: &[Format],
    output_dir: Option<&std::path::Path>,
    result: &crate::findings::ScanResult,
    meta: &ReportMeta,
) -> anyhow::Result<()> {
    match output_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            // Files: laid out for $COLUMNS or 100 columns, never coloured.
            let mut meta = meta.clone();
            meta.options.term = report::term::Term::plain(
                std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).unwrap_or(100),
            );
            let meta = &meta;
            for f in dedup(formats) {
                let path = dir.join(f.file_name());
                let mut file = std::io::BufWriter::new(
                    std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
                );
                report::render(f, result, meta, &mut file)?;
                std::io::Write::flush(&mut file)?;
                eprintln!("wrote {}", path.display());
            }
        }
        None => report::to_stdout(|out| report::render(formats[0], result, meta, out))?,
    }
    // Every pass so far (exit code, reports) read every finding, or this says which did not.
    result.findings.check()?;
    Ok(())
}

fn dedup(formats: &[Format]) -> Vec<Format> {
    let mut v = formats.to_vec();
    v.sort();
    v.dedup();
    v
}
