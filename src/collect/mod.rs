//! Collect: reads every DMS-related fact from the account, region by region and
//! concurrently (bounded), through one module per AWS service.
//!
//! Every call is captured (raw evidence); every failed call becomes a gap and
//! collection goes on. Only a failed session or a wrong account stops it.

pub mod capture;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod costexplorer;
pub mod dms;
pub mod ec2;
pub mod gap;
pub mod iam;
pub mod kms;
pub mod logs;

pub mod rds;
pub mod retry;
pub mod stores;
pub mod trail;
pub mod trail_digest;

use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::join_all;

use crate::evidence::MetricUsage;
use crate::facts::history::TrailEvent;
use crate::facts::trace;
use crate::facts::{FACTS_VERSION, Facts, HistoryRead};
use capture::{CaptureStore, scoped};
pub use gap::{Gap, GapKind};

/// What to collect and how hard to push.
#[derive(Debug, Clone)]
pub struct Plan {
    pub account_id: String,
    pub regions: Vec<String>,
    /// At most this many per-resource calls in flight per region.
    pub concurrency: usize,
    /// How far back CloudWatch is read (CloudWatch keeps hourly data 455 days).
    pub metric_days: i64,
    /// How far back DMS events are asked for (DescribeEvents' StartTime). The DMS API
    /// Reference (DescribeEvents) documents no retention: what comes back is what DMS still
    /// keeps, and an older event missing proves nothing.
    pub event_days: i64,
    /// A trail's log files to read for history older than event history's.
    pub trail: Option<crate::casestudy::TrailSource>,
    /// Tasks the case study points at (`[[deleted_task]]`): where to look for series.
    pub deleted_tasks: Vec<crate::casestudy::TaskPointer>,
}

impl Plan {
    pub fn new(account_id: &str, regions: Vec<String>) -> Plan {
        Plan {
            account_id: account_id.to_string(),
            regions,
            concurrency: 8,
            metric_days: 455,
            event_days: 14,
            trail: None,
            deleted_tasks: Vec::new(),
        }
    }
}

/// Shared by every collector module: the capture store, the gaps, and what the
/// metric reads cost.
#[derive(Debug, Clone)]
pub struct Context {
    pub store: CaptureStore,
    /// How every client of the run retries (throttling longer than errors).
    pub retry: retry::Policy,
    gaps: Arc<Mutex<Vec<Gap>>>,
    metric_usage: Arc<Mutex<MetricUsage>>,
}

impl Context {
    pub fn new(store: CaptureStore) -> Context {
        Context {
            store,
            retry: retry::Policy::new(retry::DEFAULT_MAX_ATTEMPTS),
            gaps: Default::default(),
            metric_usage: Default::default(),
        }
    }

    /// A request that failed for a reason other than throttling is tried at most
    /// `attempts` times (`--max-attempts`).
    pub fn with_error_attempts(mut self, attempts: u32) -> Context {
        self.retry = retry::Policy::new(attempts);
        self
    }

    pub fn record_metric_usage(&self, usage: &MetricUsage) {
        let mut total = self.metric_usage.lock().unwrap_or_else(|e| e.into_inner());
        cloudwatch::add_usage(&mut total, usage);
    }

    pub fn metric_usage(&self) -> MetricUsage {
        self.metric_usage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs one logical AWS call (a single request or a whole paginated listing).
    /// Success: the output and the ids of the captures it produced. Failure: a gap.
    pub async fn call<T, E, R, F>(
        &self,
        service: &str,
        operation: &str,
        region: &str,
        resource: Option<&str>,
        fut: F,
    ) -> Option<(T, Vec<String>)>
    where
        F: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let (result, sources) = scoped(fut).await;
        match result {
            Ok(out) => Some((out, sources)),
            Err(err) => {
                let mut gap = gap::from_sdk_error(service, operation, region, &err);
                gap.resource = resource.map(str::to_string);
                tracing::warn!(
                    service, operation, region, kind = ?gap.kind, code = ?gap.code, "AWS call failed; recorded as a gap"
                );
                self.gap(gap);
                None
            }
        }
    }

    pub fn gap(&self, gap: Gap) {
        self.gaps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(gap);
    }

    pub fn gaps(&self) -> Vec<Gap> {
        let mut gaps = self.gaps.lock().unwrap_or_else(|e| e.into_inner()).clone();
        gaps.sort_by(|a, b| {
            (&a.region, &a.service, &a.operation, &a.resource).cmp(&(
                &b.region,
                &b.service,
                &b.operation,
                &b.resource,
            ))
        });
        gaps
    }
}

