//! The facts: a typed, versioned model of a DMS estate as AWS reported it.
//!
//! Every fact carries `region` and `sources`, the ids of the raw captures it was
//! read from. Values AWS did not report stay `None`; nothing is defaulted here.

pub mod config_history;
pub mod endpoint;
pub mod endpoint_then;
pub mod history;
pub mod host;
pub mod settings;
pub mod trace;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::time::Timestamp;

pub use host::{ClusterKind, Host, HostKind};
pub use settings::{TableMappings, TaskSettings};

/// Version of this model; a change that breaks readers bumps it.
pub const FACTS_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub version: u32,
    pub account_id: String,
    pub regions: Vec<String>,
    pub replication_instances: Vec<ReplicationInstance>,
    pub subnet_groups: Vec<SubnetGroup>,
    pub endpoints: Vec<Endpoint>,
    pub tasks: Vec<Task>,
    pub serverless: Vec<ServerlessReplication>,
    pub certificates: Vec<Certificate>,
    pub account_quotas: Vec<AccountQuota>,
    pub assessment_runs: Vec<AssessmentRun>,
    pub migration_projects: Vec<NamedResource>,
    pub data_providers: Vec<NamedResource>,
    pub engine_versions: Vec<EngineVersion>,
    pub events: Vec<Event>,
    pub tags: Vec<ResourceTags>,
    pub rds_instances: Vec<DbInstance>,
    pub rds_clusters: Vec<DbCluster>,
    pub kms_keys: Vec<KmsKey>,
    pub metrics: Vec<MetricSeries>,
    pub log_groups: Vec<LogGroup>,
    pub iam_roles: Vec<IamRole>,
    pub iam_policies: Vec<IamPolicy>,
    /// EC2 instances and VPCs of the account, to place endpoint hosts (HOST).
    #[serde(default)]
    pub ec2_instances: Vec<Ec2Instance>,
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    /// DMS event subscriptions (Security Hub DMS.3).
    #[serde(default)]
    pub event_subscriptions: Vec<EventSubscription>,
    /// DMS Schema Conversion metadata model assessments.
    #[serde(default)]
    pub metadata_assessments: Vec<MetadataAssessment>,
    /// The target stores' own encryption and placement, read from their services.
    #[serde(default)]
    pub target_stores: Vec<TargetStore>,
    /// The AWS Config recorders of each region, as they were when collected
    /// ([`config_history`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_recorders: Vec<config_history::ConfigRecorder>,
    /// What CloudTrail event history covered, per region ([`history`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history_reads: Vec<HistoryRead>,
    /// The DMS usage AWS billed, month by month, from Cost Explorer: supporting evidence
    /// that DMS ran in a month, never enough alone for an item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billed_usage: Vec<BilledUsage>,
    /// What the Cost Explorer read covered; `None` when it was not read or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_read: Option<BillingRead>,
}

/// One month's billed quantity of one DMS usage type, as Cost Explorer's GetCostAndUsage
/// answered it (grouped by USAGE_TYPE; Cost Explorer API Reference, GetCostAndUsage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BilledUsage {
    /// The month, `YYYY-MM` (the result's TimePeriod Start).
    pub month: String,
    /// The usage type as billed, e.g. `EUW2-InstanceUsg:dms.r5.large` (the region's
    /// billing prefix, then `InstanceUsg:` or `Multi-AZUsg:` and the instance class).
    pub usage_type: String,
    /// UsageQuantity's Amount, as Cost Explorer wrote it (a decimal string).
    pub amount: String,
    /// UsageQuantity's Unit (`Hrs` for instance hours).
    pub unit: String,
    /// Cost Explorer's `Estimated`: the month's figures are not final yet.
    pub estimated: bool,
    pub sources: Vec<String>,
}

impl BilledUsage {
    /// Whether the month shows any of this usage: an amount above zero (instance hours,
    /// storage, Serverless capacity: any DMS usage).
    pub fn used(&self) -> bool {
        self.amount.parse::<f64>().is_ok_and(|a| a > 0.0)
    }
}

