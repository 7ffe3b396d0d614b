//! `engine_versions`: dms.1.0.arch.engine-ver, "Understanding of AWS DMS architecture: replication engine versions".

use super::{every_instance, only_serverless, orphan_tasks, used_instances, worst};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};
use crate::facts::{ReplicationInstance, Timestamp};
use std::collections::BTreeSet;

/// The `engine_versions` rule.
pub struct EngineVersions;

impl Check for EngineVersions {
    const NAME: &'static str = "engine_versions";
    const REMEDIATION: &'static str =
        "Run replication instances on a production (non-beta), non-deprecated DMS engine version.";
    const DOC: RuleDoc = RuleDoc {
        met: "each instance of a migration that moved data on a listed, production (non-beta) engine version not deprecated before the run started",
        checked: "Each replication instance runs a production (not beta) DMS engine version that was not deprecated when its tasks were created.",
        evidence: "DescribeReplicationInstances EngineVersion; DescribeEngineVersions ReleaseStatus, Lifecycle, DeprecationDate, LaunchDate; ModifyReplicationInstance events (EngineVersion, ApplyImmediately)",
        verdicts: "met / not_met; insufficient_evidence for unknown versions and when the version that ran is not on record; not_applicable for serverless only",
        after_deletion: "the instance's EngineVersion from its Create and Modify events in {trail}; the version's lifecycle from DescribeEngineVersions today",
    };
    const INSTANCE_VERSION: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if let Some(f) = orphan_tasks(input) {
            return f;
        }
        let used = used_instances(input);
        if used.is_empty() {
            return if input.migrations.is_empty() {
                no_migrations(input)
            } else {
                only_serverless(input, "AWS manages their engine version")
            };
        }
        let mut f = Finding::new(Verdict::Met, "");
        let mut parts = Vec::new();
        let mut verdict = Verdict::Met;
        let ran: BTreeSet<&str> = used.iter().map(|i| i.arn.as_str()).collect();
        for inst in every_instance(input) {
            f = f.cite(format!("replication_instances/{}", inst.arn), &inst.sources);
            let Some(version) = inst.engine_version.as_deref() else {
                if !ran.contains(inst.arn.as_str()) {
                    continue;
                }
                verdict = worst(verdict, Verdict::InsufficientEvidence);
                parts.push(format!("{}: engine version not reported", inst.identifier));
                continue;
            };
            let Some(known) = input
                .facts
                .engine_versions
                .iter()
                .find(|v| v.version == version && v.region == inst.region)
            else {
                if !ran.contains(inst.arn.as_str()) {
                    continue;
                }
                verdict = worst(verdict, Verdict::InsufficientEvidence);
                parts.push(format!(
                    "{} runs {version}, not listed by DescribeEngineVersions{}",
                    inst.identifier,
                    input.gap_paren(&["dms:DescribeEngineVersions"])
                ));
                continue;
            };
            f = f.cite(
                format!("engine_versions/{}/{version}", known.region),
                &known.sources,
            );
            // ModifyReplicationInstance can change EngineVersion (botocore `dms`
            // 2016-01-01): a run before the history may have used another version.
            if let Some(why) = version_then_unknown(input, inst, known) {
                verdict = worst(verdict, Verdict::InsufficientEvidence);
                parts.push(format!(
                    "{} runs {version} today; the version it ran then is not on record: {why}",
                    inst.identifier
                ));
                continue;
            }
            let (v, text) = judged(input, inst, version, known);
            verdict = worst(verdict, v);
            parts.push(text);
        }
        Finding {
            verdict,
            reason: parts.join("; "),
            ..f
        }
    }
}

/// A listed version: not met when beta, or deprecated before a run on the instance that
/// moved data started (a run that moved nothing before the deprecation does not vouch for
/// a later one); with none, before its first run.
fn judged(
    input: &Input<'_>,
    inst: &ReplicationInstance,
    version: &str,
    known: &crate::facts::EngineVersion,
) -> (Verdict, String) {
    let on_it =
        |m: &&crate::evaluate::view::Migration<'_>| m.instance.is_some_and(|i| i.arn == inst.arn);
    let moved = input.migrations.iter().filter(on_it);
    let started = moved
        .filter_map(|m| m.window.map(|w| w.0))
        .max()
        .or_else(|| {
            let every = input.every_migration().filter(on_it);
            every.filter_map(|m| m.window.map(|w| w.0)).min()
        });
    let deprecated_before_use = match (known.deprecation_date, started) {
        (Some(d), Some(s)) => d <= s,
        (Some(d), None) => d <= input.now,
        _ => false,
    };
    let beta = known.release_status.as_deref().is_some_and(|s| s != "prod");
    let v = if beta || deprecated_before_use {
        Verdict::NotMet
    } else {
        Verdict::Met
    };
    (
        v,
        format!(
            "{} runs {version} ({}, {}{})",
            inst.identifier,
            known.release_status.as_deref().unwrap_or("?"),
            known.lifecycle.as_deref().unwrap_or("?"),
            known
                .deprecation_date
                .map(|d| format!(", deprecated {}", d.date()))
                .unwrap_or_default()
        ),
    )
}

