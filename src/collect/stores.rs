//! Target stores: the services DMS writes to, read from the service itself, so
//! encryption at rest and placement rest on the store's own state (Redshift
//! clusters and Serverless namespaces, S3 buckets, DynamoDB tables, OpenSearch
//! domains, Kinesis streams). Only stores that the region's endpoints name are read.
//!
//! A Redshift cluster, a Kinesis stream and an OpenSearch domain can be encrypted after
//! they were created (Redshift API Reference, ModifyCluster `Encrypted`; Kinesis API
//! Reference, StartStreamEncryption; OpenSearch API Reference, UpdateDomainConfig
//! `EncryptionAtRestOptions`): today's encryption may not be what a migration wrote to.
//! For those, the region's CloudTrail event history of those calls is read too
//! (LookupEvents by event name, 90 days, paced as [`super::cloudtrail`] is).

use std::collections::BTreeSet;

use aws_sdk_cloudtrail::types::LookupAttributeKey;
use serde_json::Value;

use super::{Clients, Context};
use crate::facts::history::TrailEvent;
use crate::facts::{Endpoint, Facts, StoreKind, TargetStore};

/// The calls that switch a store kind's encryption at rest on after its creation.
/// An OpenSearch domain reports no creation time, so its creation (CreateDomain,
/// CreateElasticsearchDomain) counts as a switch: a domain created again under the same
/// name is not the one a run before wrote to.
const SWITCHES: [(StoreKind, &str); 6] = [
    (StoreKind::RedshiftCluster, "ModifyCluster"),
    (StoreKind::KinesisStream, "StartStreamEncryption"),
    (StoreKind::OpenSearchDomain, "UpdateDomainConfig"),
    (
        StoreKind::OpenSearchDomain,
        "UpdateElasticsearchDomainConfig",
    ),
    (StoreKind::OpenSearchDomain, "CreateDomain"),
    (StoreKind::OpenSearchDomain, "CreateElasticsearchDomain"),
];

/// DescribeDomains accepts at most 5 domain names per call (OpenSearch API Reference).
const DOMAINS_PER_CALL: usize = 5;

fn setting<'a>(e: &'a Endpoint, object: &str, key: &str) -> Option<&'a str> {
    e.settings.get(object)?.get(key)?.as_str()
}

fn store(region: &str, kind: StoreKind, name: &str, sources: &[String]) -> TargetStore {
    TargetStore {
        region: region.to_string(),
        kind,
        name: name.to_string(),
        arn: None,
        addresses: Vec::new(),
        encrypted: None,
        encryption: None,
        kms_key_id: None,
        publicly_accessible: None,
        encrypted_since: None,
        created: None,
        sources: sources.to_vec(),
    }
}

/// Whether `e` switched the encryption at rest of `s` on (CloudTrail's request parameters,
/// member names as the API spells them), or, for an OpenSearch domain, created it again
/// (encrypted or not: its encryption today may have been set since).
fn switches_on(s: &TargetStore, e: &TrailEvent) -> bool {
    let service = match s.kind {
        StoreKind::RedshiftCluster => "redshift.amazonaws.com",
        StoreKind::KinesisStream => "kinesis.amazonaws.com",
        _ => "es.amazonaws.com",
    };
    // Services share event names (CreateDomain: OpenSearch, SageMaker, CodeArtifact).
    if e.source.as_deref().is_some_and(|source| source != service) {
        return false;
    }
    let r = &e.request;
    let text = |k: &str| r.get(k).and_then(Value::as_str);
    let on = |v: Option<&Value>| {
        v.is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
    };
    // A dry run changes nothing (OpenSearch API Reference, UpdateDomainConfig DryRun).
    if on(r.get("DryRun")) {
        return false;
    }
    match s.kind {
        // Redshift stores cluster identifiers in lower case whatever the request said
        // (Redshift API Reference, CreateCluster ClusterIdentifier).
        StoreKind::RedshiftCluster => {
            text("ClusterIdentifier").is_some_and(|id| id.eq_ignore_ascii_case(&s.name))
                && on(r.get("Encrypted"))
        }
        StoreKind::KinesisStream => {
            text("StreamName") == Some(s.name.as_str())
                || s.arn.is_some() && text("StreamARN") == s.arn.as_deref()
        }
        StoreKind::OpenSearchDomain => {
            text("DomainName") == Some(s.name.as_str())
                && (e.name.starts_with("Create")
                    || on(r
                        .get("EncryptionAtRestOptions")
                        .and_then(|o| o.get("Enabled"))))
        }
        _ => false,
    }
}

