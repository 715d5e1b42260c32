//! `kubeposture-bench`: generates an estate of the asked shape, serves it from the mock cloud in
//! this process (latency per call, optionally the clouds' published rate limits), scans it with
//! the release `kubeposture` binary — the real CLI, engine, SDKs and report writing — and prints
//! wall time against the lower bound, peak RSS, and API calls against the minimal plan.
//!
//! ```sh
//! cargo run --release -p kubeposture-bench -- --clusters 10000 --latency-ms 25
//! cargo run --release -p kubeposture-bench -- --clusters 1000 --shape eks --per-region 500 --rate-limits published
//! ```

mod estate;
mod plan;
mod run;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use estate::Shape;
use kubeposture_mocks::{Estate, MockCloud, MockOptions, RateLimits};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Clouds {
    /// Half AKS, half EKS.
    Mixed,
    Aks,
    Eks,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Limits {
    Off,
    /// The clouds' published token buckets (`mocks/README.md`).
    Published,
}

#[derive(Parser, Debug)]
#[command(
    name = "kubeposture-bench",
    about = "Scan a generated estate through the mock cloud and compare with the lower bound."
)]
struct Args {
    /// Clusters in the estate.
    #[arg(long, default_value_t = 1000)]
    clusters: usize,
    #[arg(long, value_enum, default_value = "mixed")]
    shape: Clouds,
    /// AKS clusters per subscription.
    #[arg(long, default_value_t = 50)]
    per_subscription: usize,
    /// EKS clusters per account and region.
    #[arg(long, default_value_t = 25)]
    per_region: usize,
    /// Enabled regions per AWS account.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=6))]
    regions: u8,
    /// Delay of every mock answer, in milliseconds.
    #[arg(long, default_value_t = 25)]
    latency_ms: u64,
    #[arg(long, value_enum, default_value = "off")]
    rate_limits: Limits,
    /// Scans to run; the median is reported.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// The kubeposture binary (default: build it with `cargo build --release`).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Fail unless every scan's calls equal the plan and nothing was left uncollected.
    #[arg(long)]
    check: bool,
    /// More arguments for `kubeposture scan` (e.g. `--max-in-flight 32`).
    #[arg(last = true)]
    scan_args: Vec<String>,
    /// Only write the generated estate here (JSON, an estate file the mock reads) and exit:
    /// `bench/prowler/run.sh` serves it from the standalone mock.
    #[arg(long, value_name = "FILE")]
    write_estate: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some(run::MEASURE) {
        return run::measure();
    }
    let args = Args::parse();
    let (aks, eks) = match args.shape {
        Clouds::Mixed => (args.clusters / 2, args.clusters - args.clusters / 2),
        Clouds::Aks => (args.clusters, 0),
        Clouds::Eks => (0, args.clusters),
    };
    let shape = Shape {
        aks,
        per_subscription: args.per_subscription.max(1),
        eks,
        per_region: args.per_region.max(1),
        regions: usize::from(args.regions),
    };
    if let Some(path) = &args.write_estate {
        let text = serde_json::to_vec(&estate::generate(&shape))?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}: {}", path.display(), shape.describe());
        return Ok(());
    }
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => run::build()?,
    };
    let in_flight = match run::flag_value(&args.scan_args, "--max-in-flight") {
        Some(v) => v.parse::<f64>().context("--max-in-flight")?,
        None => run::default_in_flight(&binary)?,
    };
    let plan = plan::minimal(&shape);
    let plan_total: u64 = plan.values().sum();
    let latency = Duration::from_millis(args.latency_ms);
    // The latency bound: the busiest API host's calls ÷ its slots × latency (the data planes
    // after the calls that must come before any of them, one after another).
    let (busiest, busiest_calls, busiest_slots, before) = plan::by_host(&shape)
        .into_iter()
        .map(|(host, calls)| {
            let before = if host == plan::DATA_PLANES { plan::before_data_planes(&shape) } else { 0 };
            (host, calls, in_flight, before)
        })
        .max_by(|a, b| (a.1 as f64 / a.2 + a.3 as f64).total_cmp(&(b.1 as f64 / b.2 + b.3 as f64)))
        .context("the plan has no calls")?;
    let latency_bound = (busiest_calls as f64 / busiest_slots + before as f64) * latency.as_secs_f64();
    let estate = Estate::from_value(estate::generate(&shape)).context("the generated estate")?;

    println!("kubeposture-bench: {}", shape.describe());
    println!(
        "  latency {} ms, rate limits {}, max-in-flight {in_flight}{}, {}",
        args.latency_ms,
        if args.rate_limits == Limits::Published { "published" } else { "off" },
        if run::flag_value(&args.scan_args, "--max-in-flight").is_some() { "" } else { " (default)" },
        run::machine()
    );
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut results = Vec::new();
    for i in 0..args.runs.max(1) {
        let opts = MockOptions {
            latency,
            rate_limits: (args.rate_limits == Limits::Published).then(RateLimits::published),
            ..MockOptions::default()
        };
        let mock = rt.block_on(MockCloud::start(estate.clone(), opts))?;
        let outcome = run::scan(&rt, &binary, &mock, &shape, &args.scan_args);
        let counters = mock.counters();
        let stats = mock.rate_limit_stats();
        rt.block_on(mock.shutdown());
        let outcome = outcome?;
        let (calls, throttled) = plan::observed(&counters);
        let total: u64 = calls.values().sum();
        let rate_bound = stats.iter().map(|s| s.bound_secs()).fold(0.0, f64::max);
        let bound = latency_bound.max(rate_bound);
        let ratio = outcome.wall.as_secs_f64() / bound;
        println!(
            "run {}: wall {:.1} s, scan CPU {:.1} s, exit {}, peak RSS {:.0} MiB, report {:.1} MB, calls {total} (plan {plan_total}), throttled {throttled}",
            i + 1,
            outcome.wall.as_secs_f64(),
            outcome.cpu.as_secs_f64(),
            outcome.exit_code,
            outcome.max_rss_kib as f64 / 1024.0,
            outcome.report_bytes as f64 / 1e6,
        );
        if total != plan_total {
            for op in plan.keys().chain(calls.keys()).collect::<std::collections::BTreeSet<_>>() {
                let (want, got) = (plan.get(op).copied().unwrap_or(0), calls.get(op).copied().unwrap_or(0));
                if want != got {
                    println!("    {op}: {got} calls, plan {want}");
                }
            }
        }
        let mut by_op: Vec<(&String, &u64)> =
            counters.iter().filter(|(k, v)| k.ends_with(":throttled") && !k.contains('@') && **v > 0).collect();
        by_op.sort_by(|a, b| b.1.cmp(a.1));
        if !by_op.is_empty() {
            let top: Vec<String> =
                by_op.iter().take(6).map(|(k, v)| format!("{} {v}", k.trim_end_matches(":throttled"))).collect();
            println!("    throttled by operation: {}", top.join(", "));
        }
        results.push(Result { outcome, total, throttled, latency_bound, rate_bound, ratio });
    }
    results.sort_by_key(|r| r.outcome.wall);
    let m = &results[results.len() / 2];
    println!("result{}:", if results.len() > 1 { format!(" (median of {})", results.len()) } else { String::new() });
    println!("  wall time     {:.1} s", m.outcome.wall.as_secs_f64());
    println!(
        "  lower bound   {:.1} s  ({})",
        m.latency_bound.max(m.rate_bound),
        if m.rate_bound > m.latency_bound {
            format!("rate limits: the busiest token bucket; calls ÷ in-flight × latency = {:.1} s", m.latency_bound)
        } else {
            format!(
                "the busiest API host, {busiest}: ({}{busiest_calls} calls ÷ {busiest_slots} in flight) × {} ms; all {plan_total} calls ÷ {in_flight} would be {:.1} s",
                if before > 0 { format!("{before} calls in a row before the first + ") } else { String::new() },
                args.latency_ms,
                plan_total as f64 / in_flight * latency.as_secs_f64()
            )
        }
    );
    println!("  ratio         {:.2}", m.ratio);
    println!("  peak RSS      {:.0} MiB", m.outcome.max_rss_kib as f64 / 1024.0);
    println!(
        "  scan CPU      {:.1} s ({:.0}% of one core over the wall time; the mock shares the cores)",
        m.outcome.cpu.as_secs_f64(),
        100.0 * m.outcome.cpu.as_secs_f64() / m.outcome.wall.as_secs_f64()
    );
    println!(
        "  API calls     {} (minimal plan {plan_total}{})",
        m.total,
        if m.total == plan_total { ", equal" } else { ", DIFFERENT" }
    );
    println!("  throttled     {}", m.throttled);
    println!("  exit code     {} ({} MB JSON report)", m.outcome.exit_code, m.outcome.report_bytes / 1_000_000);
    if args.check {
        for r in &results {
            if r.total != plan_total {
                bail!("calls {} differ from the minimal plan {plan_total}", r.total);
            }
            if !(0..=1).contains(&r.outcome.exit_code) {
                bail!("the scan exited {}: {}", r.outcome.exit_code, r.outcome.stderr_tail);
            }
        }
    }
    Ok(())
}

struct Result {
    outcome: run::Outcome,
    total: u64,
    throttled: u64,
    latency_bound: f64,
    rate_bound: f64,
    ratio: f64,
}
