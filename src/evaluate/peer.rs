//! The DMS checks peers run (Security Hub DMS.1–DMS.13, AWS Config, Prowler,
//! Steampipe), as supplementary findings per resource — without the peers' known
//! mistakes: no SSL failure for endpoints that have no SslMode choice, and a public
//! instance fails whatever its security groups.

use serde::{Deserialize, Serialize};

use super::view::Input;
use crate::facts::endpoint::{InFlight, in_flight};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerStatus {
    Passed,
    Failed,
    NotApplicable,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerFinding {
    /// Security Hub control id (DMS.1 …) or the peer rule's name.
    pub control: String,
    pub title: String,
    pub resource: String,
    pub status: PeerStatus,
    pub reason: String,
}

fn finding(
    control: &str,
    title: &str,
    resource: &str,
    status: PeerStatus,
    reason: String,
) -> PeerFinding {
    PeerFinding {
        control: control.into(),
        title: title.into(),
        resource: resource.into(),
        status,
        reason,
    }
}

fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or("not reported".to_string(), ToString::to_string)
}

fn flag(value: Option<bool>, want: bool) -> PeerStatus {
    match value {
        Some(v) if v == want => PeerStatus::Passed,
        Some(_) => PeerStatus::Failed,
        None => PeerStatus::Unknown,
    }
}

const LOGGED: &[&str] = &[
    "LOGGER_SEVERITY_DEFAULT",
    "LOGGER_SEVERITY_DEBUG",
    "LOGGER_SEVERITY_DETAILED_DEBUG",
];

/// The listing each peer control's resources come from: when it failed, the control
/// is `unknown` for that region (the resources are not known), never silently absent.
const LISTINGS: &[(&str, &[&str])] = &[
    (
        "dms:DescribeReplicationInstances",
        &[
            "DMS.1",
            "DMS.4",
            "DMS.6",
            "DMS.13",
            "dms-replication-instance-cmk",
        ],
    ),
    ("dms:DescribeReplicationTasks", &["DMS.7", "DMS.8"]),
    (
        "dms:DescribeEndpoints",
        &["DMS.9", "DMS.10", "DMS.11", "DMS.12", "dms-s3-endpoint-cmk"],
    ),
    (
        "dms:DescribeCertificates",
        &["DMS.2", "dms-certificate-not-expired"],
    ),
    ("dms:DescribeEventSubscriptions", &["DMS.3"]),
    ("dms:DescribeReplicationSubnetGroups", &["DMS.5"]),
];

