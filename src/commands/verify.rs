//! `verify`: a signed bundle checked offline, step by step.

use super::*;

pub(crate) fn run(args: VerifyArgs) -> Result<Exit, Failure> {
    let (bytes, keys, checklists) =
        verification_inputs(&args.bundle, &args.public_keys, &args.checklist)?;
    let mut report =
        dms_evidence::verify::verify(bytes, &keys, usize::from(args.threshold), &checklists);
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
        Exit::Done
    } else {
        Exit::Invalid
    })
}
