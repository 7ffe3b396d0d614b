//! Architecture and sizing: database size, TB+ databases, DMS limits, replication
//! instance health and engine versions, endpoint tuning, public vs private
//! instances, performance tuning, target sizing and load on the source. Only
//! migrations that ran count, and load is judged inside their windows.

use std::collections::BTreeSet;

use super::{Finding, Input, Item, Verdict, no_migrations, with_statement};
use crate::evaluate::view::{GIB, Migration, gb, in_windows, percentile};
use crate::facts::{Endpoint, HostKind, endpoint::throughput_tuning};

pub fn database_size(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let min = item.params.number("min_bytes");
    let never = input.never_ran_note();
    match input.largest_size() {
        Ok((bytes, s)) => {
            let verdict = if bytes >= min {
                Verdict::Met
            } else {
                Verdict::NotMet
            };
            Finding::new(
                verdict,
                format!(
                    "largest measured size of a migrated database {} ({}), threshold {}{never}",
                    gb(bytes),
                    s.basis,
                    gb(min)
                ),
            )
            .value("size_bytes", bytes)
            .value("threshold_bytes", min)
            .cite(s.pointer, &s.sources)
        }
        Err(why) => {
            let rows: i64 = input
                .migrations
                .iter()
                .filter_map(|m| m.tables)
                .flatten()
                .map(|r| r.full_load_rows)
                .sum();
            let gap = input
                .gap_note(&[
                    "cloudwatch:GetMetricData",
                    "rds:DescribeDBInstances",
                    "rds:DescribeDBClusters",
                ])
                .map(|g| format!("; {g}"))
                .unwrap_or_default();
            Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "no measured size for any migrated database: {}{gap}; {rows} rows were fully loaded (rows are \
                     not bytes, capacity is not data){never}",
                    if why.is_empty() {
                        "the migrations name no target".to_string()
                    } else {
                        why.join("; ")
                    }
                ),
            )
            .value("full_load_rows", rows)
        }
    }
}

pub fn large_database(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let min = item.params.number("min_bytes");
    let (bytes, s) = match input.largest_size() {
        Ok(x) => x,
        Err(why) => {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "the database size is not measured, so whether it is TB+ is unknown ({})",
                    why.join("; ")
                ),
            );
        }
    };
    if bytes < min {
        return Finding::new(
            Verdict::NotApplicable,
            format!("largest measured size {} is below {}", gb(bytes), gb(min)),
        )
        .value("size_bytes", bytes)
        .cite(s.pointer, &s.sources);
    }
    let parallel = input
        .migrations
        .iter()
        .filter(|m| m.mappings.parallel_load_rules > 0)
        .count();
    let mut by_source: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in &input.migrations {
        if let Some(src) = m.source {
            *by_source.entry(src.arn.as_str()).or_default() += 1;
        }
    }
    let split = by_source.values().any(|n| *n >= 2);
    let f = Finding::new(Verdict::Met, "")
        .value("size_bytes", bytes)
        .cite(s.pointer, &s.sources);
    if parallel > 0 || split {
        let technical = Finding {
            reason: format!(
                "{} database moved with {}",
                gb(bytes),
                [
                    (parallel > 0)
                        .then(|| format!("parallel-load rules in {parallel} migration(s)")),
                    split.then(|| "tables split across tasks".to_string())
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ")
            ),
            ..f
        };
        with_statement(input, item, technical)
    } else {
        Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "{} database moved by single tasks without parallel load",
                gb(bytes)
            ),
            ..f
        }
    }
}

