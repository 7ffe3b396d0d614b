//! Certificates are not expired (AWS Config): ValidToDate after the evaluation's moment.

use super::{Context, Control, Kind, PeerStatus, Resource, show};

pub const CONTROL: Control = Control {
    id: "dms-certificate-not-expired",
    title: "Certificates are not expired",
    listing: "dms:DescribeCertificates",
    kind: Kind::Certificate,
    tags: false,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Certificate(c) = resource else {
        return None;
    };
    let status = match c.valid_to {
        Some(t) if t > ctx.input.now => PeerStatus::Passed,
        Some(_) => PeerStatus::Failed,
        None => PeerStatus::Unknown,
    };
    Some((status, format!("ValidToDate {}", show(&c.valid_to))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Certificate;

    #[test]
    fn expiry_against_the_evaluation_moment() {
        // The test evidence is evaluated as of 2026-11-27.
        for (valid_to, want) in [
            (Some("2030-01-01T00:00:00Z"), PeerStatus::Passed),
            (Some("2020-01-01T00:00:00Z"), PeerStatus::Failed),
            (None, PeerStatus::Unknown),
        ] {
            let c = Certificate {
                valid_to: valid_to.map(Into::into),
                ..Certificate::default()
            };
            let got = super::super::testkit::check(&CONTROL, Resource::Certificate(&c));
            assert_eq!(got.map(|(s, _)| s), Some(want), "{valid_to:?}");
        }
    }
}
