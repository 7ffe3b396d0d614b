//! DMS.9: endpoints should use SSL. Security Hub checks SslMode != none; each engine
//! is judged here by its own setting and the modes DMS supports for it, and services
//! with TLS built in (no SslMode choice) are not failed.

use super::{Context, Control, Kind, PeerStatus, Resource};
use crate::facts::endpoint::{InFlight, in_flight};

pub const CONTROL: Control = Control {
    id: "DMS.9",
    title: "Endpoints should use SSL",
    listing: "dms:DescribeEndpoints",
    kind: Kind::Endpoint,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Endpoint(e) = resource else {
        return None;
    };
    Some(match in_flight(e) {
        InFlight::Encrypted(how) => (PeerStatus::Passed, how),
        InFlight::Plaintext(why) => (PeerStatus::Failed, why),
        InFlight::BuiltIn(why) => (
            PeerStatus::NotApplicable,
            format!("{why} (peers report a false failure here)"),
        ),
        InFlight::Unknown(why) => (PeerStatus::Unknown, why),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::endpoint;
    use crate::facts::HostKind;

    #[test]
    fn each_engine_by_its_own_setting() {
        for (engine, ssl, want) in [
            ("postgres", Some("require"), PeerStatus::Passed),
            ("postgres", Some("none"), PeerStatus::Failed),
            ("dynamodb", None, PeerStatus::NotApplicable),
        ] {
            let e = endpoint("e", "target", engine, HostKind::AwsManaged, ssl);
            let got = super::super::testkit::check(&CONTROL, Resource::Endpoint(&e));
            assert_eq!(got.map(|(s, _)| s), Some(want), "{engine} {ssl:?}");
        }
    }
}
