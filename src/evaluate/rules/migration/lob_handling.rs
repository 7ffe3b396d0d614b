//! `lob_handling`: dms.1.0.mig.lobs, "Migration of Large Binary Objects (LOBs)".

use serde::Deserialize;

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive,
    unless_unrecorded,
};
use crate::facts::TaskSettings;

/// The `lob_handling` rule.
pub struct LobHandling;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_lob_size_kb: Positive,
}

impl Check for LobHandling {
    const NAME: &'static str = "lob_handling";
    const REMEDIATION: &'static str = "Set SupportLobs with exactly one mode: limited (LobMaxSize 1..102400 KB) or full (LobChunkSize > 0, no batch apply).";
    const DOC: RuleDoc = RuleDoc {
        met: "SupportLobs with exactly one valid mode on a migration that moved data, and no bad LOB setting on any task",
        checked: "SupportLobs with exactly one valid mode: limited (LobMaxSize 1..102400 KB) or full (LobChunkSize > 0) without batch apply.",
        evidence: "TargetMetadata settings as in force while the task ran (CloudTrail CreateReplicationTask / ModifyReplicationTask; a later change does not count)",
        verdicts: "met / not_met; insufficient_evidence without settings, or when a migration's LOB settings are not on record beside others (it may have had a bad one: also one that moved no data, where a bad setting counts against)",
        after_deletion: "TargetMetadata as in force while the task ran, from {trail}",
    };
    type Params = Params;

    fn run(input: &Input<'_>, _item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let max_lob = p.max_lob_size_kb.get() as i64;
        let mut f = Finding::new(Verdict::Met, "");
        let (mut good, mut bad, mut off, mut unknown) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let ran = input.migrations.len();
        for (i, m) in input.every_migration().enumerate() {
            let s = &*m.settings;
            // A task that moved no data counts only against: a bad LOB setting is bad, and
            // one not on record may have been (as endpoints not on record count in
            // dms.1.0.sec.in-flight).
            let never = i >= ran;
            let problem = lob_problem(s, max_lob);
            if never
                && (s.support_lobs == Some(false)
                    || (s.support_lobs.is_some() && problem.is_none()))
            {
                continue;
            }
            f.add_citation(m.pointer(), &m.sources);
            match (s.support_lobs, problem) {
                (None, _) => unknown.push(m.id.to_string()),
                (Some(false), _) => off.push(format!("{}{}", m.id, m.settings_note())),
                (Some(true), Some(p)) => bad.push(format!("{}: {p}{}", m.id, m.settings_note())),
                (Some(true), None) => {
                    good.push(format!("{}{}", lob_mode(m.id, s), m.settings_note()))
                }
            }
        }
        // A bad setting anywhere is not_met; a migration whose settings are not on record
        // may have had one, so it leaves the item open even beside good ones.
        let (verdict, reason) = if !bad.is_empty() {
            (Verdict::NotMet, bad.join("; "))
        } else if !unknown.is_empty() && (!good.is_empty() || !off.is_empty()) {
            let known = good
                .iter()
                .chain(&off)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            (
                Verdict::InsufficientEvidence,
                format!(
                    "LOB settings unknown for {} (on record: {known})",
                    unknown.join(", ")
                ),
            )
        } else if !good.is_empty() {
            (Verdict::Met, good.join("; "))
        } else if !off.is_empty() {
            let off = off.join(", ");
            (
                Verdict::NotMet,
                format!("SupportLobs is false for {off}: LOB columns are not migrated"),
            )
        } else {
            let unknown = unknown.join(", ");
            (
                Verdict::InsufficientEvidence,
                format!("LOB settings unknown for {unknown}"),
            )
        };
        let no_bad = bad.is_empty();
        let f = Finding {
            verdict,
            reason,
            ..f
        };
        if !no_bad {
            return f;
        }
        unless_unrecorded(input, f, "LOB handling would be shown", |m| {
            m.settings.support_lobs == Some(true) && lob_problem(&m.settings, max_lob).is_none()
        })
    }
}

