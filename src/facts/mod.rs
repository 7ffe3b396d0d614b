//! The facts: a typed, versioned model of a DMS estate as AWS reported it.
//!
//! Every fact carries `region` and `sources`, the ids of the raw captures it was
//! read from. Values AWS did not report stay `None`; nothing is defaulted here.

pub mod host;
pub mod settings;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use host::{Host, HostKind};
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
    pub created: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubnetGroup {
    pub region: String,
    pub identifier: String,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskStats {
    pub full_load_progress_percent: Option<i32>,
    pub elapsed_time_millis: Option<i64>,
    pub tables_loaded: Option<i32>,
    pub tables_loading: Option<i32>,
    pub tables_queued: Option<i32>,
    pub tables_errored: Option<i32>,
    pub fresh_start_date: Option<String>,
    pub start_date: Option<String>,
    pub stop_date: Option<String>,
    pub full_load_start_date: Option<String>,
    pub full_load_finish_date: Option<String>,
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
    pub last_update: Option<String>,
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
    pub created: Option<String>,
    pub started: Option<String>,
    pub recovery_checkpoint: Option<String>,
    pub stats: Option<TaskStats>,
    pub settings: TaskSettings,
    pub table_mappings: TableMappings,
    /// Table statistics; `None` when they could not be read (see gaps).
    pub tables: Option<Vec<TableStat>>,
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_sources: Vec<String>,
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
    pub created: Option<String>,
    pub status: Option<String>,
    pub stop_reason: Option<String>,
    pub stats: Option<TaskStats>,
    pub settings: TaskSettings,
    pub table_mappings: TableMappings,
    pub tables: Option<Vec<TableStat>>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub region: String,
    pub identifier: String,
    pub arn: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
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
    pub created: Option<String>,
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
    pub created: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineVersion {
    pub region: String,
    pub version: String,
    pub lifecycle: Option<String>,
    pub release_status: Option<String>,
    pub launch_date: Option<String>,
    pub deprecation_date: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub region: String,
    pub source_identifier: Option<String>,
    pub source_type: Option<String>,
    pub message: Option<String>,
    pub categories: Vec<String>,
    pub date: Option<String>,
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
    pub kms_key_id: Option<String>,
    pub multi_az: Option<bool>,
    pub publicly_accessible: Option<bool>,
    pub availability_zone: Option<String>,
    pub address: Option<String>,
    pub cluster: Option<String>,
    pub read_replica_source: Option<String>,
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
    pub kms_key_id: Option<String>,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub members: Vec<String>,
    pub sources: Vec<String>,
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
    pub rotation_enabled: Option<bool>,
    /// Which resources use it (ARNs or identifiers).
    pub used_by: Vec<String>,
    pub sources: Vec<String>,
}

/// One CloudWatch series, hourly unless `period` says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub region: String,
    pub namespace: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    pub period: i32,
    /// Epoch seconds, ascending.
    pub timestamps: Vec<i64>,
    pub values: Vec<f64>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogGroup {
    pub region: String,
    pub name: String,
    pub retention_days: Option<i32>,
    pub stored_bytes: Option<i64>,
    pub created: Option<String>,
    /// The most recent streams, newest first: (name, last event time).
    pub latest_streams: Vec<(String, Option<String>)>,
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

impl Facts {
    pub fn endpoint(&self, arn: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.arn == arn)
    }

    pub fn instance(&self, arn: &str) -> Option<&ReplicationInstance> {
        self.replication_instances.iter().find(|i| i.arn == arn)
    }

    pub fn key(&self, reference: &str) -> Option<&KmsKey> {
        self.kms_keys
            .iter()
            .find(|k| k.reference == reference || k.arn.as_deref() == Some(reference))
    }
}
