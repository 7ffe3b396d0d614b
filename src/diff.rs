//! Renewal diff: what changed between last year's evidence and this year's — verdict
//! changes (regressions first), resources added and removed, security-relevant
//! settings changed, and evidence that expired. A pure function of two documents.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use crate::evaluate::change::{ChangeKind, VerdictChange, expired_items, verdict_changes};
use crate::evaluate::{Checklist, Evaluation};
use crate::evidence::Evidence;
use crate::facts::Facts;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    /// Regressions first, then improvements, then other changes; each by item.
    pub verdict_changes: Vec<VerdictChange>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub settings: Vec<SettingChange>,
    pub expired: Vec<String>,
    pub regressions: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub account: String,
    pub collected_at: crate::time::Timestamp,
    pub checklist: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingChange {
    pub resource: String,
    pub setting: String,
    pub old: String,
    pub new: String,
    /// Weaker security (SSL off, public, rotation off, logging off, unencrypted).
    pub weaker: bool,
}

/// `checklist` is the one the old evaluation was judged by: it says which items rest on
/// CDC activity, whose expiry explains a `met` becoming `insufficient_evidence`.
pub fn diff(
    old: &Evidence,
    new: &Evidence,
    old_eval: &Evaluation,
    new_eval: &Evaluation,
    checklist: &Checklist,
) -> Diff {
    let side = |e: &Evidence, ev: &Evaluation| Side {
        account: e.collection.caller.account.clone(),
        collected_at: e.collection.finished_at,
        checklist: format!("{} {}", ev.checklist.id, ev.checklist.version),
    };
    let expired_items = expired_items(old, old_eval, checklist, new.collection.finished_at);
    let verdict_changes = verdict_changes(&old_eval.findings, &new_eval.findings, &expired_items);
    let (old_res, new_res) = (resources(&old.facts), resources(&new.facts));
    let only_in = |a: &BTreeMap<String, Settings>, b: &BTreeMap<String, Settings>| {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    let regressions = verdict_changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Regression)
        .count();
    Diff {
        old: side(old, old_eval),
        new: side(new, new_eval),
        added: only_in(&new_res, &old_res),
        removed: only_in(&old_res, &new_res),
        settings: setting_changes(&old_res, &new_res),
        verdict_changes,
        expired: expired(&old.facts, &new.facts),
        regressions,
    }
}

/// Settings of resources present in both, that changed; weaker ones first.
fn setting_changes(
    old_res: &BTreeMap<String, Settings>,
    new_res: &BTreeMap<String, Settings>,
) -> Vec<SettingChange> {
    let mut settings = Vec::new();
    for (resource, old_settings) in old_res {
        let Some(new_settings) = new_res.get(resource) else {
            continue;
        };
        for (setting, (old_value, _)) in old_settings {
            let Some((new_value, weaker_when)) = new_settings.get(setting) else {
                continue;
            };
            if old_value != new_value {
                settings.push(SettingChange {
                    resource: resource.clone(),
                    setting: setting.clone(),
                    old: old_value.clone(),
                    new: new_value.clone(),
                    weaker: weaker_when.as_deref() == Some(new_value.as_str()),
                });
            }
        }
    }
    settings.sort_by(|a, b| {
        b.weaker
            .cmp(&a.weaker)
            .then(a.resource.cmp(&b.resource))
            .then(a.setting.cmp(&b.setting))
    });
    settings
}

/// setting → (value, the value that would be weaker).
type Settings = BTreeMap<String, (String, Option<String>)>;

fn show(v: Option<&str>) -> String {
    v.unwrap_or("(not reported)").to_string()
}

fn flag(v: Option<bool>) -> String {
    v.map_or("(not reported)".to_string(), |b| b.to_string())
}

/// A resource's settings from (name, value, weaker value) rows.
fn settings<const N: usize>(rows: [(&str, String, Option<&str>); N]) -> Settings {
    rows.into_iter()
        .map(|(name, value, weaker)| (name.to_string(), (value, weaker.map(str::to_string))))
        .collect()
}

/// Every resource by a stable name, with its security-relevant settings.
fn resources(f: &Facts) -> BTreeMap<String, Settings> {
    let mut out = dms_resources(f);
    out.extend(store_resources(f));
    for r in f.iam_roles.iter().filter(|r| r.exists) {
        out.insert(format!("IAM role {}", r.name), BTreeMap::new());
    }
    out
}