/// The clients of one region, each with the capture interceptor.
#[derive(Debug, Clone)]
pub struct Clients {
    pub region: String,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub dms: aws_sdk_databasemigration::Client,
    pub rds: aws_sdk_rds::Client,
    pub kms: aws_sdk_kms::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub config: aws_sdk_config::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub iam: aws_sdk_iam::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub redshift: aws_sdk_redshift::Client,
    pub redshift_serverless: aws_sdk_redshiftserverless::Client,
    pub s3: aws_sdk_s3::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub opensearch: aws_sdk_opensearch::Client,
    pub kinesis: aws_sdk_kinesis::Client,
    /// Cost Explorer, whose one endpoint is in us-east-1 ([`costexplorer::REGION`]).
    pub ce: aws_sdk_costexplorer::Client,
    /// LookupEvents' rate in this region, shared by every lookup made in it and by clones
    /// ([`cloudtrail::MIN_INTERVAL`]).
    pub lookup_pace: std::sync::Arc<cloudtrail::Pace>,
}

/// One SDK client of a region, built from the shared configuration with the
/// capture interceptor for its service.
macro_rules! client {
    ($krate:ident, $config:expr, $ctx:expr, $service:literal, $region:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($config)
                .interceptor($ctx.store.interceptor($service, $region))
                .interceptor($ctx.retry.clone())
                .retry_classifier($ctx.retry.clone())
                .build(),
        )
    };
}

impl Clients {
    pub fn new(config: &SdkConfig, region: &str, ctx: &Context) -> Clients {
        let region_config = config
            .clone()
            .into_builder()
            .region(aws_config::Region::new(region.to_string()))
            .build();
        let c = &region_config;
        let ce_config = config
            .clone()
            .into_builder()
            .region(aws_config::Region::new(costexplorer::REGION))
            .build();
        Clients {
            region: region.to_string(),
            cloudtrail: client!(aws_sdk_cloudtrail, c, ctx, "cloudtrail", region),
            dms: client!(aws_sdk_databasemigration, c, ctx, "dms", region),
            rds: client!(aws_sdk_rds, c, ctx, "rds", region),
            kms: client!(aws_sdk_kms, c, ctx, "kms", region),
            cloudwatch: client!(aws_sdk_cloudwatch, c, ctx, "cloudwatch", region),
            config: client!(aws_sdk_config, c, ctx, "config", region),
            logs: client!(aws_sdk_cloudwatchlogs, c, ctx, "logs", region),
            iam: client!(aws_sdk_iam, c, ctx, "iam", region),
            ec2: client!(aws_sdk_ec2, c, ctx, "ec2", region),
            redshift: client!(aws_sdk_redshift, c, ctx, "redshift", region),
            redshift_serverless: client!(
                aws_sdk_redshiftserverless,
                c,
                ctx,
                "redshift-serverless",
                region
            ),
            s3: client!(aws_sdk_s3, c, ctx, "s3", region),
            dynamodb: client!(aws_sdk_dynamodb, c, ctx, "dynamodb", region),
            opensearch: client!(aws_sdk_opensearch, c, ctx, "opensearch", region),
            kinesis: client!(aws_sdk_kinesis, c, ctx, "kinesis", region),
            ce: client!(
                aws_sdk_costexplorer,
                &ce_config,
                ctx,
                "ce",
                costexplorer::REGION
            ),
            lookup_pace: std::sync::Arc::default(),
        }
    }
}

/// Collects the whole estate: every region concurrently, then account-wide IAM.
pub async fn collect(plan: &Plan, config: &SdkConfig, ctx: &Context) -> Facts {
    let clients: Vec<Clients> = plan
        .regions
        .iter()
        .map(|r| Clients::new(config, r, ctx))
        .collect();
    let regional = join_all(clients.iter().map(|c| collect_region(plan, c, ctx)));
    let global = iam::collect(&clients[0], ctx);
    let billing = costexplorer::dms_usage(&clients[0].ce, &plan.account_id, ctx);
    let (regions, (roles, policies), billing) = futures::join!(regional, global, billing);
    let (billed_usage, billing_read) = match billing {
        Some((usage, read)) => (usage, Some(read)),
        None => (Vec::new(), None),
    };
    let mut facts = Facts {
        version: FACTS_VERSION,
        account_id: plan.account_id.clone(),
        regions: plan.regions.clone(),
        iam_roles: roles,
        iam_policies: policies,
        billed_usage,
        billing_read,
        ..Facts::default()
    };
    let mut ec2_read = Vec::new();
    for (region, ec2_ok) in regions {
        ec2_read.push(ec2_ok);
        merge(&mut facts, region);
    }
    crate::facts::host::place_endpoints(&mut facts, &plan.regions, &ec2_read);
    facts
}

