//! `observed_growth`: dms.2.2.growth, "Expected yearly growth of the database".

use serde::Deserialize;

use super::{observed_or_anticipated, sizes};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive,
};
use crate::evaluate::view::gb;

/// The `observed_growth` rule.
pub struct ObservedGrowth;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_days: Positive,
}

impl Check for ObservedGrowth {
    const NAME: &'static str = "observed_growth";
    const REMEDIATION: &'static str =
        "Give the anticipated yearly growth (statements.anticipated_growth).";
    const DOC: RuleDoc = RuleDoc {
        met: "≥ {min_days} days of the size series (VolumeBytesUsed) of a target of a migration that moved data; else {statements} (attested)",
        checked: "Yearly growth extrapolated from the size series (at least the configured days), beside the anticipated figure.",
        evidence: "size series",
        verdicts: "met when observed; attested with an anticipated figure only; insufficient_evidence",
        after_deletion: "the target's size series for 455 days, while the database exists and is the one the run wrote to",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min_days = p.min_days.get();
        let observed = sizes(input).into_iter().find_map(|s| {
            let (t0, b0) = *s.points.first()?;
            let (t1, b1) = *s.points.last()?;
            let days = crate::time::days(t1 - t0);
            (days >= min_days && b0 > 0.0).then(|| {
                let yearly = (b1 - b0) / days * 365.0;
                Finding::new(
                    Verdict::Met,
                    format!(
                        "observed {} → {} over {days:.0} days ({}): about {} a year ({:+.0} %)",
                        gb(b0),
                        gb(b1),
                        s.basis,
                        gb(yearly),
                        100.0 * yearly / b0
                    ),
                )
                .value("yearly_growth_bytes", yearly.round())
                .value("observed_days", days.round())
                .cite(s.pointer.clone(), &s.sources)
            })
        });
        observed_or_anticipated(
            input,
            item,
            observed,
            format!("less than {min_days:.0} days of size measurements: growth is not observable"),
        )
    }
}