/// For each store whose encryption can be switched on after its creation, the calls of the
/// last 90 days that did (`encrypted_since`, oldest first); left `None` when a lookup
/// failed (a gap names cloudtrail:LookupEvents).
async fn encryption_switches(c: &Clients, ctx: &Context, stores: &mut [TargetStore]) {
    let mut read: Vec<(StoreKind, Option<Vec<TrailEvent>>)> = Vec::new();
    for (kind, name) in SWITCHES {
        if stores.iter().any(|s| s.kind == kind) {
            let key = LookupAttributeKey::EventName;
            let found = super::cloudtrail::lookup(c, ctx, key, name).await;
            read.push((kind, found.map(|(events, _)| events)));
        }
    }
    for s in stores.iter_mut() {
        let mine: Vec<&Option<Vec<TrailEvent>>> = read
            .iter()
            .filter(|(kind, _)| *kind == s.kind)
            .map(|(_, found)| found)
            .collect();
        if mine.is_empty() || mine.iter().any(|found| found.is_none()) {
            continue;
        }
        let mut switched: Vec<crate::facts::HistoryEvent> = mine
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| switches_on(s, e))
            .map(crate::facts::history::history_event)
            .collect();
        switched.sort_by_key(|h| h.at);
        s.encrypted_since = Some(switched);
    }
}

pub async fn collect(c: &Clients, ctx: &Context, dms: &Facts) -> Vec<TargetStore> {
    let engines: BTreeSet<&str> = dms.endpoints.iter().map(|e| e.engine.as_str()).collect();
    let serverless_address = dms.endpoints.iter().any(|e| {
        e.server_name
            .as_deref()
            .is_some_and(|s| s.contains(".redshift-serverless."))
    });
    let buckets: BTreeSet<&str> = dms
        .endpoints
        .iter()
        .filter(|e| e.engine == "s3")
        .filter_map(|e| setting(e, "S3Settings", "BucketName"))
        .collect();
    let streams: BTreeSet<&str> = dms
        .endpoints
        .iter()
        .filter(|e| e.engine == "kinesis")
        .filter_map(|e| setting(e, "KinesisSettings", "StreamArn"))
        .collect();
    let tables = dynamo_tables(dms);
    let search = engines.contains("elasticsearch") || engines.contains("opensearch");
    let (redshift, serverless, s3, dynamo, opensearch, kinesis) = futures::join!(
        async {
            if engines.contains("redshift") {
                redshift_clusters(c, ctx).await
            } else {
                Vec::new()
            }
        },
        async {
            if engines.contains("redshift-serverless") || serverless_address {
                redshift_serverless(c, ctx).await
            } else {
                Vec::new()
            }
        },
        futures::future::join_all(buckets.iter().map(|b| bucket(c, ctx, b))),
        futures::future::join_all(tables.iter().map(|t| dynamo_table(c, ctx, t))),
        async {
            if search {
                domains(c, ctx).await
            } else {
                Vec::new()
            }
        },
        futures::future::join_all(streams.iter().map(|s| stream(c, ctx, s))),
    );
    let mut out = redshift;
    out.extend(serverless);
    out.extend(s3.into_iter().flatten());
    out.extend(dynamo.into_iter().flatten());
    out.extend(opensearch);
    out.extend(kinesis.into_iter().flatten());
    encryption_switches(c, ctx, &mut out).await;
    out
}

