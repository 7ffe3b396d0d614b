//! Tests across rules: absence of evidence, runs, claims, peer checks, readiness.

use super::testkit::*;

#[test]
fn rule_names_are_unique() {
    let mut names = names();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n);
}

#[test]
fn absence_is_never_compliance() {
    // No resources at all (deleted after cut-over), and every call denied: no item is met.
    let mut ev = empty();
    ev.gaps = crate::operations::operations()
        .iter()
        .map(|o| Gap {
            service: o.service.to_string(),
            operation: o.operation.to_string(),
            region: "us-east-1".into(),
            iam_action: o.iam_action.clone(),
            kind: GapKind::AccessDenied,
            code: Some("AccessDeniedException".into()),
            message: "denied".into(),
            resource: None,
        })
        .collect();
    let eval = crate::evaluate::evaluate(&ev, &load_default());
    for f in &eval.findings {
        assert!(
            !matches!(f.verdict, Verdict::Met | Verdict::Attested),
            "{} is {:?}: {}",
            f.item,
            f.verdict,
            f.reason
        );
    }
    assert_eq!(eval.summary.verdicts["met"], 0);
    let f = eval
        .findings
        .iter()
        .find(|f| f.item == "dms.1.0.size")
        .expect("size");
    assert_eq!(f.verdict, Verdict::InsufficientEvidence);
}

#[test]
fn claims_are_confirmed_contradicted_or_unverifiable() {
    use crate::evaluate::claims::{ClaimResult, check_all};
    let mut ev = migration();
    ev.facts.metrics = vec![series(
        "AWS/RDS",
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        "db",
        &[100.0 * GIB - 40e9],
    )];
    ev.facts.tasks[0].tables = Some(vec![TableStat {
        schema: "s".into(),
        table: "a".into(),
        inserts: 5,
        ..TableStat::default()
    }]);
    let c = &mut ev.case_study.case_study.claims;
    c.database_size_gb = Some(42.0);
    c.source_engine = Some("oracle".into());
    c.target_engine = Some("mysql".into());
    c.source_hosting = Some("on-premises".into());
    c.cdc_used = Some(true);
    c.tables = Some(3);
    let results: BTreeMap<String, ClaimResult> = check_all(&Input::new(&ev))
        .into_iter()
        .map(|c| (c.claim, c.result))
        .collect();
    assert_eq!(results["database_size_gb"], ClaimResult::Confirmed);
    assert_eq!(results["source_engine"], ClaimResult::Confirmed);
    assert_eq!(results["target_engine"], ClaimResult::Contradicted);
    assert_eq!(results["source_hosting"], ClaimResult::Confirmed);
    assert_eq!(results["cdc_used"], ClaimResult::Confirmed);
    assert_eq!(results["tables"], ClaimResult::Contradicted);
    ev.facts.metrics.clear();
    ev.facts.tasks[0].tables = None;
    let results: BTreeMap<String, ClaimResult> = check_all(&Input::new(&ev))
        .into_iter()
        .map(|c| (c.claim, c.result))
        .collect();
    assert_eq!(results["database_size_gb"], ClaimResult::Unverifiable);
    assert_eq!(results["tables"], ClaimResult::Unverifiable);
}

#[test]
fn peer_checks_fix_the_peers_mistakes() {
    use crate::evaluate::peer::{PeerStatus, run as peer};
    let mut ev = evidence(
        endpoint("s3-target", "target", "s3", HostKind::AwsManaged, None),
        endpoint("rs", "target", "redshift", HostKind::Redshift, None),
    );
    ev.facts.replication_instances[0].publicly_accessible = Some(true);
    ev.facts.endpoints.push(endpoint(
        "pg",
        "source",
        "postgres",
        HostKind::External,
        Some("none"),
    ));
    let status = |control: &str, part: &str| peer_status(&ev, &[], control, part);
    assert_eq!(
        status("DMS.1", ":rep:ri"),
        Some(PeerStatus::Failed),
        "public fails whatever the security groups"
    );
    assert_eq!(
        status("DMS.9", "s3-target"),
        Some(PeerStatus::Unknown),
        "no SslMode choice on S3, and DMS does not document TLS for it"
    );
    assert_eq!(
        status("DMS.9", ":endpoint:rs"),
        Some(PeerStatus::NotApplicable),
        "nor on Redshift"
    );
    assert_eq!(status("DMS.9", ":endpoint:pg"), Some(PeerStatus::Failed));
    assert_eq!(
        status("DMS.6", ":rep:ri"),
        Some(PeerStatus::Unknown),
        "absent is unknown, not failed or passed"
    );
    assert_eq!(
        status("DMS.4", ":rep:ri"),
        Some(PeerStatus::NotApplicable),
        "no tag keys configured"
    );
    let tagged = peer(&Input::new(&ev), &["owner".to_string()]);
    assert!(
        tagged
            .iter()
            .any(|c| c.control == "DMS.4" && c.status == PeerStatus::Failed)
    );
}

