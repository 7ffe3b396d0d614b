//! Command-line definitions (clap derive). Parsing only; `main.rs` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Proves, from the AWS account itself, how AWS Database Migration Service was used.
#[derive(Debug, Parser)]
#[command(name = "dms-evidence", version, about, propagate_version = true)]
pub struct Cli {
    /// More log output on standard error (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assume the case study's read-only role, collect every DMS-related fact, and
    /// evaluate the checklist.
    Collect(Box<CollectArgs>),
    /// Check, before collecting, that everything the collector reads is reachable: your
    /// credentials, the role (trust policy, external id), each region, every read the
    /// collector makes (each probed once with its cheapest call), and the evidence sources
    /// that may be off. Writes no bundle and keeps no customer data; exit 0 when every
    /// required source is reachable, 7 when one is not.
    Doctor(Box<DoctorArgs>),
    /// Re-evaluate a saved evidence document or bundle offline (no AWS call).
    Evaluate(EvaluateArgs),
    /// Create an Ed25519 key pair for signing bundles.
    Keygen(KeygenArgs),
    /// Verify a signed bundle offline against trusted public keys.
    Verify(VerifyArgs),
    /// Compare last year's evidence with this year's (renewals).
    Diff(DiffArgs),
    /// Render the auditor's report of a bundle (HTML or Markdown).
    Report(ReportArgs),
    /// Collect many case studies (a fleet manifest), one signed bundle each, with a summary;
    /// shards of the fleet run as AWS Batch array jobs or Kubernetes Indexed Jobs.
    Fleet(Box<FleetArgs>),
    /// Merge the summaries of a fleet's shards into the summary of the whole run.
    FleetSummary(FleetSummaryArgs),
    /// Export a verified bundle as NIST OSCAL Assessment Results or OCSF Compliance
    /// Findings (deterministic: the same bundle exports the same bytes).
    Export(ExportArgs),
    /// Write a case-study manifest to fill in: every statement and claim the checklist
    /// reads, each commented with the items it serves, and the customer's instructions for
    /// the read-only role with a freshly generated external id. Never overwrites.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a directory.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The manifest to write (a new file: an existing one is never replaced).
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// The customer's AWS account (12 digits), the one the case study is about.
    #[arg(long, value_name = "ID")]
    pub account_id: String,
    /// A region the migration ran in; repeat for several.
    #[arg(long = "region", value_name = "REGION", required = true)]
    pub regions: Vec<String>,
    /// The account that runs dms-evidence and assumes the role (for the customer's
    /// CloudFormation command; a placeholder when not given).
    #[arg(long, value_name = "ID")]
    pub collector_account_id: Option<String>,
    /// The read-only role's name in the customer's account.
    #[arg(long, default_value = "dms-evidence-readonly")]
    pub role_name: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `dms-evidence completions bash > /etc/bash_completion.d/dms-evidence`.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write dms-evidence.1 and dms-evidence-<command>.1 here (new files only) instead of
    /// printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// NIST OSCAL Assessment Results (JSON, OSCAL 1.2.1), for GRC platforms.
    Oscal,
    /// OCSF Compliance Finding events (class 2003, OCSF 1.5.0) as JSON Lines, for
    /// Security Hub, Prowler and SIEM pipelines.
    Ocsf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The signed bundle to export.
    pub bundle: PathBuf,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Trusted public key(s): the bundle must verify against them before it is exported.
    #[arg(
        long = "public-key",
        value_name = "FILE",
        required_unless_present = "allow_unverified"
    )]
    pub public_keys: Vec<PathBuf>,
    /// How many trusted keys must have signed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub threshold: u16,
    /// A checklist definition besides the built-in one, for bundles judged by another.
    #[arg(long, value_name = "FILE")]
    pub checklist: Vec<PathBuf>,
    /// Export even when the bundle does not verify; the output then says so everywhere
    /// (OSCAL titles and props, OCSF `unmapped.verification`).
    #[arg(long)]
    pub allow_unverified: bool,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file (no external assets; prints on A4).
    Html,
    Md,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The bundle (or evidence document) to report on.
    pub bundle: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Trusted public key(s): the cover then states whether the signatures verify.
    #[arg(long = "public-key", value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older evidence document or bundle.
    pub old: PathBuf,
    /// The newer one.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where the private key goes (PKCS#8 PEM, mode 0600; never overwritten).
    #[arg(long, value_name = "FILE")]
    pub private_key: PathBuf,
    /// Where the public key goes (SPKI PEM): give it to verifiers.
    #[arg(long, value_name = "FILE")]
    pub public_key: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle (DSSE envelope) to verify.
    pub bundle: PathBuf,
    /// A trusted public key (SPKI PEM, Ed25519 or ECDSA P-256); repeat for several.
    #[arg(long = "public-key", value_name = "FILE", required = true)]
    pub public_keys: Vec<PathBuf>,
    /// How many trusted keys must have signed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub threshold: u16,
    /// A checklist definition besides the built-in one, for bundles judged by another.
    #[arg(long, value_name = "FILE")]
    pub checklist: Vec<PathBuf>,
    /// Last year's bundle, when this one is a renewal: check that it is the bundle the
    /// renewal names, that it verifies with the same keys, and that renewing it again
    /// gives exactly the renewal signed.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Renewing last year's bundle (collect and fleet).
