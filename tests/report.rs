//! The auditor's report renders from a verified bundle: self-contained HTML with every
//! section (structure snapshot), Markdown, and the verification status on the cover.

mod support;

use std::process::Output;

use support::{Emulator, repo_root};

fn run(emu: &Emulator, args: &[&str]) -> Output {
    support::cli(emu, args)
}

/// The element structure: section ids, headings, and how many rows each table has.
fn structure(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split('<').skip(1) {
        let tag: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match tag.as_str() {
            "section" | "header" | "figure" => {
                let id = part
                    .split("id=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("");
                out.push(format!("{tag}#{id}"));
            }
            "h1" | "h2" => out.push(tag),
            "table" => out.push("table".into()),
            "svg" => out.push("svg".into()),
            _ => {}
        }
    }
    out
}

/// Seeds `scenario`, makes a key and collects its case study signed into `b.json` of a new
/// directory, with `extra` flags.
fn collected(emu: &Emulator, scenario: &str, extra: &[&str]) -> (tempfile::TempDir, Output) {
    emu.seed(scenario);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    support::keygen(emu, dir.path());
    let case = repo_root().join(format!("fixtures/case-studies/{scenario}.toml"));
    let (case, key, bundle) = (case.to_string_lossy(), p("k.pem"), p("b.json"));
    let mut args = vec![
        "collect",
        "--case-study",
        &case,
        "--key",
        &key,
        "--out",
        &bundle,
    ];
    args.extend(extra);
    let out = run(emu, &args);
    (dir, out)
}

#[test]
fn report_renders_every_section_self_contained() {
    let emu = Emulator::shared();
    let (dir, out) = collected(emu, "exemplary", &[]);
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(
        emu,
        &[
            "report",
            &p("b.json"),
            "--public-key",
            &p("k.pub"),
            "--out",
            &p("r.html"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(p("r.html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("@page{size:A4"), "prints on A4");
    assert!(
        !html.contains("src=\"http")
            && !html.contains("href=\"http")
            && !html.contains("<link")
            && !html.contains("<script"),
        "no external assets"
    );
    assert!(
        html.contains("<b>Signature:</b> verified: signed by"),
        "the cover states verification"
    );
    assert_eq!(
        html.matches("<tr class=\"").count(),
        dms_evidence::evaluate::checklist::load_default()
            .items
            .len(),
        "one checklist row per item"
    );
    insta::assert_json_snapshot!("report-structure-exemplary", structure(&html));

    // With a wrong key the cover says so, and the command fails like verify.
    let wrong_dir = tempfile::tempdir().expect("tempdir");
    let w = |name: &str| wrong_dir.path().join(name).to_string_lossy().into_owned();
    assert!(
        run(
            emu,
            &[
                "keygen",
                "--private-key",
                &w("k.pem"),
                "--public-key",
                &w("k.pub")
            ]
        )
        .status
        .success()
    );
    let out = run(emu, &["report", &p("b.json"), "--public-key", &w("k.pub")]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOT VERIFIED"));

    let md = run(emu, &["report", &p("b.json"), "--format", "md"]);
    let text = String::from_utf8_lossy(&md.stdout);
    for heading in [
        "## Executive summary",
        "## Migrations: what the evidence dates",
        "## Appendix: the evidence",
        "## Checklist",
        "## Claims",
        "## Peer checks",
        "## Attestations",
        "## Inventory and topology",
        "## Activity and size over time",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
    // Each peer check, its resource and result (DMS.1 on the private instance passes).
    assert!(
        text.contains("| DMS.1 |") && text.contains("| passed |"),
        "peer checks listed"
    );
    assert!(text.contains("| dms.1.0.size | met |"));
    assert!(
        text.contains("| AWS calls | ") && text.contains("s waiting)"),
        "the cover counts calls, retries and time spent waiting"
    );
    assert!(text.contains("attachment `attachments/erp-architecture.svg`"));
    assert!(
        text.contains("**Evidence starts to disappear from AWS on** 20")
            && text.contains(
                "judged on today's engine version, unchanged since a week before its run began"
            ),
        "the summary dates the first expiring evidence: the week before the run's start (a \
         change pending for the maintenance window) leaving event history"
    );
    // The timeline dates the migration from its statistics and CDC metrics; the appendix
    // lists every capture with its full digest.
    for event in [
        "| created |",
        "| full load done |",
        "| CDC changes first seen |",
    ] {
        assert!(text.contains(event), "{event}");
    }
    // DMS's own event about the task's instance, inside the task's life, is context.
    assert!(
        text.contains("| DMS event | `DescribeEvents replication-instance erp-replication: Replication instance maintenance completed`"),
        "DMS events beside the dated ones"
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("b.json")).expect("bundle")).expect("json");
    let payload = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        bundle["payload"].as_str().expect("payload"),
    )
    .expect("base64");
    let statement: serde_json::Value = serde_json::from_slice(&payload).expect("statement");
    let captures = statement["predicate"]["captures"]
        .as_array()
        .expect("captures");
    for c in captures {
        let row = format!("| {} | ", c["id"].as_str().unwrap_or_default());
        assert!(text.contains(&row) && text.contains(c["sha256"].as_str().unwrap_or("?")));
    }
}

/// A completed migration whose DMS resources were deleted: the report's timeline shows it
/// from what outlives it, each event with its source (the CloudTrail event ids, the task's
/// CDC series, its log stream), and the findings resting on it say it was deleted.
#[test]
fn a_deleted_migration_is_dated_from_its_sources() {
    let emu = Emulator::shared();
    let (dir, out) = collected(emu, "completed", &["--expiring-within", "90d"]);
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 3)), "{stderr}");
    // What rests on the deleted resources goes with CloudTrail's event history: the
    // collection warns of it, dated 90 days after the events it was judged from.
    assert!(
        stderr.contains("deleted after cut-over: known from CloudTrail event history"),
        "--expiring-within names the CloudTrail evidence:\n{stderr}"
    );
    let md = run(emu, &["report", &p("b.json"), "--format", "md"]);
    let text = String::from_utf8_lossy(&md.stdout);
    for (what, source) in [
        ("| created |", "CloudTrail CreateReplicationTask "),
        ("| started |", "CloudTrail StartReplicationTask "),
        ("| deleted |", "CloudTrail DeleteReplicationTask "),
        (
            "| CDC changes first seen |",
            "metrics/AWS/DMS/CDCThroughputRowsTarget/",
        ),
        (
            "| task log's last event |",
            "log_groups/us-east-1/dms-tasks-ri/dms-task-",
        ),
    ] {
        let row = text.lines().find(|l| l.contains(what));
        assert!(
            row.is_some_and(|r| r.contains(source)),
            "{what} from {source}: {row:?}\n{text}"
        );
    }
    assert!(
        text.contains("erp-migration deleted on ") && text.contains(", from CloudTrail event "),
        "findings resting on the deleted task say so:\n{text}"
    );
}
