//! Table-driven tests of the rules on small, hand-built evidence.

use std::collections::BTreeMap;

use super::*;
use crate::casestudy::{CaseStudy, Claims};
use crate::evaluate::checklist::load_default;
use crate::evaluate::view::GIB;
use crate::evidence::CallerIdentity;
use crate::evidence::Capture;
use crate::evidence::{CaseStudyRecord, Collection, Evidence};
use crate::evidence::{Gap, GapKind};
use crate::facts::*;

pub(crate) const NOW: &str = "2026-11-27T00:00:00Z";
pub(crate) const NOW_SECS: i64 = 1_795_737_600;

fn endpoint(id: &str, kind: &str, engine: &str, host: HostKind, ssl: Option<&str>) -> Endpoint {
    Endpoint {
        region: "us-east-1".into(),
        identifier: id.into(),
        arn: format!("arn:aws:dms:us-east-1:111111111111:endpoint:{id}"),
        endpoint_type: kind.into(),
        engine: engine.into(),
        family: host::family(engine),
        server_name: Some(format!("{id}.example")),
        port: Some(5432),
        database: None,
        status: Some("active".into()),
        ssl_mode: ssl.map(str::to_string),
        certificate_arn: None,
        kms_key_id: None,
        host: Host {
            kind: host,
            resource: None,
            address: None,
            public_address: None,
            basis: String::new(),
        },
        settings: BTreeMap::new(),
        sources: vec!["c000001".into()],
    }
}

fn evidence(src: Endpoint, tgt: Endpoint) -> Evidence {
    let ri = ReplicationInstance {
        region: "us-east-1".into(),
        identifier: "ri".into(),
        arn: "arn:aws:dms:us-east-1:111111111111:rep:ri".into(),
        publicly_accessible: Some(false),
        allocated_storage_gb: Some(100),
        sources: vec!["c000002".into()],
        ..ReplicationInstance::default()
    };
    let task = Task {
        region: "us-east-1".into(),
        identifier: "t1".into(),
        arn: "arn:aws:dms:us-east-1:111111111111:task:t1".into(),
        resource_id: "t1".into(),
        instance_arn: Some(ri.arn.clone()),
        source_arn: Some(src.arn.clone()),
        target_arn: Some(tgt.arn.clone()),
        migration_type: Some("full-load-and-cdc".into()),
        status: Some("running".into()),
        created: Some("2026-10-01T00:00:00Z".into()),
        started: Some("2026-10-01T00:00:00Z".into()),
        stats: Some(TaskStats {
            tables_errored: Some(0),
            fresh_start_date: Some("2026-10-01T00:00:00Z".into()),
            full_load_finish_date: Some("2026-10-02T00:00:00Z".into()),
            ..TaskStats::default()
        }),
        settings: TaskSettings {
            parsed: true,
            ..TaskSettings::default()
        },
        sources: vec!["c000003".into()],
        ..Task::default()
    };
    let mut ev = empty();
    ev.facts.endpoints = vec![src, tgt];
    ev.facts.replication_instances = vec![ri];
    ev.facts.tasks = vec![task];
    ev
}

pub(crate) fn empty() -> Evidence {
    let case_study = CaseStudy {
        name: None,
        account_id: "111111111111".into(),
        role_arn: "arn:aws:iam::111111111111:role/ro".into(),
        external_id: None,
        session_name: "s".into(),
        regions: vec!["us-east-1".into()],
        statements: BTreeMap::new(),
        claims: Claims::default(),
        attachments: vec![],
        base_dir: Default::default(),
        manifest: None,
        attachment_lines: vec![],
    };
    let collection = Collection {
        started_at: NOW.into(),
        finished_at: NOW.into(),
        caller: CallerIdentity {
            account: "111111111111".into(),
            arn: String::new(),
            user_id: String::new(),
            sources: vec![],
        },
        regions: vec!["us-east-1".into()],
        role_session_name: "s".into(),
        endpoint_override: None,
        calls: 0,
        failed_calls: 0,
        metrics: Default::default(),
        retries: Default::default(),
        redacted: false,
        complete: true,
        outcomes: vec![],
    };
    let facts = Facts {
        regions: vec!["us-east-1".into()],
        ..Facts::default()
    };
    let record = CaseStudyRecord {
        case_study,
        external_id_sha256: None,
    };
    Evidence::collected(
        record,
        vec![],
        collection,
        Vec::<Capture>::new(),
        facts,
        vec![],
    )
}

