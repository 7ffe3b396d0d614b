//! `replication_instance_health`: dms.1.0.arch.ri, "Understanding of AWS DMS architecture: replication instances".

use super::{HealthParams, every_instance, only_serverless, orphan_tasks, used_instances};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Tally, no_migrations};
use crate::evaluate::view::{GIB, in_windows, percentile};
use crate::facts::ReplicationInstance;

/// The `replication_instance_health` rule.
pub struct ReplicationInstanceHealth;

impl Check for ReplicationInstanceHealth {
    const NAME: &'static str = "replication_instance_health";
    const REMEDIATION: &'static str = "Size the replication instance so that p95 CPU stays below 90 % and free storage above 10 %.";
    const DOC: RuleDoc = RuleDoc {
        met: "CPU p95 below {max_p95_cpu_percent} % and free storage above {min_free_storage_percent} % on each instance of a migration that moved data, from ≥ {min_datapoints} hourly points inside the runs' windows; every migration on the instance dated (an instance only runs that moved no data used counts only against)",
        checked: "The replication instances used by tasks did not saturate: p95 of hourly CPU below the limit and free storage never below the floor.",
        evidence: "AWS/DMS CPUUtilization (Average), FreeStorageSpace (Minimum), AllocatedStorage",
        verdicts: "met / not_met; insufficient_evidence when metrics are missing; not_applicable for serverless only",
        after_deletion: "the instance's AWS/DMS series for 455 days, named from {trail}",
    };
    type Params = HealthParams;

    fn run(input: &Input<'_>, _item: &Item, p: &HealthParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        if let Some(f) = orphan_tasks(input) {
            return f;
        }
        if used_instances(input).is_empty() {
            return only_serverless(input, "AWS sizes their capacity");
        }
        // Every instance, also those only migrations that moved no data used: they count
        // only against (their windows are unknown, so they are never judged healthy).
        let mut t = Tally::new();
        for inst in every_instance(input) {
            instance(input, inst, p, &mut t);
        }
        let (max_cpu, min_free) = (
            p.max_p95_cpu_percent.get(),
            p.min_free_storage_percent.get(),
        );
        let limits = format!("; limits: p95 CPU < {max_cpu} %, free storage >= {min_free} %");
        if t.bad.is_empty() && !t.unknown.is_empty() {
            let gap = input.gap_paren(&["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"]);
            return t.conclude("; ", &format!("{gap}: expired or never collected"));
        }
        t.conclude("; ", &limits)
    }
}

/// One instance's load in its migration windows: bad when it saturated, unknown when
/// its metrics or windows are not on record, good otherwise.
fn instance(input: &Input<'_>, inst: &ReplicationInstance, p: &HealthParams, t: &mut Tally) {
    t.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
    let class = inst.class.as_deref().unwrap_or("?");
    let mut text = format!("{} ({class})", inst.identifier);
    let mut load = Load::default();
    match input.windows(|m| m.instance.is_some_and(|i| i.arn == inst.arn)) {
        Ok(windows) => {
            text.push_str(&load.cpu(input, inst, p, &windows, t));
            text.push_str(&load.free_storage(input, inst, p, &windows, t));
        }
        Err(unknown) => {
            load.missing
                .push(format!("the window of {} is unknown", unknown.join(", ")));
            text.push_str(": load not judged");
        }
    }
    if load.failed {
        t.bad.push(text);
    } else if !load.missing.is_empty() {
        t.unknown.push(format!(
            "{text}; not enough metrics: {}",
            load.missing.join(", ")
        ));
    } else {
        t.good.push(text);
    }
}

/// What one instance's metrics show: saturated, and what is missing.
#[derive(Default)]
struct Load {
    failed: bool,
    missing: Vec<String>,
}

impl Load {
    /// p95 CPUUtilization inside the windows.
    fn cpu(
        &mut self,
        input: &Input<'_>,
        inst: &ReplicationInstance,
        p: &HealthParams,
        windows: &[crate::time::Span],
        t: &mut Tally,
    ) -> String {
        let min_points = p.min_datapoints.get() as usize;
        let cpu = input.instance_series("CPUUtilization", inst);
        match cpu.map(|s| (s, in_windows(s, windows))) {
            Some((s, values)) if values.len() >= min_points => {
                let p95 = percentile(&values, 95.0).unwrap_or_default();
                self.failed |= p95 >= p.max_p95_cpu_percent.get();
                let id = &inst.identifier;
                let p95_rounded = (p95 * 10.0).round() / 10.0;
                t.finding
                    .values
                    .insert(format!("{id}.p95_cpu_percent"), p95_rounded.into());
                t.cite(format!("metrics/AWS/DMS/CPUUtilization/{id}"), &s.sources);
                format!(
                    ": p95 CPU {p95:.1} % over {} datapoint(s) in the migration window",
                    values.len()
                )
            }
            found => {
                self.missing.push(format!(
                    "CPUUtilization ({} datapoint(s) in the window, {min_points} needed)",
                    found.map_or(0, |(_, v)| v.len())
                ));
                ": CPU not on record in the migration window".into()
            }
        }
    }

    /// The lowest FreeStorageSpace inside the windows, as a share of the allocation.
    fn free_storage(
        &mut self,
        input: &Input<'_>,
        inst: &ReplicationInstance,
        p: &HealthParams,
        windows: &[crate::time::Span],
        t: &mut Tally,
    ) -> String {
        let min_points = p.min_datapoints.get() as usize;
        let allocated = f64::from(inst.allocated_storage_gb.unwrap_or(0)) * GIB;
        let free = input.instance_series("FreeStorageSpace", inst);
        match free.map(|s| (s, in_windows(s, windows))) {
            Some((s, values)) if allocated > 0.0 && values.len() >= min_points => {
                let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
                let free_pct = (100.0 * lowest / allocated).min(100.0);
                self.failed |= free_pct < p.min_free_storage_percent.get();
                let id = &inst.identifier;
                let rounded = (free_pct * 10.0).round() / 10.0;
                t.finding
                    .values
                    .insert(format!("{id}.min_free_storage_percent"), rounded.into());
                t.cite(format!("metrics/AWS/DMS/FreeStorageSpace/{id}"), &s.sources);
                format!(", lowest free storage {free_pct:.0} %")
            }
            _ => {
                self.missing.push("FreeStorageSpace".into());
                ", free storage not on record in the migration window".into()
            }
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
            s.timestamps = (0..20)
                .map(|h| Timestamp::from_secs(1_790_000_000) + time::Duration::hours(h))
                .collect();
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
