//! One cheapest call for each read the collector makes: a list asks for its smallest page,
//! a call about one resource names a placeholder that does not exist (these services
//! authorise the call before they look the resource up, so `not found` means the action is
//! allowed); KMS, which looks a key up first, is asked about a key DMS uses.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::{Check, Kind, POLICY_FILE, Status, TEMPLATE_FILE, answer, read_fix};
use crate::casestudy::TrailSource;
use crate::collect::{Clients, costexplorer, gap, trail};
use crate::evidence::Gap;
use crate::operations::{Operation, operations};

/// Awaits one request: `Ok` when it answered, else the gap the collector would record.
/// `$at` is `(service, operation, region)`.
macro_rules! call {
    ($at:expr, $fut:expr) => {{
        let (service, operation, region): (&str, &str, &str) = $at;
        $fut.await
            .map(|_| ())
            .map_err(|e| gap::from_sdk_error(service, operation, region, &e))
    }};
}

/// The name probes give the resource they ask about (none has it).
pub const PLACEHOLDER: &str = "dms-evidence-doctor-probe";
/// Operations other checks make: the session's, the regions', the evidence sources'.
const CHECKED_ELSEWHERE: &[&str] = &[
    "GetCallerIdentity",
    "DescribeRegions",
    "DescribeConfigurationRecorders",
    "DescribeConfigurationRecorderStatus",
];
const GLOBAL_SERVICES: &[&str] = &["iam"];
/// Services that look a resource up before they evaluate the caller's policies for it.
const RESOURCE_POLICY_FIRST: &[&str] = &["kms", "s3"];

/// The IAM actions [`reads`] probes, in the order of `policies/operations.json`.
pub fn actions() -> impl Iterator<Item = &'static str> {
    probed().map(|o| o.iam_action.as_str())
}

fn probed() -> impl Iterator<Item = &'static Operation> {
    operations()
        .iter()
        .filter(|o| !CHECKED_ELSEWHERE.contains(&o.operation.as_str()))
}

/// Every read probed once, at once, in the clients' region (IAM's globally).
pub async fn reads(
    c: &Clients,
    account: &str,
    trail: Option<&TrailSource>,
    feeds: &BTreeMap<String, Vec<String>>,
) -> Vec<Check> {
    // One key for both KMS probes, looked up once.
    let kms_key = &dms_key(c).await;
    futures::future::join_all(probed().map(|op| async move {
        let region = region_of(&op.iam_action, &c.region);
        let on_trail = TRAIL_READS.contains(&op.operation.as_str());
        let answered = match (on_trail, trail) {
            (true, None) => Err((
                Status::NotChecked,
                "not read: the case study names no [trail]".to_string(),
            )),
            (true, Some(t)) => Ok(probe_trail(c, account, t, &op.operation).await),
            (false, _) => Ok(probe(c, account, kms_key, &op.service, &op.operation).await),
        };
        let (status, detail) = match answered {
            Err(skipped) => skipped,
            Ok(Ok(())) => (Status::Ok, "answered".to_string()),
            Ok(Err(gap)) if on_trail && gap.code.as_deref() == Some("NoSuchBucket") => (
                Status::NotEnabled,
                format!(
                    "the trail's bucket {} does not exist: check [trail] bucket against \
                     DescribeTrails' S3BucketName",
                    trail.map_or("", |t| t.bucket.as_str())
                ),
            ),
            Ok(Err(gap)) => match Status::of_gap(&gap) {
                // The trail's own bucket was asked: S3 evaluated the role's policies and
                // the bucket's before it found no such log file.
                Status::Ok if on_trail => (
                    Status::Ok,
                    format!(
                        "allowed (answered {} for a log file that does not exist)",
                        answer(&gap)
                    ),
                ),
                // KMS and S3 look a key or bucket up before they evaluate the caller's
                // policies for it (the key policy, the bucket's own policy): a not-found
                // answer for a name nobody has proves nothing about the permission.
                Status::Ok if RESOURCE_POLICY_FIRST.contains(&op.service.as_str()) => (
                    Status::NotChecked,
                    format!(
                        "not proven: {} answered {} for a name that does not exist; collect's \
                         own calls on the account's keys and buckets will show it",
                        op.service,
                        answer(&gap)
                    ),
                ),
                Status::Ok => (
                    Status::Ok,
                    format!("allowed (answered {} for a placeholder name)", answer(&gap)),
                ),
                other => (other, answer(&gap)),
            },
        };
        Check {
            kind: Kind::Read,
            source: op.iam_action.clone(),
            region: region.to_string(),
            status,
            // Not proven is not blocking: the call may well be allowed; nor is an optional read.
            required: status != Status::NotChecked && !op.optional,
            items: feeds.get(&op.iam_action).cloned().unwrap_or_default(),
            detail,
            fix: if op.optional && status == Status::Denied {
                Some(optional_fix(&op.iam_action))
            } else {
                read_fix(status, &op.iam_action, region)
            },
            actions: vec![op.iam_action.clone()],
        }
    }))
    .await
}

