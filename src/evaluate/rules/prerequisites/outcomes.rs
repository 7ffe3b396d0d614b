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
        verdicts: "not_met with errored tables; insufficient_evidence without table statistics, or with a migration that moved data whose outcome is on record in neither table nor task statistics; attested / attestation_required",
        after_deletion: "nothing once the task is deleted: table statistics go with it (the task statistics DeleteReplicationTask answered with, recorded in {trail}, count tables loaded and errored but judge no table); collect before deleting it",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let Counts {
            tables,
            errored,
            elsewhere,
            unknown,
            not_on_record,
            finding: f,
        } = count(input);
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
        if !not_on_record.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{tables} tables migrated with 0 errors, but the outcome of {} is not on record (no table or task \
                     statistics)",
                    not_on_record.join(", ")
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

/// The outcome of the migrations that moved data, each table counted once.
struct Counts<'a> {
    tables: usize,
    errored: usize,
    /// TablesErrored of the migrations without table statistics.
    elsewhere: i64,
    /// Those migrations.
    unknown: Vec<&'a str>,
    /// Migrations with neither table nor task statistics: their outcome is not on record.
    not_on_record: Vec<&'a str>,
    finding: Finding,
}

/// Each table counted once, from its table statistics; a migration without them adds its
/// task statistics' TablesErrored and nothing to the tables judged.
fn count<'a>(input: &Input<'a>) -> Counts<'a> {
    let mut c = Counts {
        tables: 0,
        errored: 0,
        elsewhere: 0,
        unknown: Vec::new(),
        not_on_record: Vec::new(),
        finding: Finding::new(Verdict::Met, ""),
    };
    for m in &input.migrations {
        match m.table_counts() {
            Some(t) => {
                c.tables += t.tables;
                c.errored += t.with_problems;
            }
            // A deleted task's TablesErrored (from its Delete answer) shows errors, but 0
            // does not vouch for tables whose statistics went with it.
            None => match m.stats.and_then(|s| s.tables_errored) {
                Some(n) if n > 0 || !m.gone() => {
                    c.unknown.push(m.id);
                    c.elsewhere += i64::from(n);
                }
                _ => c.not_on_record.push(m.id),
            },
        }
        c.finding.add_citation(m.pointer(), &m.sources);
    }
    c
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// t1 has table statistics with 0 errors; t2 none: (t2's TablesErrored, verdict).
    #[test]
    fn a_migration_whose_outcome_is_not_on_record_is_not_vouched_for() {
        let row = TableStat {
            schema: "s".into(),
            table: "orders".into(),
            full_load_rows: 10,
            state: Some("Table completed".into()),
            ..TableStat::default()
        };
        for (errored, want) in [
            (Some(0), Verdict::AttestationRequired),
            (Some(2), Verdict::NotMet),
            (None, Verdict::InsufficientEvidence),
        ] {
            let mut ev = two_migrations(None);
            ev.facts.tasks[0].tables = Some(vec![row.clone()]);
            ev.facts.tasks[1]
                .stats
                .as_mut()
                .expect("stats")
                .tables_errored = errored;
            let f = run(&ev, "pre.2.1.outcomes");
            assert_eq!(f.verdict, want, "{errored:?}: {}", f.reason);
            // Deleted, only its Delete answer's counters left: errors still count, but 0
            // vouches for no table.
            let t2 = &mut ev.facts.tasks[1];
            t2.deleted_at = Some(Timestamp::from_secs(NOW_SECS));
            let id = t2.resource_id.clone();
            ev.facts.metrics = vec![series(
                "AWS/DMS",
                "FullLoadThroughputRowsTarget",
                "ReplicationTaskIdentifier",
                &id,
                &[0.0, 50.0],
            )];
            let f = run(&ev, "pre.2.1.outcomes");
            let want = match errored {
                Some(2) => Verdict::NotMet,
                _ => Verdict::InsufficientEvidence,
            };
            assert_eq!(f.verdict, want, "deleted, {errored:?}: {}", f.reason);
        }
    }
}
