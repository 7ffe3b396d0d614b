//! The `dms-evidence` binary: parses the command line, sets up logging, runs the
//! pipeline, and maps failures to exit codes (see docs/cli.md).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use dms_evidence::bundle::{self, LocalKey, PublicKey, Signer};
use dms_evidence::casestudy::{self, Overrides};
use dms_evidence::cli::{
    AwsArgs, Cli, CollectArgs, Command, DiffArgs, EvaluateArgs, ExportArgs, ExportFormat,
    FleetArgs, FleetSummaryArgs, Format, KeygenArgs, ManArgs, ReportArgs, ReportFormat,
    SigningArgs, VerifyArgs,
};
use dms_evidence::collect::Plan;
use dms_evidence::evaluate::{self, Checklist, Evaluation, checklist};
use dms_evidence::evidence::{self, Evidence};
use dms_evidence::output;
use dms_evidence::pipeline::{self, CollectError};
use dms_evidence::session::SessionOptions;
use tracing_subscriber::EnvFilter;

/// Exit codes: 0 done, every item met or otherwise answered; 1 the tool failed
/// (AWS session, I/O); 2 bad input; 3 done, and at least one item is not met.
const EXIT_FAILED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_NOT_MET: u8 = 3;
/// verify: the bundle is invalid or was tampered with.
const EXIT_INVALID: u8 = 4;
/// diff: at least one checklist item regressed.
const EXIT_REGRESSION: u8 = 5;
/// collect: calls failed, so the evidence is incomplete (written, signed, and marked
/// `complete: false`); `--allow-incomplete` turns this off.
const EXIT_INCOMPLETE: u8 = 6;
/// `fleet`: this plus the number of case studies that failed (capped at 99).
const EXIT_FLEET_FAILED: u8 = 10;

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
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("dms-evidence: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

struct Failure {
    code: u8,
    error: anyhow::Error,
}

fn bad_input(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: EXIT_BAD_INPUT,
        error: error.into(),
    }
}

fn failed(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: EXIT_FAILED,
        error: error.into(),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Collect(args) => collect(*args).await,
        Command::Evaluate(args) => evaluate_file(args),
        Command::Keygen(args) => keygen(args),
        Command::Verify(args) => verify(args),
        Command::Diff(args) => diff(args),
        Command::Report(args) => report(args),
        Command::Export(args) => export(args),
        Command::Fleet(args) => fleet(*args).await,
        Command::FleetSummary(args) => fleet_summary(args),
        Command::Completions(args) => {
            output::write_text(&output::completions(args.shell), None).map_err(failed)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man(args) => man(&args),
    }
}

/// The manual: the main page on standard output, or every page written into a directory.
fn man(args: &ManArgs) -> Result<ExitCode, Failure> {
    let pages = output::man_pages().map_err(failed)?;
    let Some(dir) = &args.out_dir else {
        let main = pages
            .first()
            .map(|(_, page)| page.as_slice())
            .unwrap_or_default();
        output::write_text(&String::from_utf8_lossy(main), None).map_err(failed)?;
        return Ok(ExitCode::SUCCESS);
    };
    if !dir.is_dir() {
        return Err(bad_input(anyhow::anyhow!(
            "--out-dir {}: not a directory; create it first",
            dir.display()
        )));
    }
    for (name, page) in &pages {
        output::write_text(&String::from_utf8_lossy(page), Some(&dir.join(name)))
            .map_err(bad_input)?;
    }
    tracing::info!(pages = pages.len(), dir = %dir.display(), "manual pages written");
    Ok(ExitCode::SUCCESS)
}

fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    use dms_evidence::report::{self, Status};
    // The report shows the signers the bundle names and judges it again from its facts.
    let predicate = bundle::predicate::load(&args.bundle).map_err(bad_input)?;
    let eval = evaluate::evaluate(&predicate.evidence, &checklist::load_default());
    let keys = trusted_keys(&args.public_keys)?;
    let verification = (!keys.is_empty()).then(|| {
        let bytes = dms_evidence::input::read_limited(
            &args.bundle,
            dms_evidence::input::MAX_DOCUMENT_BYTES,
        )
        .unwrap_or_default();
        dms_evidence::verify::verify(&bytes, &keys, 1, &[checklist::load_default()])
    });
    let status = match &verification {
        Some(r) if r.verified => Status::Verified(r),
        Some(r) => Status::Failed(r),
        None => Status::NotChecked,
    };
    let text = match args.format {
        ReportFormat::Html => report::html(&predicate, &eval, &status),
        ReportFormat::Md => report::markdown(&predicate, &eval, &status),
    }
    .map_err(failed)?;
    output::write_text(&text, args.out.as_deref())
        .context("writing the report")
        .map_err(failed)?;
    Ok(match verification {
        Some(r) if !r.verified => ExitCode::from(EXIT_INVALID),
        _ => ExitCode::SUCCESS,
    })
}

fn diff(args: DiffArgs) -> Result<ExitCode, Failure> {
    let checklist = checklist::load_default();
    let old = load_evidence(&args.old)?;
    let new = load_evidence(&args.new)?;
    let (old_eval, new_eval) = (
        evaluate::evaluate(&old, &checklist),
        evaluate::evaluate(&new, &checklist),
    );
    let d = dms_evidence::diff::diff(&old, &new, &old_eval, &new_eval, &checklist);
    match args.format {
        Format::Json => output::write_json(&d, None),
        Format::Table => output::write_text(&output::diff_text(&d), None),
    }
    .context("writing the diff")
    .map_err(failed)?;
    Ok(if d.regressions > 0 {
        ExitCode::from(EXIT_REGRESSION)
    } else {
        ExitCode::SUCCESS
    })
}

fn keygen(args: KeygenArgs) -> Result<ExitCode, Failure> {
    let key = LocalKey::generate().map_err(failed)?;
    key.write(&args.private_key, &args.public_key)
        .map_err(bad_input)?;
    tracing::info!(keyid = %key.public().keyid(), "key pair written");
    output::write_text(&format!("keyid {}\n", key.public().keyid()), None).map_err(failed)?;
    Ok(ExitCode::SUCCESS)
}

fn trusted_keys(paths: &[std::path::PathBuf]) -> Result<Vec<PublicKey>, Failure> {
    paths
        .iter()
        .map(|p| PublicKey::load(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad_input)
}

/// What verifying a bundle needs: its bytes, the trusted keys, and the checklists it may
/// have been judged by (the built-in one first).
type VerificationInputs = (Vec<u8>, Vec<PublicKey>, Vec<Checklist>);

fn verification_inputs(
    bundle: &std::path::Path,
    public_keys: &[std::path::PathBuf],
    extra_checklists: &[std::path::PathBuf],
) -> Result<VerificationInputs, Failure> {
    let bytes = dms_evidence::input::read_limited(bundle, dms_evidence::input::MAX_DOCUMENT_BYTES)
        .map_err(bad_input)?;
    let keys = trusted_keys(public_keys)?;
    let mut checklists = vec![checklist::load_default()];
    for path in extra_checklists {
        checklists.push(checklist::load(path).map_err(bad_input)?);
    }
    Ok((bytes, keys, checklists))
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let (bytes, keys, checklists) =
        verification_inputs(&args.bundle, &args.public_keys, &args.checklist)?;
    let mut report =
        dms_evidence::verify::verify(&bytes, &keys, usize::from(args.threshold), &checklists);
    if let Some(previous) = &args.previous {
        let old =
            dms_evidence::input::read_limited(previous, dms_evidence::input::MAX_DOCUMENT_BYTES)
                .map_err(bad_input)?;
        dms_evidence::renewal::chain(&mut report, &old, &keys, &checklists);
    }
    match args.format {
        Format::Json => output::write_json(&report, None),
        Format::Table => output::write_text(&output::verify_table(&report), None),
    }
    .context("writing the verification report")
    .map_err(failed)?;
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    })
}

