//! `target_sizing`: dms.1.0.mig.target-sizing, "Sizing a target instance".

use super::{HealthParams, db_health};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Tally, no_migrations};
use crate::facts::Endpoint;
use std::collections::BTreeSet;

/// The `target_sizing` rule.
pub struct TargetSizing;

impl Check for TargetSizing {
    const NAME: &'static str = "target_sizing";
    const REMEDIATION: &'static str = "Size the target so that its p95 CPU stays below 90 % and free storage above 10 % during the migration.";
    const DOC: RuleDoc = RuleDoc {
        met: "the target's CPU p95 below {max_p95_cpu_percent} % (and free storage above {min_free_storage_percent} % for RDS) from ≥ {min_datapoints} hourly points inside the windows of the migrations that moved data; targets only runs that moved no data wrote to count only against",
        checked: "The RDS/Aurora targets did not saturate: p95 CPU below the limit, free storage above the floor (RDS).",
        evidence: "AWS/RDS CPUUtilization, FreeStorageSpace of the target (Aurora: cluster members)",
        verdicts: "met / not_met; insufficient_evidence without the target's CPU, or, for an RDS instance outside a cluster, without its free storage (FreeStorageSpace points and AllocatedStorage)",
        after_deletion: "the target's AWS/RDS CPUUtilization and FreeStorageSpace for 455 days, while the database exists",
    };
    const STATEMENTS: bool = true;
    type Params = HealthParams;

    fn run(input: &Input<'_>, _item: &Item, p: &HealthParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut t = Tally::new();
        let mut seen = BTreeSet::new();
        // Targets of every migration: those only migrations that moved no data wrote to
        // count only against (their windows are unknown, so never judged well sized).
        for m in input.every_migration() {
            match m.target.as_deref() {
                Some(target) if seen.insert(target.arn.as_str()) => judge(input, target, p, &mut t),
                Some(_) => {}
                None => t.unknown.extend(m.unknown_endpoint("target")),
            }
        }
        let (max_cpu, min_free) = (
            p.max_p95_cpu_percent.get(),
            p.min_free_storage_percent.get(),
        );
        if t.bad.is_empty() && t.unknown.is_empty() && t.good.is_empty() {
            let gap = input.gap_paren(&["cloudwatch:GetMetricData", "rds:DescribeDBInstances"]);
            t.unknown.push(format!(
                "the target's load during the migration is not on record (no RDS/Aurora target, or metrics \
                 expired){gap}"
            ));
        }
        if !t.bad.is_empty() {
            let bad = t.bad.join("; ");
            return Finding {
                reason: format!("target saturated during the migration: {bad}"),
                ..t.conclude("; ", "")
            };
        }
        let limits = format!("; limits p95 CPU < {max_cpu} %, free storage >= {min_free} %");
        t.conclude("; ", &limits)
    }
}

/// Each database instance of one target, in the windows of the migrations into it.
fn judge(input: &Input<'_>, target: &Endpoint, p: &HealthParams, t: &mut Tally) {
    let min_points = p.min_datapoints.get() as usize;
    let windows = match input.windows(|m| m.target.as_deref().is_some_and(|t| t.arn == target.arn))
    {
        Ok(w) => w,
        Err(unknown) => {
            t.unknown.push(format!(
                "{}: the target's load during the migration is not on record (the window of {} is unknown)",
                target.identifier,
                unknown.join(", ")
            ));
            return;
        }
    };
    let cluster = input.rds_cluster(target);
    for h in db_health(input, target, &windows, min_points) {
        let Some(cpu) = h.cpu_p95 else {
            // A cluster's reader without metrics does not hide its writer's load.
            let reader =
                cluster.is_some_and(|c| !c.writers.is_empty() && !c.writers.contains(&h.id));
            if !reader {
                t.unknown.push(format!(
                    "{}: the target's load during the migration is not on record ({} CPU datapoint(s) in the \
                     migration window, {min_points} needed)",
                    h.id, h.cpu_points
                ));
            }
            continue;
        };
        // A saturated CPU is saturated whatever the storage shows.
        if let Some(why) = h
            .free_unknown
            .as_ref()
            .filter(|_| cpu < p.max_p95_cpu_percent.get())
        {
            t.unknown.push(format!(
                "{}: p95 CPU {cpu:.1} %, but its free storage during the migration is not on record ({why})",
                h.id
            ));
            continue;
        }
        let low_storage = h
            .free_pct
            .is_some_and(|f| f < p.min_free_storage_percent.get());
        let saturated = cpu >= p.max_p95_cpu_percent.get() || low_storage;
        let free = h
            .free_pct
            .map_or("n/a (Aurora storage grows)".into(), |f| format!("{f:.0} %"));
        let text = format!(
            "{}: p95 CPU {cpu:.1} % over {} datapoint(s) in the migration window, lowest free storage {free}",
            h.id, h.cpu_points
        );
        t.cite(format!("metrics/AWS/RDS/{}", h.id), &h.sources);
        if saturated {
            t.bad.push(text);
        } else {
            t.good.push(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// An RDS target (100 GiB) with 4 hourly CPU points at 30 % in the run: (its
    /// FreeStorageSpace points, verdict). Free storage decides for RDS outside a cluster.
    #[test]
    fn an_rds_target_s_free_storage_must_be_on_record() {
        let cpu = series(
            "AWS/RDS",
            "CPUUtilization",
            "DBInstanceIdentifier",
            "db",
            &[30.0; 4],
        );
        let unknown = Verdict::InsufficientEvidence;
        for (free, want) in [
            (Some(50.0 * GIB), Verdict::Met),
            (Some(5.0 * GIB), Verdict::NotMet),
            (None, unknown),
        ] {
            let mut ev = migration();
            ev.facts.metrics = vec![cpu.clone()];
            if let Some(free) = free {
                let name = "FreeStorageSpace";
                let s = series("AWS/RDS", name, "DBInstanceIdentifier", "db", &[free; 4]);
                ev.facts.metrics.push(s);
            }
            let f = run(&ev, "dms.1.0.mig.target-sizing");
            assert_eq!(f.verdict, want, "{free:?}: {}", f.reason);
            if want == unknown {
                assert!(
                    f.reason
                        .contains("free storage during the migration is not on record")
                );
            }
        }
        // A saturated CPU is not_met whatever the storage shows.
        let mut ev = migration();
        let hot = [95.0; 4];
        ev.facts.metrics = vec![series(
            "AWS/RDS",
            "CPUUtilization",
            "DBInstanceIdentifier",
            "db",
            &hot,
        )];
        let f = run(&ev, "dms.1.0.mig.target-sizing");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    }
}
