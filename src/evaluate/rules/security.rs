//! Security practice: IAM permissions, the DMS service roles, fine-grained access,
//! encryption at rest and in flight.

use std::collections::BTreeSet;

use super::{Finding, Input, Item, Verdict, no_migrations, with_statement};
use crate::evaluate::view::Migration;
use crate::facts::endpoint::{InFlight, in_flight};
use crate::facts::{Endpoint, HostKind, StoreKind, TargetStore};

pub fn iam_permissions(input: &Input<'_>, item: &Item) -> Finding {
    let policies = &input.facts.iam_policies;
    if let Some(gap) = input.gap_note(&["iam:ListPolicies", "iam:GetPolicyVersion"])
        && policies.is_empty()
    {
        return Finding::new(
            Verdict::InsufficientEvidence,
            format!("customer-managed policies could not be read: {gap}"),
        );
    }
    if policies.is_empty() {
        return Finding::new(
            Verdict::InsufficientEvidence,
            "no customer-managed policy in the account grants DMS actions (permissions may come from AWS managed \
             policies or another account, which the tool cannot see)",
        );
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut parts = Vec::new();
    for p in policies {
        f = f.cite(format!("iam_policies/{}", p.arn), &p.sources);
        let wildcard = p.dms_actions.iter().any(|a| a == "*" || a == "dms:*");
        parts.push(format!(
            "{} grants {}{}",
            p.name,
            p.dms_actions.join(", "),
            if wildcard { " (wildcard)" } else { "" }
        ));
    }
    with_statement(
        input,
        item,
        Finding {
            reason: format!("DMS permissions through {}", parts.join("; ")),
            ..f
        },
    )
}

pub fn iam_roles(input: &Input<'_>, _item: &Item) -> Finding {
    let roles = &input.facts.iam_roles;
    // Which roles the estate needs follows from every task (a role a task needs is
    // needed whether or not it ran).
    let logging = input
        .every_migration()
        .any(|m| m.settings.logging_enabled == Some(true));
    let redshift = input
        .every_migration()
        .any(|m| m.target.is_some_and(|t| t.host.kind == HostKind::Redshift));
    let mut needed = vec!["dms-vpc-role"];
    if logging {
        needed.push("dms-cloudwatch-logs-role");
    }
    if redshift {
        needed.push("dms-access-for-endpoint");
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut ok, mut missing, mut wrong, mut unknown) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for name in &needed {
        match roles.iter().find(|r| r.name == *name) {
            None => unknown.push(*name),
            Some(r) => {
                f = f.cite(format!("iam_roles/{name}"), &r.sources);
                if !r.exists {
                    missing.push(*name);
                } else if r.trusted_services.iter().any(|s| {
                    s == "dms.amazonaws.com"
                        || (*name == "dms-access-for-endpoint" && s == "redshift.amazonaws.com")
                }) {
                    ok.push(format!("{name} ({})", r.attached_policies.join(", ")));
                } else {
                    wrong.push(format!("{name} trusts {}", r.trusted_services.join(", ")));
                }
            }
        }
    }
    if !missing.is_empty() || !wrong.is_empty() {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing: {}", missing.join(", ")));
        }
        if !wrong.is_empty() {
            parts.push(format!("wrong trust: {}", wrong.join(", ")));
        }
        return Finding {
            verdict: Verdict::NotMet,
            reason: parts.join("; "),
            ..f
        };
    }
    if !unknown.is_empty() {
        let gap = input
            .gap_note(&["iam:GetRole"])
            .unwrap_or_else(|| "not read".into());
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{}: {gap}", unknown.join(", ")),
            ..f
        };
    }
    // Met needs the whole estate known: a failed listing could hide a task that needs
    // another role (logging, a Redshift target).
    if let Some(gap) = input.gap_note(&[
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplicationConfigs",
        "dms:DescribeEndpoints",
    ]) {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{} present, but which roles the estate needs is unknown: {gap}",
                ok.join("; ")
            ),
            ..f
        };
    }
    Finding {
        reason: format!("present and trusting dms.amazonaws.com: {}", ok.join("; ")),
        ..f
    }
}