/// The span of months Cost Explorer was asked about (`since` inclusive, `until`
/// exclusive, `YYYY-MM-DD`, as its TimePeriod).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingRead {
    pub since: String,
    pub until: String,
    pub sources: Vec<String>,
}

/// One CloudTrail management event about a DMS resource: when, which call, by whom,
/// and the request's parameters as CloudTrail recorded them (CloudTrail User Guide,
/// "CloudTrail record contents"; secrets hidden by CloudTrail and redacted again).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// eventTime.
    pub at: Timestamp,
    /// eventName (CreateEndpoint, ModifyEndpoint, StartReplicationTask, …).
    pub name: String,
    pub event_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// requestParameters, member names as the API spells them (PascalCase).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub request: serde_json::Value,
    /// A task's ReplicationTaskSettings document as this Create/Modify call left it: the
    /// answer's (complete), else the request's (only the members it names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<String>,
    /// Its TableMappings document, likewise (the whole document either way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<String>,
    pub sources: Vec<String>,
}

/// The span of CloudTrail history read in a region, from event history (90 days) or a
/// trail's log files: events before `since` are not on record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryRead {
    pub region: String,
    pub since: Timestamp,
    pub until: Timestamp,
    pub events: usize,
    pub sources: Vec<String>,
    /// Where the events were read, when not from event history (a trail's log files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What shows the events are unchanged, for a trail's log files: checked against
    /// CloudTrail's signed digest files, or not validated and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicationInstance {
    pub region: String,
    pub identifier: String,
    pub arn: String,
    pub class: Option<String>,
    pub status: Option<String>,
    pub allocated_storage_gb: Option<i32>,
    pub engine_version: Option<String>,
    pub auto_minor_version_upgrade: Option<bool>,
    pub multi_az: Option<bool>,
    pub availability_zone: Option<String>,
    pub publicly_accessible: Option<bool>,
    pub public_ips: Vec<String>,
    pub private_ips: Vec<String>,
    pub subnet_group: Option<String>,
    pub vpc_id: Option<String>,
    pub security_groups: Vec<String>,
    pub kms_key_id: Option<String>,
    pub created: Option<Timestamp>,
    pub sources: Vec<String>,
    /// When CloudTrail shows it deleted; it is then known only from its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// Its CloudTrail events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEvent>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubnetGroup {
    pub region: String,
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub vpc_id: Option<String>,
    pub subnets: Vec<(String, String)>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub region: String,
    pub identifier: String,
    pub arn: String,
    /// `source` or `target`.
    pub endpoint_type: String,
    pub engine: String,
    /// F(engine).
    pub family: String,
    pub server_name: Option<String>,
    pub port: Option<i32>,
    pub database: Option<String>,
    pub status: Option<String>,
    pub ssl_mode: Option<String>,
    pub certificate_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub host: Host,
    /// Engine-specific settings objects as AWS returned them (secrets redacted).
    pub settings: BTreeMap<String, serde_json::Value>,
    pub sources: Vec<String>,
    /// When CloudTrail shows it deleted; it is then known only from its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// Its CloudTrail events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEvent>,
    /// Where the engines and servers its history shows before today's were, placed as
    /// today's host is ([`host::past_identities`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts_then: Vec<HostThen>,
    /// What AWS Config recorded of it, oldest first ([`config_history`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_history: Vec<config_history::ConfigItem>,
    /// For a copy of it as it was while a migration ran, what that rests on when it is not
    /// its CloudTrail history ([`config_history::during`]); never serialized.
    #[serde(skip)]
    pub then_basis: Option<String>,
}

