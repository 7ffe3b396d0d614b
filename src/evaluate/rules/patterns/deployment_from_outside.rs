//! `deployment_from_outside`: dms.2.1.dep.onprem-ec2, "A migration to Amazon Aurora, Amazon RDS, Amazon Redshift, or Amazon DynamoDB from an on-premises database or Amazon EC2".

use super::{and, named_target, outside_or_ec2, pattern};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams};

/// The `deployment_from_outside` rule.
pub struct DeploymentFromOutside;

impl Check for DeploymentFromOutside {
    const NAME: &'static str = "deployment_from_outside";
    const REMEDIATION: &'static str = super::REMEDIATION;
    const DOC: RuleDoc = RuleDoc {
        met: "a migration that moved data to RDS, Aurora, Redshift or DynamoDB from a source placed on EC2 or outside the account's VPCs (unverified names count with the doubt stated; no address needs `claims.source_hosting`, then attested)",
        checked: "A migration into Aurora, RDS, Redshift or DynamoDB from a source outside AWS (external) or on EC2. External is not proof of on-premises.",
        evidence: "HOST(source), HOST(target)",
        verdicts: "met / not_met",
        after_deletion: "the source and target endpoints as they ran, from {trail} or {config}; where their hosts were is placed against today's network and databases",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        let f = pattern(
            input,
            "migration from on premises or EC2 to a managed AWS database",
            &[
                "on-premises",
                "on-prem",
                "onprem",
                "data-center",
                "datacenter",
                "ec2",
            ],
            |_, s, t| and(named_target(t), outside_or_ec2(s, true)),
        );
        if f.verdict == Verdict::Met && f.reason.contains("on external") {
            let reason = format!(
                "{} (external: outside this account's VPCs, on premises or elsewhere; AWS cannot tell which)",
                f.reason
            );
            return Finding { reason, ..f };
        }
        f
    }
}