pub fn dms_limits(input: &Input<'_>, item: &Item) -> Finding {
    let quotas = &input.facts.account_quotas;
    if quotas.is_empty() {
        let gap = input
            .gap_note(&["dms:DescribeAccountAttributes"])
            .unwrap_or_else(|| "no quotas were returned".into());
        return Finding::new(
            Verdict::InsufficientEvidence,
            format!("DMS account quotas unknown: {gap}"),
        );
    }
    let max_sub = item.params.number("max_full_load_sub_tasks") as i64;
    let max_lob = item.params.number("max_lob_size_kb") as i64;
    let mut problems = Vec::new();
    let mut f = Finding::new(Verdict::Met, "");
    for q in quotas.iter().filter(|q| q.max > 0 && q.used > q.max) {
        problems.push(format!(
            "{} {} uses {} of {}",
            q.region, q.name, q.used, q.max
        ));
    }
    for q in quotas {
        f = f.cite(
            format!("account_quotas/{}/{}", q.region, q.name),
            &q.sources,
        );
    }
    for m in input.every_migration() {
        if let Some(n) = m.settings.max_full_load_sub_tasks.filter(|n| *n > max_sub) {
            problems.push(format!("{} MaxFullLoadSubTasks {n} > {max_sub}", m.id));
        }
        for (name, v) in [
            ("LobMaxSize", m.settings.lob_max_size),
            ("InlineLobMaxSize", m.settings.inline_lob_max_size),
        ] {
            if let Some(v) = v.filter(|v| *v > max_lob) {
                problems.push(format!("{} {name} {v} KB > {max_lob} KB", m.id));
            }
        }
    }
    let highest = quotas
        .iter()
        .filter(|q| q.max > 0)
        .max_by(|a, b| (a.used as f64 / a.max as f64).total_cmp(&(b.used as f64 / b.max as f64)));
    if !problems.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("outside DMS limits: {}", problems.join("; ")),
            ..f
        };
    }
    let technical = Finding {
        reason: format!(
            "{} quotas within their maximum (highest {}), task settings of the migrations that ran within documented \
             limits",
            quotas.len(),
            highest.map_or("-".into(), |q| format!("{} {}/{}", q.name, q.used, q.max))
        ),
        ..f
    };
    with_statement(input, item, technical)
}

/// Tasks that ran whose replication instance is not in the evidence (deleted, or
/// not read): they cannot be judged, and must not pass as "serverless only".
fn orphan_tasks(input: &Input<'_>) -> Option<Finding> {
    let orphans: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| m.is_task() && m.instance.is_none())
        .map(|m| m.id)
        .collect();
    if orphans.is_empty() {
        return None;
    }
    let gap = input.gap_paren(&["dms:DescribeReplicationInstances"]);
    Some(Finding::new(
        Verdict::InsufficientEvidence,
        format!(
            "the replication instance of task(s) {} is not in the evidence{gap}: deleted, or not read",
            orphans.join(", ")
        ),
    ))
}

/// Not applicable because only DMS Serverless ran — which needs positive evidence:
/// the task and instance listings answered (an empty listing, not a failed one).
fn only_serverless(input: &Input<'_>, why: &str) -> Finding {
    let failed = input.gap_note(&[
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplicationInstances",
    ]);
    match failed {
        Some(gap) => Finding::new(
            Verdict::InsufficientEvidence,
            format!("whether replication instances were used is unknown: {gap}"),
        ),
        None => Finding::new(
            Verdict::NotApplicable,
            format!("only DMS Serverless replications ran: {why}"),
        ),
    }
}

/// The replication instances of the migrations that ran, each once.
fn used_instances<'a>(input: &Input<'a>) -> Vec<&'a crate::facts::ReplicationInstance> {
    let mut seen = BTreeSet::new();
    input
        .migrations
        .iter()
        .filter_map(|m| m.instance)
        .filter(|i| seen.insert(i.arn.as_str()))
        .collect()
}

/// The replication instances of every migration, ran or not (for negatives).
fn every_instance<'a>(input: &Input<'a>) -> Vec<&'a crate::facts::ReplicationInstance> {
    let mut seen = BTreeSet::new();
    input
        .every_migration()
        .filter_map(|m| m.instance)
        .filter(|i| seen.insert(i.arn.as_str()))
        .collect()
}

