//! Section 2.2 solution complexity: values observed in the account, reported with
//! their source, beside the partner's anticipated figures when given.

pub mod observed_concurrency;
pub mod observed_growth;
pub mod observed_initial_size;
pub mod observed_read_write;
pub mod observed_tables;

use super::{Finding, Input, Item, Verdict, quote, statement};
use crate::evaluate::view::SizeSeries;

/// An observed value: met (reported); otherwise the partner's anticipated figure.
fn observed_or_anticipated(
    input: &Input<'_>,
    item: &Item,
    observed: Option<Finding>,
    missing: String,
) -> Finding {
    let anticipated = statement(input, item);
    match (observed, anticipated) {
        (Some(f), Some((text, key))) => Finding {
            reason: format!(
                "{}; anticipated (statements.{key}): {}",
                f.reason,
                quote(text)
            ),
            ..f
        }
        .value("anticipated", text),
        (Some(f), None) => f,
        (None, Some((text, key))) => Finding::new(
            Verdict::Attested,
            format!("{missing}; anticipated (statements.{key}): {}", quote(text)),
        )
        .value("anticipated", text)
        .cite(format!("case_study/statements/{key}"), &[]),
        (None, None) => Finding::new(Verdict::InsufficientEvidence, missing),
    }
}

fn sizes(input: &Input<'_>) -> Vec<SizeSeries> {
    input
        .migrations
        .iter()
        .filter_map(|m| m.target.as_deref())
        .filter_map(|t| input.measured_size(t).ok())
        .collect()
}