#[derive(Debug, Clone, Args)]
pub struct RenewalArgs {
    /// A key that may have signed last year's bundle, besides this run's own signing
    /// keys (SPKI PEM); repeat for several.
    #[arg(long = "previous-key", value_name = "FILE")]
    pub previous_keys: Vec<PathBuf>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (colour on a terminal).
    Table,
    /// The evaluation as JSON, for machines.
    Json,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The evidence document `collect` wrote.
    pub evidence: PathBuf,
    /// Checklist definition (default: the built-in 2018 DMS checklist).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the evidence document here (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Checklist definition (default: the built-in 2018 DMS checklist).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
    #[command(flatten)]
    pub signing: SigningArgs,
    /// Exit as for a complete collection even when calls failed (the evidence still
    /// says `complete: false`).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Replace host names, IP addresses, CIDRs, database and user names and tag values
    /// in the facts and captures by salted HMAC tokens (evidence that leaves the partner).
    #[arg(long, requires = "redact_salt")]
    pub redact: bool,
    /// Warn about evidence that starts to disappear from AWS within this many days
    /// (`30d` or `30`), e.g. CloudWatch data near its retention.
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub expiring_within: Option<i64>,
    /// The salt for --redact (created with 32 random bytes, mode 0600, when missing).
    /// Keep it: it is what lets you, and only you, check a token against a name.
    #[arg(long, value_name = "FILE")]
    pub redact_salt: Option<PathBuf>,
    /// Renew last year's bundle of this case study: verify it, record its digest,
    /// carry forward the evidence AWS has since expired, and show what changed
    /// (exit 5 on a regression).
    #[arg(long, value_name = "BUNDLE")]
    pub previous: Option<PathBuf>,
    #[command(flatten)]
    pub renewal: RenewalArgs,
}

/// Which case study, account, role and regions (collect and doctor): a manifest, flags
/// that override it, or flags alone.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Case-study manifest (TOML): account, role, regions, statements, claims, attachments.
    #[arg(long, value_name = "FILE")]
    pub case_study: Option<PathBuf>,
    /// The customer's 12-digit AWS account id (overrides the manifest).
    #[arg(long)]
    pub account_id: Option<String>,
    /// ARN of the read-only IAM role in that account (overrides the manifest).
    #[arg(long)]
    pub role_arn: Option<String>,
    /// External id the role's trust policy requires (overrides the manifest).
    #[arg(long, env = "DMS_EVIDENCE_EXTERNAL_ID", hide_env_values = true)]
    pub external_id: Option<String>,
    /// Role session name (default: dms-evidence).
    #[arg(long)]
    pub session_name: Option<String>,
    /// Region to read; repeat for several (overrides the manifest).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Checklist definition the items fed are named from (default: the built-in one).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
    /// `text`: a table for people; `json`: the same checks for programs.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    pub format: DoctorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DoctorFormat {
    Text,
    Json,
}

