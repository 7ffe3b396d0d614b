//! DMS.1: replication instances should not be public — judged on PubliclyAccessible
//! alone, whatever the security groups (a peer that looks at the groups misses a
//! public instance whose groups are opened later).

use super::{Context, Control, Kind, PeerStatus, Resource, flag, show};

pub const CONTROL: Control = Control {
    id: "DMS.1",
    title: "Replication instances should not be public",
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
        flag(i.publicly_accessible, false),
        format!(
            "PubliclyAccessible {} (judged on the flag alone, whatever the security groups)",
            show(&i.publicly_accessible)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ReplicationInstance;

    #[test]
    fn the_flag_decides() {
        super::super::testkit::flag_cases(&CONTROL, false, |v| ReplicationInstance {
            publicly_accessible: v,
            ..ReplicationInstance::default()
        });
    }
}
