//! Property tests: invariants any correct evaluator holds, over generated estates
//! shaped like real accounts (never-run tasks, unplaced hosts, stale metrics, two
//! regions). They state what must never happen, whatever the estate.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::rules::testkit::{NOW_SECS, empty};
use super::{Verdict, checklist::load_default, evaluate};
use crate::evidence::Evidence;
use crate::facts::*;

const REGION: &str = "us-east-1";
const ENGINES: &[&str] = &[
    "oracle",
    "postgres",
    "mysql",
    "sqlserver",
    "aurora-postgresql",
    "aurora",
    "redshift",
    "s3",
    "dynamodb",
    "kafka",
];
const SSL: &[Option<&str>] = &[
    None,
    Some("none"),
    Some("require"),
    Some("verify-ca"),
    Some("verify-full"),
];

/// The structure of one migration; names come from the builder's prefix.
#[derive(Debug, Clone)]
pub(crate) struct Mig {
    src: usize,
    tgt: usize,
    src_host: u8,
    tgt_host: u8,
    kind: u8,
    status: u8,
    started: bool,
    stopped: bool,
    tables: Option<(u8, i64, i64, bool)>,
    cdc_metric: bool,
    logs: bool,
    logging: Option<bool>,
    ssl: (usize, usize),
    lobs: u8,
    tuned: bool,
    encrypted: Option<bool>,
    size_gb: u16,
    cpu: u8,
    public: Option<bool>,
}

fn mig() -> impl Strategy<Value = Mig> {
    (
        (
            0..ENGINES.len(),
            0..ENGINES.len(),
            0u8..6,
            0u8..4,
            0u8..3,
            0u8..4,
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of((1u8..5, 0i64..5_000_000, 0i64..50_000, any::<bool>())),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            (0..SSL.len(), 0..SSL.len()),
        ),
        (
            0u8..4,
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            0u16..200,
            0u8..100,
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (src, tgt, src_host, tgt_host, kind, status),
                (started, stopped, tables),
                (cdc_metric, logs, logging, ssl),
                (lobs, tuned, encrypted, size_gb, cpu, public),
            )| Mig {
                src,
                tgt,
                src_host,
                tgt_host,
                kind,
                status,
                started,
                stopped,
                tables,
                cdc_metric,
                logs,
                logging,
                ssl,
                lobs,
                tuned,
                encrypted,
                size_gb,
                cpu,
                public,
            },
        )
}

pub(crate) fn estate() -> impl Strategy<Value = Vec<Mig>> {
    proptest::collection::vec(mig(), 1..4)
}

fn hourly(
    name: &str,
    ns: &str,
    dims: &[(&str, &str)],
    values: &[f64],
    region: &str,
) -> MetricSeries {
    MetricSeries {
        region: region.into(),
        namespace: ns.into(),
        name: name.into(),
        dimensions: dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        stat: "Average".into(),
        period: 3600,
        hourly_windows: Vec::new(),
        timestamps: (0..values.len() as i64)
            .map(|h| {
                Timestamp::from_secs(NOW_SECS) - time::Duration::hours(values.len() as i64 - h)
            })
            .collect(),
        values: values.to_vec(),
        sources: vec!["c1".into()],
    }
}

/// Builds the evidence of an estate; every name starts with `p`.
pub(crate) fn build(spec: &[Mig], p: &str) -> Evidence {
    let mut ev = empty();
    let f = &mut ev.facts;
    f.vpcs = vec![Vpc {
        region: REGION.into(),
        id: format!("vpc-{p}"),
        cidrs: vec!["10.20.0.0/16".into()],
        sources: vec![],
    }];
    f.account_quotas = vec![AccountQuota {
        region: REGION.into(),
        name: "ReplicationInstances".into(),
        used: 1,
        max: 60,
        sources: vec![],
    }];
    // The DMS service roles, so that iam-roles can be met.
    f.iam_roles = [
        "dms-vpc-role",
        "dms-cloudwatch-logs-role",
        "dms-access-for-endpoint",
    ]
    .map(|name| IamRole {
        name: name.into(),
        exists: true,
        trusted_services: vec!["dms.amazonaws.com".into()],
        sources: vec!["c7".into()],
        ..IamRole::default()
    })
    .to_vec();
    for (i, m) in spec.iter().enumerate() {
        add_migration(f, &Names::new(p, i), m);
    }
    ev
}

/// The names of migration `i` of estate `p`.
struct Names {
    p: String,
    i: usize,
    /// Replication instance identifier, task resource id, target database identifier.
    ri: String,
    rid: String,
    db: String,
}

impl Names {
    fn new(p: &str, i: usize) -> Names {
        Names {
            p: p.to_string(),
            i,
            ri: format!("{p}ri{i}"),
            rid: format!("{}RID{i}", p.to_uppercase()),
            db: format!("{p}db{i}"),
        }
    }

    fn arn(&self, kind: &str, id: &str) -> String {
        format!("arn:aws:dms:{REGION}:111111111111:{kind}:{id}")
    }
}

fn add_migration(f: &mut Facts, n: &Names, m: &Mig) {
    let (p, i) = (n.p.as_str(), n.i);
    f.replication_instances.push(ReplicationInstance {
        region: REGION.into(),
        identifier: n.ri.clone(),
        arn: n.arn("rep", &format!("{}RI{i}", p.to_uppercase())),
        allocated_storage_gb: Some(100),
        publicly_accessible: m.public,
        engine_version: Some("3.5.4".into()),
        availability_zone: Some(format!("{REGION}a")),
        sources: vec!["c2".into()],
        ..ReplicationInstance::default()
    });
    f.engine_versions.push(EngineVersion {
        region: REGION.into(),
        version: "3.5.4".into(),
        release_status: Some("prod".into()),
        lifecycle: Some("available".into()),
        ..EngineVersion::default()
    });
    let src = gen_endpoint(n, m, "s", ENGINES[m.src], m.src_host, SSL[m.ssl.0]);
    let tgt = gen_endpoint(n, m, "t", ENGINES[m.tgt], m.tgt_host, SSL[m.ssl.1]);
    add_target(f, n, m, &tgt);
    add_metrics(f, n, m);
    let task = gen_task(n, m, &f.replication_instances[i].arn, &src.arn, &tgt.arn);
    f.tasks.push(task);
    f.endpoints.push(src);
    f.endpoints.push(tgt);
}

