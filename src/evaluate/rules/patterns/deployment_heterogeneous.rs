//! `deployment_heterogeneous`: dms.2.1.dep.hetero, "A migration to Amazon Aurora, Amazon RDS, Amazon Redshift, or Amazon DynamoDB from a different engine".

use super::{Answer, and, named_target, pattern};
use crate::evaluate::rules::{Check, Finding, Input, Item, params::NoParams};

/// The `deployment_heterogeneous` rule.
pub struct DeploymentHeterogeneous;

impl Check for DeploymentHeterogeneous {
    const NAME: &'static str = "deployment_heterogeneous";
    const REMEDIATION: &'static str = "";
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
