//! The output layer: the only place that writes to standard output or result files.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::time::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot serialise the output: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes `value` as pretty JSON to `path` (atomically, via a temporary file in the
/// same folder) or to standard output.
pub fn write_json<T: Serialize>(value: &T, path: Option<&Path>) -> Result<(), OutputError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_text(&text, path)
}

/// One compact JSON document per line (JSON Lines).
pub fn json_lines<T: Serialize>(values: &[T]) -> String {
    let mut out = String::new();
    for v in values {
        out.push_str(&serde_json::to_string(v).unwrap_or_default());
        out.push('\n');
    }
    out
}

pub fn write_text(text: &str, path: Option<&Path>) -> Result<(), OutputError> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|source| OutputError::Write {
                path: "standard output".into(),
                source,
            });
    };
    let err = |source| OutputError::Write {
        path: path.display().to_string(),
        source,
    };
    // A new file of an unpredictable name in the same folder, renamed into place: never
    // written through a planted link, and nothing left behind on error (crate::files).
    crate::files::write(
        path,
        text.as_bytes(),
        0o644,
        crate::files::Existing::Replace,
    )
    .map_err(err)
}

/// The findings as a table for people: item, verdict, reason. Colour only when
/// `colour` is set (the caller checks for a terminal).
pub fn findings_table(eval: &crate::evaluate::Evaluation, colour: bool) -> String {
    use crate::evaluate::Verdict;
    let paint = |v: Verdict| -> (&'static str, &'static str) {
        if !colour {
            return ("", "");
        }
        let code = match v {
            Verdict::Met => "\x1b[32m",
            Verdict::NotMet => "\x1b[31;1m",
            Verdict::InsufficientEvidence => "\x1b[33m",
            Verdict::AttestationRequired => "\x1b[36m",
            Verdict::Attested => "\x1b[34m",
            Verdict::NotApplicable => "\x1b[2m",
        };
        (code, "\x1b[0m")
    };
    let mut out = format!("{:<28} {:<21} reason\n", "item", "verdict");
    let mut section = "";
    for f in &eval.findings {
        if f.section != section {
            section = &f.section;
            out.push_str(&format!("── {section}\n"));
        }
        let (on, off) = paint(f.verdict);
        out.push_str(&format!(
            "{:<28} {on}{:<21}{off} {}\n",
            f.item,
            f.verdict.as_str(),
            f.reason
        ));
    }
    out.push_str(&summary_lines(eval));
    out
}

/// After the findings: counts, readiness and blockers, claims, failed peer checks.
fn summary_lines(eval: &crate::evaluate::Evaluation) -> String {
    let s = &eval.summary;
    let counts: Vec<String> = s
        .verdicts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let mut out = format!(
        "\n{} items: {}\n2.1: {}\n{}\n",
        s.items,
        counts.join(", "),
        s.patterns,
        s.readiness()
    );
    for b in &s.blockers {
        out.push_str(&format!(
            "  {:<28} {:<21} {}\n",
            b.item,
            b.verdict.as_str(),
            b.reason
        ));
    }
    if !eval.claims.is_empty() {
        out.push_str("claims:\n");
        for c in &eval.claims {
            out.push_str(&format!(
                "  {:<18} {:<13} stated {} / observed {}: {}\n",
                c.claim,
                c.result.as_str(),
                c.stated,
                c.observed,
                c.reason
            ));
        }
    }
    let failed: Vec<String> = eval
        .peer_checks
        .iter()
        .filter(|p| p.status == crate::evaluate::peer::PeerStatus::Failed)
        .map(|p| format!("  {:<28} {}: {}", p.control, p.resource, p.reason))
        .collect();
    if !failed.is_empty() {
        out.push_str(&format!(
            "peer checks failed ({}):\n{}\n",
            failed.len(),
            failed.join("\n")
        ));
    }
    out
}

/// A verification report for people: each step, then the verdict.
pub fn verify_table(report: &crate::verify::Report) -> String {
    let mut out = String::new();
    for c in &report.checks {
        out.push_str(&format!(
            "{:<4} {:<11} {}\n",
            if c.ok { "ok" } else { "FAIL" },
            c.step,
            c.detail
        ));
    }
    if let Some(note) = &report.incomplete {
        out.push_str(&format!("{note}\n"));
    }
    use crate::verify::Outcome;
    out.push_str(match report.outcome {
        Outcome::Verified => "verified\n",
        Outcome::Rejudged => {
            "NOT VERIFIED: authentic (the signatures and digests hold), but this build judges \
             the signed facts differently from the build that signed them (a rule changed \
             since, or the evaluation was not made by these rules)\n"
        }
        Outcome::ChainBroken => {
            "NOT VERIFIED: chain of custody broken: this bundle is intact and signed, but it is \
             not the renewal of the previous bundle given (the wrong previous bundle, or a \
             renewal record that was changed or removed)\n"
        }
        Outcome::Invalid => "NOT VERIFIED: invalid or tampered\n",
    });
    out
}