fn export(args: ExportArgs) -> Result<ExitCode, Failure> {
    use dms_evidence::export::{Source, ocsf, oscal};
    let (bytes, keys, checklists) =
        verification_inputs(&args.bundle, &args.public_keys, &args.checklist)?;
    let report = (!keys.is_empty()).then(|| {
        dms_evidence::verify::verify(&bytes, &keys, usize::from(args.threshold), &checklists)
    });
    let verified = report.as_ref().is_some_and(|r| r.verified);
    if !verified && !args.allow_unverified {
        let why: Vec<String> = report
            .iter()
            .flat_map(|r| r.failures())
            .map(|c| format!("{}: {}", c.step, c.detail))
            .collect();
        return Err(Failure {
            code: EXIT_INVALID,
            error: anyhow::anyhow!(
                "{} does not verify ({}); nothing exported. Check the key with `dms-evidence verify`, \
                 or pass --allow-unverified to export it marked as unverified",
                args.bundle.display(),
                why.join("; ")
            ),
        });
    }
    // The signed evaluation is what is exported; an unsigned document is judged again.
    let predicate = bundle::predicate::load(&args.bundle).map_err(bad_input)?;
    let evaluation = match &predicate.evaluation {
        Some(e) => e.clone(),
        None => evaluate::evaluate(&predicate.evidence, &checklists[0]),
    };
    let checklist = checklists
        .iter()
        .find(|c| c.sha256 == evaluation.checklist.sha256)
        .unwrap_or(&checklists[0]);
    let source = Source {
        predicate: &predicate,
        evaluation: &evaluation,
        checklist,
        bundle_sha256: dms_evidence::digest::sha256_hex(&bytes),
        signed_by: report.map(|r| r.signed_by).unwrap_or_default(),
        verified,
    };
    let written = match args.format {
        ExportFormat::Oscal => {
            output::write_json(&oscal::assessment_results(&source), args.out.as_deref())
        }
        ExportFormat::Ocsf => output::write_text(
            &output::json_lines(&ocsf::events(&source)),
            args.out.as_deref(),
        ),
    };
    written.context("writing the export").map_err(failed)?;
    Ok(ExitCode::SUCCESS)
}

async fn fleet(args: FleetArgs) -> Result<ExitCode, Failure> {
    use dms_evidence::fleet::{self, Settings, Shard, Summary};
    let mut manifest = fleet::manifest::load(&args.manifest).map_err(bad_input)?;
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text).map_err(bad_input)?),
        None => Shard::from_env(|k| std::env::var(k).ok(), args.shards).map_err(bad_input)?,
    };
    manifest.concurrency = args.jobs.map_or(manifest.concurrency, usize::from);
    manifest.per_account = args.per_account.map_or(manifest.per_account, usize::from);
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create --out-dir {}", args.out_dir.display()))
        .map_err(bad_input)?;
    let summary_path = args.out_dir.join(Summary::file_name(shard));
    output::check_writable(&summary_path)
        .context("--out-dir is not writable; nothing was collected")
        .map_err(bad_input)?;
    let checklist = load_checklist(args.checklist.as_deref())?;
    let opts = session_options(&args.aws);
    // A KMS key given by id or alias is in the runner's own region.
    let home = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .unwrap_or_else(|| "us-east-1".into());
    let signers = signers(&args.signing, &opts, &home).await?;
    if signers.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "a fleet writes signed bundles: give --key or --kms-key-id"
        )));
    }
    let settings = Settings {
        session: opts,
        concurrency: usize::from(args.aws.concurrency),
        metric_days: args.aws.metric_days,
        out_dir: args.out_dir.clone(),
        resume: args.resume,
        previous: args.previous.clone(),
        previous_keys: trusted_keys(&args.renewal.previous_keys)?,
    };
    if let Some(dir) = &args.previous {
        if !dir.is_dir() {
            return Err(bad_input(anyhow::anyhow!(
                "--previous {} is not a directory: give last year's --out-dir",
                dir.display()
            )));
        }
        if same_file(dir, &args.out_dir) {
            return Err(bad_input(anyhow::anyhow!(
                "--previous and --out-dir are both {}: this run would overwrite the bundles \
                 its chain points at; write this year's run to a new directory",
                dir.display()
            )));
        }
    }
    tracing::info!(case_studies = manifest.entries.len(), shard = ?shard.map(|s| s.to_string()), "fleet starting");
    let summary = fleet::run(
        &manifest,
        shard,
        settings,
        signers,
        checklist,
        output::fleet_progress(),
    )
    .await;
    output::write_json(&summary, Some(&summary_path))
        .context("writing the fleet summary")
        .map_err(failed)?;
    output::write_text(&output::fleet_table(&summary), None)
        .context("writing the fleet table")
        .map_err(failed)?;
    if let Some(days) = args.expiring_within {
        let soon: Vec<(String, String)> = summary
            .case_studies
            .iter()
            .filter_map(|r| Some((r.id.clone(), r.expires.clone()?)))
            .filter(|(_, when)| within(when, days))
            .collect();
        output::notice(&output::expiring_lines(&soon, days));
    }
    Ok(fleet_code(&summary, args.allow_incomplete))
}

