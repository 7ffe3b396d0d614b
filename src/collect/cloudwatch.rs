//! CloudWatch: the DMS instance and task metrics (dimension values learned from
//! ListMetrics, not guessed) and the RDS/Aurora size, connection and IOPS metrics
//! of the databases the endpoints point at, hourly over the retention window,
//! fetched with GetMetricData in batches of up to 500 queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;
use futures::StreamExt;

use super::{Clients, Context, Plan};
use crate::facts::{Facts, MetricSeries};

/// GetMetricData accepts at most 500 queries per call.
pub const MAX_QUERIES: usize = 500;
pub const PERIOD: i32 = 3600;

/// AWS/DMS metrics read, with the statistic that answers the checklist.
pub const DMS_METRICS: &[(&str, &str)] = &[
    ("CPUUtilization", "Average"),
    ("FreeableMemory", "Minimum"),
    ("FreeStorageSpace", "Minimum"),
    ("SwapUsage", "Maximum"),
    ("CDCIncomingChanges", "Sum"),
    ("CDCThroughputRowsSource", "Average"),
    ("CDCThroughputRowsTarget", "Average"),
    ("CDCLatencySource", "Maximum"),
    ("CDCLatencyTarget", "Maximum"),
    ("FullLoadThroughputRowsTarget", "Average"),
    ("FullLoadThroughputBandwidthTarget", "Average"),
];

/// AWS/RDS metrics of an Aurora cluster (DBClusterIdentifier).
pub const CLUSTER_METRICS: &[(&str, &str)] = &[
    ("VolumeBytesUsed", "Maximum"),
    ("DatabaseConnections", "Maximum"),
    ("SelectThroughput", "Average"),
    ("DMLThroughput", "Average"),
];

/// AWS/RDS metrics of a DB instance (DBInstanceIdentifier).
pub const INSTANCE_METRICS: &[(&str, &str)] = &[
    ("FreeStorageSpace", "Minimum"),
    ("DatabaseConnections", "Maximum"),
    ("ReadIOPS", "Average"),
    ("WriteIOPS", "Average"),
    ("CPUUtilization", "Average"),
    ("FreeableMemory", "Minimum"),
    ("WriteLatency", "Average"),
];

/// One series to fetch.
#[derive(Debug, Clone)]
struct Query {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, String>,
    stat: &'static str,
}

pub async fn collect(
    plan: &Plan,
    c: &Clients,
    ctx: &Context,
    dms: &Facts,
    rds: &Facts,
) -> Vec<MetricSeries> {
    let mut queries = dms_queries(c, ctx, dms).await;
    queries.extend(rds_queries(dms, rds));
    if queries.is_empty() {
        return Vec::new();
    }
    let now = crate::time::now().secs();
    let end = now - now.rem_euclid(i64::from(PERIOD)) + i64::from(PERIOD);
    let start = end - plan.metric_days * 86_400;
    let batches: Vec<Vec<Query>> = queries.chunks(MAX_QUERIES).map(<[Query]>::to_vec).collect();
    let results = futures::stream::iter(
        batches
            .into_iter()
            .map(|batch| fetch(c, ctx, batch, start, end)),
    )
    .buffer_unordered(plan.concurrency.max(1))
    .collect::<Vec<_>>()
    .await;
    let mut series: Vec<MetricSeries> = results.into_iter().flatten().collect();
    series.sort_by(|a, b| {
        (&a.namespace, &a.name, &a.dimensions).cmp(&(&b.namespace, &b.name, &b.dimensions))
    });
    series
}

