//! `outcomes`: pre.2.1.outcomes, "Outcome(s)/results".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams, with_statement,
};

/// The `outcomes` rule.
pub struct Outcomes;

impl Check for Outcomes {
    const NAME: &'static str = "outcomes";
    const REMEDIATION: &'static str = "Resolve errored tables and validation failures, then state the business outcome (statements.outcomes).";
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut tables = 0usize;
        let mut errored = 0i64;
        let mut unknown = Vec::new();
        let mut f = Finding::new(Verdict::Met, "");
        for m in &input.migrations {
            match m.tables {
                Some(rows) => {
                    tables += rows.len();
                    errored += rows
                        .iter()
                        .filter(|r| {
                            r.state
                                .as_deref()
                                .is_some_and(|s| s.to_ascii_lowercase().contains("error"))
                                || r.full_load_error_rows > 0
                                || r.validation_failed_records > 0
                        })
                        .count() as i64;
                }
                None => unknown.push(m.id),
            }
            errored += i64::from(m.stats.and_then(|s| s.tables_errored).unwrap_or(0));
            f = f.cite(m.pointer(), &m.sources);
        }
        if tables == 0 {
            let gap = input
                .gap_note(&[
                    "dms:DescribeTableStatistics",
                    "dms:DescribeReplicationTableStatistics",
                ])
                .unwrap_or_default();
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("no table statistics to judge the technical outcome {gap}")
                    .trim()
                    .to_string(),
                ..f
            };
        }
        let f = f
            .value("tables", tables)
            .value("tables_with_errors", errored);
        if errored > 0 {
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!("{errored} of {tables} tables errored or failed validation"),
                ..f
            };
        }
        let technical = Finding {
            reason: format!(
                "technical outcome: {tables} tables migrated with 0 errors and 0 validation failures{}",
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!(" (no statistics for {})", unknown.join(", "))
                }
            ),
            ..f
        };
        with_statement(input, item, technical)
    }
}
