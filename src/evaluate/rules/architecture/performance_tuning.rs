//! `performance_tuning`: dms.1.0.mig.performance, "Improving migration performance".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
    unless_unrecorded,
};
use crate::facts::TaskSettings;

/// The `performance_tuning` rule.
pub struct PerformanceTuning;

impl Check for PerformanceTuning {
    const NAME: &'static str = "performance_tuning";
    const REMEDIATION: &'static str = "Tune full load (MaxFullLoadSubTasks, CommitRate, ParallelLoadThreads, parallel-load table settings) or CDC (BatchApplyEnabled).";
    const DOC: RuleDoc = RuleDoc {
        met: "a migration that moved data with a setting faster than the DMS defaults (MaxFullLoadSubTasks > 8, CommitRate > 10000, parallel load/apply, batch apply, parallel-load rules)",
        checked: "A non-default tuning is present: MaxFullLoadSubTasks ≠ 8, CommitRate ≠ 10000, ParallelLoadThreads, BatchApplyEnabled, parallel-load rules.",
        evidence: "task settings as in force while the task ran (CloudTrail CreateReplicationTask / ModifyReplicationTask) and table mappings",
        verdicts: "met / not_met; insufficient_evidence without readable settings, or with default settings and table mappings not on record",
        after_deletion: "task settings and table mappings as they ran, from {trail}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (tuning, slower, parsed) = tuned(input, &mut f);
        let slower_note = if slower.is_empty() {
            String::new()
        } else {
            format!(
                "; below the defaults (slower, not tuning): {}",
                slower.join("; ")
            )
        };
        let never = input.unproven_note();
        if parsed == 0 {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("no task settings could be read{never}"),
                ..f
            };
        }
        // Table mappings not on record may hold parallel-load rules: tuning, unseen.
        let unread: Vec<&str> = input
            .migrations
            .iter()
            .filter(|m| m.settings.parsed && !m.mappings.parsed)
            .map(|m| m.id)
            .collect();
        if tuning.is_empty() && !unread.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "no task setting speeds them up beyond the defaults, and the table mappings of {} (where \
                     parallel-load rules would be) are not on record{slower_note}{never}",
                    unread.join(", ")
                ),
                ..f
            };
        }
        if tuning.is_empty() {
            let f = Finding {
                verdict: Verdict::NotMet,
                reason: format!(
                    "no setting of the {parsed} migration(s) that moved data speeds them up beyond the defaults \
                     (MaxFullLoadSubTasks 8, CommitRate 10000, no parallel load or apply, no batch apply){slower_note}{never}"
                ),
                ..f
            };
            return unless_unrecorded(input, f, "tuning would be shown", |m| {
                !against_defaults(&m.settings).0.is_empty() || m.mappings.parallel_load_rules > 0
            });
        }
        Finding {
            reason: format!(
                "faster than the defaults: {}{slower_note}{never}",
                tuning.join("; ")
            ),
            ..f
        }
    }
}

/// The migrations' settings and rules faster than the defaults, and those slower, each
/// with its migration; and how many had readable settings.
fn tuned(input: &Input<'_>, f: &mut Finding) -> (Vec<String>, Vec<String>, usize) {
    let (mut tuning, mut slower, mut parsed) = (Vec::new(), Vec::new(), 0);
    for m in &input.migrations {
        f.add_citation(m.pointer(), &m.sources);
        if !m.settings.parsed {
            continue;
        }
        parsed += 1;
        let (mut faster, slow) = against_defaults(&m.settings);
        let rules = m.mappings.parallel_load_rules;
        if rules > 0 {
            faster.push(format!("{rules} parallel-load rule(s)"));
        }
        if !faster.is_empty() {
            tuning.push(format!(
                "{}: {}{}",
                m.id,
                faster.join(", "),
                m.settings_note()
            ));
        }
        if !slow.is_empty() {
            slower.push(format!(
                "{}: {}{}",
                m.id,
                slow.join(", "),
                m.settings_note()
            ));
        }
    }
    (tuning, slower, parsed)
}

/// Task settings faster than the defaults, and those slower (DMS User Guide,
/// "Full-load task settings", "Target metadata task settings": MaxFullLoadSubTasks 8,
/// CommitRate 10000, ParallelLoadThreads 0).
fn against_defaults(s: &TaskSettings) -> (Vec<String>, Vec<String>) {
    let (mut faster, mut slower) = (Vec::new(), Vec::new());
    match s.max_full_load_sub_tasks {
        Some(n) if n > 8 => faster.push(format!("MaxFullLoadSubTasks {n}")),
        Some(n) if n < 8 => slower.push(format!("MaxFullLoadSubTasks {n}")),
        _ => {}
    }
    match s.commit_rate {
        Some(n) if n > 10_000 => faster.push(format!("CommitRate {n}")),
        Some(n) if n < 10_000 => slower.push(format!("CommitRate {n}")),
        _ => {}
    }
    if let Some(n) = s.parallel_load_threads.filter(|n| *n > 1) {
        faster.push(format!("ParallelLoadThreads {n}"));
    }
    if let Some(n) = s.parallel_apply_threads.filter(|n| *n > 1) {
        faster.push(format!("ParallelApplyThreads {n}"));
    }
    if s.batch_apply_enabled == Some(true) {
        faster.push("BatchApplyEnabled".into());
    }
    (faster, slower)
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn performance_tuning_needs_a_non_default() {
        for (sub, commit, batch, parallel_rules, want) in [
            (Some(8), Some(10_000), Some(false), 0, Verdict::NotMet),
            (Some(16), None, None, 0, Verdict::Met),
            (None, Some(50_000), None, 0, Verdict::Met),
            (None, None, Some(true), 0, Verdict::Met),
            (None, None, None, 2, Verdict::Met),
        ] {
            let mut ev = migration();
            let t = &mut ev.facts.tasks[0];
            t.settings.max_full_load_sub_tasks = sub;
            t.settings.commit_rate = commit;
            t.settings.batch_apply_enabled = batch;
            t.table_mappings.parsed = true;
            t.table_mappings.parallel_load_rules = parallel_rules;
            assert_eq!(
                run(&ev, "dms.1.0.mig.performance").verdict,
                want,
                "{sub:?} {commit:?} {batch:?} {parallel_rules}"
            );
        }
        let mut unread = migration();
        unread.facts.tasks[0].settings = TaskSettings::default();
        assert_eq!(
            run(&unread, "dms.1.0.mig.performance").verdict,
            Verdict::InsufficientEvidence
        );
        // Default settings, table mappings not on record: a parallel-load rule may be there.
        let mut mappings_unread = migration();
        mappings_unread.facts.tasks[0]
            .settings
            .max_full_load_sub_tasks = Some(8);
        let f = run(&mappings_unread, "dms.1.0.mig.performance");
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
    }
}
