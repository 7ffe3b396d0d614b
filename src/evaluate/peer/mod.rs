//! The DMS checks peers run (Security Hub DMS.1–DMS.13, AWS Config, Prowler,
//! Steampipe), as supplementary findings per resource — without the peers' known
//! mistakes: no SSL failure for endpoints that have no SslMode choice, and a public
//! instance fails whatever its security groups. One file per control (its id, title,
//! the listing its resources come from, the check and its table tests); this module
//! only lists them and runs them in a fixed order.

mod certificate_expiry;
mod dms_10_neptune_iam;
mod dms_11_mongodb_auth;
mod dms_12_redis_tls;
mod dms_13_multi_az;
mod dms_1_public_instance;
mod dms_2_certificate_tagged;
mod dms_3_subscription_tagged;
mod dms_4_instance_tagged;
mod dms_5_subnet_group_tagged;
mod dms_6_minor_upgrade;
mod dms_7_target_logging;
mod dms_8_source_logging;
mod dms_9_endpoint_ssl;
mod instance_cmk;
mod s3_endpoint_cmk;

use serde::{Deserialize, Serialize};

use super::view::Input;
use crate::facts::{
    Certificate, Endpoint, EventSubscription, ReplicationInstance, SubnetGroup, Task,
};

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

/// The kind of resource a control judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Instance,
    Task,
    Endpoint,
    Certificate,
    EventSubscription,
    SubnetGroup,
}

