//! Usage errors: one line on stderr and exit 3, clap's own included; flags checked up front
//! against the chosen cloud (a flag that would be silently ignored is an error).

use crate::cli::{Cli, CloudArg, Command, ScanArgs};
use crate::findings::exit;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// The parsed command line, or the exit code after printing help, the version or the error.
pub fn parse() -> Result<Cli, ExitCode> {
    parse_from(std::env::args_os()).map_err(|outcome| match outcome {
        Outcome::Printed => ExitCode::SUCCESS,
        Outcome::Usage(line) => {
            eprintln!("error: {line}");
            ExitCode::from(exit::USAGE)
        }
    })
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Help or version went to stdout.
    Printed,
    /// A usage error, as one line.
    Usage(String),
}

pub fn parse_from<I, T>(args: I) -> Result<Cli, Outcome>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = Cli::command().try_get_matches_from(args).map_err(clap_error)?;
    let cli = Cli::from_arg_matches(&matches).map_err(clap_error)?;
    if let (Command::Scan(args), Some(("scan", m))) = (&cli.command, matches.subcommand()) {
        check_scan(args, m).map_err(Outcome::Usage)?;
    }
    Ok(cli)
}

fn clap_error(e: clap::Error) -> Outcome {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            Outcome::Printed
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            Outcome::Usage("a command is required (see kubeposture --help)".into())
        }
        _ => Outcome::Usage(one_line(&e.render().to_string())),
    }
}

/// clap's message and tips on one line, without the usage block.
fn one_line(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.trim_start_matches("error: ").to_string());
        }
    }
    format!("{} (see --help)", parts.join("; "))
}

const AWS_FLAGS: &[(&str, &str)] = &[
    ("aws_profile", "--aws-profile"),
    ("aws_role_arn", "--aws-role-arn"),
    ("aws_external_id", "--aws-external-id"),
    ("aws_organization", "--aws-organization"),
    ("aws_ous", "--aws-ou"),
    ("aws_accounts", "--aws-account"),
    ("regions", "--region"),
    ("aws_endpoint_url", "--aws-endpoint-url"),
];

const AZURE_FLAGS: &[(&str, &str)] = &[
    ("subscriptions", "--subscription"),
    ("management_groups", "--management-group"),
    ("azure_credential", "--azure-credential"),
    ("authority_host", "--authority-host"),
    ("arm_endpoint", "--arm-endpoint"),
    ("graph_endpoint", "--graph-endpoint"),
    ("arm_api_version", "--arm-api-version"),
];

/// Login and endpoint flags, which the demo replaces with its mock cloud's.
const NOT_WITH_DEMO: &[(&str, &str)] = &[
    ("aws_profile", "--aws-profile"),
    ("aws_role_arn", "--aws-role-arn"),
    ("aws_external_id", "--aws-external-id"),
    ("aws_endpoint_url", "--aws-endpoint-url"),
    ("azure_credential", "--azure-credential"),
    ("authority_host", "--authority-host"),
    ("arm_endpoint", "--arm-endpoint"),
    ("graph_endpoint", "--graph-endpoint"),
    ("ca_cert", "--ca-cert"),
];

fn check_scan(args: &ScanArgs, m: &ArgMatches) -> Result<(), String> {
    let given =
        |id: &str| m.try_contains_id(id).unwrap_or(false) && m.value_source(id) == Some(ValueSource::CommandLine);
    let first = |flags: &[(&str, &'static str)]| flags.iter().find(|(id, _)| given(id)).map(|(_, f)| *f);
    if args.demo
        && let Some(flag) = first(NOT_WITH_DEMO)
    {
        return Err(format!("{flag} does not apply to --demo, which logs in to its own mock cloud"));
    }
    let cloud = args.cloud.unwrap_or(if args.demo { CloudArg::All } else { CloudArg::Azure });
    if cloud == CloudArg::Azure
        && let Some(flag) = first(AWS_FLAGS)
    {
        return Err(format!("{flag} applies to AWS: add --cloud aws (or --cloud all)"));
    }
    if cloud == CloudArg::Aws
        && let Some(flag) = first(AZURE_FLAGS)
    {
        return Err(format!("{flag} applies to Azure: add --cloud azure (or --cloud all)"));
    }
    if given("aws_external_id") && !given("aws_role_arn") && !given("aws_organization") {
        return Err(
            "--aws-external-id applies to the roles of --aws-role-arn or --aws-organization, and none is given".into(),
        );
    }
    if args.format.len() > 1 && args.output_dir.is_none() {
        return Err("several --format values need --output-dir".into());
    }
    Ok(())
}

/// `--subscription`: a subscription id is a GUID.
pub fn guid(s: &str) -> Result<String, String> {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups.iter().zip(lens).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("a subscription id is a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)".into())
    }
}

/// `--region`: an AWS region name (`eu-west-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`).
pub fn aws_region(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let word = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let ok = (3..=4).contains(&parts.len())
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(word)
        && parts[parts.len() - 1].parse::<u8>().is_ok_and(|n| n > 0);
    if ok { Ok(s.to_string()) } else { Err("an AWS region name looks like eu-west-1".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(args: &[&str]) -> String {
        let mut all = vec!["kubeposture"];
        all.extend_from_slice(args);
        match parse_from(all) {
            Err(Outcome::Usage(line)) => line,
            other => panic!("{args:?}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn each_usage_error_is_one_line() {
        for (args, says) in [
            (&["scan", "--fromat", "json"][..], "--fromat"),
            (&["scan", "--subscription", "prod"], "GUID"),
            (&["scan", "--cloud", "aws", "--region", "europe"], "eu-west-1"),
            (&["scan", "--region", "eu-west-1"], "add --cloud aws"),
            (
                &["scan", "--cloud", "aws", "--subscription", "aaaaaaaa-0000-0000-0000-000000000001"],
                "add --cloud azure",
            ),
            (&["scan", "--cloud", "aws", "--aws-external-id", "x"], "--aws-role-arn"),
            (&["scan", "--aws-organization", "reader"], "add --cloud aws"),
            (&["scan", "--cloud", "aws", "--management-group", "platform"], "add --cloud azure"),
            (&["scan", "--demo", "--aws-profile", "p"], "--demo"),
            (&["scan", "--log", "verbose"], "verbose"),
            (&["scan", "--max-retries", "1000"], "1000"),
            (&["scan", "--cloud", "gcp"], "gcp"),
            (&["scan", "--format", "json,csv"], "--output-dir"),
            (&[], "a command is required"),
        ] {
            let line = usage(args);
            assert!(line.contains(says), "{args:?}: {line}");
            assert!(!line.contains('\n'), "{args:?}: {line}");
        }
    }

    #[test]
    fn valid_flags_pass() {
        for args in [
            &["kubeposture", "scan", "--cloud", "aws", "--region", "us-gov-west-1", "--region", "cn-north-1"][..],
            &["kubeposture", "scan", "--subscription", "AAAAAAAA-0000-0000-0000-000000000001"],
            &["kubeposture", "scan", "--demo", "--region", "eu-west-1", "--log", "trace"],
            &["kubeposture", "scan", "--cloud", "aws", "--aws-organization", "reader", "--aws-external-id", "x"],
            &[
                "kubeposture",
                "scan",
                "--cloud",
                "all",
                "--aws-role-arn",
                "arn:aws:iam::1:role/r",
                "--aws-external-id",
                "x",
            ],
        ] {
            assert!(parse_from(args).is_ok(), "{args:?}");
        }
    }
}