pub fn replication_instance_health(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    if let Some(f) = orphan_tasks(input) {
        return f;
    }
    let used = used_instances(input);
    if used.is_empty() {
        return only_serverless(input, "AWS sizes their capacity");
    }
    let max_cpu = item.params.number("max_p95_cpu_percent");
    let min_free = item.params.number("min_free_storage_percent");
    let min_points = item.params.number("min_datapoints") as usize;
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut failed = false;
    let mut missing: Vec<String> = Vec::new();
    for inst in used {
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        let mut text = format!(
            "{} ({})",
            inst.identifier,
            inst.class.as_deref().unwrap_or("?")
        );
        let windows = match input.windows(|m| m.instance.is_some_and(|i| i.arn == inst.arn)) {
            Ok(w) => w,
            Err(unknown) => {
                missing.push(format!(
                    "{}: the window of {} is unknown",
                    inst.identifier,
                    unknown.join(", ")
                ));
                parts.push(format!("{text}: load not judged"));
                continue;
            }
        };
        let cpu = input.instance_series("CPUUtilization", inst);
        match cpu.map(|s| (s, in_windows(s, &windows))) {
            Some((s, values)) if values.len() >= min_points => {
                let p95 = percentile(&values, 95.0).unwrap_or_default();
                failed |= p95 >= max_cpu;
                text.push_str(&format!(
                    ": p95 CPU {p95:.1} % over {} datapoint(s) in the migration window",
                    values.len()
                ));
                f = f
                    .value(
                        &format!("{}.p95_cpu_percent", inst.identifier),
                        (p95 * 10.0).round() / 10.0,
                    )
                    .cite(
                        format!("metrics/AWS/DMS/CPUUtilization/{}", inst.identifier),
                        &s.sources,
                    );
            }
            found => {
                missing.push(format!(
                    "{} CPUUtilization ({} datapoint(s) in the window, {min_points} needed)",
                    inst.identifier,
                    found.map_or(0, |(_, v)| v.len())
                ));
                text.push_str(": CPU not on record in the migration window");
            }
        }
        let allocated = f64::from(inst.allocated_storage_gb.unwrap_or(0)) * GIB;
        let free = input.instance_series("FreeStorageSpace", inst);
        match free.map(|s| (s, in_windows(s, &windows))) {
            Some((s, values)) if allocated > 0.0 && values.len() >= min_points => {
                let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
                let free_pct = (100.0 * lowest / allocated).min(100.0);
                failed |= free_pct < min_free;
                text.push_str(&format!(", lowest free storage {free_pct:.0} %"));
                f = f
                    .value(
                        &format!("{}.min_free_storage_percent", inst.identifier),
                        (free_pct * 10.0).round() / 10.0,
                    )
                    .cite(
                        format!("metrics/AWS/DMS/FreeStorageSpace/{}", inst.identifier),
                        &s.sources,
                    );
            }
            _ => {
                missing.push(format!("{} FreeStorageSpace", inst.identifier));
                text.push_str(", free storage not on record in the migration window");
            }
        }
        parts.push(text);
    }
    let limits = format!("limits: p95 CPU < {max_cpu} %, free storage >= {min_free} %");
    if failed {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("{}; {limits}", parts.join("; ")),
            ..f
        };
    }
    if !missing.is_empty() {
        let gap = input.gap_paren(&["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"]);
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{}; not enough metrics for {}{gap}: expired or never collected",
                parts.join("; "),
                missing.join(", ")
            ),
            ..f
        };
    }
    Finding {
        reason: format!("{}; {limits}", parts.join("; ")),
        ..f
    }
}

pub fn engine_versions(input: &Input<'_>, _item: &Item) -> Finding {
    if let Some(f) = orphan_tasks(input) {
        return f;
    }
    let used = used_instances(input);
    if used.is_empty() {
        return if input.migrations.is_empty() {
            no_migrations(input)
        } else {
            only_serverless(input, "AWS manages their engine version")
        };
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut verdict = Verdict::Met;
    let ran: BTreeSet<&str> = used.iter().map(|i| i.arn.as_str()).collect();
    for inst in every_instance(input) {
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        let Some(version) = inst.engine_version.as_deref() else {
            if !ran.contains(inst.arn.as_str()) {
                continue;
            }
            verdict = worst(verdict, Verdict::InsufficientEvidence);
            parts.push(format!("{}: engine version not reported", inst.identifier));
            continue;
        };
        let Some(known) = input
            .facts
            .engine_versions
            .iter()
            .find(|v| v.version == version && v.region == inst.region)
        else {
            if !ran.contains(inst.arn.as_str()) {
                continue;
            }
            verdict = worst(verdict, Verdict::InsufficientEvidence);
            parts.push(format!(
                "{} runs {version}, not listed by DescribeEngineVersions{}",
                inst.identifier,
                input.gap_paren(&["dms:DescribeEngineVersions"])
            ));
            continue;
        };
        f = f.cite(
            format!("engine_versions/{}/{version}", known.region),
            &known.sources,
        );
        let started = input
            .every_migration()
            .filter(|m| m.instance.is_some_and(|i| i.arn == inst.arn))
            .filter_map(|m| m.window.map(|w| w.0))
            .min();
        let deprecated_before_use = match (Input::secs(known.deprecation_date.as_deref()), started)
        {
            (Some(d), Some(s)) => d <= s,
            (Some(d), None) => d <= input.now,
            _ => false,
        };
        let beta = known.release_status.as_deref().is_some_and(|s| s != "prod");
        if beta || deprecated_before_use {
            verdict = worst(verdict, Verdict::NotMet);
        }
        parts.push(format!(
            "{} runs {version} ({}, {}{})",
            inst.identifier,
            known.release_status.as_deref().unwrap_or("?"),
            known.lifecycle.as_deref().unwrap_or("?"),
            known
                .deprecation_date
                .as_deref()
                .map(|d| format!(", deprecated {}", d.chars().take(10).collect::<String>()))
                .unwrap_or_default()
        ));
    }
    Finding {
        verdict,
        reason: parts.join("; "),
        ..f
    }
}

fn worst(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::NotMet => 3,
        Verdict::InsufficientEvidence => 2,
        _ => 1,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// The endpoints of the migrations that ran, each once.
fn used_endpoints<'a>(input: &Input<'a>) -> Vec<&'a Endpoint> {
    let mut seen = BTreeSet::new();
    input
        .migrations
        .iter()
        .flat_map(|m| [m.source, m.target])
        .flatten()
        .filter(|e| seen.insert(e.arn.as_str()))
        .collect()
}

