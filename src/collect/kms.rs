//! KMS: DescribeKey and GetKeyRotationStatus for every key the estate references
//! (replication instances, endpoints, serverless configs, RDS targets), each once.

use std::collections::BTreeMap;

use futures::StreamExt;

use super::{Clients, Context};
use crate::facts::{Facts, KmsKey};

/// Keys referenced in this region, with who uses them.
pub fn references(dms: &Facts, rds: &Facts) -> BTreeMap<String, Vec<String>> {
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
    refs
}

pub async fn collect(c: &Clients, ctx: &Context, dms: &Facts, rds: &Facts) -> Vec<KmsKey> {
    let refs = references(dms, rds);
    futures::stream::iter(refs.into_iter().map(|(reference, used_by)| async move {
        let mut key = KmsKey {
            region: c.region.clone(),
            reference: reference.clone(),
            used_by,
            ..KmsKey::default()
        };
        let described = ctx
            .call(
                "kms",
                "DescribeKey",
                &c.region,
                Some(&reference),
                c.kms.describe_key().key_id(&reference).send(),
            )
            .await;
        if let Some((out, sources)) = described {
            if let Some(meta) = out.key_metadata() {
                key.arn = meta.arn().map(str::to_string);
                key.key_manager = meta.key_manager().map(|m| m.as_str().to_string());
                key.key_state = meta.key_state().map(|s| s.as_str().to_string());
                key.key_spec = meta.key_spec().map(|s| s.as_str().to_string());
            }
            key.sources.extend(sources);
            let id = key.arn.clone().unwrap_or_else(|| reference.clone());
            let rotation = ctx
                .call(
                    "kms",
                    "GetKeyRotationStatus",
                    &c.region,
                    Some(&reference),
                    c.kms.get_key_rotation_status().key_id(&id).send(),
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
