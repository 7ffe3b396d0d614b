//! DMS: replication instances, subnet groups, endpoints, tasks (settings, table
//! mappings, statistics), serverless replications, certificates, quotas, assessment
//! runs, Schema Conversion projects, engine versions, events and tags.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_databasemigration::types as t;
use futures::StreamExt;
use serde_json::Value;

use super::{Clients, Context, Plan, stamp};
use crate::facts::host;
use crate::facts::*;

/// ReplicationTaskStats and (serverless) ReplicationStats have the same fields.
macro_rules! task_stats {
    ($s:expr) => {
        TaskStats {
            full_load_progress_percent: Some($s.full_load_progress_percent()),
            elapsed_time_millis: Some($s.elapsed_time_millis()),
            tables_loaded: Some($s.tables_loaded()),
            tables_loading: Some($s.tables_loading()),
            tables_queued: Some($s.tables_queued()),
            tables_errored: Some($s.tables_errored()),
            fresh_start_date: stamp($s.fresh_start_date()),
            start_date: stamp($s.start_date()),
            stop_date: stamp($s.stop_date()),
            full_load_start_date: stamp($s.full_load_start_date()),
            full_load_finish_date: stamp($s.full_load_finish_date()),
        }
    };
}

/// Up to this many ARNs per ListTagsForResource call.
const TAG_BATCH: usize = 20;

macro_rules! paged {
    ($ctx:expr, $c:expr, $op:literal, $req:expr, $items:ident) => {{
        let region = &$c.region;
        match $ctx
            .call(
                "dms",
                $op,
                region,
                None,
                $req.into_paginator().send().collect::<Result<Vec<_>, _>>(),
            )
            .await
        {
            Some((pages, sources)) => Some((
                pages
                    .iter()
                    .flat_map(|p| p.$items().to_vec())
                    .collect::<Vec<_>>(),
                sources,
            )),
            None => None,
        }
    }};
}

/// A listing's items and the captures they were read from; `None` when it failed.
type Listing<T> = Option<(Vec<T>, Vec<String>)>;

/// Everything the region's DMS inventory is read from.
#[derive(Default)]
struct Listed {
    instances: Listing<t::ReplicationInstance>,
    groups: Listing<t::ReplicationSubnetGroup>,
    endpoints: Listing<t::Endpoint>,
    tasks: Listing<t::ReplicationTask>,
    certs: Listing<t::Certificate>,
    quotas: Option<(aws_sdk_databasemigration::operation::describe_account_attributes::DescribeAccountAttributesOutput, Vec<String>)>,
    runs: Listing<t::ReplicationTaskAssessmentRun>,
    configs: Listing<t::ReplicationConfig>,
    replications: Listing<t::Replication>,
    projects: Listing<t::MigrationProject>,
    providers: Listing<t::DataProvider>,
    versions: Listing<t::EngineVersion>,
    events: Listing<t::Event>,
    subscriptions: Listing<t::EventSubscription>,
}

/// Every listing of the region, concurrently (two batches of seven).
async fn list_all(plan: &Plan, c: &Clients, ctx: &Context) -> Listed {
    let mut l = Listed::default();
    list_inventory(c, ctx, &mut l).await;
    list_related(plan, c, ctx, &mut l).await;
    l
}

macro_rules! list {
    ($ctx:expr, $c:expr, $op:literal, $request:expr, $items:ident) => {
        async { paged!($ctx, $c, $op, $request, $items) }
    };
}

