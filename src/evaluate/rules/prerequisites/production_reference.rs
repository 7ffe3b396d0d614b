//! `production_reference`: one of the two production references: this account's part of it.
//! Used by pre.2.1.two-prod-refs, "Two case studies demonstrating successful delivery that are in production, rather than pilot or proof of concept".

use serde::Deserialize;

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive, with_statement,
};
use crate::evaluate::view::gb;

/// One of the two production references: this account's part of it.
pub struct ProductionReference;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_bytes: Positive,
}

impl Check for ProductionReference {
    const NAME: &'static str = "production_reference";
    const REMEDIATION: &'static str = "Show a running or completed DMS migration of at least 25 GB, and state that it is in production (statements.production).";
    const DOC: RuleDoc = RuleDoc {
        met: "a migration that moved data, running, stopped or completed with 0 errored tables (each table counted once), whose target measures ≥ {min_bytes}, plus {statements} (then attested)",
        checked: "This account's part of one of the two production references: a measured size above the threshold and a running/completed migration with 0 errored tables; the second reference is another bundle.",
        evidence: "size measurement (see dms.1.0.size), task status and TablesErrored, `statements.production`",
        verdicts: "not_met below the size; insufficient_evidence without a size or a healthy migration; attested / attestation_required on the production statement",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min = p.min_bytes.get();
        let size = input.largest_size();
        // Migrations that moved data, are not failed, and have 0 errored tables (counted
        // once per table from their statistics, else TablesErrored).
        let healthy: Vec<&crate::evaluate::view::Migration<'_>> = input
            .migrations
            .iter()
            .filter(|m| {
                matches!(
                    m.status,
                    Some("running" | "stopped" | "completed" | "load complete")
                )
            })
            .filter(|m| m.errored_tables() == Some(0))
            .collect();
        let size_text = match &size {
            Ok((b, s)) => format!("{} ({})", gb(*b), s.basis),
            Err(why) => format!("no measured size ({})", why.join("; ")),
        };
        let size = size.ok();
        let mut f =
            Finding::new(Verdict::Met, "").value("size_bytes", size.as_ref().map(|(b, _)| *b));
        if let Some((_, s)) = &size {
            f = f.cite(s.pointer.clone(), &s.sources);
        }
        for m in &healthy {
            f = f.cite(m.pointer(), &m.sources);
        }
        let healthy: Vec<String> = healthy
            .iter()
            .map(|m| format!("{} ({})", m.id, m.moved_note()))
            .collect();
        let technical = match (&size, healthy.is_empty()) {
            (Some((bytes, _)), false) if *bytes >= min => Finding {
                reason: format!(
                    "this case study is one reference: {size_text} and migration(s) {} with 0 errored tables; the second \
                     reference is another bundle",
                    healthy.join(", ")
                ),
                ..f
            },
            (Some((bytes, _)), _) if *bytes < min => {
                return Finding {
                    verdict: Verdict::NotMet,
                    reason: format!("{size_text} is below {}", gb(min)),
                    ..f
                };
            }
            (_, true) => {
                return Finding {
                    verdict: Verdict::InsufficientEvidence,
                    reason: format!(
                        "no running or completed migration that moved data with 0 errored tables{}",
                        input.unproven_note()
                    ),
                    ..f
                };
            }
            _ => {
                return Finding {
                    verdict: Verdict::InsufficientEvidence,
                    reason: format!("{size_text}: the database size cannot be shown"),
                    ..f
                };
            }
        };
        with_statement(input, item, technical)
    }
}
