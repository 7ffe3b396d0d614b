//! The `dms-evidence` binary: parses the command line, sets up logging, runs the
//! pipeline, and maps failures to exit codes (see docs/cli.md).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use dms_evidence::bundle::{self, LocalKey, PublicKey, Signer};
use dms_evidence::casestudy::{self, Overrides};
use dms_evidence::cli::{
    Cli, CollectArgs, Command, DiffArgs, EvaluateArgs, Format, KeygenArgs, ReportArgs,
    ReportFormat, VerifyArgs,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level)),
        )
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
    }
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
    let d = dms_evidence::diff::diff(&old, &new, &old_eval, &new_eval);
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

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let bytes =
        dms_evidence::input::read_limited(&args.bundle, dms_evidence::input::MAX_DOCUMENT_BYTES)
            .map_err(bad_input)?;
    let keys = trusted_keys(&args.public_keys)?;
    let mut checklists = vec![checklist::load_default()];
    for path in &args.checklist {
        checklists.push(checklist::load(path).map_err(bad_input)?);
    }
    let report =
        dms_evidence::verify::verify(&bytes, &keys, usize::from(args.threshold), &checklists);
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
    getrandom::getrandom(salt.as_mut_slice())
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
    let opts = SessionOptions {
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts,
        connect_timeout: Duration::from_secs(args.connect_timeout),
        read_timeout: Duration::from_secs(args.read_timeout),
        ..SessionOptions::default()
    };
    let checklist = load_checklist(args.checklist.as_deref())?;
    let items: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
    case.check_attachment_items(&items).map_err(bad_input)?;
    let attachments = evidence::hash_attachments(&case).map_err(bad_input)?;
    let signers = signers(&args, &opts, &case.regions[0]).await?;
    let salt = match (&args.redact, &args.redact_salt) {
        (true, Some(path)) => Some(redact_salt(path)?),
        _ => None,
    };
    let mut plan = Plan::new(&case.account_id, case.regions.clone());
    plan.concurrency = usize::from(args.concurrency);
    plan.metric_days = args.metric_days;
    let salt = salt.as_ref().map(|s| s.as_slice());
    let doc = pipeline::collect(&case, attachments, &opts, plan, &checklist, salt)
        .await
        .map_err(|e| match e {
            CollectError::Attachment(_) => bad_input(e),
            CollectError::Session(_) | CollectError::Redact(_) => failed(e),
        })?;
    let code = collect_code(&doc, args.allow_incomplete);
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
async fn signers(
    args: &CollectArgs,
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

/// 6 when calls failed (unless allowed), otherwise the evaluation's code.
fn collect_code(doc: &bundle::Predicate, allow_incomplete: bool) -> ExitCode {
    let collection = &doc.evidence.collection;
    tracing::info!("AWS calls: {}", collection.calls_line());
    if !collection.complete {
        tracing::warn!("{}", collection.incomplete_note());
        if !allow_incomplete {
            return ExitCode::from(EXIT_INCOMPLETE);
        }
    }
    doc.evaluation
        .as_ref()
        .map_or(ExitCode::SUCCESS, verdict_code)
}