fn run(ev: &Evidence, item_id: &str) -> Finding {
    let checklist = load_default();
    let item = checklist
        .items
        .iter()
        .find(|i| i.id == item_id)
        .expect("item");
    let def = find(&item.rule).expect("rule");
    (def.run)(&Input::new(ev), item)
}

fn series(namespace: &str, name: &str, dim: &str, id: &str, values: &[f64]) -> MetricSeries {
    MetricSeries {
        region: "us-east-1".into(),
        namespace: namespace.into(),
        name: name.into(),
        dimensions: BTreeMap::from([(dim.to_string(), id.to_string())]),
        stat: "Average".into(),
        period: 3600,
        // Hourly, ending an hour before NOW: inside the fixture task's window.
        timestamps: (0..values.len() as i64)
            .map(|h| NOW_SECS - (values.len() as i64 - h) * 3600)
            .collect(),
        values: values.to_vec(),
        hourly_windows: Vec::new(),
        sources: vec!["c000009".into()],
    }
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
fn ssl_in_flight_by_engine() {
    use HostKind::*;
    let cases = [
        (
            ("oracle", Some("verify-ca")),
            ("aurora-postgresql", Some("verify-full")),
            Verdict::Met,
        ),
        (
            ("postgres", Some("none")),
            ("postgres", Some("require")),
            Verdict::NotMet,
        ),
        (
            ("oracle", Some("require")),
            ("aurora-postgresql", Some("verify-full")),
            Verdict::NotMet,
        ),
        (
            ("mysql", Some("verify-ca")),
            ("redshift", Some("none")),
            Verdict::Met,
        ),
        // DMS documents TLS for DynamoDB and Kinesis, not for S3.
        (
            ("s3", None),
            ("dynamodb", None),
            Verdict::InsufficientEvidence,
        ),
        (("dynamodb", None), ("kinesis", Some("none")), Verdict::Met),
        (
            ("made-up-engine", Some("require")),
            ("redshift", None),
            Verdict::InsufficientEvidence,
        ),
        (
            ("postgres", None),
            ("aurora-postgresql", Some("verify-full")),
            Verdict::InsufficientEvidence,
        ),
    ];
    for ((se, ss), (te, ts), want) in cases {
        let ev = evidence(
            endpoint("src", "source", se, External, ss),
            endpoint("tgt", "target", te, Aurora, ts),
        );
        let f = run(&ev, "dms.1.0.sec.in-flight");
        assert_eq!(f.verdict, want, "{se} {ss:?} → {te} {ts:?}: {}", f.reason);
    }
}

#[test]
fn public_vs_private() {
    use HostKind::*;
    for (public, src_host, address, want) in [
        (Some(false), Rds, None, Verdict::Met),
        (Some(true), External, Some("203.0.113.7"), Verdict::Met),
        // A private address outside the VPCs is reached by VPN: no public instance needed.
        (Some(true), External, Some("10.1.2.3"), Verdict::NotMet),
        (
            Some(true),
            OtherCloud,
            Some("x.database.windows.net"),
            Verdict::Met,
        ),
        (Some(true), Rds, None, Verdict::NotMet),
        (Some(true), Ec2, None, Verdict::NotMet),
        (
            Some(true),
            Unverified,
            Some("db.corp.example"),
            Verdict::InsufficientEvidence,
        ),
        (Some(true), Unknown, None, Verdict::InsufficientEvidence),
        (None, Rds, None, Verdict::InsufficientEvidence),
    ] {
        let mut src = endpoint("src", "source", "mysql", src_host, Some("verify-ca"));
        src.host.address = address.map(str::to_string);
        let mut ev = evidence(
            src,
            endpoint("tgt", "target", "mysql", Rds, Some("verify-ca")),
        );
        ev.facts.replication_instances[0].publicly_accessible = public;
        assert_eq!(
            run(&ev, "dms.1.0.arch.public-private").verdict,
            want,
            "{public:?} {src_host:?} {address:?}"
        );
    }
}

#[test]
fn a_public_instance_is_justified_only_by_its_own_endpoints() {
    use HostKind::*;
    // Instance ri serves an in-AWS migration; an unrelated endpoint outside AWS (of
    // another instance's task, or of none) must not justify it.
    let mut outside = endpoint("far", "source", "oracle", External, Some("verify-ca"));
    outside.host.address = Some("203.0.113.7".into());
    let mut ev = evidence(
        endpoint("src", "source", "mysql", Rds, Some("verify-ca")),
        endpoint("tgt", "target", "mysql", Rds, Some("verify-ca")),
    );
    ev.facts.replication_instances[0].publicly_accessible = Some(true);
    ev.facts.endpoints.push(outside);
    let f = run(&ev, "dms.1.0.arch.public-private");
    assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
}

#[test]
fn cdc_needs_a_cdc_type_and_activity() {
    for (kind, inserts, want) in [
        ("full-load", Some(10), Verdict::NotMet),
        ("full-load-and-cdc", Some(10), Verdict::Met),
        ("cdc", Some(0), Verdict::InsufficientEvidence),
        ("cdc", None, Verdict::InsufficientEvidence),
    ] {
        let mut ev = evidence(
            endpoint(
                "s",
                "source",
                "oracle",
                HostKind::External,
                Some("verify-ca"),
            ),
            endpoint("t", "target", "postgres", HostKind::Rds, Some("require")),
        );
        ev.facts.tasks[0].migration_type = Some(kind.into());
        ev.facts.tasks[0].tables = inserts.map(|n| {
            vec![TableStat {
                schema: "s".into(),
                table: "t".into(),
                inserts: n,
                ..TableStat::default()
            }]
        });
        assert_eq!(
            run(&ev, "dms.1.0.mig.cdc").verdict,
            want,
            "{kind} {inserts:?}"
        );
    }
}

#[test]
fn lob_modes() {
    let s = |support: Option<bool>,
             full: Option<bool>,
             chunk: Option<i64>,
             limited: Option<bool>,
             max: Option<i64>,
             batch: Option<bool>| TaskSettings {
        parsed: true,
        support_lobs: support,
        full_lob_mode: full,
        lob_chunk_size: chunk,
        limited_size_lob_mode: limited,
        lob_max_size: max,
        batch_apply_enabled: batch,
        ..TaskSettings::default()
    };
    for (settings, want) in [
        (
            s(Some(true), Some(false), None, Some(true), Some(32), None),
            Verdict::Met,
        ),
        (
            s(
                Some(true),
                Some(true),
                Some(64),
                Some(false),
                None,
                Some(false),
            ),
            Verdict::Met,
        ),
        (
            s(
                Some(true),
                Some(true),
                Some(64),
                Some(false),
                None,
                Some(true),
            ),
            Verdict::NotMet,
        ),
        (
            s(Some(true), Some(true), Some(64), Some(true), Some(32), None),
            Verdict::NotMet,
        ),
        (
            s(
                Some(true),
                Some(false),
                None,
                Some(true),
                Some(200_000),
                None,
            ),
            Verdict::NotMet,
        ),
        (s(Some(true), None, None, None, None, None), Verdict::NotMet),
        (
            s(Some(false), None, None, None, None, None),
            Verdict::NotMet,
        ),
        (
            s(None, None, None, None, None, None),
            Verdict::InsufficientEvidence,
        ),
    ] {
        let mut ev = evidence(
            endpoint("s", "source", "oracle", HostKind::External, None),
            endpoint("t", "target", "postgres", HostKind::Rds, None),
        );
        ev.facts.tasks[0].settings = settings.clone();
        assert_eq!(run(&ev, "dms.1.0.mig.lobs").verdict, want, "{settings:?}");
    }
}

#[test]
fn database_size_from_measurements_only() {
    let base = || {
        let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, None);
        tgt.host.resource = Some("db".into());
        let mut ev = evidence(
            endpoint("s", "source", "postgres", HostKind::External, None),
            tgt,
        );
        ev.facts.rds_instances = vec![DbInstance {
            region: "us-east-1".into(),
            identifier: "db".into(),
            allocated_storage_gb: Some(100),
            ..DbInstance::default()
        }];
        ev
    };
    let free = |free_bytes: f64| {
        series(
            "AWS/RDS",
            "FreeStorageSpace",
            "DBInstanceIdentifier",
            "db",
            &[free_bytes, free_bytes],
        )
    };
    let stale = |free_bytes: f64| {
        let mut s = free(free_bytes);
        s.timestamps = vec![NOW_SECS - 30 * 86_400, NOW_SECS - 29 * 86_400];
        s
    };
    for (metrics, want) in [
        (vec![free(100.0 * GIB - 30e9)], Verdict::Met),
        (vec![free(100.0 * GIB - 10e9)], Verdict::NotMet),
        (vec![], Verdict::InsufficientEvidence),
        // Last month's free space against today's allocation measures nothing.
        (
            vec![stale(100.0 * GIB - 30e9)],
            Verdict::InsufficientEvidence,
        ),
    ] {
        let mut ev = base();
        ev.facts.metrics = metrics;
        let f = run(&ev, "dms.1.0.size");
        assert_eq!(f.verdict, want, "{}", f.reason);
        if want != Verdict::InsufficientEvidence {
            assert_eq!(f.sources, ["c000009"], "cites the metric's capture");
        }
    }
}

