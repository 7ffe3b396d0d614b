//! Tasks known only from their traces: deleted so long ago that no DMS call and no
//! CloudTrail event names them, yet CloudWatch still holds their AWS/DMS series (455 days,
//! CloudWatch User Guide, "Metrics retention"). ListMetrics hides a series without data in
//! the past two weeks (CloudWatch API Reference, ListMetrics), so the dimensions come from
//! a log stream DMS wrote (`dms-task-<resource id>` in `dms-tasks-<instance identifier>`,
//! DMS User Guide, "Monitoring replication tasks using Amazon CloudWatch") or from a
//! pointer the case study declares (`[[deleted_task]]`). A pointer only says where to look:
//! a task joins the evidence when CloudWatch holds data under it, and is then known from
//! that data alone (no endpoints, settings, type or dates of its own).

use super::{Facts, LogGroup, MetricSeries, Task, Trace};
use crate::casestudy::TaskPointer;

/// The log group prefix and stream prefix DMS writes a task's log to.
const TASK_GROUP: &str = "dms-tasks-";
const TASK_STREAM: &str = "dms-task-";

/// Where to look for one task's series: the dimensions (the resource id, and the instance
/// in `trace`), and what named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    pub resource_id: String,
    pub trace: Trace,
}

/// The pointers of one region that name no task the evidence already holds: the task
/// streams of the `dms-tasks-*` groups, then the case study's (one per resource id; a
/// stream's instance is DMS's own naming and wins over a declared one).
pub fn pointers(
    region: &str,
    groups: &[LogGroup],
    declared: &[TaskPointer],
    facts: &Facts,
) -> Vec<Pointer> {
    let known = |id: &str| {
        facts
            .tasks
            .iter()
            .any(|t| t.region == region && t.resource_id == id)
    };
    let mut out: Vec<Pointer> = Vec::new();
    // In name order, whatever order the listing came in: a resource id two groups name
    // takes the same instance on every run.
    let mut groups: Vec<&LogGroup> = groups.iter().filter(|g| g.region == region).collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let streams = groups.into_iter().flat_map(|g| {
        let instance = g.name.strip_prefix(TASK_GROUP);
        g.latest_streams.iter().filter_map(move |(stream, last)| {
            let id = stream.strip_prefix(TASK_STREAM)?;
            Some((instance?, id, format!("{}/{stream}", g.name), *last))
        })
    });
    for (instance, id, stream, last_event) in streams {
        if known(id) || out.iter().any(|p| p.resource_id == id) {
            continue;
        }
        out.push(Pointer {
            resource_id: id.to_string(),
            trace: Trace {
                instance: instance.to_string(),
                log_stream: Some(stream),
                last_event,
                declared: false,
            },
        });
    }
    for d in declared.iter().filter(|d| d.region == region) {
        if known(&d.resource_id) {
            continue;
        }
        match out.iter_mut().find(|p| p.resource_id == d.resource_id) {
            Some(p) => p.trace.declared = true,
            None => out.push(Pointer {
                resource_id: d.resource_id.clone(),
                trace: Trace {
                    instance: d.replication_instance.clone(),
                    declared: true,
                    ..Trace::default()
                },
            }),
        }
    }
    out
}

/// Adds a task for each pointer under which CloudWatch returned data, citing the series
/// (and the log group that named it). A pointer without data adds nothing.
pub fn join(facts: &mut Facts, region: &str, account: &str, pointers: Vec<Pointer>) {
    for p in pointers {
        let series: Vec<&MetricSeries> = facts
            .metrics
            .iter()
            .filter(|s| s.region == region && names(s, &p))
            .collect();
        if series.iter().all(|s| s.values.is_empty()) {
            continue;
        }
        let mut sources: Vec<String> = series.iter().flat_map(|s| s.sources.clone()).collect();
        if let Some(stream) = &p.trace.log_stream {
            let group = stream.split('/').next().unwrap_or_default();
            let groups = facts.log_groups.iter();
            let g = groups.filter(|g| g.region == region && g.name == group);
            sources.extend(g.flat_map(|g| g.sources.clone()));
        }
        sources.sort();
        sources.dedup();
        facts.tasks.push(Task {
            region: region.to_string(),
            identifier: p.resource_id.clone(),
            arn: task_arn(region, account, &p.resource_id),
            resource_id: p.resource_id,
            sources,
            traced: Some(p.trace),
            ..Task::default()
        });
    }
}

