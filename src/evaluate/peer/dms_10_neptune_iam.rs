//! DMS.10: Neptune endpoints use IAM authorization (NeptuneSettings.IamAuthEnabled).

use super::{Context, Control, Kind, PeerStatus, Resource, flag, setting};

pub const CONTROL: Control = Control {
    id: "DMS.10",
    title: "Neptune endpoints use IAM authorization",
    listing: "dms:DescribeEndpoints",
    kind: Kind::Endpoint,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Endpoint(e) = resource else {
        return None;
    };
    (e.engine == "neptune").then(|| {
        let on = setting(e, "NeptuneSettings", "IamAuthEnabled").and_then(|v| v.as_bool());
        (flag(on, true), "NeptuneSettings.IamAuthEnabled".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::endpoint;
    use crate::facts::HostKind;

    #[test]
    fn only_neptune_and_by_its_flag() {
        for (engine, iam, want) in [
            ("neptune", Some(true), Some(PeerStatus::Passed)),
            ("neptune", Some(false), Some(PeerStatus::Failed)),
            ("neptune", None, Some(PeerStatus::Unknown)),
            ("postgres", Some(true), None),
        ] {
            let mut e = endpoint("e", "target", engine, HostKind::AwsManaged, None);
            if let Some(on) = iam {
                e.settings.insert(
                    "NeptuneSettings".into(),
                    serde_json::json!({ "IamAuthEnabled": on }),
                );
            }
            let got = super::super::testkit::check(&CONTROL, Resource::Endpoint(&e));
            assert_eq!(got.map(|(s, _)| s), want, "{engine} {iam:?}");
        }
    }
}
