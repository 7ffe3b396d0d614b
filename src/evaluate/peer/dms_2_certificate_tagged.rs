//! DMS.2: certificates carry every required tag key (checklist `[peer].required_tag_keys`).

use super::{Context, Control, Kind, PeerStatus, Resource, tagged};

pub const CONTROL: Control = Control {
    id: "DMS.2",
    title: "Certificates should be tagged",
    listing: "dms:DescribeCertificates",
    kind: Kind::Certificate,
    tags: true,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    tagged(ctx, resource)
}