/// Whether a series carries a pointer's task dimensions.
fn names(s: &MetricSeries, p: &Pointer) -> bool {
    let dim = |k: &str| s.dimensions.get(k).map(String::as_str);
    s.namespace == "AWS/DMS"
        && dim("ReplicationTaskIdentifier") == Some(p.resource_id.as_str())
        && dim("ReplicationInstanceIdentifier") == Some(p.trace.instance.as_str())
}

/// The ARN DMS gives a task: `arn:<partition>:dms:<region>:<account>:task:<resource id>`
/// (DMS User Guide, "Constructing an Amazon Resource Name (ARN) for AWS DMS").
fn task_arn(region: &str, account: &str, resource_id: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:dms:{region}:{account}:task:{resource_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn group(name: &str, streams: &[&str]) -> LogGroup {
        LogGroup {
            region: "us-east-1".into(),
            name: name.into(),
            latest_streams: streams
                .iter()
                .map(|s| (s.to_string(), Some(Timestamp::from_secs(1_000))))
                .collect(),
            sources: vec![format!("logs-{name}")],
            ..LogGroup::default()
        }
    }

    fn series(instance: &str, task: &str, values: &[f64]) -> MetricSeries {
        MetricSeries {
            region: "us-east-1".into(),
            namespace: "AWS/DMS".into(),
            name: "FullLoadThroughputRowsTarget".into(),
            dimensions: [
                ("ReplicationInstanceIdentifier", instance),
                ("ReplicationTaskIdentifier", task),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            timestamps: values.iter().map(|_| Timestamp::from_secs(0)).collect(),
            values: values.to_vec(),
            sources: vec![format!("cw-{task}")],
            ..MetricSeries::default()
        }
    }

    fn declared(region: &str, id: &str, instance: &str) -> TaskPointer {
        TaskPointer {
            region: region.into(),
            resource_id: id.into(),
            replication_instance: instance.into(),
        }
    }

    #[test]
    fn pointers_come_from_task_streams_and_the_case_study_once_each() {
        let facts = Facts {
            tasks: vec![Task {
                region: "us-east-1".into(),
                resource_id: "LIVE".into(),
                ..Task::default()
            }],
            ..Facts::default()
        };
        let groups = [
            group("dms-tasks-ri", &["dms-task-OLD", "dms-task-LIVE", "other"]),
            group("dms-serverless-replication-X", &["dms-task-NOT"]),
            group("dms-tasks-ri2", &["dms-task-OLD"]),
        ];
        let got = pointers(
            "us-east-1",
            &groups,
            &[
                declared("us-east-1", "OLD", "elsewhere"),
                declared("us-east-1", "GONE", "ri3"),
                declared("us-east-1", "LIVE", "ri"),
                declared("eu-west-1", "EU", "ri"),
            ],
            &facts,
        );
        let seen: Vec<(&str, &str, Option<&str>, bool)> = got
            .iter()
            .map(|p| {
                (
                    p.resource_id.as_str(),
                    p.trace.instance.as_str(),
                    p.trace.log_stream.as_deref(),
                    p.trace.declared,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("OLD", "ri", Some("dms-tasks-ri/dms-task-OLD"), true),
                ("GONE", "ri3", None, true),
            ]
        );
    }

    #[test]
    fn a_pointer_adds_a_task_only_when_cloudwatch_holds_data_under_it() {
        let mut facts = Facts {
            metrics: vec![
                series("ri", "OLD", &[0.0, 120.0]),
                series("ri", "EMPTY", &[]),
                series("other-ri", "ELSEWHERE", &[5.0]),
            ],
            log_groups: vec![group("dms-tasks-ri", &["dms-task-OLD", "dms-task-EMPTY"])],
            ..Facts::default()
        };
        let groups = facts.log_groups.clone();
        let mut found = pointers("us-east-1", &groups, &[], &facts);
        found.push(Pointer {
            resource_id: "ELSEWHERE".into(),
            trace: Trace {
                instance: "ri".into(),
                ..Trace::default()
            },
        });
        join(&mut facts, "us-east-1", "111111111111", found);
        let tasks: Vec<(&str, &str, &[String])> = facts
            .tasks
            .iter()
            .map(|t| (t.identifier.as_str(), t.arn.as_str(), t.sources.as_slice()))
            .collect();
        assert_eq!(
            tasks,
            [(
                "OLD",
                "arn:aws:dms:us-east-1:111111111111:task:OLD",
                &["cw-OLD".to_string(), "logs-dms-tasks-ri".to_string()][..]
            )],
            "no data under EMPTY, and ELSEWHERE's series name another instance"
        );
        assert_eq!(
            task_arn("cn-north-1", "1", "X"),
            "arn:aws-cn:dms:cn-north-1:1:task:X"
        );
    }
}
