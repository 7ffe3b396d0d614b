//! DMS.5: replication subnet groups carry every required tag key (checklist `[peer].required_tag_keys`).

use super::{Context, Control, Kind, PeerStatus, Resource, tagged};

pub const CONTROL: Control = Control {
    id: "DMS.5",
    title: "Replication subnet groups should be tagged",
    listing: "dms:DescribeReplicationSubnetGroups",
    kind: Kind::SubnetGroup,
    tags: true,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    tagged(ctx, resource)
}
