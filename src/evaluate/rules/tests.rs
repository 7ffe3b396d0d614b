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

#[test]
fn a_migration_that_never_ran_proves_nothing() {
    // Everything else about it looks perfect: a 80 GB encrypted target measured
    // today, CDC type, logging on, SSL on both sides.
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
    never_ran(&mut ev);
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
    for item in [
        "dms.1.0.size",
        "pre.2.1.account-id",
        "dms.2.1.dep.hetero",
        "dms.1.0.mig.planning",
        "pre.2.1.dates",
    ] {
        let f = eval.findings.iter().find(|f| f.item == item).expect("item");
        assert_eq!(
            f.verdict,
            Verdict::InsufficientEvidence,
            "{item}: {}",
            f.reason
        );
        assert!(
            f.reason.contains("never ran"),
            "{item} names it: {}",
            f.reason
        );
    }
    assert!(!eval.summary.ready);
}

#[test]
fn any_one_evidence_of_a_run_is_enough_and_named() {
    type Add = Box<dyn Fn(&mut Evidence)>;
    let cases: Vec<(&str, Add)> = vec![
        (
            "started",
            Box::new(|ev| ev.facts.tasks[0].started = Some("2026-10-01T00:00:00Z".into())),
        ),
        (
            "table statistics",
            Box::new(|ev| {
                ev.facts.tasks[0].tables = Some(vec![TableStat {
                    schema: "s".into(),
                    table: "t".into(),
                    full_load_rows: 10,
                    ..TableStat::default()
                }])
            }),
        ),
        (
            "CDCThroughputRowsSource",
            Box::new(|ev| {
                ev.facts.metrics = vec![series(
                    "AWS/DMS",
                    "CDCThroughputRowsSource",
                    "ReplicationTaskIdentifier",
                    "t1",
                    &[0.0, 5.0],
                )]
            }),
        ),
        (
            "log stream",
            Box::new(|ev| {
                ev.facts.log_groups = vec![LogGroup {
                    region: "us-east-1".into(),
                    name: "dms-tasks-ri".into(),
                    latest_streams: vec![("dms-task-t1".into(), Some(NOW.into()))],
                    ..LogGroup::default()
                }]
            }),
        ),
    ];
    for (what, add) in cases {
        let mut ev = migration();
        never_ran(&mut ev);
        assert!(Input::new(&ev).migrations.is_empty());
        add(&mut ev);
        let input = Input::new(&ev);
        assert_eq!(input.migrations.len(), 1, "{what}");
        assert!(
            input.migrations[0].ran_note().contains(what),
            "{what}: {}",
            input.migrations[0].ran_note()
        );
    }
    // A log stream of another task in the same group is not this task's run.
    let mut ev = migration();
    never_ran(&mut ev);
    ev.facts.log_groups = vec![LogGroup {
        region: "us-east-1".into(),
        name: "dms-tasks-ri".into(),
        latest_streams: vec![("dms-task-OTHER".into(), Some(NOW.into()))],
        ..LogGroup::default()
    }];
    assert!(Input::new(&ev).migrations.is_empty());
    // Nor is a metric of the same task id in another region.
    let mut far = series(
        "AWS/DMS",
        "CDCIncomingChanges",
        "ReplicationTaskIdentifier",
        "t1",
        &[9.0],
    );
    far.region = "eu-west-1".into();
    ev.facts.metrics = vec![far];
    assert!(Input::new(&ev).migrations.is_empty());
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
