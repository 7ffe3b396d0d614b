//! Security practice: IAM permissions, the DMS service roles, fine-grained access,
//! encryption at rest and in flight.

use std::collections::BTreeSet;

use super::{Finding, Input, Item, Verdict, no_migrations, with_statement};
use crate::facts::{HostKind, host};

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
    let logging = input
        .migrations
        .iter()
        .any(|m| m.settings.logging_enabled == Some(true));
    let redshift = input
        .migrations
        .iter()
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
    let gap = input
        .gap_note(&["iam:ListPolicies", "iam:GetPolicyVersion"])
        .map(|g| format!(" ({g})"))
        .unwrap_or_default();
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

pub fn encryption_at_rest(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut good, mut bad, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    let mut keys = BTreeSet::new();
    for m in &input.migrations {
        let Some(target) = m.target else {
            unknown.push(format!("{}: target endpoint not found", m.id));
            continue;
        };
        f = f.cite(format!("endpoints/{}", target.arn), &target.sources);
        let resource = target.host.resource.as_deref();
        let (encrypted, key) = if let Some(c) = resource.and_then(|r| input.rds_cluster(r)) {
            f = f.cite(format!("rds_clusters/{}", c.identifier), &c.sources);
            (c.storage_encrypted, c.kms_key_id.clone())
        } else if let Some(d) = resource.and_then(|r| input.rds_instance(r)) {
            f = f.cite(format!("rds_instances/{}", d.identifier), &d.sources);
            (d.storage_encrypted, d.kms_key_id.clone())
        } else {
            let mode = ["RedshiftSettings", "S3Settings"].iter().find_map(|s| {
                target
                    .settings
                    .get(*s)
                    .and_then(|v| v.get("EncryptionMode"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
            match (target.host.kind, mode) {
                (_, Some(mode)) => (Some(true), Some(format!("EncryptionMode {mode}"))),
                (HostKind::AwsManaged, None) if target.engine == "s3" => {
                    (Some(true), Some("S3 default SSE-S3".to_string()))
                }
                _ => (None, None),
            }
        };
        match encrypted {
            Some(true) => {
                let key_text = key
                    .as_deref()
                    .map(|k| describe_key(input, k, &mut keys))
                    .unwrap_or_default();
                good.push(format!(
                    "{} target {} encrypted{key_text}",
                    m.id, target.identifier
                ));
            }
            Some(false) => bad.push(format!(
                "{} target {} is not encrypted",
                m.id, target.identifier
            )),
            None => unknown.push(format!(
                "{} target {} ({:?}): encryption not visible to the tool",
                m.id, target.identifier, target.host.kind
            )),
        }
    }
    for key in &keys {
        if let Some(k) = input.facts.key(key) {
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
                    describe_key(input, k, &mut BTreeSet::new())
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
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("{}{tail}", bad.join("; ")),
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
    Finding {
        reason: format!("{}{tail}", good.join("; ")),
        ..f
    }
}

fn describe_key(input: &Input<'_>, reference: &str, seen: &mut BTreeSet<String>) -> String {
    seen.insert(reference.to_string());
    match input.facts.key(reference) {
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
    let (mut good, mut bad, mut na, mut unknown) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut seen = BTreeSet::new();
    let endpoints: Vec<_> = input
        .migrations
        .iter()
        .flat_map(|m| [m.source, m.target])
        .flatten()
        .collect();
    for e in endpoints {
        if !seen.insert(e.arn.as_str()) {
            continue;
        }
        f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
        let Some(modes) = host::ssl_modes(&e.engine) else {
            na.push(format!(
                "{} ({}: TLS built in, no SslMode choice)",
                e.identifier, e.engine
            ));
            continue;
        };
        match e.ssl_mode.as_deref() {
            None => unknown.push(format!("{}: SslMode not reported", e.identifier)),
            Some("none") => bad.push(format!("{} ({}) SslMode=none", e.identifier, e.engine)),
            Some(mode) if !modes.contains(&mode) => bad.push(format!(
                "{} ({}) SslMode={mode}, which {} does not support ({})",
                e.identifier,
                e.engine,
                e.engine,
                modes.join(", ")
            )),
            Some(mode) => {
                let cert = e
                    .certificate_arn
                    .as_deref()
                    .and_then(|arn| input.facts.certificates.iter().find(|c| c.arn == arn));
                if let Some(c) = cert {
                    f = f.cite(format!("certificates/{}", c.arn), &c.sources);
                    if Input::secs(c.valid_to.as_deref()).is_some_and(|t| t < input.now) {
                        bad.push(format!(
                            "{} SslMode={mode} but certificate {} expired {}",
                            e.identifier,
                            c.identifier,
                            c.valid_to.as_deref().unwrap_or("")
                        ));
                        continue;
                    }
                }
                good.push(format!("{} SslMode={mode}", e.identifier));
            }
        }
    }
    let capable = good.len() + bad.len() + unknown.len();
    let tail = if na.is_empty() {
        String::new()
    } else {
        format!("; not applicable: {}", na.join(", "))
    };
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "{}; {} of {capable} SSL-capable endpoints encrypt in flight{tail}",
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
            verdict: Verdict::NotApplicable,
            reason: format!("no SSL-capable endpoint{tail}"),
            ..f
        };
    }
    Finding {
        reason: format!(
            "{}; {} of {capable} SSL-capable endpoints encrypt in flight{tail}",
            good.join(", "),
            good.len()
        ),
        ..f
    }
}