/// Instances, subnet groups, endpoints, tasks, certificates, quotas, assessment runs.
async fn list_inventory(c: &Clients, ctx: &Context, l: &mut Listed) {
    let dms = &c.dms;
    (
        l.instances,
        l.groups,
        l.endpoints,
        l.tasks,
        l.certs,
        l.quotas,
        l.runs,
    ) = futures::join!(
        list!(
            ctx,
            c,
            "DescribeReplicationInstances",
            dms.describe_replication_instances(),
            replication_instances
        ),
        list!(
            ctx,
            c,
            "DescribeReplicationSubnetGroups",
            dms.describe_replication_subnet_groups(),
            replication_subnet_groups
        ),
        list!(
            ctx,
            c,
            "DescribeEndpoints",
            dms.describe_endpoints(),
            endpoints
        ),
        list!(
            ctx,
            c,
            "DescribeReplicationTasks",
            dms.describe_replication_tasks(),
            replication_tasks
        ),
        list!(
            ctx,
            c,
            "DescribeCertificates",
            dms.describe_certificates(),
            certificates
        ),
        ctx.call(
            "dms",
            "DescribeAccountAttributes",
            &c.region,
            None,
            dms.describe_account_attributes().send()
        ),
        list!(
            ctx,
            c,
            "DescribeReplicationTaskAssessmentRuns",
            dms.describe_replication_task_assessment_runs(),
            replication_task_assessment_runs
        ),
    );
}

/// Serverless configs and replications, Schema Conversion, engine versions, events.
async fn list_related(plan: &Plan, c: &Clients, ctx: &Context, l: &mut Listed) {
    let dms = &c.dms;
    let since = (crate::time::Timestamp::now() - time::Duration::days(plan.event_days)).to_sdk();
    (
        l.configs,
        l.replications,
        l.projects,
        l.providers,
        l.versions,
        l.events,
        l.subscriptions,
    ) = futures::join!(
        list!(
            ctx,
            c,
            "DescribeReplicationConfigs",
            dms.describe_replication_configs(),
            replication_configs
        ),
        list!(
            ctx,
            c,
            "DescribeReplications",
            dms.describe_replications(),
            replications
        ),
        list!(
            ctx,
            c,
            "DescribeMigrationProjects",
            dms.describe_migration_projects(),
            migration_projects
        ),
        list!(
            ctx,
            c,
            "DescribeDataProviders",
            dms.describe_data_providers(),
            data_providers
        ),
        list!(
            ctx,
            c,
            "DescribeEngineVersions",
            dms.describe_engine_versions(),
            engine_versions
        ),
        list!(
            ctx,
            c,
            "DescribeEvents",
            dms.describe_events().start_time(since),
            events
        ),
        list!(
            ctx,
            c,
            "DescribeEventSubscriptions",
            dms.describe_event_subscriptions(),
            event_subscriptions_list
        ),
    );
}

/// Each item of a listing converted (nothing when the listing failed).
fn each<T, U>(listing: &Listing<T>, convert: impl Fn(&T, &[String]) -> U) -> Vec<U> {
    listing
        .as_ref()
        .map(|(items, sources)| items.iter().map(|i| convert(i, sources)).collect())
        .unwrap_or_default()
}

/// The region's DMS inventory (what can be listed without knowing anything else).
pub async fn collect(plan: &Plan, c: &Clients, ctx: &Context) -> Facts {
    let l = list_all(plan, c, ctx).await;
    let region = c.region.as_str();
    let account = plan.account_id.as_str();
    let raw = RawIndex::new(ctx);
    let mut facts = Facts::default();
    if let Some((_, sources)) = &l.instances {
        let raw_items = raw.items(sources, "ReplicationInstances", "ReplicationInstanceArn");
        facts.replication_instances = each(&l.instances, |i, s| instance(region, i, s, &raw_items));
    }
    facts.subnet_groups = each(&l.groups, |g, s| subnet_group(region, account, g, s));
    if let Some((_, sources)) = &l.endpoints {
        let raw_items = raw.items(sources, "Endpoints", "EndpointArn");
        facts.endpoints = each(&l.endpoints, |e, s| endpoint(region, e, s, &raw_items));
    }
    facts.tasks = each(&l.tasks, |tk, s| task(region, tk, s));
    facts.certificates = each(&l.certs, |x, s| certificate(region, x, s));
    if let Some((out, sources)) = &l.quotas {
        facts.account_quotas = out
            .account_quotas()
            .iter()
            .map(|q| AccountQuota {
                region: region.to_string(),
                name: q.account_quota_name().unwrap_or_default().to_string(),
                used: q.used(),
                max: q.max(),
                sources: sources.clone(),
            })
            .collect();
    }
    facts.assessment_runs = each(&l.runs, |r, s| assessment_run(region, r, s));
    let replications: HashMap<String, (t::Replication, Vec<String>)> =
        each(&l.replications, |r, s| {
            let config = r.replication_config_arn().unwrap_or_default().to_string();
            (config, (r.clone(), s.to_vec()))
        })
        .into_iter()
        .collect();
    facts.serverless = each(&l.configs, |x, s| serverless(region, x, s, &replications));
    facts.migration_projects = each(&l.projects, |p, s| NamedResource {
        region: region.to_string(),
        name: p.migration_project_name().unwrap_or_default().to_string(),
        arn: p.migration_project_arn().unwrap_or_default().to_string(),
        engine: None,
        created: stamp(p.migration_project_creation_time()),
        sources: s.to_vec(),
    });
    facts.data_providers = each(&l.providers, |p, s| NamedResource {
        region: region.to_string(),
        name: p.data_provider_name().unwrap_or_default().to_string(),
        arn: p.data_provider_arn().unwrap_or_default().to_string(),
        engine: p.engine().map(str::to_string),
        created: stamp(p.data_provider_creation_time()),
        sources: s.to_vec(),
    });
    facts.engine_versions = each(&l.versions, |v, s| engine_version(region, v, s));
    facts.event_subscriptions = each(&l.subscriptions, |x, s| {
        event_subscription(region, account, x, s)
    });
    facts.events = each(&l.events, |e, s| event(region, e, s));
    facts
}