/// Where a read's check is reported: IAM's globally, Cost Explorer's in us-east-1 (its one
/// endpoint), the others in `region`.
pub fn region_of<'a>(iam_action: &str, region: &'a str) -> &'a str {
    match iam_action.split_once(':').map(|(service, _)| service) {
        Some(s) if GLOBAL_SERVICES.contains(&s) => "global",
        Some("ce") => costexplorer::REGION,
        _ => region,
    }
}

/// The answer to one cheapest call of `service:operation`.
/// `kms_key`: the key KMS is asked about ([`dms_key`]).
pub async fn probe(
    c: &Clients,
    account: &str,
    kms_key: &str,
    service: &str,
    operation: &str,
) -> Result<(), Gap> {
    let region = c.region.as_str();
    let at = (service, operation, region);
    let arn = |kind: &str| format!("arn:aws:dms:{region}:{account}:{kind}:{PLACEHOLDER}");
    match (service, operation) {
        ("dms", _) => probe_dms(c, operation, &arn).await,
        ("rds", "DescribeDBInstances") => {
            call!(at, c.rds.describe_db_instances().max_records(20).send())
        }
        ("rds", "DescribeDBClusters") => {
            call!(at, c.rds.describe_db_clusters().max_records(20).send())
        }
        ("kms", "DescribeKey") => call!(at, c.kms.describe_key().key_id(kms_key).send()),
        ("kms", "GetKeyRotationStatus") => {
            let key = kms_key.to_string();
            // GetKeyRotationStatus takes a key id or ARN, not an alias.
            let key = if key.starts_with("alias/") {
                let described = c.kms.describe_key().key_id(&key).send().await.ok();
                described.and_then(|o| o.key_metadata().map(|m| m.key_id().to_string()))
            } else {
                Some(key)
            };
            let key = key.unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
            call!(at, c.kms.get_key_rotation_status().key_id(key).send())
        }
        ("cloudwatch", "ListMetrics") => {
            call!(at, c.cloudwatch.list_metrics().namespace("AWS/DMS").send())
        }
        ("cloudwatch", "GetMetricData") => call!(at, metric_probe(c).send()),
        ("logs", "DescribeLogGroups") => call!(
            at,
            c.logs
                .describe_log_groups()
                .log_group_name_prefix("dms-tasks-")
                .limit(1)
                .send()
        ),
        ("logs", "DescribeLogStreams") => call!(
            at,
            c.logs
                .describe_log_streams()
                .log_group_name(format!("dms-tasks-{PLACEHOLDER}"))
                .limit(1)
                .send()
        ),
        ("cloudtrail", "LookupEvents") => call!(at, dms_events(c, 1).send()),
        ("config", _) => probe_config(c, operation, &arn("endpoint")).await,
        // The keys valid now (StartTime and EndTime default to the current time).
        ("cloudtrail", "ListPublicKeys") => call!(at, c.cloudtrail.list_public_keys().send()),
        ("ce", "GetCostAndUsage") => call!(
            (service, operation, costexplorer::REGION),
            costexplorer::cheapest(&c.ce).send()
        ),
        _ => probe_others(c, account, service, operation).await,
    }
}

/// The cheapest call of an AWS Config read (the recorders' are checked elsewhere).
async fn probe_config(c: &Clients, operation: &str, endpoint: &str) -> Result<(), Gap> {
    let at = ("config", operation, c.region.as_str());
    match operation {
        "DescribeRetentionConfigurations" => {
            call!(at, c.config.describe_retention_configurations().send())
        }
        "ListDiscoveredResources" => call!(
            at,
            c.config
                .list_discovered_resources()
                .resource_type(config_type())
                .limit(1)
                .send()
        ),
        "GetResourceConfigHistory" => call!(
            at,
            c.config
                .get_resource_config_history()
                .resource_type(config_type())
                .resource_id(endpoint)
                .limit(1)
                .send()
        ),
        _ => Err(unknown("config", operation, &c.region)),
    }
}

