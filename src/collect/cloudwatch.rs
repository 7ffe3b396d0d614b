//! CloudWatch: the DMS instance and task metrics and the size, load and connection
//! metrics of the databases the endpoints resolve to.
//!
//! Queries are built from the inventory, because ListMetrics omits metrics that
//! had no data in the past two weeks while GetMetricData still returns hourly data
//! for 455 days (CloudWatch User Guide, "Metrics retention"; API Reference,
//! ListMetrics). ListMetrics only adds series the inventory cannot name (DMS
//! Serverless, tasks whose instance is gone). Resolution follows need: hourly inside
//! migration windows, daily over the rest of the retention period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use futures::StreamExt;

use super::{Clients, Context, Plan};
use crate::evidence::MetricUsage;
use crate::facts::trace::Pointer;
use crate::facts::{ClusterKind, Facts, MetricSeries, run_window};
use crate::time::{DAY, HOUR, Span, Timestamp};

/// GetMetricData accepts at most 500 queries and returns at most 100,800 datapoints
/// per call (CloudWatch API Reference, GetMetricData).
pub const MAX_QUERIES: usize = 500;
pub const MAX_DATAPOINTS: usize = 100_800;
/// The periods asked for, in the seconds GetMetricData's `Period` takes.
pub const HOURLY: i32 = HOUR.whole_seconds() as i32;
pub const DAILY: i32 = DAY.whole_seconds() as i32;
/// GetMetricData price: USD per 1,000 metrics requested (CloudWatch pricing, us-east-1).
pub const USD_PER_1000_METRICS: f64 = 0.01;

/// AWS/DMS replication instance metrics (dimension ReplicationInstanceIdentifier).
pub const INSTANCE_METRICS: &[(&str, &str)] = &[
    ("CPUUtilization", "Average"),
    ("FreeableMemory", "Minimum"),
    ("FreeStorageSpace", "Minimum"),
    ("SwapUsage", "Maximum"),
];

/// AWS/DMS task metrics (ReplicationInstanceIdentifier + ReplicationTaskIdentifier,
/// the resource id at the end of the task ARN). CDCIncomingChanges is a gauge of
/// changes waiting to be applied: its Maximum shows flow, it is not a count.
pub const TASK_METRICS: &[(&str, &str)] = &[
    ("CDCIncomingChanges", "Maximum"),
    ("CDCThroughputRowsSource", "Average"),
    ("CDCThroughputRowsTarget", "Average"),
    ("CDCLatencySource", "Maximum"),
    ("CDCLatencyTarget", "Maximum"),
    ("FullLoadThroughputRowsSource", "Average"),
    ("FullLoadThroughputRowsTarget", "Average"),
    ("FullLoadThroughputBandwidthTarget", "Average"),
];

/// Cluster-level size and load metrics by cluster kind (Aurora User Guide, "Amazon
/// CloudWatch metrics for Amazon Aurora"; DocumentDB and Neptune developer guides).
fn cluster_metrics(kind: ClusterKind) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match kind {
        ClusterKind::Aurora => (
            "AWS/RDS",
            &[
                ("VolumeBytesUsed", "Maximum"),
                ("DatabaseConnections", "Maximum"),
                ("SelectThroughput", "Average"),
                ("DMLThroughput", "Average"),
            ],
        ),
        ClusterKind::DocumentDb => ("AWS/DocDB", &[("VolumeBytesUsed", "Maximum")]),
        ClusterKind::Neptune => ("AWS/Neptune", &[("VolumeBytesUsed", "Maximum")]),
        ClusterKind::MultiAz | ClusterKind::Other => ("AWS/RDS", &[]),
    }
}

/// AWS/RDS metrics of a DB instance (DBInstanceIdentifier).
pub const DB_INSTANCE_METRICS: &[(&str, &str)] = &[
    ("FreeStorageSpace", "Minimum"),
    ("DatabaseConnections", "Maximum"),
    ("ReadIOPS", "Average"),
    ("WriteIOPS", "Average"),
    ("CPUUtilization", "Average"),
    ("FreeableMemory", "Minimum"),
    ("WriteLatency", "Average"),
];