fn subnet_group(
    region: &str,
    account: &str,
    g: &t::ReplicationSubnetGroup,
    sources: &[String],
) -> SubnetGroup {
    SubnetGroup {
        region: region.to_string(),
        identifier: g
            .replication_subnet_group_identifier()
            .unwrap_or_default()
            .to_string(),
        // DMS names subnet groups in ARNs by identifier (DMS User Guide,
        // "Constructing an Amazon Resource Name (ARN) for AWS DMS").
        arn: g
            .replication_subnet_group_identifier()
            .map(|id| format!("arn:aws:dms:{region}:{account}:subgrp:{id}")),
        vpc_id: g.vpc_id().map(str::to_string),
        subnets: g
            .subnets()
            .iter()
            .map(|s| {
                (
                    s.subnet_identifier().unwrap_or_default().to_string(),
                    s.subnet_availability_zone()
                        .and_then(|a| a.name())
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect(),
        sources: sources.to_vec(),
    }
}

fn certificate(region: &str, x: &t::Certificate, sources: &[String]) -> Certificate {
    Certificate {
        region: region.to_string(),
        identifier: x.certificate_identifier().unwrap_or_default().to_string(),
        arn: x.certificate_arn().unwrap_or_default().to_string(),
        valid_from: stamp(x.valid_from_date()),
        valid_to: stamp(x.valid_to_date()),
        key_length: x.key_length(),
        signing_algorithm: x.signing_algorithm().map(str::to_string),
        sources: sources.to_vec(),
    }
}

fn assessment_run(
    region: &str,
    r: &t::ReplicationTaskAssessmentRun,
    sources: &[String],
) -> AssessmentRun {
    let stat = r.result_statistic();
    AssessmentRun {
        region: region.to_string(),
        arn: r
            .replication_task_assessment_run_arn()
            .unwrap_or_default()
            .to_string(),
        task_arn: r.replication_task_arn().map(str::to_string),
        status: r.status().map(str::to_string),
        created: stamp(r.replication_task_assessment_run_creation_date()),
        passed: stat.map(|s| s.passed()),
        failed: stat.map(|s| s.failed()),
        error: stat.map(|s| s.error()),
        warning: stat.map(|s| s.warning()),
        sources: sources.to_vec(),
    }
}

fn engine_version(region: &str, v: &t::EngineVersion, sources: &[String]) -> EngineVersion {
    EngineVersion {
        region: region.to_string(),
        version: v.version().unwrap_or_default().to_string(),
        lifecycle: v.lifecycle().map(str::to_string),
        release_status: v.release_status().map(|s| s.as_str().to_string()),
        launch_date: stamp(v.launch_date()),
        deprecation_date: stamp(v.deprecation_date()),
        sources: sources.to_vec(),
    }
}

fn event_subscription(
    region: &str,
    account: &str,
    x: &t::EventSubscription,
    sources: &[String],
) -> EventSubscription {
    let name = x.cust_subscription_id().unwrap_or_default().to_string();
    EventSubscription {
        region: region.to_string(),
        arn: Some(format!("arn:aws:dms:{region}:{account}:es:{name}")),
        name,
        enabled: Some(x.enabled()),
        source_type: x.source_type().map(str::to_string),
        categories: x.event_categories_list().to_vec(),
        sources: sources.to_vec(),
    }
}

fn event(region: &str, e: &t::Event, sources: &[String]) -> Event {
    Event {
        region: region.to_string(),
        source_identifier: e.source_identifier().map(str::to_string),
        source_type: e.source_type().map(|s| s.as_str().to_string()),
        message: e.message().map(str::to_string),
        categories: e.event_categories().to_vec(),
        date: stamp(e.date()),
        sources: sources.to_vec(),
    }
}

type Rows = Option<(Vec<TableStat>, Vec<String>)>;

/// Per-resource reads that need the inventory.
#[derive(Debug, Default)]
pub struct Details {
    task_tables: Vec<(String, Rows)>,
    config_tables: Vec<(String, Rows)>,
    tags: Vec<ResourceTags>,
    assessments: Vec<MetadataAssessment>,
}

/// Table statistics (per task and per serverless config) and tags (batched).
pub async fn details(plan: &Plan, c: &Clients, ctx: &Context, facts: &Facts) -> Details {
    // A task deleted after cut-over has no statistics to read (DMS deletes them with it).
    let task_arns: Vec<String> = facts
        .tasks
        .iter()
        .filter(|t| t.deleted_at.is_none())
        .map(|t| t.arn.clone())
        .collect();
    let config_arns: Vec<String> = facts
        .serverless
        .iter()
        .filter(|s| s.deleted_at.is_none())
        .map(|s| s.config_arn.clone())
        .collect();
    let width = plan.concurrency.max(1);
    // Table statistics: one paginated call per task (or serverless config), bounded.
    macro_rules! tables {
        ($arns:expr, $op:literal, $request:ident, $arn_setter:ident, $rows:ident, $max:expr) => {
            futures::stream::iter($arns.into_iter().map(|arn| async move {
                let request = c.dms.$request().$arn_setter(&arn).set_max_records($max);
                let pages = request
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>();
                let found = ctx.call("dms", $op, &c.region, Some(&arn), pages).await;
                let rows = found.map(|(pages, sources)| {
                    let rows = pages.iter().flat_map(|p| p.$rows().iter().map(table_stat));
                    (rows.collect::<Vec<_>>(), sources)
                });
                (arn, rows)
            }))
            .buffer_unordered(width)
            .collect::<Vec<_>>()
        };
    }
    let task_tables = tables!(
        task_arns,
        "DescribeTableStatistics",
        describe_table_statistics,
        replication_task_arn,
        table_statistics,
        // DescribeTableStatistics: "Constraints: Minimum 20, maximum 500" (DMS API Reference).
        Some(500)
    );
    let config_tables = tables!(
        config_arns,
        "DescribeReplicationTableStatistics",
        describe_replication_table_statistics,
        replication_config_arn,
        replication_table_statistics,
        // No MaxRecords range is documented for it: leave the service default.
        None
    );
    let (task_tables, config_tables, tags, assessments) = futures::join!(
        task_tables,
        config_tables,
        tags(c, ctx, taggable(facts), width),
        assessments(c, ctx, facts, width)
    );
    Details {
        task_tables,
        config_tables,
        tags,
        assessments,
    }
}

/// Every DMS resource that carries tags.
/// The ARNs whose tags are read: every resource that still exists (those known only
/// from CloudTrail history are gone).
fn taggable(facts: &Facts) -> Vec<String> {
    let live = |deleted: &Option<crate::facts::Timestamp>| deleted.is_none();
    let instances = facts
        .replication_instances
        .iter()
        .filter(|i| live(&i.deleted_at));
    let arns = instances.map(|i| i.arn.clone());
    let endpoints = facts.endpoints.iter().filter(|e| live(&e.deleted_at));
    let arns = arns.chain(endpoints.map(|e| e.arn.clone()));
    let tasks = facts.tasks.iter().filter(|t| live(&t.deleted_at));
    let arns = arns.chain(tasks.map(|t| t.arn.clone()));
    let configs = facts.serverless.iter().filter(|s| live(&s.deleted_at));
    let arns = arns.chain(configs.map(|s| s.config_arn.clone()));
    let arns = arns.chain(facts.certificates.iter().map(|x| x.arn.clone()));
    let arns = arns.chain(facts.subnet_groups.iter().filter_map(|g| g.arn.clone()));
    arns.chain(
        facts
            .event_subscriptions
            .iter()
            .filter_map(|x| x.arn.clone()),
    )
    .collect()
}

/// ListTagsForResource in batches; a tag named like a secret keeps its key, never its value.
async fn tags(
    c: &Clients,
    ctx: &Context,
    resources: Vec<String>,
    width: usize,
) -> Vec<ResourceTags> {
    let answers = futures::stream::iter(resources.chunks(TAG_BATCH).map(|batch| async move {
        let request = c
            .dms
            .list_tags_for_resource()
            .set_resource_arn_list(Some(batch.to_vec()));
        ctx.call(
            "dms",
            "ListTagsForResource",
            &c.region,
            None,
            request.send(),
        )
        .await
    }))
    .buffer_unordered(width)
    .collect::<Vec<_>>()
    .await;
    let mut by_arn: BTreeMap<String, ResourceTags> = BTreeMap::new();
    for (out, sources) in answers.into_iter().flatten() {
        for tag in out.tag_list() {
            let arn = tag.resource_arn().unwrap_or_default().to_string();
            let entry = by_arn.entry(arn.clone()).or_insert_with(|| ResourceTags {
                region: c.region.clone(),
                arn,
                tags: BTreeMap::new(),
                sources: sources.clone(),
            });
            let key = tag.key().unwrap_or_default().to_string();
            let value = if crate::redact::is_secret_key(&key) {
                crate::redact::REDACTED.to_string()
            } else {
                tag.value().unwrap_or_default().to_string()
            };
            entry.tags.insert(key, value);
        }
    }
    by_arn.into_values().collect()
}

/// DMS Schema Conversion assessments, per migration project.
async fn assessments(
    c: &Clients,
    ctx: &Context,
    facts: &Facts,
    width: usize,
) -> Vec<MetadataAssessment> {
    let projects: Vec<String> = facts
        .migration_projects
        .iter()
        .map(|p| p.arn.clone())
        .collect();
    let found = futures::stream::iter(projects.into_iter().map(|arn| async move {
        let request = c
            .dms
            .describe_metadata_model_assessments()
            .migration_project_identifier(&arn);
        let pages = request
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>();
        let found = ctx
            .call(
                "dms",
                "DescribeMetadataModelAssessments",
                &c.region,
                Some(&arn),
                pages,
            )
            .await;
        let Some((pages, sources)) = found else {
            return Vec::new();
        };
        pages
            .iter()
            .flat_map(|p| p.requests())
            .map(|r| MetadataAssessment {
                region: c.region.clone(),
                migration_project: arn.clone(),
                request_id: r.request_identifier().map(str::to_string),
                status: r.status().map(str::to_string),
                sources: sources.clone(),
            })
            .collect::<Vec<_>>()
    }))
    .buffer_unordered(width)
    .collect::<Vec<_>>()
    .await;
    found.into_iter().flatten().collect()
}

/// Attaches what [`details`] read to the inventory.
pub fn apply(facts: &mut Facts, details: Details) {
    for (arn, rows) in details.task_tables {
        if let (Some(task), Some((rows, sources))) =
            (facts.tasks.iter_mut().find(|t| t.arn == arn), rows)
        {
            task.tables = Some(rows);
            task.table_sources = sources;
        }
    }
    for (arn, rows) in details.config_tables {
        if let (Some(s), Some((rows, sources))) = (
            facts.serverless.iter_mut().find(|s| s.config_arn == arn),
            rows,
        ) {
            s.tables = Some(rows);
            s.sources.extend(sources);
        }
    }
    facts.tags = details.tags;
    facts.metadata_assessments = details.assessments;
}

fn instance(
    region: &str,
    i: &t::ReplicationInstance,
    sources: &[String],
    raw: &HashMap<String, Value>,
) -> ReplicationInstance {
    let arn = i.replication_instance_arn().unwrap_or_default().to_string();
    // The SDK reads an absent boolean as false; absence must stay absence.
    let raw_bool = |key: &str| {
        raw.get(&arn)
            .and_then(|v| v.get(key))
            .and_then(Value::as_bool)
    };
    let group = i.replication_subnet_group();
    ReplicationInstance {
        region: region.to_string(),
        identifier: i
            .replication_instance_identifier()
            .unwrap_or_default()
            .to_string(),
        arn: arn.clone(),
        class: i.replication_instance_class().map(str::to_string),
        status: i.replication_instance_status().map(str::to_string),
        allocated_storage_gb: Some(i.allocated_storage()).filter(|_| {
            raw.get(&arn)
                .is_some_and(|v| v.get("AllocatedStorage").is_some())
        }),
        engine_version: i.engine_version().map(str::to_string),
        auto_minor_version_upgrade: raw_bool("AutoMinorVersionUpgrade"),
        multi_az: raw_bool("MultiAZ"),
        availability_zone: i.availability_zone().map(str::to_string),
        publicly_accessible: raw_bool("PubliclyAccessible"),
        public_ips: i.replication_instance_public_ip_addresses().to_vec(),
        private_ips: i.replication_instance_private_ip_addresses().to_vec(),
        subnet_group: group
            .and_then(|g| g.replication_subnet_group_identifier())
            .map(str::to_string),
        vpc_id: group.and_then(|g| g.vpc_id()).map(str::to_string),
        security_groups: i
            .vpc_security_groups()
            .iter()
            .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
            .collect(),
        kms_key_id: i.kms_key_id().map(str::to_string),
        created: stamp(i.instance_create_time()),
        sources: sources.to_vec(),
        deleted_at: None,
        history: Vec::new(),
    }
}

fn endpoint(
    region: &str,
    e: &t::Endpoint,
    sources: &[String],
    raw: &HashMap<String, Value>,
) -> Endpoint {
    let arn = e.endpoint_arn().unwrap_or_default().to_string();
    let engine = e.engine_name().unwrap_or_default().to_string();
    let mut settings = BTreeMap::new();
    if let Some(Value::Object(map)) = raw.get(&arn) {
        for (key, value) in map {
            if key.ends_with("Settings") && !value.is_null() {
                let mut value = value.clone();
                crate::redact::json("dms", &mut value, key, &mut Vec::new());
                settings.insert(key.clone(), value);
            }
        }
    }
    Endpoint {
        region: region.to_string(),
        identifier: e.endpoint_identifier().unwrap_or_default().to_string(),
        arn,
        endpoint_type: e
            .endpoint_type()
            .map(|x| x.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        family: host::family(&engine),
        server_name: e.server_name().map(str::to_string),
        port: e.port(),
        database: e.database_name().map(str::to_string),
        status: e.status().map(str::to_string),
        ssl_mode: e.ssl_mode().map(|m| m.as_str().to_string()),
        certificate_arn: e.certificate_arn().map(str::to_string),
        kms_key_id: e.kms_key_id().map(str::to_string),
        host: host::Host::unplaced(),
        engine,
        settings,
        sources: sources.to_vec(),
        deleted_at: None,
        history: Vec::new(),
        hosts_then: Vec::new(),
        config_history: Vec::new(),
        then_basis: None,
    }
}

fn task(region: &str, x: &t::ReplicationTask, sources: &[String]) -> Task {
    let arn = x.replication_task_arn().unwrap_or_default().to_string();
    Task {
        region: region.to_string(),
        identifier: x
            .replication_task_identifier()
            .unwrap_or_default()
            .to_string(),
        resource_id: arn.rsplit(':').next().unwrap_or_default().to_string(),
        arn,
        instance_arn: x.replication_instance_arn().map(str::to_string),
        source_arn: x.source_endpoint_arn().map(str::to_string),
        target_arn: x.target_endpoint_arn().map(str::to_string),
        migration_type: x.migration_type().map(|m| m.as_str().to_string()),
        status: x.status().map(str::to_string),
        stop_reason: x.stop_reason().map(str::to_string),
        last_failure_message: x.last_failure_message().map(str::to_string),
        created: stamp(x.replication_task_creation_date()),
        started: stamp(x.replication_task_start_date()),
        recovery_checkpoint: x.recovery_checkpoint().map(str::to_string),
        stats: x.replication_task_stats().map(|s| task_stats!(s)),
        settings: TaskSettings::parse(x.replication_task_settings()),
        table_mappings: TableMappings::parse(x.table_mappings()),
        tables: None,
        sources: sources.to_vec(),
        table_sources: Vec::new(),
        deleted_at: None,
        history: Vec::new(),
        traced: None,
    }
}

fn serverless(
    region: &str,
    x: &t::ReplicationConfig,
    sources: &[String],
    replications: &HashMap<String, (t::Replication, Vec<String>)>,
) -> ServerlessReplication {
    let arn = x.replication_config_arn().unwrap_or_default().to_string();
    let compute = x.compute_config();
    let mut out = ServerlessReplication {
        region: region.to_string(),
        identifier: x
            .replication_config_identifier()
            .unwrap_or_default()
            .to_string(),
        config_arn: arn.clone(),
        source_arn: x.source_endpoint_arn().map(str::to_string),
        target_arn: x.target_endpoint_arn().map(str::to_string),
        replication_type: x.replication_type().map(|m| m.as_str().to_string()),
        kms_key_id: compute.and_then(|c| c.kms_key_id()).map(str::to_string),
        multi_az: compute.and_then(|c| c.multi_az()),
        max_capacity_units: compute.and_then(|c| c.max_capacity_units()),
        created: stamp(x.replication_config_create_time()),
        settings: TaskSettings::parse(x.replication_settings()),
        table_mappings: TableMappings::parse(x.table_mappings()),
        sources: sources.to_vec(),
        ..ServerlessReplication::default()
    };
    if let Some((r, r_sources)) = replications.get(&arn) {
        out.status = r.status().map(str::to_string);
        out.stop_reason = r.stop_reason().map(str::to_string);
        out.stats = r.replication_stats().map(|s| task_stats!(s));
        out.provision = r.provision_data().map(|p| Provision {
            state: p.provision_state().map(str::to_string),
            capacity_units: Some(p.provisioned_capacity_units()),
            date_provisioned: stamp(p.date_provisioned()),
            date_new_provisioning_data_available: stamp(p.date_new_provisioning_data_available()),
        });
        out.sources.extend(r_sources.iter().cloned());
    }
    out
}

fn table_stat(s: &t::TableStatistics) -> TableStat {
    TableStat {
        schema: s.schema_name().unwrap_or_default().to_string(),
        table: s.table_name().unwrap_or_default().to_string(),
        state: s.table_state().map(str::to_string),
        full_load_rows: s.full_load_rows(),
        inserts: s.inserts(),
        updates: s.updates(),
        deletes: s.deletes(),
        ddls: s.ddls(),
        full_load_error_rows: s.full_load_error_rows(),
        validation_state: s.validation_state().map(str::to_string),
        validation_failed_records: s.validation_failed_records(),
        last_update: stamp(s.last_update_time()),
    }
}

/// The raw JSON objects of captured list responses, by ARN.
struct RawIndex {
    captures: HashMap<String, crate::evidence::Capture>,
}

impl RawIndex {
    fn new(ctx: &Context) -> RawIndex {
        RawIndex {
            captures: ctx
                .store
                .snapshot()
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect(),
        }
    }

    fn items(&self, sources: &[String], list_key: &str, arn_key: &str) -> HashMap<String, Value> {
        let mut out = HashMap::new();
        for id in sources {
            let Some(Value::Object(body)) = self.captures.get(id).and_then(|c| c.body_json())
            else {
                continue;
            };
            for item in body
                .get(list_key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(arn) = item.get(arn_key).and_then(Value::as_str) {
                    out.insert(arn.to_string(), item.clone());
                }
            }
        }
        out
    }
}
