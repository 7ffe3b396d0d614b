//! Evaluation against the emulator: the verdicts each scenario was designed to
//! produce, golden snapshots for every scenario, offline re-evaluation, exit codes,
//! and denied calls turning into insufficient evidence (never met).

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use dms_evidence::bundle::Predicate;
use dms_evidence::evaluate::{Evaluation, Verdict};
use serde_json::json;
use support::{Emulator, repo_root};

fn manifest(name: &str) -> PathBuf {
    repo_root()
        .join("fixtures/case-studies")
        .join(format!("{name}.toml"))
}

fn run(emu: &Emulator, args: &[&str]) -> Output {
    support::cli(emu, args)
}

/// Collects a scenario's case study; returns the evidence, its file, and the exit code.
fn collect(
    emu: &Emulator,
    scenario: &str,
    dir: &tempfile::TempDir,
) -> (Predicate, PathBuf, Option<i32>) {
    emu.seed(scenario);
    let out = dir.path().join(format!("{scenario}.json"));
    let result = run(
        emu,
        &[
            "collect",
            "--case-study",
            &manifest(scenario).to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert!(
        out.exists(),
        "{scenario}: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let ev: Predicate =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("evidence");
    (ev, out, result.status.code())
}

fn verdicts(eval: &Evaluation) -> BTreeMap<String, Verdict> {
    eval.findings
        .iter()
        .map(|f| (f.item.clone(), f.verdict))
        .collect()
}

fn check(eval: &Evaluation, expected: &[(&str, Verdict)]) {
    let got = verdicts(eval);
    for (item, want) in expected {
        let f = eval
            .findings
            .iter()
            .find(|f| f.item == *item)
            .unwrap_or_else(|| panic!("{item} missing"));
        assert_eq!(got[*item], *want, "{item}: {}", f.reason);
    }
}

#[test]
fn exemplary_meets_what_it_was_built_to_meet() {
    use Verdict::*;
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let (ev, _, code) = collect(emu, "exemplary", &dir);
    let eval = &ev.evaluation.clone().expect("evaluated");
    assert_eq!(
        eval.findings.len(),
        dms_evidence::evaluate::checklist::load_default()
            .items
            .len(),
        "every checklist item is evaluated"
    );
    // From the scenario's design (fixtures/scenarios/exemplary.json), not from the output.
    check(
        eval,
        &[
            ("pre.2.1.account-id", Met),
            ("pre.2.1.customer-name", Attested),
            ("pre.2.1.dates", Met),
            ("pre.2.1.outcomes", Attested),
            ("pre.3.1.diagram-services", Attested),
            ("dms.1.0.size", Met),
            ("dms.1.0.arch.ri", Met),
            ("dms.1.0.arch.engine-ver", Met),
            ("dms.1.0.arch.public-private", Met),
            ("dms.1.0.mig.performance", Met),
            ("dms.1.0.mig.large", NotApplicable),
            ("dms.1.0.mig.task-log", Met),
            ("dms.1.0.mig.lobs", Met),
            ("dms.1.0.mig.cdc", Met),
            ("dms.1.0.mig.oracle-schema", NotApplicable),
            ("dms.1.0.mig.planning", Attested),
            ("dms.1.0.mig.schema-conv", Attested),
            ("dms.1.0.sec.iam-roles", Met),
            ("dms.1.0.sec.fine-grained", Met),
            ("dms.1.0.sec.at-rest", Met),
            ("dms.1.0.sec.in-flight", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.2.1.dep.onprem-ec2", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
            ("dms.2.1.wl.cdc-homo", NotMet),
            ("dms.2.1.wl.cdc-continual", Met),
            ("dms.2.2.tables", Met),
            ("dms.2.2.concurrency", Met),
        ],
    );
    let size = eval
        .findings
        .iter()
        .find(|f| f.item == "dms.1.0.size")
        .expect("size");
    assert!(size.reason.contains("VolumeBytesUsed"), "{}", size.reason);
    assert!(
        !size.sources.is_empty(),
        "the size cites its CloudWatch capture"
    );
    let ssl = eval
        .findings
        .iter()
        .find(|f| f.item == "dms.1.0.sec.in-flight")
        .expect("ssl");
    assert!(
        ssl.reason.contains("SslMode=verify-full")
            && ssl
                .reason
                .contains("2 of 2 endpoints with an in-flight setting encrypt"),
        "{}",
        ssl.reason
    );
    assert!(
        eval.summary
            .blockers
            .iter()
            .all(|b| b.verdict != Verdict::NotMet),
        "{:?}",
        eval.summary.blockers
    );
    // The source's DNS name matches nothing in the account: "on-premises" can be
    // neither confirmed nor contradicted from AWS; every other claim is confirmed.
    assert!(
        eval.claims.iter().all(|c| c.result.as_str()
            == if c.claim == "source_hosting" {
                "unverifiable"
            } else {
                "confirmed"
            }),
        "{:?}",
        eval.claims
    );
    assert_eq!(
        code,
        Some(0),
        "nothing keeps the exemplary case study from passing"
    );
}

#[test]
fn weak_fails_where_it_was_built_to_fail() {
    use Verdict::*;
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let (ev, _, code) = collect(emu, "weak", &dir);
    let eval = &ev.evaluation.clone().expect("evaluated");
    check(
        eval,
        &[
            ("dms.1.0.size", NotMet),
            ("dms.1.0.arch.public-private", NotMet),
            ("dms.1.0.arch.ri", NotMet),
            ("dms.1.0.sec.in-flight", NotMet),
            ("dms.1.0.sec.at-rest", NotMet),
            ("dms.1.0.mig.task-log", NotMet),
            ("dms.1.0.mig.cdc", NotMet),
            ("dms.1.0.mig.performance", NotMet),
            ("dms.1.0.mig.planning", NotMet),
            ("dms.2.1.dep.hetero", NotMet),
            ("dms.2.1.dep.onprem-ec2", NotMet),
            ("dms.2.1.wl.cdc-homo", NotMet),
            ("pre.2.1.problem", AttestationRequired),
            ("dms.2.2.concurrency", InsufficientEvidence),
        ],
    );
    let claims: BTreeMap<&str, &str> = eval
        .claims
        .iter()
        .map(|c| (c.claim.as_str(), c.result.as_str()))
        .collect();
    assert_eq!(claims["database_size_gb"], "contradicted");
    assert_eq!(claims["cdc_used"], "contradicted");
    assert_eq!(claims["tables"], "confirmed");
    assert!(
        eval.summary.groups.values().all(Vec::is_empty),
        "{}",
        eval.summary.patterns
    );
    assert!(!eval.summary.ready);
    let public = eval
        .peer_checks
        .iter()
        .find(|p| p.control == "DMS.1")
        .expect("DMS.1");
    assert_eq!(format!("{:?}", public.status), "Failed");
    assert_eq!(code, Some(3), "exit 3: items not met");
}

#[test]
fn golden_verdicts_for_every_scenario() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    for scenario in [
        "exemplary",
        "weak",
        "homogeneous-ec2",
        "serverless-redshift",
        "large",
        "two-accounts",
        "completed",
    ] {
        let (ev, _, _) = collect(emu, scenario, &dir);
        let eval = ev.evaluation.clone().expect("evaluated");
        // Log groups named in task settings are looked up once per name and region (the
        // two DMS prefixes are listed once per region), not once per task.
        let lookups = ev
            .evidence
            .captures
            .iter()
            .filter(|c| c.operation == "DescribeLogGroups")
            .count();
        let named: std::collections::BTreeSet<(&str, &str)> = ev
            .evidence
            .facts
            .tasks
            .iter()
            .filter_map(|t| Some((t.region.as_str(), t.settings.log_group.as_deref()?)))
            .collect();
        assert!(
            lookups <= 2 * ev.evidence.collection.regions.len() + named.len(),
            "{scenario}: {lookups} DescribeLogGroups calls for {} named group(s)",
            named.len()
        );
        // Every met and attested cites its evidence; no rule tried one without.
        for f in &eval.findings {
            assert!(
                !f.reason.starts_with("not counted:"),
                "{scenario}: {}: {}",
                f.item,
                f.reason
            );
            if matches!(f.verdict, Verdict::Met | Verdict::Attested) {
                assert!(
                    !f.evidence.is_empty(),
                    "{scenario}: {} cites nothing",
                    f.item
                );
            }
        }
        let golden = json!({
            "verdicts": verdicts(&eval),
            "summary": {"verdicts": eval.summary.verdicts, "patterns": eval.summary.patterns, "ready": eval.summary.ready,
                        "blockers": eval.summary.blockers.iter().map(|b| format!("{} {}", b.item, b.verdict.as_str())).collect::<Vec<_>>()},
            "claims": eval.claims.iter().map(|c| (c.claim.clone(), c.result.as_str())).collect::<BTreeMap<_, _>>(),
        });
        insta::assert_json_snapshot!(format!("verdicts-{scenario}"), golden);
    }
    emu.assert_answers_like_aws();
}

#[test]
fn offline_evaluation_is_deterministic_and_matches_collect() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let (ev, path, _) = collect(emu, "homogeneous-ec2", &dir);
    let first = run(
        emu,
        &["evaluate", &path.to_string_lossy(), "--format", "json"],
    );
    let second = run(
        emu,
        &["evaluate", &path.to_string_lossy(), "--format", "json"],
    );
    assert_eq!(first.stdout, second.stdout, "same input, same bytes");
    let offline: Evaluation = serde_json::from_slice(&first.stdout).expect("evaluation JSON");
    assert_eq!(
        Some(&offline),
        ev.evaluation.clone().as_ref(),
        "evaluate FILE = what collect embedded"
    );
    let items: Vec<&str> = offline.findings.iter().map(|f| f.item.as_str()).collect();
    let checklist = dms_evidence::evaluate::checklist::load_default();
    assert_eq!(
        items,
        checklist
            .items
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        "checklist order"
    );

    let table = run(emu, &["evaluate", &path.to_string_lossy()]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.starts_with("item ") && text.contains("dms.1.0.mig.cdc") && !text.contains('\x1b'),
        "{text}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"not\": \"evidence\"}").expect("write");
    let out = run(emu, &["evaluate", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an evidence document"));
}

#[test]
fn denied_reads_give_insufficient_evidence_never_met() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed("exemplary");
    emu.set_faults(
        json!({"deny": ["dms:DescribeTableStatistics", "GetMetricData", "rds:*", "logs:*"]}),
    );
    let (ev, _, _) = collect(&emu, "exemplary", &dir);
    let eval = ev.evaluation.clone().expect("evaluated");
    check(
        &eval,
        &[
            ("dms.1.0.size", Verdict::InsufficientEvidence),
            ("dms.1.0.arch.ri", Verdict::InsufficientEvidence),
            ("dms.1.0.mig.task-log", Verdict::InsufficientEvidence),
            ("dms.1.0.sec.at-rest", Verdict::InsufficientEvidence),
            ("dms.2.2.tables", Verdict::InsufficientEvidence),
            ("pre.2.1.outcomes", Verdict::InsufficientEvidence),
        ],
    );
    let tables = eval
        .findings
        .iter()
        .find(|f| f.item == "dms.2.2.tables")
        .expect("tables");
    assert!(
        tables
            .reason
            .contains("dms:DescribeTableStatistics was denied"),
        "{}",
        tables.reason
    );
    let claims: BTreeMap<&str, &str> = eval
        .claims
        .iter()
        .map(|c| (c.claim.as_str(), c.result.as_str()))
        .collect();
    assert_eq!(claims["database_size_gb"], "unverifiable");
    assert_eq!(claims["tables"], "unverifiable");
}
