//! Proves the test bed: every seeded scenario reads back through the real AWS SDK
//! for Rust clients (DMS, RDS, KMS, CloudWatch over CBOR, CloudWatch Logs, IAM, STS).

mod support;

use std::collections::BTreeSet;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_sdk_databasemigration::types::Filter;
use aws_smithy_types::DateTime;
use serde_json::json;
use support::{Emulator, count};

const EXEMPLARY: &str = "111111111111";

async fn dms(emu: &Emulator, account: &str, region: &str) -> aws_sdk_databasemigration::Client {
    aws_sdk_databasemigration::Client::new(&emu.sdk_config(account, region).await)
}

#[tokio::test]
async fn exemplary_dms_estate_reads_back_with_correct_types() {
    let emu = Emulator::shared();
    let seed = emu.seed("exemplary");
    let dms = dms(emu, EXEMPLARY, "us-east-1").await;

    let instances = dms
        .describe_replication_instances()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("DescribeReplicationInstances")
        .iter()
        .flat_map(|p| p.replication_instances().to_vec())
        .collect::<Vec<_>>();
    assert_eq!(
        instances.len(),
        count(&seed, EXEMPLARY, "us-east-1", "replication_instances")
    );
    let ri = &instances[0];
    assert!(!ri.publicly_accessible());
    assert!(ri.multi_az());
    assert_eq!(ri.engine_version(), Some("3.5.4"));
    let created = ri
        .instance_create_time()
        .expect("InstanceCreateTime is a timestamp");
    let age_days = (DateTime::from(std::time::SystemTime::now()).secs() - created.secs()) / 86_400;
    assert_eq!(age_days, 45);
    let group = ri.replication_subnet_group().expect("subnet group");
    assert!(group.vpc_id().unwrap_or_default().starts_with("vpc-"));
    assert_eq!(group.subnets().len(), 2);

    let endpoints = dms
        .describe_endpoints()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("DescribeEndpoints")
        .iter()
        .flat_map(|p| p.endpoints().to_vec())
        .collect::<Vec<_>>();
    let modes: BTreeSet<_> = endpoints
        .iter()
        .map(|e| {
            (
                e.endpoint_identifier().unwrap_or_default(),
                e.ssl_mode().map(|m| m.as_str().to_string()),
            )
        })
        .collect();
    assert_eq!(
        modes,
        BTreeSet::from([
            ("erp-aurora-target", Some("verify-full".to_string())),
            ("erp-oracle-source", Some("verify-ca".to_string())),
        ])
    );
    assert!(endpoints.iter().all(|e| e.status() == Some("active")));

    let tasks = dms
        .describe_replication_tasks()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("DescribeReplicationTasks")
        .iter()
        .flat_map(|p| p.replication_tasks().to_vec())
        .collect::<Vec<_>>();
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0];
    assert_eq!(task.status(), Some("running"));
    assert_eq!(
        task.migration_type().map(|m| m.as_str()),
        Some("full-load-and-cdc")
    );
    let settings: serde_json::Value =
        serde_json::from_str(task.replication_task_settings().unwrap_or("{}"))
            .expect("settings JSON");
    assert_eq!(settings["Logging"]["EnableLogging"], json!(true));
    let stats = task.replication_task_stats().expect("stats");
    assert_eq!(stats.tables_loaded(), 120);
    assert!(stats.full_load_finish_date().is_some());

    let arn = task.replication_task_arn().unwrap_or_default();
    let tables = dms
        .describe_table_statistics()
        .replication_task_arn(arn)
        .max_records(50)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("DescribeTableStatistics pages")
        .iter()
        .flat_map(|p| p.table_statistics().to_vec())
        .collect::<Vec<_>>();
    assert_eq!(tables.len(), 120);
    assert!(
        tables
            .iter()
            .all(|t| t.validation_state() == Some("Validated"))
    );

    let certs = dms
        .describe_certificates()
        .send()
        .await
        .expect("DescribeCertificates");
    assert_eq!(certs.certificates().len(), 2);
    assert!(
        certs
            .certificates()
            .iter()
            .all(|c| c.valid_to_date().is_some())
    );
    let quotas = dms
        .describe_account_attributes()
        .send()
        .await
        .expect("DescribeAccountAttributes");
    assert!(
        quotas
            .account_quotas()
            .iter()
            .any(|q| q.account_quota_name() == Some("ReplicationInstances") && q.used() == 1)
    );
    let runs = dms
        .describe_replication_task_assessment_runs()
        .send()
        .await
        .expect("DescribeReplicationTaskAssessmentRuns");
    assert_eq!(
        runs.replication_task_assessment_runs()[0].status(),
        Some("passed")
    );
    let projects = dms
        .describe_migration_projects()
        .send()
        .await
        .expect("DescribeMigrationProjects");
    assert_eq!(projects.migration_projects().len(), 1);
    let providers = dms
        .describe_data_providers()
        .send()
        .await
        .expect("DescribeDataProviders");
    assert_eq!(providers.data_providers().len(), 2);
    let versions = dms
        .describe_engine_versions()
        .send()
        .await
        .expect("DescribeEngineVersions");
    assert!(
        versions
            .engine_versions()
            .iter()
            .any(|v| v.version() == Some("3.5.4"))
    );
    let since =
        DateTime::from_secs(DateTime::from(std::time::SystemTime::now()).secs() - 14 * 86_400);
    let events = dms
        .describe_events()
        .start_time(since)
        .send()
        .await
        .expect("DescribeEvents");
    assert_eq!(events.events().len(), 1, "the seeded maintenance event");
    // The task's creation and start, recorded by the calls, dated by the scenario's history.
    let older = dms
        .describe_events()
        .start_time(DateTime::from_secs(since.secs() - 76 * 86_400))
        .send()
        .await
        .expect("DescribeEvents");
    let task: Vec<_> = older
        .events()
        .iter()
        .filter(|e| e.source_identifier() == Some("erp-oracle-to-aurora"))
        .filter_map(|e| e.message())
        .collect();
    assert_eq!(
        task,
        [
            "The replication task is created.",
            "The replication task has started."
        ]
    );
    let tags = dms
        .list_tags_for_resource()
        .resource_arn_list(arn)
        .resource_arn_list(ri.replication_instance_arn().unwrap_or_default())
        .send()
        .await
        .expect("ListTagsForResource");
    assert_eq!(tags.tag_list().len(), 2);
}