#[test]
fn task_log_needs_events() {
    for (enabled, streams, want) in [
        (Some(false), vec![], Verdict::NotMet),
        (
            Some(true),
            vec![(
                "dms-task-t1".to_string(),
                Some("2026-11-26T00:00:00Z".to_string()),
            )],
            Verdict::Met,
        ),
        (Some(true), vec![], Verdict::InsufficientEvidence),
        (None, vec![], Verdict::InsufficientEvidence),
    ] {
        let mut ev = evidence(
            endpoint("s", "source", "oracle", HostKind::External, None),
            endpoint("t", "target", "postgres", HostKind::Rds, None),
        );
        ev.facts.tasks[0].settings.logging_enabled = enabled;
        ev.facts.log_groups = vec![LogGroup {
            region: "us-east-1".into(),
            name: "dms-tasks-ri".into(),
            latest_streams: streams,
            ..LogGroup::default()
        }];
        assert_eq!(
            run(&ev, "dms.1.0.mig.task-log").verdict,
            want,
            "{enabled:?}"
        );
    }
}

#[test]
fn encryption_at_rest_of_the_target() {
    for (resource, encrypted, want) in [
        (Some("db"), Some(true), Verdict::Met),
        (Some("db"), Some(false), Verdict::NotMet),
        (Some("db"), None, Verdict::InsufficientEvidence),
        (None, None, Verdict::InsufficientEvidence),
    ] {
        let mut tgt = endpoint(
            "t",
            "target",
            "postgres",
            if resource.is_some() {
                HostKind::Rds
            } else {
                HostKind::External
            },
            None,
        );
        tgt.host.resource = resource.map(str::to_string);
        let mut ev = evidence(
            endpoint("s", "source", "postgres", HostKind::External, None),
            tgt,
        );
        ev.facts.rds_instances = vec![DbInstance {
            region: "us-east-1".into(),
            identifier: "db".into(),
            storage_encrypted: encrypted,
            ..DbInstance::default()
        }];
        assert_eq!(
            run(&ev, "dms.1.0.sec.at-rest").verdict,
            want,
            "{resource:?} {encrypted:?}"
        );
    }
}

