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
        evidence: "CDC activity, task status, stats FullLoadFinishDate/StopDate",
        verdicts: "met / not_met / insufficient_evidence when a CDC-type migration that would show the pattern has no CDC activity on record (statistics reset, metrics past CloudWatch retention: unknown, not absent)",
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
                with_cdc(
                    m,
                    m.status == Some("running")
                        || m.cdc_days(input.now).is_some_and(|d| d >= days)
                        || shared.get(s.arn.as_str()).is_some_and(|n| *n >= 2),
                    Answer::Yes,
                )
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