/// The host of an engine and server name an endpoint had before today's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostThen {
    pub engine: String,
    pub server_name: Option<String>,
    pub host: Host,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskStats {
    pub full_load_progress_percent: Option<i32>,
    pub elapsed_time_millis: Option<i64>,
    pub tables_loaded: Option<i32>,
    pub tables_loading: Option<i32>,
    pub tables_queued: Option<i32>,
    pub tables_errored: Option<i32>,
    pub fresh_start_date: Option<Timestamp>,
    pub start_date: Option<Timestamp>,
    pub stop_date: Option<Timestamp>,
    pub full_load_start_date: Option<Timestamp>,
    pub full_load_finish_date: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableStat {
    pub schema: String,
    pub table: String,
    pub state: Option<String>,
    pub full_load_rows: i64,
    pub inserts: i64,
    pub updates: i64,
    pub deletes: i64,
    pub ddls: i64,
    pub full_load_error_rows: i64,
    pub validation_state: Option<String>,
    pub validation_failed_records: i64,
    pub last_update: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub region: String,
    pub identifier: String,
    pub arn: String,
    /// The resource id at the end of the ARN (CloudWatch's ReplicationTaskIdentifier).
    pub resource_id: String,
    pub instance_arn: Option<String>,
    pub source_arn: Option<String>,
    pub target_arn: Option<String>,
    pub migration_type: Option<String>,
    pub status: Option<String>,
    pub stop_reason: Option<String>,
    pub last_failure_message: Option<String>,
    pub created: Option<Timestamp>,
    pub started: Option<Timestamp>,
    pub recovery_checkpoint: Option<String>,
    pub stats: Option<TaskStats>,
    pub settings: TaskSettings,
    pub table_mappings: TableMappings,
    /// Table statistics; `None` when they could not be read (see gaps).
    pub tables: Option<Vec<TableStat>>,
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_sources: Vec<String>,
    /// When CloudTrail shows it deleted; it is then known only from its history, and
    /// its dates (`started`, `stats`) are the CloudTrail events'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// Its CloudTrail events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEvent>,
    /// Known only from its traces ([`trace`]): no DMS call and no CloudTrail event names
    /// it, and all that is on record of it is its CloudWatch series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traced: Option<Trace>,
}

/// What named a task known only from its CloudWatch series ([`trace`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The replication instance identifier its series (and log group) name.
    pub instance: String,
    /// The log stream DMS wrote it to (`<group>/<stream>`), and that stream's last event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<Timestamp>,
    /// The case study pointed at it (`[[deleted_task]]`): where to look, never evidence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
}

impl Trace {
    /// "its log stream dms-tasks-ri/dms-task-X" or "the case study's pointer", for reasons.
    pub fn named_by(&self) -> String {
        match &self.log_stream {
            Some(stream) => format!("its log stream {stream}"),
            None => "the case study's [[deleted_task]] pointer".to_string(),
        }
    }
}

/// A DMS Serverless replication: its config and its running replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerlessReplication {
    pub region: String,
    pub identifier: String,
    pub config_arn: String,
    pub source_arn: Option<String>,
    pub target_arn: Option<String>,
    pub replication_type: Option<String>,
    pub kms_key_id: Option<String>,
    pub multi_az: Option<bool>,
    pub max_capacity_units: Option<i32>,
    pub created: Option<Timestamp>,
    pub status: Option<String>,
    pub stop_reason: Option<String>,
    pub stats: Option<TaskStats>,
    /// ProvisionData of the replication: capacity AWS provisioned when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Provision>,
    pub settings: TaskSettings,
    pub table_mappings: TableMappings,
    pub tables: Option<Vec<TableStat>>,
    pub sources: Vec<String>,
    /// When CloudTrail shows it deleted (DeleteReplicationConfig); it is then known only
    /// from its history, and its dates (`stats`) are the CloudTrail events'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// Its CloudTrail events (Create/Modify/Delete ReplicationConfig, Start/Stop
    /// Replication), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEvent>,
}

