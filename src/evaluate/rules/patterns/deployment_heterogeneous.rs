//! `deployment_heterogeneous`: dms.2.1.dep.hetero, "A migration to Amazon Aurora, Amazon RDS, Amazon Redshift, or Amazon DynamoDB from a different engine".

use super::{Answer, and, named_target, pattern};
use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, params::NoParams};

/// The `deployment_heterogeneous` rule.
pub struct DeploymentHeterogeneous;

impl Check for DeploymentHeterogeneous {
    const NAME: &'static str = "deployment_heterogeneous";
    const REMEDIATION: &'static str = super::REMEDIATION;
    const DOC: RuleDoc = RuleDoc {
        met: "a migration that moved data from one engine family to a different one on RDS, Aurora, Redshift or DynamoDB",
        checked: "A migration into Aurora, RDS, Redshift or DynamoDB from a different engine family.",
        evidence: "HOST(target), F(source) ≠ F(target)",
        verdicts: "met / not_met; 2.1 needs one deployment pattern",
        after_deletion: "the endpoints' engines as they ran, from {trail} or {config}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        pattern(
            input,
            "heterogeneous migration to a managed AWS database",
            &[],
            |_, s, t| and(named_target(t) && s.family != t.family, Answer::Yes),
        )
    }
}