#[tokio::test]
async fn exemplary_rds_kms_logs_iam_read_back() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let config = emu.sdk_config(EXEMPLARY, "us-east-1").await;

    let rds = aws_sdk_rds::Client::new(&config);
    let clusters = rds
        .describe_db_clusters()
        .send()
        .await
        .expect("DescribeDBClusters");
    let cluster = &clusters.db_clusters()[0];
    assert_eq!(cluster.engine(), Some("aurora-postgresql"));
    assert_eq!(cluster.storage_encrypted(), Some(true));
    let key_arn = cluster.kms_key_id().expect("cluster key");
    let instances = rds
        .describe_db_instances()
        .send()
        .await
        .expect("DescribeDBInstances");
    assert_eq!(instances.db_instances().len(), 2);

    let kms = aws_sdk_kms::Client::new(&config);
    let key = kms
        .describe_key()
        .key_id(key_arn)
        .send()
        .await
        .expect("DescribeKey");
    let meta = key.key_metadata().expect("metadata");
    assert_eq!(meta.key_manager().map(|m| m.as_str()), Some("CUSTOMER"));
    let rotation = kms
        .get_key_rotation_status()
        .key_id(key_arn)
        .send()
        .await
        .expect("rotation");
    assert!(rotation.key_rotation_enabled());

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix("dms-tasks-")
        .send()
        .await
        .expect("DescribeLogGroups");
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(90));
    let streams = logs
        .describe_log_streams()
        .log_group_name("dms-tasks-erp-replication")
        .send()
        .await
        .expect("DescribeLogStreams");
    let last = streams.log_streams()[0]
        .last_event_timestamp()
        .expect("last event");
    let now_ms = DateTime::from(std::time::SystemTime::now())
        .to_millis()
        .expect("now");
    assert!(
        now_ms - last < 2 * 3_600_000,
        "latest log event within two hours"
    );

    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam
        .get_role()
        .role_name("dms-vpc-role")
        .send()
        .await
        .expect("GetRole");
    let trust = role.role().map(|r| {
        r.assume_role_policy_document()
            .unwrap_or_default()
            .to_string()
    });
    assert!(trust.unwrap_or_default().contains("dms.amazonaws.com"));
    let attached = iam
        .list_attached_role_policies()
        .role_name("dms-vpc-role")
        .send()
        .await
        .expect("ListAttachedRolePolicies");
    assert_eq!(
        attached.attached_policies()[0].policy_name(),
        Some("AmazonDMSVPCManagementRole")
    );

    let sts = aws_sdk_sts::Client::new(&config);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(me.account(), Some(EXEMPLARY));
}

