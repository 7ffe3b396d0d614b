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
        verdicts: "not_applicable when every target is measured below 1 TB; met / not_met, from the migrations into a TB+ target only; insufficient_evidence without a size, or with a target not measured",
        after_deletion: "sizes as for dms.1.0.size; table mappings and tasks per source from {trail}",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min = p.min_bytes.get();
        let sizes = input.sizes(|_| true);
        let unmeasured = sizes.unmeasured.join("; ");
        let Some((bytes, s)) = sizes.largest else {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "the database size is not measured, so whether it is TB+ is unknown ({unmeasured})"
                ),
            );
        };
        if bytes < min {
            // A target not measured may be the TB+ one.
            let (verdict, tail) = if unmeasured.is_empty() {
                (Verdict::NotApplicable, String::new())
            } else {
                (
                    Verdict::InsufficientEvidence,
                    format!("; not measured, so whether it is TB+ is unknown: {unmeasured}"),
                )
            };
            return Finding::new(
                verdict,
                format!(
                    "largest measured size {} is below {}{tail}",
                    gb(bytes),
                    gb(min)
                ),
            )
            .value("size_bytes", bytes)
            .cite(s.pointer, &s.sources);
        }
        let (parallel, split) = how_moved(input, min);
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

/// How the migrations into a TB+ target (at least `min` bytes) moved it: how many have
/// parallel-load rules, and whether its tables were split across tasks (two or more of
/// them from one source).
fn how_moved(input: &Input<'_>, min: f64) -> (usize, bool) {
    let large: Vec<&crate::evaluate::view::Migration<'_>> = input
        .migrations
        .iter()
        .filter(|m| {
            m.target.as_deref().is_some_and(|t| {
                input
                    .measured_size(t)
                    .is_ok_and(|s| s.points.iter().any(|p| p.1 >= min))
            })
        })
        .collect();
    let parallel = large
        .iter()
        .filter(|m| m.mappings.parallel_load_rules > 0)
        .count();
    let mut by_source: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in &large {
        if let Some(src) = m.source.as_deref() {
            *by_source.entry(src.arn.as_str()).or_default() += 1;
        }
    }
    (parallel, by_source.values().any(|n| *n >= 2))
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// t1 into a 1 GB database, t2 into `large`, both from source `s`: (bytes used in
    /// `large` or not measured, which task has a parallel-load rule, t1 into `large` too,
    /// verdict).
    #[test]
    fn only_the_migrations_into_the_tb_target_count() {
        let parallel = r#"{"rules": [{"rule-type": "table-settings", "rule-id": "1", "rule-name": "p",
            "object-locator": {"schema-name": "s", "table-name": "t"}, "parallel-load": {"type": "partitions-auto"}}]}"#;
        for (large, with_rule, both_large, want) in [
            (Some(2e12), Some(1), false, Verdict::AttestationRequired),
            // The rule is in the small migration's mappings: not how the TB+ one moved.
            (Some(2e12), Some(0), false, Verdict::NotMet),
            // One task into the TB+ database; another from its source into another one.
            (Some(2e12), None, false, Verdict::NotMet),
            // Two tasks from one source into the TB+ database: its tables split.
            (Some(2e12), None, true, Verdict::AttestationRequired),
            (Some(10e9), Some(1), false, Verdict::NotApplicable),
            // The large database is not measured: it may be TB+.
            (None, Some(1), false, Verdict::InsufficientEvidence),
        ] {
            let mut ev = two_migrations(large);
            if let Some(k) = with_rule {
                ev.facts.tasks[k].table_mappings = TableMappings::parse(Some(parallel));
            }
            if both_large {
                ev.facts.tasks[0].target_arn = ev.facts.tasks[1].target_arn.clone();
            }
            let f = run(&ev, "dms.1.0.mig.large");
            let case = (large, with_rule, both_large);
            assert_eq!(f.verdict, want, "{case:?}: {}", f.reason);
        }
    }
}