/// Adds one region's metric reads to the run's, pricing the queries at
/// [`USD_PER_1000_METRICS`].
pub fn add_usage(total: &mut MetricUsage, other: &MetricUsage) {
    total.series += other.series;
    total.queries += other.queries;
    total.calls += other.calls;
    total.pages += other.pages;
    total.datapoints += other.datapoints;
    total.estimated_cost_usd =
        (total.queries as f64 / 1000.0 * USD_PER_1000_METRICS * 1e6).round() / 1e6;
}

/// One series to fetch, and the windows it is wanted at hourly resolution.
#[derive(Debug, Clone)]
struct Query {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, String>,
    stat: &'static str,
    hourly: Windows,
}

fn query(
    namespace: &str,
    name: &str,
    stat: &'static str,
    dimensions: &[(&str, &str)],
    hourly: &[Span],
) -> Query {
    Query {
        namespace: namespace.to_string(),
        name: name.to_string(),
        dimensions: dimensions
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        stat,
        hourly: hourly.to_vec(),
    }
}

/// One GetMetricData request: which queries, over which span, at which period.
type Request = (Vec<usize>, Timestamp, Timestamp, i32);

pub async fn collect(
    plan: &Plan,
    c: &Clients,
    ctx: &Context,
    facts: &Facts,
    pointers: &[Pointer],
) -> Vec<MetricSeries> {
    let now = Timestamp::now();
    let end = now.floor(HOUR) + HOUR;
    let start = end - time::Duration::days(plan.metric_days);
    let mut queries = inventory_queries(facts, now, start);
    queries.extend(pointer_queries(pointers));
    let listed = listed_queries(c, ctx, facts, &queries).await;
    queries.extend(listed);
    if queries.is_empty() {
        return Vec::new();
    }
    let requests = requests(&queries, start, end);
    let results = futures::stream::iter(requests.into_iter().map(|(idx, a, b, period)| {
        let batch: Vec<(usize, &Query)> = idx.iter().map(|i| (*i, &queries[*i])).collect();
        fetch(c, ctx, batch, a, b, period)
    }))
    .buffer_unordered(plan.concurrency.max(1))
    .collect::<Vec<_>>()
    .await;
    let mut usage = MetricUsage::default();
    let mut points: HashMap<usize, Points> = HashMap::new();
    for (got, u) in results {
        add_usage(&mut usage, &u);
        for (i, period, pts, sources) in got {
            let entry = points.entry(i).or_default();
            if period == HOURLY {
                entry.1.extend(pts);
            } else {
                entry.0.extend(pts);
            }
            entry.2.extend(sources);
        }
    }
    let mut series: Vec<MetricSeries> = queries
        .into_iter()
        .enumerate()
        .map(|(i, q)| to_series(&c.region, q, points.remove(&i).unwrap_or_default()))
        .collect();
    usage.series = series.len();
    ctx.record_metric_usage(&usage);
    series.sort_by(|a, b| {
        (&a.namespace, &a.name, &a.dimensions).cmp(&(&b.namespace, &b.name, &b.dimensions))
    });
    series
}

/// Daily over the whole retention period for every series, and hourly inside each
/// migration window (grouped by window), batched within the datapoint limit.
fn requests(queries: &[Query], start: Timestamp, end: Timestamp) -> Vec<Request> {
    let daily_start = start.floor(DAY);
    let mut requests: Vec<Request> = Vec::new();
    let days = usize::try_from((end - daily_start).whole_days() + 1).unwrap_or(1);
    let indices: Vec<usize> = (0..queries.len()).collect();
    for batch in indices.chunks(batch_size(days)) {
        requests.push((batch.to_vec(), daily_start, end, DAILY));
    }
    let mut by_window: BTreeMap<Span, Vec<usize>> = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        for w in merge_windows(&q.hourly) {
            let a = (w.0 - HOUR).max(start).floor(HOUR);
            let b = (w.1 + HOUR).min(end);
            if b > a {
                by_window.entry((a, b)).or_default().push(i);
            }
        }
    }
    for ((a, b), idx) in by_window {
        let hours = usize::try_from((b - a).whole_hours() + 1).unwrap_or(1);
        for batch in idx.chunks(batch_size(hours)) {
            requests.push((batch.to_vec(), a, b, HOURLY));
        }
    }
    requests
}

