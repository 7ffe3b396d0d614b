//! `observed_concurrency`: dms.2.2.concurrency, "Anticipated number of concurrent requests during peak use of the database".

use super::observed_or_anticipated;
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};

/// The `observed_concurrency` rule.
pub struct ObservedConcurrency;

impl Check for ObservedConcurrency {
    const NAME: &'static str = "observed_concurrency";
    const REMEDIATION: &'static str =
        "Give the anticipated peak concurrency (statements.anticipated_concurrency).";
    const DOC: RuleDoc = RuleDoc {
        met: "DatabaseConnections of an RDS/Aurora target of a migration that moved data; else {statements} (attested)",
        checked: "Peak DatabaseConnections (hourly maximum) on the target, beside the anticipated figure.",
        evidence: "AWS/RDS DatabaseConnections",
        verdicts: "met when observed; attested with an anticipated figure only; insufficient_evidence",
        after_deletion: "the target database's DatabaseConnections series for 455 days, while the database exists",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut best: Option<(f64, String, Vec<String>)> = None;
        for t in input.migrations.iter().filter_map(|m| m.target.as_deref()) {
            let (dim, r) = match (input.rds_cluster(t), input.rds_instance(t)) {
                (Some(c), _) => ("DBClusterIdentifier", c.identifier.clone()),
                (None, Some(d)) => ("DBInstanceIdentifier", d.identifier.clone()),
                _ => continue,
            };
            let r = r.as_str();
            if let Some(s) = input.series(&t.region, "AWS/RDS", "DatabaseConnections", dim, &[r]) {
                let peak = s.values.iter().copied().fold(0.0, f64::max);
                if best.as_ref().is_none_or(|b| peak > b.0) {
                    best = Some((peak, r.to_string(), s.sources.clone()));
                }
            }
        }
        let observed = best.map(|(peak, r, sources)| {
            Finding::new(Verdict::Met, format!("observed peak {peak:.0} concurrent connections on {r} (CloudWatch DatabaseConnections, hourly maximum)"))
                .value("peak_connections", peak)
                .cite(format!("metrics/AWS/RDS/DatabaseConnections/{r}"), &sources)
        });
        observed_or_anticipated(
            input,
            item,
            observed,
            "no DatabaseConnections metric for any RDS/Aurora target".into(),
        )
    }
}
