//! `evaluate`: a saved evidence document or bundle judged again offline.

use super::*;

pub(crate) fn run(args: EvaluateArgs) -> Result<Exit, Failure> {
    let checklist = load_checklist(args.checklist.as_deref())?;
    let evidence = load_evidence(&args.evidence)?;
    let eval = dms_evidence::evaluate::evaluate(&evidence, &checklist);
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
