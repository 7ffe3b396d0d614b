//! `large_database`: dms.1.0.mig.large, "Moving large (TB+) databases".

use serde::Deserialize;

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive, with_statement,
};
use crate::evaluate::view::gb;

/// The `large_database` rule.
pub struct LargeDatabase;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_bytes: Positive,
}

impl Check for LargeDatabase {
    const NAME: &'static str = "large_database";
    const REMEDIATION: &'static str =
        "For TB+ databases, split tables across tasks or use parallel-load table settings.";
    const DOC: RuleDoc = RuleDoc {
        met: "not_applicable below {min_bytes}; at or above, parallel-load rules or tables split across tasks, plus {statements}",
        checked: "Assessed only for TB+ databases: parallel-load rules or tables split across tasks.",
        evidence: "size measurement, table mappings, tasks per source",
        verdicts: "not_applicable below 1 TB; met / not_met; insufficient_evidence without a size",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min = p.min_bytes.get();
        let (bytes, s) = match input.largest_size() {
            Ok(x) => x,
            Err(why) => {
                return Finding::new(
                    Verdict::InsufficientEvidence,
                    format!(
                        "the database size is not measured, so whether it is TB+ is unknown ({})",
                        why.join("; ")
                    ),
                );
            }
        };
        if bytes < min {
            return Finding::new(
                Verdict::NotApplicable,
                format!("largest measured size {} is below {}", gb(bytes), gb(min)),
            )
            .value("size_bytes", bytes)
            .cite(s.pointer, &s.sources);
        }
        let parallel = input
            .migrations
            .iter()
            .filter(|m| m.mappings.parallel_load_rules > 0)
            .count();
        let mut by_source: std::collections::BTreeMap<&str, usize> = Default::default();
        for m in &input.migrations {
            if let Some(src) = m.source.as_deref() {
                *by_source.entry(src.arn.as_str()).or_default() += 1;
            }
        }
        let split = by_source.values().any(|n| *n >= 2);
        let f = Finding::new(Verdict::Met, "")
            .value("size_bytes", bytes)
            .cite(s.pointer, &s.sources);
        if parallel > 0 || split {
            let technical = Finding {
                reason: format!(
                    "{} database moved with {}",
                    gb(bytes),
                    [
                        (parallel > 0)
                            .then(|| format!("parallel-load rules in {parallel} migration(s)")),
                        split.then(|| "tables split across tasks".to_string())
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" and ")
                ),
                ..f
            };
            with_statement(input, item, technical)
        } else {
            Finding {
                verdict: Verdict::NotMet,
                reason: format!(
                    "{} database moved by single tasks without parallel load",
                    gb(bytes)
                ),
                ..f
            }
        }
    }
}