/// How to reach AWS and how hard to push it (collect and fleet).
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Named profile for your own credentials (default: the standard chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every AWS call, STS included, to this endpoint (a local emulator).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Per-resource calls in flight per region.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Attempts per AWS call that fails other than by throttling (standard retry:
    /// jittered exponential backoff); throttled calls are retried longer.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds to wait for a connection.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub connect_timeout: u64,
    /// Seconds to wait for a response.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub read_timeout: u64,
    /// Days of CloudWatch history to read (CloudWatch keeps hourly data 455 days).
    #[arg(long, default_value_t = 455, value_parser = clap::value_parser!(i64).range(1..=455))]
    pub metric_days: i64,
}

/// Who signs the bundles.
#[derive(Debug, Clone, Args)]
pub struct SigningArgs {
    /// Sign the output with this Ed25519 private key (writes a DSSE bundle).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Sign with this AWS KMS key (ECC_NIST_P256, SIGN_VERIFY), using your own
    /// credentials (not the customer's role). Combine with --key for two signatures.
    #[arg(long, value_name = "ID")]
    pub kms_key_id: Option<String>,
    /// Write the KMS key's public key (SPKI PEM) here, for verifiers.
    #[arg(long, value_name = "FILE", requires = "kms_key_id")]
    pub kms_public_key_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The fleet manifest (TOML): the case studies, and how many run at once.
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,
    /// Where the bundles (`<id>.json`) and the summary go; created when missing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub signing: SigningArgs,
    /// Checklist definition (default: the built-in 2018 DMS checklist).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
    /// Run only this shard of the fleet (0-based: `0/4` … `3/4`); the case studies are
    /// partitioned by the hash of their id. Default: from AWS_BATCH_JOB_ARRAY_INDEX /
    /// AWS_BATCH_JOB_ARRAY_SIZE or JOB_COMPLETION_INDEX with --shards, else the whole fleet.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The shard count of an array job whose engine does not export it (Kubernetes
    /// Indexed Jobs: set it to the Job's `completions`).
    #[arg(long, env = "DMS_EVIDENCE_SHARDS", value_name = "N")]
    pub shards: Option<u32>,
    /// Case studies in flight at once (overrides the manifest's `concurrency`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Case studies of one AWS account in flight at once (overrides `per_account`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub per_account: Option<u16>,
    /// Keep each bundle an earlier run wrote that verifies with this run's keys.
    #[arg(long)]
    pub resume: bool,
    /// Do not fail the run for case studies whose collection was incomplete.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// List the case studies whose evidence starts to disappear from AWS within this
    /// many days (`30d` or `30`): collect them again before that.
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub expiring_within: Option<i64>,
    /// Last year's fleet output: each case study renews `DIR/<id>.json` when it exists
    /// (verified first; exit 5 when any case study regressed).
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    #[command(flatten)]
    pub renewal: RenewalArgs,
}

/// `30d` or `30`: a number of days, 1 to 3650.
fn parse_days(text: &str) -> Result<i64, String> {
    let digits = text.strip_suffix('d').unwrap_or(text);
    match digits.parse::<i64>() {
        Ok(n) if (1..=3650).contains(&n) => Ok(n),
        _ => Err(format!("{text:?}: give days as `30d` or `30` (1 to 3650)")),
    }
}

#[derive(Debug, Args)]
pub struct FleetSummaryArgs {
    /// Output directories of the shards (each holding summary-I-of-N.json).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Write the merged summary (JSON) here.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Do not fail for case studies whose collection was incomplete.
    #[arg(long)]
    pub allow_incomplete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn collect_flags_parse() {
        let cli = Cli::try_parse_from([
            "dms-evidence",
            "collect",
            "--account-id",
            "111111111111",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ])
        .expect("parses");
        let Command::Collect(args) = cli.command else {
            panic!("collect")
        };
        assert_eq!(args.target.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(args.aws.concurrency, 8);
        assert!(Cli::try_parse_from(["dms-evidence", "collect", "--concurrency", "0"]).is_err());
        for (text, ok) in [
            ("30d", Some(30)),
            ("7", Some(7)),
            ("0d", None),
            ("x", None),
            ("3651", None),
        ] {
            assert_eq!(parse_days(text).ok(), ok, "{text}");
        }
    }
}
