//! DMS.4: replication instances carry every required tag key (checklist `[peer].required_tag_keys`).

use super::{Context, Control, Kind, PeerStatus, Resource, tagged};

pub const CONTROL: Control = Control {
    id: "DMS.4",
    title: "Replication instances should be tagged",
    listing: "dms:DescribeReplicationInstances",
    kind: Kind::Instance,
    tags: true,
    check,
};

fn check(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    tagged(ctx, resource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::empty;
    use crate::evidence::{Gap, GapKind};
    use crate::facts::{ReplicationInstance, ResourceTags};

    #[test]
    fn required_keys_present_missing_or_unreadable() {
        let arn = "arn:aws:dms:us-east-1:111111111111:rep:ri";
        let i = ReplicationInstance {
            region: "us-east-1".into(),
            arn: arn.into(),
            ..ReplicationInstance::default()
        };
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut tagged_ev = empty();
        tagged_ev.facts.tags = vec![ResourceTags {
            region: "us-east-1".into(),
            arn: arn.into(),
            tags: [("owner".to_string(), "dba".to_string())].into(),
            sources: vec![],
        }];
        let mut denied = tagged_ev.clone();
        denied.gaps = vec![Gap {
            service: "dms".into(),
            operation: "ListTagsForResource".into(),
            region: "us-east-1".into(),
            iam_action: "dms:ListTagsForResource".into(),
            kind: GapKind::AccessDenied,
            code: None,
            message: "denied".into(),
            resource: None,
        }];
        for (ev, required, want) in [
            (&tagged_ev, keys(&[]), PeerStatus::NotApplicable),
            (&tagged_ev, keys(&["owner"]), PeerStatus::Passed),
            (
                &tagged_ev,
                keys(&["owner", "cost-centre"]),
                PeerStatus::Failed,
            ),
            (&denied, keys(&["owner"]), PeerStatus::Unknown),
        ] {
            let got =
                super::super::testkit::check_in(ev, &CONTROL, Resource::Instance(&i), &required);
            assert_eq!(got.map(|(s, _)| s), Some(want), "{required:?}");
        }
    }
}
