//! DMS.8: replication tasks log the source (SOURCE_CAPTURE and SOURCE_UNLOAD at
//! default severity or above, with logging on).

use super::{Context, Control, Kind, PeerStatus, Resource, logging};

pub const CONTROL: Control = Control {
    id: "DMS.8",
    title: "Source database logging for replication tasks",
    listing: "dms:DescribeReplicationTasks",
    kind: Kind::Task,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    logging(resource, ["SOURCE_CAPTURE", "SOURCE_UNLOAD"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Task, TaskSettings};

    #[test]
    fn both_source_components_must_log() {
        let t = |unload: &str| Task {
            settings: TaskSettings {
                logging_enabled: Some(true),
                log_components: vec![
                    ("SOURCE_CAPTURE".into(), "LOGGER_SEVERITY_DEFAULT".into()),
                    ("SOURCE_UNLOAD".into(), unload.into()),
                ],
                ..TaskSettings::default()
            },
            ..Task::default()
        };
        for (unload, want) in [
            ("LOGGER_SEVERITY_DETAILED_DEBUG", PeerStatus::Passed),
            ("LOGGER_SEVERITY_WARNING", PeerStatus::Failed),
        ] {
            let task = t(unload);
            let got = super::super::testkit::check(&CONTROL, Resource::Task(&task));
            assert_eq!(got.map(|(s, _)| s), Some(want), "{unload}");
        }
    }
}
