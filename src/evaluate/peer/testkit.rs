//! Running one control on one resource, for the controls' table tests.

use super::{Context, Control, PeerStatus, Resource};
use crate::evaluate::rules::testkit::empty;
use crate::evaluate::view::Input;
use crate::evidence::Evidence;

/// The control's answer for `resource` in otherwise empty evidence.
pub fn check(control: &Control, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    check_in(&empty(), control, resource, &[])
}

/// The control's answer for `resource` with the facts of `ev` and the required tag keys.
pub fn check_in(
    ev: &Evidence,
    control: &Control,
    resource: Resource<'_>,
    required_tag_keys: &[String],
) -> Option<(PeerStatus, String)> {
    let input = Input::new(ev);
    let ctx = Context {
        input: &input,
        required_tag_keys,
    };
    (control.check)(&ctx, resource)
}

/// A flag control on a replication instance: passed when `set(Some(good))`, failed on
/// the other value, unknown when the flag is not reported.
pub fn flag_cases(
    control: &Control,
    good: bool,
    set: impl Fn(Option<bool>) -> crate::facts::ReplicationInstance,
) {
    for (value, want) in [
        (Some(good), PeerStatus::Passed),
        (Some(!good), PeerStatus::Failed),
        (None, PeerStatus::Unknown),
    ] {
        let i = set(value);
        let got = check(control, Resource::Instance(&i));
        assert_eq!(got.map(|(s, _)| s), Some(want), "{} {value:?}", control.id);
    }
}
