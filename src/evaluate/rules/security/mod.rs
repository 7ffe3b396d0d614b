//! Security practice: IAM permissions, the DMS service roles, fine-grained access,
//! encryption at rest and in flight.

pub mod encryption_at_rest;
pub mod encryption_in_flight;
pub mod fine_grained_access;
pub mod iam_permissions;
pub mod iam_roles;

use super::Input;
use crate::evaluate::view::Migration;
use crate::facts::{Endpoint, StoreKind, TargetStore};
use std::collections::BTreeSet;

/// Encryption at rest of a target, read from the store itself: (encrypted, how,
/// KMS key, pointer, sources). `None` when its own service's state is not on record.
type AtRest = (Option<bool>, String, Option<String>, String, Vec<String>);

fn rds_at_rest(
    encrypted: Option<bool>,
    kind: Option<&str>,
    key: Option<&String>,
) -> (Option<bool>, String) {
    match (encrypted, kind) {
        (_, Some("sse-rds")) => (
            Some(true),
            "storage encrypted with an RDS-owned key (sse-rds)".into(),
        ),
        (Some(true), _) => (Some(true), "StorageEncrypted true".into()),
        (Some(false), _) => (Some(false), "StorageEncrypted false".into()),
        (None, _) => (
            None,
            format!(
                "StorageEncrypted not reported{}",
                key.map(|_| "").unwrap_or_default()
            ),
        ),
    }
}

fn target_at_rest(input: &Input<'_>, m: &Migration<'_>, target: &Endpoint) -> Vec<AtRest> {
    if let Some(c) = input.rds_cluster(target) {
        let (enc, how) = rds_at_rest(
            c.storage_encrypted,
            c.storage_encryption_type.as_deref(),
            c.kms_key_id.as_ref(),
        );
        return vec![(
            enc,
            format!("cluster {}: {how}", c.identifier),
            c.kms_key_id.clone(),
            format!("rds_clusters/{}", c.identifier),
            c.sources.clone(),
        )];
    }
    if let Some(d) = input.rds_instance(target) {
        let (enc, how) = rds_at_rest(
            d.storage_encrypted,
            d.storage_encryption_type.as_deref(),
            d.kms_key_id.as_ref(),
        );
        return vec![(
            enc,
            format!("instance {}: {how}", d.identifier),
            d.kms_key_id.clone(),
            format!("rds_instances/{}", d.identifier),
            d.sources.clone(),
        )];
    }
    let region = target.region.as_str();
    let stores: Vec<&TargetStore> = match target.engine.as_str() {
        "redshift" | "redshift-serverless" => target
            .host
            .resource
            .as_deref()
            .into_iter()
            .flat_map(|r| {
                [StoreKind::RedshiftCluster, StoreKind::RedshiftServerless]
                    .into_iter()
                    .filter_map(move |k| input.facts.store(region, k, r))
            })
            .collect(),
        "s3" => target
            .settings
            .get("S3Settings")
            .and_then(|s| s.get("BucketName"))
            .and_then(|b| b.as_str())
            .and_then(|b| input.facts.store(region, StoreKind::S3Bucket, b))
            .into_iter()
            .collect(),
        "dynamodb" => m
            .mappings
            .target_tables
            .iter()
            .map(String::as_str)
            .chain(m.tables.into_iter().flatten().map(|t| t.table.as_str()))
            .filter_map(|t| input.facts.store(region, StoreKind::DynamoDbTable, t))
            .collect(),
        "kinesis" => target
            .settings
            .get("KinesisSettings")
            .and_then(|s| s.get("StreamArn"))
            .and_then(|b| b.as_str())
            .and_then(|arn| {
                input.facts.target_stores.iter().find(|s| {
                    s.region == region
                        && s.kind == StoreKind::KinesisStream
                        && s.arn.as_deref() == Some(arn)
                })
            })
            .into_iter()
            .collect(),
        "elasticsearch" | "opensearch" => target
            .host
            .address
            .as_deref()
            .and_then(|a| {
                input.facts.target_stores.iter().find(|s| {
                    s.region == region
                        && s.kind == StoreKind::OpenSearchDomain
                        && s.addresses.iter().any(|x| x.eq_ignore_ascii_case(a))
                })
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let mut seen = BTreeSet::new();
    stores
        .into_iter()
        .filter(|s| seen.insert((s.kind, s.name.as_str())))
        .map(|s| {
            let how = match (s.encrypted, s.encryption.as_deref()) {
                (Some(true), Some(e)) => format!("encrypted ({e})"),
                (Some(true), None) => "encrypted".to_string(),
                (Some(false), _) => "not encrypted".to_string(),
                (None, _) => "encryption not reported".to_string(),
            };
            (
                s.encrypted,
                format!("{:?} {}: {how}", s.kind, s.name).to_lowercase(),
                s.kms_key_id.clone(),
                format!("target_stores/{}/{}", s.region, s.name),
                s.sources.clone(),
            )
        })
        .collect()
}

fn describe_key(
    input: &Input<'_>,
    region: &str,
    reference: &str,
    seen: &mut BTreeSet<(String, String)>,
) -> String {
    seen.insert((region.to_string(), reference.to_string()));
    match input.facts.key(region, reference) {
        Some(k) => format!(
            " with a {} KMS key{}",
            match k.key_manager.as_deref() {
                Some("CUSTOMER") => "customer-managed",
                Some("AWS") => "AWS-managed",
                _ => "KMS",
            },
            match k.rotation_enabled {
                Some(true) => ", rotation on",
                Some(false) => ", rotation off",
                None => ", rotation unknown",
            }
        ),
        None => " (KMS key not described)".to_string(),
    }
}
