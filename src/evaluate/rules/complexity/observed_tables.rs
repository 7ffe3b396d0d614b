//! `observed_tables`: dms.2.2.tables, "Number of tables in the database".

use super::observed_or_anticipated;
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};
use std::collections::BTreeSet;

/// The `observed_tables` rule.
pub struct ObservedTables;

impl Check for ObservedTables {
    const NAME: &'static str = "observed_tables";
    const REMEDIATION: &'static str = "Collect before the task is deleted: its table statistics go with it, and no other AWS source counts its tables.";
    const DOC: RuleDoc = RuleDoc {
        met: "table statistics of the migrations that moved data, each (schema, table) counted once",
        checked: "Distinct (schema, table) in the migrations' table statistics.",
        evidence: "DescribeTableStatistics, DescribeReplicationTableStatistics",
        verdicts: "met / insufficient_evidence",
        after_deletion: "nothing: table statistics go with the task, and no other source counts its tables; collect before deleting it",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut names = BTreeSet::new();
        let mut f = Finding::new(Verdict::Met, "");
        let mut read = 0;
        for m in &input.migrations {
            if let Some(rows) = m.tables {
                read += 1;
                names.extend(rows.iter().map(|r| (r.schema.as_str(), r.table.as_str())));
                f = f.cite(m.pointer(), &m.sources);
            }
        }
        if read == 0 || names.is_empty() {
            let gap = input.gap_paren(&[
                "dms:DescribeTableStatistics",
                "dms:DescribeReplicationTableStatistics",
            ]);
            let what = if read == 0 {
                "no table statistics"
            } else {
                "the table statistics list no table"
            };
            return observed_or_anticipated(input, item, None, format!("{what}{gap}"));
        }
        let schemas: BTreeSet<&str> = names.iter().map(|(s, _)| *s).collect();
        let observed = Finding {
            reason: format!("{} tables in {} schema(s) in the migration scope (table statistics of {read} migration(s))", names.len(), schemas.len()),
            ..f
        }
        .value("tables", names.len());
        observed_or_anticipated(input, item, Some(observed), String::new())
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    fn table(schema: &str, name: &str) -> TableStat {
        TableStat {
            schema: schema.into(),
            table: name.into(),
            full_load_rows: 10,
            ..TableStat::default()
        }
    }

    #[test]
    fn counts_distinct_tables_of_the_migrations_that_ran() {
        // (table statistics, the task never ran, verdict, tables counted)
        type Case = (Option<Vec<TableStat>>, bool, Verdict, Option<u64>);
        let cases: [Case; 4] = [
            // Two schemas, one table listed twice: 2 distinct tables.
            (
                Some(vec![
                    table("hr", "emp"),
                    table("hr", "emp"),
                    table("fin", "gl"),
                ]),
                false,
                Verdict::Met,
                Some(2),
            ),
            // Statistics not collected (denied or deleted): no count.
            (None, false, Verdict::InsufficientEvidence, None),
            // A task that was only created is not a migration (its statistics stay empty).
            (None, true, Verdict::InsufficientEvidence, None),
            // Statistics collected but empty: nothing observed, not "0 tables".
            (Some(Vec::new()), false, Verdict::InsufficientEvidence, None),
        ];
        for (tables, never, verdict, count) in cases {
            let mut ev = migration();
            ev.facts.tasks[0].tables = tables.clone();
            if never {
                never_started(&mut ev);
            }
            let f = run(&ev, "dms.2.2.tables");
            assert_eq!(
                f.verdict, verdict,
                "{tables:?} never_ran={never}: {}",
                f.reason
            );
            assert_eq!(f.values.get("tables").and_then(|v| v.as_u64()), count);
        }
    }
}