pub fn endpoint_tuning(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut tuned = Vec::new();
    for e in used_endpoints(input) {
        let settings = throughput_tuning(e);
        if !settings.is_empty() {
            tuned.push(format!("{} ({})", e.identifier, settings.join(", ")));
            f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
        }
    }
    let mut same_az = Vec::new();
    for m in &input.migrations {
        let (Some(inst), Some(target)) = (m.instance, m.target) else {
            continue;
        };
        let Some(a) = inst.availability_zone.as_deref() else {
            continue;
        };
        if inst.region != target.region {
            continue;
        }
        if let Some(db) = input
            .db_instances(target)
            .into_iter()
            .find(|d| d.availability_zone.as_deref() == Some(a))
        {
            same_az.push(format!("{} and {} in {a}", inst.identifier, db.identifier));
            f = f
                .cite(format!("replication_instances/{}", inst.arn), &inst.sources)
                .cite(format!("rds_instances/{}", db.identifier), &db.sources);
        }
    }
    same_az.sort();
    same_az.dedup();
    let never = input.never_ran_note();
    if let Some(missing) = input.unresolved_endpoints()
        && tuned.is_empty()
        && same_az.is_empty()
    {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{missing}: their settings cannot be judged{never}"),
            ..f
        };
    }
    if tuned.is_empty() && same_az.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "no endpoint setting that changes throughput (connection details and DMS defaults do not count), and \
                 no replication instance in its target's Availability Zone{never}"
            ),
            ..f
        };
    }
    let mut parts = Vec::new();
    if !tuned.is_empty() {
        parts.push(format!("throughput settings on {}", tuned.join(", ")));
    }
    if !same_az.is_empty() {
        parts.push(format!("same Availability Zone: {}", same_az.join(", ")));
    }
    Finding {
        reason: format!("{}{never}", parts.join("; ")),
        ..f
    }
}

/// Whether an endpoint outside AWS justifies a public replication instance.
enum Reach {
    /// Reached over the internet: a public address outside the account, another cloud.
    Internet(String),
    /// Cannot tell (a name that matches nothing, no address).
    Doubt(String),
    /// Inside AWS, or a private address (VPN / Direct Connect need no public instance).
    Private,
}

fn reach(e: &Endpoint) -> Reach {
    match e.host.kind {
        HostKind::OtherCloud => Reach::Internet(format!("{} (another cloud)", e.identifier)),
        HostKind::External if e.host.public_ip() == Some(true) => Reach::Internet(format!(
            "{} ({} outside AWS)",
            e.identifier,
            e.host.address.as_deref().unwrap_or("?")
        )),
        HostKind::Unverified | HostKind::Unknown => {
            Reach::Doubt(format!("{} ({})", e.identifier, e.host.basis))
        }
        _ => Reach::Private,
    }
}