#[test]
fn a_same_named_database_in_another_region_is_not_judged() {
    let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, None);
    tgt.host.resource = Some("db".into());
    let mut ev = evidence(
        endpoint("s", "source", "postgres", HostKind::External, None),
        tgt,
    );
    let db = |region: &str, encrypted: bool| DbInstance {
        region: region.into(),
        identifier: "db".into(),
        storage_encrypted: Some(encrypted),
        allocated_storage_gb: Some(100),
        ..DbInstance::default()
    };
    // The encrypted, large one is in us-west-2; the target (us-east-1) is neither.
    ev.facts.rds_instances = vec![db("us-west-2", true), db("us-east-1", false)];
    let mut far = series(
        "AWS/RDS",
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        "db",
        &[1e9, 1e9],
    );
    far.region = "us-west-2".into();
    ev.facts.metrics = vec![far];
    assert_eq!(run(&ev, "dms.1.0.sec.at-rest").verdict, Verdict::NotMet);
    let size = run(&ev, "dms.1.0.size");
    assert_eq!(
        size.verdict,
        Verdict::InsufficientEvidence,
        "{}",
        size.reason
    );
}

#[test]
fn redshift_at_rest_comes_from_the_cluster_not_the_staging_files() {
    let mut tgt = endpoint("t", "target", "redshift", HostKind::Redshift, None);
    tgt.host.resource = Some("dw".into());
    tgt.settings.insert(
        "RedshiftSettings".into(),
        serde_json::json!({"EncryptionMode": "SSE_KMS"}),
    );
    let base = evidence(
        endpoint("s", "source", "postgres", HostKind::External, None),
        tgt,
    );
    let f = run(&base, "dms.1.0.sec.at-rest");
    assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
    for (encrypted, want) in [(Some(true), Verdict::Met), (Some(false), Verdict::NotMet)] {
        let mut ev = base.clone();
        ev.facts.target_stores = vec![TargetStore {
            region: "us-east-1".into(),
            kind: StoreKind::RedshiftCluster,
            name: "dw".into(),
            arn: None,
            addresses: vec![],
            encrypted,
            encryption: None,
            kms_key_id: None,
            publicly_accessible: Some(false),
            sources: vec!["c000010".into()],
        }];
        let f = run(&ev, "dms.1.0.sec.at-rest");
        assert_eq!(f.verdict, want, "{}", f.reason);
    }
}