/// The doctor's table for people: one line per check (status, source, region, the items
/// it feeds), what AWS answered, and the fix of each that is not `ok`; then the verdict.
pub fn doctor_table(d: &crate::doctor::Diagnosis) -> String {
    use crate::doctor::Status;
    let mut out = format!(
        "doctor: account {}, role {}, regions {}\n\n{:<12} {:<44} {:<15} feeds\n",
        d.account_id,
        d.role_arn,
        d.regions.join(", "),
        "status",
        "source",
        "region"
    );
    for c in &d.checks {
        let feeds = match c.items.len() {
            0 => "-".to_string(),
            1..=3 => c.items.join(", "),
            n => format!("{}, … ({n} items)", c.items[..2].join(", ")),
        };
        let optional = if c.required { "" } else { " (optional)" };
        out.push_str(&format!(
            "{:<12} {:<44} {:<15} {feeds}\n",
            c.status.as_str(),
            format!("{}{optional}", c.source),
            c.region
        ));
        let quiet = c.kind == crate::doctor::Kind::Read
            && matches!(c.status, Status::Ok | Status::NotChecked);
        if !quiet {
            out.push_str(&format!("             {}\n", c.detail));
        }
        if let Some(fix) = &c.fix {
            out.push_str(&format!("             fix: {fix}\n"));
        }
    }
    let skipped: Vec<&crate::doctor::Check> = d
        .checks
        .iter()
        .filter(|c| c.kind == crate::doctor::Kind::Read && c.status == Status::NotChecked)
        .collect();
    if let Some(first) = skipped.first() {
        out.push_str(&format!(
            "\n{} read(s) not probed: {}\n",
            skipped.len(),
            first.detail.trim_start_matches("not checked: ")
        ));
    }
    let blocking = d.blocking().count();
    if d.ready {
        out.push_str(
            "\nready: every source collect needs answered (the reads were probed once, in the \
             first enabled region)\n",
        );
    } else {
        out.push_str(&format!(
            "\nNOT READY: {blocking} required check(s) are not ok (exit 7): without credentials \
             or the role collect stops; otherwise it records each failed read as a gap and \
             judges the items it feeds insufficient_evidence\n"
        ));
    }
    out
}

/// Writes a new secret file (mode 0600), never overwriting one; nothing is left
/// behind on error.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    crate::files::write(path, bytes, 0o600, crate::files::Existing::Keep).map_err(|source| {
        OutputError::Write {
            path: path.display().to_string(),
            source,
        }
    })
}

/// Checks before any AWS call that `path` can be written (its folder exists and takes
/// a file), so a long collection never ends on a path that cannot take its result.
pub fn check_writable(path: &Path) -> Result<(), OutputError> {
    let err = |source| OutputError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(err(std::io::Error::other("it is a folder")));
    }
    // A probe of an unpredictable name, created new (never through a link) and removed.
    tempfile::Builder::new()
        .prefix(".dms-evidence-probe.")
        .tempfile_in(dir)
        .map(drop)
        .map_err(err)
}

