//! CloudWatch Logs: the DMS task and serverless log groups, their retention and
//! the latest stream activity (the "task log" evidence).

use futures::StreamExt;

use super::{Clients, Context, Plan};
use crate::facts::{Facts, LogGroup};

/// Log group name prefixes DMS writes to.
pub const PREFIXES: &[&str] = &["dms-tasks-", "dms-serverless-replication-"];
const LATEST_STREAMS: i32 = 5;

pub async fn list_groups(c: &Clients, ctx: &Context) -> Vec<LogGroup> {
    let lists = futures::future::join_all(
        PREFIXES
            .iter()
            .map(|prefix| describe_groups(c, ctx, prefix)),
    )
    .await;
    lists.into_iter().flatten().collect()
}

async fn describe_groups(c: &Clients, ctx: &Context, prefix: &str) -> Vec<LogGroup> {
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
    let Some((pages, sources)) = found else {
        return Vec::new();
    };
    pages
        .iter()
        .flat_map(|p| p.log_groups())
        .map(|g| LogGroup {
            region: c.region.clone(),
            name: g.log_group_name().unwrap_or_default().to_string(),
            retention_days: g.retention_in_days(),
            stored_bytes: g.stored_bytes(),
            created: g
                .creation_time()
                .map(|ms| crate::time::rfc3339(&aws_smithy_types::DateTime::from_millis(ms))),
            latest_streams: Vec::new(),
            sources: sources.clone(),
        })
        .collect()
}

/// Adds the groups tasks name in their settings, then each group's latest streams.
pub async fn latest_streams(
    plan: &Plan,
    c: &Clients,
    ctx: &Context,
    mut groups: Vec<LogGroup>,
    dms: &Facts,
) -> Vec<LogGroup> {
    // Each group named in task settings and not listed under a DMS prefix, looked up
    // once however many tasks name it, concurrently.
    let named: std::collections::BTreeSet<String> = dms
        .tasks
        .iter()
        .filter(|t| t.region == c.region)
        .filter_map(|t| t.settings.log_group.clone())
        .filter(|name| !groups.iter().any(|g| &g.name == name))
        .collect();
    let extra: Vec<Vec<LogGroup>> =
        futures::stream::iter(named.into_iter().map(|name| async move {
            let found = describe_groups(c, ctx, &name).await;
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
                            crate::time::rfc3339(&aws_smithy_types::DateTime::from_millis(ms))
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
