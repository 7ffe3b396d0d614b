//! DMS.6: replication instances should have automatic minor version upgrade enabled.

use super::{Context, Control, Kind, PeerStatus, Resource, flag, show};

pub const CONTROL: Control = Control {
    id: "DMS.6",
    title: "Automatic minor version upgrade enabled",
    listing: "dms:DescribeReplicationInstances",
    kind: Kind::Instance,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Instance(i) = resource else {
        return None;
    };
    Some((
        flag(i.auto_minor_version_upgrade, true),
        format!(
            "AutoMinorVersionUpgrade {}",
            show(&i.auto_minor_version_upgrade)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ReplicationInstance;

    #[test]
    fn enabled_passes() {
        super::super::testkit::flag_cases(&CONTROL, true, |v| ReplicationInstance {
            auto_minor_version_upgrade: v,
            ..ReplicationInstance::default()
        });
    }
}