/// Items about what was migrated: they may rest only on migrations that moved data.
const ABOUT_WHAT_MOVED: &[&str] = &[
    "dms.1.0.size",
    "pre.2.1.account-id",
    "pre.2.1.two-prod-refs",
    "pre.2.1.outcomes",
    "dms.2.1.dep.hetero",
    "dms.2.1.dep.onprem-ec2",
    "dms.2.1.wl.cdc-hetero",
    "dms.2.1.wl.cdc-continual",
    "dms.1.0.mig.cdc",
    "dms.1.0.mig.planning",
    "pre.2.1.dates",
    "dms.2.2.initial-size",
    "dms.2.2.tables",
];

/// Everything else about it looks perfect: an 80 GB encrypted target measured today,
/// CDC type, logging on, SSL on both sides, a passed assessment.
fn perfect_but(stage: fn(&mut Evidence)) -> Evidence {
    let mut ev = migration();
    ev.facts.rds_instances[0].storage_encrypted = Some(true);
    ev.facts.metrics = vec![series(
        "AWS/RDS",
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        "db",
        &[100.0 * GIB - 80e9; 4],
    )];
    ev.facts.tasks[0].settings.logging_enabled = Some(true);
    ev.facts.assessment_runs = vec![AssessmentRun {
        region: "us-east-1".into(),
        arn: "arn:aws:dms:us-east-1:1:assessment-run:a".into(),
        status: Some("passed".into()),
        sources: vec!["c000010".into()],
        ..AssessmentRun::default()
    }];
    stage(&mut ev);
    ev
}

