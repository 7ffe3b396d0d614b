//! `target_sizing`: dms.1.0.mig.target-sizing, "Sizing a target instance".

use super::{HealthParams, db_health};
use crate::evaluate::rules::{Check, Finding, Input, Item, Verdict, no_migrations};
use crate::facts::Endpoint;
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
        let mut load = Load::default();
        let mut seen = BTreeSet::new();
        for target in input.migrations.iter().filter_map(|m| m.target) {
            if seen.insert(target.arn.as_str()) {
                load.target(input, target, p);
            }
        }
        load.parts.sort();
        load.parts.dedup();
        let parts = load.parts.join("; ");
        if load.saturated {
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!("target saturated during the migration: {parts}"),
                ..load.finding
            };
        }
        if load.measured == 0 || !load.short.is_empty() {
            let gap = input.gap_paren(&["cloudwatch:GetMetricData", "rds:DescribeDBInstances"]);
            let sep = if parts.is_empty() { "" } else { "; " };
            let which = if load.short.is_empty() {
                " (no RDS/Aurora target, or metrics expired)".to_string()
            } else {
                format!(" for {}", load.short.join(", "))
            };
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{parts}{sep}the target's load during the migration is not on record{which}{gap}"
                ),
                ..load.finding
            };
        }
        let (max_cpu, min_free) = (
            p.max_p95_cpu_percent.get(),
            p.min_free_storage_percent.get(),
        );
        Finding {
            reason: format!("{parts}; limits p95 CPU < {max_cpu} %, free storage >= {min_free} %"),
            ..load.finding
        }
    }
}

/// The targets' load inside their migration windows.
struct Load {
    finding: Finding,
    parts: Vec<String>,
    short: Vec<String>,
    measured: usize,
    saturated: bool,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            finding: Finding::new(Verdict::Met, ""),
            parts: Vec::new(),
            short: Vec::new(),
            measured: 0,
            saturated: false,
        }
    }
}

impl Load {
    /// Each database instance of one target, in the windows of the migrations into it.
    fn target(&mut self, input: &Input<'_>, target: &Endpoint, p: &HealthParams) {
        let min_points = p.min_datapoints.get() as usize;
        let windows = match input.windows(|m| m.target.is_some_and(|t| t.arn == target.arn)) {
            Ok(w) => w,
            Err(unknown) => {
                let runs = unknown.join(", ");
                self.short.push(format!(
                    "{} (the window of {runs} is unknown)",
                    target.identifier
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
                    self.short.push(format!(
                        "{} ({} CPU datapoint(s) in the migration window, {min_points} needed)",
                        h.id, h.cpu_points
                    ));
                }
                continue;
            };
            self.measured += 1;
            let low_storage = h
                .free_pct
                .is_some_and(|f| f < p.min_free_storage_percent.get());
            self.saturated |= cpu >= p.max_p95_cpu_percent.get() || low_storage;
            let free = h
                .free_pct
                .map_or("n/a (Aurora storage grows)".into(), |f| format!("{f:.0} %"));
            self.parts.push(format!(
                "{}: p95 CPU {cpu:.1} % over {} datapoint(s) in the migration window, lowest free storage {free}",
                h.id, h.cpu_points
            ));
            self.finding
                .add_citation(format!("metrics/AWS/RDS/{}", h.id), &h.sources);
        }
    }
}
