//! Replication instance storage encrypted with a customer-managed KMS key (AWS Config
//! and Prowler): the key's KeyManager decides; an undescribed key is unknown, not a pass.

use super::{Context, Control, Kind, PeerStatus, Resource};

pub const CONTROL: Control = Control {
    id: "dms-replication-instance-cmk",
    title: "Replication instance storage uses a customer-managed KMS key",
    listing: "dms:DescribeReplicationInstances",
    kind: Kind::Instance,
    tags: false,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Instance(i) = resource else {
        return None;
    };
    let key = i
        .kms_key_id
        .as_deref()
        .and_then(|k| ctx.input.facts.key(&i.region, k));
    let manager = key.and_then(|k| k.key_manager.as_deref());
    let status = match manager {
        Some("CUSTOMER") => PeerStatus::Passed,
        Some(_) => PeerStatus::Failed,
        None => PeerStatus::Unknown,
    };
    Some((
        status,
        format!(
            "KmsKeyId {} ({})",
            i.kms_key_id.as_deref().unwrap_or("none"),
            manager.unwrap_or("key not described")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::empty;
    use crate::facts::{KmsKey, ReplicationInstance};

    #[test]
    fn the_key_manager_decides() {
        for (manager, want) in [
            (Some("CUSTOMER"), PeerStatus::Passed),
            (Some("AWS"), PeerStatus::Failed),
            (None, PeerStatus::Unknown),
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
            let i = ReplicationInstance {
                region: "us-east-1".into(),
                kms_key_id: Some("k".into()),
                ..ReplicationInstance::default()
            };
            let got = super::super::testkit::check_in(&ev, &CONTROL, Resource::Instance(&i), &[]);
            assert_eq!(got.map(|(s, _)| s), Some(want), "{manager:?}");
        }
    }
}
