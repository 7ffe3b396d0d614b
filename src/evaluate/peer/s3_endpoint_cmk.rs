//! S3 target endpoints use a customer-managed KMS key (AWS Config): EncryptionMode
//! SSE_KMS and a key whose KeyManager is CUSTOMER; SSE_S3 or an AWS-managed key is not one.

use super::{Context, Control, Kind, PeerStatus, Resource, setting, show};

pub const CONTROL: Control = Control {
    id: "dms-s3-endpoint-cmk",
    title: "S3 endpoints use a customer-managed KMS key",
    listing: "dms:DescribeEndpoints",
    kind: Kind::Endpoint,
    tags: false,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Endpoint(e) = resource else {
        return None;
    };
    if e.engine != "s3" {
        return None;
    }
    let mode = setting(e, "S3Settings", "EncryptionMode")
        .and_then(|v| v.as_str().map(|m| m.to_ascii_lowercase().replace('_', "-")));
    let key = setting(e, "S3Settings", "ServerSideEncryptionKmsKeyId")
        .and_then(|v| v.as_str().map(str::to_string))
        .filter(|k| !k.is_empty());
    let manager = key
        .as_deref()
        .and_then(|k| ctx.input.facts.key(&e.region, k))
        .and_then(|k| k.key_manager.clone());
    let status = match (mode.as_deref(), key.as_deref(), manager.as_deref()) {
        (Some("sse-kms"), Some(_), Some("CUSTOMER")) => PeerStatus::Passed,
        (Some("sse-kms"), Some(_), Some(_)) => PeerStatus::Failed,
        (Some("sse-kms"), Some(_), None) => PeerStatus::Unknown,
        (None, _, _) => PeerStatus::Unknown,
        _ => PeerStatus::Failed,
    };
    Some((
        status,
        format!(
            "S3Settings.EncryptionMode {}, ServerSideEncryptionKmsKeyId {} ({})",
            show(&mode),
            show(&key),
            manager.as_deref().unwrap_or("key not described")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::{empty, endpoint};
    use crate::facts::{HostKind, KmsKey};

    #[test]
    fn mode_key_and_manager() {
        for (mode, key, manager, want) in [
            (
                Some("SSE_KMS"),
                Some("k"),
                Some("CUSTOMER"),
                PeerStatus::Passed,
            ),
            (Some("SSE_KMS"), Some("k"), Some("AWS"), PeerStatus::Failed),
            (Some("SSE_KMS"), Some("k"), None, PeerStatus::Unknown),
            (Some("SSE_S3"), None, None, PeerStatus::Failed),
            (None, None, None, PeerStatus::Unknown),
        ] {
            let mut ev = empty();
            if let Some(m) = manager {
                ev.facts.kms_keys = vec![KmsKey {
                    region: "us-east-1".into(),
                    reference: "k".into(),
                    key_manager: Some(m.into()),
                    ..KmsKey::default()
                }];
            }
            let mut e = endpoint("e", "target", "s3", HostKind::AwsManaged, None);
            let mut s = serde_json::Map::new();
            if let Some(m) = mode {
                s.insert("EncryptionMode".into(), m.into());
            }
            if let Some(k) = key {
                s.insert("ServerSideEncryptionKmsKeyId".into(), k.into());
            }
            e.settings.insert("S3Settings".into(), s.into());
            let got = super::super::testkit::check_in(&ev, &CONTROL, Resource::Endpoint(&e), &[]);
            assert_eq!(
                got.map(|(s, _)| s),
                Some(want),
                "{mode:?} {key:?} {manager:?}"
            );
        }
    }
}