/// Where an endpoint's host is, by code: targets 0 RDS, 1 Aurora, 2 Redshift, else an
/// AWS service; sources 0/1 external, 2 unverified, 3 unknown, 4 EC2, else RDS.
fn placement(n: &Names, side: &str, code: u8) -> (HostKind, Option<String>, Option<String>) {
    let db = &n.db;
    match (side, code) {
        ("t", 0) => (
            HostKind::Rds,
            Some(format!("{db}.x.{REGION}.rds.amazonaws.com")),
            Some(db.clone()),
        ),
        ("t", 1) => (
            HostKind::Aurora,
            Some(format!("{db}.cluster-x.{REGION}.rds.amazonaws.com")),
            Some(db.clone()),
        ),
        ("t", 2) => (
            HostKind::Redshift,
            Some(format!("{db}.x.{REGION}.redshift.amazonaws.com")),
            None,
        ),
        ("t", _) => (HostKind::AwsManaged, None, None),
        (_, 0) => (HostKind::External, Some("203.0.113.7".into()), None),
        (_, 1) => (HostKind::External, Some("192.168.1.9".into()), None),
        (_, 2) => (HostKind::Unverified, Some("db.corp.example".into()), None),
        (_, 3) => (HostKind::Unknown, None, None),
        (_, 4) => (
            HostKind::Ec2,
            Some("10.20.1.15".into()),
            Some(format!("i-{}{}", n.p, n.i)),
        ),
        _ => (
            HostKind::Rds,
            Some(format!("{db}src.x.{REGION}.rds.amazonaws.com")),
            Some(format!("{db}src")),
        ),
    }
}

fn gen_endpoint(
    n: &Names,
    m: &Mig,
    side: &str,
    engine: &str,
    host_code: u8,
    ssl: Option<&str>,
) -> Endpoint {
    let (kind, address, resource) = placement(n, side, host_code);
    let mut settings = BTreeMap::new();
    // AWS repeats the connection details inside the engine settings.
    settings.insert(
        "PostgreSQLSettings".to_string(),
        serde_json::json!({"ServerName": address, "Port": 5432, "DatabaseName": "d", "MaxFileSize": 32768}),
    );
    if m.tuned {
        settings.insert(
            "OracleSettings".to_string(),
            serde_json::json!({"ParallelAsmReadThreads": 4, "ReadAheadBlocks": 150000}),
        );
    }
    let (p, i) = (n.p.as_str(), n.i);
    Endpoint {
        region: REGION.into(),
        identifier: format!("{p}{side}{i}"),
        arn: n.arn("endpoint", &format!("{}E{side}{i}", p.to_uppercase())),
        endpoint_type: if side == "s" { "source" } else { "target" }.into(),
        engine: engine.into(),
        family: host::family(engine),
        server_name: address.clone(),
        port: Some(5432),
        database: Some("d".into()),
        status: Some("active".into()),
        ssl_mode: ssl.map(str::to_string),
        certificate_arn: None,
        kms_key_id: None,
        host: Host {
            kind,
            resource,
            address,
            public_address: None,
            basis: "generated".into(),
        },
        settings,
        sources: vec!["c3".into()],
        deleted_at: None,
        history: Vec::new(),
        hosts_then: Vec::new(),
        config_history: Vec::new(),
        then_basis: None,
    }
}

/// The target database (RDS instance, or Aurora cluster and its member) and its size.
fn add_target(f: &mut Facts, n: &Names, m: &Mig, tgt: &Endpoint) {
    let db = &n.db;
    let bytes = f64::from(m.size_gb) * 1e9;
    match m.tgt_host {
        0 => {
            f.rds_instances.push(DbInstance {
                region: REGION.into(),
                identifier: db.clone(),
                engine: Some("postgres".into()),
                allocated_storage_gb: Some(i32::from(m.size_gb) + 10),
                storage_encrypted: m.encrypted,
                availability_zone: Some(format!("{REGION}b")),
                address: tgt.host.address.clone(),
                ..DbInstance::default()
            });
            let free = (f64::from(m.size_gb) + 10.0) * 1_073_741_824.0 - bytes;
            let dims = [("DBInstanceIdentifier", db.as_str())];
            f.metrics.push(hourly(
                "FreeStorageSpace",
                "AWS/RDS",
                &dims,
                &[free; 6],
                REGION,
            ));
        }
        1 => {
            f.rds_clusters.push(DbCluster {
                region: REGION.into(),
                identifier: db.clone(),
                engine: Some("aurora-postgresql".into()),
                storage_encrypted: m.encrypted,
                endpoint: tgt.host.address.clone(),
                members: vec![format!("{db}-1")],
                ..DbCluster::default()
            });
            f.rds_instances.push(DbInstance {
                region: REGION.into(),
                identifier: format!("{db}-1"),
                engine: Some("aurora-postgresql".into()),
                allocated_storage_gb: Some(1),
                cluster: Some(db.clone()),
                ..DbInstance::default()
            });
            let dims = [("DBClusterIdentifier", db.as_str())];
            f.metrics.push(hourly(
                "VolumeBytesUsed",
                "AWS/RDS",
                &dims,
                &[bytes; 6],
                REGION,
            ));
        }
        _ => {}
    }
    if m.tgt_host <= 1 {
        let member = if m.tgt_host == 1 {
            format!("{db}-1")
        } else {
            db.clone()
        };
        let dims = [("DBInstanceIdentifier", member.as_str())];
        f.metrics.push(hourly(
            "CPUUtilization",
            "AWS/RDS",
            &dims,
            &[f64::from(m.cpu); 6],
            REGION,
        ));
    }
}