/// The DynamoDB tables the region's DynamoDB targets write to (object-mapping rules).
fn dynamo_tables(dms: &Facts) -> BTreeSet<&str> {
    let dynamo_targets: BTreeSet<&str> = dms
        .endpoints
        .iter()
        .filter(|e| e.engine == "dynamodb")
        .map(|e| e.arn.as_str())
        .collect();
    dms.tasks
        .iter()
        .filter(|t| {
            t.target_arn
                .as_deref()
                .is_some_and(|a| dynamo_targets.contains(a))
        })
        .flat_map(|t| t.table_mappings.target_tables.iter().map(String::as_str))
        .chain(
            dms.serverless
                .iter()
                .filter(|s| {
                    s.target_arn
                        .as_deref()
                        .is_some_and(|a| dynamo_targets.contains(a))
                })
                .flat_map(|s| s.table_mappings.target_tables.iter().map(String::as_str)),
        )
        .collect()
}

async fn redshift_clusters(c: &Clients, ctx: &Context) -> Vec<TargetStore> {
    let Some((pages, sources)) = ctx
        .call(
            "redshift",
            "DescribeClusters",
            &c.region,
            None,
            c.redshift
                .describe_clusters()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await
    else {
        return Vec::new();
    };
    pages
        .iter()
        .flat_map(|p| p.clusters())
        .map(|cl| {
            let mut s = store(
                &c.region,
                StoreKind::RedshiftCluster,
                cl.cluster_identifier().unwrap_or_default(),
                &sources,
            );
            s.arn = cl.cluster_namespace_arn().map(str::to_string);
            s.addresses = cl
                .endpoint()
                .and_then(|e| e.address())
                .map(str::to_string)
                .into_iter()
                .collect();
            s.encrypted = cl.encrypted();
            s.kms_key_id = cl.kms_key_id().map(str::to_string);
            s.encryption = s.kms_key_id.as_ref().map(|_| "KMS".to_string());
            s.publicly_accessible = cl.publicly_accessible();
            s.created = super::stamp(cl.cluster_create_time());
            s
        })
        .collect()
}

/// Redshift Serverless: namespaces hold the data (and its KMS key); workgroups hold
/// the endpoint address and the public flag. Serverless data is always encrypted at
/// rest (Amazon Redshift Management Guide, "Amazon Redshift Serverless data encryption").
async fn redshift_serverless(c: &Clients, ctx: &Context) -> Vec<TargetStore> {
    let (namespaces, workgroups) = futures::join!(
        ctx.call(
            "redshift-serverless",
            "ListNamespaces",
            &c.region,
            None,
            c.redshift_serverless
                .list_namespaces()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
        ctx.call(
            "redshift-serverless",
            "ListWorkgroups",
            &c.region,
            None,
            c.redshift_serverless
                .list_workgroups()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
    );
    let Some((pages, sources)) = namespaces else {
        return Vec::new();
    };
    let workgroups: Vec<_> = workgroups
        .map(|(pages, sources)| {
            pages
                .iter()
                .flat_map(|p| p.workgroups().to_vec())
                .map(|w| (w, sources.clone()))
                .collect()
        })
        .unwrap_or_default();
    pages
        .iter()
        .flat_map(|p| p.namespaces())
        .map(|n| {
            let name = n.namespace_name().unwrap_or_default();
            let mut s = store(&c.region, StoreKind::RedshiftServerless, name, &sources);
            s.arn = n.namespace_arn().map(str::to_string);
            s.kms_key_id = n.kms_key_id().map(str::to_string);
            s.encrypted = Some(true);
            s.encryption = Some(match n.kms_key_id() {
                None | Some("AWS_OWNED_KMS_KEY") => "AWS owned key".to_string(),
                Some(_) => "KMS".to_string(),
            });
            for (w, w_sources) in workgroups
                .iter()
                .filter(|(w, _)| w.namespace_name() == Some(name))
            {
                if let Some(a) = w.endpoint().and_then(|e| e.address()) {
                    s.addresses.push(a.to_string());
                }
                s.publicly_accessible = w.publicly_accessible().or(s.publicly_accessible);
                s.sources.extend(w_sources.iter().cloned());
            }
            s.sources.sort();
            s.sources.dedup();
            s
        })
        .collect()
}

async fn bucket(c: &Clients, ctx: &Context, name: &str) -> Option<TargetStore> {
    let (out, sources) = ctx
        .call(
            "s3",
            "GetBucketEncryption",
            &c.region,
            Some(name),
            c.s3.get_bucket_encryption().bucket(name).send(),
        )
        .await?;
    let mut s = store(&c.region, StoreKind::S3Bucket, name, &sources);
    let rule = out
        .server_side_encryption_configuration()
        .and_then(|cfg| cfg.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default());
    if let Some(rule) = rule {
        s.encrypted = Some(true);
        s.encryption = Some(rule.sse_algorithm().as_str().to_string());
        s.kms_key_id = rule.kms_master_key_id().map(str::to_string);
    }
    Some(s)
}

/// DynamoDB encrypts every table at rest; a table without SSEDescription uses an
/// AWS owned key (DynamoDB Developer Guide, "DynamoDB encryption at rest").
async fn dynamo_table(c: &Clients, ctx: &Context, name: &str) -> Option<TargetStore> {
    let (out, sources) = ctx
        .call(
            "dynamodb",
            "DescribeTable",
            &c.region,
            Some(name),
            c.dynamodb.describe_table().table_name(name).send(),
        )
        .await?;
    let table = out.table()?;
    let mut s = store(&c.region, StoreKind::DynamoDbTable, name, &sources);
    s.arn = table.table_arn().map(str::to_string);
    s.encrypted = Some(true);
    match table.sse_description() {
        Some(sse) if sse.status().map(|x| x.as_str()) == Some("ENABLED") => {
            s.encryption = Some(
                sse.sse_type()
                    .map_or("KMS".to_string(), |t| t.as_str().to_string()),
            );
            s.kms_key_id = sse.kms_master_key_arn().map(str::to_string);
        }
        _ => s.encryption = Some("AWS owned key".to_string()),
    }
    Some(s)
}

async fn domains(c: &Clients, ctx: &Context) -> Vec<TargetStore> {
    let Some((names, _)) = ctx
        .call(
            "opensearch",
            "ListDomainNames",
            &c.region,
            None,
            c.opensearch.list_domain_names().send(),
        )
        .await
    else {
        return Vec::new();
    };
    let names: Vec<String> = names
        .domain_names()
        .iter()
        .filter_map(|d| d.domain_name().map(str::to_string))
        .collect();
    let batches = futures::future::join_all(names.chunks(DOMAINS_PER_CALL).map(|batch| {
        ctx.call(
            "opensearch",
            "DescribeDomains",
            &c.region,
            None,
            c.opensearch
                .describe_domains()
                .set_domain_names(Some(batch.to_vec()))
                .send(),
        )
    }))
    .await;
    let mut out = Vec::new();
    for (resp, sources) in batches.into_iter().flatten() {
        for d in resp.domain_status_list() {
            let mut s = store(
                &c.region,
                StoreKind::OpenSearchDomain,
                d.domain_name(),
                &sources,
            );
            s.arn = Some(d.arn().to_string());
            s.addresses = d
                .endpoint()
                .into_iter()
                .chain(d.endpoint_v2())
                .map(str::to_string)
                .chain(d.endpoints().into_iter().flat_map(|m| m.values().cloned()))
                .collect();
            if let Some(enc) = d.encryption_at_rest_options() {
                s.encrypted = enc.enabled();
                s.kms_key_id = enc.kms_key_id().map(str::to_string);
                s.encryption = enc.enabled().filter(|e| *e).map(|_| "KMS".to_string());
            }
            s.publicly_accessible = Some(d.vpc_options().is_none());
            out.push(s);
        }
    }
    out
}

async fn stream(c: &Clients, ctx: &Context, arn: &str) -> Option<TargetStore> {
    let (out, sources) = ctx
        .call(
            "kinesis",
            "DescribeStreamSummary",
            &c.region,
            Some(arn),
            c.kinesis.describe_stream_summary().stream_arn(arn).send(),
        )
        .await?;
    let d = out.stream_description_summary()?;
    let mut s = store(
        &c.region,
        StoreKind::KinesisStream,
        d.stream_name(),
        &sources,
    );
    s.arn = Some(d.stream_arn().to_string());
    let kind = d.encryption_type().map(|t| t.as_str().to_string());
    s.encrypted = kind.as_deref().map(|k| k != "NONE");
    s.encryption = kind;
    s.kms_key_id = d.key_id().map(str::to_string);
    s.created = Some(crate::facts::Timestamp::from_sdk(
        d.stream_creation_timestamp(),
    ));
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store(kind: StoreKind, name: &str) -> TargetStore {
        let mut s = super::store("us-east-1", kind, name, &[]);
        s.arn = Some(format!("arn:aws:kinesis:us-east-1:1:stream/{name}"));
        s
    }

    /// (store kind and name, event name, request as CloudTrail recorded it (PascalCase), a
    /// switch?)
    type Case = (
        (StoreKind, &'static str),
        &'static str,
        serde_json::Value,
        bool,
    );

    fn cases() -> Vec<Case> {
        let dw = (StoreKind::RedshiftCluster, "dw");
        let cdc = (StoreKind::KinesisStream, "cdc");
        let search = (StoreKind::OpenSearchDomain, "search");
        let on = json!({"Enabled": true});
        let arn = "arn:aws:kinesis:us-east-1:1:stream/cdc";
        let domain = |more: serde_json::Value| {
            let mut r = json!({"DomainName": "search", "EncryptionAtRestOptions": on});
            r.as_object_mut()
                .expect("object")
                .extend(more.as_object().cloned().unwrap_or_default());
            r
        };
        vec![
            (
                dw,
                "ModifyCluster",
                json!({"ClusterIdentifier": "DW", "Encrypted": true}),
                true,
            ),
            (
                dw,
                "ModifyCluster",
                json!({"ClusterIdentifier": "dw", "Encrypted": "true"}),
                true,
            ),
            (
                dw,
                "ModifyCluster",
                json!({"ClusterIdentifier": "dw", "NodeType": "ra3.4xlarge"}),
                false,
            ),
            (
                dw,
                "ModifyCluster",
                json!({"ClusterIdentifier": "other", "Encrypted": true}),
                false,
            ),
            (
                cdc,
                "StartStreamEncryption",
                json!({"StreamName": "cdc"}),
                true,
            ),
            (
                cdc,
                "StartStreamEncryption",
                json!({"StreamARN": arn}),
                true,
            ),
            (search, "UpdateDomainConfig", domain(json!({})), true),
            (
                search,
                "UpdateDomainConfig",
                domain(json!({"DryRun": true})),
                false,
            ),
            // A domain reports no creation time: created again is a switch.
            (search, "CreateDomain", domain(json!({})), true),
            (search, "CreateElasticsearchDomain", domain(json!({})), true),
            // Created again, encrypted or not: it may have been encrypted since.
            (
                search,
                "CreateDomain",
                json!({"DomainName": "search"}),
                true,
            ),
            (
                search,
                "CreateDomain",
                json!({"DomainName": "other"}),
                false,
            ),
        ]
    }

    #[test]
    fn which_calls_switch_a_store_s_encryption_on() {
        for ((kind, name), event, request, want) in cases() {
            let e = TrailEvent {
                name: event.into(),
                request: request.clone(),
                ..TrailEvent::default()
            };
            assert_eq!(
                switches_on(&store(kind, name), &e),
                want,
                "{event} {request}"
            );
            // The same call by another service (SageMaker's CreateDomain …) is not one.
            let elsewhere = TrailEvent {
                source: Some("sagemaker.amazonaws.com".into()),
                ..e
            };
            assert!(
                !switches_on(&store(kind, name), &elsewhere),
                "{event} {request}"
            );
        }
    }
}