/// A renewal diff for people: regressions first.
pub fn diff_text(d: &crate::diff::Diff) -> String {
    let v = |x: Option<crate::evaluate::Verdict>| x.map_or("(absent)", |v| v.as_str());
    let mut out = format!(
        "old: account {} collected {} ({})\nnew: account {} collected {} ({})\n",
        d.old.account,
        d.old.collected_at,
        d.old.checklist,
        d.new.account,
        d.new.collected_at,
        d.new.checklist
    );
    out.push_str(&format!(
        "\nverdict changes ({} regression(s)):\n",
        d.regressions
    ));
    for c in &d.verdict_changes {
        out.push_str(&format!(
            "  {:<11} {:<28} {} → {}: {}\n",
            c.kind,
            c.item,
            v(c.old),
            v(c.new),
            c.reason
        ));
    }
    let list = |title: &str, items: &[String]| {
        if items.is_empty() {
            format!("{title}: none\n")
        } else {
            format!(
                "{title}:\n{}\n",
                items
                    .iter()
                    .map(|i| format!("  {i}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    };
    out.push_str(&list("resources added", &d.added));
    out.push_str(&list("resources removed", &d.removed));
    out.push_str("settings changed:\n");
    if d.settings.is_empty() {
        out.push_str("  none\n");
    }
    for s in &d.settings {
        out.push_str(&format!(
            "  {}{} {}: {} → {}\n",
            if s.weaker { "WEAKER " } else { "" },
            s.resource,
            s.setting,
            s.old,
            s.new
        ));
    }
    out.push_str(&list("evidence expired", &d.expired));
    out
}

/// Progress of a fleet run on standard error: a bar on a terminal, one plain line per
/// finished case study otherwise (logs of schedulers and array jobs).
pub fn fleet_progress() -> crate::fleet::summary::OnDoneFn {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        let bar = std::sync::OnceLock::<indicatif::ProgressBar>::new();
        std::sync::Arc::new(move |r: &crate::fleet::Record, done: usize, total: usize| {
            let bar = bar.get_or_init(|| {
                let b = indicatif::ProgressBar::new(total as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} case studies {msg}",
                ) {
                    b.set_style(style.progress_chars("=> "));
                }
                b
            });
            bar.set_position(done as u64);
            bar.set_message(format!("{}: {:?}", r.id, r.outcome));
            if done == total {
                bar.finish_and_clear();
            }
        })
    } else {
        std::sync::Arc::new(|r: &crate::fleet::Record, done: usize, total: usize| {
            let why = r
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            let resumed = if r.resumed { " (resumed)" } else { "" };
            eprintln!(
                "[{done}/{total}] {}: {}{resumed} in {:.1} s{why}",
                r.id,
                outcome_word(r.outcome),
                r.seconds
            );
        })
    }
}

fn outcome_word(o: crate::fleet::Outcome) -> &'static str {
    use crate::fleet::Outcome;
    match o {
        Outcome::Ready => "ready",
        Outcome::Blocked => "blocked",
        Outcome::Incomplete => "incomplete",
        Outcome::Failed => "FAILED",
    }
}

/// The case studies (id, first expiry) whose evidence starts to disappear before
/// `deadline` (RFC 3339), as notice lines for standard error.
pub fn expiring_lines(expiring: &[(String, Timestamp)], days: i64) -> String {
    if expiring.is_empty() {
        return format!("no evidence expires within {days} days\n");
    }
    let mut out = format!(
        "evidence that starts to disappear from AWS within {days} days (collect again before):\n"
    );
    for (id, when) in expiring {
        out.push_str(&format!("  {id}: {when}\n"));
    }
    out
}

/// Writes notices to standard error (progress, warnings a scheduler's log keeps).
pub fn notice(text: &str) {
    eprint!("{text}");
}

/// The fleet summary as a table: one line per case study, then the counts.
pub fn fleet_table(s: &crate::fleet::Summary) -> String {
    let mut out = String::new();
    for r in &s.case_studies {
        let mut detail = match (&r.error, r.blockers.is_empty()) {
            (Some(e), _) => e.clone(),
            (None, false) => format!("blocked by {}", r.blockers.join(", ")),
            (None, true) => r.bundle.clone().unwrap_or_default(),
        };
        if let Some(n) = &r.renewal {
            detail.push_str(&format!(
                "; renews {}…: {} regression(s), {} carried forward",
                crate::text::prefix(&n.previous, 12),
                n.regressions,
                n.carried_forward.len()
            ));
        }
        out.push_str(&format!(
            "{:<32} {:<12} {:<10} {}\n",
            r.id,
            r.account_id.as_deref().unwrap_or("-"),
            outcome_word(r.outcome),
            detail
        ));
    }
    let counts: Vec<String> = s
        .counts
        .iter()
        .map(|(o, n)| format!("{n} {}", outcome_word(*o)))
        .collect();
    let regressed = s.regressed();
    if regressed > 0 {
        out.push_str(&format!("{regressed} renewal(s) regressed\n"));
    }
    out.push_str(&format!(
        "{} case studies{}: {}\n",
        s.case_studies.len(),
        s.shard
            .map(|sh| format!(" (shard {sh})"))
            .unwrap_or_default(),
        counts.join(", ")
    ));
    out
}

/// The completion script of `shell`, generated from the command-line definitions.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dms-evidence", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The manual pages, generated from the command-line definitions: `dms-evidence.1`, then
/// `dms-evidence-<command>.1` for each command.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    cmd.build();
    let render = |cmd: clap::Command, name: &str| {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd)
            .title(name.trim_end_matches(".1").to_ascii_uppercase())
            .render(&mut page)
            .map_err(|source| OutputError::Write {
                path: name.to_string(),
                source,
            })?;
        Ok::<_, OutputError>((name.to_string(), page))
    };
    let mut pages = vec![render(cmd.clone(), "dms-evidence.1")?];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("dms-evidence-{}", sub.get_name());
        // Built, so its synopsis reads `dms-evidence <command>` (its bin name).
        pages.push(render(sub.clone(), &format!("{name}.1"))?);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_files_atomically_and_reports_bad_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.json");
        write_json(&serde_json::json!({"a": 1}), Some(&path)).expect("writes");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\n  \"a\": 1\n}\n"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temporary file left"
        );
        let bad = dir.path().join("missing/out.json");
        let err = write_json(&1, Some(&bad))
            .expect_err("no folder")
            .to_string();
        assert!(err.contains("missing/out.json"), "{err}");
    }
}