/// The replication instance's and the task's metrics, and the task log.
fn add_metrics(f: &mut Facts, n: &Names, m: &Mig) {
    let instance = [("ReplicationInstanceIdentifier", n.ri.as_str())];
    f.metrics.push(hourly(
        "CPUUtilization",
        "AWS/DMS",
        &instance,
        &[f64::from(m.cpu); 6],
        REGION,
    ));
    let free = [50.0 * 1_073_741_824.0; 6];
    f.metrics.push(hourly(
        "FreeStorageSpace",
        "AWS/DMS",
        &instance,
        &free,
        REGION,
    ));
    if m.cdc_metric {
        let task = [
            ("ReplicationInstanceIdentifier", n.ri.as_str()),
            ("ReplicationTaskIdentifier", n.rid.as_str()),
        ];
        f.metrics.push(hourly(
            "CDCThroughputRowsTarget",
            "AWS/DMS",
            &task,
            &[0.0, 4.0, 9.0],
            REGION,
        ));
        // The backlog gauge beside it: evidence of a run, never of applied changes.
        f.metrics.push(hourly(
            "CDCIncomingChanges",
            "AWS/DMS",
            &task,
            &[120.0, 80.0, 40.0],
            REGION,
        ));
    }
    if m.logs {
        let at = Timestamp::from_secs(NOW_SECS - 600);
        f.log_groups.push(LogGroup {
            region: REGION.into(),
            name: format!("dms-tasks-{}", n.ri),
            latest_streams: vec![(format!("dms-task-{}", n.rid), Some(at))],
            sources: vec!["c4".into()],
            ..LogGroup::default()
        });
    }
}

fn task_settings(m: &Mig) -> TaskSettings {
    let mut settings = TaskSettings {
        parsed: true,
        logging_enabled: m.logging,
        ..TaskSettings::default()
    };
    match m.lobs {
        0 => settings.support_lobs = Some(false),
        1 => {
            settings.support_lobs = Some(true);
            settings.limited_size_lob_mode = Some(true);
            settings.lob_max_size = Some(32);
        }
        2 => {
            settings.support_lobs = Some(true);
            settings.full_lob_mode = Some(true);
            settings.limited_size_lob_mode = Some(true);
        }
        _ => {}
    }
    if m.tuned {
        settings.max_full_load_sub_tasks = Some(16);
    }
    settings
}

fn gen_task(n: &Names, m: &Mig, instance: &str, source: &str, target: &str) -> Task {
    // AWS dates every run (ReplicationTaskStartDate): a task with statistics, metrics or
    // log events was started.
    let started_flag = m.started || m.tables.is_some() || m.cdc_metric || m.logs;
    let started = Timestamp::from("2026-10-01T00:00:00Z");
    let status = ["running", "stopped", "ready", "failed"][usize::from(m.status)];
    let tables = m.tables.map(|(count, rows, changes, errors)| {
        (0..count)
            .map(|k| TableStat {
                schema: "S".into(),
                table: format!("T{k}"),
                state: Some(
                    if errors && k == 0 {
                        "Table error"
                    } else {
                        "Table completed"
                    }
                    .into(),
                ),
                full_load_rows: rows,
                inserts: changes,
                validation_state: Some("Validated".into()),
                ..TableStat::default()
            })
            .collect()
    });
    Task {
        region: REGION.into(),
        identifier: format!("{}task{}", n.p, n.i),
        arn: n.arn("task", &n.rid),
        resource_id: n.rid.clone(),
        instance_arn: Some(instance.to_string()),
        source_arn: Some(source.to_string()),
        target_arn: Some(target.to_string()),
        migration_type: Some(["full-load", "cdc", "full-load-and-cdc"][usize::from(m.kind)].into()),
        status: Some(status.into()),
        // Stopped and failed runs carry the reasons AWS gives, some ending before CDC.
        stop_reason: (status == "stopped" || status == "failed")
            .then(|| {
                [
                    "NORMAL",
                    "STOPPED_AFTER_FULL_LOAD",
                    "FATAL_ERROR",
                    "STOPPED_AFTER_CACHED_EVENTS",
                ][usize::from(m.cpu % 4)]
            })
            .map(|r| format!("Stop Reason {r}")),
        created: Some("2026-09-30T00:00:00Z".into()),
        started: started_flag.then_some(started),
        stats: Some(TaskStats {
            tables_errored: Some(0),
            fresh_start_date: started_flag.then_some(started),
            stop_date: (m.stopped && status != "running").then(|| "2026-11-26T23:00:00Z".into()),
            ..TaskStats::default()
        }),
        settings: task_settings(m),
        tables,
        sources: vec!["c5".into()],
        ..Task::default()
    }
}

fn verdicts(ev: &Evidence) -> BTreeMap<String, Verdict> {
    evaluate(ev, &load_default())
        .findings
        .into_iter()
        .map(|f| (f.item, f.verdict))
        .collect()
}

/// The estate after the customer deleted every task, endpoint and instance: what the
/// collector rebuilds from CloudTrail (facts::history) — no table statistics, dates from
/// the Start/Stop events, status deleted — beside the metrics and logs that remain.
fn delete_after_cut_over(ev: &Evidence) -> Evidence {
    delete_some(ev, u8::MAX, true)
}