#[test]
fn a_migration_that_moved_no_data_proves_nothing() {
    // (how far it got, the phrase that names it)
    type Stage = (fn(&mut Evidence), &'static str);
    let stages: [Stage; 2] = [
        (never_started, "never started"),
        (moved_nothing, "started, moved nothing"),
    ];
    for (stage, phrase) in stages {
        let ev = perfect_but(stage);
        let eval = crate::evaluate::evaluate(&ev, &load_default());
        for f in &eval.findings {
            assert!(
                !matches!(f.verdict, Verdict::Met | Verdict::Attested),
                "{phrase}: {} is {:?}: {}",
                f.item,
                f.verdict,
                f.reason
            );
        }
        for item in ABOUT_WHAT_MOVED {
            let f = eval
                .findings
                .iter()
                .find(|f| f.item == *item)
                .expect("item");
            assert_eq!(
                f.verdict,
                Verdict::InsufficientEvidence,
                "{phrase}: {item}: {}",
                f.reason
            );
            assert!(f.reason.contains(phrase), "{item} names it: {}", f.reason);
        }
        assert!(!eval.summary.ready);
    }
    // The reason says why: status, stop reason, failure, errored tables, the zero counts.
    let ev = perfect_but(moved_nothing);
    let m = &Input::new(&ev).unproven[0];
    assert_eq!(
        m.moved_nothing_details(),
        "status failed, stop reason FATAL_ERROR, last failure \"Last Error ORA-01017: invalid username/password\", \
         3 of 3 tables errored, 0 rows loaded and 0 changes applied in tables not in error"
    );
}

type Add = Box<dyn Fn(&mut Evidence)>;

/// What is added to a never-started task, whether it then moved data, and the phrase
/// that names the evidence.
fn moved_data_cases() -> Vec<(&'static str, bool, Add)> {
    let table = |rows: i64, inserts: i64, state: &str| TableStat {
        schema: "s".into(),
        table: "t".into(),
        full_load_rows: rows,
        inserts,
        state: Some(state.into()),
        ..TableStat::default()
    };
    vec![
        (
            "a start date",
            false,
            Box::new(|ev| ev.facts.tasks[0].started = Some("2026-10-01T00:00:00Z".into())),
        ),
        (
            "rows loaded",
            true,
            Box::new(move |ev| {
                ev.facts.tasks[0].tables = Some(vec![table(10, 0, "Table completed")])
            }),
        ),
        (
            "changes applied",
            true,
            Box::new(move |ev| {
                ev.facts.tasks[0].tables = Some(vec![table(0, 5, "Table completed")])
            }),
        ),
        (
            "rows in a table in error",
            false,
            Box::new(move |ev| ev.facts.tasks[0].tables = Some(vec![table(10, 5, "Table error")])),
        ),
        (
            "an empty table completed",
            false,
            Box::new(move |ev| {
                ev.facts.tasks[0].tables = Some(vec![table(0, 0, "Table completed")])
            }),
        ),
        (
            "table(s) loaded (task statistics)",
            true,
            Box::new(|ev| {
                ev.facts.tasks[0].tables = None;
                if let Some(s) = ev.facts.tasks[0].stats.as_mut() {
                    s.tables_loaded = Some(2);
                }
            }),
        ),
        (
            // Table statistics on record say no row: TablesLoaded counts empty tables.
            "TablesLoaded beside empty table statistics",
            false,
            Box::new(move |ev| {
                ev.facts.tasks[0].tables = Some(vec![table(0, 0, "Table completed")]);
                if let Some(s) = ev.facts.tasks[0].stats.as_mut() {
                    s.tables_loaded = Some(1);
                }
            }),
        ),
    ]
}

/// As [`moved_data_cases`], for CloudWatch metrics and log events.
fn moved_data_metric_cases() -> Vec<(&'static str, bool, Add)> {
    vec![
        (
            "CDCThroughputRowsSource",
            false,
            Box::new(|ev| ev.facts.metrics = vec![task_metric("CDCThroughputRowsSource")]),
        ),
        (
            "CDCIncomingChanges",
            false,
            Box::new(|ev| ev.facts.metrics = vec![task_metric("CDCIncomingChanges")]),
        ),
        (
            "CDCThroughputRowsTarget",
            true,
            Box::new(|ev| ev.facts.metrics = vec![task_metric("CDCThroughputRowsTarget")]),
        ),
        (
            "FullLoadThroughputRowsTarget",
            true,
            Box::new(|ev| ev.facts.metrics = vec![task_metric("FullLoadThroughputRowsTarget")]),
        ),
        (
            "log stream",
            false,
            Box::new(|ev| {
                ev.facts.log_groups = vec![LogGroup {
                    region: "us-east-1".into(),
                    name: "dms-tasks-ri".into(),
                    latest_streams: vec![("dms-task-t1".into(), Some(NOW.into()))],
                    ..LogGroup::default()
                }]
            }),
        ),
    ]
}

#[test]
fn moved_data_needs_rows_loaded_or_changes_applied() {
    for (what, moved, add) in moved_data_cases()
        .into_iter()
        .chain(moved_data_metric_cases())
    {
        let mut ev = migration();
        never_started(&mut ev);
        assert!(Input::new(&ev).migrations.is_empty());
        add(&mut ev);
        let input = Input::new(&ev);
        assert_eq!(input.migrations.len(), usize::from(moved), "{what}");
        if moved {
            assert!(
                input.migrations[0].moved_note().contains(what),
                "{what}: {}",
                input.migrations[0].moved_note()
            );
        } else {
            assert!(
                matches!(
                    input.unproven[0].run,
                    crate::evaluate::view::Run::MovedNothing
                        | crate::evaluate::view::Run::NotOnRecord
                ),
                "{what}: started, {:?}",
                input.unproven[0].run
            );
        }
    }
    // A log stream of another task in the same group is not this task's run.
    let mut ev = migration();
    never_started(&mut ev);
    ev.facts.log_groups = vec![LogGroup {
        region: "us-east-1".into(),
        name: "dms-tasks-ri".into(),
        latest_streams: vec![("dms-task-OTHER".into(), Some(NOW.into()))],
        ..LogGroup::default()
    }];
    assert_eq!(
        Input::new(&ev).unproven[0].run,
        crate::evaluate::view::Run::NeverStarted
    );
    // Nor is a metric of the same task id in another region.
    let mut far = task_metric("CDCThroughputRowsTarget");
    far.region = "eu-west-1".into();
    ev.facts.metrics = vec![far];
    assert!(Input::new(&ev).migrations.is_empty());
}

fn task_metric(name: &str) -> MetricSeries {
    series(
        "AWS/DMS",
        name,
        "ReplicationTaskIdentifier",
        "t1",
        &[0.0, 5.0],
    )
}

#[test]
fn readiness_needs_every_item_answered() {
    let ev = migration();
    let eval = crate::evaluate::evaluate(&ev, &load_default());
    assert!(!eval.summary.ready);
    let blocked: Vec<&str> = eval
        .summary
        .blockers
        .iter()
        .map(|b| b.item.as_str())
        .collect();
    for f in &eval.findings {
        let grouped = load_default()
            .items
            .iter()
            .any(|i| i.id == f.item && i.group.is_some());
        let passes = crate::evaluate::passes(f.verdict);
        assert_eq!(
            blocked.contains(&f.item.as_str()),
            !passes && !grouped,
            "{} {:?}",
            f.item,
            f.verdict
        );
    }
}

#[test]
fn peer_checks_per_engine_family() {
    use crate::evaluate::peer::PeerStatus;
    let mut kafka = endpoint("k", "target", "kafka", HostKind::AwsManaged, Some("none"));
    kafka.settings.insert(
        "KafkaSettings".into(),
        serde_json::json!({"SecurityProtocol": "plaintext"}),
    );
    let mut mysql = endpoint("m", "source", "mysql", HostKind::External, Some("require"));
    mysql.settings.clear();
    let mut docdb = endpoint(
        "d",
        "target",
        "docdb",
        HostKind::DocumentDb,
        Some("verify-full"),
    );
    docdb.settings.insert(
        "DocDbSettings".into(),
        serde_json::json!({"Username": "migrator"}),
    );
    let mut s3 = endpoint("b", "target", "s3", HostKind::AwsManaged, None);
    s3.settings.insert(
        "S3Settings".into(),
        serde_json::json!({"EncryptionMode": "SSE_S3", "ServerSideEncryptionKmsKeyId": ""}),
    );
    let mut ev = evidence(mysql, kafka);
    ev.facts.endpoints.push(docdb);
    ev.facts.endpoints.push(s3);
    let status = |control: &str, part: &str| peer_status(&ev, &[], control, part);
    assert_eq!(
        status("DMS.9", ":endpoint:k"),
        Some(PeerStatus::Failed),
        "Kafka plaintext"
    );
    assert_eq!(
        status("DMS.9", ":endpoint:m"),
        Some(PeerStatus::Failed),
        "require is not a mode DMS supports for MySQL"
    );
    assert_eq!(status("DMS.11", ":endpoint:d"), Some(PeerStatus::Passed));
    assert_eq!(
        status("dms-s3-endpoint-cmk", ":endpoint:b"),
        Some(PeerStatus::Failed)
    );
}

#[test]
fn a_positive_verdict_without_a_citation_cannot_be_built() {
    use crate::evaluate::Finding;
    // (verdict, cited, built)
    for (verdict, cited, built) in [
        (Verdict::Met, false, false),
        (Verdict::Attested, false, false),
        (Verdict::Met, true, true),
        (Verdict::Attested, true, true),
        (Verdict::NotMet, false, true),
        (Verdict::InsufficientEvidence, false, true),
        (Verdict::AttestationRequired, false, true),
    ] {
        let mut f = Finding::new(verdict, "because");
        if cited {
            f = f.cite("endpoints/x", &[]);
        }
        assert_eq!(f.build().is_ok(), built, "{verdict:?} cited={cited}");
    }
}

type HistoryCase = (
    &'static str,
    Vec<HistoryRead>,
    Vec<Gap>,
    Verdict,
    &'static str,
);

/// (case, history read, gaps, verdict of the items resting on what was in force while the
/// task ran on 2026-07-01..10, phrase of the reason).
fn history_cases() -> Vec<HistoryCase> {
    let read = |region: &str, since: &str| HistoryRead {
        region: region.into(),
        since: since.into(),
        until: NOW.into(),
        events: 0,
        sources: vec!["c000050".into()],
        source: None,
        integrity: None,
    };
    let denied = lookup_events_denied();
    let unknown = Verdict::InsufficientEvidence;
    vec![
        (
            "history from before the run",
            vec![read("us-east-1", "2026-06-01T00:00:00Z")],
            vec![],
            Verdict::Met,
            "",
        ),
        (
            "history begins after the run started",
            vec![read("us-east-1", "2026-08-29T00:00:00Z")],
            vec![],
            unknown,
            "CloudTrail history in us-east-1 begins 2026-08-29T00:00:00Z, after it started 2026-07-01T00:00:00Z",
        ),
        (
            "a trail's log files reach back before the run",
            vec![
                read("us-east-1", "2026-08-29T00:00:00Z"),
                read("us-east-1", "2026-06-15T00:00:00Z"),
            ],
            vec![],
            Verdict::Met,
            "",
        ),
        (
            "history read in another region only",
            vec![read("eu-west-1", "2026-06-01T00:00:00Z")],
            vec![],
            unknown,
            "no CloudTrail history was read in us-east-1",
        ),
        (
            "LookupEvents denied",
            vec![],
            vec![denied],
            unknown,
            "cloudtrail:LookupEvents was denied",
        ),
        (
            "collected before CloudTrail history was read (0.1.0)",
            vec![],
            vec![],
            Verdict::Met,
            "",
        ),
    ]
}

/// The task ran from 1 to 10 July 2026 and is stopped since.
fn ran_in_july(ev: &mut Evidence) {
    let t = &mut ev.facts.tasks[0];
    t.status = Some("stopped".into());
    t.created = Some("2026-06-30T00:00:00Z".into());
    t.started = Some("2026-07-01T00:00:00Z".into());
    let stats = t.stats.get_or_insert_with(TaskStats::default);
    stats.start_date = Some("2026-07-01T00:00:00Z".into());
    stats.fresh_start_date = None;
    stats.stop_date = Some("2026-07-10T00:00:00Z".into());
    t.table_mappings.parsed = true;
}

/// AWS Config's items of each endpoint, captured before the July run with today's members
/// (the source's SslMode `then`, or today's for "today"), and the change to today's mode
/// after the run; a recorder recording endpoints continuously since `started`.
fn recorded_by_config(ev: &mut Evidence, then: &str, started: &str) {
    use crate::facts::config_history::ConfigRecorder;
    for e in &mut ev.facts.endpoints {
        let today = e.ssl_mode.clone().unwrap_or_default();
        let mode = if e.endpoint_type == "source" && then != "today" {
            then.to_string()
        } else {
            today.clone()
        };
        e.config_history = vec![config_item(e, "2026-06-01T00:00:00Z", &mode)];
        if mode != today {
            // Switched to today's mode after the run: recorded too.
            e.config_history
                .push(config_item(e, "2026-08-01T00:00:00Z", &today));
        }
    }
    ev.facts.config_recorders = vec![ConfigRecorder {
        region: "us-east-1".into(),
        name: "default".into(),
        records_endpoints: true,
        endpoint_frequency: Some("CONTINUOUS".into()),
        recording: true,
        last_start: Some(started.into()),
        sources: vec!["c000060".into()],
        ..ConfigRecorder::default()
    }];
}

/// A run older than CloudTrail's history is judged on what AWS Config recorded of its
/// endpoints when the recorder recorded them continuously throughout; else it stays
/// insufficient, naming why Config cannot say either.
#[test]
fn aws_config_settles_the_endpoints_of_a_run_before_the_history() {
    let unknown = Verdict::InsufficientEvidence;
    // (case, the source's SslMode while it ran ("today": today's), the recorder's last
    // start, verdict, phrase)
    let cases = [
        (
            "plaintext while it ran",
            "none",
            "2026-01-01T00:00:00Z",
            Verdict::NotMet,
            "as AWS Config recorded it",
        ),
        (
            "encrypted while it ran (today's modes)",
            "today",
            "2026-01-01T00:00:00Z",
            Verdict::Met,
            "",
        ),
        (
            "recorder restarted since",
            "none",
            "2026-07-20T00:00:00Z",
            unknown,
            "AWS Config cannot say either: AWS Config recorder default last started 2026-07-20",
        ),
        (
            "its end not dated",
            "none",
            "2026-01-01T00:00:00Z",
            unknown,
            "AWS Config cannot say either: its run's start or end is not dated",
        ),
    ];
    for (case, then, started, want, phrase) in cases {
        let mut ev = perfect_but(ran_in_july);
        ev.facts.history_reads = history_cases().remove(1).1;
        recorded_by_config(&mut ev, then, started);
        if case == "its end not dated" {
            // A full load's finish would stand in for the end: the rest of the run is left out.
            let stats = ev.facts.tasks[0].stats.as_mut().expect("stats");
            stats.stop_date = None;
            stats.full_load_finish_date = Some("2026-07-02T00:00:00Z".into());
        }
        let f = run(&ev, "dms.1.0.sec.in-flight");
        assert_eq!(f.verdict, want, "{case}: {}", f.reason);
        assert!(f.reason.contains(phrase), "{case}: {}", f.reason);
        if want != unknown {
            assert!(
                f.sources.iter().any(|s| s.starts_with("cfg-")),
                "{case}: cites the items: {:?}",
                f.sources
            );
        }
        // Config does not record task settings: those stay unknown.
        assert_eq!(run(&ev, "dms.1.0.arch.limits").verdict, unknown, "{case}");
        // Config keeps the current state while it records: an endpoint it settled gets no
        // date from CloudTrail's 90 days, which its run is already past (nor, here, from
        // Config's retention: see the next test).
        if want == Verdict::Met {
            let expiring = crate::evaluate::expiry::expiries(
                &Input::new(&ev),
                std::slice::from_ref(&f),
                &load_default(),
            );
            assert!(
                expiring
                    .iter()
                    .all(|x| !x.evidence.starts_with("endpoints/")),
                "{case}: {expiring:?}"
            );
        }
    }
}

/// An endpoint AWS Config settled is kept while Config keeps the item in force as its run
/// began: the current state while a recorder records (no date), else until the region's
/// retention after the next item (or after its own capture, with no recorder recording);
/// retention not read counts as the fewest days AWS Config allows (30).
#[test]
fn an_endpoint_settled_by_aws_config_expires_with_its_retention() {
    // (a later item, retention read, recording, the source's expiry)
    let cases = [
        (false, Some(365), true, None),
        (true, Some(365), true, Some("2027-08-01T00:00:00Z")),
        (true, None, true, Some("2026-08-31T00:00:00Z")),
        (false, Some(365), false, Some("2027-06-01T00:00:00Z")),
        // A retention beyond what AWS Config allows is held to its bounds (2557 days).
        (true, Some(i64::MAX), true, Some("2033-08-01T00:00:00Z")),
    ];
    for (later, retention, recording, want) in cases {
        let mut ev = perfect_but(ran_in_july);
        ev.facts.history_reads = history_cases().remove(1).1;
        recorded_by_config(&mut ev, "today", "2026-01-01T00:00:00Z");
        for r in &mut ev.facts.config_recorders {
            r.retention_days = retention;
            r.recording = recording;
            r.last_stop = (!recording).then(|| "2026-09-01T00:00:00Z".into());
        }
        if later {
            for e in &mut ev.facts.endpoints {
                let today = e.ssl_mode.clone().unwrap_or_default();
                e.config_history
                    .push(config_item(e, "2026-08-01T00:00:00Z", &today));
            }
        }
        let f = run(&ev, "dms.1.0.sec.in-flight");
        assert_eq!(
            f.verdict,
            Verdict::Met,
            "{later} {retention:?}: {}",
            f.reason
        );
        let expiring = crate::evaluate::expiry::expiries(
            &Input::new(&ev),
            std::slice::from_ref(&f),
            &load_default(),
        );
        let source = ev
            .facts
            .endpoints
            .iter()
            .find(|e| e.endpoint_type == "source")
            .expect("source");
        let got = expiring
            .iter()
            .find(|x| x.evidence == format!("endpoints/{}", source.arn));
        assert_eq!(
            got.map(|x| x.expires.to_string()).as_deref(),
            want,
            "{later} {retention:?} {recording}: {expiring:?}"
        );
        if let Some(x) = got {
            assert!(
                x.basis.starts_with("judged as AWS Config recorded it"),
                "{}",
                x.basis
            );
        }
    }
}

/// (case, CloudTrail history from, today's type, its history, changes applied, verdict, phrase)
type TypeCase = (
    &'static str,
    &'static str,
    &'static str,
    Vec<HistoryEvent>,
    i64,
    Verdict,
    &'static str,
);

fn type_cases() -> Vec<TypeCase> {
    let event = |name: &str, at: &str, kind: &str| HistoryEvent {
        name: name.into(),
        at: at.into(),
        event_id: format!("{name}@{at}"),
        request: serde_json::json!({"MigrationType": kind}),
        sources: vec![format!("ct-{at}")],
        ..HistoryEvent::default()
    };
    let cdc = "full-load-and-cdc";
    vec![
        (
            "full load today, CDC while it ran",
            "2026-06-01T00:00:00Z",
            "full-load",
            vec![
                event("CreateReplicationTask", "2026-06-30T00:00:00Z", cdc),
                event("ModifyReplicationTask", "2026-08-01T00:00:00Z", "full-load"),
            ],
            10,
            Verdict::Met,
            "(full-load-and-cdc, ",
        ),
        (
            "full load then and today",
            "2026-06-01T00:00:00Z",
            "full-load",
            vec![],
            10,
            Verdict::NotMet,
            "(full-load)",
        ),
        (
            "CDC today, full load while it ran",
            "2026-06-01T00:00:00Z",
            cdc,
            vec![
                event("CreateReplicationTask", "2026-06-30T00:00:00Z", "full-load"),
                event("ModifyReplicationTask", "2026-08-01T00:00:00Z", cdc),
            ],
            0,
            Verdict::NotMet,
            "(full-load)",
        ),
        (
            "before the history, changes applied",
            "2026-08-29T00:00:00Z",
            cdc,
            vec![],
            10,
            Verdict::InsufficientEvidence,
            "migration type not on record",
        ),
        (
            "before the history, nothing applied",
            "2026-08-29T00:00:00Z",
            "full-load",
            vec![],
            0,
            Verdict::InsufficientEvidence,
            "migration type not on record",
        ),
    ]
}

/// Whether a task's changes count as CDC depends on the migration type it ran with: a
/// ModifyReplicationTask since does not rewrite it; before the history it is not on record,
/// and its counters cannot say (cached changes a full load applies count in them too).
#[test]
fn the_migration_type_is_judged_as_it_ran() {
    for (case, since, today, history, inserts, want, phrase) in type_cases() {
        let mut ev = perfect_but(ran_in_july);
        ev.facts.history_reads = vec![HistoryRead {
            region: "us-east-1".into(),
            since: since.into(),
            until: NOW.into(),
            sources: vec!["c000050".into()],
            ..HistoryRead::default()
        }];
        let t = &mut ev.facts.tasks[0];
        t.migration_type = Some(today.into());
        t.history = history;
        t.tables = Some(vec![TableStat {
            schema: "s".into(),
            table: "t".into(),
            full_load_rows: 100,
            inserts,
            ..TableStat::default()
        }]);
        let f = run(&ev, "dms.1.0.mig.cdc");
        assert_eq!(f.verdict, want, "{case}: {}", f.reason);
        assert!(f.reason.contains(phrase), "{case}: {}", f.reason);
    }
}

/// What was in force while a migration ran is on record only as far back as CloudTrail
/// history reaches: a run that started before it may have used other endpoints and
/// settings than today's (an endpoint switched to verify-full after the run, before the
/// history began, would otherwise be a false met).
#[test]
fn a_run_before_the_history_is_not_judged_on_todays_settings() {
    for (case, reads, gaps, want, phrase) in history_cases() {
        let mut ev = perfect_but(ran_in_july);
        ev.facts.history_reads = reads;
        ev.gaps = gaps;
        assert_eq!(Input::new(&ev).migrations.len(), 1, "{case}: it moved data");
        for item in [
            "dms.1.0.sec.in-flight",
            "dms.2.1.dep.hetero",
            "dms.1.0.mig.task-log",
        ] {
            let f = run(&ev, item);
            if item == "dms.1.0.mig.task-log" && want == Verdict::Met {
                // Judged on its log events as before; only its settings' basis matters here.
                continue;
            }
            assert_eq!(f.verdict, want, "{case}: {item}: {}", f.reason);
            assert!(f.reason.contains(phrase), "{case}: {item}: {}", f.reason);
        }
        let mappings_read = Input::new(&ev).migrations[0].mappings.parsed;
        assert_eq!(
            mappings_read,
            want == Verdict::Met,
            "{case}: table mappings"
        );
        if want == Verdict::Met {
            continue;
        }
        // Unknown settings are not within limits; a need today still counts (logging on
        // today needs its role); a public instance whose endpoints then are unknown may
        // have needed the internet.
        let f = run(&ev, "dms.1.0.arch.limits");
        assert_eq!(
            f.verdict,
            Verdict::InsufficientEvidence,
            "{case}: limits: {}",
            f.reason
        );
        let mut roleless = ev.clone();
        roleless.facts.iam_roles.clear();
        let f = run(&roleless, "dms.1.0.sec.iam-roles");
        assert!(
            f.reason.contains("dms-cloudwatch-logs-role"),
            "{case}: {}",
            f.reason
        );
        let mut public = ev.clone();
        public.facts.replication_instances[0].publicly_accessible = Some(true);
        let f = run(&public, "dms.1.0.arch.public-private");
        assert_eq!(
            f.verdict,
            Verdict::InsufficientEvidence,
            "{case}: public: {}",
            f.reason
        );
    }
}

/// A restart resets a task's dates to the latest run; the series of an earlier run that
/// moved data still date it, and the history must reach back to that.
#[test]
fn an_earlier_run_dated_by_its_series_is_before_the_history() {
    let mut ev = perfect_but(|_| {});
    ev.facts.history_reads = vec![HistoryRead {
        region: "us-east-1".into(),
        since: "2026-09-01T00:00:00Z".into(),
        until: NOW.into(),
        ..HistoryRead::default()
    }];
    assert_eq!(
        run(&ev, "dms.1.0.sec.in-flight").verdict,
        Verdict::Met,
        "its dated run is inside the history"
    );
    // CDC applied 150 days ago, by a run before the one its dates show.
    ev.facts.metrics.push(series(
        "AWS/DMS",
        "CDCThroughputRowsTarget",
        "ReplicationTaskIdentifier",
        "t1",
        &[1.0; 3600],
    ));
    let f = run(&ev, "dms.1.0.sec.in-flight");
    assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
    assert!(
        f.reason.contains("after it started 2026-06-30"),
        "{}",
        f.reason
    );
}

/// A task deleted before any history still names it, found through its log stream: only
/// its series are on record.
fn traced(values: &[f64]) -> Evidence {
    let mut ev = empty();
    let id = "OLDTASK";
    ev.facts.tasks = vec![Task {
        region: "us-east-1".into(),
        identifier: id.into(),
        arn: format!("arn:aws:dms:us-east-1:111111111111:task:{id}"),
        resource_id: id.into(),
        sources: vec!["c000009".into()],
        traced: Some(Trace {
            instance: "ri".into(),
            log_stream: Some(format!("dms-tasks-ri/dms-task-{id}")),
            ..Trace::default()
        }),
        ..Task::default()
    }];
    ev.facts.metrics = ["FullLoadThroughputRowsTarget", "CDCThroughputRowsTarget"]
        .map(|name| series("AWS/DMS", name, "ReplicationTaskIdentifier", id, values))
        .to_vec();
    ev.facts.log_groups = vec![LogGroup {
        region: "us-east-1".into(),
        name: "dms-tasks-ri".into(),
        latest_streams: vec![(
            format!("dms-task-{id}"),
            Some(Timestamp::from_secs(NOW_SECS)),
        )],
        sources: vec!["c000011".into()],
        ..LogGroup::default()
    }];
    ev
}

#[test]
fn a_task_known_only_from_its_series_proves_only_that_data_moved() {
    let eval = crate::evaluate::evaluate(&traced(&[0.0, 120.0, 40.0]), &load_default());
    let mut met = Vec::new();
    for f in &eval.findings {
        assert_ne!(f.verdict, Verdict::NotMet, "{}: {}", f.item, f.reason);
        if f.verdict == Verdict::Met {
            met.push(f.item.as_str());
        }
    }
    // That data moved in this account. Not that it logged: an event in its stream may
    // come from a later run, and its settings while it ran are not on record.
    assert_eq!(met, ["pre.2.1.account-id"], "nothing else of it is known");
    let f = eval
        .findings
        .iter()
        .find(|f| f.item == "pre.2.1.account-id")
        .expect("item");
    assert!(
        f.reason
            .contains("OLDTASK is known only from its log stream dms-tasks-ri/dms-task-OLDTASK"),
        "{}",
        f.reason
    );
    // What is not on record says why, once.
    let f = eval
        .findings
        .iter()
        .find(|f| f.item == "dms.1.0.sec.in-flight")
        .expect("item");
    assert_eq!(
        f.reason
            .matches("not on record: the task is known only from its log stream")
            .count(),
        1,
        "{}",
        f.reason
    );
    // Series that show nothing moved leave it out: nothing else of it could count.
    let ev = traced(&[0.0, 0.0]);
    let input = Input::new(&ev);
    assert!(input.migrations.is_empty() && input.unproven.is_empty());
}

#[test]
fn a_task_known_only_from_its_log_stream_needs_the_roles_it_may_have_used() {
    let role = |name: &str, exists: bool| IamRole {
        name: name.into(),
        exists,
        trusted_services: vec!["dms.amazonaws.com".into()],
        sources: vec!["c000012".into()],
        ..IamRole::default()
    };
    for (endpoint_role, logs_role, want, phrase) in [
        (true, true, Verdict::Met, "present"),
        (
            false,
            true,
            Verdict::InsufficientEvidence,
            "the target of OLDTASK is not on record: a Redshift target would need dms-access-for-endpoint, which does not exist",
        ),
        // It logged: the logs role was needed.
        (
            true,
            false,
            Verdict::NotMet,
            "missing: dms-cloudwatch-logs-role",
        ),
    ] {
        let mut ev = traced(&[0.0, 120.0]);
        ev.facts.iam_roles = vec![
            role("dms-vpc-role", true),
            role("dms-cloudwatch-logs-role", logs_role),
            role("dms-access-for-endpoint", endpoint_role),
        ];
        let f = run(&ev, "dms.1.0.sec.iam-roles");
        assert_eq!(f.verdict, want, "{}", f.reason);
        assert!(f.reason.contains(phrase), "{}", f.reason);
    }
}