/// The AWS Config resource type the collector asks about.
fn config_type() -> aws_sdk_config::types::ResourceType {
    aws_sdk_config::types::ResourceType::from(crate::facts::config_history::ENDPOINT_TYPE)
}

/// The operations that read a trail's log files: probed only when the case study names a
/// trail, on its bucket.
const TRAIL_READS: &[&str] = &["ListObjectsV2", "GetObject"];

/// The trail reads, on the case study's trail: the account's log folder listed (one key),
/// and a log file that does not exist asked for (S3 checks the caller's policies before
/// it looks the key up).
async fn probe_trail(
    c: &Clients,
    account: &str,
    t: &TrailSource,
    operation: &str,
) -> Result<(), Gap> {
    let region = c.region.as_str();
    let at = ("s3", operation, region);
    let folder = trail::folder(t, account, region, trail::LOGS);
    if operation == "ListObjectsV2" {
        call!(
            at,
            c.s3.list_objects_v2()
                .bucket(&t.bucket)
                .prefix(folder)
                .max_keys(1)
                .send()
        )
    } else {
        call!(
            at,
            c.s3.get_object()
                .bucket(&t.bucket)
                .key(format!("{folder}{PLACEHOLDER}.json.gz"))
                .send()
        )
    }
}

/// The optional reads: the policy statement that grants each, the CloudFormation
/// parameter that turns it on, and what else may stand in the way.
const OPTIONAL_STATEMENTS: &[(&str, &str, &str, &str)] = &[
    (
        "cloudtrail:ListPublicKeys",
        "DmsEvidenceReadOnly",
        "its default parameters",
        "Without it, a trail's log files cannot be checked against CloudTrail's signed digest \
         files, and a [trail] is used only with validation = \"off\"",
    ),
    (
        "ce:GetCostAndUsage",
        "DmsEvidenceCostExplorerOptional",
        "CostExplorer=true",
        "It decides no item: every verdict is the same without it. In an AWS Organization, \
         the management account may also have to give member accounts access to Cost Explorer",
    ),
    (
        "s3:ListBucket",
        "DmsEvidenceTrailOptional",
        "TrailBucket=<the trail's bucket>",
        "Without it, a migration older than event history's 90 days stays \
         insufficient_evidence. A bucket in another account (an organization's log archive) \
         must also allow the role in its bucket policy",
    ),
    (
        "s3:GetObject",
        "DmsEvidenceTrailOptional",
        "TrailBucket=<the trail's bucket>",
        "Without it, a migration older than event history's 90 days stays \
         insufficient_evidence. A bucket in another account (an organization's log archive) \
         must also allow the role in its bucket policy",
    ),
];

/// The fix for an optional read the role does not grant: how to add it, and that
/// collect does without it.
fn optional_fix(action: &str) -> String {
    let (sid, parameter, also) = OPTIONAL_STATEMENTS
        .iter()
        .find(|(a, ..)| *a == action)
        .map_or(("its own", "its parameter", ""), |(_, sid, p, also)| {
            (*sid, *p, *also)
        });
    format!(
        "optional: grant {action} to add its evidence (statement {sid} of {POLICY_FILE}; \
         {TEMPLATE_FILE} with {parameter}); collect records a gap without it. {also}"
    )
}

