//! DMS.7: replication tasks log the target (TARGET_APPLY and TARGET_LOAD at default
//! severity or above, with logging on).

use super::{Context, Control, Kind, PeerStatus, Resource, logging};

pub const CONTROL: Control = Control {
    id: "DMS.7",
    title: "Target database logging for replication tasks",
    listing: "dms:DescribeReplicationTasks",
    kind: Kind::Task,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    logging(resource, ["TARGET_APPLY", "TARGET_LOAD"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Task, TaskSettings};

    #[test]
    fn both_target_components_must_log() {
        let on = |c: &[(&str, &str)]| -> Vec<(String, String)> {
            c.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        for (enabled, components, want) in [
            (
                Some(true),
                on(&[
                    ("TARGET_APPLY", "LOGGER_SEVERITY_DEFAULT"),
                    ("TARGET_LOAD", "LOGGER_SEVERITY_DEBUG"),
                ]),
                PeerStatus::Passed,
            ),
            (
                Some(true),
                on(&[
                    ("TARGET_APPLY", "LOGGER_SEVERITY_DEFAULT"),
                    ("TARGET_LOAD", "LOGGER_SEVERITY_ERROR"),
                ]),
                PeerStatus::Failed,
            ),
            (Some(true), vec![], PeerStatus::Failed),
            (Some(false), vec![], PeerStatus::Failed),
            (None, vec![], PeerStatus::Unknown),
        ] {
            let t = Task {
                settings: TaskSettings {
                    logging_enabled: enabled,
                    log_components: components.clone(),
                    ..TaskSettings::default()
                },
                ..Task::default()
            };
            let got = super::super::testkit::check(&CONTROL, Resource::Task(&t));
            assert_eq!(
                got.map(|(s, _)| s),
                Some(want),
                "{enabled:?} {components:?}"
            );
        }
    }
}