pub fn fine_grained_access(input: &Input<'_>, _item: &Item) -> Finding {
    let policies = &input.facts.iam_policies;
    let mut f = Finding::new(Verdict::Met, "");
    let conditioned: Vec<String> = policies
        .iter()
        .filter(|p| {
            p.condition_keys.iter().any(|k| {
                k.starts_with("dms:")
                    || k.starts_with("aws:ResourceTag")
                    || k.starts_with("aws:RequestTag")
            }) || p.scoped_resources
        })
        .map(|p| {
            format!(
                "{}{}{}",
                p.name,
                if p.condition_keys.is_empty() {
                    String::new()
                } else {
                    format!(" conditions {}", p.condition_keys.join(", "))
                },
                if p.scoped_resources {
                    " on named resources"
                } else {
                    ""
                }
            )
        })
        .collect();
    for p in policies {
        f = f.cite(format!("iam_policies/{}", p.arn), &p.sources);
    }
    let tagged = input
        .facts
        .tags
        .iter()
        .filter(|t| !t.tags.is_empty())
        .count();
    if !conditioned.is_empty() {
        return Finding {
            reason: format!(
                "{}; {tagged} DMS resource(s) tagged",
                conditioned.join("; ")
            ),
            ..f
        }
        .value("tagged_resources", tagged);
    }
    let gap = input.gap_paren(&["iam:ListPolicies", "iam:GetPolicyVersion"]);
    Finding {
        verdict: Verdict::InsufficientEvidence,
        reason: format!(
            "{tagged} DMS resource(s) tagged, but no policy in the account uses DMS tag or resource-name conditions{gap}; \
             such policies may live in another account or permission set"
        ),
        ..f
    }
    .value("tagged_resources", tagged)
}

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

