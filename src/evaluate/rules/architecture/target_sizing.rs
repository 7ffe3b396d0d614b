//! `target_sizing`: dms.1.0.mig.target-sizing, "Sizing a target instance".

use super::{HealthParams, db_health};
use crate::evaluate::rules::{Check, Finding, Input, Item, Verdict, no_migrations};
use std::collections::BTreeSet;

/// The `target_sizing` rule.
pub struct TargetSizing;

impl Check for TargetSizing {
    const NAME: &'static str = "target_sizing";
    const REMEDIATION: &'static str = "Size the target so that its p95 CPU stays below 90 % and free storage above 10 % during the migration.";
    const STATEMENTS: bool = true;
    type Params = HealthParams;

    fn run(input: &Input<'_>, _item: &Item, p: &HealthParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let max_cpu = p.max_p95_cpu_percent.get();
        let min_free = p.min_free_storage_percent.get();
        let min_points = p.min_datapoints.get() as usize;
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
                    if cluster.is_some_and(|c| !c.writers.is_empty() && !c.writers.contains(&h.id))
                    {
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
}