/// One series: hourly points inside its windows, daily points elsewhere.
fn to_series(region: &str, q: Query, (daily, hourly, mut sources): Points) -> MetricSeries {
    let windows = merge_windows(&q.hourly);
    let covered = |t: Timestamp| windows.iter().any(|(a, b)| t >= *a - DAY && t <= *b + HOUR);
    let mut pts: Vec<(Timestamp, f64)> = daily.into_iter().filter(|(t, _)| !covered(*t)).collect();
    pts.extend(hourly);
    pts.sort_by_key(|(t, _)| *t);
    pts.dedup_by_key(|(t, _)| *t);
    sources.sort();
    sources.dedup();
    MetricSeries {
        region: region.to_string(),
        namespace: q.namespace,
        name: q.name,
        dimensions: q.dimensions,
        stat: q.stat.to_string(),
        period: if windows.is_empty() { DAILY } else { HOURLY },
        hourly_windows: windows,
        timestamps: pts.iter().map(|(t, _)| *t).collect(),
        values: pts.iter().map(|(_, v)| *v).collect(),
        sources,
    }
}

/// Queries per call so that one page stays within the datapoint limit.
fn batch_size(points_per_query: usize) -> usize {
    (MAX_DATAPOINTS / points_per_query.max(1)).clamp(1, MAX_QUERIES)
}

