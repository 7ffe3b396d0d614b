//! `report`: the auditor's report of a bundle (HTML or Markdown).

use super::*;

pub(crate) fn run(args: ReportArgs) -> Result<Exit, Failure> {
    use dms_evidence::report::{self, Status};
    // The report shows the signers the bundle names and judges it again from its facts;
    // a verified bundle is read once, by verification.
    let keys = trusted_keys(&args.public_keys)?;
    let mut verification = (!keys.is_empty()).then(|| {
        let bytes = dms_evidence::input::read_limited(
            &args.bundle,
            dms_evidence::input::MAX_DOCUMENT_BYTES,
        )
        .unwrap_or_default();
        dms_evidence::verify::verify(bytes, &keys, 1, &[checklist::load_default()])
    });
    let verified = verification
        .as_mut()
        .filter(|r| r.verified)
        .and_then(|r| r.predicate.take());
    let predicate = match verified {
        Some(p) => p,
        None => bundle::predicate::load(&args.bundle).map_err(bad_input)?,
    };
    let eval = dms_evidence::evaluate::evaluate(&predicate.evidence, &checklist::load_default());
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
        Some(r) if !r.verified => Exit::Invalid,
        _ => Exit::Done,
    })
}
