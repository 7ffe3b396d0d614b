//! `workload_cdc_homogeneous`: dms.2.1.wl.cdc-homo, "CDC for a homogeneous migration between two similar database platforms".

use super::{Answer, pattern, with_cdc};
use crate::evaluate::rules::{Check, Finding, Input, Item, params::NoParams};

/// The `workload_cdc_homogeneous` rule.
pub struct WorkloadCdcHomogeneous;

impl Check for WorkloadCdcHomogeneous {
    const NAME: &'static str = "workload_cdc_homogeneous";
    const REMEDIATION: &'static str = "";
    const CDC_ACTIVITY: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        pattern(
            input,
            "CDC between databases of the same engine family",
            &[],
            |m, s, t| with_cdc(input, m, s.family == t.family, Answer::Yes),
        )
    }
}