#[test]
fn patterns_follow_host_and_family() {
    use HostKind::*;
    for ((se, sh), (te, th), item, want) in [
        (
            ("oracle", External),
            ("aurora-postgresql", Aurora),
            "dms.2.1.dep.hetero",
            Verdict::Met,
        ),
        (
            ("mysql", Ec2),
            ("mysql", Rds),
            "dms.2.1.dep.hetero",
            Verdict::NotMet,
        ),
        (
            ("mysql", Ec2),
            ("mysql", Rds),
            "dms.2.1.dep.onprem-ec2",
            Verdict::Met,
        ),
        (
            ("postgres", Rds),
            ("postgres", Rds),
            "dms.2.1.dep.onprem-ec2",
            Verdict::NotMet,
        ),
        (
            ("postgres", External),
            ("s3", AwsManaged),
            "dms.2.1.dep.onprem-ec2",
            Verdict::NotMet,
        ),
        (
            ("postgres", External),
            ("dynamodb", AwsManaged),
            "dms.2.1.dep.hetero",
            Verdict::Met,
        ),
    ] {
        let ev = evidence(
            endpoint("s", "source", se, sh, None),
            endpoint("t", "target", te, th, None),
        );
        assert_eq!(
            run(&ev, item).verdict,
            want,
            "{se} on {sh:?} → {te} on {th:?}: {item}"
        );
    }
}

#[test]
fn statements_turn_human_items_into_attested() {
    let mut ev = empty();
    assert_eq!(
        run(&ev, "pre.2.1.customer-name").verdict,
        Verdict::AttestationRequired
    );
    ev.case_study
        .case_study
        .statements
        .insert("customer_name".into(), "Example Corp".into());
    let f = run(&ev, "pre.2.1.customer-name");
    assert_eq!(f.verdict, Verdict::Attested);
    assert!(f.reason.contains("Example Corp"));
}

fn migration() -> Evidence {
    let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, Some("require"));
    tgt.host.resource = Some("db".into());
    let mut ev = evidence(
        endpoint(
            "s",
            "source",
            "oracle",
            HostKind::External,
            Some("verify-ca"),
        ),
        tgt,
    );
    ev.facts.rds_instances = vec![DbInstance {
        region: "us-east-1".into(),
        identifier: "db".into(),
        allocated_storage_gb: Some(100),
        ..DbInstance::default()
    }];
    ev
}

#[test]
fn engine_versions_by_release_and_deprecation() {
    for (version, status, deprecated, want) in [
        ("3.5.4", "prod", None, Verdict::Met),
        ("3.6.1", "beta", None, Verdict::NotMet),
        (
            "3.4.7",
            "prod",
            Some("2026-01-01T00:00:00Z"),
            Verdict::NotMet,
        ),
        ("3.5.2", "prod", Some("2027-01-01T00:00:00Z"), Verdict::Met),
        ("9.9.9", "prod", None, Verdict::InsufficientEvidence),
    ] {
        let mut ev = migration();
        ev.facts.replication_instances[0].engine_version = Some(version.into());
        ev.facts.engine_versions = vec![EngineVersion {
            region: "us-east-1".into(),
            version: if version == "9.9.9" {
                "3.5.4".into()
            } else {
                version.into()
            },
            release_status: Some(status.into()),
            deprecation_date: deprecated.map(str::to_string),
            ..EngineVersion::default()
        }];
        assert_eq!(
            run(&ev, "dms.1.0.arch.engine-ver").verdict,
            want,
            "{version} {status} {deprecated:?}"
        );
    }
    let mut serverless_only = migration();
    serverless_only.facts.tasks[0].instance_arn = None;
    serverless_only.facts.replication_instances.clear();
    assert_eq!(
        run(&serverless_only, "dms.1.0.arch.engine-ver").verdict,
        Verdict::InsufficientEvidence,
        "a task without its instance"
    );
}

