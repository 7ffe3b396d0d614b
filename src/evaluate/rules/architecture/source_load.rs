//! `source_load`: dms.1.0.mig.source-load, "Reducing load on the source database so as not to impact production usage".

use serde::Deserialize;

use super::{db_health, reader_settings};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Tally, Verdict, no_migrations, params::Percent,
    params::Positive, with_statement,
};
use crate::facts::Endpoint;
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
    const DOC: RuleDoc = RuleDoc {
        met: "the source is a read replica, uses reader settings (Oracle Binary Reader, SQL Server ReadBackupOnly), or its CPU p95 stayed below {max_p95_cpu_percent} % inside the windows; otherwise {statements} (attested)",
        checked: "The source is a read replica, is read with low-impact reader settings (Oracle Binary Reader, SQL Server ReadBackupOnly), or its p95 CPU stayed below the limit.",
        evidence: "RDS ReadReplicaSourceDBInstanceIdentifier, endpoint settings, AWS/RDS CPUUtilization",
        verdicts: "met / not_met; attested for external sources with a statement, else insufficient_evidence",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let max_cpu = p.max_p95_cpu_percent.get();
        let mut t = Tally::new();
        let mut seen = BTreeSet::new();
        for source in input.migrations.iter().filter_map(|m| m.source.as_deref()) {
            if seen.insert(source.arn.as_str()) {
                t.cite(format!("endpoints/{}", source.arn), &source.sources);
                judge(input, source, p, &mut t);
            }
        }
        if !t.bad.is_empty() {
            let reason = format!("{} (limit {max_cpu} %)", t.bad.join("; "));
            return Finding {
                verdict: Verdict::NotMet,
                reason,
                ..t.finding
            };
        }
        if !t.good.is_empty() {
            return Finding {
                reason: t.good.join("; "),
                ..t.finding
            };
        }
        let technical = Finding {
            verdict: Verdict::Met,
            reason: format!(
                "source(s) {} show no read replica, reader settings or CPU metrics in the migration window",
                t.unknown.join(", ")
            ),
            ..t.finding
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

/// One source: a read replica, reader settings, or its CPU in the migration windows.
fn judge(input: &Input<'_>, source: &Endpoint, p: &Params, t: &mut Tally) {
    let id = &source.identifier;
    if let Some(db) = input.rds_instance(source)
        && let Some(primary) = db.read_replica_source.as_deref()
    {
        t.good
            .push(format!("{id} reads replica {} of {primary}", db.identifier));
        return;
    }
    let reader = reader_settings(source);
    if !reader.is_empty() {
        t.good.push(format!("{id} uses {}", reader.join(", ")));
        return;
    }
    let min_points = p.min_datapoints.get() as usize;
    let health = match input.windows(|m| m.source.as_deref().is_some_and(|s| s.arn == source.arn)) {
        Ok(windows) => db_health(input, source, &windows, min_points),
        Err(_) => Vec::new(),
    };
    let busiest = health
        .iter()
        .filter_map(|h| h.cpu_p95.map(|cpu| (cpu, h)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match busiest {
        Some((cpu, h)) => {
            let text = format!(
                "{id}: source {} p95 CPU {cpu:.1} % in the migration window",
                h.id
            );
            if cpu < p.max_p95_cpu_percent.get() {
                t.good.push(text)
            } else {
                t.bad.push(text)
            }
        }
        None => t
            .unknown
            .push(format!("{id} ({})", source.host.kind.as_str())),
    }
}