pub fn encryption_at_rest(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut good, mut bad, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    let mut keys = BTreeSet::new();
    let ran = input.migrations.len();
    for (i, m) in input.every_migration().enumerate() {
        let never = i >= ran;
        let Some(target) = m.target else {
            if !never {
                unknown.push(format!("{}: target endpoint not found", m.id));
            }
            continue;
        };
        let states = target_at_rest(input, m, target);
        if never {
            // A task that never ran counts only against: an unencrypted target is one.
            for (encrypted, how, _, pointer, sources) in states {
                if encrypted == Some(false) {
                    f = f.cite(pointer, &sources);
                    bad.push(format!("{} (never ran) target {how}", m.id));
                }
            }
            continue;
        }
        f = f.cite(format!("endpoints/{}", target.arn), &target.sources);
        if states.is_empty() {
            let gap = input
                .gap_note(&[
                    "rds:DescribeDBInstances",
                    "rds:DescribeDBClusters",
                    "redshift:DescribeClusters",
                    "redshift-serverless:ListNamespaces",
                    "s3:GetEncryptionConfiguration",
                    "dynamodb:DescribeTable",
                    "es:DescribeDomains",
                    "kinesis:DescribeStreamSummary",
                ])
                .map(|g| format!("; {g}"))
                .unwrap_or_default();
            unknown.push(format!(
                "{} target {} ({} on {}): the store's own encryption state is not on record{gap}",
                m.id,
                target.identifier,
                target.engine,
                target.host.kind.as_str()
            ));
            continue;
        }
        for (encrypted, how, key, pointer, sources) in states {
            f = f.cite(pointer, &sources);
            match encrypted {
                Some(true) => {
                    let key_text = key
                        .as_deref()
                        .map(|k| describe_key(input, &target.region, k, &mut keys))
                        .unwrap_or_default();
                    good.push(format!("{} target {how}{key_text}", m.id));
                }
                Some(false) => bad.push(format!("{} target {how}", m.id)),
                None => unknown.push(format!("{} target {how}", m.id)),
            }
        }
    }
    for (region, key) in &keys {
        if let Some(k) = input.facts.key(region, key) {
            f = f.cite(
                format!("kms_keys/{}", k.arn.as_deref().unwrap_or(&k.reference)),
                &k.sources,
            );
        }
    }
    let storage: Vec<String> = input
        .migrations
        .iter()
        .filter_map(|m| m.instance)
        .filter_map(|i| {
            i.kms_key_id.as_deref().map(|k| {
                format!(
                    "{} storage{}",
                    i.identifier,
                    describe_key(input, &i.region, k, &mut BTreeSet::new())
                )
            })
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let tail = if storage.is_empty() {
        String::new()
    } else {
        format!("; replication storage: {}", storage.join(", "))
    };
    let never = input.never_ran_note();
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("{}{tail}{never}", bad.join("; ")),
            ..f
        };
    }
    if !unknown.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{}{tail}{never}", unknown.join("; ")),
            ..f
        };
    }
    Finding {
        reason: format!("{}{tail}{never}", good.join("; ")),
        ..f
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

pub fn encryption_in_flight(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut good, mut bad, mut builtin, mut unknown) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut seen = BTreeSet::new();
    let endpoints: Vec<_> = input
        .migrations
        .iter()
        .flat_map(|m| [m.source, m.target])
        .flatten()
        .collect();
    // Endpoints only tasks that never ran use count only against.
    for e in input
        .never_ran
        .iter()
        .flat_map(|m| [m.source, m.target])
        .flatten()
        .filter(|e| !endpoints.iter().any(|x| x.arn == e.arn))
    {
        if let InFlight::Plaintext(why) = in_flight(e)
            && seen.insert(e.arn.as_str())
        {
            f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
            bad.push(format!(
                "{} ({}, used only by a task that never ran) {why}",
                e.identifier, e.engine
            ));
        }
    }
    let missing = input
        .migrations
        .iter()
        .filter(|m| m.source.is_none() || m.target.is_none())
        .count();
    for e in endpoints {
        if !seen.insert(e.arn.as_str()) {
            continue;
        }
        f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
        match in_flight(e) {
            InFlight::BuiltIn(why) => builtin.push(format!("{} ({why})", e.identifier)),
            InFlight::Plaintext(why) => bad.push(format!("{} ({}) {why}", e.identifier, e.engine)),
            InFlight::Unknown(why) => {
                unknown.push(format!("{} ({}): {why}", e.identifier, e.engine))
            }
            InFlight::Encrypted(how) => {
                let cert = e
                    .certificate_arn
                    .as_deref()
                    .and_then(|arn| input.facts.certificates.iter().find(|c| c.arn == arn));
                if let Some(c) = cert {
                    f = f.cite(format!("certificates/{}", c.arn), &c.sources);
                    if Input::secs(c.valid_to.as_deref()).is_some_and(|t| t < input.now) {
                        bad.push(format!(
                            "{} {how} but certificate {} expired {}",
                            e.identifier,
                            c.identifier,
                            c.valid_to.as_deref().unwrap_or("")
                        ));
                        continue;
                    }
                }
                good.push(format!("{} {how}", e.identifier));
            }
        }
    }
    if missing > 0 {
        unknown.push(format!(
            "{missing} migration(s) name endpoints that are not in the evidence{}",
            input.gap_paren(&["dms:DescribeEndpoints"])
        ));
    }
    let judged = good.len() + bad.len() + unknown.len();
    let tail = if builtin.is_empty() {
        String::new()
    } else {
        format!("; TLS built into the service: {}", builtin.join(", "))
    };
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "{}; {} of {judged} endpoints with an in-flight setting encrypt{tail}",
                bad.join("; "),
                good.len()
            ),
            ..f
        };
    }
    if !unknown.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{}{tail}", unknown.join("; ")),
            ..f
        };
    }
    if good.is_empty() {
        return Finding {
            reason: format!("every endpoint's service encrypts in flight by itself{tail}"),
            ..f
        };
    }
    Finding {
        reason: format!(
            "{}; {} of {judged} endpoints with an in-flight setting encrypt{tail}",
            good.join(", "),
            good.len()
        ),
        ..f
    }
}