#[test]
fn replication_instance_saturation() {
    let cpu = |v: f64| {
        series(
            "AWS/DMS",
            "CPUUtilization",
            "ReplicationInstanceIdentifier",
            "ri",
            &[v; 20],
        )
    };
    let free = |bytes: f64| {
        series(
            "AWS/DMS",
            "FreeStorageSpace",
            "ReplicationInstanceIdentifier",
            "ri",
            &[bytes; 20],
        )
    };
    for (metrics, want) in [
        (vec![cpu(40.0), free(80.0 * GIB)], Verdict::Met),
        (vec![cpu(95.0), free(80.0 * GIB)], Verdict::NotMet),
        (vec![cpu(40.0), free(5.0 * GIB)], Verdict::NotMet),
        (vec![cpu(95.0)], Verdict::NotMet),
        (vec![cpu(40.0)], Verdict::InsufficientEvidence),
        (vec![], Verdict::InsufficientEvidence),
    ] {
        let mut ev = migration();
        ev.facts.metrics = metrics;
        let f = run(&ev, "dms.1.0.arch.ri");
        assert_eq!(f.verdict, want, "{}", f.reason);
    }
    // Saturation before the migration started, or too few datapoints in its window,
    // is not a judgement of the migration.
    let before = |mut s: MetricSeries| {
        s.timestamps = (0..20).map(|h| 1_790_000_000 + h * 3600).collect();
        s
    };
    let few = |mut s: MetricSeries| {
        s.timestamps.truncate(2);
        s.values.truncate(2);
        s
    };
    for metrics in [
        vec![before(cpu(95.0)), before(free(1.0 * GIB))],
        vec![few(cpu(40.0)), few(free(80.0 * GIB))],
    ] {
        let mut ev = migration();
        ev.facts.metrics = metrics;
        let f = run(&ev, "dms.1.0.arch.ri");
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
    }
}

#[test]
fn performance_tuning_needs_a_non_default() {
    for (sub, commit, batch, parallel_rules, want) in [
        (Some(8), Some(10_000), Some(false), 0, Verdict::NotMet),
        (Some(16), None, None, 0, Verdict::Met),
        (None, Some(50_000), None, 0, Verdict::Met),
        (None, None, Some(true), 0, Verdict::Met),
        (None, None, None, 2, Verdict::Met),
    ] {
        let mut ev = migration();
        let t = &mut ev.facts.tasks[0];
        t.settings.max_full_load_sub_tasks = sub;
        t.settings.commit_rate = commit;
        t.settings.batch_apply_enabled = batch;
        t.table_mappings.parallel_load_rules = parallel_rules;
        assert_eq!(
            run(&ev, "dms.1.0.mig.performance").verdict,
            want,
            "{sub:?} {commit:?} {batch:?} {parallel_rules}"
        );
    }
    let mut unread = migration();
    unread.facts.tasks[0].settings = TaskSettings::default();
    assert_eq!(
        run(&unread, "dms.1.0.mig.performance").verdict,
        Verdict::InsufficientEvidence
    );
}

#[test]
fn iam_roles_required_by_use() {
    let role = |name: &str, exists: bool, trust: &str| IamRole {
        name: name.into(),
        exists,
        trusted_services: vec![trust.into()],
        ..IamRole::default()
    };
    for (roles, logging, want) in [
        (
            vec![role("dms-vpc-role", true, "dms.amazonaws.com")],
            Some(false),
            Verdict::Met,
        ),
        (
            vec![
                role("dms-vpc-role", true, "dms.amazonaws.com"),
                role("dms-cloudwatch-logs-role", false, ""),
            ],
            Some(true),
            Verdict::NotMet,
        ),
        (
            vec![role("dms-vpc-role", true, "ec2.amazonaws.com")],
            Some(false),
            Verdict::NotMet,
        ),
        (vec![], Some(false), Verdict::InsufficientEvidence),
    ] {
        let mut ev = migration();
        ev.facts.iam_roles = roles;
        ev.facts.tasks[0].settings.logging_enabled = logging;
        assert_eq!(
            run(&ev, "dms.1.0.sec.iam-roles").verdict,
            want,
            "{logging:?}"
        );
    }
}

