//! `replication_instance_health`: dms.1.0.arch.ri, "Understanding of AWS DMS architecture: replication instances".

use super::{HealthParams, only_serverless, orphan_tasks, used_instances};
use crate::evaluate::rules::{Check, Finding, Input, Item, Verdict, no_migrations};
use crate::evaluate::view::{GIB, in_windows, percentile};

/// The `replication_instance_health` rule.
pub struct ReplicationInstanceHealth;

impl Check for ReplicationInstanceHealth {
    const NAME: &'static str = "replication_instance_health";
    const REMEDIATION: &'static str = "Size the replication instance so that p95 CPU stays below 90 % and free storage above 10 %.";
    type Params = HealthParams;

    fn run(input: &Input<'_>, _item: &Item, p: &HealthParams) -> Finding {
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
        let max_cpu = p.max_p95_cpu_percent.get();
        let min_free = p.min_free_storage_percent.get();
        let min_points = p.min_datapoints.get() as usize;
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
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

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
}
