//! `doctor`: every source `collect` reads, checked before collecting; a table or JSON.

use super::*;
use dms_evidence::cli::{DoctorArgs, DoctorFormat};

pub(crate) async fn run(args: DoctorArgs) -> Result<Exit, Failure> {
    let case = case_study(&args.target)?;
    let checklist = load_checklist(args.checklist.as_deref())?;
    let opts = session_options(&args.aws);
    let diagnosis = dms_evidence::doctor::diagnose(&case, &opts, &checklist).await;
    match args.format {
        DoctorFormat::Json => output::write_json(&diagnosis, None),
        DoctorFormat::Text => output::write_text(&output::doctor_table(&diagnosis), None),
    }
    .context("writing the diagnosis")
    .map_err(failed)?;
    Ok(if diagnosis.ready {
        Exit::Done
    } else {
        Exit::NotReady
    })
}