#[test]
fn planning_readiness_then_uat() {
    let run_passed = AssessmentRun {
        region: "us-east-1".into(),
        arn: "arn:aws:dms:us-east-1:1:assessment-run:a".into(),
        status: Some("passed".into()),
        ..AssessmentRun::default()
    };
    for (runs, uat, want) in [
        (vec![], None, Verdict::NotMet),
        (vec![run_passed.clone()], None, Verdict::AttestationRequired),
        (
            vec![run_passed.clone()],
            Some("two weeks of UAT"),
            Verdict::Attested,
        ),
    ] {
        let mut ev = migration();
        ev.facts.assessment_runs = runs;
        if let Some(text) = uat {
            ev.case_study
                .case_study
                .statements
                .insert("uat".into(), text.into());
        }
        assert_eq!(run(&ev, "dms.1.0.mig.planning").verdict, want, "{uat:?}");
    }
}

#[test]
fn declared_dates_must_contain_the_activity() {
    for (start, end, status, want) in [
        (
            Some("2026-09-01"),
            Some("2026-12-31"),
            "running",
            Verdict::Met,
        ),
        (
            Some("2026-10-15"),
            Some("2026-12-31"),
            "running",
            Verdict::NotMet,
        ),
        (
            Some("2026-09-01"),
            Some("2026-10-01"),
            "stopped",
            Verdict::NotMet,
        ),
        (None, None, "running", Verdict::AttestationRequired),
    ] {
        let mut ev = migration();
        ev.facts.tasks[0].status = Some(status.into());
        if status == "stopped" {
            ev.facts.tasks[0].stats.as_mut().expect("stats").stop_date =
                Some("2026-11-01T00:00:00Z".into());
        }
        ev.case_study.case_study.claims.start_date = start.map(str::to_string);
        ev.case_study.case_study.claims.end_date = end.map(str::to_string);
        let f = run(&ev, "pre.2.1.dates");
        assert_eq!(f.verdict, want, "{start:?}..{end:?} {status}: {}", f.reason);
    }
}