fn fleet_summary(args: FleetSummaryArgs) -> Result<ExitCode, Failure> {
    use dms_evidence::fleet::Summary;
    let parts = Summary::read_dirs(&args.dirs).map_err(bad_input)?;
    let merged = Summary::merge(parts).map_err(bad_input)?;
    if let Some(out) = &args.out {
        output::write_json(&merged, Some(out))
            .context("writing the merged summary")
            .map_err(failed)?;
    }
    output::write_text(&output::fleet_table(&merged), None)
        .context("writing the fleet table")
        .map_err(failed)?;
    Ok(fleet_code(&merged, args.allow_incomplete))
}

/// 0 every case study ready; 3 some blocked; 5 some renewal regressed; 6 some
/// incomplete; 10 + n when n case studies failed (at most 109): schedulers see at a
/// glance how many need a look.
fn fleet_code(summary: &dms_evidence::fleet::Summary, allow_incomplete: bool) -> ExitCode {
    use dms_evidence::fleet::Outcome;
    let failed = summary.count(Outcome::Failed);
    if failed > 0 {
        return ExitCode::from(EXIT_FLEET_FAILED + u8::try_from(failed.min(99)).unwrap_or(99));
    }
    if summary.count(Outcome::Incomplete) > 0 && !allow_incomplete {
        return ExitCode::from(EXIT_INCOMPLETE);
    }
    if summary.regressed() > 0 {
        return ExitCode::from(EXIT_REGRESSION);
    }
    if summary.count(Outcome::Blocked) > 0 {
        return ExitCode::from(EXIT_NOT_MET);
    }
    ExitCode::SUCCESS
}

/// Whether an RFC 3339 time falls within `days` from now (or is already past).
fn within(when: &str, days: i64) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    dms_evidence::time::parse_rfc3339(when).is_some_and(|t| t.secs() <= now + days * 86_400)
}

fn load_checklist(path: Option<&std::path::Path>) -> Result<Checklist, Failure> {
    match path {
        Some(p) => checklist::load(p).map_err(bad_input),
        None => Ok(checklist::load_default()),
    }
}

/// The --redact salt: read, or created (32 random bytes, mode 0600) when missing.
fn redact_salt(path: &std::path::Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    if path.exists() {
        let bytes = dms_evidence::input::read_limited(path, 4096).map_err(bad_input)?;
        if bytes.len() < 16 {
            return Err(bad_input(anyhow::anyhow!(
                "{}: a salt needs at least 16 bytes",
                path.display()
            )));
        }
        return Ok(zeroize::Zeroizing::new(bytes));
    }
    let mut salt = zeroize::Zeroizing::new(vec![0u8; 32]);
    getrandom::fill(salt.as_mut_slice())
        .map_err(|e| failed(anyhow::anyhow!("cannot create a salt: {e}")))?;
    output::write_secret(path, &salt)
        .with_context(|| "writing the --redact salt")
        .map_err(bad_input)?;
    Ok(salt)
}

/// 0 only when the case study is ready: every item met, attested or not
/// applicable (groups of alternatives count as one); otherwise 3.
fn verdict_code(eval: &Evaluation) -> ExitCode {
    if !eval.summary.ready {
        ExitCode::from(EXIT_NOT_MET)
    } else {
        ExitCode::SUCCESS
    }
}