/// One region: the inventories first (concurrently), then what depends on them.
/// Also says whether EC2 instances and VPCs were read (for placing hosts).
async fn collect_region(plan: &Plan, c: &Clients, ctx: &Context) -> (Facts, (bool, bool)) {
    let (mut dms_facts, rds_facts, log_groups, vpcs, history) = futures::join!(
        dms::collect(plan, c, ctx),
        rds::collect(c, ctx),
        logs::list_groups(c, ctx),
        ec2::vpcs(c, ctx),
        history(plan, c, ctx),
    );
    // The resources deleted after cut-over join today's, with every resource's history.
    if let Some((events, reads)) = history {
        crate::facts::history::reconstruct(&mut dms_facts, &c.region, &events, reads);
    }
    let (instances, stores) = futures::join!(
        async {
            if dms_facts.endpoints.is_empty() {
                Some(Vec::new())
            } else {
                ec2::instances(c, ctx).await
            }
        },
        stores::collect(c, ctx, &dms_facts),
    );
    let ec2_read = (instances.is_some(), vpcs.is_some());
    dms_facts.rds_instances = rds_facts.rds_instances;
    dms_facts.rds_clusters = rds_facts.rds_clusters;
    dms_facts.ec2_instances = instances.unwrap_or_default();
    dms_facts.vpcs = vpcs.unwrap_or_default();
    dms_facts.target_stores = stores;
    crate::facts::host::place_endpoints(
        &mut dms_facts,
        std::slice::from_ref(&c.region),
        &[ec2_read],
    );
    let details = dms::details(plan, c, ctx, &dms_facts);
    let keys = kms::collect(c, ctx, &dms_facts);
    // The log streams first: a task stream no other source names points at series to read.
    let logs_then_metrics = async {
        let groups = logs::latest_streams(plan, c, ctx, log_groups, &dms_facts).await;
        let pointers = trace::pointers(&c.region, &groups, &plan.deleted_tasks, &dms_facts);
        let metrics = cloudwatch::collect(plan, c, ctx, &dms_facts, &pointers).await;
        (groups, pointers, metrics)
    };
    // What AWS Config recorded of every endpoint known, live or rebuilt from CloudTrail.
    let recorded = config::endpoint_history(c, ctx, &dms_facts.endpoints);
    let (details, keys, (log_groups, pointers, metrics), (config_recorders, recorded)) =
        futures::join!(details, keys, logs_then_metrics, recorded);
    dms::apply(&mut dms_facts, details);
    for (arn, items) in recorded {
        if let Some(e) = dms_facts.endpoints.iter_mut().find(|e| e.arn == arn) {
            e.config_history = items;
        }
    }
    let mut facts = Facts {
        metrics,
        kms_keys: keys,
        log_groups,
        config_recorders,
        ..dms_facts
    };
    trace::join(&mut facts, &c.region, &plan.account_id, pointers);
    (facts, ec2_read)
}

/// The region's DMS history: event history's 90 days and, when the case study names a
/// trail, its log files before them, read up to the day after event history begins (or
/// up to now when event history could not be read) so that the two join without a gap.
/// An event both hold is taken once, from event history.
async fn history(
    plan: &Plan,
    c: &Clients,
    ctx: &Context,
) -> Option<(Vec<TrailEvent>, Vec<HistoryRead>)> {
    let recent = cloudtrail::dms_history(c, ctx).await;
    let Some(source) = &plan.trail else {
        return recent.map(|(events, read)| (events, vec![read]));
    };
    let until = match &recent {
        Some((_, read)) => read.since + crate::time::DAY,
        None => crate::time::Timestamp::now(),
    };
    let older = trail::dms_history(c, ctx, &plan.account_id, source, until).await;
    match (recent, older) {
        (Some((mut events, read)), Some((more, trail_read))) => {
            let seen: std::collections::BTreeSet<String> =
                events.iter().map(|e| e.event_id.clone()).collect();
            events.extend(more.into_iter().filter(|e| !seen.contains(&e.event_id)));
            Some((events, vec![read, trail_read]))
        }
        (recent, older) => recent.or(older).map(|(events, read)| (events, vec![read])),
    }
}

fn merge(into: &mut Facts, from: Facts) {
    into.replication_instances
        .extend(from.replication_instances);
    into.subnet_groups.extend(from.subnet_groups);
    into.endpoints.extend(from.endpoints);
    into.tasks.extend(from.tasks);
    into.serverless.extend(from.serverless);
    into.certificates.extend(from.certificates);
    into.account_quotas.extend(from.account_quotas);
    into.assessment_runs.extend(from.assessment_runs);
    into.migration_projects.extend(from.migration_projects);
    into.data_providers.extend(from.data_providers);
    into.engine_versions.extend(from.engine_versions);
    into.events.extend(from.events);
    into.tags.extend(from.tags);
    into.rds_instances.extend(from.rds_instances);
    into.rds_clusters.extend(from.rds_clusters);
    into.kms_keys.extend(from.kms_keys);
    into.metrics.extend(from.metrics);
    into.log_groups.extend(from.log_groups);
    into.ec2_instances.extend(from.ec2_instances);
    into.vpcs.extend(from.vpcs);
    into.event_subscriptions.extend(from.event_subscriptions);
    into.metadata_assessments.extend(from.metadata_assessments);
    into.target_stores.extend(from.target_stores);
    into.history_reads.extend(from.history_reads);
    into.config_recorders.extend(from.config_recorders);
}

/// The SDK's DateTime as a [`crate::facts::Timestamp`], for facts.
pub(crate) fn stamp(t: Option<&aws_smithy_types::DateTime>) -> Option<crate::facts::Timestamp> {
    t.map(crate::facts::Timestamp::from_sdk)
}
