//! Building and running the `kubeposture` binary against the mock, measuring wall time and the
//! scan's peak RSS (from `wait4`, through a small launcher process: see `measure`).

use crate::estate::{self, Shape};
use anyhow::{Context, bail};
use kubeposture_mocks::MockCloud;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Outcome {
    pub wall: Duration,
    pub exit_code: i32,
    pub max_rss_kib: i64,
    /// The scan's CPU time (user + system).
    pub cpu: Duration,
    pub report_bytes: u64,
    pub stderr_tail: String,
}

/// `cargo build --release` of the kubeposture binary; its path.
pub fn build() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "kubeposture",
            "--bin",
            "kubeposture",
            "--message-format",
            "json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo to build kubeposture")?;
    if !out.status.success() {
        bail!("building kubeposture failed");
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if msg["reason"] == "compiler-artifact"
            && msg["target"]["name"] == "kubeposture"
            && let Some(exe) = msg["executable"].as_str()
        {
            return Ok(PathBuf::from(exe));
        }
    }
    bail!("cargo built no kubeposture executable")
}

/// The value of `--flag V` or `--flag=V` in `args`.
pub fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == flag {
            return it.next().map(String::as_str);
        }
        if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            return Some(v);
        }
    }
    None
}

/// `--max-in-flight`'s default, as `kubeposture scan --help` states it.
pub fn default_in_flight(binary: &Path) -> anyhow::Result<f64> {
    let out = Command::new(binary).args(["scan", "--help"]).output().context("cannot run kubeposture scan --help")?;
    let help = String::from_utf8_lossy(&out.stdout);
    let after = help.split("--max-in-flight").nth(1).context("scan --help names no --max-in-flight")?;
    let default = after.split("[default: ").nth(1).and_then(|d| d.split(']').next()).context("no default")?;
    Ok(default.trim().parse()?)
}

/// Cores and load, for the record.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{cores} cores, load average {}", load.join(" "))
}

/// Scans the mock with the binary: Azure as the estate's app (client secret), AWS as the
/// management account's scanner through the organization.
pub fn scan(
    rt: &tokio::runtime::Runtime,
    binary: &Path,
    mock: &MockCloud,
    shape: &Shape,
    extra: &[String],
) -> anyhow::Result<Outcome> {
    let _enter = rt.enter();
    let dir = std::env::temp_dir().join(format!("kubeposture-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ca = dir.join("mock-ca.pem");
    std::fs::write(&ca, mock.ca_pem())?;
    let url = mock.url();
    let cloud = match (shape.aks > 0, shape.eks > 0) {
        (true, true) => "all",
        (true, false) => "azure",
        _ => "aws",
    };
    let stderr_path = dir.join("stderr.txt");
    let mut cmd = Command::new(binary);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .env("AZURE_TENANT_ID", estate::TENANT)
        .env("AZURE_CLIENT_ID", estate::CLIENT)
        .env("AZURE_CLIENT_SECRET", estate::SECRET)
        .env("AWS_ACCESS_KEY_ID", estate::AKID)
        .env("AWS_SECRET_ACCESS_KEY", estate::AWS_SECRET)
        .env("AWS_REGION", crate::plan::BASE_REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .args(["scan", "--quiet", "--cloud", cloud, "--format", "json", "--output-dir"])
        .arg(&dir)
        .arg("--ca-cert")
        .arg(&ca);
    if shape.aks > 0 {
        cmd.args(["--azure-credential", "client-secret", "--authority-host", &url, "--arm-endpoint", &url]);
        cmd.args(["--graph-endpoint", &url]);
    }
    if shape.eks > 0 {
        cmd.args(["--aws-endpoint-url", &url, "--aws-organization", estate::ROLE]);
    }
    cmd.args(extra).stdin(Stdio::null()).stdout(Stdio::null()).stderr(std::fs::File::create(&stderr_path)?);
    let usage_path = dir.join("usage.txt");
    let mut launcher = Command::new(std::env::current_exe().context("the bench's own path")?);
    launcher.arg(MEASURE).arg(&usage_path).arg(cmd.get_program()).args(cmd.get_args());
    launcher.env_clear().envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    launcher
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::options().append(true).open(&stderr_path)?);
    let started = Instant::now();
    let status = launcher.status().context("cannot start kubeposture")?;
    let wall = started.elapsed();
    if !status.success() {
        bail!("the launcher failed: {}", std::fs::read_to_string(&stderr_path).unwrap_or_default());
    }
    let usage = std::fs::read_to_string(&usage_path).context("the launcher wrote no usage")?;
    let mut usage = usage.split_whitespace().map(str::parse::<i64>);
    let (Some(Ok(status)), Some(Ok(max_rss_kib)), Some(Ok(cpu_us))) = (usage.next(), usage.next(), usage.next()) else {
        bail!("the launcher's usage file is malformed");
    };
    let status = i32::try_from(status)?;
    let report = dir.join("kubeposture.json");
    let report_bytes = std::fs::metadata(&report).map(|m| m.len()).unwrap_or(0);
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let stderr_tail: String = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
    let _ = std::fs::remove_dir_all(&dir);
    let cpu = Duration::from_micros(u64::try_from(cpu_us)?);
    Ok(Outcome { wall, exit_code: status, max_rss_kib, cpu, report_bytes, stderr_tail })
}

/// The launcher's first argument.
pub const MEASURE: &str = "__measure-child";

/// `kubeposture-bench __measure-child USAGE_FILE PROGRAM ARGS…`: runs PROGRAM and writes its
/// exit code, peak RSS (KiB) and CPU time (µs) to USAGE_FILE. A child's `ru_maxrss` starts from its parent's
/// memory when the parent spawns it by vfork (as `std::process` does): spawned straight from the
/// bench, which holds the mock and the whole estate, it reported the bench's peak, not the
/// scan's. This small process is the parent instead.
pub fn measure() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(2).collect();
    let [usage_path, program, rest @ ..] = args.as_slice() else {
        bail!("usage: {MEASURE} USAGE_FILE PROGRAM ARGS…")
    };
    let child = Command::new(program).args(rest).spawn().context("cannot start the program")?;
    let (status, rusage) = wait4(child.id())?;
    let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    let cpu = micros(rusage.ru_utime) + micros(rusage.ru_stime);
    std::fs::write(usage_path, format!("{status} {} {cpu}\n", rusage.ru_maxrss))?;
    Ok(())
}

/// Waits for the child and returns its exit code and resource usage.
fn wait4(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(pid)?;
    // SAFETY: waits for a child this process spawned and has not reaped.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if got != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    Ok((code, usage))
}