/// DMS Serverless ProvisionData: evidence that capacity was provisioned (it ran).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provision {
    pub state: Option<String>,
    pub capacity_units: Option<i32>,
    pub date_provisioned: Option<Timestamp>,
    pub date_new_provisioning_data_available: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub region: String,
    pub identifier: String,
    pub arn: String,
    pub valid_from: Option<Timestamp>,
    pub valid_to: Option<Timestamp>,
    pub key_length: Option<i32>,
    pub signing_algorithm: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountQuota {
    pub region: String,
    pub name: String,
    pub used: i64,
    pub max: i64,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRun {
    pub region: String,
    pub arn: String,
    pub task_arn: Option<String>,
    pub status: Option<String>,
    pub created: Option<Timestamp>,
    pub passed: Option<i32>,
    pub failed: Option<i32>,
    pub error: Option<i32>,
    pub warning: Option<i32>,
    pub sources: Vec<String>,
}

/// A Schema Conversion migration project or data provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedResource {
    pub region: String,
    pub name: String,
    pub arn: String,
    pub engine: Option<String>,
    pub created: Option<Timestamp>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineVersion {
    pub region: String,
    pub version: String,
    pub lifecycle: Option<String>,
    pub release_status: Option<String>,
    pub launch_date: Option<Timestamp>,
    pub deprecation_date: Option<Timestamp>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub region: String,
    pub source_identifier: Option<String>,
    pub source_type: Option<String>,
    pub message: Option<String>,
    pub categories: Vec<String>,
    pub date: Option<Timestamp>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceTags {
    pub region: String,
    pub arn: String,
    pub tags: BTreeMap<String, String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DbInstance {
    pub region: String,
    pub identifier: String,
    pub arn: Option<String>,
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    pub class: Option<String>,
    pub status: Option<String>,
    pub allocated_storage_gb: Option<i32>,
    pub iops: Option<i32>,
    pub storage_type: Option<String>,
    pub storage_encrypted: Option<bool>,
    /// none, sse-kms or sse-rds (RDS-owned key: StorageEncrypted is false, yet the
    /// storage is encrypted; RDS API Reference, DBInstance.StorageEncryptionType).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_encryption_type: Option<String>,
    pub kms_key_id: Option<String>,
    pub multi_az: Option<bool>,
    pub publicly_accessible: Option<bool>,
    pub availability_zone: Option<String>,
    pub address: Option<String>,
    pub cluster: Option<String>,
    pub read_replica_source: Option<String>,
    /// InstanceCreateTime: a database created again under the same name (restored from an
    /// encrypted snapshot copy, as AWS advises for encrypting one) is not the one a
    /// migration before then wrote to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DbCluster {
    pub region: String,
    pub identifier: String,
    pub arn: Option<String>,
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    pub status: Option<String>,
    pub storage_encrypted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_encryption_type: Option<String>,
    pub kms_key_id: Option<String>,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub members: Vec<String>,
    /// The members that are writers (DBClusterMembers.IsClusterWriter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writers: Vec<String>,
    /// Multi-AZ DB clusters report their storage here; Aurora clusters report 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage_gb: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    /// ClusterCreateTime, as [`DbInstance::created`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    pub sources: Vec<String>,
}

impl DbCluster {
    /// What kind of cluster DescribeDBClusters returned, from its engine.
    pub fn kind(&self) -> ClusterKind {
        ClusterKind::of(self.engine.as_deref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KmsKey {
    pub region: String,
    /// The reference as found on the resource (ARN, id or alias).
    pub reference: String,
    pub arn: Option<String>,
    /// `AWS` (AWS-managed, e.g. aws/dms) or `CUSTOMER`.
    pub key_manager: Option<String>,
    pub key_state: Option<String>,
    pub key_spec: Option<String>,
    /// AWS_KMS, EXTERNAL (imported), AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub rotation_enabled: Option<bool>,
    /// Which resources use it (ARNs or identifiers).
    pub used_by: Vec<String>,
    pub sources: Vec<String>,
}

/// One CloudWatch series: hourly inside `hourly_windows` (the migration windows),
/// daily elsewhere; `period` is the finest resolution it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub region: String,
    pub namespace: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    pub period: i32,
    /// Spans read at hourly resolution (epoch seconds on the wire).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::time::epoch_seconds::spans"
    )]
    pub hourly_windows: Vec<(Timestamp, Timestamp)>,
    /// Ascending (epoch seconds on the wire).
    #[serde(with = "crate::time::epoch_seconds")]
    pub timestamps: Vec<Timestamp>,
    pub values: Vec<f64>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogGroup {
    pub region: String,
    pub name: String,
    pub retention_days: Option<i32>,
    pub stored_bytes: Option<i64>,
    pub created: Option<Timestamp>,
    /// The most recent streams, newest first: (name, last event time).
    pub latest_streams: Vec<(String, Option<Timestamp>)>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IamRole {
    pub name: String,
    /// `false` when GetRole answered NoSuchEntity.
    pub exists: bool,
    pub arn: Option<String>,
    /// Service principals the trust policy allows (e.g. dms.amazonaws.com).
    pub trusted_services: Vec<String>,
    pub attached_policies: Vec<String>,
    pub sources: Vec<String>,
}

/// A customer-managed policy that grants DMS actions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IamPolicy {
    pub name: String,
    pub arn: String,
    pub dms_actions: Vec<String>,
    /// Condition keys used in statements with DMS actions (e.g. dms:task-tag/project).
    pub condition_keys: Vec<String>,
    /// Whether any DMS statement names resources other than "*".
    pub scoped_resources: bool,
    pub attachment_count: Option<i32>,
    pub sources: Vec<String>,
}

/// An EC2 instance: the addresses and names by which an endpoint may reach it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ec2Instance {
    pub region: String,
    pub id: String,
    pub state: Option<String>,
    pub vpc_id: Option<String>,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
    /// Private and public DNS names.
    pub dns_names: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub region: String,
    pub id: String,
    /// IPv4 CIDR blocks (primary and associated).
    pub cidrs: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventSubscription {
    pub region: String,
    pub name: String,
    pub arn: Option<String>,
    pub enabled: Option<bool>,
    pub source_type: Option<String>,
    pub categories: Vec<String>,
    pub sources: Vec<String>,
}

/// A DMS Schema Conversion metadata model assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataAssessment {
    pub region: String,
    pub migration_project: String,
    pub request_id: Option<String>,
    pub status: Option<String>,
    pub sources: Vec<String>,
}

/// Which service a target store belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    RedshiftCluster,
    RedshiftServerless,
    S3Bucket,
    DynamoDbTable,
    OpenSearchDomain,
    KinesisStream,
}

/// A target store read from its own service: encryption at rest and placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStore {
    pub region: String,
    pub kind: StoreKind,
    /// Cluster id, namespace, bucket, table, domain or stream name.
    pub name: String,
    pub arn: Option<String>,
    /// Addresses the store answers on (Redshift, OpenSearch), to match endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// `Some(true)` encrypted at rest, `Some(false)` not, `None` not reported.
    pub encrypted: Option<bool>,
    /// How: the algorithm or mode the service reports (aws:kms, AES256, KMS, …).
    pub encryption: Option<String>,
    pub kms_key_id: Option<String>,
    pub publicly_accessible: Option<bool>,
    /// For a store whose encryption at rest can be switched on after its creation (a
    /// Redshift cluster, a Kinesis stream, an OpenSearch domain): the CloudTrail events of
    /// the last 90 days that did, oldest first; `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_since: Option<Vec<HistoryEvent>>,
    /// When the store was created, where its service reports it (Redshift
    /// ClusterCreateTime, Kinesis StreamCreationTimestamp): one created again under the
    /// same name is not the one a migration before then wrote to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    pub sources: Vec<String>,
}

impl StoreKind {
    /// The call that can switch this kind's encryption at rest on after its creation
    /// (Redshift API Reference, ModifyCluster `Encrypted`; Kinesis API Reference,
    /// StartStreamEncryption; OpenSearch API Reference, UpdateDomainConfig
    /// `EncryptionAtRestOptions`); `None` where it is set for good at creation, or always on
    /// (Redshift Serverless namespaces, DynamoDB tables; S3 buckets encrypt every new object
    /// since January 2023, Amazon S3 User Guide, "Setting default server-side encryption
    /// behavior").
    pub fn encryption_switch(self) -> Option<&'static str> {
        match self {
            StoreKind::RedshiftCluster => Some("ModifyCluster Encrypted"),
            StoreKind::KinesisStream => Some("StartStreamEncryption"),
            StoreKind::OpenSearchDomain => Some("UpdateDomainConfig EncryptionAtRestOptions"),
            _ => None,
        }
    }
}