pub fn public_private(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    if let Some(f) = orphan_tasks(input) {
        return f;
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut verdict = Verdict::Met;
    let serverless = input.migrations.iter().filter(|m| !m.is_task()).count();
    if serverless > 0 {
        parts.push(format!(
            "{serverless} serverless replication(s): private by design"
        ));
    }
    let ran: BTreeSet<&str> = used_instances(input)
        .iter()
        .map(|i| i.arn.as_str())
        .collect();
    for inst in every_instance(input) {
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        // Only the endpoints of this instance's own migrations that ran can justify it.
        let own: Vec<&Migration<'_>> = input
            .migrations
            .iter()
            .filter(|m| m.instance.is_some_and(|i| i.arn == inst.arn))
            .collect();
        if !ran.contains(inst.arn.as_str()) && inst.publicly_accessible != Some(true) {
            continue;
        }
        let mut internet = Vec::new();
        let mut doubt = Vec::new();
        for e in own.iter().flat_map(|m| [m.source, m.target]).flatten() {
            match reach(e) {
                Reach::Internet(t) => internet.push(t),
                Reach::Doubt(t) => doubt.push(t),
                Reach::Private => {}
            }
        }
        internet.dedup();
        doubt.dedup();
        match inst.publicly_accessible {
            Some(false) => parts.push(format!("{} is private", inst.identifier)),
            Some(true) if !internet.is_empty() => parts.push(format!(
                "{} is public, which its own endpoint(s) reached over the internet justify: {}",
                inst.identifier,
                internet.join(", ")
            )),
            Some(true) if !doubt.is_empty() => {
                verdict = worst(verdict, Verdict::InsufficientEvidence);
                parts.push(format!(
                    "{} is public; whether its endpoint(s) need internet access is not shown: {}",
                    inst.identifier,
                    doubt.join(", ")
                ));
            }
            Some(true) => {
                verdict = Verdict::NotMet;
                parts.push(format!(
                    "{} is public ({}) although every endpoint it serves is inside AWS or on a private address",
                    inst.identifier,
                    if inst.public_ips.is_empty() {
                        "PubliclyAccessible true".to_string()
                    } else {
                        format!("public IP {}", inst.public_ips.join(", "))
                    }
                ));
            }
            None => {
                verdict = worst(verdict, Verdict::InsufficientEvidence);
                parts.push(format!(
                    "{}: PubliclyAccessible not reported",
                    inst.identifier
                ));
            }
        }
    }
    Finding {
        verdict,
        reason: parts.join("; "),
        ..f
    }
}

pub fn performance_tuning(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut tuning = Vec::new();
    let mut slower = Vec::new();
    let mut parsed = 0;
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
        let s = m.settings;
        if !s.parsed {
            continue;
        }
        parsed += 1;
        let mut here = Vec::new();
        let mut slow = Vec::new();
        // Defaults (DMS User Guide, "Full-load task settings", "Target metadata task
        // settings"): MaxFullLoadSubTasks 8, CommitRate 10000, ParallelLoadThreads 0.
        match s.max_full_load_sub_tasks {
            Some(n) if n > 8 => here.push(format!("MaxFullLoadSubTasks {n}")),
            Some(n) if n < 8 => slow.push(format!("MaxFullLoadSubTasks {n}")),
            _ => {}
        }
        match s.commit_rate {
            Some(n) if n > 10_000 => here.push(format!("CommitRate {n}")),
            Some(n) if n < 10_000 => slow.push(format!("CommitRate {n}")),
            _ => {}
        }
        if let Some(n) = s.parallel_load_threads.filter(|n| *n > 1) {
            here.push(format!("ParallelLoadThreads {n}"));
        }
        if let Some(n) = s.parallel_apply_threads.filter(|n| *n > 1) {
            here.push(format!("ParallelApplyThreads {n}"));
        }
        if s.batch_apply_enabled == Some(true) {
            here.push("BatchApplyEnabled".into());
        }
        if m.mappings.parallel_load_rules > 0 {
            here.push(format!(
                "{} parallel-load rule(s)",
                m.mappings.parallel_load_rules
            ));
        }
        if !here.is_empty() {
            tuning.push(format!("{}: {}", m.id, here.join(", ")));
        }
        if !slow.is_empty() {
            slower.push(format!("{}: {}", m.id, slow.join(", ")));
        }
    }
    let slower_note = if slower.is_empty() {
        String::new()
    } else {
        format!(
            "; below the defaults (slower, not tuning): {}",
            slower.join("; ")
        )
    };
    let never = input.never_ran_note();
    if parsed == 0 {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("no task settings could be read{never}"),
            ..f
        };
    }
    if tuning.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "no setting of the {parsed} migration(s) that ran speeds them up beyond the defaults \
                 (MaxFullLoadSubTasks 8, CommitRate 10000, no parallel load or apply, no batch apply){slower_note}{never}"
            ),
            ..f
        };
    }
    Finding {
        reason: format!(
            "faster than the defaults: {}{slower_note}{never}",
            tuning.join("; ")
        ),
        ..f
    }
}