/// [`delete_after_cut_over`] of the tasks whose bit `i % 8` of `which` is set, and of the
/// endpoints and instances no remaining task uses; `answered`: whether CloudTrail's record of
/// DeleteReplicationTask carries the task's statistics (else only the Start and Stop events
/// date its run, and its counters are not on record).
fn delete_some(ev: &Evidence, which: u8, answered: bool) -> Evidence {
    let mut gone = ev.clone();
    let at = Timestamp::from("2026-11-26T23:30:00Z");
    let f = &mut gone.facts;
    let deleted = |i: usize| which & (1 << (i % 8)) != 0;
    for (_, t) in f.tasks.iter_mut().enumerate().filter(|(i, _)| deleted(*i)) {
        t.tables = None;
        // A running task is stopped before it is deleted (a StopReplicationTask event).
        // DeleteReplicationTask answers with the task's statistics as they were
        // (ReplicationTaskStats), which CloudTrail records: counters and dates stay.
        let running = t.status.as_deref() == Some("running");
        t.stats = t.stats.take().map(|s| {
            let stop_date = s.stop_date.or(running.then_some(at));
            if answered {
                TaskStats { stop_date, ..s }
            } else {
                TaskStats {
                    fresh_start_date: s.fresh_start_date,
                    start_date: s.start_date,
                    stop_date,
                    ..TaskStats::default()
                }
            }
        });
        // The Delete answer CloudTrail records carries the task's StopReason.
        t.status = Some("deleted".into());
        t.deleted_at = Some(at);
    }
    let live: Vec<&Task> = f.tasks.iter().filter(|t| t.deleted_at.is_none()).collect();
    let used = |arn: &str| {
        live.iter().any(|t| {
            [&t.source_arn, &t.target_arn, &t.instance_arn]
                .into_iter()
                .any(|a| a.as_deref() == Some(arn))
        })
    };
    let endpoints: Vec<bool> = f.endpoints.iter().map(|e| !used(&e.arn)).collect();
    let instances: Vec<bool> = f
        .replication_instances
        .iter()
        .map(|i| !used(&i.arn))
        .collect();
    for (e, _) in f.endpoints.iter_mut().zip(endpoints).filter(|(_, d)| *d) {
        e.status = Some("deleted".into());
        e.deleted_at = Some(at);
    }
    for (i, _) in f
        .replication_instances
        .iter_mut()
        .zip(instances)
        .filter(|(_, d)| *d)
    {
        i.status = Some("deleted".into());
        i.deleted_at = Some(at);
    }
    gone
}

/// The estate once some tasks whose series show data moved (bit `i % 8` of `which` for task
/// `i`; all of them, with every endpoint and instance, for `u8::MAX`) are gone and no history
/// names them: what the collector finds through their log streams ([`crate::facts::trace`]), a
/// task with its series and nothing else.
fn known_only_from_traces(ev: &Evidence, which: u8) -> Evidence {
    let mut gone = ev.clone();
    let f = &mut gone.facts;
    // Only tasks whose own series show data moved, as the collector finds them: a task
    // whose series show nothing moved is left out of the evaluation by design (it put no
    // data in flight, and nothing else of it is known), and one proven only by table
    // statistics that went with it is not found at all.
    let by_series = |t: &Task| {
        ev.facts.metrics.iter().any(|s| {
            super::view::MOVED_METRICS.contains(&s.name.as_str())
                && s.dimensions.values().any(|v| *v == t.resource_id)
                && s.values.iter().any(|v| *v > 0.0)
        })
    };
    let traced = |i: usize| which & (1 << (i % 8)) != 0 && by_series(&ev.facts.tasks[i]);
    let instance = |arn: &Option<String>| {
        let arn = arn.as_deref().unwrap_or_default();
        let i = ev.facts.replication_instances.iter().find(|i| i.arn == arn);
        i.map_or_else(|| "ri".to_string(), |i| i.identifier.clone())
    };
    f.tasks = f
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if !traced(i) {
                t.clone()
            } else {
                Task {
                    region: t.region.clone(),
                    identifier: t.resource_id.clone(),
                    arn: t.arn.clone(),
                    resource_id: t.resource_id.clone(),
                    sources: t.sources.clone(),
                    traced: Some(Trace {
                        log_stream: Some(format!("dms-tasks-x/dms-task-{}", t.resource_id)),
                        instance: instance(&t.instance_arn),
                        ..Trace::default()
                    }),
                    ..Task::default()
                }
            }
        })
        .collect();
    if which == u8::MAX {
        f.endpoints.clear();
        f.replication_instances.clear();
        f.assessment_runs.clear();
    }
    gone
}

/// Which migrations ran, by id.
fn ran(ev: &Evidence) -> Vec<String> {
    super::view::Input::new(ev)
        .migrations
        .iter()
        .map(|m| m.id.to_string())
        .collect()
}

/// The items about what was migrated (patterns, size, references, outcomes, planning,
/// claims, the 2.2 figures): each rests only on migrations that moved data.
const ABOUT_WHAT_MOVED: &[&str] = &[
    "pre.2.1.two-prod-refs",
    "pre.2.1.account-id",
    "pre.2.1.dates",
    "pre.2.1.outcomes",
    "dms.1.0.size",
    "dms.1.0.mig.cdc",
    "dms.1.0.mig.planning",
    "dms.2.1.dep.hetero",
    "dms.2.1.dep.onprem-ec2",
    "dms.2.1.wl.cdc-hetero",
    "dms.2.1.wl.cdc-homo",
    "dms.2.1.wl.cdc-continual",
    "dms.2.2.initial-size",
    "dms.2.2.growth",
    "dms.2.2.tables",
    "dms.2.2.concurrency",
    "dms.2.2.read-pct",
    "dms.2.2.write-pct",
];

/// A ReplicationTaskSettings document holding what `s` holds (DMS User Guide, "Task
/// settings": Logging, TargetMetadata, FullLoadSettings).
fn settings_document(s: &TaskSettings) -> String {
    serde_json::json!({
        "Logging": {"EnableLogging": s.logging_enabled},
        "TargetMetadata": {
            "SupportLobs": s.support_lobs, "FullLobMode": s.full_lob_mode,
            "LimitedSizeLobMode": s.limited_size_lob_mode, "LobMaxSize": s.lob_max_size,
        },
        "FullLoadSettings": {"MaxFullLoadSubTasks": s.max_full_load_sub_tasks},
    })
    .to_string()
}

/// The tasks that ran and stopped get a CloudTrail history: created with today's
/// settings, then modified after their run to `later`, which become today's.
fn modify_after_the_run(ev: &Evidence, later: &Mig) -> Evidence {
    let mut changed = ev.clone();
    let event = |name: &str, at: &str, s: &TaskSettings| HistoryEvent {
        name: name.into(),
        at: at.into(),
        event_id: format!("{name}-{at}"),
        settings: Some(settings_document(s)),
        ..HistoryEvent::default()
    };
    for t in &mut changed.facts.tasks {
        if t.started.is_none() || t.status.as_deref() == Some("running") {
            continue;
        }
        let later = task_settings(later);
        // Through a document, as CloudTrail carries it.
        let then = TaskSettings::parse(Some(&settings_document(&t.settings)));
        t.history = vec![
            event("CreateReplicationTask", "2026-09-30T00:00:00Z", &then),
            event("ModifyReplicationTask", "2026-11-27T00:00:00Z", &later),
        ];
        t.settings = TaskSettings::parse(Some(&settings_document(&later)));
    }
    changed
}

