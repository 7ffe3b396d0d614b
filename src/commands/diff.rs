//! `diff`: last year's bundle against this year's (renewals).

use super::*;

pub(crate) fn run(args: DiffArgs) -> Result<Exit, Failure> {
    let checklist = checklist::load_default();
    let old = load_evidence(&args.old)?;
    let new = load_evidence(&args.new)?;
    let (old_eval, new_eval) = (
        dms_evidence::evaluate::evaluate(&old, &checklist),
        dms_evidence::evaluate::evaluate(&new, &checklist),
    );
    let d = dms_evidence::diff::diff(&old, &new, &old_eval, &new_eval, &checklist);
    match args.format {
        Format::Json => output::write_json(&d, None),
        Format::Table => output::write_text(&output::diff_text(&d), None),
    }
    .context("writing the diff")
    .map_err(failed)?;
    Ok(if d.regressions > 0 {
        Exit::Regression
    } else {
        Exit::Done
    })
}