/// Replication instances, endpoints, tasks, serverless replications, certificates.
fn dms_resources(f: &Facts) -> BTreeMap<String, Settings> {
    let mut out = BTreeMap::new();
    for i in &f.replication_instances {
        let key = f
            .kms_keys
            .iter()
            .find(|k| Some(&k.reference) == i.kms_key_id.as_ref() || k.arn == i.kms_key_id);
        let manager = show(key.and_then(|k| k.key_manager.as_deref()));
        out.insert(
            format!("replication instance {}/{}", i.region, i.identifier),
            settings([
                (
                    "PubliclyAccessible",
                    flag(i.publicly_accessible),
                    Some("true"),
                ),
                ("EngineVersion", show(i.engine_version.as_deref()), None),
                ("MultiAZ", flag(i.multi_az), Some("false")),
                ("KmsKeyId", show(i.kms_key_id.as_deref()), None),
                ("KeyManager", manager, Some("AWS")),
            ]),
        );
    }
    for e in &f.endpoints {
        out.insert(
            format!("endpoint {}/{}", e.region, e.identifier),
            settings([
                ("SslMode", show(e.ssl_mode.as_deref()), Some("none")),
                ("KmsKeyId", show(e.kms_key_id.as_deref()), None),
                ("ServerName", show(e.server_name.as_deref()), None),
            ]),
        );
    }
    for t in &f.tasks {
        let s = &t.settings;
        out.insert(
            format!("task {}/{}", t.region, t.identifier),
            settings([
                (
                    "Logging.EnableLogging",
                    flag(s.logging_enabled),
                    Some("false"),
                ),
                (
                    "MigrationType",
                    show(t.migration_type.as_deref()),
                    Some("full-load"),
                ),
                (
                    "ValidationSettings.EnableValidation",
                    flag(s.validation_enabled),
                    Some("false"),
                ),
            ]),
        );
    }
    for s in &f.serverless {
        let kind = show(s.replication_type.as_deref());
        out.insert(
            format!("serverless replication {}/{}", s.region, s.identifier),
            settings([("ReplicationType", kind, Some("full-load"))]),
        );
    }
    for c in &f.certificates {
        out.insert(
            format!("certificate {}/{}", c.region, c.identifier),
            settings([(
                "ValidTo",
                show(c.valid_to.map(|t| t.to_string()).as_deref()),
                None,
            )]),
        );
    }
    out
}

/// KMS keys, RDS/Aurora databases and log groups.
fn store_resources(f: &Facts) -> BTreeMap<String, Settings> {
    let mut out = BTreeMap::new();
    for k in &f.kms_keys {
        out.insert(
            format!("KMS key {}", k.arn.as_deref().unwrap_or(&k.reference)),
            settings([("KeyRotation", flag(k.rotation_enabled), Some("false"))]),
        );
    }
    for d in &f.rds_instances {
        out.insert(
            format!("RDS instance {}/{}", d.region, d.identifier),
            settings([
                ("StorageEncrypted", flag(d.storage_encrypted), Some("false")),
                (
                    "PubliclyAccessible",
                    flag(d.publicly_accessible),
                    Some("true"),
                ),
            ]),
        );
    }
    for d in &f.rds_clusters {
        out.insert(
            format!("RDS cluster {}/{}", d.region, d.identifier),
            settings([("StorageEncrypted", flag(d.storage_encrypted), Some("false"))]),
        );
    }
    for g in &f.log_groups {
        let retention = g
            .retention_days
            .map_or("never expires".into(), |d| d.to_string());
        out.insert(
            format!("log group {}/{}", g.region, g.name),
            settings([("RetentionDays", retention, None)]),
        );
    }
    out
}

/// Evidence the old document had and the new one no longer has.
fn expired(old: &Facts, new: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    let series = |f: &Facts| -> BTreeSet<String> {
        f.metrics
            .iter()
            .filter(|m| !m.values.is_empty())
            .map(|m| {
                let dims: Vec<String> = m
                    .dimensions
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!(
                    "metric {}/{} {} ({})",
                    m.namespace,
                    m.name,
                    m.stat,
                    dims.join(",")
                )
            })
            .collect()
    };
    let new_series = series(new);
    out.extend(
        series(old)
            .into_iter()
            .filter(|s| !new_series.contains(s))
            .map(|s| format!("{s}: no datapoints any more")),
    );
    for g in old
        .log_groups
        .iter()
        .filter(|g| !g.latest_streams.is_empty())
    {
        let now = new
            .log_groups
            .iter()
            .find(|n| n.name == g.name && n.region == g.region);
        if now.is_none_or(|n| n.latest_streams.is_empty()) {
            out.push(format!(
                "log group {}/{}: no log events any more",
                g.region, g.name
            ));
        }
    }
    for t in old
        .tasks
        .iter()
        .filter(|t| t.tables.as_ref().is_some_and(|r| !r.is_empty()))
    {
        let now = new
            .tasks
            .iter()
            .find(|n| n.identifier == t.identifier && n.region == t.region);
        if now.is_some_and(|n| n.tables.as_ref().is_none_or(Vec::is_empty)) {
            out.push(format!(
                "task {}/{}: table statistics no longer available",
                t.region, t.identifier
            ));
        }
    }
    out
}
