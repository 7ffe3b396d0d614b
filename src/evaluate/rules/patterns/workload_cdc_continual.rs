//! `workload_cdc_continual`: dms.2.1.wl.cdc-continual, "CDC for continual replication between two or more databases".

use serde::Deserialize;

use super::{Answer, cdc_seen, pattern, with_cdc};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Verdict, params::Positive};

/// The `workload_cdc_continual` rule.
pub struct WorkloadCdcContinual;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_days: Positive,
}

impl Check for WorkloadCdcContinual {
    const NAME: &'static str = "workload_cdc_continual";
    const REMEDIATION: &'static str = super::REMEDIATION;
    const DOC: RuleDoc = RuleDoc {
        met: "changes applied by CDC on a migration that moved data and is running, or ran CDC ≥ {min_days} days, or two CDC tasks on one source",
        checked: "CDC seen and running, or run for at least the configured days, or two CDC tasks on one source.",
        evidence: "CDC activity, task status, stats FullLoadFinishDate/StopDate (days of CDC count from a full load's end, a CDC-only task's start; a full-load-and-CDC run whose load's end is not on record has no CDC days)",
        verdicts: "met / not_met / insufficient_evidence when a CDC-type migration that would show the pattern has no CDC activity on record (statistics reset, metrics past CloudWatch retention: unknown, not absent), or when a full load and CDC stopped and its load's end is not on record (how long CDC ran is unknown)",
        after_deletion: "the migration type and Start/Stop events from {trail}, with the FullLoadFinishDate and StopDate DeleteReplicationTask answered with (its ReplicationTaskStats, recorded there too), the changes applied from {series}; a CDC-only run counts from its Start to its end",
    };
    const CDC_ACTIVITY: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, _item: &Item, p: &Params) -> Finding {
        let days = p.min_days.get();
        let mut shared = std::collections::BTreeMap::<&str, usize>::new();
        for m in input.migrations.iter().filter(|m| cdc_seen(m)) {
            if let Some(s) = m.source.as_deref() {
                *shared.entry(s.arn.as_str()).or_default() += 1;
            }
        }
        let f = pattern(
            input,
            &format!("continual CDC (running, or {days:.0}+ days, or two CDC tasks on one source)"),
            &[],
            |m, s, _| {
                let cdc_days = m.cdc_days(input.now);
                let continual = m.status == Some("running")
                    || cdc_days.is_some_and(|d| d >= days)
                    || shared.get(s.arn.as_str()).is_some_and(|n| *n >= 2);
                // A full load and CDC whose load's end is not on record (rebuilt from
                // CloudTrail): when its CDC began, and so how long it ran, is unknown.
                // (Unless the whole run was shorter: then so was its CDC.)
                let undated = cdc_days.is_none()
                    && m.migration_type == Some("full-load-and-cdc")
                    && m.ended_before_cdc().is_none()
                    && m.stats.is_none_or(|s| s.full_load_finish_date.is_none())
                    && m.cdc_days_at_most(input.now).is_none_or(|d| d >= days);
                if !continual && undated {
                    let why = "how long its CDC ran is not on record: its full load's end is not";
                    return with_cdc(m, true, Answer::Unsettled(why.into()));
                }
                with_cdc(m, continual, Answer::Yes)
            },
        );
        if f.verdict != Verdict::Met {
            return f;
        }
        let longest = input
            .migrations
            .iter()
            .filter(|m| cdc_seen(m))
            .filter_map(|m| m.cdc_days(input.now))
            .fold(0.0, f64::max);
        Finding {
            reason: format!("{}; longest CDC run {longest:.0} days", f.reason),
            ..f
        }
        .value("cdc_days", (longest * 10.0).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// A full-load-and-CDC task that ran 2026-10-01 to 10-10 and applied changes: its days
    /// of CDC count from its load's end (2026-10-02, 8 days), and are not on record without
    /// it (the load may have taken most of the nine days).
    #[test]
    fn days_of_cdc_count_from_the_load_s_end() {
        let row = TableStat {
            schema: "s".into(),
            table: "orders".into(),
            full_load_rows: 10,
            inserts: 5,
            state: Some("Table completed".into()),
            ..TableStat::default()
        };
        for (finish, kind, want) in [
            (
                Some("2026-10-02T00:00:00Z"),
                "full-load-and-cdc",
                Verdict::Met,
            ),
            (
                Some("2026-10-05T00:00:00Z"),
                "full-load-and-cdc",
                Verdict::NotMet,
            ),
            (None, "full-load-and-cdc", Verdict::InsufficientEvidence),
            // CDC only: its CDC began with it.
            (None, "cdc", Verdict::Met),
        ] {
            let mut ev = migration();
            let t = &mut ev.facts.tasks[0];
            t.status = Some("stopped".into());
            t.migration_type = Some(kind.into());
            t.tables = Some(vec![row.clone()]);
            let stats = t.stats.as_mut().expect("stats");
            stats.start_date = Some("2026-10-01T00:00:00Z".into());
            stats.stop_date = Some("2026-10-10T00:00:00Z".into());
            stats.full_load_finish_date = finish.map(Into::into);
            let f = run(&ev, "dms.2.1.wl.cdc-continual");
            assert_eq!(f.verdict, want, "{finish:?} {kind}: {}", f.reason);
            // A run of four days in all ran CDC for fewer than seven, whenever its load ended.
            let stats = ev.facts.tasks[0].stats.as_mut().expect("stats");
            stats.stop_date = Some("2026-10-05T00:00:00Z".into());
            let f = run(&ev, "dms.2.1.wl.cdc-continual");
            assert_eq!(
                f.verdict,
                Verdict::NotMet,
                "{finish:?} {kind}, 4 days: {}",
                f.reason
            );
        }
    }
}
