//! `observed_read_write`: 2 items (dms.2.2.read-pct, dms.2.2.write-pct).

use serde::Deserialize;

use super::observed_or_anticipated;
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Measure,
};

/// The `observed_read_write` rule.
pub struct ObservedReadWrite;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub measure: Measure,
}

impl Check for ObservedReadWrite {
    const NAME: &'static str = "observed_read_write";
    const REMEDIATION: &'static str = "Give the anticipated read/write percentages (statements.anticipated_read_pct / anticipated_write_pct).";
    const DOC: RuleDoc = RuleDoc {
        met: "the {measure} share of a migrated RDS/Aurora target's throughput at its peak hour; else {statements} (attested)",
        checked: "Read or write share at the peak hour: Aurora SelectThroughput vs DMLThroughput, RDS ReadIOPS vs WriteIOPS.",
        evidence: "AWS/RDS throughput series",
        verdicts: "met when observed; attested with an anticipated figure only; insufficient_evidence",
        after_deletion: "the target database's AWS/RDS series for 455 days, while the database exists (or its identifier is named by the endpoint as it ran)",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let read = p.measure != Measure::Write;
        let mut observed = None;
        for t in input.migrations.iter().filter_map(|m| m.target.as_deref()) {
            let (pairs, r) = match (input.rds_cluster(t), input.rds_instance(t)) {
                (Some(c), _) => (
                    ("SelectThroughput", "DMLThroughput", "DBClusterIdentifier"),
                    c.identifier.clone(),
                ),
                (None, Some(d)) => (
                    ("ReadIOPS", "WriteIOPS", "DBInstanceIdentifier"),
                    d.identifier.clone(),
                ),
                _ => continue,
            };
            let r = r.as_str();
            let (Some(rs), Some(ws)) = (
                input.series(&t.region, "AWS/RDS", pairs.0, pairs.2, &[r]),
                input.series(&t.region, "AWS/RDS", pairs.1, pairs.2, &[r]),
            ) else {
                continue;
            };
            // The peak hour: the hour with the most operations of both kinds.
            let writes: std::collections::BTreeMap<crate::facts::Timestamp, f64> = ws
                .timestamps
                .iter()
                .copied()
                .zip(ws.values.iter().copied())
                .collect();
            let peak = rs
                .timestamps
                .iter()
                .zip(rs.values.iter())
                .filter_map(|(t, r)| writes.get(t).map(|w| (*t, *r, *w)))
                .max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)));
            if let Some((t, rv, wv)) = peak.filter(|p| p.1 + p.2 > 0.0) {
                let pct = 100.0 * if read { rv } else { wv } / (rv + wv);
                let hour = t.to_string();
                observed = Some(
                    Finding::new(
                        Verdict::Met,
                        format!(
                            "observed {pct:.0} % {} at the peak hour {hour} on {r} ({} {rv:.0}/s, {} {wv:.0}/s)",
                            if read { "reads" } else { "writes" },
                            pairs.0,
                            pairs.1
                        ),
                    )
                    .value("percent", (pct * 10.0).round() / 10.0)
                    .value("peak_hour", hour)
                    .cite(format!("metrics/AWS/RDS/{}/{r}", pairs.0), &rs.sources)
                    .cite(format!("metrics/AWS/RDS/{}/{r}", pairs.1), &ws.sources),
                );
                break;
            }
        }
        observed_or_anticipated(
            input,
            item,
            observed,
            "no read/write throughput metrics for any RDS/Aurora target".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn read_write_share_at_the_peak_hour() {
        let mut ev = migration();
        ev.facts.metrics = vec![
            series(
                "AWS/RDS",
                "ReadIOPS",
                "DBInstanceIdentifier",
                "db",
                &[100.0, 300.0, 50.0],
            ),
            series(
                "AWS/RDS",
                "WriteIOPS",
                "DBInstanceIdentifier",
                "db",
                &[100.0, 100.0, 50.0],
            ),
        ];
        let read = run(&ev, "dms.2.2.read-pct");
        let write = run(&ev, "dms.2.2.write-pct");
        assert_eq!((read.verdict, write.verdict), (Verdict::Met, Verdict::Met));
        assert_eq!(
            (
                read.values["percent"].as_f64(),
                write.values["percent"].as_f64()
            ),
            (Some(75.0), Some(25.0))
        );
        ev.facts.metrics.clear();
        assert_eq!(
            run(&ev, "dms.2.2.read-pct").verdict,
            Verdict::InsufficientEvidence
        );
        ev.case_study
            .case_study
            .statements
            .insert("anticipated_read_pct".into(), "80 %".into());
        assert_eq!(run(&ev, "dms.2.2.read-pct").verdict, Verdict::Attested);
    }
}
