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
        met: "a migration that moved data, running, stopped or completed with 0 errored tables (each table counted once), whose own target measures ≥ {min_bytes} (another migration's larger target does not count), plus {statements} (then attested)",
        checked: "This account's part of one of the two production references: a measured size above the threshold and a running/completed migration with 0 errored tables; the second reference is another bundle.",
        evidence: "size measurement (see dms.1.0.size), task status and TablesErrored, `statements.production`",
        verdicts: "not_met when every healthy migration's target is measured below the size; insufficient_evidence without a healthy migration or with one whose target is not measured; attested / attestation_required on the production statement",
        after_deletion: "the target's size as for dms.1.0.size; a deleted task is judged neither running nor completed (its status is `deleted`; the TablesErrored its Delete answer carries does not change that), so only while the task exists",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min = p.min_bytes.get();
        // Migrations that moved data, are not failed, and have 0 errored tables (counted
        // once per table from their statistics, else TablesErrored): the size must be one
        // of their targets', not another migration's.
        let is_healthy = |m: &crate::evaluate::view::Migration<'_>| {
            matches!(
                m.status,
                Some("running" | "stopped" | "completed" | "load complete")
            ) && m.errored_tables() == Some(0)
        };
        let healthy: Vec<&crate::evaluate::view::Migration<'_>> =
            input.migrations.iter().filter(|m| is_healthy(m)).collect();
        if healthy.is_empty() {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "no running or completed migration that moved data with 0 errored tables{}",
                    input.unproven_note()
                ),
            );
        }
        let sizes = input.sizes(is_healthy);
        let unmeasured = sizes.unmeasured.join("; ");
        let Some((bytes, s)) = sizes.largest else {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!(
                    "no measured size of a healthy migration's target ({unmeasured}): the database size cannot be shown"
                ),
            );
        };
        let size_text = format!("{} ({})", gb(bytes), s.basis);
        let mut f = Finding::new(Verdict::Met, "")
            .value("size_bytes", Some(bytes))
            .cite(s.pointer.clone(), &s.sources);
        for m in &healthy {
            f = f.cite(m.pointer(), &m.sources);
        }
        if bytes < min {
            let (verdict, tail) = if unmeasured.is_empty() {
                (Verdict::NotMet, String::new())
            } else {
                (
                    Verdict::InsufficientEvidence,
                    format!("; not measured: {unmeasured}"),
                )
            };
            return Finding {
                verdict,
                reason: format!(
                    "{size_text}, the largest target of a healthy migration, is below {}{tail}",
                    gb(min)
                ),
                ..f
            };
        }
        let healthy: Vec<String> = healthy
            .iter()
            .map(|m| format!("{} ({})", m.id, m.moved_note()))
            .collect();
        let technical = Finding {
            reason: format!(
                "this case study is one reference: {size_text} and migration(s) {} with 0 errored tables; the second \
                 reference is another bundle",
                healthy.join(", ")
            ),
            ..f
        };
        with_statement(input, item, technical)
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// t1 into database `small`, t2 into `large`: (t1's errored tables, t2's, whether
    /// `large` is measured, verdict).
    #[test]
    fn the_size_is_the_healthy_migration_s_own_target() {
        let unknown = Verdict::InsufficientEvidence;
        for (small_errors, large_errors, large_measured, want) in [
            (0, 0, true, Verdict::AttestationRequired),
            // The large target's migration errored; the healthy one is small.
            (0, 3, true, Verdict::NotMet),
            (3, 0, true, Verdict::AttestationRequired),
            // The healthy migrations' large target is not measured: it may be the one.
            (0, 0, false, unknown),
            (3, 3, true, unknown),
        ] {
            let mut ev = two_migrations(large_measured.then_some(60e9));
            for (task, errors) in ev.facts.tasks.iter_mut().zip([small_errors, large_errors]) {
                task.stats.as_mut().expect("stats").tables_errored = Some(errors);
            }
            let f = run(&ev, "pre.2.1.two-prod-refs");
            let case = (small_errors, large_errors, large_measured);
            assert_eq!(f.verdict, want, "{case:?}: {}", f.reason);
        }
    }
}
