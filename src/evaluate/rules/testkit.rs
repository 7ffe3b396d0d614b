//! Builders of small, hand-built evidence for the rules' table-driven tests.

pub(crate) use std::collections::BTreeMap;

pub(crate) use super::*;
pub(crate) use crate::casestudy::{CaseStudy, Claims};
pub(crate) use crate::evaluate::checklist::load_default;
pub(crate) use crate::evaluate::view::GIB;
pub(crate) use crate::evidence::CallerIdentity;
pub(crate) use crate::evidence::Capture;
pub(crate) use crate::evidence::{CaseStudyRecord, Collection, Evidence};
pub(crate) use crate::evidence::{Gap, GapKind};
pub(crate) use crate::facts::*;

pub(crate) const NOW: &str = "2026-11-27T00:00:00Z";

pub(crate) const NOW_SECS: i64 = 1_795_737_600;

pub(crate) fn endpoint(
    id: &str,
    kind: &str,
    engine: &str,
    host: HostKind,
    ssl: Option<&str>,
) -> Endpoint {
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
        deleted_at: None,
        history: Vec::new(),
        hosts_then: Vec::new(),
        config_history: Vec::new(),
        then_basis: None,
    }
}

pub(crate) fn evidence(src: Endpoint, tgt: Endpoint) -> Evidence {
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
        // It moved data: one table loaded (no table statistics on record).
        stats: Some(TaskStats {
            tables_loaded: Some(1),
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
        trail: None,
        deleted_tasks: Vec::new(),
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

pub(crate) fn run(ev: &Evidence, item_id: &str) -> Finding {
    let checklist = load_default();
    let item = checklist
        .items
        .iter()
        .find(|i| i.id == item_id)
        .expect("item");
    item.rule.run(&Input::new(ev), item)
}

pub(crate) fn series(
    namespace: &str,
    name: &str,
    dim: &str,
    id: &str,
    values: &[f64],
) -> MetricSeries {
    MetricSeries {
        region: "us-east-1".into(),
        namespace: namespace.into(),
        name: name.into(),
        dimensions: BTreeMap::from([(dim.to_string(), id.to_string())]),
        stat: "Average".into(),
        period: 3600,
        // Hourly, ending an hour before NOW: inside the fixture task's window.
        timestamps: (0..values.len() as i64)
            .map(|h| {
                Timestamp::from_secs(NOW_SECS) - time::Duration::hours(values.len() as i64 - h)
            })
            .collect(),
        values: values.to_vec(),
        hourly_windows: Vec::new(),
        sources: vec!["c000009".into()],
    }
}

pub(crate) fn migration() -> Evidence {
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

/// The status of the first peer check of `control` on a resource whose ARN contains `part`.
pub(crate) fn peer_status(
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

/// A task created and never started: status ready, no dates, no statistics.
pub(crate) fn never_started(ev: &mut Evidence) {
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

/// A task that started and moved nothing: failed during the full load, every table in
/// error, no row loaded and no change applied.
pub(crate) fn moved_nothing(ev: &mut Evidence) {
    let t = &mut ev.facts.tasks[0];
    t.status = Some("failed".into());
    t.stop_reason = Some("Stop Reason FATAL_ERROR".into());
    t.last_failure_message = Some("Last Error ORA-01017: invalid username/password".into());
    t.stats = Some(TaskStats {
        tables_loaded: Some(0),
        tables_errored: Some(3),
        fresh_start_date: Some("2026-10-01T00:00:00Z".into()),
        ..TaskStats::default()
    });
    t.tables = Some(
        (0..3)
            .map(|k| TableStat {
                schema: "s".into(),
                table: format!("t{k}"),
                state: Some("Table error".into()),
                ..TableStat::default()
            })
            .collect(),
    );
}

/// AWS Config item of `e` as it is but with SslMode `ssl`, captured `at`.
pub(crate) fn config_item(
    e: &Endpoint,
    at: impl Into<crate::facts::Timestamp>,
    ssl: &str,
) -> crate::facts::config_history::ConfigItem {
    let at = at.into();
    let mut configuration = crate::facts::config_history::members_of(e);
    configuration.insert("SslMode".into(), ssl.into());
    crate::facts::config_history::ConfigItem {
        captured_at: at,
        status: "OK".into(),
        frequency: Some("CONTINUOUS".into()),
        state_id: None,
        configuration,
        sources: vec![format!("cfg-{at}")],
    }
}

/// cloudtrail:LookupEvents refused in us-east-1.
pub(crate) fn lookup_events_denied() -> crate::evidence::Gap {
    crate::evidence::Gap {
        service: "cloudtrail".into(),
        operation: "LookupEvents".into(),
        region: "us-east-1".into(),
        iam_action: "cloudtrail:LookupEvents".into(),
        kind: crate::evidence::GapKind::AccessDenied,
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
        resource: None,
    }
}

/// Two migrations from one source: t1 into RDS database `small` (1 GB used of 100 GiB),
/// t2 into `large` (`large_used` bytes used, or not measured).
pub(crate) fn two_migrations(large_used: Option<f64>) -> Evidence {
    let target = |id: &str| {
        let mut t = endpoint(id, "target", "postgres", HostKind::Rds, None);
        t.host.resource = Some(id.into());
        t
    };
    let mut ev = evidence(
        endpoint("s", "source", "postgres", HostKind::External, None),
        target("small"),
    );
    ev.facts.endpoints.push(target("large"));
    let mut t2 = ev.facts.tasks[0].clone();
    t2.identifier = "t2".into();
    t2.arn = "arn:aws:dms:us-east-1:111111111111:task:t2".into();
    t2.resource_id = "t2".into();
    t2.target_arn = Some(ev.facts.endpoints[2].arn.clone());
    ev.facts.tasks.push(t2);
    let db = |id: &str, gib: i32| DbInstance {
        region: "us-east-1".into(),
        identifier: id.into(),
        allocated_storage_gb: Some(gib),
        ..DbInstance::default()
    };
    ev.facts.rds_instances = vec![db("small", 100), db("large", 4000)];
    let free = |id: &str, bytes: f64| {
        let metric = "FreeStorageSpace";
        series(
            "AWS/RDS",
            metric,
            "DBInstanceIdentifier",
            id,
            &[bytes, bytes],
        )
    };
    ev.facts.metrics = vec![free("small", 100.0 * GIB - 1e9)];
    if let Some(used) = large_used {
        ev.facts.metrics.push(free("large", 4000.0 * GIB - used));
    }
    ev
}
