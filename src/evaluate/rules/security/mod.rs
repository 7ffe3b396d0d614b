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

/// The target's encryption at rest, from its RDS/Aurora database or its own store.
fn target_at_rest(input: &Input<'_>, m: &Migration<'_>, target: &Endpoint) -> Vec<AtRest> {
    if let Some(c) = input.rds_cluster(target) {
        let (mut enc, mut how) = rds_at_rest(
            c.storage_encrypted,
            c.storage_encryption_type.as_deref(),
            c.kms_key_id.as_ref(),
        );
        there_when_it_ran(input, m, c.created, &mut enc, &mut how);
        return vec![(
            enc,
            format!("cluster {}: {how}", c.identifier),
            c.kms_key_id.clone(),
            format!("rds_clusters/{}", c.identifier),
            c.sources.clone(),
        )];
    }
    if let Some(d) = input.rds_instance(target) {
        let (mut enc, mut how) = rds_at_rest(
            d.storage_encrypted,
            d.storage_encryption_type.as_deref(),
            d.kms_key_id.as_ref(),
        );
        there_when_it_ran(input, m, d.created, &mut enc, &mut how);
        return vec![(
            enc,
            format!("instance {}: {how}", d.identifier),
            d.kms_key_id.clone(),
            format!("rds_instances/{}", d.identifier),
            d.sources.clone(),
        )];
    }
    let mut seen = BTreeSet::new();
    stores(input, m, target)
        .into_iter()
        .filter(|s| seen.insert((s.kind, s.name.as_str())))
        .map(|s| store_at_rest(input, m, s))
        .collect()
}