/// Why the engine version an instance's migrations ran on is not on record:
/// - today's version was released after the first of them began (DescribeEngineVersions
///   LaunchDate): the instance was upgraded since, by a ModifyReplicationInstance or by an
///   automatic minor upgrade, which AWS applies in the maintenance window when
///   AutoMinorVersionUpgrade is on (its default; DMS API Reference,
///   CreateReplicationInstance) and which leaves no CloudTrail event of the customer's;
/// - a ModifyReplicationInstance set EngineVersion after the first of them began, or up to a
///   week before without ApplyImmediately: DMS applies such a change in the next weekly
///   maintenance window (DMS API Reference, ModifyReplicationInstance ApplyImmediately and
///   PreferredMaintenanceWindow), which may have fallen during the run;
/// - the instance's creation is not on record and CloudTrail history in its region does
///   not reach a week before the first of them began, where such a change would show
///   ([`crate::evaluate::view::Input::before_history`] for the run itself).
///
/// An undated run ran some time after the instance's task was created: it is judged from
/// the earliest creation instead, and any change since counts.
fn version_then_unknown(
    input: &Input<'_>,
    inst: &ReplicationInstance,
    known: &crate::facts::EngineVersion,
) -> Option<String> {
    use crate::facts::history::MAINTENANCE_CYCLE;
    let uses = || {
        input
            .migrations
            .iter()
            .filter(|m| m.instance.is_some_and(|i| i.arn == inst.arn))
    };
    let first_start = uses().filter_map(|m| input.first_start(m)).min();
    let created = uses().filter_map(|m| m.created).min();
    // When the version that ran may have been set: the first start, else (undated) the
    // earliest creation; `None`: nothing dates it, and any change on record counts.
    let (began, what) = match (first_start, created) {
        (Some(s), _) => (Some(s), "its first run began"),
        (None, Some(c)) => (Some(c), "its undated run's task was created"),
        (None, None) => (None, "its run (not dated)"),
    };
    if let Some(launched) = known.launch_date
        && began.is_none_or(|s| launched > s)
    {
        return Some(format!(
            "it was released {}, after {what}{}",
            launched.date(),
            began.map(|s| format!(" {}", s.date())).unwrap_or_default()
        ));
    }
    let upgraded = inst.history.iter().find(|h| {
        let immediately = h.request.get("ApplyImmediately").and_then(|v| v.as_bool()) == Some(true);
        // An upgrade applied at once still takes its minutes.
        let pending = if immediately {
            crate::time::HOUR
        } else {
            MAINTENANCE_CYCLE
        };
        h.name == "ModifyReplicationInstance"
            && h.request.get("EngineVersion").is_some()
            && began.is_none_or(|s| h.at + pending >= s)
    });
    if let Some(h) = upgraded {
        return Some(format!(
            "{} set EngineVersion after {what}, or within the week before without \
             ApplyImmediately (applied in a maintenance window)",
            crate::facts::history::basis(h)
        ));
    }
    if inst
        .history
        .iter()
        .any(|h| h.name == "CreateReplicationInstance")
    {
        return None;
    }
    if let Some(why) = uses().find_map(|m| {
        m.before_history
            .as_ref()
            .map(|why| format!("{}: {why}", m.id))
    }) {
        return Some(why);
    }
    week_before_unread(input, inst, began?, what)
}