impl Facts {
    pub fn endpoint(&self, arn: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.arn == arn)
    }

    pub fn instance(&self, arn: &str) -> Option<&ReplicationInstance> {
        self.replication_instances.iter().find(|i| i.arn == arn)
    }

    /// A KMS key as referenced by a resource in `region` (a key ARN names its own
    /// region and account; an id or alias is the resource's region's).
    pub fn key(&self, region: &str, reference: &str) -> Option<&KmsKey> {
        let key_region = arn_region(reference).unwrap_or(region);
        self.kms_keys.iter().find(|k| {
            (k.reference == reference || k.arn.as_deref() == Some(reference))
                && (k.region == key_region || k.arn.as_deref() == Some(reference))
        })
    }

    pub fn rds_instance(&self, region: &str, id: &str) -> Option<&DbInstance> {
        self.rds_instances
            .iter()
            .find(|d| d.region == region && d.identifier == id)
    }

    pub fn rds_cluster(&self, region: &str, id: &str) -> Option<&DbCluster> {
        self.rds_clusters
            .iter()
            .find(|d| d.region == region && d.identifier == id)
    }

    pub fn store(&self, region: &str, kind: StoreKind, name: &str) -> Option<&TargetStore> {
        self.target_stores
            .iter()
            .find(|s| s.region == region && s.kind == kind && s.name == name)
    }
}

