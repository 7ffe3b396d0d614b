//! The renewal diff: last year's evidence against this year's.

mod support;

use std::process::Command;

use dms_evidence::bundle::Predicate;
use dms_evidence::diff::diff;
use dms_evidence::evaluate::{checklist, evaluate};
use dms_evidence::evidence::Evidence;
use support::{Emulator, repo_root};

fn collect(emu: &Emulator, dir: &tempfile::TempDir) -> Evidence {
    emu.seed("exemplary");
    let out = dir.path().join("old.json");
    let case = repo_root().join("fixtures/case-studies/exemplary.toml");
    let status = Command::new(env!("CARGO_BIN_EXE_dms-evidence"))
        .args([
            "collect",
            "--case-study",
            &case.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ])
        .env("AWS_ENDPOINT_URL", &emu.endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDDMSEVIDENCETEST")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .expect("collect");
    assert_eq!(status.code(), Some(0));
    serde_json::from_str::<Predicate>(&std::fs::read_to_string(out).expect("read"))
        .expect("evidence")
        .evidence
}

#[test]
fn renewal_shows_regressions_first_and_what_changed() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let old = collect(emu, &dir);
    // This year: SSL switched off on the source, the instance made public, the task
    // logs and CPU metrics expired, an endpoint renamed (removed + added).
    let mut new = old.clone();
    let f = &mut new.facts;
    f.endpoints
        .iter_mut()
        .find(|e| e.endpoint_type == "source")
        .expect("source")
        .ssl_mode = Some("none".into());
    f.replication_instances[0].publicly_accessible = Some(true);
    f.log_groups
        .iter_mut()
        .for_each(|g| g.latest_streams.clear());
    f.metrics.retain(|m| m.name != "CPUUtilization");
    f.endpoints
        .iter_mut()
        .find(|e| e.endpoint_type == "target")
        .expect("target")
        .identifier = "erp-aurora-target-v2".into();
    let checklist = checklist::load_default();
    let (old_eval, new_eval) = (evaluate(&old, &checklist), evaluate(&new, &checklist));
    let d = diff(&old, &new, &old_eval, &new_eval, &checklist);

    let regressions: Vec<&str> = d
        .verdict_changes
        .iter()
        .take_while(|c| c.kind == dms_evidence::diff::ChangeKind::Regression)
        .map(|c| c.item.as_str())
        .collect();
    // (Public with an on-premises source stays justified: a weaker setting, not a regression.)
    for item in [
        "dms.1.0.sec.in-flight",
        "dms.1.0.mig.task-log",
        "dms.1.0.arch.ri",
    ] {
        assert!(
            regressions.contains(&item),
            "{item} should regress: {regressions:?}"
        );
    }
    assert_eq!(d.regressions, regressions.len(), "regressions come first");
    let weaker: Vec<String> = d
        .settings
        .iter()
        .filter(|s| s.weaker)
        .map(|s| format!("{} {}", s.setting, s.new))
        .collect();
    assert!(
        weaker.contains(&"SslMode none".to_string())
            && weaker.contains(&"PubliclyAccessible true".to_string()),
        "{weaker:?}"
    );
    assert_eq!(d.added, ["endpoint us-east-1/erp-aurora-target-v2"]);
    assert_eq!(d.removed, ["endpoint us-east-1/erp-aurora-target"]);
    assert!(
        d.expired
            .iter()
            .any(|e| e.contains("log group us-east-1/dms-tasks-erp-replication")),
        "{:?}",
        d.expired
    );
    assert!(
        d.expired
            .iter()
            .any(|e| e.contains("AWS/DMS/CPUUtilization")),
        "{:?}",
        d.expired
    );

    // The command: text by default, JSON on request, exit 5 on a regression, 0 without.
    let (old_path, new_path) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(&old_path, serde_json::to_vec(&old).expect("json")).expect("write");
    std::fs::write(&new_path, serde_json::to_vec(&new).expect("json")).expect("write");
    let run = |a: &std::path::Path, b: &std::path::Path, json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dms-evidence"));
        cmd.args(["diff", &a.to_string_lossy(), &b.to_string_lossy()]);
        if json {
            cmd.args(["--format", "json"]);
        }
        cmd.output().expect("diff")
    };
    let out = run(&old_path, &new_path, false);
    assert_eq!(out.status.code(), Some(5));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("regression  dms.1.0.sec.in-flight") && text.contains("WEAKER"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&run(&old_path, &new_path, true).stdout).expect("json");
    assert_eq!(json["regressions"].as_u64(), Some(d.regressions as u64));
    let same = run(&old_path, &old_path, false);
    assert_eq!(same.status.code(), Some(0), "no change, no regression");
}
