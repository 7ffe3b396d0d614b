//! DMS.12: Redis endpoints use TLS (RedisSettings.SslSecurityProtocol ssl-encryption).

use super::{Context, Control, Kind, PeerStatus, Resource, setting, show};

pub const CONTROL: Control = Control {
    id: "DMS.12",
    title: "Redis endpoints use TLS",
    listing: "dms:DescribeEndpoints",
    kind: Kind::Endpoint,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Endpoint(e) = resource else {
        return None;
    };
    (e.engine == "redis").then(|| {
        let p = setting(e, "RedisSettings", "SslSecurityProtocol")
            .and_then(|v| v.as_str().map(str::to_string));
        let status = match p.as_deref() {
            Some("ssl-encryption") => PeerStatus::Passed,
            Some(_) => PeerStatus::Failed,
            None => PeerStatus::Unknown,
        };
        (
            status,
            format!("RedisSettings.SslSecurityProtocol {}", show(&p)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::endpoint;
    use crate::facts::HostKind;

    #[test]
    fn the_protocol_decides() {
        for (protocol, want) in [
            (Some("ssl-encryption"), PeerStatus::Passed),
            (Some("plaintext"), PeerStatus::Failed),
            (None, PeerStatus::Unknown),
        ] {
            let mut e = endpoint("e", "target", "redis", HostKind::AwsManaged, None);
            if let Some(p) = protocol {
                e.settings.insert(
                    "RedisSettings".into(),
                    serde_json::json!({ "SslSecurityProtocol": p }),
                );
            }
            let got = super::super::testkit::check(&CONTROL, Resource::Endpoint(&e));
            assert_eq!(got.map(|(s, _)| s), Some(want), "{protocol:?}");
        }
    }
}