async fn probe_dms(c: &Clients, operation: &str, arn: &dyn Fn(&str) -> String) -> Result<(), Gap> {
    let region = c.region.as_str();
    let at = ("dms", operation, region);
    let d = &c.dms;
    match operation {
        "DescribeReplicationInstances" => {
            call!(
                at,
                d.describe_replication_instances().max_records(20).send()
            )
        }
        "DescribeReplicationSubnetGroups" => call!(
            at,
            d.describe_replication_subnet_groups()
                .max_records(20)
                .send()
        ),
        "DescribeEndpoints" => call!(at, d.describe_endpoints().max_records(20).send()),
        "DescribeReplicationTasks" => call!(
            at,
            d.describe_replication_tasks()
                .without_settings(true)
                .max_records(20)
                .send()
        ),
        "DescribeTableStatistics" => call!(
            at,
            d.describe_table_statistics()
                .replication_task_arn(arn("task"))
                .send()
        ),
        "DescribeCertificates" => call!(at, d.describe_certificates().max_records(20).send()),
        "DescribeAccountAttributes" => call!(at, d.describe_account_attributes().send()),
        "DescribeReplicationTaskAssessmentRuns" => call!(
            at,
            d.describe_replication_task_assessment_runs()
                .max_records(20)
                .send()
        ),
        "DescribeReplicationConfigs" => {
            call!(at, d.describe_replication_configs().max_records(20).send())
        }
        "DescribeReplications" => call!(at, d.describe_replications().max_records(20).send()),
        "DescribeReplicationTableStatistics" => call!(
            at,
            d.describe_replication_table_statistics()
                .replication_config_arn(arn("replication-config"))
                .send()
        ),
        "DescribeMigrationProjects" => {
            call!(at, d.describe_migration_projects().max_records(20).send())
        }
        "DescribeDataProviders" => call!(at, d.describe_data_providers().max_records(20).send()),
        "DescribeMetadataModelAssessments" => call!(
            at,
            d.describe_metadata_model_assessments()
                .migration_project_identifier(arn("migration-project"))
                .send()
        ),
        "DescribeEngineVersions" => call!(at, d.describe_engine_versions().max_records(20).send()),
        "DescribeEvents" => call!(at, d.describe_events().duration(60).max_records(20).send()),
        "DescribeEventSubscriptions" => {
            call!(at, d.describe_event_subscriptions().max_records(20).send())
        }
        "ListTagsForResource" => call!(
            at,
            d.list_tags_for_resource().resource_arn(arn("rep")).send()
        ),
        _ => Err(unknown("dms", operation, region)),
    }
}

async fn probe_others(
    c: &Clients,
    account: &str,
    service: &str,
    operation: &str,
) -> Result<(), Gap> {
    let region = c.region.as_str();
    let at = (service, operation, region);
    match (service, operation) {
        ("iam", _) => probe_iam(c, operation).await,
        ("ec2", "DescribeInstances") => call!(at, c.ec2.describe_instances().max_results(5).send()),
        ("ec2", "DescribeVpcs") => call!(at, c.ec2.describe_vpcs().max_results(5).send()),
        ("redshift", "DescribeClusters") => {
            call!(at, c.redshift.describe_clusters().max_records(20).send())
        }
        ("redshift-serverless", "ListNamespaces") => {
            call!(
                at,
                c.redshift_serverless
                    .list_namespaces()
                    .max_results(1)
                    .send()
            )
        }
        ("redshift-serverless", "ListWorkgroups") => {
            call!(
                at,
                c.redshift_serverless
                    .list_workgroups()
                    .max_results(1)
                    .send()
            )
        }
        ("s3", "GetBucketEncryption") => call!(
            at,
            c.s3.get_bucket_encryption()
                .bucket(format!("{PLACEHOLDER}-{account}"))
                .send()
        ),
        ("dynamodb", "DescribeTable") => {
            call!(
                at,
                c.dynamodb.describe_table().table_name(PLACEHOLDER).send()
            )
        }
        ("opensearch", "ListDomainNames") => call!(at, c.opensearch.list_domain_names().send()),
        ("opensearch", "DescribeDomains") => call!(
            at,
            c.opensearch
                .describe_domains()
                .domain_names(PLACEHOLDER)
                .send()
        ),
        ("kinesis", "DescribeStreamSummary") => call!(
            at,
            c.kinesis
                .describe_stream_summary()
                .stream_name(PLACEHOLDER)
                .send()
        ),
        _ => Err(unknown(service, operation, region)),
    }
}

/// IAM's reads, about the role DMS needs (`dms-vpc-role`) and the customer's policies.
async fn probe_iam(c: &Clients, operation: &str) -> Result<(), Gap> {
    let at = ("iam", operation, c.region.as_str());
    let dms_vpc_role = "dms-vpc-role";
    match ("iam", operation) {
        ("iam", "GetRole") => call!(at, c.iam.get_role().role_name(dms_vpc_role).send()),
        ("iam", "ListAttachedRolePolicies") => call!(
            at,
            c.iam
                .list_attached_role_policies()
                .role_name(dms_vpc_role)
                .max_items(1)
                .send()
        ),
        ("iam", "ListPolicies") => call!(
            at,
            c.iam
                .list_policies()
                .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                .max_items(1)
                .send()
        ),
        ("iam", "GetPolicyVersion") => call!(
            at,
            c.iam
                .get_policy_version()
                .policy_arn("arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole")
                .version_id("v1")
                .send()
        ),
        _ => Err(unknown("iam", operation, &c.region)),
    }
}