/// An evidence document or a bundle's predicate. The stored evaluation is dropped:
/// everything is judged again from the facts. Signatures are not checked (`verify` does).
fn load_evidence(path: &std::path::Path) -> Result<Evidence, Failure> {
    bundle::predicate::load(path)
        .map(|p| p.evidence)
        .map_err(bad_input)
}

fn evaluate_file(args: EvaluateArgs) -> Result<ExitCode, Failure> {
    let checklist = load_checklist(args.checklist.as_deref())?;
    let evidence = load_evidence(&args.evidence)?;
    let eval = evaluate::evaluate(&evidence, &checklist);
    match args.format {
        Format::Json => output::write_json(&eval, args.out.as_deref()),
        Format::Table => {
            use std::io::IsTerminal;
            let colour = args.out.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            output::write_text(&output::findings_table(&eval, colour), args.out.as_deref())
        }
    }
    .context("writing the evaluation")
    .map_err(failed)?;
    Ok(verdict_code(&eval))
}

async fn collect(args: CollectArgs) -> Result<ExitCode, Failure> {
    let overrides = Overrides {
        account_id: args.account_id.clone(),
        role_arn: args.role_arn.clone(),
        external_id: args.external_id.clone(),
        session_name: args.session_name.clone(),
        regions: args.regions.clone(),
    };
    let case = casestudy::resolve(args.case_study.as_deref(), &overrides).map_err(bad_input)?;
    // Everything that can be wrong with the input is found before any AWS call.
    if let Some(out) = &args.out {
        output::check_writable(out)
            .context("--out is not writable; nothing was collected")
            .map_err(bad_input)?;
    }
    let opts = session_options(&args.aws);
    let checklist = load_checklist(args.checklist.as_deref())?;
    let items: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
    case.check_attachment_items(&items).map_err(bad_input)?;
    let attachments = evidence::hash_attachments(&case).map_err(bad_input)?;
    let signers = signers(&args.signing, &opts, &case.regions[0]).await?;
    let previous = match &args.previous {
        Some(path) if args.out.as_deref().is_some_and(|out| same_file(path, out)) => {
            return Err(bad_input(anyhow::anyhow!(
                "--previous and --out are both {}: the renewal would overwrite the bundle \
                 its chain points at; write it to a new file",
                path.display()
            )));
        }
        Some(path) => Some(previous_bundle(
            path,
            &case,
            &signers,
            &args.renewal,
            &checklist,
        )?),
        None => None,
    };
    let salt = match (&args.redact, &args.redact_salt) {
        (true, Some(path)) => Some(redact_salt(path)?),
        _ => None,
    };
    let mut plan = Plan::new(&case.account_id, case.regions.clone());
    plan.concurrency = usize::from(args.aws.concurrency);
    plan.metric_days = args.aws.metric_days;
    let salt = salt.as_ref().map(|s| s.as_slice());
    let mut doc = pipeline::collect(&case, attachments, &opts, plan, &checklist, salt)
        .await
        .map_err(|e| match e {
            CollectError::Attachment(_) => bad_input(e),
            CollectError::Session(_) | CollectError::Redact(_) => failed(e),
        })?;
    if let Some(prev) = &previous {
        renew(&mut doc, prev, &checklist)?;
    }
    let code = collect_code(&doc, args.allow_incomplete);
    if let (Some(days), Some(eval)) = (args.expiring_within, &doc.evaluation) {
        let soon: Vec<(String, String)> = eval
            .expiry
            .iter()
            .filter(|x| within(&x.expires, days))
            .map(|x| {
                (
                    format!("{} ({}, {})", x.item, x.evidence, x.basis),
                    x.expires.clone(),
                )
            })
            .collect();
        output::notice(&output::expiring_lines(&soon, days));
    }
    if signers.is_empty() {
        output::write_json(&doc, args.out.as_deref())
    } else {
        let envelope = bundle::seal(doc, &signers).await.map_err(failed)?;
        output::write_json(&envelope, args.out.as_deref())
    }
    .context("writing the evidence")
    .map_err(failed)?;
    Ok(code)
}

