//! `workload_cdc_homogeneous`: dms.2.1.wl.cdc-homo, "CDC for a homogeneous migration between two similar database platforms".

use super::{Answer, pattern, with_cdc};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, params::NoParams};

/// The `workload_cdc_homogeneous` rule.
pub struct WorkloadCdcHomogeneous;

impl Check for WorkloadCdcHomogeneous {
    const NAME: &'static str = "workload_cdc_homogeneous";
    const REMEDIATION: &'static str = super::REMEDIATION;
    const DOC: RuleDoc = RuleDoc {
        met: "changes applied by CDC (see dms.1.0.mig.cdc) on a migration that moved data within one engine family",
        checked: "CDC seen between databases of the same engine family.",
        evidence: "CDC activity, F",
        verdicts: "met / not_met / insufficient_evidence when a CDC-type migration that would show the pattern has no CDC activity on record (statistics reset, metrics past CloudWatch retention: unknown, not absent)",
        after_deletion: "the migration type and endpoints as they ran from {trail}, the changes applied from {series}: until the first of them expires",
    };
    const CDC_ACTIVITY: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        pattern(
            input,
            "CDC between databases of the same engine family",
            &[],
            |m, s, t| with_cdc(m, s.family == t.family, Answer::Yes),
        )
    }
}