/// AWS/DMS series whose dimensions name this region's instances, tasks or
/// serverless configs, as ListMetrics reports them.
async fn dms_queries(c: &Clients, ctx: &Context, dms: &Facts) -> Vec<Query> {
    let mut ours: BTreeSet<&str> = BTreeSet::new();
    ours.extend(
        dms.replication_instances
            .iter()
            .map(|i| i.identifier.as_str()),
    );
    for t in &dms.tasks {
        ours.insert(&t.identifier);
        ours.insert(&t.resource_id);
    }
    for s in &dms.serverless {
        ours.insert(&s.identifier);
        ours.insert(s.config_arn.rsplit(':').next().unwrap_or_default());
    }
    if ours.is_empty() {
        return Vec::new();
    }
    let listed = ctx
        .call(
            "cloudwatch",
            "ListMetrics",
            &c.region,
            None,
            c.cloudwatch
                .list_metrics()
                .namespace("AWS/DMS")
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let stats: HashMap<&str, &'static str> = DMS_METRICS.iter().copied().collect();
    let mut queries = Vec::new();
    for metric in listed
        .map(|(pages, _)| pages)
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.metrics())
    {
        let Some(stat) = metric.metric_name().and_then(|n| stats.get(n)) else {
            continue;
        };
        let dimensions: BTreeMap<String, String> = metric
            .dimensions()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
            .collect();
        // Task metrics carry the instance dimension too: keep them only when the task is ours.
        let relevant = match dimensions.get("ReplicationTaskIdentifier") {
            Some(task) => ours.contains(task.as_str()),
            None => dimensions.values().any(|v| ours.contains(v.as_str())),
        };
        if relevant {
            queries.push(Query {
                namespace: "AWS/DMS".into(),
                name: metric.metric_name().unwrap_or_default().to_string(),
                dimensions,
                stat,
            });
        }
    }
    queries
}

/// AWS/RDS series of the databases this region's endpoints resolve to.
fn rds_queries(dms: &Facts, rds: &Facts) -> Vec<Query> {
    let used: BTreeSet<&str> = dms
        .endpoints
        .iter()
        .filter_map(|e| e.host.resource.as_deref())
        .collect();
    let mut queries = Vec::new();
    let mut instances: BTreeSet<&str> = BTreeSet::new();
    for cluster in rds
        .rds_clusters
        .iter()
        .filter(|c| used.contains(c.identifier.as_str()))
    {
        for (name, stat) in CLUSTER_METRICS {
            queries.push(rds_query(
                name,
                stat,
                "DBClusterIdentifier",
                &cluster.identifier,
            ));
        }
        instances.extend(cluster.members.iter().map(String::as_str));
    }
    instances.extend(
        rds.rds_instances
            .iter()
            .map(|d| d.identifier.as_str())
            .filter(|id| used.contains(id)),
    );
    for id in instances {
        for (name, stat) in INSTANCE_METRICS {
            queries.push(rds_query(name, stat, "DBInstanceIdentifier", id));
        }
    }
    queries
}

fn rds_query(name: &str, stat: &'static str, dimension: &str, value: &str) -> Query {
    Query {
        namespace: "AWS/RDS".into(),
        name: name.into(),
        dimensions: BTreeMap::from([(dimension.to_string(), value.to_string())]),
        stat,
    }
}

async fn fetch(
    c: &Clients,
    ctx: &Context,
    batch: Vec<Query>,
    start: i64,
    end: i64,
) -> Vec<MetricSeries> {
    let mut request = c
        .cloudwatch
        .get_metric_data()
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(end))
        .scan_by(ScanBy::TimestampAscending);
    for (i, q) in batch.iter().enumerate() {
        let metric = Metric::builder()
            .namespace(&q.namespace)
            .metric_name(&q.name)
            .set_dimensions(Some(
                q.dimensions
                    .iter()
                    .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                    .collect(),
            ))
            .build();
        request = request.metric_data_queries(
            MetricDataQuery::builder()
                .id(format!("m{i}"))
                .metric_stat(
                    MetricStat::builder()
                        .metric(metric)
                        .period(PERIOD)
                        .stat(q.stat)
                        .build(),
                )
                .return_data(true)
                .build(),
        );
    }
    let Some((pages, sources)) = ctx
        .call(
            "cloudwatch",
            "GetMetricData",
            &c.region,
            None,
            request
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await
    else {
        return Vec::new();
    };
    let mut points: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
    for result in pages.iter().flat_map(|p| p.metric_data_results()) {
        let entry = points
            .entry(result.id().unwrap_or_default().to_string())
            .or_default();
        entry.extend(
            result
                .timestamps()
                .iter()
                .map(DateTime::secs)
                .zip(result.values().iter().copied()),
        );
    }
    batch
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let mut pts = points.remove(&format!("m{i}")).unwrap_or_default();
            pts.sort_by_key(|(t, _)| *t);
            pts.dedup_by_key(|(t, _)| *t);
            MetricSeries {
                region: c.region.clone(),
                namespace: q.namespace,
                name: q.name,
                dimensions: q.dimensions,
                stat: q.stat.to_string(),
                period: PERIOD,
                timestamps: pts.iter().map(|(t, _)| *t).collect(),
                values: pts.iter().map(|(_, v)| *v).collect(),
                sources: sources.clone(),
            }
        })
        .collect()
}
