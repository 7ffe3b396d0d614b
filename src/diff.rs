//! Renewal diff: what changed between last year's evidence and this year's — verdict
//! changes (regressions first), resources added and removed, security-relevant
//! settings changed, and evidence that expired. A pure function of two documents.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::evaluate::{Evaluation, Verdict};
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
    pub collected_at: String,
    pub checklist: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictChange {
    pub item: String,
    pub old: Option<Verdict>,
    pub new: Option<Verdict>,
    /// "regression", "improvement" or "change".
    pub kind: String,
    pub reason: String,
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

/// How good a verdict is, for telling regressions from improvements.
fn rank(v: Option<Verdict>) -> u8 {
    match v {
        Some(Verdict::Met | Verdict::Attested | Verdict::NotApplicable) => 2,
        Some(Verdict::AttestationRequired | Verdict::InsufficientEvidence) | None => 1,
        Some(Verdict::NotMet) => 0,
    }
}

pub fn diff(old: &Evidence, new: &Evidence, old_eval: &Evaluation, new_eval: &Evaluation) -> Diff {
    let side = |e: &Evidence, ev: &Evaluation| Side {
        account: e.collection.caller.account.clone(),
        collected_at: e.collection.finished_at.clone(),
        checklist: format!("{} {}", ev.checklist.id, ev.checklist.version),
    };
    let mut verdict_changes = Vec::new();
    let items: BTreeSet<&str> = old_eval
        .findings
        .iter()
        .chain(&new_eval.findings)
        .map(|f| f.item.as_str())
        .collect();
    for item in items {
        let o = old_eval.findings.iter().find(|f| f.item == item);
        let n = new_eval.findings.iter().find(|f| f.item == item);
        let (ov, nv) = (o.map(|f| f.verdict), n.map(|f| f.verdict));
        if ov == nv {
            continue;
        }
        let kind = match rank(nv).cmp(&rank(ov)) {
            std::cmp::Ordering::Less => "regression",
            std::cmp::Ordering::Greater => "improvement",
            std::cmp::Ordering::Equal => "change",
        };
        verdict_changes.push(VerdictChange {
            item: item.to_string(),
            old: ov,
            new: nv,
            kind: kind.into(),
            reason: n.or(o).map(|f| f.reason.clone()).unwrap_or_default(),
        });
    }
    let order = |k: &str| match k {
        "regression" => 0,
        "improvement" => 1,
        _ => 2,
    };
    verdict_changes.sort_by(|a, b| {
        order(&a.kind)
            .cmp(&order(&b.kind))
            .then(a.item.cmp(&b.item))
    });
    let (old_res, new_res) = (resources(&old.facts), resources(&new.facts));
    let added = new_res
        .keys()
        .filter(|k| !old_res.contains_key(*k))
        .cloned()
        .collect();
    let removed = old_res
        .keys()
        .filter(|k| !new_res.contains_key(*k))
        .cloned()
        .collect();
    let mut settings = Vec::new();
    for (resource, old_settings) in &old_res {
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
    let regressions = verdict_changes
        .iter()
        .filter(|c| c.kind == "regression")
        .count();
    Diff {
        old: side(old, old_eval),
        new: side(new, new_eval),
        verdict_changes,
        added,
        removed,
        settings,
        expired: expired(&old.facts, &new.facts),
        regressions,
    }
}

type Settings = BTreeMap<String, (String, Option<String>)>;

/// Every resource by a stable name, with its security-relevant settings:
/// setting → (value, the value that would be weaker).
fn resources(f: &Facts) -> BTreeMap<String, Settings> {
    let show = |v: Option<&str>| v.unwrap_or("(not reported)").to_string();
    let flag = |v: Option<bool>| v.map_or("(not reported)".to_string(), |b| b.to_string());
    let mut out: BTreeMap<String, Settings> = BTreeMap::new();
    for i in &f.replication_instances {
        let key = f
            .kms_keys
            .iter()
            .find(|k| Some(&k.reference) == i.kms_key_id.as_ref() || k.arn == i.kms_key_id);
        out.insert(
            format!("replication instance {}/{}", i.region, i.identifier),
            BTreeMap::from([
                (
                    "PubliclyAccessible".into(),
                    (flag(i.publicly_accessible), Some("true".into())),
                ),
                (
                    "EngineVersion".into(),
                    (show(i.engine_version.as_deref()), None),
                ),
                ("MultiAZ".into(), (flag(i.multi_az), Some("false".into()))),
                ("KmsKeyId".into(), (show(i.kms_key_id.as_deref()), None)),
                (
                    "KeyManager".into(),
                    (
                        show(key.and_then(|k| k.key_manager.as_deref())),
                        Some("AWS".into()),
                    ),
                ),
            ]),
        );
    }
    for e in &f.endpoints {
        out.insert(
            format!("endpoint {}/{}", e.region, e.identifier),
            BTreeMap::from([
                (
                    "SslMode".into(),
                    (show(e.ssl_mode.as_deref()), Some("none".into())),
                ),
                ("KmsKeyId".into(), (show(e.kms_key_id.as_deref()), None)),
                ("ServerName".into(), (show(e.server_name.as_deref()), None)),
            ]),
        );
    }
    for t in &f.tasks {
        out.insert(
            format!("task {}/{}", t.region, t.identifier),
            BTreeMap::from([
                (
                    "Logging.EnableLogging".into(),
                    (flag(t.settings.logging_enabled), Some("false".into())),
                ),
                (
                    "MigrationType".into(),
                    (show(t.migration_type.as_deref()), Some("full-load".into())),
                ),
                (
                    "ValidationSettings.EnableValidation".into(),
                    (flag(t.settings.validation_enabled), Some("false".into())),
                ),
            ]),
        );
    }
    for s in &f.serverless {
        out.insert(
            format!("serverless replication {}/{}", s.region, s.identifier),
            BTreeMap::from([(
                "ReplicationType".into(),
                (
                    show(s.replication_type.as_deref()),
                    Some("full-load".into()),
                ),
            )]),
        );
    }
    for k in &f.kms_keys {
        out.insert(
            format!("KMS key {}", k.arn.as_deref().unwrap_or(&k.reference)),
            BTreeMap::from([(
                "KeyRotation".into(),
                (flag(k.rotation_enabled), Some("false".into())),
            )]),
        );
    }
    for d in &f.rds_instances {
        out.insert(
            format!("RDS instance {}/{}", d.region, d.identifier),
            BTreeMap::from([
                (
                    "StorageEncrypted".into(),
                    (flag(d.storage_encrypted), Some("false".into())),
                ),
                (
                    "PubliclyAccessible".into(),
                    (flag(d.publicly_accessible), Some("true".into())),
                ),
            ]),
        );
    }
    for d in &f.rds_clusters {
        out.insert(
            format!("RDS cluster {}/{}", d.region, d.identifier),
            BTreeMap::from([(
                "StorageEncrypted".into(),
                (flag(d.storage_encrypted), Some("false".into())),
            )]),
        );
    }
    for c in &f.certificates {
        out.insert(
            format!("certificate {}/{}", c.region, c.identifier),
            BTreeMap::from([("ValidTo".into(), (show(c.valid_to.as_deref()), None))]),
        );
    }
    for g in &f.log_groups {
        out.insert(
            format!("log group {}/{}", g.region, g.name),
            BTreeMap::from([(
                "RetentionDays".into(),
                (
                    g.retention_days
                        .map_or("never expires".into(), |d| d.to_string()),
                    None,
                ),
            )]),
        );
    }
    for r in f.iam_roles.iter().filter(|r| r.exists) {
        out.insert(format!("IAM role {}", r.name), BTreeMap::new());
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
