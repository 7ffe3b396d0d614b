//! AWS Config: the region's configuration recorders and, where one records DMS endpoints,
//! the configuration history of each endpoint the evidence knows (live, or rebuilt from
//! CloudTrail after deletion), so that what an endpoint connected to while a migration ran
//! can be read where CloudTrail's history does not reach ([`crate::facts::config_history`]).
//!
//! AWS Config API Reference: DescribeConfigurationRecorders (recordingGroup, recordingMode),
//! DescribeConfigurationRecorderStatus (recording, lastStartTime, lastStopTime, lastStatus),
//! ListDiscoveredResources ("includeDeletedResources", at most 100 a page) and
//! GetResourceConfigHistory (`chronologicalOrder` Forward, at most 100 items a page),
//! DescribeRetentionConfigurations (how long the items are kept, for their expiry). Without
//! a recorder whose recording group covers AWS::DMS::Endpoint today (recording or stopped),
//! nothing more is asked: no other can vouch for a run.

use std::collections::BTreeMap;

use aws_sdk_config::types::{
    ChronologicalOrder, ConfigurationItem, ConfigurationRecorder, RecordingStrategyType,
    ResourceType,
};
use futures::StreamExt;
use serde_json::Value;

use super::{Clients, Context, stamp};
use crate::facts::Endpoint;
use crate::facts::config_history::{
    ConfigItem, ConfigRecorder, DEFAULT_RETENTION_DAYS, ENDPOINT_TYPE, MEMBERS, api_settings_name,
    is_settings,
};

/// Endpoints whose history is read at once.
const CONCURRENT: usize = 4;
/// The largest page both listings allow.
const PAGE: i32 = 100;

/// Whether a recorder's recording group covers `resource_type` (AWS Config API Reference,
/// RecordingGroup: allSupported, resourceTypes, exclusionByResourceTypes with
/// recordingStrategy EXCLUSION_BY_RESOURCE_TYPES).
pub fn records(r: &ConfigurationRecorder, resource_type: &str) -> bool {
    let Some(group) = r.recording_group() else {
        return false;
    };
    let named = |t: &ResourceType| t.as_str() == resource_type;
    let excluding = group
        .recording_strategy()
        .and_then(|s| s.use_only())
        .is_some_and(|s| *s == RecordingStrategyType::ExclusionByResourceTypes);
    if excluding {
        let excluded = group
            .exclusion_by_resource_types()
            .map(|e| e.resource_types())
            .unwrap_or_default();
        return !excluded.iter().any(named);
    }
    group.all_supported() || group.resource_types().iter().any(named)
}

/// The recording frequency of `resource_type` (RecordingMode, then the override naming it).
fn frequency(r: &ConfigurationRecorder, resource_type: &str) -> Option<String> {
    let mode = r.recording_mode()?;
    let chosen = mode
        .recording_mode_overrides()
        .iter()
        .find(|o| {
            o.resource_types()
                .iter()
                .any(|t| t.as_str() == resource_type)
        })
        .map_or(mode.recording_frequency(), |o| o.recording_frequency());
    Some(chosen.as_str().to_string())
}

/// The region's recorders; `None` when either read failed (a gap names it).
pub async fn recorders(c: &Clients, ctx: &Context) -> Option<Vec<ConfigRecorder>> {
    let (recorders, statuses) = futures::join!(
        ctx.call(
            "config",
            "DescribeConfigurationRecorders",
            &c.region,
            None,
            c.config.describe_configuration_recorders().send()
        ),
        ctx.call(
            "config",
            "DescribeConfigurationRecorderStatus",
            &c.region,
            None,
            c.config.describe_configuration_recorder_status().send()
        ),
    );
    let ((recorders, mut sources), (statuses, more)) = (recorders?, statuses?);
    sources.extend(more);
    Some(
        recorders
            .configuration_recorders()
            .iter()
            .map(|r| {
                let name = r.name().unwrap_or_default();
                let status = statuses
                    .configuration_recorders_status()
                    .iter()
                    .find(|s| s.name() == Some(name));
                ConfigRecorder {
                    region: c.region.clone(),
                    name: name.to_string(),
                    records_endpoints: records(r, ENDPOINT_TYPE),
                    endpoint_frequency: frequency(r, ENDPOINT_TYPE),
                    recording: status.is_some_and(|s| s.recording()),
                    last_start: stamp(status.and_then(|s| s.last_start_time())),
                    last_stop: stamp(status.and_then(|s| s.last_stop_time())),
                    last_status: status
                        .and_then(|s| s.last_status())
                        .map(|s| s.as_str().to_string()),
                    // Read below, where a recorder records endpoints.
                    retention_days: None,
                    sources: sources.clone(),
                }
            })
            .collect(),
    )
}

