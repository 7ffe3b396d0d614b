//! CloudWatch Logs: the DMS task and serverless log groups, their retention and
//! the latest stream activity (the "task log" evidence).

use futures::StreamExt;

use super::{Clients, Context, Plan};
use crate::facts::{Facts, LogGroup, Timestamp};

/// Log group name prefixes DMS writes to.
pub const PREFIXES: &[&str] = &["dms-tasks-", "dms-serverless-replication-"];
/// The most recent streams of a group, newest first: one DescribeLogStreams page (at most
/// 50 items, CloudWatch Logs API Reference, DescribeLogStreams `limit`). A task's own stream,
/// and the streams of tasks no other source names ([`crate::facts::trace`]), are among them
/// unless the group holds more recent ones.
const LATEST_STREAMS: i32 = 50;

/// The groups under the DMS prefixes, and which prefixes were listed completely (a group
/// under one of those that is not listed does not exist: no need to look it up by name).
#[derive(Debug, Default)]
pub struct Listed {
    pub groups: Vec<LogGroup>,
    pub complete: Vec<&'static str>,
}

pub async fn list_groups(c: &Clients, ctx: &Context) -> Listed {
    let lists = futures::future::join_all(
        PREFIXES
            .iter()
            .map(|prefix| async move { (*prefix, describe_groups(c, ctx, prefix).await) }),
    )
    .await;
    let mut listed = Listed::default();
    for (prefix, groups) in lists {
        if let Some(groups) = groups {
            listed.complete.push(prefix);
            listed.groups.extend(groups);
        }
    }
    listed
}

/// One paged DescribeLogGroups on `prefix`; `None` when it failed (a gap).
async fn describe_groups(c: &Clients, ctx: &Context, prefix: &str) -> Option<Vec<LogGroup>> {
    let found = ctx
        .call(
            "logs",
            "DescribeLogGroups",
            &c.region,
            Some(prefix),
            c.logs
                .describe_log_groups()
                .log_group_name_prefix(prefix)
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let (pages, sources) = found?;
    let groups = pages
        .iter()
        .flat_map(|p| p.log_groups())
        .map(|g| LogGroup {
            region: c.region.clone(),
            name: g.log_group_name().unwrap_or_default().to_string(),
            retention_days: g.retention_in_days(),
            stored_bytes: g.stored_bytes(),
            created: g
                .creation_time()
                .map(|ms| Timestamp::from_sdk(&aws_smithy_types::DateTime::from_millis(ms))),
            latest_streams: Vec::new(),
            sources: sources.clone(),
        })
        .collect();
    Some(groups)
}

/// Adds the groups tasks name in their settings, then each group's latest streams.
pub async fn latest_streams(
    plan: &Plan,
    c: &Clients,
    ctx: &Context,
    listed: Listed,
    dms: &Facts,
) -> Vec<LogGroup> {
    let mut groups = listed.groups;
    // Each group named in task settings outside the completely listed DMS prefixes (a
    // name under one of them that was not listed does not exist), looked up once however
    // many tasks name it, concurrently.
    let named: std::collections::BTreeSet<String> = dms
        .tasks
        .iter()
        .filter(|t| t.region == c.region)
        .filter_map(|t| t.settings.log_group.clone())
        .filter(|name| !groups.iter().any(|g| &g.name == name))
        .filter(|name| !listed.complete.iter().any(|p| name.starts_with(p)))
        .collect();
    let extra: Vec<Vec<LogGroup>> =
        futures::stream::iter(named.into_iter().map(|name| async move {
            let found = describe_groups(c, ctx, &name).await.unwrap_or_default();
            found.into_iter().filter(|g| g.name == name).collect()
        }))
        .buffer_unordered(plan.concurrency.max(1))
        .collect()
        .await;
    groups.extend(extra.into_iter().flatten());
    futures::stream::iter(groups.into_iter().map(|mut group| async move {
        let streams = ctx
            .call(
                "logs",
                "DescribeLogStreams",
                &c.region,
                Some(&group.name),
                c.logs
                    .describe_log_streams()
                    .log_group_name(&group.name)
                    .order_by(aws_sdk_cloudwatchlogs::types::OrderBy::LastEventTime)
                    .descending(true)
                    .limit(LATEST_STREAMS)
                    .send(),
            )
            .await;
        if let Some((out, sources)) = streams {
            group.latest_streams = out
                .log_streams()
                .iter()
                .map(|s| {
                    (
                        s.log_stream_name().unwrap_or_default().to_string(),
                        s.last_event_timestamp().map(|ms| {
                            Timestamp::from_sdk(&aws_smithy_types::DateTime::from_millis(ms))
                        }),
                    )
                })
                .collect();
            group.sources.extend(sources);
        }
        group
    }))
    .buffer_unordered(plan.concurrency.max(1))
    .collect()
    .await
}