/// The region an ARN names (`arn:aws:kms:eu-west-1:…` → `eu-west-1`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

/// The run window that dates alone show: from the first start date (the task's
/// start date, FreshStartDate, StartDate, FullLoadStartDate) to StopDate, or to
/// `now` while it runs. `None` when no start date is on record.
pub fn run_window(
    started: Option<Timestamp>,
    stats: Option<&TaskStats>,
    running: bool,
    now: Timestamp,
) -> Option<(Timestamp, Timestamp)> {
    let start = [
        started,
        stats.and_then(|s| s.fresh_start_date),
        stats.and_then(|s| s.start_date),
        stats.and_then(|s| s.full_load_start_date),
    ]
    .into_iter()
    .flatten()
    .min()?;
    let end = if running {
        now
    } else {
        stats
            .and_then(|s| s.stop_date.or(s.full_load_finish_date))
            .unwrap_or(start)
    };
    Some((start, end.max(start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_keys_are_found_in_the_region_their_arn_names() {
        let key = |region: &str, reference: &str, arn: Option<&str>| KmsKey {
            region: region.into(),
            reference: reference.into(),
            arn: arn.map(str::to_string),
            ..KmsKey::default()
        };
        let facts = Facts {
            kms_keys: vec![
                key(
                    "us-east-1",
                    "alias/dms",
                    Some("arn:aws:kms:us-east-1:1:key/a"),
                ),
                key(
                    "eu-west-1",
                    "alias/dms",
                    Some("arn:aws:kms:eu-west-1:1:key/b"),
                ),
            ],
            ..Facts::default()
        };
        let found = |region: &str, r: &str| facts.key(region, r).and_then(|k| k.arn.clone());
        assert_eq!(
            found("eu-west-1", "alias/dms").as_deref(),
            Some("arn:aws:kms:eu-west-1:1:key/b")
        );
        assert_eq!(
            found("us-east-1", "alias/dms").as_deref(),
            Some("arn:aws:kms:us-east-1:1:key/a")
        );
        // A key ARN of another region is that region's key, whoever uses it.
        assert_eq!(
            found("us-east-1", "arn:aws:kms:eu-west-1:1:key/b").as_deref(),
            Some("arn:aws:kms:eu-west-1:1:key/b")
        );
        assert_eq!(
            arn_region("arn:aws:kms:ap-south-1:1:key/x"),
            Some("ap-south-1")
        );
        assert_eq!(arn_region("alias/dms"), None);
    }
}
