//! DMS.13: replication instances should be Multi-AZ.

use super::{Context, Control, Kind, PeerStatus, Resource, flag, show};

pub const CONTROL: Control = Control {
    id: "DMS.13",
    title: "Replication instances should be Multi-AZ",
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
        flag(i.multi_az, true),
        format!("MultiAZ {}", show(&i.multi_az)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ReplicationInstance;

    #[test]
    fn multi_az_passes() {
        super::super::testkit::flag_cases(&CONTROL, true, |v| ReplicationInstance {
            multi_az: v,
            ..ReplicationInstance::default()
        });
    }
}