/// The signers (`--key`, `--kms-key-id`), ready before the collection starts so that a
/// bad key costs no AWS call. KMS is reached with the caller's own credentials.
fn session_options(aws: &AwsArgs) -> SessionOptions {
    SessionOptions {
        profile: aws.profile.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        max_attempts: aws.max_attempts,
        connect_timeout: Duration::from_secs(aws.connect_timeout),
        read_timeout: Duration::from_secs(aws.read_timeout),
        ..SessionOptions::default()
    }
}

async fn signers(
    args: &SigningArgs,
    opts: &SessionOptions,
    home_region: &str,
) -> Result<Vec<Signer>, Failure> {
    let mut signers = Vec::new();
    if let Some(path) = &args.key {
        signers.push(Signer::Local(LocalKey::load(path).map_err(bad_input)?));
    }
    if let Some(key_id) = &args.kms_key_id {
        let region = key_id
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or(home_region)
            .to_string();
        let client =
            aws_sdk_kms::Client::new(&dms_evidence::session::base_config(opts, &region).await);
        let signer = Signer::kms(client, key_id).await.map_err(failed)?;
        if let Some(out) = &args.kms_public_key_out {
            output::write_text(&signer.public().to_pem(), Some(out)).map_err(failed)?;
        }
        signers.push(signer);
    }
    Ok(signers)
}

/// 6 when calls failed (unless allowed); for a renewal 5 on a regression, else 3
/// unless ready counting carried-forward evidence; otherwise the evaluation's code.
fn collect_code(doc: &bundle::Predicate, allow_incomplete: bool) -> ExitCode {
    let collection = &doc.evidence.collection;
    tracing::info!("AWS calls: {}", collection.calls_line());
    if !collection.complete {
        tracing::warn!("{}", collection.incomplete_note());
        if !allow_incomplete {
            return ExitCode::from(EXIT_INCOMPLETE);
        }
    }
    match &doc.renewal {
        Some(r) if r.regressions > 0 => ExitCode::from(EXIT_REGRESSION),
        Some(r) if r.ready => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(EXIT_NOT_MET),
        None => doc
            .evaluation
            .as_ref()
            .map_or(ExitCode::SUCCESS, verdict_code),
    }
}

/// Links the collected document to last year's bundle and shows the renewal diff
/// (judged as `diff` judges it, from both evaluations as signed).
fn renew(
    doc: &mut bundle::Predicate,
    prev: &dms_evidence::renewal::Previous,
    checklist: &Checklist,
) -> Result<(), Failure> {
    doc.renewal = Some(
        dms_evidence::renewal::renew(prev, doc, checklist)
            .context("renewing --previous")
            .map_err(bad_input)?,
    );
    if let (Some(old_eval), Some(new_eval)) = (&prev.predicate.evaluation, &doc.evaluation) {
        let d = dms_evidence::diff::diff(
            &prev.predicate.evidence,
            &doc.evidence,
            old_eval,
            new_eval,
            checklist,
        );
        output::notice(&output::diff_text(&d));
    }
    Ok(())
}

/// Whether two paths name the same existing file or directory.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `collect --previous`: last year's bundle of this case study, verified with this
/// run's signing keys and the `--previous-key`s before any AWS call.
fn previous_bundle(
    path: &std::path::Path,
    case: &casestudy::CaseStudy,
    signers: &[Signer],
    args: &dms_evidence::cli::RenewalArgs,
    checklist: &Checklist,
) -> Result<dms_evidence::renewal::Previous, Failure> {
    let mut keys: Vec<PublicKey> = signers.iter().map(Signer::public).collect();
    keys.extend(trusted_keys(&args.previous_keys)?);
    if keys.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "--previous needs a key to verify {} with: sign this run with --key or \
             --kms-key-id, or pass --previous-key",
            path.display()
        )));
    }
    let prev = dms_evidence::renewal::load_previous(path, &keys, std::slice::from_ref(checklist))
        .map_err(bad_input)?;
    if prev.link.account != case.account_id {
        return Err(bad_input(dms_evidence::renewal::RenewalError::Account {
            previous: prev.link.account,
            current: case.account_id.clone(),
        }));
    }
    Ok(prev)
}
