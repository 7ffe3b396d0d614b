//! IAM: the roles DMS needs (dms-vpc-role, dms-cloudwatch-logs-role,
//! dms-access-for-endpoint) with their trust and attached policies, and the
//! customer-managed policies that grant DMS actions (for fine-grained access).

use futures::StreamExt;
use serde_json::Value;

use super::{Clients, Context};
use crate::facts::{IamPolicy, IamRole};

pub const DMS_ROLES: &[&str] = &[
    "dms-vpc-role",
    "dms-cloudwatch-logs-role",
    "dms-access-for-endpoint",
];

pub async fn collect(c: &Clients, ctx: &Context) -> (Vec<IamRole>, Vec<IamPolicy>) {
    futures::join!(roles(c, ctx), policies(c, ctx))
}

/// The DMS service roles, all read at once (independent calls).
async fn roles(c: &Clients, ctx: &Context) -> Vec<IamRole> {
    futures::future::join_all(DMS_ROLES.iter().map(|name| role(c, ctx, name)))
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// One DMS service role: whether it exists, whom it trusts and its attached policies;
/// `None` when GetRole failed otherwise (a gap).
async fn role(c: &Clients, ctx: &Context, name: &&str) -> Option<IamRole> {
    let name = *name;
    let (result, sources) =
        crate::collect::capture::scoped(c.iam.get_role().role_name(name).send()).await;
    let mut role = IamRole {
        name: name.to_string(),
        sources,
        ..IamRole::default()
    };
    match result {
        Ok(found) => {
            let r = found.role();
            role.exists = true;
            role.arn = r.map(|r| r.arn().to_string());
            role.trusted_services = r
                .and_then(|r| r.assume_role_policy_document())
                .map(trusted_services)
                .unwrap_or_default();
            let attached = ctx
                .call(
                    "iam",
                    "ListAttachedRolePolicies",
                    &c.region,
                    Some(name),
                    c.iam
                        .list_attached_role_policies()
                        .role_name(name)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>(),
                )
                .await;
            if let Some((policies, sources)) = attached {
                role.attached_policies = policies
                    .iter()
                    .filter_map(|p| p.policy_name().map(str::to_string))
                    .collect();
                role.sources.extend(sources);
            }
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            role.exists = false;
        }
        Err(err) => {
            let mut gap = super::gap::from_sdk_error("iam", "GetRole", &c.region, &err);
            gap.resource = Some(name.to_string());
            ctx.gap(gap);
            return None;
        }
    }
    Some(role)
}

/// Service principals in a trust policy (the document may be URL-encoded).
pub fn trusted_services(document: &str) -> Vec<String> {
    let decoded = percent_decode(document);
    let Ok(doc) = serde_json::from_str::<Value>(&decoded) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for statement in as_list(doc.get("Statement")) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        for service in as_list(statement.pointer("/Principal/Service")) {
            if let Some(s) = service.as_str() {
                out.push(s.to_string());
            }
        }
    }
    out
}

async fn policies(c: &Clients, ctx: &Context) -> Vec<IamPolicy> {
    let listed = ctx
        .call(
            "iam",
            "ListPolicies",
            &c.region,
            None,
            c.iam
                .list_policies()
                .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let Some((policies, list_sources)) = listed else {
        return Vec::new();
    };
    let found = futures::stream::iter(policies.into_iter().map(|p| {
        let list_sources = list_sources.clone();
        async move {
            let arn = p.arn()?.to_string();
            let version = p.default_version_id()?.to_string();
            let (out, sources) = ctx
                .call(
                    "iam",
                    "GetPolicyVersion",
                    &c.region,
                    Some(&arn),
                    c.iam
                        .get_policy_version()
                        .policy_arn(&arn)
                        .version_id(&version)
                        .send(),
                )
                .await?;
            let document = out.policy_version()?.document()?.to_string();
            let mut policy = analyse(&percent_decode(&document))?;
            policy.name = p.policy_name().unwrap_or_default().to_string();
            policy.arn = arn;
            policy.attachment_count = p.attachment_count();
            policy.sources = list_sources.into_iter().chain(sources).collect();
            Some(policy)
        }
    }))
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await;
    let mut out: Vec<IamPolicy> = found.into_iter().flatten().collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The DMS part of a policy document, or `None` when it grants no DMS action.
pub fn analyse(document: &str) -> Option<IamPolicy> {
    let doc: Value = serde_json::from_str(document).ok()?;
    let mut policy = IamPolicy::default();
    for statement in as_list(doc.get("Statement")) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let actions: Vec<String> = as_list(statement.get("Action"))
            .iter()
            .filter_map(|a| a.as_str())
            .filter(|a| a.to_ascii_lowercase().starts_with("dms:") || *a == "*")
            .map(str::to_string)
            .collect();
        if actions.is_empty() {
            continue;
        }
        policy.dms_actions.extend(actions);
        if as_list(statement.get("Resource"))
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r != "*"))
        {
            policy.scoped_resources = true;
        }
        if let Some(Value::Object(conditions)) = statement.get("Condition") {
            for keys in conditions.values() {
                if let Value::Object(keys) = keys {
                    policy.condition_keys.extend(keys.keys().cloned());
                }
            }
        }
    }
    if policy.dms_actions.is_empty() {
        return None;
    }
    policy.dms_actions.sort();
    policy.dms_actions.dedup();
    policy.condition_keys.sort();
    policy.condition_keys.dedup();
    Some(policy)
}

fn as_list(value: Option<&Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

/// IAM returns policy documents URL-encoded (RFC 3986).
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_name_services() {
        let doc = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"dms.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        assert_eq!(trusted_services(doc), ["dms.amazonaws.com"]);
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22dms.amazonaws.com%22%5D%7D%7D%5D%7D";
        assert_eq!(trusted_services(encoded), ["dms.amazonaws.com"]);
        assert!(trusted_services("not json").is_empty());
    }

    #[test]
    fn dms_policies_are_analysed() {
        let doc = r#"{"Statement":[{"Effect":"Allow","Action":["dms:StartReplicationTask","s3:GetObject"],
            "Resource":"arn:aws:dms:us-east-1:1:task:*","Condition":{"StringEquals":{"dms:task-tag/project":"x"}}}]}"#;
        let p = analyse(doc).expect("grants DMS");
        assert_eq!(p.dms_actions, ["dms:StartReplicationTask"]);
        assert_eq!(p.condition_keys, ["dms:task-tag/project"]);
        assert!(p.scoped_resources);
        assert!(
            analyse(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
                .is_none()
        );
    }
}
