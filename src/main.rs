//! kubeposture: managed Kubernetes posture scanner.

mod catalog_cmd;
mod cli;
mod config;
mod demo;
#[cfg(test)]
mod deploy_tests;
mod engine;
mod findings;
mod fingerprint;
mod history;
mod logging;
mod progress;
mod report;
mod report_cmd;
mod scan_cmd;
mod usage;
mod waivers;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match usage::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    logging::init(cli.log);
    let code = match cli.command {
        cli::Command::Checks { format } => catalog_cmd::list(format),
        cli::Command::Explain { id } => catalog_cmd::explain(&id),
        cli::Command::Scan(args) => runtime().and_then(|rt| rt.block_on(scan_cmd::run(*args))),
        cli::Command::Report(cmd) => runtime().and_then(|rt| rt.block_on(report_cmd::report(cmd))),
        cli::Command::Admins(cmd) => runtime().and_then(|rt| rt.block_on(report_cmd::admins(*cmd))),
        cli::Command::History(args) => runtime().and_then(|rt| rt.block_on(history::cmd::history(args))),
        cli::Command::Diff(args) => runtime().and_then(|rt| rt.block_on(history::cmd::diff(args))),
    };
    match code {
        Ok(c) => ExitCode::from(c),
        Err(e) => {
            eprintln!("error: {}", report::text::clean(&format!("{e:#}")));
            ExitCode::from(findings::exit::USAGE)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}
