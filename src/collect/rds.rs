//! RDS: DB instances and clusters, to resolve which endpoints point at RDS/Aurora
//! and to read the targets' engine, encryption, size and placement.

use aws_sdk_rds::types as t;

use super::{Clients, Context};
use crate::facts::{DbCluster, DbInstance, Facts};

pub async fn collect(c: &Clients, ctx: &Context) -> Facts {
    let region = &c.region;
    let instances = c.rds.describe_db_instances().into_paginator().send();
    let clusters = c.rds.describe_db_clusters().into_paginator().send();
    let (instances, clusters) = futures::join!(
        ctx.call(
            "rds",
            "DescribeDBInstances",
            region,
            None,
            instances.collect::<Result<Vec<_>, _>>()
        ),
        ctx.call(
            "rds",
            "DescribeDBClusters",
            region,
            None,
            clusters.collect::<Result<Vec<_>, _>>()
        ),
    );
    let mut facts = Facts::default();
    if let Some((pages, sources)) = instances {
        let all = pages.iter().flat_map(|p| p.db_instances());
        facts.rds_instances = all.map(|d| instance(region, d, &sources)).collect();
    }
    if let Some((pages, sources)) = clusters {
        let all = pages.iter().flat_map(|p| p.db_clusters());
        facts.rds_clusters = all.map(|d| cluster(region, d, &sources)).collect();
    }
    facts
}

fn instance(region: &str, d: &t::DbInstance, sources: &[String]) -> DbInstance {
    DbInstance {
        region: region.to_string(),
        identifier: d.db_instance_identifier().unwrap_or_default().to_string(),
        arn: d.db_instance_arn().map(str::to_string),
        engine: d.engine().map(str::to_string),
        engine_version: d.engine_version().map(str::to_string),
        class: d.db_instance_class().map(str::to_string),
        status: d.db_instance_status().map(str::to_string),
        allocated_storage_gb: d.allocated_storage(),
        iops: d.iops(),
        storage_type: d.storage_type().map(str::to_string),
        storage_encrypted: d.storage_encrypted(),
        storage_encryption_type: d.storage_encryption_type().map(|t| t.as_str().to_string()),
        kms_key_id: d.kms_key_id().map(str::to_string),
        multi_az: d.multi_az(),
        publicly_accessible: d.publicly_accessible(),
        availability_zone: d.availability_zone().map(str::to_string),
        address: d.endpoint().and_then(|e| e.address()).map(str::to_string),
        cluster: d.db_cluster_identifier().map(str::to_string),
        read_replica_source: d
            .read_replica_source_db_instance_identifier()
            .map(str::to_string),
        created: super::stamp(d.instance_create_time()),
        sources: sources.to_vec(),
    }
}

fn cluster(region: &str, d: &t::DbCluster, sources: &[String]) -> DbCluster {
    let members = d.db_cluster_members();
    DbCluster {
        region: region.to_string(),
        identifier: d.db_cluster_identifier().unwrap_or_default().to_string(),
        arn: d.db_cluster_arn().map(str::to_string),
        engine: d.engine().map(str::to_string),
        engine_version: d.engine_version().map(str::to_string),
        status: d.status().map(str::to_string),
        storage_encrypted: d.storage_encrypted(),
        storage_encryption_type: d.storage_encryption_type().map(|t| t.as_str().to_string()),
        kms_key_id: d.kms_key_id().map(str::to_string),
        endpoint: d.endpoint().map(str::to_string),
        reader_endpoint: d.reader_endpoint().map(str::to_string),
        writers: members
            .iter()
            .filter(|m| m.is_cluster_writer() == Some(true))
            .filter_map(|m| m.db_instance_identifier().map(str::to_string))
            .collect(),
        allocated_storage_gb: d.allocated_storage(),
        publicly_accessible: d.publicly_accessible(),
        members: members
            .iter()
            .filter_map(|m| m.db_instance_identifier().map(str::to_string))
            .collect(),
        created: super::stamp(d.cluster_create_time()),
        sources: sources.to_vec(),
    }
}