/// The endpoints that only tasks which stopped use (with a start date on record, when
/// `dated`) get a CloudTrail history: created as they are, then re-pointed after the run
/// (ModifyEndpoint) to another endpoint's engine, server and host (`shift` along the
/// list), which become today's.
/// A CloudTrail event on record of a resource, with this request.
fn event(name: &str, at: impl Into<Timestamp>, request: serde_json::Value) -> HistoryEvent {
    let at = at.into();
    HistoryEvent {
        name: name.into(),
        at,
        event_id: format!("{name}-{at}"),
        request,
        ..HistoryEvent::default()
    }
}

/// The estate's tasks as DMS Serverless replications of the same endpoints, settings,
/// tables and metrics (the series name the config's resource id), each with the history
/// of a configuration created and then started once (without `started_on_record`, the
/// history begins after the start: only the replication's StartDate says when it was).
fn as_serverless(ev: &Evidence, started_on_record: bool) -> Evidence {
    let mut out = ev.clone();
    let f = &mut out.facts;
    for t in std::mem::take(&mut f.tasks) {
        let arn = format!(
            "arn:aws:dms:{REGION}:111111111111:replication-config:{}",
            t.resource_id
        );
        let mut history = vec![event(
            "CreateReplicationConfig",
            "2026-09-30T00:00:00Z",
            serde_json::json!({"SourceEndpointArn": t.source_arn, "TargetEndpointArn": t.target_arn,
                               "ReplicationType": t.migration_type}),
        )];
        if !started_on_record {
            history.clear();
        } else if let Some(at) = t.started {
            history.push(event(
                "StartReplication",
                at,
                serde_json::json!({"ReplicationConfigArn": arn}),
            ));
        }
        let mut stats = t.stats.clone();
        if let Some(s) = stats.as_mut() {
            s.start_date = s.start_date.or(t.started);
        }
        f.serverless.push(ServerlessReplication {
            region: t.region.clone(),
            identifier: t.identifier.clone(),
            config_arn: arn,
            source_arn: t.source_arn.clone(),
            target_arn: t.target_arn.clone(),
            replication_type: t.migration_type.clone(),
            created: t.created,
            status: t.status.clone(),
            stop_reason: t.stop_reason.clone(),
            stats,
            settings: t.settings.clone(),
            table_mappings: t.table_mappings.clone(),
            tables: t.tables.clone(),
            sources: t.sources.clone(),
            history,
            ..ServerlessReplication::default()
        });
    }
    out
}

/// Each started serverless configuration re-pointed after its last run, as AWS allows
/// after a failed one (ModifyReplicationConfig): today it names another migration's
/// target and source and another replication type; with `settings`, its settings
/// changed too (the ones it ran with are not in its Create event).
fn repoint_config_after_the_run(ev: &Evidence, shift: usize, settings: bool) -> Evidence {
    let mut changed = ev.clone();
    let f = &mut changed.facts;
    let n = f.serverless.len();
    let others: Vec<(Option<String>, Option<String>)> = f
        .serverless
        .iter()
        .map(|s| (s.source_arn.clone(), s.target_arn.clone()))
        .collect();
    for (i, s) in f.serverless.iter_mut().enumerate() {
        let started = s.history.iter().any(|h| h.name == "StartReplication")
            || s.stats.as_ref().is_some_and(|x| x.start_date.is_some());
        if !started {
            continue;
        }
        let (source, target) = others[(i + shift) % n].clone();
        s.source_arn = source.clone();
        s.target_arn = target.clone();
        s.replication_type = Some("full-load-and-cdc".into());
        let mut request = serde_json::json!({"SourceEndpointArn": source, "TargetEndpointArn": target,
                                             "ReplicationType": "full-load-and-cdc"});
        if settings {
            let document =
                r#"{"Logging": {"EnableLogging": true}, "TargetMetadata": {"SupportLobs": true}}"#;
            s.settings = TaskSettings::parse(Some(document));
            request["ReplicationSettings"] = document.into();
            let mappings = r#"{"rules": [{"rule-type": "transformation", "rule-target": "schema",
                "rule-action": "rename", "rule-id": "1", "rule-name": "1", "object-locator": {"schema-name": "%"}, "value": "X"},
                {"rule-type": "table-settings", "rule-id": "2", "rule-name": "2",
                 "object-locator": {"schema-name": "%", "table-name": "%"}, "parallel-load": {"type": "partitions-auto"}}]}"#;
            s.table_mappings = TableMappings::parse(Some(mappings));
            request["TableMappings"] = mappings.into();
        }
        s.history.push(HistoryEvent {
            name: "ModifyReplicationConfig".into(),
            at: "2026-11-28T00:00:00Z".into(),
            event_id: format!("modify-{i}"),
            request,
            ..HistoryEvent::default()
        });
    }
    changed
}