#[test]
fn read_write_share_at_the_peak_hour() {
    let mut ev = migration();
    ev.facts.metrics = vec![
        series(
            "AWS/RDS",
            "ReadIOPS",
            "DBInstanceIdentifier",
            "db",
            &[100.0, 300.0, 50.0],
        ),
        series(
            "AWS/RDS",
            "WriteIOPS",
            "DBInstanceIdentifier",
            "db",
            &[100.0, 100.0, 50.0],
        ),
    ];
    let read = run(&ev, "dms.2.2.read-pct");
    let write = run(&ev, "dms.2.2.write-pct");
    assert_eq!((read.verdict, write.verdict), (Verdict::Met, Verdict::Met));
    assert_eq!(
        (
            read.values["percent"].as_f64(),
            write.values["percent"].as_f64()
        ),
        (Some(75.0), Some(25.0))
    );
    ev.facts.metrics.clear();
    assert_eq!(
        run(&ev, "dms.2.2.read-pct").verdict,
        Verdict::InsufficientEvidence
    );
    ev.case_study
        .case_study
        .statements
        .insert("anticipated_read_pct".into(), "80 %".into());
    assert_eq!(run(&ev, "dms.2.2.read-pct").verdict, Verdict::Attested);
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

/// The status of the first peer check of `control` on a resource whose ARN contains `part`.
fn peer_status(
    ev: &Evidence,
    tag_keys: &[String],
    control: &str,
    part: &str,
) -> Option<crate::evaluate::peer::PeerStatus> {
    crate::evaluate::peer::run(&Input::new(ev), tag_keys)
        .into_iter()
        .find(|c| c.control == control && c.resource.contains(part))
        .map(|c| c.status)
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

/// A task created and never started: status ready, no dates, no statistics.
fn never_ran(ev: &mut Evidence) {
    let t = &mut ev.facts.tasks[0];
    t.status = Some("ready".into());
    t.started = None;
    t.stats = Some(TaskStats {
        tables_loaded: Some(0),
        tables_errored: Some(0),
        ..TaskStats::default()
    });
    t.tables = Some(Vec::new());
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
fn an_aurora_instance_endpoint_is_measured_by_its_cluster() {
    let mut tgt = endpoint("t", "target", "aurora-postgresql", HostKind::Aurora, None);
    tgt.host.resource = Some("erp-1".into());
    let mut ev = evidence(
        endpoint("s", "source", "oracle", HostKind::External, None),
        tgt,
    );
    ev.facts.rds_instances = vec![DbInstance {
        region: "us-east-1".into(),
        identifier: "erp-1".into(),
        engine: Some("aurora-postgresql".into()),
        allocated_storage_gb: Some(1),
        cluster: Some("erp".into()),
        ..DbInstance::default()
    }];
    ev.facts.rds_clusters = vec![DbCluster {
        region: "us-east-1".into(),
        identifier: "erp".into(),
        engine: Some("aurora-postgresql".into()),
        members: vec!["erp-1".into()],
        storage_encrypted: Some(true),
        ..DbCluster::default()
    }];
    ev.facts.metrics = vec![
        series(
            "AWS/RDS",
            "VolumeBytesUsed",
            "DBClusterIdentifier",
            "erp",
            &[70e9, 80e9],
        ),
        // The instance's own free space says nothing of Aurora's size.
        series(
            "AWS/RDS",
            "FreeStorageSpace",
            "DBInstanceIdentifier",
            "erp-1",
            &[5e9, 5e9],
        ),
    ];
    let f = run(&ev, "dms.1.0.size");
    assert_eq!(f.verdict, Verdict::Met, "{}", f.reason);
    assert!(
        f.reason.contains("VolumeBytesUsed of cluster erp"),
        "{}",
        f.reason
    );
    assert_eq!(run(&ev, "dms.1.0.sec.at-rest").verdict, Verdict::Met);
}

#[test]
fn cdc_incoming_changes_is_a_gauge_not_a_count() {
    let mut ev = migration();
    ev.facts.metrics = vec![series(
        "AWS/DMS",
        "CDCIncomingChanges",
        "ReplicationTaskIdentifier",
        "t1",
        &[100.0, 200.0, 300.0],
    )];
    let f = run(&ev, "dms.1.0.mig.cdc");
    assert_eq!(f.verdict, Verdict::Met, "{}", f.reason);
    assert!(!f.reason.contains("600"), "not summed: {}", f.reason);
    assert!(f.reason.contains("above 0 in 3 hour(s)"), "{}", f.reason);
}

#[test]
fn unknown_hosts_are_not_outside_aws() {
    use HostKind::*;
    for (src, claim, want) in [
        (External, None, Verdict::Met),
        (Unverified, None, Verdict::Met),
        (Unknown, None, Verdict::InsufficientEvidence),
        (Unknown, Some("on-premises"), Verdict::Attested),
        (Unknown, Some("rds"), Verdict::InsufficientEvidence),
        (Rds, None, Verdict::NotMet),
    ] {
        let mut tgt = endpoint("t", "target", "aurora-postgresql", Aurora, None);
        tgt.host.resource = Some("c".into());
        let mut ev = evidence(endpoint("s", "source", "oracle", src, None), tgt);
        ev.case_study.case_study.claims.source_hosting = claim.map(str::to_string);
        let f = run(&ev, "dms.2.1.dep.onprem-ec2");
        assert_eq!(f.verdict, want, "{src:?} {claim:?}: {}", f.reason);
        if src == Unverified {
            assert!(
                f.reason.contains("unverified"),
                "the doubt is spelled out: {}",
                f.reason
            );
        }
    }
}

#[test]
fn echoed_connection_details_are_not_endpoint_tuning() {
    let mut src = endpoint("s", "source", "postgres", HostKind::External, None);
    src.settings.insert(
        "PostgreSQLSettings".into(),
        serde_json::json!({"ServerName": "s.example", "Port": 5432, "DatabaseName": "d", "Username": "u",
                           "MaxFileSize": 32768}),
    );
    let ev = evidence(
        src,
        endpoint("t", "target", "postgres", HostKind::Rds, None),
    );
    let f = run(&ev, "dms.1.0.arch.endpoints");
    assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
}

#[test]
fn a_migration_running_after_the_declared_end_contradicts_it() {
    let mut ev = migration();
    let claims = &mut ev.case_study.case_study.claims;
    claims.start_date = Some("2026-09-01".into());
    claims.end_date = Some("2026-10-31".into());
    let f = run(&ev, "pre.2.1.dates");
    assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    assert!(
        f.reason.contains("still running after the declared end"),
        "{}",
        f.reason
    );
    ev.case_study.case_study.claims.end_date = Some("2026-12-31".into());
    assert_eq!(run(&ev, "pre.2.1.dates").verdict, Verdict::Met);
    // Dates compare as dates, not strings.
    ev.case_study.case_study.claims.start_date = Some("2026-10-02".into());
    assert_eq!(run(&ev, "pre.2.1.dates").verdict, Verdict::NotMet);
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