/// What is wrong with LOB settings that support LOBs (exactly one mode, sizes in range,
/// no full LOB mode with batch apply), if anything.
fn lob_problem(s: &TaskSettings, max_lob: i64) -> Option<String> {
    let full = s.full_lob_mode == Some(true);
    let limited = s.limited_size_lob_mode == Some(true);
    if full && limited {
        Some("both FullLobMode and LimitedSizeLobMode".to_string())
    } else if !full && !limited {
        Some("SupportLobs without a LOB mode".to_string())
    } else if limited && !s.lob_max_size.is_some_and(|v| v > 0 && v <= max_lob) {
        Some(format!(
            "LimitedSizeLobMode with LobMaxSize {:?} (1..{max_lob} KB)",
            s.lob_max_size
        ))
    } else if full && s.lob_chunk_size.is_none_or(|v| v <= 0) {
        Some(format!(
            "FullLobMode with LobChunkSize {:?}",
            s.lob_chunk_size
        ))
    } else if full && s.batch_apply_enabled == Some(true) {
        Some(
            "FullLobMode with BatchApplyEnabled (DMS does not support LOBs in batch apply)"
                .to_string(),
        )
    } else {
        None
    }
}

fn lob_mode(id: &str, s: &TaskSettings) -> String {
    if s.limited_size_lob_mode == Some(true) {
        format!(
            "{id}: limited LOB mode, LobMaxSize {} KB",
            s.lob_max_size.unwrap_or(0)
        )
    } else {
        format!(
            "{id}: full LOB mode, LobChunkSize {} KB",
            s.lob_chunk_size.unwrap_or(0)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn lob_modes() {
        let s = |support: Option<bool>,
                 full: Option<bool>,
                 chunk: Option<i64>,
                 limited: Option<bool>,
                 max: Option<i64>,
                 batch: Option<bool>| TaskSettings {
            parsed: true,
            support_lobs: support,
            full_lob_mode: full,
            lob_chunk_size: chunk,
            limited_size_lob_mode: limited,
            lob_max_size: max,
            batch_apply_enabled: batch,
            ..TaskSettings::default()
        };
        for (settings, want) in [
            (
                s(Some(true), Some(false), None, Some(true), Some(32), None),
                Verdict::Met,
            ),
            (
                s(
                    Some(true),
                    Some(true),
                    Some(64),
                    Some(false),
                    None,
                    Some(false),
                ),
                Verdict::Met,
            ),
            (
                s(
                    Some(true),
                    Some(true),
                    Some(64),
                    Some(false),
                    None,
                    Some(true),
                ),
                Verdict::NotMet,
            ),
            (
                s(Some(true), Some(true), Some(64), Some(true), Some(32), None),
                Verdict::NotMet,
            ),
            (
                s(
                    Some(true),
                    Some(false),
                    None,
                    Some(true),
                    Some(200_000),
                    None,
                ),
                Verdict::NotMet,
            ),
            (s(Some(true), None, None, None, None, None), Verdict::NotMet),
            (
                s(Some(false), None, None, None, None, None),
                Verdict::NotMet,
            ),
            (
                s(None, None, None, None, None, None),
                Verdict::InsufficientEvidence,
            ),
        ] {
            let mut ev = evidence(
                endpoint("s", "source", "oracle", HostKind::External, None),
                endpoint("t", "target", "postgres", HostKind::Rds, None),
            );
            ev.facts.tasks[0].settings = settings.clone();
            assert_eq!(run(&ev, "dms.1.0.mig.lobs").verdict, want, "{settings:?}");
        }
    }

    /// A good setting does not pass beside one not on record: that one may have been bad,
    /// whether its migration moved data or not.
    #[test]
    fn lob_settings_not_on_record_leave_the_item_open() {
        let good = TaskSettings {
            parsed: true,
            support_lobs: Some(true),
            limited_size_lob_mode: Some(true),
            lob_max_size: Some(32),
            ..TaskSettings::default()
        };
        for (second_moved, want) in [
            (true, Verdict::InsufficientEvidence),
            (false, Verdict::InsufficientEvidence),
        ] {
            let mut ev = two_migrations(None);
            ev.facts.tasks[0].settings = good.clone();
            ev.facts.tasks[1].settings = TaskSettings {
                parsed: true,
                ..TaskSettings::default()
            };
            if !second_moved {
                // Started and failed: its table statistics show no row loaded.
                ev.facts.tasks.swap(0, 1);
                moved_nothing(&mut ev);
                ev.facts.tasks.swap(0, 1);
            }
            let f = run(&ev, "dms.1.0.mig.lobs");
            assert_eq!(f.verdict, want, "{second_moved}: {}", f.reason);
            assert!(
                f.reason.contains("LOB settings unknown for t2"),
                "{}",
                f.reason
            );
        }
        let mut ev = two_migrations(None);
        ev.facts.tasks[0].settings = good.clone();
        ev.facts.tasks[1].settings = good;
        assert_eq!(run(&ev, "dms.1.0.mig.lobs").verdict, Verdict::Met);
    }
}
