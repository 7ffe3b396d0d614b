//! Architecture and sizing: database size, TB+ databases, DMS limits, replication
//! instance health and engine versions, endpoint tuning, public vs private
//! instances, performance tuning, target sizing and load on the source.

use std::collections::BTreeSet;

use super::{Finding, Input, Item, Verdict, no_migrations, with_statement};
use crate::evaluate::view::{GIB, gb, percentile};
use crate::facts::HostKind;

pub fn database_size(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let min = item.params.number("min_bytes");
    match input.largest_size() {
        Some((bytes, s)) => {
            let verdict = if bytes >= min {
                Verdict::Met
            } else {
                Verdict::NotMet
            };
            Finding::new(
                verdict,
                format!(
                    "largest measured size {} ({}), threshold {}",
                    gb(bytes),
                    s.basis,
                    gb(min)
                ),
            )
            .value("size_bytes", bytes)
            .value("threshold_bytes", min)
            .cite(s.pointer, &s.sources)
        }
        None => {
            let rows: i64 = input
                .migrations
                .iter()
                .filter_map(|m| m.tables)
                .flatten()
                .map(|r| r.full_load_rows)
                .sum();
            let allocated: Vec<String> = input
                .migrations
                .iter()
                .filter_map(|m| m.target?.host.resource.as_deref())
                .filter_map(|r| input.rds_instance(r))
                .filter_map(|d| {
                    d.allocated_storage_gb
                        .map(|g| format!("{} {g} GiB allocated", d.identifier))
                })
                .collect();
            let gap = input.gap_note(&[
                "cloudwatch:GetMetricData",
                "rds:DescribeDBInstances",
                "rds:DescribeDBClusters",
            ]);
            Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "no measured database size (Aurora VolumeBytesUsed or RDS used storage) for any migration target{}{}; \
                     {rows} rows were fully loaded{}",
                    if allocated.is_empty() { String::new() } else { format!(" ({}: capacity is not data)", allocated.join(", ")) },
                    gap.map(|g| format!("; {g}")).unwrap_or_default(),
                    ""
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
    let Some((bytes, s)) = input.largest_size() else {
        return Finding::new(
            Verdict::InsufficientEvidence,
            "the database size is not measured, so whether it is TB+ is unknown",
        );
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
    for m in &input.migrations {
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
            "{} quotas within their maximum (highest {}), task settings within documented limits",
            quotas.len(),
            highest.map_or("-".into(), |q| format!("{} {}/{}", q.name, q.used, q.max))
        ),
        ..f
    };
    with_statement(input, item, technical)
}

pub fn replication_instance_health(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let used: BTreeSet<&str> = input
        .migrations
        .iter()
        .filter_map(|m| m.instance.map(|i| i.arn.as_str()))
        .collect();
    if used.is_empty() {
        return Finding::new(
            Verdict::NotApplicable,
            "only DMS Serverless replications: AWS sizes their capacity",
        );
    }
    let max_cpu = item.params.number("max_p95_cpu_percent");
    let min_free = item.params.number("min_free_storage_percent");
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut failed = false;
    let mut missing: Vec<String> = Vec::new();
    for inst in input
        .facts
        .replication_instances
        .iter()
        .filter(|i| used.contains(i.arn.as_str()))
    {
        let cpu = input.instance_series("CPUUtilization", &inst.identifier);
        let free = input.instance_series("FreeStorageSpace", &inst.identifier);
        if cpu.is_none() && free.is_none() {
            missing.push(inst.identifier.clone());
            continue;
        }
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        let mut text = format!(
            "{} ({})",
            inst.identifier,
            inst.class.as_deref().unwrap_or("?")
        );
        match cpu {
            Some(cpu) => {
                let p95 = percentile(&cpu.values, 95.0).unwrap_or_default();
                failed |= p95 >= max_cpu;
                text.push_str(&format!(": p95 CPU {p95:.1} % over {} h", cpu.values.len()));
                f = f
                    .value(
                        &format!("{}.p95_cpu_percent", inst.identifier),
                        (p95 * 10.0).round() / 10.0,
                    )
                    .cite(
                        format!("metrics/AWS/DMS/CPUUtilization/{}", inst.identifier),
                        &cpu.sources,
                    );
            }
            None => {
                missing.push(format!("{} CPUUtilization", inst.identifier));
                text.push_str(": CPU not on record");
            }
        }
        let allocated = f64::from(inst.allocated_storage_gb.unwrap_or(0)) * GIB;
        match free.filter(|_| allocated > 0.0) {
            Some(free) => {
                let min_bytes = free.values.iter().copied().fold(f64::INFINITY, f64::min);
                let free_pct = (100.0 * min_bytes / allocated).min(100.0);
                failed |= free_pct < min_free;
                text.push_str(&format!(", lowest free storage {free_pct:.0} %"));
                f = f
                    .value(
                        &format!("{}.min_free_storage_percent", inst.identifier),
                        (free_pct * 10.0).round() / 10.0,
                    )
                    .cite(
                        format!("metrics/AWS/DMS/FreeStorageSpace/{}", inst.identifier),
                        &free.sources,
                    );
            }
            None => {
                missing.push(format!("{} FreeStorageSpace", inst.identifier));
                text.push_str(", free storage not on record");
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
        let gap = input
            .gap_note(&["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"])
            .map(|g| format!(" ({g})"))
            .unwrap_or_default();
        let seen = if parts.is_empty() {
            String::new()
        } else {
            format!("{}; ", parts.join("; "))
        };
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{seen}no metrics on record for {}{gap}: expired or never collected",
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

/// Tasks whose replication instance is not in the evidence (deleted, or not read):
/// they cannot be judged, and must not pass as "serverless only".
fn orphan_tasks(input: &Input<'_>) -> Option<Finding> {
    let orphans: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| m.kind == "task" && m.instance.is_none())
        .map(|m| m.id)
        .collect();
    if orphans.is_empty() {
        return None;
    }
    let gap = input
        .gap_note(&["dms:DescribeReplicationInstances"])
        .map(|g| format!(" ({g})"))
        .unwrap_or_default();
    Some(Finding::new(
        Verdict::InsufficientEvidence,
        format!(
            "the replication instance of task(s) {} is not in the evidence{gap}: deleted, or not read",
            orphans.join(", ")
        ),
    ))
}

pub fn engine_versions(input: &Input<'_>, _item: &Item) -> Finding {
    if let Some(f) = orphan_tasks(input) {
        return f;
    }
    let used: Vec<_> = input.migrations.iter().filter_map(|m| m.instance).collect();
    if used.is_empty() {
        return if input.migrations.is_empty() {
            no_migrations(input)
        } else {
            Finding::new(
                Verdict::NotApplicable,
                "only DMS Serverless replications: AWS manages their engine version",
            )
        };
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut verdict = Verdict::Met;
    let mut seen = BTreeSet::new();
    for inst in used {
        if !seen.insert(inst.arn.as_str()) {
            continue;
        }
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        let Some(version) = inst.engine_version.as_deref() else {
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
            verdict = worst(verdict, Verdict::InsufficientEvidence);
            parts.push(format!(
                "{} runs {version}, not listed by DescribeEngineVersions",
                inst.identifier
            ));
            continue;
        };
        f = f.cite(
            format!("engine_versions/{}/{version}", known.region),
            &known.sources,
        );
        let started = input
            .migrations
            .iter()
            .filter(|m| m.instance.is_some_and(|i| i.arn == inst.arn))
            .filter_map(|m| Input::secs(m.created))
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
                .map(|d| format!(", deprecated {}", &d[..10.min(d.len())]))
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

pub fn endpoint_tuning(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut tuned = Vec::new();
    let mut same_az = Vec::new();
    for m in &input.migrations {
        for e in [m.source, m.target].into_iter().flatten() {
            let settings: Vec<&str> = e
                .settings
                .iter()
                .filter(|(_, v)| v.as_object().is_some_and(|o| !o.is_empty()))
                .map(|(k, _)| k.as_str())
                .collect();
            if !settings.is_empty() {
                tuned.push(format!("{} ({})", e.identifier, settings.join(", ")));
                f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
            }
        }
        if let (Some(inst), Some(target)) = (m.instance, m.target) {
            let target_az = target
                .host
                .resource
                .as_deref()
                .and_then(|r| input.rds_instance(r))
                .and_then(|d| d.availability_zone.as_deref());
            if let (Some(a), Some(b)) = (inst.availability_zone.as_deref(), target_az)
                && a == b
            {
                same_az.push(format!(
                    "{} and {} in {a}",
                    inst.identifier, target.identifier
                ));
            }
        }
    }
    tuned.sort();
    tuned.dedup();
    if tuned.is_empty() && same_az.is_empty() {
        return Finding { verdict: Verdict::NotMet, reason: "no engine-specific endpoint settings, and no replication instance in its target's Availability Zone".into(), ..f };
    }
    let mut parts = Vec::new();
    if !tuned.is_empty() {
        parts.push(format!("engine settings on {}", tuned.join(", ")));
    }
    if !same_az.is_empty() {
        parts.push(format!("same Availability Zone: {}", same_az.join(", ")));
    }
    Finding {
        reason: parts.join("; "),
        ..f
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
    let serverless = input
        .migrations
        .iter()
        .filter(|m| m.instance.is_none() && m.kind != "task")
        .count();
    if serverless > 0 {
        parts.push(format!(
            "{serverless} serverless replication(s): private by design"
        ));
    }
    let mut seen = BTreeSet::new();
    for m in input.migrations.iter().filter(|m| m.instance.is_some()) {
        let Some(inst) = m.instance else { continue };
        if !seen.insert(inst.arn.as_str()) {
            continue;
        }
        f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
        let endpoints: Vec<_> = input
            .migrations
            .iter()
            .filter(|x| x.instance.is_some_and(|i| i.arn == inst.arn))
            .flat_map(|x| [x.source, x.target])
            .flatten()
            .collect();
        let outside: Vec<&str> = endpoints
            .iter()
            .filter(|e| matches!(e.host.kind, HostKind::External | HostKind::OtherCloud))
            .map(|e| e.identifier.as_str())
            .collect();
        match inst.publicly_accessible {
            Some(false) => parts.push(format!("{} is private", inst.identifier)),
            Some(true) if !outside.is_empty() => parts.push(format!(
                "{} is public, which endpoint(s) outside AWS ({}) can justify",
                inst.identifier,
                outside.join(", ")
            )),
            Some(true) => {
                verdict = Verdict::NotMet;
                parts.push(format!(
                    "{} is public ({}) although every endpoint it serves is inside AWS",
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
    if parts.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: "the tasks' replication instances were not found (deleted?)".into(),
            ..f
        };
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
    let mut parsed = 0;
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
        let s = m.settings;
        if !s.parsed {
            continue;
        }
        parsed += 1;
        let mut here = Vec::new();
        if let Some(n) = s.max_full_load_sub_tasks.filter(|n| *n != 8) {
            here.push(format!("MaxFullLoadSubTasks {n}"));
        }
        if let Some(n) = s.commit_rate.filter(|n| *n != 10_000) {
            here.push(format!("CommitRate {n}"));
        }
        if let Some(n) = s.parallel_load_threads.filter(|n| *n > 0) {
            here.push(format!("ParallelLoadThreads {n}"));
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
    }
    if parsed == 0 {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: "no task settings could be read".into(),
            ..f
        };
    }
    if tuning.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "all {parsed} migration(s) use default performance settings (MaxFullLoadSubTasks 8, CommitRate 10000, no parallel load, no batch apply)"
            ),
            ..f
        };
    }
    Finding {
        reason: format!("non-default tuning: {}", tuning.join("; ")),
        ..f
    }
}

/// One DB instance's health: id, p95 CPU, lowest free storage (%), capture ids.
struct DbHealth {
    id: String,
    cpu_p95: Option<f64>,
    free_pct: Option<f64>,
    sources: Vec<String>,
}

/// CPU p95 and lowest free storage of the RDS/Aurora instances behind an endpoint.
fn db_health<'a>(input: &Input<'a>, resource: &str) -> Vec<DbHealth> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(c) = input.rds_cluster(resource) {
        ids.extend(c.members.iter().cloned());
    } else {
        ids.push(resource.to_string());
    }
    ids.iter()
        .map(|id| {
            let cpu = input.series("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", &[id]);
            let free = input.series("AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", &[id]);
            let allocated = input
                .rds_instance(id)
                .and_then(|d| d.allocated_storage_gb)
                .map(|g| f64::from(g) * GIB);
            let free_pct = match (free, allocated) {
                (Some(s), Some(a)) if a > 0.0 && input.rds_cluster(resource).is_none() => {
                    Some(100.0 * s.values.iter().copied().fold(f64::INFINITY, f64::min) / a)
                }
                _ => None,
            };
            let sources = cpu
                .iter()
                .chain(free.iter())
                .flat_map(|s| s.sources.clone())
                .collect();
            DbHealth {
                id: id.clone(),
                cpu_p95: cpu.and_then(|s| percentile(&s.values, 95.0)),
                free_pct,
                sources,
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
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    let mut bad = false;
    let mut measured = 0;
    let mut without_cpu = 0;
    for target in input.migrations.iter().filter_map(|m| m.target) {
        let Some(resource) = target.host.resource.as_deref() else {
            continue;
        };
        for DbHealth {
            id,
            cpu_p95: cpu,
            free_pct: free,
            sources,
        } in db_health(input, resource)
        {
            if cpu.is_none() && free.is_none() {
                continue;
            }
            measured += 1;
            without_cpu += usize::from(cpu.is_none());
            bad |= cpu.is_some_and(|c| c >= max_cpu) || free.is_some_and(|p| p < min_free);
            parts.push(format!(
                "{id}: p95 CPU {}, lowest free storage {}",
                cpu.map_or("n/a".into(), |c| format!("{c:.1} %")),
                free.map_or("n/a (Aurora storage grows)".into(), |p| format!("{p:.0} %"))
            ));
            f = f.cite(format!("metrics/AWS/RDS/{id}"), &sources);
        }
    }
    parts.sort();
    parts.dedup();
    if measured == 0 {
        let technical = Finding::new(
            Verdict::InsufficientEvidence,
            "no CPU or storage metrics for any RDS/Aurora target (targets outside RDS, or metrics expired)",
        );
        return technical;
    }
    if bad {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("target saturated: {}", parts.join("; ")),
            ..f
        };
    }
    if without_cpu > 0 {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{}; without the target's CPU the sizing cannot be judged",
                parts.join("; ")
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
    let mut f = Finding::new(Verdict::Met, "");
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut external = Vec::new();
    for source in input.migrations.iter().filter_map(|m| m.source) {
        f = f.cite(format!("endpoints/{}", source.arn), &source.sources);
        if let Some(db) = source
            .host
            .resource
            .as_deref()
            .and_then(|r| input.rds_instance(r))
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
        if let Some(resource) = source.host.resource.as_deref() {
            let health = db_health(input, resource);
            let cpus: Vec<(String, f64)> = health
                .iter()
                .filter_map(|h| h.cpu_p95.map(|c| (h.id.clone(), c)))
                .collect();
            if let Some((id, cpu)) = cpus.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                let text = format!("{}: source {id} p95 CPU {cpu:.1} %", source.identifier);
                if *cpu < max_cpu {
                    good.push(text)
                } else {
                    bad.push(text)
                }
                continue;
            }
        }
        external.push(source.identifier.as_str());
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
            "source(s) {} show no read replica, reader settings or CPU metrics",
            external.join(", ")
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

/// Endpoint settings that read the source with less load (DMS User Guide).
fn reader_settings(e: &crate::facts::Endpoint) -> Vec<String> {
    let mut out = Vec::new();
    let get =
        |settings: &str, key: &str| e.settings.get(settings).and_then(|s| s.get(key)).cloned();
    if get("OracleSettings", "UseLogminerReader") == Some(serde_json::Value::Bool(false))
        || get("OracleSettings", "UseBFile") == Some(serde_json::Value::Bool(true))
    {
        out.push("Oracle Binary Reader".to_string());
    }
    if get("OracleSettings", "UseAlternateFolderForOnline") == Some(serde_json::Value::Bool(true))
        || get("OracleSettings", "StandbyDelayTime").is_some()
    {
        out.push("Oracle standby/alternate reads".to_string());
    }
    if get("MicrosoftSQLServerSettings", "ReadBackupOnly") == Some(serde_json::Value::Bool(true)) {
        out.push("SQL Server ReadBackupOnly".to_string());
    }
    out
}