fn repoint_after_the_run(ev: &Evidence, shift: usize, dated: bool) -> Evidence {
    let mut changed = ev.clone();
    let f = &mut changed.facts;
    let stopped =
        |arn: &str| {
            let uses = |t: &&Task| {
                t.source_arn.as_deref() == Some(arn) || t.target_arn.as_deref() == Some(arn)
            };
            let serverless = f.serverless.iter().any(|s| {
                s.source_arn.as_deref() == Some(arn) || s.target_arn.as_deref() == Some(arn)
            });
            !serverless
                && f.tasks.iter().filter(uses).all(|t| {
                    t.status.as_deref() != Some("running") && (t.started.is_some() || !dated)
                })
        };
    let keep: Vec<bool> = f.endpoints.iter().map(|e| stopped(&e.arn)).collect();
    let others = f.endpoints.clone();
    for (i, e) in f.endpoints.iter_mut().enumerate() {
        let other = &others[(i + shift) % others.len()];
        // Without an SslMode on record, CreateEndpoint would say DMS's default (none).
        let same = other.engine == e.engine && other.server_name == e.server_name;
        if !keep[i] || same || e.ssl_mode.is_none() {
            continue;
        }
        e.history = vec![
            event(
                "CreateEndpoint",
                "2026-09-30T00:00:00Z",
                serde_json::json!({"EngineName": e.engine, "ServerName": e.server_name,
                                   "Port": e.port, "DatabaseName": e.database,
                                   "SslMode": e.ssl_mode}),
            ),
            event(
                "ModifyEndpoint",
                "2026-11-27T00:00:00Z",
                serde_json::json!({"EngineName": other.engine, "ServerName": other.server_name,
                                   "Port": other.port, "DatabaseName": other.database}),
            ),
        ];
        e.hosts_then = vec![HostThen {
            engine: e.engine.clone(),
            server_name: e.server_name.clone(),
            host: e.host.clone(),
        }];
        e.engine = other.engine.clone();
        e.family = other.family.clone();
        e.server_name = other.server_name.clone();
        e.port = other.port;
        e.database = other.database.clone();
        e.host = other.host.clone();
    }
    changed
}