/// One DB instance's load inside the migration windows.
struct DbHealth {
    id: String,
    cpu_p95: Option<f64>,
    cpu_points: usize,
    free_pct: Option<f64>,
    sources: Vec<String>,
}

/// CPU p95 and lowest free storage of the DB instances behind an endpoint, inside
/// `windows`, with at least `min_points` datapoints each.
fn db_health(
    input: &Input<'_>,
    e: &Endpoint,
    windows: &[(i64, i64)],
    min_points: usize,
) -> Vec<DbHealth> {
    let clustered = input.rds_cluster(e).is_some();
    input
        .db_instances(e)
        .into_iter()
        .map(|db| {
            let ids = [db.identifier.as_str()];
            let cpu = input.series(
                &db.region,
                "AWS/RDS",
                "CPUUtilization",
                "DBInstanceIdentifier",
                &ids,
            );
            let free = input.series(
                &db.region,
                "AWS/RDS",
                "FreeStorageSpace",
                "DBInstanceIdentifier",
                &ids,
            );
            let cpu_values = cpu.map(|s| in_windows(s, windows)).unwrap_or_default();
            let free_values = free.map(|s| in_windows(s, windows)).unwrap_or_default();
            // Aurora storage grows with the data: free space says nothing of sizing.
            let free_pct = match db.allocated_storage_gb {
                Some(a) if a > 1 && !clustered && free_values.len() >= min_points => Some(
                    100.0 * free_values.iter().copied().fold(f64::INFINITY, f64::min)
                        / (f64::from(a) * GIB),
                ),
                _ => None,
            };
            DbHealth {
                id: db.identifier.clone(),
                cpu_p95: (cpu_values.len() >= min_points)
                    .then(|| percentile(&cpu_values, 95.0))
                    .flatten(),
                cpu_points: cpu_values.len(),
                free_pct,
                sources: cpu
                    .iter()
                    .chain(free.iter())
                    .flat_map(|s| s.sources.clone())
                    .collect(),
            }
        })
        .collect()
}

pub fn target_sizing(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let max_cpu = item.params.number("max_p95_cpu_percent");
    let min_free = item.params.number("min_free_storage_percent");
    let min_points = item.params.number("min_datapoints") as usize;
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut bad = false;
    let mut measured = 0;
    let mut short = Vec::new();
    let mut seen = BTreeSet::new();
    for target in input.migrations.iter().filter_map(|m| m.target) {
        if !seen.insert(target.arn.as_str()) {
            continue;
        }
        let windows = match input.windows(|m| m.target.is_some_and(|t| t.arn == target.arn)) {
            Ok(w) => w,
            Err(unknown) => {
                short.push(format!(
                    "{} (the window of {} is unknown)",
                    target.identifier,
                    unknown.join(", ")
                ));
                continue;
            }
        };
        let cluster = input.rds_cluster(target);
        for h in db_health(input, target, &windows, min_points) {
            let Some(cpu) = h.cpu_p95 else {
                // A cluster's reader without metrics does not hide its writer's load.
                if cluster.is_some_and(|c| !c.writers.is_empty() && !c.writers.contains(&h.id)) {
                    continue;
                }
                short.push(format!(
                    "{} ({} CPU datapoint(s) in the migration window, {min_points} needed)",
                    h.id, h.cpu_points
                ));
                continue;
            };
            measured += 1;
            bad |= cpu >= max_cpu || h.free_pct.is_some_and(|p| p < min_free);
            parts.push(format!(
                "{}: p95 CPU {cpu:.1} % over {} datapoint(s) in the migration window, lowest free storage {}",
                h.id,
                h.cpu_points,
                h.free_pct
                    .map_or("n/a (Aurora storage grows)".into(), |p| format!("{p:.0} %"))
            ));
            f = f.cite(format!("metrics/AWS/RDS/{}", h.id), &h.sources);
        }
    }
    parts.sort();
    parts.dedup();
    if bad {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "target saturated during the migration: {}",
                parts.join("; ")
            ),
            ..f
        };
    }
    if measured == 0 || !short.is_empty() {
        let gap = input.gap_paren(&["cloudwatch:GetMetricData", "rds:DescribeDBInstances"]);
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{}{}the target's load during the migration is not on record{}{gap}",
                parts.join("; "),
                if parts.is_empty() { "" } else { "; " },
                if short.is_empty() {
                    " (no RDS/Aurora target, or metrics expired)".to_string()
                } else {
                    format!(" for {}", short.join(", "))
                }
            ),
            ..f
        };
    }
    Finding {
        reason: format!(
            "{}; limits p95 CPU < {max_cpu} %, free storage >= {min_free} %",
            parts.join("; ")
        ),
        ..f
    }
}