/// A KMS key DMS uses in this region, so that KMS (which looks a key up before it
/// evaluates policies for it) is asked about a real one: the key of the first replication
/// instance or endpoint that names one, else the account's `aws/dms` key.
pub async fn dms_key(c: &Clients) -> String {
    let instances = c
        .dms
        .describe_replication_instances()
        .max_records(20)
        .send()
        .await;
    let from_instances = instances.ok().and_then(|o| {
        o.replication_instances()
            .iter()
            .find_map(|i| i.kms_key_id().map(str::to_string))
    });
    if let Some(key) = from_instances {
        return key;
    }
    let endpoints = c.dms.describe_endpoints().max_records(20).send().await;
    endpoints
        .ok()
        .and_then(|o| {
            o.endpoints()
                .iter()
                .find_map(|e| e.kms_key_id().map(str::to_string))
        })
        .unwrap_or_else(|| "alias/aws/dms".into())
}

/// A GetMetricData of one hour of one series no instance has.
fn metric_probe(
    c: &Clients,
) -> aws_sdk_cloudwatch::operation::get_metric_data::builders::GetMetricDataFluentBuilder {
    let now = crate::time::Timestamp::now();
    let metric = Metric::builder()
        .namespace("AWS/DMS")
        .metric_name("CPUUtilization")
        .dimensions(
            Dimension::builder()
                .name("ReplicationInstanceIdentifier")
                .value(PLACEHOLDER)
                .build(),
        )
        .build();
    let query = MetricDataQuery::builder()
        .id("probe")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(3600)
                .stat("Average")
                .build(),
        )
        .build();
    c.cloudwatch
        .get_metric_data()
        .metric_data_queries(query)
        .start_time((now - crate::time::HOUR).to_sdk())
        .end_time(now.to_sdk())
}

/// LookupEvents of DMS's management events of the last 90 days, newest first.
pub(crate) fn dms_events(
    c: &Clients,
    max: i32,
) -> aws_sdk_cloudtrail::operation::lookup_events::builders::LookupEventsFluentBuilder {
    let now = crate::time::Timestamp::now();
    let source = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventSource)
        .attribute_value("dms.amazonaws.com")
        .build()
        .ok();
    c.cloudtrail
        .lookup_events()
        .set_lookup_attributes(source.map(|s| vec![s]))
        .start_time((now - time::Duration::days(90)).to_sdk())
        .end_time(now.to_sdk())
        .max_results(max)
}

/// An operation of the table this module has no probe for (a test keeps there none).
fn unknown(service: &str, operation: &str, region: &str) -> Gap {
    Gap {
        service: service.into(),
        operation: operation.into(),
        region: region.into(),
        iam_action: crate::operations::iam_action(service, operation),
        kind: crate::evidence::GapKind::NotImplemented,
        code: None,
        message: format!("doctor has no probe for {service}:{operation}"),
        resource: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each optional read's row names the statement of the policy file that grants it and
    /// the template parameter that turns it on, and every optional read has a row: the
    /// advice doctor prints stays true to the files it names.
    #[test]
    fn the_optional_statements_are_those_of_the_policy_and_the_template() {
        let root = env!("CARGO_MANIFEST_DIR");
        let policy: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{root}/{POLICY_FILE}")).expect("policy"),
        )
        .expect("policy JSON");
        let template =
            std::fs::read_to_string(format!("{root}/{TEMPLATE_FILE}")).expect("template");
        let statements = policy["Statement"].as_array().expect("statements");
        for (action, sid, parameter, _) in OPTIONAL_STATEMENTS {
            let statement = statements.iter().find(|s| s["Sid"] == *sid);
            let actions = statement.map(|s| match &s["Action"] {
                serde_json::Value::String(a) => vec![a.clone()],
                v => serde_json::from_value::<Vec<String>>(v.clone()).unwrap_or_default(),
            });
            assert!(
                actions.is_some_and(|a| a.iter().any(|a| a == action)),
                "{action}: not in statement {sid} of {POLICY_FILE}"
            );
            assert!(template.contains(&format!("  {sid}:")) || *sid == "DmsEvidenceReadOnly");
            if let Some((name, _)) = parameter.split_once('=') {
                assert!(
                    template.contains(&format!("\n  {name}:\n")),
                    "{parameter}: no such parameter in {TEMPLATE_FILE}"
                );
            }
        }
        for action in crate::operations::iam_actions() {
            if crate::operations::is_optional(&action) {
                assert!(
                    OPTIONAL_STATEMENTS.iter().any(|(a, ..)| *a == action),
                    "{action} is optional but doctor has no row for it"
                );
            }
        }
    }
}
