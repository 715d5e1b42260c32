//! `kubeposture-mock`: run the mock cloud on its own, e.g. to point a scan or curl at it.

use clap::Parser;
use kubeposture_mocks::{Estate, MockCloud, MockOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "kubeposture-mock",
    about = "A mock cloud (Entra ID, ARM, Microsoft Graph, and AWS EKS/IAM/STS/EC2) serving an estate file over HTTPS."
)]
struct Args {
    /// Estate file (YAML, `estate: v1`); `demo` for the bundled demo estate.
    #[arg(long, default_value = "demo")]
    estate: String,
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Write the CA certificate (PEM) here; pass it to `kubeposture scan --ca-cert`.
    #[arg(long, default_value = "kubeposture-mock-ca.pem")]
    ca_out: PathBuf,
    /// Items per page of every paged list.
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Delay before every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of API calls answered with the service's throttling error (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    throttle: f64,
    /// Retry-After seconds on throttled answers.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Seed of the throttling dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Enforce rate limits: `published` (the clouds' published token buckets, see the README).
    #[arg(long, value_name = "MODEL", value_parser = ["published"])]
    rate_limits: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let estate = if args.estate == "demo" {
        Estate::demo()
    } else {
        let text = std::fs::read_to_string(&args.estate)
            .map_err(|e| anyhow::anyhow!("cannot read estate {}: {e}", args.estate))?;
        Estate::from_yaml(&text)?
    };
    let creds = estate.client_credentials();
    let estate_tenants: Vec<String> = estate.tenant_ids().into_iter().map(str::to_string).collect();
    let aws = estate.aws_credentials();
    let opts = MockOptions {
        listen: args.listen,
        ca_pem_path: Some(args.ca_out.clone()),
        page_size: args.page_size,
        latency: Duration::from_millis(args.latency_ms),
        throttle_ratio: args.throttle.clamp(0.0, 1.0),
        retry_after_secs: args.retry_after,
        seed: args.seed,
        rate_limits: args.rate_limits.as_ref().map(|_| kubeposture_mocks::RateLimits::published()),
    };
    let mock = MockCloud::start(estate, opts).await?;
    let url = mock.url();
    println!("mock cloud listening on {url} (CA: {})", args.ca_out.display());
    if let Some(c) = creds {
        println!("scan it with:");
        println!(
            "  AZURE_TENANT_ID={} AZURE_CLIENT_ID={} AZURE_CLIENT_SECRET=<clientSecret from the estate> \\",
            c.tenant_id, c.client_id
        );
        println!(
            "  kubeposture scan --azure-credential client-secret --ca-cert {} --authority-host {url} --arm-endpoint {url} --graph-endpoint {url}",
            args.ca_out.display()
        );
    }
    let tenants = estate_tenants;
    if tenants.len() > 1 {
        println!(
            "  (that signs in to tenant {}; the estate has {} tenants, each scanned on its own with its own tenant and client: {})",
            tenants[0],
            tenants.len(),
            tenants.join(", ")
        );
    }
    if let Some(a) = aws {
        println!("AWS (EKS, IAM, STS, EC2) at the same URL:");
        println!(
            "  AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY=<secretAccessKey from the estate> AWS_ENDPOINT_URL={url} (trust {})",
            a.access_key_id,
            args.ca_out.display()
        );
        for r in &a.roles {
            match &r.external_id {
                Some(e) => println!("  role to assume: {} (external id {e})", r.role_arn),
                None => println!("  role to assume: {}", r.role_arn),
            }
        }
    }
    println!("call counters: {url}/_mock/counters — Ctrl-C stops");
    tokio::signal::ctrl_c().await?;
    mock.shutdown().await;
    Ok(())
}
