//! `dms_limits`: dms.1.0.arch.limits, "Understanding of AWS DMS limits".

use serde::Deserialize;

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, params::Positive, with_statement,
};

/// The `dms_limits` rule.
pub struct DmsLimits;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_full_load_sub_tasks: Positive,
    pub max_lob_size_kb: Positive,
}

impl Check for DmsLimits {
    const NAME: &'static str = "dms_limits";
    const REMEDIATION: &'static str = "Keep task settings within DMS limits (MaxFullLoadSubTasks <= 49, LobMaxSize <= 102400 KB) and quotas below their maximum; describe the limits considered.";
    const DOC: RuleDoc = RuleDoc {
        met: "DMS quotas read and within their maximum, task settings of every migration within documented limits (each version that may have been in force while it ran, not only the members they share), plus {statements} (attested)",
        checked: "Account quotas below their maximum and task settings within documented limits; understanding stated.",
        evidence: "DescribeAccountAttributes; task settings MaxFullLoadSubTasks, LobMaxSize, InlineLobMaxSize",
        verdicts: "not_met outside limits; insufficient_evidence without quotas, or when the settings a migration ran with are not on record; attested / attestation_required",
        after_deletion: "account quotas today; task settings as they ran from {trail}",
    };
    const STATEMENTS: bool = true;
    type Params = Params;

    fn run(input: &Input<'_>, item: &Item, p: &Params) -> Finding {
        let quotas = &input.facts.account_quotas;
        if quotas.is_empty() {
            let gap = input
                .gap_note(&["dms:DescribeAccountAttributes"])
                .unwrap_or_else(|| "no quotas were returned".into());
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!("DMS account quotas unknown: {gap}"),
            );
        }
        let max_sub = p.max_full_load_sub_tasks.get() as i64;
        let max_lob = p.max_lob_size_kb.get() as i64;
        let mut problems = Vec::new();
        let mut f = Finding::new(Verdict::Met, "");
        for q in quotas.iter().filter(|q| q.max > 0 && q.used > q.max) {
            problems.push(format!(
                "{} {} uses {} of {}",
                q.region, q.name, q.used, q.max
            ));
        }
        for q in quotas {
            f = f.cite(
                format!("account_quotas/{}/{}", q.region, q.name),
                &q.sources,
            );
        }
        problems.extend(settings_over(input, max_sub, max_lob));
        let highest = quotas.iter().filter(|q| q.max > 0).max_by(|a, b| {
            (a.used as f64 / a.max as f64).total_cmp(&(b.used as f64 / b.max as f64))
        });
        if !problems.is_empty() {
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!("outside DMS limits: {}", problems.join("; ")),
                ..f
            };
        }
        // Settings not on record are not within limits: they are unknown.
        let unknown: Vec<String> = input
            .migrations
            .iter()
            .filter(|m| m.settings_unknown)
            .map(|m| format!("{}{}", m.id, m.settings_note()))
            .collect();
        if !unknown.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("task settings unknown for {}", unknown.join("; ")),
                ..f
            };
        }
        let technical = Finding {
            reason: format!(
                "{} quotas within their maximum (highest {}), task settings of the migrations that moved data within documented \
                 limits",
                quotas.len(),
                highest.map_or("-".into(), |q| format!("{} {}/{}", q.name, q.used, q.max))
            ),
            ..f
        };
        with_statement(input, item, technical)
    }
}

/// The settings of every migration outside the limits: each version that may have been
/// in force counts against.
fn settings_over(input: &Input<'_>, max_sub: i64, max_lob: i64) -> Vec<String> {
    let mut problems = Vec::new();
    for m in input.every_migration() {
        let mut seen = Vec::new();
        for s in m.settings_versions.iter().chain([&*m.settings]) {
            let mut over = Vec::new();
            if let Some(n) = s.max_full_load_sub_tasks.filter(|n| *n > max_sub) {
                over.push(format!("{} MaxFullLoadSubTasks {n} > {max_sub}", m.id));
            }
            for (name, v) in [
                ("LobMaxSize", s.lob_max_size),
                ("InlineLobMaxSize", s.inline_lob_max_size),
            ] {
                if let Some(v) = v.filter(|v| *v > max_lob) {
                    over.push(format!("{} {name} {v} KB > {max_lob} KB", m.id));
                }
            }
            for o in over {
                if !seen.contains(&o) {
                    seen.push(o);
                }
            }
        }
        problems.extend(seen);
    }
    problems
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// The run was 2026-10-01 to 10-02; today MaxFullLoadSubTasks is 8. (CloudTrail
    /// history of the settings, verdict, phrase.)
    #[test]
    fn every_version_in_force_while_it_ran_is_held_against_it() {
        let set = |name: &str, at: &str, sub_tasks: i64| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("{name}-{at}"),
            settings: Some(
                serde_json::json!({"FullLoadSettings": {"MaxFullLoadSubTasks": sub_tasks}})
                    .to_string(),
            ),
            ..HistoryEvent::default()
        };
        let created = set("CreateReplicationTask", "2026-09-30T00:00:00Z", 60);
        let inside = set("ModifyReplicationTask", "2026-10-01T12:00:00Z", 8);
        let after = set("ModifyReplicationTask", "2026-11-01T00:00:00Z", 8);
        for (case, history, want, phrase) in [
            ("no history", vec![], Verdict::AttestationRequired, "within"),
            (
                "60 until after the run",
                vec![created.clone(), after],
                Verdict::NotMet,
                "MaxFullLoadSubTasks 60 > 49",
            ),
            // The two versions differ: their common members leave it out, yet 60 ran.
            (
                "60, then 8 inside the run",
                vec![created, inside.clone()],
                Verdict::NotMet,
                "MaxFullLoadSubTasks 60 > 49",
            ),
            // The creation is not on record: what ran before the change is unknown.
            (
                "first change inside the run",
                vec![inside],
                Verdict::InsufficientEvidence,
                "task settings unknown",
            ),
        ] {
            let mut ev = migration();
            ev.facts.account_quotas = vec![AccountQuota {
                region: "us-east-1".into(),
                name: "ReplicationInstances".into(),
                used: 1,
                max: 20,
                sources: vec!["c000004".into()],
            }];
            let t = &mut ev.facts.tasks[0];
            t.status = Some("stopped".into());
            t.settings.max_full_load_sub_tasks = Some(8);
            t.history = history;
            let f = run(&ev, "dms.1.0.arch.limits");
            assert_eq!(f.verdict, want, "{case}: {}", f.reason);
            assert!(f.reason.contains(phrase), "{case}: {}", f.reason);
        }
    }
}
