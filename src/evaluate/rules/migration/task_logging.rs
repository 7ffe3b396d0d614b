//! `task_logging`: dms.1.0.mig.task-log, "Using the task log to determine migration status".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
    unless_unrecorded,
};
use crate::evaluate::view::Migration;
use crate::facts::{LogGroup, Timestamp};

/// The `task_logging` rule.
pub struct TaskLogging;

impl Check for TaskLogging {
    const NAME: &'static str = "task_logging";
    const REMEDIATION: &'static str = "Turn on task logging (Logging.EnableLogging) and keep the log group's retention long enough for the validation.";
    const DOC: RuleDoc = RuleDoc {
        met: "logging on and an event in the migration's own stream (dms-task-<resource id>, or the serverless group) during its run",
        checked: "Task logging is on and its log group holds recent events (the group named in the settings, or dms-tasks-<instance> / dms-serverless-replication-<id>).",
        evidence: "Logging.EnableLogging as in force while the task ran (CloudTrail Create/ModifyReplicationTask); DescribeLogGroups retention; DescribeLogStreams last event",
        verdicts: "met; not_met when logging is off; insufficient_evidence when logs expired or settings are unknown",
        after_deletion: "Logging.EnableLogging as in force from {trail}; the task's own stream (dms-task-<resource id> in dms-tasks-<instance>) for the log group's retention while the group exists (accounts differ on whether DMS deletes it with its instance: collect before deleting the instance)",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (mut logged, mut off, mut silent, mut unknown) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for m in &input.migrations {
            f = f.cite(m.pointer(), &m.sources);
            match m.settings.logging_enabled {
                Some(false) => {
                    off.push(format!("{}{}", m.id, m.settings_note()));
                    continue;
                }
                None if m.is_task() => {
                    unknown.push(format!("{}{}", m.id, m.settings_note()));
                    continue;
                }
                _ => {}
            }
            match logged_since_it_ran(input, m) {
                Some((g, stream, latest)) => {
                    logged.push(format!(
                        "{} logs to {}/{stream} (latest event {latest}, retention {})",
                        m.id,
                        g.name,
                        g.retention_days
                            .map_or("never expires".into(), |d| format!("{d} days"))
                    ));
                    f = f.cite(format!("log_groups/{}/{}", g.region, g.name), &g.sources);
                }
                None => silent.push(format!("{} ({})", m.id, m.log_groups.join(", "))),
            }
        }
        if !logged.is_empty() {
            let mut reason = logged.join("; ");
            if !off.is_empty() {
                reason.push_str(&format!("; logging off for {}", off.join(", ")));
            }
            return Finding { reason, ..f };
        }
        if !off.is_empty() && silent.is_empty() && unknown.is_empty() {
            let f = Finding {
                verdict: Verdict::NotMet,
                reason: format!("Logging.EnableLogging is false for {}", off.join(", ")),
                ..f
            };
            return unless_unrecorded(input, f, "task logging would be shown", |m| {
                m.settings.logging_enabled != Some(false)
            });
        }
        let gap = input
            .gap_note(&["logs:DescribeLogGroups", "logs:DescribeLogStreams"])
            .map(|g| format!("; {g}"))
            .unwrap_or_default();
        Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "no events of the migrations' own log streams in their run{}{}{gap}: the log group may have expired or \
                 been deleted",
                if silent.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", silent.join(", "))
                },
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!("; logging settings unknown for {}", unknown.join(", "))
                },
            ),
            ..f
        }
    }
}

/// The last event of `m`'s own log stream, when it is since its first run began (its run's
/// dates, or the first hour its own series show data moved: a restart resets the run's
/// dates, and the run that moved data may be the earlier one). Not since a Start event
/// alone: a run that moved nothing and logged is not the run that moved data.
fn logged_since_it_ran<'a>(
    input: &Input<'a>,
    m: &Migration<'_>,
) -> Option<(&'a LogGroup, String, Timestamp)> {
    let began = input.first_start(m);
    let in_window = |at: Timestamp| began.is_none_or(|start| at >= start - crate::time::HOUR);
    input.log_events(m).filter(|(_, _, at)| in_window(*at))
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn task_log_needs_events() {
        for (enabled, streams, want) in [
            (Some(false), vec![], Verdict::NotMet),
            (
                Some(true),
                vec![(
                    "dms-task-t1".to_string(),
                    Some("2026-11-26T00:00:00Z".into()),
                )],
                Verdict::Met,
            ),
            (Some(true), vec![], Verdict::InsufficientEvidence),
            (None, vec![], Verdict::InsufficientEvidence),
        ] {
            let mut ev = evidence(
                endpoint("s", "source", "oracle", HostKind::External, None),
                endpoint("t", "target", "postgres", HostKind::Rds, None),
            );
            ev.facts.tasks[0].settings.logging_enabled = enabled;
            ev.facts.log_groups = vec![LogGroup {
                region: "us-east-1".into(),
                name: "dms-tasks-ri".into(),
                latest_streams: streams,
                ..LogGroup::default()
            }];
            assert_eq!(
                run(&ev, "dms.1.0.mig.task-log").verdict,
                want,
                "{enabled:?}"
            );
        }
    }

    /// The log's last event counts from the first run that moved data: a restart after it
    /// (which resets the run's own dates) does not hide the run that logged, but a Start
    /// event alone (a run that may have moved nothing) does not stand for it.
    #[test]
    fn a_restart_does_not_hide_the_run_that_logged() {
        for (moved_at, started_at, want) in [
            (Some("2026-09-01T00:00:00Z"), None, Verdict::Met),
            (
                None,
                Some("2026-09-01T00:00:00Z"),
                Verdict::InsufficientEvidence,
            ),
            (None, None, Verdict::InsufficientEvidence),
        ] {
            let mut ev = migration();
            let task = &mut ev.facts.tasks[0];
            task.settings.logging_enabled = Some(true);
            // Restarted 2026-10-01 (its dates); its log's last event is 2026-09-15.
            task.history = started_at
                .map(|at| HistoryEvent {
                    at: at.into(),
                    name: "StartReplicationTask".into(),
                    ..HistoryEvent::default()
                })
                .into_iter()
                .collect();
            if let Some(at) = moved_at {
                let mut s = series(
                    "AWS/DMS",
                    "FullLoadThroughputRowsTarget",
                    "ReplicationTaskIdentifier",
                    "t1",
                    &[50.0],
                );
                s.timestamps = vec![at.into()];
                ev.facts.metrics.push(s);
            }
            ev.facts.log_groups = vec![LogGroup {
                region: "us-east-1".into(),
                name: "dms-tasks-ri".into(),
                latest_streams: vec![(
                    "dms-task-t1".to_string(),
                    Some("2026-09-15T00:00:00Z".into()),
                )],
                ..LogGroup::default()
            }];
            let f = run(&ev, "dms.1.0.mig.task-log");
            assert_eq!(f.verdict, want, "{moved_at:?} {started_at:?}: {}", f.reason);
        }
    }
}
