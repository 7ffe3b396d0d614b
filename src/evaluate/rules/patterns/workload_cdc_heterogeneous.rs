//! `workload_cdc_heterogeneous`: dms.2.1.wl.cdc-hetero, "CDC for a heterogeneous migration between an on-premises production database and Amazon RDS or Amazon Aurora".

use super::{outside_or_ec2, pattern, with_cdc};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, params::NoParams};
use crate::facts::HostKind;

/// The `workload_cdc_heterogeneous` rule.
pub struct WorkloadCdcHeterogeneous;

impl Check for WorkloadCdcHeterogeneous {
    const NAME: &'static str = "workload_cdc_heterogeneous";
    const REMEDIATION: &'static str = super::REMEDIATION;
    const DOC: RuleDoc = RuleDoc {
        met: "changes applied by CDC (see dms.1.0.mig.cdc) on a heterogeneous migration that moved data to RDS/Aurora from a source outside AWS (unverified with the doubt stated; unknown needs the claim)",
        checked: "CDC seen from an external source to RDS/Aurora of a different engine family.",
        evidence: "CDC activity, HOST, F",
        verdicts: "met / not_met / insufficient_evidence when a CDC-type migration that would show the pattern has no CDC activity on record (statistics reset, metrics past CloudWatch retention: unknown, not absent); 2.1 needs one workload pattern",
        after_deletion: "the migration type and endpoints as they ran from {trail}, the changes applied from {series}: until the first of them expires",
    };
    const CDC_ACTIVITY: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        pattern(
            input,
            "CDC from a database outside AWS to RDS/Aurora on a different engine",
            &[
                "on-premises",
                "on-prem",
                "onprem",
                "data-center",
                "datacenter",
            ],
            |m, s, t| {
                with_cdc(
                    m,
                    s.family != t.family && matches!(t.host.kind, HostKind::Rds | HostKind::Aurora),
                    outside_or_ec2(s, false),
                )
            },
        )
    }
}
