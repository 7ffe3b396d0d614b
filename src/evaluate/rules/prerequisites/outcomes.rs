//! `outcomes`: pre.2.1.outcomes, "Outcome(s)/results".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams, with_statement,
};

/// The `outcomes` rule.
pub struct Outcomes;

impl Check for Outcomes {
    const NAME: &'static str = "outcomes";
    const REMEDIATION: &'static str = "Resolve errored tables and validation failures, then state the business outcome (statements.outcomes).";
    const DOC: RuleDoc = RuleDoc {
        met: "table statistics of the migrations that moved data, each table counted once, with 0 errored tables and 0 validation failures, plus {statements} (attested)",
        checked: "Technical outcome: every table migrated without errors or validation failures; business outcome stated.",
        evidence: "DescribeTableStatistics (TableState, FullLoadErrorRows, ValidationFailedRecords), stats TablesErrored",
        verdicts: "not_met with errored tables; insufficient_evidence without table statistics; attested / attestation_required",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        // Each table counted once, from its table statistics; a migration without them
        // adds its task statistics' TablesErrored and nothing to the tables judged.
        let (mut tables, mut errored, mut elsewhere) = (0usize, 0usize, 0i64);
        let mut unknown = Vec::new();
        let mut f = Finding::new(Verdict::Met, "");
        for m in &input.migrations {
            match m.table_counts() {
                Some(c) => {
                    tables += c.tables;
                    errored += c.with_problems;
                }
                None => {
                    unknown.push(m.id);
                    elsewhere += i64::from(m.stats.and_then(|s| s.tables_errored).unwrap_or(0));
                }
            }
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
        if errored > 0 || elsewhere > 0 {
            let without = if elsewhere > 0 {
                format!(
                    "; TablesErrored {elsewhere} in {} (task statistics, no table statistics)",
                    unknown.join(", ")
                )
            } else {
                String::new()
            };
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!(
                    "{errored} of {tables} tables errored or failed validation{without}"
                ),
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
