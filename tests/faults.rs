//! The fault matrix: every collected operation denied in turn, throttling, 5xx bursts,
//! timeouts and the endpoint dying mid-run, through the emulator's fault knobs. A
//! failed or denied call must never create a `met` or a `not_applicable` the clean run
//! did not have, must be named in the reasons, and must never be signed as complete.

mod support;

use std::path::{Path, PathBuf};

use dms_evidence::bundle::Predicate;
use dms_evidence::evaluate::Verdict;
use dms_evidence::operations::operations;
use serde_json::json;
use support::{Emulator, repo_root, verdicts};

fn manifest(name: &str) -> PathBuf {
    repo_root()
        .join("fixtures/case-studies")
        .join(format!("{name}.toml"))
}

fn collect(
    emu: &Emulator,
    case: &str,
    out: &Path,
    extra: &[&str],
) -> (Option<Predicate>, Option<i32>) {
    let manifest = manifest(case);
    let mut args = vec![
        "collect",
        "--case-study",
        manifest.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    let run = support::cli(emu, &args);
    let ev = out.exists().then(|| {
        serde_json::from_str(&std::fs::read_to_string(out).expect("read")).expect("evidence")
    });
    (ev, run.status.code())
}

/// The emulator's fault key for an operation: signing name and operation.
fn fault_name(service: &str, operation: &str) -> String {
    let signing = match service {
        "cloudwatch" => "monitoring",
        "opensearch" => "es",
        other => other,
    };
    format!("{signing}:{operation}")
}

#[test]
fn denying_any_operation_never_creates_a_met_or_a_not_applicable() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for case in ["exemplary", "targets"] {
        emu.seed(case);
        let (clean, code) = collect(&emu, case, &dir.path().join(format!("{case}.json")), &[]);
        let clean = clean.expect("clean run");
        assert!(
            clean.evidence.collection.complete,
            "{case}: {:?}",
            clean.evidence.gaps
        );
        assert_ne!(code, Some(6));
        let baseline = verdicts(&clean);
        // Operations the clean run called are the ones a denial can take away.
        let called: std::collections::BTreeSet<String> = clean
            .evidence
            .captures
            .iter()
            .map(|c| format!("{}:{}", c.service, c.operation))
            .collect();
        for op in operations() {
            let key = format!("{}:{}", op.service, op.operation);
            if op.service == "sts" || !called.contains(&key) {
                continue;
            }
            emu.set_faults(json!({"deny": [fault_name(&op.service, &op.operation)]}));
            let out = dir.path().join(format!("{case}-{}.json", op.operation));
            let (ev, code) = collect(&emu, case, &out, &[]);
            emu.set_faults(json!({"deny": []}));
            let Some(ev) = ev else {
                failures.push(format!(
                    "{case} / {key}: no evidence written (exit {code:?})"
                ));
                continue;
            };
            if op.optional {
                // An optional read's gap leaves the collection complete: no item rests on it.
                if !ev.evidence.collection.complete || code == Some(6) {
                    failures.push(format!(
                        "{case} / {key}: complete {} exit {code:?}; an optional read denied must leave it complete",
                        ev.evidence.collection.complete
                    ));
                }
            } else if ev.evidence.collection.complete || code != Some(6) {
                failures.push(format!(
                    "{case} / {key}: complete {} exit {code:?}; a denied call must make it incomplete (exit 6)",
                    ev.evidence.collection.complete
                ));
            }
            if !ev
                .evidence
                .gaps
                .iter()
                .any(|g| g.iam_action == op.iam_action)
            {
                failures.push(format!("{case} / {key}: no gap names {}", op.iam_action));
            }
            let eval = &ev.evaluation.clone().expect("evaluated");
            for f in &eval.findings {
                let before = baseline[&f.item];
                if f.verdict == before {
                    continue;
                }
                let bad = match f.verdict {
                    Verdict::Met | Verdict::NotApplicable | Verdict::Attested => true,
                    // Denied evidence is missing evidence, not a failure of the partner's.
                    Verdict::NotMet => true,
                    _ => false,
                };
                if bad {
                    failures.push(format!(
                        "{case} / {key}: {} went {} -> {}: {}",
                        f.item,
                        before.as_str(),
                        f.verdict.as_str(),
                        f.reason
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn flaky_networks_give_a_clear_outcome_and_nothing_complete_that_is_not() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed("exemplary");
    let (clean, _) = collect(&emu, "exemplary", &dir.path().join("clean.json"), &[]);
    let baseline = verdicts(&clean.expect("clean"));
    for (name, faults, extra) in [
        (
            "throttling",
            json!({"throttle_rate": 0.3, "seed": 7}),
            &[][..],
        ),
        ("5xx", json!({"error_rate": 0.3, "seed": 11}), &[][..]),
        (
            "timeouts",
            json!({"latency_ms": 2500, "slow": ["monitoring:GetMetricData"]}),
            &["--read-timeout", "1", "--max-attempts", "2"][..],
        ),
    ] {
        emu.set_faults(faults);
        let started = std::time::Instant::now();
        let (ev, code) = collect(
            &emu,
            "exemplary",
            &dir.path().join(format!("{name}.json")),
            extra,
        );
        emu.set_faults(
            json!({"throttle_rate": 0.0, "error_rate": 0.0, "latency_ms": 0, "slow": []}),
        );
        let ev = ev.unwrap_or_else(|| panic!("{name}: no evidence (exit {code:?})"));
        let c = &ev.evidence.collection;
        // Complete exactly when no call failed; an incomplete run exits 6.
        assert_eq!(c.complete, ev.evidence.gaps.is_empty(), "{name}");
        assert_eq!(code == Some(6), !c.complete, "{name}: exit {code:?}");
        if name != "timeouts" {
            assert!(c.retries.retries > 0, "{name}: retried");
        }
        // Throttling is retried until it passes (within the run's budget): the run is
        // complete and judged exactly as the clean one.
        if name == "throttling" {
            assert!(
                ev.evidence.gaps.is_empty(),
                "throttling left gaps: {:?}",
                ev.evidence.gaps
            );
            assert_eq!(verdicts(&ev), baseline, "throttling changed verdicts");
        }
        for (item, v) in verdicts(&ev) {
            if v == Verdict::Met {
                assert_eq!(baseline[&item], Verdict::Met, "{name}: {item} became met");
            }
        }
        eprintln!(
            "{name}: {:.1} s, {} retries waiting {} ms, {} gaps",
            started.elapsed().as_secs_f64(),
            c.retries.retries,
            c.retries.wait_ms,
            ev.evidence.gaps.len()
        );
    }
}

#[test]
fn the_endpoint_dying_mid_run_is_never_signed_complete() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed("large");
    emu.set_faults(json!({"latency_ms": 150}));
    let out = dir.path().join("dying.json");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_dms-evidence"))
        .args([
            "collect",
            "--case-study",
            manifest("large").to_str().expect("path"),
            "--out",
            out.to_str().expect("path"),
            "--max-attempts",
            "2",
            "--connect-timeout",
            "1",
            "--read-timeout",
            "2",
        ])
        .env("AWS_ENDPOINT_URL", &emu.endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDDMSEVIDENCETEST")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn collect");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    drop(emu); // the emulator goes away mid-collection
    let result = child.wait_with_output().expect("collect ends");
    let code = result.status.code();
    match std::fs::read_to_string(&out) {
        Ok(text) => {
            let ev: Predicate = serde_json::from_str(&text).expect("evidence");
            assert!(
                !ev.evidence.collection.complete,
                "gaps: {}",
                ev.evidence.gaps.len()
            );
            assert!(!ev.evidence.gaps.is_empty());
            assert_eq!(code, Some(6));
        }
        // Died before the session was proven: a clean failure, nothing written.
        Err(_) => assert_eq!(code, Some(1), "{}", String::from_utf8_lossy(&result.stderr)),
    }
}
