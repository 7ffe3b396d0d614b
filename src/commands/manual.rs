//! `completions` and `man`: shell completions and manual pages from the command-line definitions.

use super::*;

/// The manual: the main page on standard output, or every page written into a directory.
pub(crate) fn run(args: &ManArgs) -> Result<Exit, Failure> {
    let pages = output::man_pages().map_err(failed)?;
    let Some(dir) = &args.out_dir else {
        let main = pages
            .first()
            .map(|(_, page)| page.as_slice())
            .unwrap_or_default();
        output::write_text(&String::from_utf8_lossy(main), None).map_err(failed)?;
        return Ok(Exit::Done);
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
    Ok(Exit::Done)
}

/// The completion script of a shell, on standard output.
pub(crate) fn completions(args: &dms_evidence::cli::CompletionsArgs) -> Result<Exit, Failure> {
    output::write_text(&output::completions(args.shell), None).map_err(failed)?;
    Ok(Exit::Done)
}
