//! `export`: a verified bundle as OSCAL Assessment Results or OCSF findings.

use super::*;

pub(crate) fn run(args: ExportArgs) -> Result<Exit, Failure> {
    use dms_evidence::export::{Source, ocsf, oscal};
    let (bytes, keys, checklists) =
        verification_inputs(&args.bundle, &args.public_keys, &args.checklist)?;
    let bundle_sha256 = dms_evidence::digest::sha256_hex(&bytes);
    let mut report = (!keys.is_empty()).then(|| {
        dms_evidence::verify::verify(bytes, &keys, usize::from(args.threshold), &checklists)
    });
    let verified = report.as_ref().is_some_and(|r| r.verified);
    if !verified && !args.allow_unverified {
        let why: Vec<String> = report
            .iter()
            .flat_map(|r| r.failures())
            .map(|c| format!("{}: {}", c.step, c.detail))
            .collect();
        return Err(Failure {
            exit: Exit::Invalid,
            error: anyhow::anyhow!(
                "{} does not verify ({}); nothing exported. Check the key with `dms-evidence verify`, \
                 or pass --allow-unverified to export it marked as unverified",
                args.bundle.display(),
                why.join("; ")
            ),
        });
    }
    // The signed evaluation is what is exported (as verification read it); an unsigned
    // document is judged again.
    let predicate = match report.as_mut().and_then(|r| r.predicate.take()) {
        Some(p) => p,
        None => bundle::predicate::load(&args.bundle).map_err(bad_input)?,
    };
    let evaluation = match &predicate.evaluation {
        Some(e) => e.clone(),
        None => dms_evidence::evaluate::evaluate(&predicate.evidence, &checklists[0]),
    };
    let checklist = checklists
        .iter()
        .find(|c| c.sha256 == evaluation.checklist.sha256)
        .unwrap_or(&checklists[0]);
    let source = Source {
        predicate: &predicate,
        evaluation: &evaluation,
        checklist,
        bundle_sha256,
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
    Ok(Exit::Done)
}
