//! The commands, one module per subcommand (`main.rs` only parses and dispatches), the
//! exit statuses they end with, and what several of them share: keys, checklists,
//! evidence files, signers and salts.

pub mod collect;
pub mod diff;
pub mod doctor;
pub mod evaluate;
pub mod export;
pub mod fleet;
pub mod init;
pub mod keygen;
pub mod manual;
pub mod report;
pub mod verify;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use dms_evidence::bundle::{self, LocalKey, PublicKey, Signer};
use dms_evidence::casestudy::{self, Overrides};
use dms_evidence::cli::{
    AwsArgs, CollectArgs, DiffArgs, EvaluateArgs, ExportArgs, ExportFormat, FleetArgs,
    FleetSummaryArgs, Format, InitArgs, KeygenArgs, ManArgs, ReportArgs, ReportFormat, SigningArgs,
    TargetArgs, VerifyArgs,
};
use dms_evidence::collect::Plan;
use dms_evidence::evaluate::{Checklist, Evaluation, checklist};
use dms_evidence::evidence::{self, Evidence};
use dms_evidence::output;
use dms_evidence::pipeline::{self, CollectError};
use dms_evidence::session::SessionOptions;
use dms_evidence::time::Timestamp;

/// How a command ends: the process's exit status (docs/cli.md, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; every item met, attested or not applicable, or nothing to judge.
    Done,
    /// 1: the tool failed (AWS session, I/O).
    Failed,
    /// 2: bad input (a file, a flag, a manifest line).
    BadInput,
    /// 3: done, and something blocks the case study.
    NotMet,
    /// 4: `verify`: the bundle is invalid or was tampered with.
    Invalid,
    /// 5: `diff` or a renewal: at least one checklist item regressed.
    Regression,
    /// 6: calls failed, so the evidence is incomplete (written, signed, and marked
    /// `complete: false`); `--allow-incomplete` turns this off.
    Incomplete,
    /// 7: `doctor`: a source `collect` needs is not reachable (denied, not enabled,
    /// throttled or unreachable).
    NotReady,
    /// 10 + n: `fleet`: n case studies failed (counted up to 99).
    FleetFailed(usize),
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Failed => 1,
            Exit::BadInput => 2,
            Exit::NotMet => 3,
            Exit::Invalid => 4,
            Exit::Regression => 5,
            Exit::Incomplete => 6,
            Exit::NotReady => 7,
            Exit::FleetFailed(n) => 10 + u8::try_from(n.min(99)).unwrap_or(99),
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) error: anyhow::Error,
}

pub(crate) fn bad_input(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        exit: Exit::BadInput,
        error: error.into(),
    }
}

pub(crate) fn failed(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        exit: Exit::Failed,
        error: error.into(),
    }
}

pub(crate) fn trusted_keys(paths: &[std::path::PathBuf]) -> Result<Vec<PublicKey>, Failure> {
    paths
        .iter()
        .map(|p| PublicKey::load(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad_input)
}

/// What verifying a bundle needs: its bytes, the trusted keys, and the checklists it may
/// have been judged by (the built-in one first).
pub(crate) type VerificationInputs = (Vec<u8>, Vec<PublicKey>, Vec<Checklist>);

pub(crate) fn verification_inputs(
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

/// Whether a time falls within `days` from now (or is already past).
pub(crate) fn within(when: Timestamp, days: i64) -> bool {
    when <= Timestamp::now() + time::Duration::days(days)
}

/// The case study the flags name: a manifest, overridden by flags, or flags alone.
pub(crate) fn case_study(target: &TargetArgs) -> Result<casestudy::CaseStudy, Failure> {
    let overrides = Overrides {
        account_id: target.account_id.clone(),
        role_arn: target.role_arn.clone(),
        external_id: target.external_id.clone(),
        session_name: target.session_name.clone(),
        regions: target.regions.clone(),
    };
    casestudy::resolve(target.case_study.as_deref(), &overrides).map_err(bad_input)
}

pub(crate) fn load_checklist(path: Option<&std::path::Path>) -> Result<Checklist, Failure> {
    match path {
        Some(p) => checklist::load(p).map_err(bad_input),
        None => Ok(checklist::load_default()),
    }
}

/// The --redact salt: read, or created (32 random bytes, mode 0600) when missing.
pub(crate) fn redact_salt(path: &std::path::Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
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
pub(crate) fn verdict_code(eval: &Evaluation) -> Exit {
    if !eval.summary.ready {
        Exit::NotMet
    } else {
        Exit::Done
    }
}

/// An evidence document or a bundle's predicate. The stored evaluation is dropped:
/// everything is judged again from the facts. Signatures are not checked (`verify` does).
pub(crate) fn load_evidence(path: &std::path::Path) -> Result<Evidence, Failure> {
    bundle::predicate::load(path)
        .map(|p| p.evidence)
        .map_err(bad_input)
}

/// The signers (`--key`, `--kms-key-id`), ready before the collection starts so that a
/// bad key costs no AWS call. KMS is reached with the caller's own credentials.
pub(crate) fn session_options(aws: &AwsArgs) -> SessionOptions {
    SessionOptions {
        profile: aws.profile.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        max_attempts: aws.max_attempts,
        connect_timeout: Duration::from_secs(aws.connect_timeout),
        read_timeout: Duration::from_secs(aws.read_timeout),
        ..SessionOptions::default()
    }
}

pub(crate) async fn signers(
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

/// Whether two paths name the same existing file or directory.
pub(crate) fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `collect --previous`: last year's bundle of this case study, verified with this
/// run's signing keys and the `--previous-key`s before any AWS call.
pub(crate) fn previous_bundle(
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

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn exit_codes_are_those_docs_cli_lists() {
        for (exit, code) in [
            (Exit::Done, 0),
            (Exit::Failed, 1),
            (Exit::BadInput, 2),
            (Exit::NotMet, 3),
            (Exit::Invalid, 4),
            (Exit::Regression, 5),
            (Exit::Incomplete, 6),
            (Exit::NotReady, 7),
            (Exit::FleetFailed(1), 11),
            (Exit::FleetFailed(99), 109),
            (Exit::FleetFailed(5000), 109),
        ] {
            assert_eq!(exit.code(), code, "{exit:?}");
        }
    }
}