pub fn source_load(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let max_cpu = item.params.number("max_p95_cpu_percent");
    let min_points = item.params.number("min_datapoints") as usize;
    let mut f = Finding::new(Verdict::Met, "");
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut unmeasured = Vec::new();
    let mut seen = BTreeSet::new();
    for source in input.migrations.iter().filter_map(|m| m.source) {
        if !seen.insert(source.arn.as_str()) {
            continue;
        }
        f = f.cite(format!("endpoints/{}", source.arn), &source.sources);
        if let Some(db) = input.rds_instance(source)
            && let Some(primary) = db.read_replica_source.as_deref()
        {
            good.push(format!(
                "{} reads replica {} of {primary}",
                source.identifier, db.identifier
            ));
            continue;
        }
        let reader = reader_settings(source);
        if !reader.is_empty() {
            good.push(format!("{} uses {}", source.identifier, reader.join(", ")));
            continue;
        }
        let health = match input.windows(|m| m.source.is_some_and(|s| s.arn == source.arn)) {
            Ok(windows) => db_health(input, source, &windows, min_points),
            Err(_) => Vec::new(),
        };
        if let Some(h) = health
            .iter()
            .filter(|h| h.cpu_p95.is_some())
            .max_by(|a, b| {
                a.cpu_p95
                    .unwrap_or(0.0)
                    .total_cmp(&b.cpu_p95.unwrap_or(0.0))
            })
        {
            let cpu = h.cpu_p95.unwrap_or_default();
            let text = format!(
                "{}: source {} p95 CPU {cpu:.1} % in the migration window",
                source.identifier, h.id
            );
            if cpu < max_cpu {
                good.push(text)
            } else {
                bad.push(text)
            }
            continue;
        }
        unmeasured.push(format!(
            "{} ({})",
            source.identifier,
            source.host.kind.as_str()
        ));
    }
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("{} (limit {max_cpu} %)", bad.join("; ")),
            ..f
        };
    }
    if !good.is_empty() {
        return Finding {
            reason: good.join("; "),
            ..f
        };
    }
    let technical = Finding {
        verdict: Verdict::Met,
        reason: format!(
            "source(s) {} show no read replica, reader settings or CPU metrics in the migration window",
            unmeasured.join(", ")
        ),
        ..f
    };
    match with_statement(input, item, technical) {
        x if x.verdict == Verdict::Attested => x,
        x => Finding {
            verdict: Verdict::InsufficientEvidence,
            ..x
        },
    }
}

/// Endpoint settings that read the source with less load (DMS User Guide, "Using an
/// Oracle database as a source": Binary Reader, standby reads; "Using a Microsoft SQL
/// Server database as a source": ReadBackupOnly).
fn reader_settings(e: &Endpoint) -> Vec<String> {
    let mut out = Vec::new();
    let get =
        |settings: &str, key: &str| e.settings.get(settings).and_then(|s| s.get(key)).cloned();
    if get("OracleSettings", "UseLogminerReader") == Some(serde_json::Value::Bool(false))
        || get("OracleSettings", "UseBFile") == Some(serde_json::Value::Bool(true))
    {
        out.push("Oracle Binary Reader".to_string());
    }
    if get("OracleSettings", "UseAlternateFolderForOnline") == Some(serde_json::Value::Bool(true))
        || get("OracleSettings", "StandbyDelayTime")
            .and_then(|v| v.as_i64())
            .is_some_and(|n| n > 0)
    {
        out.push("Oracle standby/alternate reads".to_string());
    }
    if get("MicrosoftSQLServerSettings", "ReadBackupOnly") == Some(serde_json::Value::Bool(true)) {
        out.push("SQL Server ReadBackupOnly".to_string());
    }
    out
}
