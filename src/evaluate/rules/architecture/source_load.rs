//! `source_load`: dms.1.0.mig.source-load, "Reducing load on the source database so as not to impact production usage".

use serde::Deserialize;

use super::{db_health, reader_settings};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::Percent, params::Positive,
    with_statement,
};
use std::collections::BTreeSet;

/// The `source_load` rule.
pub struct SourceLoad;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_p95_cpu_percent: Percent,
    pub min_datapoints: Positive,
}

impl Check for SourceLoad {
    const NAME: &'static str = "source_load";
    const REMEDIATION: &'static str = "Read from a replica or standby, use reader settings (Oracle Binary Reader, SQL Server backups), or show the source's CPU stayed low.";
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let max_cpu = p.max_p95_cpu_percent.get();
        let min_points = p.min_datapoints.get() as usize;
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
}
