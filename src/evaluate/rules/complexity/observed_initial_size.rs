//! `observed_initial_size`: dms.2.2.initial-size, "Initial size of the database".

use serde::Deserialize;

use super::{observed_or_anticipated, sizes};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive,
};
use crate::evaluate::view::gb;

/// The `observed_initial_size` rule.
pub struct ObservedInitialSize;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_bytes: Positive,
}

impl Check for ObservedInitialSize {
    const NAME: &'static str = "observed_initial_size";
    const REMEDIATION: &'static str =
        "Keep the target's size metrics, or give the initial size in the case study.";
    const DOC: RuleDoc = RuleDoc {
        met: "a size measurement of a target of a migration that moved data (its first datapoint on record)",
        checked: "The first size measurement on record, reported with its source.",
        evidence: "as dms.1.0.size",
        verdicts: "met when observed; insufficient_evidence otherwise",
        after_deletion: "as dms.1.0.size",
    };
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let Some(s) = sizes(input).into_iter().max_by(|a, b| {
            a.points
                .first()
                .map(|p| p.1)
                .unwrap_or(0.0)
                .total_cmp(&b.points.first().map(|p| p.1).unwrap_or(0.0))
        }) else {
            return observed_or_anticipated(
                input,
                item,
                None,
                "no size measurement of any target".into(),
            );
        };
        let (t, bytes) = s.points[0];
        let day = t.to_string();
        let min = p.min_bytes.get();
        let f = Finding::new(
            Verdict::Met,
            format!(
                "observed {} at {} ({}, first datapoint on record){}",
                gb(bytes),
                crate::text::prefix(&day, 10),
                s.basis,
                if bytes < min {
                    format!("; below {}", gb(min))
                } else {
                    String::new()
                }
            ),
        )
        .value("initial_size_bytes", bytes)
        .value("observed_at", day)
        .cite(s.pointer, &s.sources);
        observed_or_anticipated(input, item, Some(f), String::new())
    }
}