#[tokio::test]
async fn cloudwatch_answers_over_cbor() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let config = emu.sdk_config(EXEMPLARY, "us-east-1").await;
    let cw = aws_sdk_cloudwatch::Client::new(&config);

    let metrics: Vec<Metric> = cw
        .list_metrics()
        .namespace("AWS/DMS")
        .metric_name("CDCIncomingChanges")
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("ListMetrics over rpc-v2-cbor")
        .iter()
        .flat_map(|p| p.metrics().to_vec())
        .collect::<Vec<_>>();
    assert_eq!(metrics.len(), 1);
    let dims: BTreeSet<_> = metrics[0]
        .dimensions()
        .iter()
        .filter_map(Dimension::name)
        .collect();
    assert_eq!(
        dims,
        BTreeSet::from(["ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"])
    );

    let now = DateTime::from(std::time::SystemTime::now()).secs();
    let hour = now - now % 3600;
    let query = MetricDataQuery::builder()
        .id("cdc")
        .metric_stat(
            MetricStat::builder()
                .metric(metrics[0].clone())
                .period(3600)
                .stat("Sum")
                .build(),
        )
        .build();
    let data = cw
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(DateTime::from_secs(hour - 50 * 86_400))
        .end_time(DateTime::from_secs(hour + 3600))
        .send()
        .await
        .expect("GetMetricData over rpc-v2-cbor");
    let result = &data.metric_data_results()[0];
    assert_eq!(result.values().len(), 912);
    assert_eq!(result.timestamps().len(), 912);
    assert!(result.values().iter().all(|v| *v >= 0.0));
}

#[tokio::test]
async fn kms_digest_signature_verifies_independently() {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    use p256::pkcs8::DecodePublicKey;
    use sha2::{Digest, Sha256};

    let emu = Emulator::shared();
    let config = emu.sdk_config("910000000001", "us-east-1").await;
    let kms = aws_sdk_kms::Client::new(&config);
    let key = kms
        .create_key()
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .send()
        .await
        .expect("CreateKey");
    let key_id = key
        .key_metadata()
        .map(|m| m.key_id().to_string())
        .expect("key id");
    let payload = vec![b'x'; 10_000];
    let digest = Sha256::digest(&payload);
    let signed = kms
        .sign()
        .key_id(&key_id)
        .message(aws_smithy_types::Blob::new(digest.to_vec()))
        .message_type(aws_sdk_kms::types::MessageType::Digest)
        .signing_algorithm(aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256)
        .send()
        .await
        .expect("Sign DIGEST");
    let public = kms
        .get_public_key()
        .key_id(&key_id)
        .send()
        .await
        .expect("GetPublicKey");
    let verifying = VerifyingKey::from_public_key_der(public.public_key().expect("DER").as_ref())
        .expect("P-256 key");
    let signature = Signature::from_der(signed.signature().expect("signature").as_ref())
        .expect("DER signature");
    verifying
        .verify_prehash(&digest, &signature)
        .expect("signature verifies with the p256 crate");
}

#[tokio::test]
async fn large_estate_pages_in_every_region() {
    let emu = Emulator::shared();
    let seed = emu.seed("large");
    let account = "555555555555";
    let (mut instances, mut endpoints, mut tasks) = (0, 0, 0);
    for region in ["us-east-1", "eu-central-1", "ap-southeast-2"] {
        let dms = dms(emu, account, region).await;
        let pages: Vec<_> = dms
            .describe_endpoints()
            .max_records(20)
            .into_paginator()
            .send()
            .collect::<Result<_, _>>()
            .await
            .expect("DescribeEndpoints pages");
        assert_eq!(pages.len(), 5, "90 endpoints in pages of 20");
        let n_endpoints: usize = pages.iter().map(|p| p.endpoints().len()).sum();
        assert_eq!(n_endpoints, count(&seed, account, region, "endpoints"));
        let n_instances = dms
            .describe_replication_instances()
            .max_records(20)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("DescribeReplicationInstances")
            .iter()
            .flat_map(|p| p.replication_instances().to_vec())
            .collect::<Vec<_>>()
            .len();
        assert_eq!(
            n_instances,
            count(&seed, account, region, "replication_instances")
        );
        let n_tasks = dms
            .describe_replication_tasks()
            .without_settings(true)
            .max_records(20)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("DescribeReplicationTasks")
            .iter()
            .flat_map(|p| p.replication_tasks().to_vec())
            .collect::<Vec<_>>()
            .len();
        assert_eq!(n_tasks, count(&seed, account, region, "tasks"));
        instances += n_instances;
        endpoints += n_endpoints;
        tasks += n_tasks;
    }
    assert!(
        instances >= 40 && endpoints >= 250 && tasks >= 150,
        "{instances} {endpoints} {tasks}"
    );
}

