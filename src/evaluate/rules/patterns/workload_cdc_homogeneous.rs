//! `workload_cdc_homogeneous`: dms.2.1.wl.cdc-homo, "CDC for a homogeneous migration between two similar database platforms".

use super::{Answer, and, cdc_seen, pattern};
use crate::evaluate::rules::{Check, Finding, Input, Item, params::NoParams};

/// The `workload_cdc_homogeneous` rule.
pub struct WorkloadCdcHomogeneous;

impl Check for WorkloadCdcHomogeneous {
    const NAME: &'static str = "workload_cdc_homogeneous";
    const REMEDIATION: &'static str = "";
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        pattern(
            input,
            "CDC between databases of the same engine family",
            &[],
            |m, s, t| and(cdc_seen(input, m) && s.family == t.family, Answer::Yes),
        )
    }
}
