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
        met: "DMS quotas read and within their maximum, task settings of every migration within documented limits, plus {statements} (attested)",
        checked: "Account quotas below their maximum and task settings within documented limits; understanding stated.",
        evidence: "DescribeAccountAttributes; task settings MaxFullLoadSubTasks, LobMaxSize, InlineLobMaxSize",
        verdicts: "not_met outside limits; insufficient_evidence without quotas; attested / attestation_required",
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
        for m in input.every_migration() {
            if let Some(n) = m.settings.max_full_load_sub_tasks.filter(|n| *n > max_sub) {
                problems.push(format!("{} MaxFullLoadSubTasks {n} > {max_sub}", m.id));
            }
            for (name, v) in [
                ("LobMaxSize", m.settings.lob_max_size),
                ("InlineLobMaxSize", m.settings.inline_lob_max_size),
            ] {
                if let Some(v) = v.filter(|v| *v > max_lob) {
                    problems.push(format!("{} {name} {v} KB > {max_lob} KB", m.id));
                }
            }
        }
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
