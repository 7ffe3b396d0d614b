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
        verdicts: "met / not_met (met only when every source shows it: a writer's CPU, not a reader's); attested with a statement for sources outside this account's RDS and Aurora, else insufficient_evidence",
        after_deletion: "the source database's AWS/RDS series for 455 days, while the source exists; a statement for a source outside this account's RDS",
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
        // Sources of this account's RDS or Aurora, whose CPU CloudWatch keeps: a statement
        // does not stand in for it.
        let (mut measurable, mut missing) = (Vec::new(), Vec::new());
        for m in &input.migrations {
            let Some(source) = m.source.as_deref() else {
                // Left out (what it connected to then is not on record), or not found.
                let why = m.unknown_endpoint("source");
                missing.push(why.unwrap_or_else(|| format!("{}: source endpoint not found", m.id)));
                continue;
            };
            if seen.insert(source.arn.as_str()) {
                t.cite(format!("endpoints/{}", source.arn), &source.sources);
                if !judge(input, source, p, &mut t) {
                    measurable.push(source.identifier.clone());
                }
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
        if !missing.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "the load on the source is not on record: {}",
                    missing.join("; ")
                ),
                ..t.finding
            };
        }
        if t.unknown.is_empty() {
            return Finding {
                reason: t.good.join("; "),
                ..t.finding
            };
        }
        let good = t.good.iter().map(|g| format!("{g}; ")).collect::<String>();
        let unknown = format!(
            "{good}source(s) {} show no read replica, reader settings or CPU metrics in the migration window",
            t.unknown.join(", ")
        );
        if !measurable.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{unknown}: the CPU of {} is kept by CloudWatch (AWS/RDS CPUUtilization) and not on record",
                    measurable.join(", ")
                ),
                ..t.finding
            };
        }
        let technical = Finding {
            verdict: Verdict::Met,
            reason: unknown,
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
/// `false` when it is this account's RDS or Aurora database and its load is not on record.
fn judge(input: &Input<'_>, source: &Endpoint, p: &Params, t: &mut Tally) -> bool {
    let id = &source.identifier;
    if let Some(db) = input.rds_instance(source)
        && let Some(primary) = db.read_replica_source.as_deref()
    {
        t.good
            .push(format!("{id} reads replica {} of {primary}", db.identifier));
        return true;
    }
    let reader = reader_settings(source);
    if !reader.is_empty() {
        t.good.push(format!("{id} uses {}", reader.join(", ")));
        return true;
    }
    let min_points = p.min_datapoints.get() as usize;
    let health = match input.windows(|m| m.source.as_deref().is_some_and(|s| s.arn == source.arn)) {
        Ok(windows) => db_health(input, source, &windows, min_points),
        Err(_) => Vec::new(),
    };
    // The instances DMS may have read: a cluster's writers (a quiet reader with metrics
    // does not stand in for a writer without), else every instance behind the endpoint.
    let writers = input
        .rds_cluster(source)
        .map(|c| c.writers.clone())
        .unwrap_or_default();
    let read: Vec<_> = health
        .iter()
        .filter(|h| writers.is_empty() || writers.contains(&h.id))
        .collect();
    let busiest = read
        .iter()
        .filter_map(|h| h.cpu_p95.map(|cpu| (cpu, *h)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let all_measured = !read.is_empty() && read.iter().all(|h| h.cpu_p95.is_some());
    match busiest {
        Some((cpu, h)) if cpu >= p.max_p95_cpu_percent.get() => {
            t.bad.push(format!(
                "{id}: source {} p95 CPU {cpu:.1} % in the migration window",
                h.id
            ));
            true
        }
        Some((cpu, h)) if all_measured => {
            t.good.push(format!(
                "{id}: source {} p95 CPU {cpu:.1} % in the migration window",
                h.id
            ));
            true
        }
        _ => {
            t.unknown
                .push(format!("{id} ({})", source.host.kind.as_str()));
            // This account's database: CloudWatch keeps its CPU.
            input.rds_instance(source).is_none() && input.rds_cluster(source).is_none()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    const ITEM: &str = "dms.1.0.mig.source-load";

    fn cpu(id: &str, percent: f64) -> MetricSeries {
        series(
            "AWS/RDS",
            "CPUUtilization",
            "DBInstanceIdentifier",
            id,
            &[percent; 4],
        )
    }

    /// One migration from RDS database `srcdb`: (its CPU p95, a statement, verdict).
    #[test]
    fn an_rds_source_s_cpu_is_not_replaced_by_a_statement() {
        for (percent, statement, want) in [
            (Some(30.0), false, Verdict::Met),
            (Some(90.0), false, Verdict::NotMet),
            (None, false, Verdict::InsufficientEvidence),
            (None, true, Verdict::InsufficientEvidence),
        ] {
            let mut src = endpoint("s", "source", "postgres", HostKind::Rds, None);
            src.host.resource = Some("srcdb".into());
            let mut ev = evidence(
                src,
                endpoint("t", "target", "postgres", HostKind::External, None),
            );
            ev.facts.rds_instances = vec![DbInstance {
                region: "us-east-1".into(),
                identifier: "srcdb".into(),
                ..DbInstance::default()
            }];
            ev.facts.metrics = percent.map(|p| cpu("srcdb", p)).into_iter().collect();
            if statement {
                let statements = &mut ev.case_study.case_study.statements;
                statements.insert("source_load".into(), "read at night".into());
            }
            let f = run(&ev, ITEM);
            assert_eq!(f.verdict, want, "{percent:?} {statement}: {}", f.reason);
        }
    }

    /// An external source's load may be attested; with another source measured, the
    /// unmeasured one still counts.
    #[test]
    fn every_source_must_show_it() {
        let mut ev = migration();
        assert_eq!(run(&ev, ITEM).verdict, Verdict::InsufficientEvidence);
        let statements = &mut ev.case_study.case_study.statements;
        statements.insert("source_load".into(), "read at night".into());
        assert_eq!(run(&ev, ITEM).verdict, Verdict::Attested);
        // A second migration, from an RDS source whose CPU stayed low: the first source's
        // load is still not shown.
        let mut ev = two_migrations(None);
        let mut rds = endpoint("s2", "source", "postgres", HostKind::Rds, None);
        rds.host.resource = Some("srcdb".into());
        ev.facts.tasks[1].source_arn = Some(rds.arn.clone());
        ev.facts.endpoints.push(rds);
        ev.facts.rds_instances.push(DbInstance {
            region: "us-east-1".into(),
            identifier: "srcdb".into(),
            ..DbInstance::default()
        });
        ev.facts.metrics.push(cpu("srcdb", 20.0));
        let f = run(&ev, ITEM);
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
        assert!(
            f.reason.contains("s2: source srcdb p95 CPU 20.0 %"),
            "{}",
            f.reason
        );
    }

    /// An Aurora source is read through its writer: a quiet reader does not stand in.
    #[test]
    fn a_cluster_source_s_writer_decides() {
        for (writer_cpu, want) in [
            (Some(20.0), Verdict::Met),
            (Some(95.0), Verdict::NotMet),
            (None, Verdict::InsufficientEvidence),
        ] {
            let mut src = endpoint("s", "source", "aurora-postgresql", HostKind::Aurora, None);
            src.host.resource = Some("erp".into());
            let mut ev = evidence(
                src,
                endpoint("t", "target", "postgres", HostKind::External, None),
            );
            let member = |id: &str| DbInstance {
                region: "us-east-1".into(),
                identifier: id.into(),
                cluster: Some("erp".into()),
                ..DbInstance::default()
            };
            ev.facts.rds_instances = vec![member("w"), member("r")];
            ev.facts.rds_clusters = vec![DbCluster {
                region: "us-east-1".into(),
                identifier: "erp".into(),
                engine: Some("aurora-postgresql".into()),
                members: vec!["w".into(), "r".into()],
                writers: vec!["w".into()],
                ..DbCluster::default()
            }];
            ev.facts.metrics = vec![cpu("r", 10.0)];
            ev.facts.metrics.extend(writer_cpu.map(|p| cpu("w", p)));
            let f = run(&ev, ITEM);
            assert_eq!(f.verdict, want, "{writer_cpu:?}: {}", f.reason);
        }
    }
}
