//! The `dms-evidence` binary: parses the command line, sets up logging, and hands each
//! command to its module in `commands/` (which map failures to exit codes, docs/cli.md).

mod commands;

use std::process::ExitCode;

use clap::Parser;
use dms_evidence::cli::{Cli, Command};
use tracing_subscriber::EnvFilter;

use commands::{Exit, Failure};

/// The SDK's own targets whose debug and trace events carry credential material (access
/// key ids in endpoint resolution and signing, the credentials providers): held at `info`
/// whatever `-v` or `RUST_LOG` ask, so no log level prints a credential.
const CREDENTIAL_TARGETS: &[&str] = &[
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sigv4",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_sdk_sts",
    "aws_sdk_sso",
    "aws_sdk_ssooidc",
];

/// `RUST_LOG` (else the `-v` level), with [`CREDENTIAL_TARGETS`] capped at `info`.
fn log_filter(level: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    for target in CREDENTIAL_TARGETS {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Colour only on a terminal, and never with `NO_COLOR` set (https://no-color.org).
fn colour_logs() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(level))
        .with_ansi(colour_logs())
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dms-evidence: cannot start the async runtime: {err}");
            return Exit::Failed.into();
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("dms-evidence: {:#}", failure.error);
            failure.exit.into()
        }
    }
}

async fn run(cli: Cli) -> Result<Exit, Failure> {
    match cli.command {
        Command::Collect(args) => commands::collect::run(*args).await,
        Command::Doctor(args) => commands::doctor::run(*args).await,
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Fleet(args) => commands::fleet::run(*args).await,
        Command::FleetSummary(args) => commands::fleet::fleet_summary(args),
        Command::Init(args) => commands::init::run(args),
        Command::Completions(args) => commands::manual::completions(&args),
        Command::Man(args) => commands::manual::run(&args),
    }
}
