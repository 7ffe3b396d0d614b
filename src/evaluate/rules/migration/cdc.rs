//! `cdc`: dms.1.0.mig.cdc, "Configuring ongoing replication".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
    unless_unrecorded,
};
use crate::evaluate::view::CDC_ACTIVITY_METRICS;

/// The `cdc` rule.
pub struct Cdc;

impl Check for Cdc {
    const NAME: &'static str = "cdc";
    const REMEDIATION: &'static str = "Use migration type cdc or full-load-and-cdc, let ongoing replication apply changes, and keep the task's table statistics or CDCThroughputRowsTarget as evidence.";
    const DOC: RuleDoc = RuleDoc {
        met: "a migration that moved data, of a CDC type, whose ongoing replication applied changes on the target: CDC counters (inserts, updates, deletes) in table statistics, or CDCThroughputRowsTarget above zero. CDCIncomingChanges (changes waiting to be applied) and source throughput never count, and a stop reason that ends the run before CDC (FULL_LOAD_ONLY_FINISHED, STOPPED_AFTER_FULL_LOAD, STOPPED_AFTER_CACHED_EVENTS) disproves that run's changes",
        checked: "A CDC migration type with changes applied on the target on record, and no stop reason that ended the run before ongoing replication.",
        evidence: "MigrationType as it ran; table statistics Inserts/Updates/Deletes; AWS/DMS CDCThroughputRowsTarget; StopReason",
        verdicts: "met; not_met for full-load only; insufficient_evidence when CDC shows no activity on record",
        after_deletion: "the migration type from {trail}, the changes applied from CDCThroughputRowsTarget in {series} (table statistics go with the task)",
    };
    const CDC_ACTIVITY: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (mut seen, mut quiet, mut none) = (Vec::new(), Vec::new(), Vec::new());
        for m in &input.migrations {
            f = f.cite(m.pointer(), &m.sources);
            let Some(kind) = m.migration_type else {
                // Not on record (changed since it ran, or before the history): it may have
                // been CDC.
                quiet.push(format!("{} (migration type not on record)", m.id));
                continue;
            };
            if !m.has_cdc_type() {
                none.push(format!("{} ({kind})", m.id));
                continue;
            }
            for name in CDC_ACTIVITY_METRICS {
                if let Some(s) = input.task_series(m, name) {
                    f = f.cite(format!("metrics/AWS/DMS/{name}/{}", m.id), &s.sources);
                }
            }
            match (m.cdc_applied(), m.ended_before_cdc()) {
                (Some(applied), _) => seen.push(format!(
                    "{} ({kind}, {applied}{})",
                    m.id,
                    m.cdc_days(input.now)
                        .map(|d| format!(", CDC for {d:.0} days"))
                        .unwrap_or_default()
                )),
                (None, Some(reason)) => none.push(format!(
                    "{} ({kind}, but stopped before ongoing replication: stop reason {reason})",
                    m.id
                )),
                (None, None) => quiet.push(m.id.to_string()),
            }
        }
        let never = input.unproven_note();
        if !seen.is_empty() {
            return Finding {
                reason: format!("CDC applied changes: {}{never}", seen.join("; ")),
                ..f
            };
        }
        if !quiet.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{} use(s) or may use CDC but no applied change is on record (statistics reset or metrics \
                     expired; a backlog of changes waiting to be applied is not an applied change){never}",
                    quiet.join(", ")
                ),
                ..f
            };
        }
        let f = Finding {
            verdict: Verdict::NotMet,
            reason: format!("no CDC: {}{never}", none.join(", ")),
            ..f
        };
        unless_unrecorded(input, f, "CDC would be shown", |m| {
            m.has_cdc_type() && m.ended_before_cdc().is_none()
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn cdc_needs_a_cdc_type_and_activity() {
        for (kind, inserts, want) in [
            ("full-load", Some(10), Verdict::NotMet),
            ("full-load-and-cdc", Some(10), Verdict::Met),
            ("cdc", Some(0), Verdict::InsufficientEvidence),
            ("cdc", None, Verdict::InsufficientEvidence),
        ] {
            let mut ev = evidence(
                endpoint(
                    "s",
                    "source",
                    "oracle",
                    HostKind::External,
                    Some("verify-ca"),
                ),
                endpoint("t", "target", "postgres", HostKind::Rds, Some("require")),
            );
            ev.facts.tasks[0].migration_type = Some(kind.into());
            ev.facts.tasks[0].tables = inserts.map(|n| {
                vec![TableStat {
                    schema: "s".into(),
                    table: "t".into(),
                    inserts: n,
                    ..TableStat::default()
                }]
            });
            assert_eq!(
                run(&ev, "dms.1.0.mig.cdc").verdict,
                want,
                "{kind} {inserts:?}"
            );
        }
    }

    #[test]
    fn a_backlog_is_not_applied_changes() {
        // CDCIncomingChanges counts changes waiting to be applied, and source throughput
        // counts changes read: neither shows a change applied on the target.
        for name in ["CDCIncomingChanges", "CDCThroughputRowsSource"] {
            let mut ev = migration();
            ev.facts.metrics = vec![series(
                "AWS/DMS",
                name,
                "ReplicationTaskIdentifier",
                "t1",
                &[100.0, 200.0],
            )];
            let f = run(&ev, "dms.1.0.mig.cdc");
            assert_eq!(
                f.verdict,
                Verdict::InsufficientEvidence,
                "{name}: {}",
                f.reason
            );
        }
        let mut ev = migration();
        ev.facts.metrics = vec![series(
            "AWS/DMS",
            "CDCThroughputRowsTarget",
            "ReplicationTaskIdentifier",
            "t1",
            &[100.0, 200.0, 300.0],
        )];
        let f = run(&ev, "dms.1.0.mig.cdc");
        assert_eq!(f.verdict, Verdict::Met, "{}", f.reason);
        assert!(!f.reason.contains("600"), "not summed: {}", f.reason);
        assert!(f.reason.contains("above 0 in 3 hour(s)"), "{}", f.reason);
    }

    #[test]
    fn a_run_stopped_before_cdc_disproves_its_changes() {
        // (stop reason, status, throughput before the run started, verdict)
        for (reason, status, earlier, want) in [
            (
                "Stop Reason STOPPED_AFTER_FULL_LOAD",
                "stopped",
                false,
                Verdict::NotMet,
            ),
            (
                "Stop Reason STOPPED_AFTER_CACHED_EVENTS",
                "stopped",
                false,
                Verdict::NotMet,
            ),
            (
                "Stop Reason FULL_LOAD_ONLY_FINISHED",
                "stopped",
                false,
                Verdict::NotMet,
            ),
            // An earlier run applied changes before this one started.
            (
                "Stop Reason STOPPED_AFTER_FULL_LOAD",
                "stopped",
                true,
                Verdict::Met,
            ),
            // Running again: the old reason says nothing of this run.
            (
                "Stop Reason STOPPED_AFTER_FULL_LOAD",
                "running",
                false,
                Verdict::Met,
            ),
            ("Stop Reason NORMAL", "stopped", false, Verdict::Met),
        ] {
            let mut ev = migration();
            let t = &mut ev.facts.tasks[0];
            t.stop_reason = Some(reason.into());
            t.status = Some(status.into());
            t.tables = Some(vec![TableStat {
                schema: "s".into(),
                table: "t".into(),
                full_load_rows: 10,
                inserts: 7,
                state: Some("Table completed".into()),
                ..TableStat::default()
            }]);
            // The run started an hour before NOW; the series' points are in the hours before.
            let start = "2026-11-26T23:00:00Z";
            t.started = Some(start.into());
            if let Some(s) = t.stats.as_mut() {
                s.fresh_start_date = Some(start.into());
            }
            let mut s = series(
                "AWS/DMS",
                "CDCThroughputRowsTarget",
                "ReplicationTaskIdentifier",
                "t1",
                &[0.0, 0.0, 4.0],
            );
            if earlier {
                s.values = vec![4.0, 0.0, 0.0];
            }
            ev.facts.metrics = vec![s];
            let f = run(&ev, "dms.1.0.mig.cdc");
            assert_eq!(f.verdict, want, "{reason} {status} {earlier}: {}", f.reason);
            if want == Verdict::NotMet {
                assert!(
                    f.reason.contains("stopped before ongoing replication"),
                    "{}",
                    f.reason
                );
            }
        }
    }
}