fn merge_windows(windows: &[Span]) -> Windows {
    let mut w = windows.to_vec();
    w.sort_unstable();
    let mut out: Windows = Vec::new();
    for (a, b) in w {
        match out.last_mut() {
            Some(last) if a <= last.1 + HOUR => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Time windows in which a series is wanted hourly.
type Windows = Vec<Span>;

/// Series named by the inventory: instances, tasks (by resource id), and the
/// databases endpoints resolve to, each with the windows of the migrations using it.
fn inventory_queries(facts: &Facts, now: Timestamp, start: Timestamp) -> Vec<Query> {
    let mut queries = Vec::new();
    let mut instance_windows: BTreeMap<&str, Windows> = BTreeMap::new();
    let mut endpoint_windows: BTreeMap<&str, Windows> = BTreeMap::new();
    let clip = |w: Span| (w.0.max(start), w.1);
    let mut note = |endpoint: Option<&str>, w: Option<Span>| {
        if let Some(e) = endpoint.and_then(|a| facts.endpoint(a)) {
            let entry = endpoint_windows.entry(e.arn.as_str()).or_default();
            entry.extend(w.map(clip));
        }
    };
    for t in &facts.tasks {
        let running = t.status.as_deref() == Some("running");
        let w = run_window(t.started, t.stats.as_ref(), running, now).filter(|w| w.1 >= start);
        note(t.source_arn.as_deref(), w);
        note(t.target_arn.as_deref(), w);
        let Some(inst) = t.instance_arn.as_deref().and_then(|a| facts.instance(a)) else {
            continue;
        };
        let hourly: Windows = w.map(clip).into_iter().collect();
        let entry = instance_windows
            .entry(inst.identifier.as_str())
            .or_default();
        entry.extend(hourly.iter().copied());
        let dims = [
            ("ReplicationInstanceIdentifier", inst.identifier.as_str()),
            ("ReplicationTaskIdentifier", t.resource_id.as_str()),
        ];
        for (name, stat) in TASK_METRICS {
            queries.push(query("AWS/DMS", name, stat, &dims, &hourly));
        }
    }
    for s in &facts.serverless {
        let running = s.status.as_deref() == Some("running");
        let w = run_window(None, s.stats.as_ref(), running, now).filter(|w| w.1 >= start);
        note(s.source_arn.as_deref(), w);
        note(s.target_arn.as_deref(), w);
    }
    for i in &facts.replication_instances {
        let hourly = instance_windows
            .get(i.identifier.as_str())
            .cloned()
            .unwrap_or_default();
        let dims = [("ReplicationInstanceIdentifier", i.identifier.as_str())];
        for (name, stat) in INSTANCE_METRICS {
            queries.push(query("AWS/DMS", name, stat, &dims, &hourly));
        }
    }
    queries.extend(database_queries(facts, &endpoint_windows));
    queries
}

/// The databases endpoints resolved to (clusters and their member instances), today
/// or before a ModifyEndpoint re-pointed them, with the windows of their migrations.
fn database_queries(facts: &Facts, endpoint_windows: &BTreeMap<&str, Windows>) -> Vec<Query> {
    let mut clusters: BTreeMap<&str, Windows> = BTreeMap::new();
    let mut instances: BTreeMap<&str, Windows> = BTreeMap::new();
    let hosts = facts.endpoints.iter().flat_map(|e| {
        std::iter::once(&e.host)
            .chain(e.hosts_then.iter().map(|h| &h.host))
            .filter_map(move |h| Some((e, h.resource.as_deref()?)))
    });
    for (e, resource) in hosts {
        let windows = endpoint_windows
            .get(e.arn.as_str())
            .cloned()
            .unwrap_or_default();
        fn add<'a>(map: &mut BTreeMap<&'a str, Windows>, id: &'a str, windows: &Windows) {
            map.entry(id).or_default().extend(windows.iter().copied());
        }
        if let Some(cl) = facts.rds_cluster(&e.region, resource) {
            add(&mut clusters, cl.identifier.as_str(), &windows);
            for m in &cl.members {
                add(&mut instances, m.as_str(), &windows);
            }
        } else if let Some(db) = facts.rds_instance(&e.region, resource) {
            add(&mut instances, db.identifier.as_str(), &windows);
            if let Some(cl) = db.cluster.as_deref() {
                add(&mut clusters, cl, &windows);
            }
        }
    }
    let mut queries = Vec::new();
    for (id, windows) in &clusters {
        let Some(cl) = facts.rds_clusters.iter().find(|c| c.identifier == *id) else {
            continue;
        };
        let (namespace, metrics) = cluster_metrics(cl.kind());
        for (name, stat) in metrics {
            queries.push(query(
                namespace,
                name,
                stat,
                &[("DBClusterIdentifier", id)],
                windows,
            ));
        }
    }
    for (id, windows) in &instances {
        for (name, stat) in DB_INSTANCE_METRICS {
            queries.push(query(
                "AWS/RDS",
                name,
                stat,
                &[("DBInstanceIdentifier", id)],
                windows,
            ));
        }
    }
    queries
}

/// The task series of tasks only a log stream or the case study names
/// ([`crate::facts::trace`]), daily over the retention period: their run is not dated.
fn pointer_queries(pointers: &[Pointer]) -> Vec<Query> {
    let mut queries = Vec::new();
    for p in pointers {
        let dims = [
            ("ReplicationInstanceIdentifier", p.trace.instance.as_str()),
            ("ReplicationTaskIdentifier", p.resource_id.as_str()),
        ];
        for (name, stat) in TASK_METRICS {
            queries.push(query("AWS/DMS", name, stat, &dims, &[]));
        }
    }
    queries
}

/// AWS/DMS series that ListMetrics reports for this region's resources and the
/// inventory could not name (DMS Serverless, tasks whose instance is gone).
async fn listed_queries(c: &Clients, ctx: &Context, facts: &Facts, known: &[Query]) -> Vec<Query> {
    let mut ours: BTreeSet<&str> = BTreeSet::new();
    ours.extend(
        facts
            .replication_instances
            .iter()
            .map(|i| i.identifier.as_str()),
    );
    ours.extend(facts.tasks.iter().map(|t| t.resource_id.as_str()));
    for s in &facts.serverless {
        ours.insert(&s.identifier);
        ours.insert(s.config_arn.rsplit(':').next().unwrap_or_default());
        ours.insert(&s.config_arn);
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
    let stats: HashMap<&str, &'static str> = INSTANCE_METRICS
        .iter()
        .chain(TASK_METRICS)
        .copied()
        .collect();
    let have: BTreeSet<(String, BTreeMap<String, String>)> = known
        .iter()
        .map(|q| (q.name.clone(), q.dimensions.clone()))
        .collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for metric in listed
        .map(|(pages, _)| pages)
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.metrics())
    {
        let Some(stat) = metric.metric_name().and_then(|n| stats.get(n)) else {
            continue;
        };
        let name = metric.metric_name().unwrap_or_default().to_string();
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
        let key = (name.clone(), dimensions.clone());
        if relevant && !have.contains(&key) && seen.insert(key) {
            out.push(Query {
                namespace: "AWS/DMS".into(),
                name,
                dimensions,
                stat,
                hourly: Vec::new(),
            });
        }
    }
    out
}

type Fetched = Vec<(usize, i32, Vec<(Timestamp, f64)>, Vec<String>)>;
/// Per query: daily points, hourly points, capture ids.
type Points = (Vec<(Timestamp, f64)>, Vec<(Timestamp, f64)>, Vec<String>);

/// The GetMetricData query `m<i>` for a series at a period.
fn metric_query(i: usize, q: &Query, period: i32) -> MetricDataQuery {
    let dimensions = q
        .dimensions
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    let metric = Metric::builder()
        .namespace(&q.namespace)
        .metric_name(&q.name)
        .set_dimensions(Some(dimensions))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(period)
        .stat(q.stat)
        .build();
    MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(stat)
        .return_data(true)
        .build()
}

async fn fetch(
    c: &Clients,
    ctx: &Context,
    batch: Vec<(usize, &Query)>,
    start: Timestamp,
    end: Timestamp,
    period: i32,
) -> (Fetched, MetricUsage) {
    let mut request = c
        .cloudwatch
        .get_metric_data()
        .start_time(start.to_sdk())
        .end_time(end.to_sdk())
        .scan_by(ScanBy::TimestampAscending);
    for (i, q) in &batch {
        request = request.metric_data_queries(metric_query(*i, q, period));
    }
    let mut usage = MetricUsage {
        calls: 1,
        queries: batch.len(),
        ..MetricUsage::default()
    };
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
        return (Vec::new(), usage);
    };
    usage.pages = pages.len();
    usage.queries = batch.len() * pages.len().max(1);
    let mut points: HashMap<String, Vec<(Timestamp, f64)>> = HashMap::new();
    for result in pages.iter().flat_map(|p| p.metric_data_results()) {
        let entry = points
            .entry(result.id().unwrap_or_default().to_string())
            .or_default();
        entry.extend(
            result
                .timestamps()
                .iter()
                .map(Timestamp::from_sdk)
                .zip(result.values().iter().copied()),
        );
    }
    let out: Fetched = batch
        .into_iter()
        .map(|(i, _)| {
            let pts = points.remove(&format!("m{i}")).unwrap_or_default();
            usage.datapoints += pts.len();
            (i, period, pts, sources.clone())
        })
        .collect();
    (out, usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_merge_and_batches_fit_a_page() {
        let at = Timestamp::from_secs;
        assert_eq!(
            merge_windows(&[
                (at(10_000), at(20_000)),
                (at(0), at(5_000)),
                (at(21_000), at(30_000))
            ]),
            [(at(0), at(5_000)), (at(10_000), at(30_000))]
        );
        assert_eq!(batch_size(456), 221, "daily over 455 days");
        assert_eq!(batch_size(24), MAX_QUERIES);
        assert_eq!(batch_size(200_000), 1);
    }
}