pub fn run(input: &Input<'_>, required_tag_keys: &[String]) -> Vec<PeerFinding> {
    let f = input.facts;
    let mut out = Vec::new();
    for (action, controls) in LISTINGS {
        for gap in input.gaps(action) {
            for control in *controls {
                out.push(finding(
                    control,
                    "(resources not listed)",
                    &format!("{} in {}", action, gap.region),
                    PeerStatus::Unknown,
                    format!(
                        "{action} failed in {} ({}): the resources this control judges are unknown",
                        gap.region,
                        gap.kind.as_str()
                    ),
                ));
            }
        }
    }
    for i in &f.replication_instances {
        out.push(finding(
            "DMS.1",
            "Replication instances should not be public",
            &i.arn,
            flag(i.publicly_accessible, false),
            format!(
                "PubliclyAccessible {} (judged on the flag alone, whatever the security groups)",
                show(&i.publicly_accessible)
            ),
        ));
        out.push(finding(
            "DMS.6",
            "Automatic minor version upgrade enabled",
            &i.arn,
            flag(i.auto_minor_version_upgrade, true),
            format!(
                "AutoMinorVersionUpgrade {}",
                show(&i.auto_minor_version_upgrade)
            ),
        ));
        out.push(finding(
            "DMS.13",
            "Replication instances should be Multi-AZ",
            &i.arn,
            flag(i.multi_az, true),
            format!("MultiAZ {}", show(&i.multi_az)),
        ));
        let key = i.kms_key_id.as_deref().and_then(|k| f.key(&i.region, k));
        let status = match key.and_then(|k| k.key_manager.as_deref()) {
            Some("CUSTOMER") => PeerStatus::Passed,
            Some(_) => PeerStatus::Failed,
            None => PeerStatus::Unknown,
        };
        out.push(finding(
            "dms-replication-instance-cmk",
            "Replication instance storage uses a customer-managed KMS key",
            &i.arn,
            status,
            format!(
                "KmsKeyId {} ({})",
                i.kms_key_id.as_deref().unwrap_or("none"),
                key.and_then(|k| k.key_manager.as_deref())
                    .unwrap_or("key not described")
            ),
        ));
    }
    for t in &f.tasks {
        for (control, title, components) in [
            (
                "DMS.7",
                "Target database logging for replication tasks",
                ["TARGET_APPLY", "TARGET_LOAD"],
            ),
            (
                "DMS.8",
                "Source database logging for replication tasks",
                ["SOURCE_CAPTURE", "SOURCE_UNLOAD"],
            ),
        ] {
            let s = &t.settings;
            let status = match s.logging_enabled {
                None => PeerStatus::Unknown,
                Some(false) => PeerStatus::Failed,
                Some(true) => {
                    let ok = components.iter().all(|c| {
                        s.log_components
                            .iter()
                            .any(|(id, sev)| id == c && LOGGED.contains(&sev.as_str()))
                    });
                    if ok {
                        PeerStatus::Passed
                    } else {
                        PeerStatus::Failed
                    }
                }
            };
            let levels: Vec<String> = components
                .iter()
                .map(|c| {
                    format!(
                        "{c}={}",
                        s.log_components
                            .iter()
                            .find(|(id, _)| id == c)
                            .map_or("unset", |(_, v)| v.as_str())
                    )
                })
                .collect();
            out.push(finding(
                control,
                title,
                &t.arn,
                status,
                format!(
                    "EnableLogging {}; {}",
                    show(&s.logging_enabled),
                    levels.join(", ")
                ),
            ));
        }
    }
    for e in &f.endpoints {
        // DMS.9 checks SslMode != none; we judge each engine by its own setting and
        // the modes DMS supports for it, and do not fail services with TLS built in.
        let (status, reason) = match in_flight(e) {
            InFlight::Encrypted(how) => (PeerStatus::Passed, how),
            InFlight::Plaintext(why) => (PeerStatus::Failed, why),
            InFlight::BuiltIn(why) => (
                PeerStatus::NotApplicable,
                format!("{why} (peers report a false failure here)"),
            ),
            InFlight::Unknown(why) => (PeerStatus::Unknown, why),
        };
        out.push(finding(
            "DMS.9",
            "Endpoints should use SSL",
            &e.arn,
            status,
            reason,
        ));
        let setting = |s: &str, k: &str| e.settings.get(s).and_then(|v| v.get(k)).cloned();
        match e.engine.as_str() {
            "neptune" => out.push(finding(
                "DMS.10",
                "Neptune endpoints use IAM authorization",
                &e.arn,
                flag(
                    setting("NeptuneSettings", "IamAuthEnabled").and_then(|v| v.as_bool()),
                    true,
                ),
                "NeptuneSettings.IamAuthEnabled".into(),
            )),
            "mongodb" => {
                let auth = setting("MongoDbSettings", "AuthType")
                    .and_then(|v| v.as_str().map(str::to_string));
                let status = match auth.as_deref() {
                    Some("no") => PeerStatus::Failed,
                    Some(_) => PeerStatus::Passed,
                    None => PeerStatus::Unknown,
                };
                out.push(finding(
                    "DMS.11",
                    "MongoDB endpoints use an authentication mechanism",
                    &e.arn,
                    status,
                    format!("MongoDbSettings.AuthType {}", show(&auth)),
                ));
            }
            "docdb" | "documentdb" => {
                // DocDbSettings has no AuthType: DocumentDB authenticates every
                // connection as a user; the endpoint shows which (or a secret).
                let user = ["Username", "SecretsManagerSecretId"].iter().find_map(|k| {
                    setting("DocDbSettings", k)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .filter(|v| !v.is_empty())
                        .map(|v| format!("DocDbSettings.{k} {v}"))
                });
                out.push(finding(
                    "DMS.11",
                    "MongoDB endpoints use an authentication mechanism",
                    &e.arn,
                    if user.is_some() {
                        PeerStatus::Passed
                    } else {
                        PeerStatus::Unknown
                    },
                    user.unwrap_or_else(|| "DocDbSettings names no user or secret".to_string()),
                ));
            }
            "redis" => {
                let p = setting("RedisSettings", "SslSecurityProtocol")
                    .and_then(|v| v.as_str().map(str::to_string));
                let status = match p.as_deref() {
                    Some("ssl-encryption") => PeerStatus::Passed,
                    Some(_) => PeerStatus::Failed,
                    None => PeerStatus::Unknown,
                };
                out.push(finding(
                    "DMS.12",
                    "Redis endpoints use TLS",
                    &e.arn,
                    status,
                    format!("RedisSettings.SslSecurityProtocol {}", show(&p)),
                ));
            }
            "s3" => {
                // A customer-managed key needs EncryptionMode SSE_KMS and a key whose
                // KeyManager is CUSTOMER; SSE_S3 or an AWS-managed key is not one.
                let mode = setting("S3Settings", "EncryptionMode")
                    .and_then(|v| v.as_str().map(|m| m.to_ascii_lowercase().replace('_', "-")));
                let key = setting("S3Settings", "ServerSideEncryptionKmsKeyId")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .filter(|k| !k.is_empty());
                let manager = key
                    .as_deref()
                    .and_then(|k| f.key(&e.region, k))
                    .and_then(|k| k.key_manager.clone());
                let status = match (mode.as_deref(), key.as_deref(), manager.as_deref()) {
                    (Some("sse-kms"), Some(_), Some("CUSTOMER")) => PeerStatus::Passed,
                    (Some("sse-kms"), Some(_), Some(_)) => PeerStatus::Failed,
                    (Some("sse-kms"), Some(_), None) => PeerStatus::Unknown,
                    (None, _, _) => PeerStatus::Unknown,
                    _ => PeerStatus::Failed,
                };
                out.push(finding(
                    "dms-s3-endpoint-cmk",
                    "S3 endpoints use a customer-managed KMS key",
                    &e.arn,
                    status,
                    format!(
                        "S3Settings.EncryptionMode {}, ServerSideEncryptionKmsKeyId {} ({})",
                        show(&mode),
                        show(&key),
                        manager.as_deref().unwrap_or("key not described")
                    ),
                ));
            }
            _ => {}
        }
    }
    for c in &f.certificates {
        let status = match Input::secs(c.valid_to.as_deref()) {
            Some(t) if t > input.now => PeerStatus::Passed,
            Some(_) => PeerStatus::Failed,
            None => PeerStatus::Unknown,
        };
        out.push(finding(
            "dms-certificate-not-expired",
            "Certificates are not expired",
            &c.arn,
            status,
            format!("ValidToDate {}", show(&c.valid_to)),
        ));
    }
    let tagged = |arn: &str| {
        f.tags
            .iter()
            .find(|t| t.arn == arn)
            .map(|t| t.tags.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let tag_check = |control: &str, title: &str, arn: &str| {
        if required_tag_keys.is_empty() {
            return finding(
                control,
                title,
                arn,
                PeerStatus::NotApplicable,
                "no required tag keys configured (checklist [peer].required_tag_keys)".into(),
            );
        }
        if let Some(gap) = input
            .gaps("dms:ListTagsForResource")
            .into_iter()
            .find(|g| arn.contains(&format!(":{}:", g.region)))
        {
            return finding(
                control,
                title,
                arn,
                PeerStatus::Unknown,
                format!(
                    "dms:ListTagsForResource failed ({}): tags unknown",
                    gap.kind.as_str()
                ),
            );
        }
        let keys = tagged(arn);
        let missing: Vec<&String> = required_tag_keys
            .iter()
            .filter(|k| !keys.contains(k))
            .collect();
        let status = if missing.is_empty() {
            PeerStatus::Passed
        } else {
            PeerStatus::Failed
        };
        finding(
            control,
            title,
            arn,
            status,
            if missing.is_empty() {
                "all required tag keys present".to_string()
            } else {
                format!(
                    "missing tag keys: {}",
                    missing
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        )
    };
    for c in &f.certificates {
        out.push(tag_check("DMS.2", "Certificates should be tagged", &c.arn));
    }
    for x in &f.event_subscriptions {
        if let Some(arn) = &x.arn {
            out.push(tag_check(
                "DMS.3",
                "Event subscriptions should be tagged",
                arn,
            ));
        }
    }
    for i in &f.replication_instances {
        out.push(tag_check(
            "DMS.4",
            "Replication instances should be tagged",
            &i.arn,
        ));
    }
    for g in &f.subnet_groups {
        if let Some(arn) = &g.arn {
            out.push(tag_check(
                "DMS.5",
                "Replication subnet groups should be tagged",
                arn,
            ));
        }
    }
    out
}
