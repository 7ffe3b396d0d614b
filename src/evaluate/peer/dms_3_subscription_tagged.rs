//! DMS.3: event subscriptions carry every required tag key (checklist `[peer].required_tag_keys`).

use super::{Context, Control, Kind, PeerStatus, Resource, tagged};

pub const CONTROL: Control = Control {
    id: "DMS.3",
    title: "Event subscriptions should be tagged",
    listing: "dms:DescribeEventSubscriptions",
    kind: Kind::EventSubscription,
    tags: true,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    tagged(ctx, resource)
}
