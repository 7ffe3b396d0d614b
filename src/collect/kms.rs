//! KMS: DescribeKey and GetKeyRotationStatus for every key the estate references
//! (replication instances, endpoints, serverless configs, RDS targets), each once.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::{Clients, Context};
use crate::facts::{Facts, KmsKey};

/// Keys referenced in this region, with who uses them.
pub fn references(dms: &Facts) -> BTreeMap<String, Vec<String>> {
    let rds = dms;
    let mut refs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |key: Option<&str>, user: &str| {
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            refs.entry(key.to_string())
                .or_default()
                .push(user.to_string());
        }
    };
    for i in &dms.replication_instances {
        add(i.kms_key_id.as_deref(), &i.arn);
    }
    for e in &dms.endpoints {
        add(e.kms_key_id.as_deref(), &e.arn);
        for (settings, field) in [
            ("RedshiftSettings", "ServerSideEncryptionKmsKeyId"),
            ("S3Settings", "ServerSideEncryptionKmsKeyId"),
        ] {
            let key = e
                .settings
                .get(settings)
                .and_then(|s| s.get(field))
                .and_then(|v| v.as_str());
            add(key, &e.arn);
        }
    }
    for s in &dms.serverless {
        add(s.kms_key_id.as_deref(), &s.config_arn);
    }
    for d in &rds.rds_instances {
        add(
            d.kms_key_id.as_deref(),
            d.arn.as_deref().unwrap_or(&d.identifier),
        );
    }
    for d in &rds.rds_clusters {
        add(
            d.kms_key_id.as_deref(),
            d.arn.as_deref().unwrap_or(&d.identifier),
        );
    }
    for s in &dms.target_stores {
        add(s.kms_key_id.as_deref(), s.arn.as_deref().unwrap_or(&s.name));
    }
    refs
}

pub async fn collect(c: &Clients, ctx: &Context, dms: &Facts) -> Vec<KmsKey> {
    let refs = references(dms);
    futures::stream::iter(refs.into_iter().map(|(reference, used_by)| async move {
        // A key ARN names its own region (and account): ask KMS there.
        let region = crate::facts::arn_region(&reference)
            .unwrap_or(&c.region)
            .to_string();
        let kms = if region == c.region {
            c.kms.clone()
        } else {
            aws_sdk_kms::Client::from_conf(
                c.kms
                    .config()
                    .to_builder()
                    .region(aws_config::Region::new(region.clone()))
                    .build(),
            )
        };
        let mut key = KmsKey {
            region: region.clone(),
            reference: reference.clone(),
            used_by,
            ..KmsKey::default()
        };
        let described = ctx
            .call(
                "kms",
                "DescribeKey",
                &region,
                Some(&reference),
                kms.describe_key().key_id(&reference).send(),
            )
            .await;
        if let Some((out, sources)) = described {
            if let Some(meta) = out.key_metadata() {
                key.arn = meta.arn().map(str::to_string);
                key.key_manager = meta.key_manager().map(|m| m.as_str().to_string());
                key.key_state = meta.key_state().map(|s| s.as_str().to_string());
                key.key_spec = meta.key_spec().map(|s| s.as_str().to_string());
                key.origin = meta.origin().map(|s| s.as_str().to_string());
            }
            key.sources.extend(sources);
            let id = key.arn.clone().unwrap_or_else(|| reference.clone());
            // KMS answers UnsupportedOperationException for asymmetric, HMAC, imported
            // and custom-key-store keys (KMS API Reference, GetKeyRotationStatus): do not ask.
            let rotates = key
                .key_spec
                .as_deref()
                .is_none_or(|s| s == "SYMMETRIC_DEFAULT")
                && key.origin.as_deref().is_none_or(|o| o == "AWS_KMS");
            if !rotates {
                return key;
            }
            let rotation = ctx
                .call(
                    "kms",
                    "GetKeyRotationStatus",
                    &region,
                    Some(&reference),
                    kms.get_key_rotation_status().key_id(&id).send(),
                )
                .await;
            if let Some((out, sources)) = rotation {
                key.rotation_enabled = Some(out.key_rotation_enabled());
                key.sources.extend(sources);
            }
        }
        key
    }))
    .buffer_unordered(8)
    .collect()
    .await
}