fn no_new_met(before: &BTreeMap<String, Verdict>, after: &BTreeMap<String, Verdict>, what: &str) {
    for (item, v) in after {
        if *v == Verdict::Met {
            assert_eq!(before[item], Verdict::Met, "{what} turned {item} into met");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Removing evidence (every metric, table statistic, log, or start date) from
    /// migrations that still ran never turns a verdict into met.
    #[test]
    fn removing_evidence_never_creates_a_met(spec in estate(), mask in 1u8..16) {
        let ev = build(&spec, "a");
        let before = verdicts(&ev);
        let mut less = ev.clone();
        if mask & 1 != 0 { less.facts.metrics.clear(); }
        if mask & 2 != 0 { for t in &mut less.facts.tasks { t.tables = None; } }
        if mask & 4 != 0 { less.facts.log_groups.clear(); }
        if mask & 8 != 0 {
            for t in &mut less.facts.tasks {
                t.started = None;
                if let Some(s) = &mut t.stats { s.fresh_start_date = None; s.start_date = None; s.full_load_start_date = None; }
            }
        }
        // A migration that lost all of its evidence is one that never ran: that case
        // is the next property's.
        prop_assume!(ran(&less) == ran(&ev));
        no_new_met(&before, &verdicts(&less), "removing evidence");
    }

    /// Adding a task that was created and never started never turns a verdict into met.
    #[test]
    fn a_never_started_task_never_creates_a_met(spec in estate(), extra in mig()) {
        let ev = build(&spec, "a");
        let before = verdicts(&ev);
        let mut idle = extra.clone();
        idle.status = 2;
        idle.started = false;
        idle.stopped = false;
        idle.tables = None;
        idle.cdc_metric = false;
        idle.logs = false;
        let mut more = spec.clone();
        more.push(idle);
        let with = build(&more, "a");
        prop_assert_eq!(ran(&with).len(), ran(&ev).len());
        no_new_met(&before, &verdicts(&with), "a never-started task");
    }

    /// Failing every table of a run, zeroing its rows and changes, or a stop reason that
    /// ends it before CDC never turns a verdict into met.
    #[test]
    fn moving_less_never_creates_a_met(spec in estate(), which in 0usize..4, how in 0u8..3) {
        let ev = build(&spec, "a");
        let before = verdicts(&ev);
        let mut less = ev.clone();
        let i = which % less.facts.tasks.len();
        let t = &mut less.facts.tasks[i];
        match how {
            0 => {
                for r in t.tables.iter_mut().flatten() { r.state = Some("Table error".into()); }
                t.status = Some("failed".into());
                // A reason AWS already gave stays: replacing one is not moving less.
                t.stop_reason.get_or_insert_with(|| "Stop Reason FATAL_ERROR".into());
            }
            1 => {
                for r in t.tables.iter_mut().flatten() { r.full_load_rows = 0; r.inserts = 0; r.updates = 0; r.deletes = 0; }
            }
            _ => {
                t.status = Some("stopped".into());
                t.stop_reason = Some("Stop Reason STOPPED_AFTER_FULL_LOAD".into());
            }
        }
        no_new_met(&before, &verdicts(&less), "moving less");
    }

    /// A run that moved nothing is never cited as the evidence of a met about what was
    /// migrated.
    #[test]
    fn a_run_that_moved_nothing_is_never_cited_for_a_met(spec in estate()) {
        let ev = build(&spec, "a");
        let input = super::view::Input::new(&ev);
        let unproven: Vec<String> = input.unproven.iter().map(|m| m.pointer()).collect();
        for f in evaluate(&ev, &load_default()).findings {
            if f.verdict == Verdict::Met && ABOUT_WHAT_MOVED.contains(&f.item.as_str()) {
                for p in &unproven {
                    prop_assert!(!f.evidence.contains(p), "{} cites {} that moved nothing: {}", f.item, p, f.reason);
                }
            }
        }
    }

    /// Every met and attested finding cites the evidence it rests on, and no rule ever
    /// tried to conclude one without (the builder would have turned it down).
    #[test]
    fn every_positive_verdict_cites_its_evidence(spec in estate()) {
        for f in evaluate(&build(&spec, "a"), &load_default()).findings {
            if matches!(f.verdict, Verdict::Met | Verdict::Attested) {
                prop_assert!(!f.evidence.is_empty(), "{} is {:?} without a citation", f.item, f.verdict);
            }
            prop_assert!(!f.reason.starts_with("not counted:"), "{}: {}", f.item, f.reason);
        }
    }

    /// Deleting the DMS resources after the migration (what CloudTrail then shows: no
    /// table statistics, dates from the events, `deleted_at`), all of them or some tasks,
    /// with or without the statistics of the Delete answer, never turns a met into not_met,
    /// and never creates a met the history does not show.
    #[test]
    fn deleting_after_cut_over_never_creates_a_met_nor_a_not_met(
        spec in estate(),
        which in any::<u8>(),
        answered in any::<bool>(),
    ) {
        let ev = build(&spec, "a");
        let before = verdicts(&ev);
        let gone = delete_some(&ev, which, answered);
        let after = verdicts(&gone);
        no_new_met(&before, &after, "deleting after cut-over");
        for (item, v) in &after {
            if *v == Verdict::NotMet {
                prop_assert_ne!(before[item], Verdict::Met, "deleting after cut-over turned {} from met to not_met", item);
            }
        }
    }

    /// Knowing the tasks only from their series (deleted, and no history names them)
    /// never creates a met, nor turns a met into not_met.
    #[test]
    fn knowing_tasks_only_from_their_series_never_creates_a_met_nor_a_not_met(spec in estate(), which in any::<u8>()) {
        let ev = build(&spec, "a");
        let before = verdicts(&ev);
        let after = verdicts(&known_only_from_traces(&ev, which));
        no_new_met(&before, &after, "knowing tasks only from their series");
        for (item, v) in &after {
            if *v == Verdict::NotMet {
                prop_assert_ne!(before[item], Verdict::Met, "knowing tasks only from their series turned {} from met to not_met", item);
            }
        }
    }

    /// Changing a task's settings after its run (turning logging, LOBs or tuning on or
    /// off) changes no verdict: the settings are judged as they were while it ran.
    #[test]
    fn changing_settings_after_the_run_changes_no_verdict(spec in estate(), later in mig()) {
        let ev = build(&spec, "a");
        let mut same = ev.clone();
        for t in &mut same.facts.tasks {
            t.settings = TaskSettings::parse(Some(&settings_document(&t.settings)));
        }
        prop_assert_eq!(verdicts(&same), verdicts(&modify_after_the_run(&ev, &later)));
    }

    /// Re-pointing endpoints after the run (another engine, server and database, which
    /// may be larger, encrypted or elsewhere) changes no verdict: what was migrated is
    /// judged as the endpoints were while it ran.
    #[test]
    fn repointing_endpoints_after_the_run_changes_no_verdict(spec in estate(), shift in 1usize..4) {
        let ev = build(&spec, "a");
        prop_assert_eq!(verdicts(&ev), verdicts(&repoint_after_the_run(&ev, shift, true)));
    }

    /// A serverless configuration re-pointed after its last run (another source and
    /// target, replication type and settings: ModifyReplicationConfig, which AWS allows
    /// after a failed run) changes no verdict: it is judged as it was when it ran.
    #[test]
    fn repointing_a_serverless_config_after_its_run_changes_no_verdict(spec in estate(), shift in 1usize..4) {
        let ev = as_serverless(&build(&spec, "a"), true);
        prop_assert_eq!(verdicts(&ev), verdicts(&repoint_config_after_the_run(&ev, shift, false)));
    }

    /// Settings changed after the last run, the earlier ones not on record: never a met.
    #[test]
    fn changing_a_serverless_config_after_its_run_never_creates_a_met(spec in estate(), shift in 1usize..4) {
        for started_on_record in [true, false] {
            let ev = as_serverless(&build(&spec, "a"), started_on_record);
            no_new_met(&verdicts(&ev), &verdicts(&repoint_config_after_the_run(&ev, shift, true)), "modifying");
        }
    }

    /// When a run's dates are not on record, an endpoint re-pointed since its task was
    /// created is not known to be what it ran against: that never creates a met.
    #[test]
    fn repointing_endpoints_of_undated_runs_never_creates_a_met(spec in estate(), shift in 1usize..4) {
        let ev = build(&spec, "a");
        no_new_met(&verdicts(&ev), &verdicts(&repoint_after_the_run(&ev, shift, false)), "re-pointing");
    }

    /// Cost Explorer's billed DMS usage (any months and amounts, or none billed; on a live
    /// estate or one deleted after cut-over) changes no verdict: billing shows an instance
    /// was billed, not what it moved, and is supporting evidence only.
    #[test]
    fn billed_usage_changes_no_verdict(
        spec in estate(),
        months in proptest::collection::vec((0u32..14, 0u32..2000), 0..6),
        deleted in any::<bool>(),
    ) {
        let ev = build(&spec, "a");
        let ev = if deleted { delete_after_cut_over(&ev) } else { ev };
        let mut billed = ev.clone();
        billed.facts.billing_read = Some(BillingRead {
            since: "2025-11-01".into(),
            until: "2026-12-06".into(),
            sources: vec!["c9".into()],
        });
        for (m, hours) in months {
            billed.facts.billed_usage.push(BilledUsage {
                month: format!("{}-{:02}", 2025 + (10 + m) / 12, (10 + m) % 12 + 1),
                usage_type: "InstanceUsg:dms.r5.large".into(),
                amount: hours.to_string(),
                unit: "Hrs".into(),
                estimated: m == 13,
                sources: vec!["c9".into()],
            });
        }
        prop_assert_eq!(verdicts(&ev), verdicts(&billed));
    }

    /// DMS's own events (DescribeEvents: started, stopped, failed, deleted, about any task
    /// or instance of the estate, at any time) change no verdict: AWS documents neither
    /// their text nor their retention, so they are context in the report's timeline only.
    #[test]
    fn dms_events_change_no_verdict(
        spec in estate(),
        events in proptest::collection::vec((0usize..4, 0usize..4, 0i64..120), 0..8),
        deleted in any::<bool>(),
    ) {
        let ev = build(&spec, "a");
        let ev = if deleted { delete_after_cut_over(&ev) } else { ev };
        let mut told = ev.clone();
        let names: Vec<String> = ev.facts.tasks.iter().map(|t| t.identifier.clone())
            .chain(ev.facts.replication_instances.iter().map(|i| i.identifier.clone()))
            .chain(["elsewhere".to_string()])
            .collect();
        let messages = ["The replication task has started.", "The replication task has stopped.",
            "The replication task has failed.", "The replication task is deleted."];
        for (who, what, days) in events {
            told.facts.events.push(Event {
                region: "us-east-1".into(),
                source_identifier: Some(names[who % names.len()].clone()),
                source_type: Some("replication-task".into()),
                message: Some(messages[what].into()),
                categories: vec!["state change".into()],
                date: Some(Timestamp::from_secs(1_790_000_000) - time::Duration::days(days)),
                sources: vec!["c9".into()],
            });
        }
        prop_assert_eq!(verdicts(&ev), verdicts(&told));
    }

    /// CloudTrail history that begins later (less of it) never creates a met: what was in
    /// force while a migration ran is on record only as far back as the history reaches,
    /// and a run before it is not judged on today's settings. Whether the task and its
    /// endpoints still exist or were deleted after cut-over.
    #[test]
    fn less_history_never_creates_a_met(
        spec in estate(),
        days in (0i64..120, 0i64..120),
        deleted in any::<bool>(),
    ) {
        let ev = build(&spec, "a");
        let ev = if deleted { delete_after_cut_over(&ev) } else { ev };
        let since = |d: i64| {
            let mut e = ev.clone();
            e.facts.history_reads = vec![HistoryRead {
                region: REGION.into(),
                since: Timestamp::from_secs(NOW_SECS) - time::Duration::days(d),
                until: Timestamp::from_secs(NOW_SECS),
                events: 0,
                sources: vec!["c9".into()],
                source: None,
                integrity: None,
            }];
            verdicts(&e)
        };
        let (more, less) = (since(days.0.max(days.1)), since(days.0.min(days.1)));
        for (item, v) in &less {
            if *v == Verdict::Met {
                prop_assert_eq!(more.get(item), Some(&Verdict::Met), "{}", item);
            }
        }
    }

    /// Less of AWS Config's history (an endpoint's items gone, or a recorder that started
    /// later) never creates a met, on runs CloudTrail's history does not reach: what Config
    /// does not show is unknown, never today's. Some endpoints were plaintext while they ran
    /// and switched to today's mode since, which Config recorded.
    #[test]
    fn less_config_history_never_creates_a_met(
        spec in estate(),
        plaintext_then in proptest::collection::vec(any::<bool>(), 8),
        dropped in proptest::collection::vec(any::<bool>(), 8),
        started_days in (150i64..400, 0i64..400),
    ) {
        let mut ev = build(&spec, "a");
        ev.facts.history_reads = vec![HistoryRead {
            region: REGION.into(),
            since: Timestamp::from_secs(NOW_SECS) - crate::time::DAY,
            until: Timestamp::from_secs(NOW_SECS),
            sources: vec!["c9".into()],
            ..HistoryRead::default()
        }];
        let day = |d: i64| Timestamp::from_secs(NOW_SECS) - time::Duration::days(d);
        for (i, e) in ev.facts.endpoints.iter_mut().enumerate() {
            let today = e.ssl_mode.clone().unwrap_or_default();
            let then = if plaintext_then[i % 8] { "none".to_string() } else { today.clone() };
            e.config_history = vec![super::rules::testkit::config_item(e, day(140), &then)];
            if then != today {
                e.config_history.push(super::rules::testkit::config_item(e, day(2), &today));
            }
        }
        let recorder = |days: i64| config_history::ConfigRecorder {
            region: REGION.into(),
            name: "default".into(),
            records_endpoints: true,
            recording: true,
            last_start: Some(day(days)),
            sources: vec!["c8".into()],
            ..config_history::ConfigRecorder::default()
        };
        ev.facts.config_recorders = vec![recorder(started_days.0)];
        let more = verdicts(&ev);
        let mut less = ev.clone();
        for (i, e) in less.facts.endpoints.iter_mut().enumerate() {
            if dropped[i % 8] {
                e.config_history.clear();
            }
        }
        less.facts.config_recorders = vec![recorder(started_days.0.min(started_days.1))];
        for (item, v) in &verdicts(&less) {
            if *v == Verdict::Met {
                prop_assert_eq!(more.get(item), Some(&Verdict::Met), "{}", item);
            }
        }
    }

    /// Renaming every resource consistently changes no verdict.
    #[test]
    fn names_do_not_matter(spec in estate()) {
        prop_assert_eq!(verdicts(&build(&spec, "a")), verdicts(&build(&spec, "zq")));
    }

    /// Copying resources under the same names into another region, with other
    /// properties and metrics, changes no verdict about the originals.
    #[test]
    fn same_names_in_another_region_change_nothing(spec in estate()) {
        let ev = build(&spec, "a");
        let mut copied = ev.clone();
        let far = "eu-west-1";
        let f = &mut copied.facts;
        for d in ev.facts.rds_instances.iter().chain([]) {
            f.rds_instances.push(DbInstance { region: far.into(), storage_encrypted: Some(!d.storage_encrypted.unwrap_or(false)),
                allocated_storage_gb: Some(5000), ..d.clone() });
        }
        for c in &ev.facts.rds_clusters {
            f.rds_clusters.push(DbCluster { region: far.into(), storage_encrypted: Some(!c.storage_encrypted.unwrap_or(false)), ..c.clone() });
        }
        for i in &ev.facts.replication_instances {
            f.replication_instances.push(ReplicationInstance { region: far.into(), arn: i.arn.replace(REGION, far),
                publicly_accessible: Some(true), ..i.clone() });
        }
        for s in &ev.facts.metrics {
            f.metrics.push(MetricSeries { region: far.into(), values: s.values.iter().map(|v| v * 7.0 + 99.0).collect(), ..s.clone() });
        }
        for g in &ev.facts.log_groups {
            f.log_groups.push(LogGroup { region: far.into(), ..g.clone() });
        }
        prop_assert_eq!(verdicts(&ev), verdicts(&copied));
    }

    /// With no DMS resources, nothing about DMS is met.
    #[test]
    fn no_dms_no_met(spec in estate()) {
        let mut ev = build(&spec, "a");
        let f = &mut ev.facts;
        f.tasks.clear();
        f.serverless.clear();
        f.endpoints.clear();
        f.replication_instances.clear();
        for (item, v) in verdicts(&ev) {
            prop_assert_ne!(v, Verdict::Met, "{} is met without DMS", item);
        }
    }
}