/// The region's recorders and, when one records endpoints (or did: a stopped one keeps its
/// history), the configuration items of each of `endpoints` in the region AWS Config
/// discovered, by ARN.
pub async fn endpoint_history(
    c: &Clients,
    ctx: &Context,
    endpoints: &[Endpoint],
) -> (Vec<ConfigRecorder>, Vec<(String, Vec<ConfigItem>)>) {
    let Some(recorders) = recorders(c, ctx).await else {
        return (Vec::new(), Vec::new());
    };
    let mine: Vec<&Endpoint> = endpoints.iter().filter(|e| e.region == c.region).collect();
    if mine.is_empty() || !recorders.iter().any(|r| r.records_endpoints) {
        return (recorders, Vec::new());
    }
    let mut recorders = recorders;
    if let Some((days, sources)) = retention(c, ctx).await {
        for r in &mut recorders {
            r.retention_days = Some(days);
            r.sources.extend(sources.iter().cloned());
        }
    }
    let Some(discovered) = discovered(c, ctx).await else {
        return (recorders, Vec::new());
    };
    // Each known endpoint's Config resource id: by its ARN, else its identifier.
    let wanted = mine.into_iter().filter_map(|e| {
        let id = discovered
            .get(&e.arn)
            .or_else(|| discovered.get(&e.identifier))?;
        Some((e.arn.clone(), id.clone()))
    });
    let histories = futures::stream::iter(wanted.map(|(arn, id)| async move {
        let found = items(c, ctx, &id, &arn).await;
        (arn, found)
    }))
    .buffer_unordered(CONCURRENT)
    .collect()
    .await;
    (recorders, histories)
}

/// How many days AWS Config keeps the region's items: the retention configuration AWS
/// Config allows one of a region (AWS Config API Reference, PutRetentionConfiguration),
/// else the default; `None` when the read failed (a gap names it).
async fn retention(c: &Clients, ctx: &Context) -> Option<(i64, Vec<String>)> {
    let (answer, sources) = ctx
        .call(
            "config",
            "DescribeRetentionConfigurations",
            &c.region,
            None,
            c.config.describe_retention_configurations().send(),
        )
        .await?;
    let days = answer
        .retention_configurations()
        .iter()
        .map(|r| i64::from(r.retention_period_in_days()))
        .min()
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    Some((days, sources))
}

/// The endpoints AWS Config discovered, deleted ones too: resource id by resource id and
/// by name.
async fn discovered(c: &Clients, ctx: &Context) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let request = c
            .config
            .list_discovered_resources()
            .resource_type(ResourceType::from(ENDPOINT_TYPE))
            .include_deleted_resources(true)
            .limit(PAGE)
            .set_next_token(token.clone())
            .send();
        let (page, _) = ctx
            .call(
                "config",
                "ListDiscoveredResources",
                &c.region,
                None,
                request,
            )
            .await?;
        for r in page.resource_identifiers() {
            let Some(id) = r.resource_id() else { continue };
            out.insert(id.to_string(), id.to_string());
            if let Some(name) = r.resource_name() {
                out.entry(name.to_string())
                    .or_insert_with(|| id.to_string());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Some(out);
        }
    }
}

/// Every configuration item of one endpoint, oldest first; those of another ARN (a name
/// reused) left out. Empty when a page failed (a gap names it): a partial history could
/// miss the change that matters.
async fn items(c: &Clients, ctx: &Context, resource_id: &str, arn: &str) -> Vec<ConfigItem> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let request = c
            .config
            .get_resource_config_history()
            .resource_type(ResourceType::from(ENDPOINT_TYPE))
            .resource_id(resource_id)
            .chronological_order(ChronologicalOrder::Forward)
            .limit(PAGE)
            .set_next_token(token.clone())
            .send();
        let Some((page, sources)) = ctx
            .call(
                "config",
                "GetResourceConfigHistory",
                &c.region,
                Some(arn),
                request,
            )
            .await
        else {
            return Vec::new();
        };
        for i in page.configuration_items() {
            if i.arn().unwrap_or(resource_id) != arn {
                continue;
            }
            // An item that cannot be read could be the change that matters: no history.
            let Some(read) = item(i, &sources) else {
                tracing::warn!(
                    arn,
                    "an AWS Config item without capture time or status; its history is left out"
                );
                return Vec::new();
            };
            out.push(read);
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

fn item(i: &ConfigurationItem, sources: &[String]) -> Option<ConfigItem> {
    let object = i
        .configuration()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    let mut configuration = BTreeMap::new();
    for (key, mut value) in object {
        if value.is_null() {
            continue;
        }
        if is_settings(&key, &value) {
            let key = api_settings_name(&key).to_string();
            crate::redact::json("dms", &mut value, &key, &mut Vec::new());
            configuration.insert(key, value);
        } else if MEMBERS.contains(&key.as_str()) {
            configuration.insert(key, value);
        }
    }
    Some(ConfigItem {
        captured_at: stamp(i.configuration_item_capture_time())?,
        status: i.configuration_item_status()?.as_str().to_string(),
        frequency: i.recording_frequency().map(|f| f.as_str().to_string()),
        state_id: i.configuration_state_id().map(str::to_string),
        configuration,
        sources: sources.to_vec(),
    })
}