/// One resource, as a control sees it.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    Instance(&'a ReplicationInstance),
    Task(&'a Task),
    Endpoint(&'a Endpoint),
    Certificate(&'a Certificate),
    EventSubscription(&'a EventSubscription),
    SubnetGroup(&'a SubnetGroup),
}

impl<'a> Resource<'a> {
    fn arn(&self) -> Option<&'a str> {
        match self {
            Resource::Instance(r) => Some(&r.arn),
            Resource::Task(r) => Some(&r.arn),
            Resource::Endpoint(r) => Some(&r.arn),
            Resource::Certificate(r) => Some(&r.arn),
            Resource::EventSubscription(r) => r.arn.as_deref(),
            Resource::SubnetGroup(r) => r.arn.as_deref(),
        }
    }
}

/// What a control reads besides its resource.
pub struct Context<'i, 'a> {
    pub input: &'i Input<'a>,
    /// Tag keys DMS.2–DMS.5 require (checklist `[peer].required_tag_keys`).
    pub required_tag_keys: &'i [String],
}

/// One control: its metadata and its check.
pub struct Control {
    /// Security Hub control id (DMS.1 …) or the peer rule's name.
    pub id: &'static str,
    pub title: &'static str,
    /// The IAM action of the listing its resources come from: when that listing failed
    /// in a region, the control is `unknown` there, never silently absent.
    pub listing: &'static str,
    pub kind: Kind,
    /// Tag controls run after the settings controls (the order findings are reported in).
    pub tags: bool,
    /// The status and its reason, or `None` when the control does not apply to the
    /// resource (DMS.10 on an endpoint that is not Neptune).
    pub check: fn(&Context<'_, '_>, Resource<'_>) -> Option<(PeerStatus, String)>,
}

/// Every control, in report order.
pub const CONTROLS: &[Control] = &[
    dms_1_public_instance::CONTROL,
    dms_6_minor_upgrade::CONTROL,
    dms_13_multi_az::CONTROL,
    instance_cmk::CONTROL,
    dms_7_target_logging::CONTROL,
    dms_8_source_logging::CONTROL,
    dms_9_endpoint_ssl::CONTROL,
    dms_10_neptune_iam::CONTROL,
    dms_11_mongodb_auth::CONTROL,
    dms_12_redis_tls::CONTROL,
    s3_endpoint_cmk::CONTROL,
    certificate_expiry::CONTROL,
    dms_2_certificate_tagged::CONTROL,
    dms_3_subscription_tagged::CONTROL,
    dms_4_instance_tagged::CONTROL,
    dms_5_subnet_group_tagged::CONTROL,
];

/// Runs every control on every resource of its kind: first `unknown` for each
/// listing that failed, then per resource its settings controls, then the tag controls.
pub fn run(input: &Input<'_>, required_tag_keys: &[String]) -> Vec<PeerFinding> {
    let ctx = Context {
        input,
        required_tag_keys,
    };
    let mut out = unlisted(input);
    let kinds = [
        Kind::Instance,
        Kind::Task,
        Kind::Endpoint,
        Kind::Certificate,
    ];
    for kind in kinds {
        for resource in resources(input, kind) {
            for control in CONTROLS.iter().filter(|c| c.kind == kind && !c.tags) {
                out.extend(apply(control, &ctx, resource));
            }
        }
    }
    for control in CONTROLS.iter().filter(|c| c.tags) {
        for resource in resources(input, control.kind) {
            out.extend(apply(control, &ctx, resource));
        }
    }
    out
}

fn apply(control: &Control, ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<PeerFinding> {
    let arn = resource.arn()?;
    let (status, reason) = (control.check)(ctx, resource)?;
    Some(finding(control, arn, status, reason))
}

/// `unknown` for each control whose listing failed, per failed call.
fn unlisted(input: &Input<'_>) -> Vec<PeerFinding> {
    let mut listings: Vec<&str> = Vec::new();
    for c in CONTROLS {
        if !listings.contains(&c.listing) {
            listings.push(c.listing);
        }
    }
    let mut out = Vec::new();
    for action in listings {
        for gap in input.gaps(action) {
            for control in CONTROLS.iter().filter(|c| c.listing == action) {
                out.push(PeerFinding {
                    control: control.id.into(),
                    title: "(resources not listed)".into(),
                    resource: format!("{action} in {}", gap.region),
                    status: PeerStatus::Unknown,
                    reason: format!(
                        "{action} failed in {} ({}): the resources this control judges are unknown",
                        gap.region,
                        gap.kind.as_str()
                    ),
                });
            }
        }
    }
    out
}

fn resources<'a>(input: &Input<'a>, kind: Kind) -> Vec<Resource<'a>> {
    let f = input.facts;
    match kind {
        Kind::Instance => f
            .replication_instances
            .iter()
            .map(Resource::Instance)
            .collect(),
        Kind::Task => f.tasks.iter().map(Resource::Task).collect(),
        Kind::Endpoint => f.endpoints.iter().map(Resource::Endpoint).collect(),
        Kind::Certificate => f.certificates.iter().map(Resource::Certificate).collect(),
        Kind::EventSubscription => f
            .event_subscriptions
            .iter()
            .map(Resource::EventSubscription)
            .collect(),
        Kind::SubnetGroup => f.subnet_groups.iter().map(Resource::SubnetGroup).collect(),
    }
}

fn finding(control: &Control, resource: &str, status: PeerStatus, reason: String) -> PeerFinding {
    PeerFinding {
        control: control.id.into(),
        title: control.title.into(),
        resource: resource.into(),
        status,
        reason,
    }
}

/// A reported value, or "not reported".
fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or("not reported".to_string(), ToString::to_string)
}

/// Passed when the flag has the wanted value, failed when not, unknown when absent.
fn flag(value: Option<bool>, want: bool) -> PeerStatus {
    match value {
        Some(v) if v == want => PeerStatus::Passed,
        Some(_) => PeerStatus::Failed,
        None => PeerStatus::Unknown,
    }
}

/// An endpoint setting (`S3Settings.EncryptionMode`), as the API reported it.
fn setting(e: &Endpoint, group: &str, key: &str) -> Option<serde_json::Value> {
    e.settings.get(group).and_then(|v| v.get(key)).cloned()
}

/// DMS.2–DMS.5: the resource carries every required tag key. Unknown when its tags
/// could not be read; not applicable when no key is required.
fn tagged(ctx: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let arn = resource.arn()?;
    let required = ctx.required_tag_keys;
    if required.is_empty() {
        return Some((
            PeerStatus::NotApplicable,
            "no required tag keys configured (checklist [peer].required_tag_keys)".into(),
        ));
    }
    if let Some(gap) = ctx
        .input
        .gaps("dms:ListTagsForResource")
        .into_iter()
        .find(|g| arn.contains(&format!(":{}:", g.region)))
    {
        return Some((
            PeerStatus::Unknown,
            format!(
                "dms:ListTagsForResource failed ({}): tags unknown",
                gap.kind.as_str()
            ),
        ));
    }
    let keys: Vec<&String> = ctx
        .input
        .facts
        .tags
        .iter()
        .find(|t| t.arn == arn)
        .map(|t| t.tags.keys().collect())
        .unwrap_or_default();
    let missing: Vec<&str> = required
        .iter()
        .filter(|k| !keys.contains(k))
        .map(String::as_str)
        .collect();
    Some(if missing.is_empty() {
        (
            PeerStatus::Passed,
            "all required tag keys present".to_string(),
        )
    } else {
        (
            PeerStatus::Failed,
            format!("missing tag keys: {}", missing.join(", ")),
        )
    })
}

/// DMS.7 / DMS.8: task logging on, with each of `components` at default severity or above.
fn logging(resource: Resource<'_>, components: [&str; 2]) -> Option<(PeerStatus, String)> {
    const LOGGED: &[&str] = &[
        "LOGGER_SEVERITY_DEFAULT",
        "LOGGER_SEVERITY_DEBUG",
        "LOGGER_SEVERITY_DETAILED_DEBUG",
    ];
    let Resource::Task(t) = resource else {
        return None;
    };
    let s = &t.settings;
    let logged = |c: &str| {
        s.log_components
            .iter()
            .any(|(id, sev)| id == c && LOGGED.contains(&sev.as_str()))
    };
    let status = match s.logging_enabled {
        None => PeerStatus::Unknown,
        Some(false) => PeerStatus::Failed,
        Some(true) if components.iter().all(|c| logged(c)) => PeerStatus::Passed,
        Some(true) => PeerStatus::Failed,
    };
    let levels: Vec<String> = components
        .iter()
        .map(|c| {
            let level = s.log_components.iter().find(|(id, _)| id == c);
            format!("{c}={}", level.map_or("unset", |(_, v)| v.as_str()))
        })
        .collect();
    Some((
        status,
        format!(
            "EnableLogging {}; {}",
            show(&s.logging_enabled),
            levels.join(", ")
        ),
    ))
}

#[cfg(test)]
mod testkit;