/// The stores a non-RDS target writes to: Redshift, the S3 bucket, the DynamoDB tables,
/// the Kinesis stream, the OpenSearch domain — each read from its own service.
fn stores<'a>(input: &Input<'a>, m: &Migration<'_>, target: &Endpoint) -> Vec<&'a TargetStore> {
    let region = target.region.as_str();
    let facts = input.facts;
    let setting = |group: &str, key: &str| {
        target
            .settings
            .get(group)
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let find = |kind: StoreKind, hit: &dyn Fn(&TargetStore) -> bool| {
        let all = facts.target_stores.iter();
        all.filter(|s| s.region == region && s.kind == kind)
            .find(|s| hit(s))
    };
    match target.engine.as_str() {
        "redshift" | "redshift-serverless" => {
            let kinds = [StoreKind::RedshiftCluster, StoreKind::RedshiftServerless];
            let Some(r) = target.host.resource.as_deref() else {
                return Vec::new();
            };
            kinds
                .into_iter()
                .filter_map(|k| facts.store(region, k, r))
                .collect()
        }
        "s3" => setting("S3Settings", "BucketName")
            .and_then(|b| facts.store(region, StoreKind::S3Bucket, &b))
            .into_iter()
            .collect(),
        "dynamodb" => m
            .mappings
            .target_tables
            .iter()
            .map(String::as_str)
            .chain(m.tables.into_iter().flatten().map(|t| t.table.as_str()))
            .filter_map(|t| facts.store(region, StoreKind::DynamoDbTable, t))
            .collect(),
        "kinesis" => setting("KinesisSettings", "StreamArn")
            .and_then(|arn| {
                find(StoreKind::KinesisStream, &|s| {
                    s.arn.as_deref() == Some(arn.as_str())
                })
            })
            .into_iter()
            .collect(),
        "elasticsearch" | "opensearch" => target
            .host
            .address
            .as_deref()
            .and_then(|a| {
                find(StoreKind::OpenSearchDomain, &|s| {
                    s.addresses.iter().any(|x| x.eq_ignore_ascii_case(a))
                })
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

fn store_at_rest(input: &Input<'_>, m: &Migration<'_>, s: &TargetStore) -> AtRest {
    let mut how = match (s.encrypted, s.encryption.as_deref()) {
        (Some(true), Some(e)) => format!("encrypted ({e})"),
        (Some(true), None) => "encrypted".to_string(),
        (Some(false), _) => "not encrypted".to_string(),
        (None, _) => "encryption not reported".to_string(),
    }
    .to_lowercase();
    let mut encrypted = s.encrypted;
    there_when_it_ran(input, m, s.created, &mut encrypted, &mut how);
    // Only a migration that moved data wrote to it; the others count only against, and
    // an encrypted store counts for nothing there.
    if encrypted == Some(true)
        && m.run == crate::evaluate::view::Run::MovedData
        && let Some(call) = s.kind.encryption_switch()
        && let Err(why) = encrypted_while_it_ran(input, m, s, call)
    {
        encrypted = None;
        how = format!("{how} today, but {why}");
    }
    (
        encrypted,
        format!(
            "{} {}: {how}",
            format!("{:?}", s.kind).to_lowercase(),
            s.name
        ),
        s.kms_key_id.clone(),
        format!("target_stores/{}/{}", s.region, s.name),
        s.sources.clone(),
    )
}

/// The earliest `m`'s run can have begun: its first start on record, or its task's
/// creation if earlier (a reload resets the run's own dates).
fn began(input: &Input<'_>, m: &Migration<'_>) -> Option<crate::facts::Timestamp> {
    input.earliest_start(m).into_iter().chain(m.created).min()
}

/// A database or store that a migration that moved data wrote to must be the one there
/// today: one created (`created`, its own service's creation time) after the run began
/// (the earliest of its first start and its task's creation: a reload resets the run's
/// own dates) was created again under the same
/// name, and today's state says nothing of what the run wrote to. For RDS this is how
/// AWS says to encrypt a database that is not: copy a snapshot with encryption and
/// restore it (Amazon RDS User Guide, "Encrypting Amazon RDS resources", its
/// limitations), often under the old name.
/// Then `encrypted` becomes unknown and `how` says why. A creation time not reported
/// (earlier collectors) is judged as then.
fn there_when_it_ran(
    input: &Input<'_>,
    m: &Migration<'_>,
    created: Option<crate::facts::Timestamp>,
    encrypted: &mut Option<bool>,
    how: &mut String,
) {
    let Some(created) = created else { return };
    if m.run != crate::evaluate::view::Run::MovedData || encrypted.is_none() {
        return;
    }
    let why = match began(input, m) {
        Some(began) if created <= began => return,
        Some(began) => format!(
            "it was created {created}, after {}'s run began {}: not the one the run wrote to \
             (created again under its name: restored from a snapshot, recreated, or the new \
             database of a blue/green switchover)",
            m.id,
            began.date()
        ),
        None => format!("it was created {created} and {}'s run is not dated", m.id),
    };
    *encrypted = None;
    *how = format!("{how} today, but {why}");
}

/// Whether a store whose encryption can be switched on after its creation (by `call`) was
/// encrypted while `m` ran: its CloudTrail events show no switch from
/// a day before the run began (a switch takes its time) and reach back to then. The run
/// began at the earliest of its first start, its first Start event and its task's creation
/// (a reload resets the run's own dates). `Err` says why it is not on record. Evidence
/// from a collector that did not look the switches up (no lookup, no gap) is judged as
/// then.
fn encrypted_while_it_ran(
    input: &Input<'_>,
    m: &Migration<'_>,
    s: &TargetStore,
    call: &str,
) -> Result<(), String> {
    // A store of another account (a Kinesis stream DMS writes to by ARN, read through its
    // resource policy) has its switches in that account's CloudTrail, which was not read.
    let caller = input.evidence.collection.caller.account.as_str();
    let owner = s.arn.as_deref().and_then(|a| a.split(':').nth(4));
    if let Some(owner) = owner.filter(|o| !o.is_empty() && !caller.is_empty() && *o != caller) {
        return Err(format!(
            "it belongs to account {owner}, not {caller}: a switch of its encryption ({call}) \
             would be in that account's CloudTrail, which was not read"
        ));
    }
    let gap = input.gap_paren(&["cloudtrail:LookupEvents"]);
    let Some(switched) = &s.encrypted_since else {
        if gap.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "its encryption can be switched on after its creation ({call}) and its CloudTrail \
             events were not read{gap}"
        ));
    };
    let Some(began) = began(input, m) else {
        return Err(format!(
            "its encryption can be switched on after its creation ({call}) and {}'s run is not dated",
            m.id
        ));
    };
    // A switch takes its time; a domain created (CreateDomain) is there when its call is.
    let after = |h: &&crate::facts::HistoryEvent| match h.name.starts_with("Create") {
        true => h.at > began,
        false => h.at >= began - crate::time::DAY,
    };
    if let Some(h) = switched.iter().find(after) {
        return Err(format!(
            "{} switched its encryption on after {}'s run began {}: what the run wrote to is not \
             on record",
            crate::facts::history::basis(h),
            m.id,
            began.date()
        ));
    }
    match input.history_begins(&s.region, true) {
        Some(since) if since <= began - crate::time::DAY => Ok(()),
        Some(since) => Err(format!(
            "its encryption can be switched on after its creation ({call}), and CloudTrail \
             event history in {} begins {since}, after {}'s run began {}: a switch before then \
             would not show",
            s.region,
            m.id,
            began.date()
        )),
        None => Err(format!(
            "its encryption can be switched on after its creation ({call}) and no CloudTrail \
             event history was read in {}",
            s.region
        )),
    }
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
