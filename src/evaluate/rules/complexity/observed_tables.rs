//! `observed_tables`: dms.2.2.tables, "Number of tables in the database".

use super::observed_or_anticipated;
use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams,
};
use std::collections::BTreeSet;

/// The `observed_tables` rule.
pub struct ObservedTables;

impl Check for ObservedTables {
    const NAME: &'static str = "observed_tables";
    const REMEDIATION: &'static str = "Keep the task (its table statistics) until the validation.";
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
        if read == 0 {
            let gap = input.gap_paren(&[
                "dms:DescribeTableStatistics",
                "dms:DescribeReplicationTableStatistics",
            ]);
            return observed_or_anticipated(input, item, None, format!("no table statistics{gap}"));
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