/// Why the week before `began`, when an EngineVersion change pending for the maintenance
/// window would have been made, is not in the CloudTrail history read in the instance's
/// region.
fn week_before_unread(
    input: &Input<'_>,
    inst: &ReplicationInstance,
    began: Timestamp,
    what: &str,
) -> Option<String> {
    use crate::facts::history::MAINTENANCE_CYCLE;
    let since = input.history_begins(&inst.region, false)?;
    (since > began - MAINTENANCE_CYCLE).then(|| {
        format!(
            "CloudTrail history in {} begins {since}, less than a week before {what} {}: an \
             EngineVersion change pending for the maintenance window would not show",
            inst.region,
            began.date()
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn engine_versions_by_release_and_deprecation() {
        for (version, status, deprecated, want) in [
            ("3.5.4", "prod", None, Verdict::Met),
            ("3.6.1", "beta", None, Verdict::NotMet),
            (
                "3.4.7",
                "prod",
                Some("2026-01-01T00:00:00Z"),
                Verdict::NotMet,
            ),
            ("3.5.2", "prod", Some("2027-01-01T00:00:00Z"), Verdict::Met),
            ("9.9.9", "prod", None, Verdict::InsufficientEvidence),
        ] {
            let mut ev = migration();
            ev.facts.replication_instances[0].engine_version = Some(version.into());
            ev.facts.engine_versions = vec![EngineVersion {
                region: "us-east-1".into(),
                version: if version == "9.9.9" {
                    "3.5.4".into()
                } else {
                    version.into()
                },
                release_status: Some(status.into()),
                deprecation_date: deprecated.map(Into::into),
                ..EngineVersion::default()
            }];
            assert_eq!(
                run(&ev, "dms.1.0.arch.engine-ver").verdict,
                want,
                "{version} {status} {deprecated:?}"
            );
        }
        let mut serverless_only = migration();
        serverless_only.facts.tasks[0].instance_arn = None;
        serverless_only.facts.replication_instances.clear();
        assert_eq!(
            run(&serverless_only, "dms.1.0.arch.engine-ver").verdict,
            Verdict::InsufficientEvidence,
            "a task without its instance"
        );
    }

    /// The version was deprecated 2026-09-15. A run that moved nothing started on the
    /// instance before then; the one that moved data, 2026-10-01, after: not met.
    #[test]
    fn a_run_that_moved_nothing_does_not_vouch_for_a_later_one() {
        let mut ev = migration();
        ev.facts.replication_instances[0].engine_version = Some("3.4.7".into());
        ev.facts.engine_versions = vec![EngineVersion {
            region: "us-east-1".into(),
            version: "3.4.7".into(),
            release_status: Some("prod".into()),
            deprecation_date: Some("2026-09-15T00:00:00Z".into()),
            ..EngineVersion::default()
        }];
        let f = run(&ev, "dms.1.0.arch.engine-ver");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
        let mut idle = ev.facts.tasks[0].clone();
        idle.identifier = "idle".into();
        idle.arn = "arn:aws:dms:us-east-1:111111111111:task:idle".into();
        idle.resource_id = "idle".into();
        idle.started = Some("2026-09-01T00:00:00Z".into());
        idle.status = Some("failed".into());
        idle.stats = Some(TaskStats {
            tables_loaded: Some(0),
            tables_errored: Some(0),
            fresh_start_date: Some("2026-09-01T00:00:00Z".into()),
            ..TaskStats::default()
        });
        idle.tables = Some(Vec::new());
        ev.facts.tasks.push(idle);
        let f = run(&ev, "dms.1.0.arch.engine-ver");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    }

    /// (history begins, instance created on record, upgraded on (with ApplyImmediately),
    /// today's version released on, verdict); the run began 2026-10-01.
    type VersionCase = (
        &'static str,
        bool,
        Option<(&'static str, bool)>,
        Option<&'static str>,
        Verdict,
    );

    fn version_cases() -> Vec<VersionCase> {
        let insufficient = Verdict::InsufficientEvidence;
        let (before, after) = ("2026-09-01T00:00:00Z", "2026-10-15T00:00:00Z");
        vec![
            (before, false, None, None, Verdict::Met),
            (after, false, None, None, insufficient),
            (after, true, None, None, Verdict::Met),
            // Upgraded a fortnight before the run, or the day before at once: what ran.
            (
                before,
                true,
                Some(("2026-09-15T00:00:00Z", false)),
                None,
                Verdict::Met,
            ),
            (
                before,
                true,
                Some(("2026-09-30T00:00:00Z", true)),
                None,
                Verdict::Met,
            ),
            // The day before, for the maintenance window (which may fall in the run), or after.
            (
                before,
                true,
                Some(("2026-09-30T00:00:00Z", false)),
                None,
                insufficient,
            ),
            (
                before,
                true,
                Some(("2026-11-15T00:00:00Z", true)),
                None,
                insufficient,
            ),
            // History begins within the week before the run, the creation not on record: a
            // change pending for the maintenance window would not show.
            ("2026-09-28T00:00:00Z", false, None, None, insufficient),
            ("2026-09-28T00:00:00Z", true, None, None, Verdict::Met),
            // Released before the run, or after it began (an automatic minor upgrade since).
            (
                before,
                true,
                None,
                Some("2026-06-01T00:00:00Z"),
                Verdict::Met,
            ),
            (
                before,
                true,
                None,
                Some("2026-10-20T00:00:00Z"),
                insufficient,
            ),
        ]
    }

    /// A run that began before the history may have used another engine version
    /// (ModifyReplicationInstance changes it), unless the instance's creation is on record;
    /// one upgraded after its run began (or pending for the maintenance window as it began),
    /// or whose version was released since, ran another version than today's.
    #[test]
    fn the_version_a_run_used_is_not_on_record_when_it_may_differ_from_todays() {
        for (since, created, upgraded, launched, want) in version_cases() {
            let mut ev = migration();
            let ri = &mut ev.facts.replication_instances[0];
            ri.engine_version = Some("3.5.4".into());
            let event = |name: &str, at: &str, request| HistoryEvent {
                at: at.into(),
                name: name.into(),
                request,
                ..HistoryEvent::default()
            };
            if created {
                ri.history = vec![event(
                    "CreateReplicationInstance",
                    "2026-09-10T00:00:00Z",
                    serde_json::Value::Null,
                )];
            }
            if let Some((at, immediately)) = upgraded {
                ri.history.push(event(
                    "ModifyReplicationInstance",
                    at,
                    serde_json::json!({"EngineVersion": "3.5.4", "ApplyImmediately": immediately}),
                ));
            }
            ev.facts.engine_versions = vec![EngineVersion {
                region: "us-east-1".into(),
                version: "3.5.4".into(),
                release_status: Some("prod".into()),
                launch_date: launched.map(Into::into),
                ..EngineVersion::default()
            }];
            ev.facts.history_reads = vec![HistoryRead {
                region: "us-east-1".into(),
                since: since.into(),
                until: NOW.into(),
                ..HistoryRead::default()
            }];
            let f = run(&ev, "dms.1.0.arch.engine-ver");
            assert_eq!(
                f.verdict, want,
                "{since} {created} {upgraded:?} {launched:?}: {}",
                f.reason
            );
            if want != Verdict::Met {
                assert!(f.reason.contains("not on record"), "{}", f.reason);
            }
        }
    }

    /// A run without dates ran some time after its task was created: a version set since
    /// (or a week before, for the maintenance window), or released since, may be today's
    /// only.
    #[test]
    fn an_undated_run_counts_every_version_change_since_its_task_was_created() {
        // (upgraded on, released on, verdict); the task was created 2026-10-01.
        for (upgraded, launched, want) in [
            (None, "2026-06-01T00:00:00Z", Verdict::Met),
            (
                Some("2026-09-01T00:00:00Z"),
                "2026-06-01T00:00:00Z",
                Verdict::Met,
            ),
            (
                Some("2026-11-01T00:00:00Z"),
                "2026-06-01T00:00:00Z",
                Verdict::InsufficientEvidence,
            ),
            (None, "2026-10-20T00:00:00Z", Verdict::InsufficientEvidence),
        ] {
            let mut ev = migration();
            let t = &mut ev.facts.tasks[0];
            t.started = None;
            t.stats = Some(TaskStats {
                tables_loaded: Some(1),
                ..TaskStats::default()
            });
            let ri = &mut ev.facts.replication_instances[0];
            ri.engine_version = Some("3.5.4".into());
            ri.history = upgraded
                .map(|at| HistoryEvent {
                    at: at.into(),
                    name: "ModifyReplicationInstance".into(),
                    request: serde_json::json!({"EngineVersion": "3.5.4", "ApplyImmediately": true}),
                    ..HistoryEvent::default()
                })
                .into_iter()
                .collect();
            ev.facts.engine_versions = vec![EngineVersion {
                region: "us-east-1".into(),
                version: "3.5.4".into(),
                release_status: Some("prod".into()),
                launch_date: Some(launched.into()),
                ..EngineVersion::default()
            }];
            let f = run(&ev, "dms.1.0.arch.engine-ver");
            assert_eq!(f.verdict, want, "{upgraded:?} {launched}: {}", f.reason);
        }
    }
}