#[tokio::test]
async fn two_accounts_are_isolated_through_assume_role() {
    let emu = Emulator::shared();
    emu.seed("two-accounts");
    let case_study = dms(emu, "666666666666", "us-east-1").await;
    let other = dms(emu, "777777777777", "us-east-1").await;
    let ids = |out: aws_sdk_databasemigration::operation::describe_replication_instances::DescribeReplicationInstancesOutput| {
        out.replication_instances()
            .iter()
            .filter_map(|i| i.replication_instance_identifier().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let mine = ids(case_study
        .describe_replication_instances()
        .send()
        .await
        .expect("case-study account"));
    let theirs = ids(other
        .describe_replication_instances()
        .send()
        .await
        .expect("other account"));
    assert_eq!(mine, vec!["case-study-ri"]);
    assert_eq!(theirs, vec!["other-team-ri", "other-team-ri-2"]);
    let arns = case_study
        .describe_endpoints()
        .send()
        .await
        .expect("endpoints");
    assert!(arns.endpoints().iter().all(|e| {
        e.endpoint_arn()
            .unwrap_or_default()
            .contains(":666666666666:")
    }));
}

#[tokio::test]
async fn serverless_replication_reads_back() {
    let emu = Emulator::shared();
    emu.seed("serverless-redshift");
    let dms = dms(emu, "444444444444", "us-east-2").await;
    let configs = dms
        .describe_replication_configs()
        .send()
        .await
        .expect("DescribeReplicationConfigs");
    let config = &configs.replication_configs()[0];
    assert_eq!(
        config.replication_type().map(|t| t.as_str()),
        Some("full-load-and-cdc")
    );
    let replications = dms
        .describe_replications()
        .send()
        .await
        .expect("DescribeReplications");
    let replication = &replications.replications()[0];
    assert_eq!(replication.status(), Some("running"));
    assert_eq!(
        replication.replication_stats().map(|s| s.tables_loaded()),
        Some(40)
    );
    let tables = dms
        .describe_replication_table_statistics()
        .replication_config_arn(config.replication_config_arn().unwrap_or_default())
        .send()
        .await
        .expect("DescribeReplicationTableStatistics");
    assert_eq!(tables.replication_table_statistics().len(), 40);
    assert!(
        dms.describe_replication_instances()
            .send()
            .await
            .expect("instances")
            .replication_instances()
            .is_empty()
    );
}

#[tokio::test]
async fn weak_and_homogeneous_scenarios_read_back() {
    let emu = Emulator::shared();
    emu.seed("weak");
    emu.seed("homogeneous-ec2");
    let weak = dms(emu, "222222222222", "us-west-2").await;
    let ri = weak
        .describe_replication_instances()
        .send()
        .await
        .expect("weak instances");
    let ri = &ri.replication_instances()[0];
    assert!(ri.publicly_accessible(), "AWS's default when not given");
    let key = ri.kms_key_id().expect("default key");
    let kms = aws_sdk_kms::Client::new(&emu.sdk_config("222222222222", "us-west-2").await);
    let meta = kms
        .describe_key()
        .key_id(key)
        .send()
        .await
        .expect("DescribeKey");
    assert_eq!(
        meta.key_metadata()
            .and_then(|m| m.key_manager())
            .map(|m| m.as_str()),
        Some("AWS")
    );
    let endpoints = weak
        .describe_endpoints()
        .filters(
            Filter::builder()
                .name("endpoint-type")
                .values("source")
                .build()
                .expect("filter"),
        )
        .send()
        .await
        .expect("weak endpoints");
    assert_eq!(
        endpoints.endpoints()[0].ssl_mode().map(|m| m.as_str()),
        Some("none")
    );

    let homo = dms(emu, "333333333333", "eu-west-1").await;
    let eps = homo
        .describe_endpoints()
        .send()
        .await
        .expect("homogeneous endpoints");
    assert!(eps.endpoints().iter().any(|e| {
        e.server_name()
            .unwrap_or_default()
            .ends_with(".compute.internal")
    }));
}

#[tokio::test]
async fn injected_access_denied_is_a_typed_sdk_error() {
    use aws_sdk_databasemigration::error::ProvideErrorMetadata;

    let emu = Emulator::start();
    emu.set_faults(json!({"deny": ["dms:DescribeTableStatistics"]}));
    let dms = dms(&emu, "920000000002", "us-east-1").await;
    let err = dms
        .describe_table_statistics()
        .replication_task_arn("arn:aws:dms:us-east-1:920000000002:task:x")
        .send()
        .await
        .expect_err("denied");
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert!(dms.describe_endpoints().send().await.is_ok());
}
