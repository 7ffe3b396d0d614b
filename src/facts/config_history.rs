//! What AWS Config recorded of an endpoint: its configuration items and the recorder that
//! made them, and from them what the endpoint connected to while a migration ran, when its
//! CloudTrail history cannot say (the run began before it, or a change before the first
//! on record).
//!
//! AWS Config records a configuration item when a recorded resource changes (AWS Config
//! API Reference, RecordingMode: "Continuous recording allows you to record configuration
//! changes continuously whenever a change occurs"; "Daily recording allows you to receive a
//! configuration item (CI) representing the most recent state of your resources over the
//! last 24-hour period, only if it's different from the previous CI recorded"), each with
//! `configurationItemCaptureTime` ("the time when the recording of configuration changes was
//! initiated for the resource"), `configurationItemStatus` (OK, ResourceDiscovered,
//! ResourceNotRecorded, ResourceDeleted, ResourceDeletedNotRecorded) and `recordingFrequency`.
//! AWS::DMS::Endpoint is a type it records (botocore `config` 2014-11-12 ResourceType), its
//! configuration named as the awslabs/aws-config-resource-schema property file names it
//! (`configuration.SslMode`, `EngineName`, `ServerName`, `Port`, `DatabaseName`, `KmsKeyId`,
//! `CertificateArn`).
//!
//! The items prove what was in force during a run only where nothing can have slipped
//! between them: the recorder recorded without a stop from the item in force when the run
//! began until after it ended (DescribeConfigurationRecorderStatus `lastStartTime`,
//! `lastStopTime`: a stop and restart before then leaves no trace but the last start),
//! continuously (a daily item misses a change undone within the day), and with no item
//! saying the type went unrecorded. Items captured up to [`CAPTURE_MARGIN`] after the run
//! count as possibly inside it: the capture follows the change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Endpoint, Timestamp};

/// The resource type of a DMS endpoint in AWS Config.
pub const ENDPOINT_TYPE: &str = "AWS::DMS::Endpoint";
/// The members of an item's configuration read, as the resource schema names them.
pub const MEMBERS: &[&str] = &[
    "SslMode",
    "EngineName",
    "ServerName",
    "Port",
    "DatabaseName",
    "KmsKeyId",
    "CertificateArn",
];
/// Engine settings objects AWS Config names otherwise than the DMS API does (Config's
/// configuration follows the CloudFormation type's property names: cfn-lint
/// `aws-dms-endpoint.json`; the DMS API's, botocore `dms` 2016-01-01 `Endpoint`).
const SETTINGS_NAMES: &[(&str, &str)] = &[
    ("PostgreSqlSettings", "PostgreSQLSettings"),
    ("MySqlSettings", "MySQLSettings"),
    ("MicrosoftSqlServerSettings", "MicrosoftSQLServerSettings"),
    ("IbmDb2Settings", "IBMDb2Settings"),
];

/// Engine settings members the checks read (in-flight encryption, where the endpoint
/// connects, the target store), compared between today's endpoint and AWS Config's last item.
const SETTINGS_READ: &[(&str, &str)] = &[
    ("KafkaSettings", "SecurityProtocol"),
    ("KafkaSettings", "Broker"),
    ("RedisSettings", "SslSecurityProtocol"),
    ("ElasticsearchSettings", "EndpointUri"),
    ("S3Settings", "BucketName"),
    ("KinesisSettings", "StreamArn"),
];

/// The DMS API's name of an engine settings object AWS Config names `name`.
pub fn api_settings_name(name: &str) -> &str {
    SETTINGS_NAMES
        .iter()
        .find(|(config, _)| *config == name)
        .map_or(name, |(_, api)| api)
}

/// Whether a member of an item's configuration is an engine settings object.
pub fn is_settings(name: &str, value: &Value) -> bool {
    name.ends_with("Settings") && value.is_object()
}

/// How long after a change its item may be captured, as far as this tool assumes: an item
/// captured within this of a run's end may record a change made during the run. AWS
/// documents no bound for continuous recording; a day (the span of daily recording) is
/// this tool's margin.
pub const CAPTURE_MARGIN: time::Duration = crate::time::DAY;

/// One configuration item of an endpoint (AWS Config API Reference, ConfigurationItem).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigItem {
    /// `configurationItemCaptureTime`, RFC 3339.
    pub captured_at: Timestamp,
    /// `configurationItemStatus`.
    pub status: String,
    /// `recordingFrequency`: CONTINUOUS or DAILY; `None` when the item does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// `configurationStateId`: the item's place in the resource's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_id: Option<String>,
    /// The [`MEMBERS`] its `configuration` holds, and its engine settings objects under the
    /// DMS API's names ([`api_settings_name`]), secrets redacted (none for a deleted or
    /// unrecorded state).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configuration: BTreeMap<String, Value>,
    pub sources: Vec<String>,
}

impl ConfigItem {
    /// A state of the endpoint: OK or ResourceDiscovered, with its configuration.
    fn is_state(&self) -> bool {
        matches!(self.status.as_str(), "OK" | "ResourceDiscovered")
    }

    fn unrecorded(&self) -> bool {
        self.status.ends_with("NotRecorded")
    }

    fn describe(&self) -> String {
        let id = self
            .state_id
            .as_deref()
            .map(|s| format!(", configurationStateId {s}"))
            .unwrap_or_default();
        format!("AWS Config item captured {}{id}", self.captured_at)
    }
}

/// A configuration recorder of a region as DescribeConfigurationRecorders and
/// DescribeConfigurationRecorderStatus showed it when the evidence was collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorder {
    pub region: String,
    pub name: String,
    /// Its recording group covers AWS::DMS::Endpoint (all supported types, the type listed,
    /// or not excluded).
    pub records_endpoints: bool,
    /// Its recording frequency for AWS::DMS::Endpoint (RecordingMode and its overrides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_frequency: Option<String>,
    pub recording: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_start: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_stop: Option<Timestamp>,
    /// `lastStatus`: Pending, Success or Failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    /// How many days AWS Config keeps the region's configuration items: its retention
    /// configuration (DescribeRetentionConfigurations; one a region), else the default of
    /// 2557 days (AWS Config API Reference, PutRetentionConfiguration); `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
    pub sources: Vec<String>,
}

/// The days AWS Config keeps configuration items without a retention configuration, and
/// the fewest one may set (AWS Config Developer Guide, "Deleting AWS Config Data").
pub const DEFAULT_RETENTION_DAYS: i64 = 2557;
pub const MIN_RETENTION_DAYS: i64 = 30;

fn show(v: Option<&Value>) -> String {
    super::endpoint_then::show(v.unwrap_or(&Value::Null))
}

/// The recorders of `region` that record endpoints (items do not say which recorder made
/// them: each must vouch for the run); why there is none.
fn recorders_of<'r>(
    recorders: &'r [ConfigRecorder],
    region: &str,
) -> Result<Vec<&'r ConfigRecorder>, String> {
    let mine: Vec<&ConfigRecorder> = recorders.iter().filter(|r| r.region == region).collect();
    let recording: Vec<&ConfigRecorder> = mine
        .iter()
        .copied()
        .filter(|r| r.records_endpoints)
        .collect();
    if recording.is_empty() {
        return Err(if mine.is_empty() {
            format!("no AWS Config recorder in {region}")
        } else {
            format!("no AWS Config recorder in {region} records {ENDPOINT_TYPE}")
        });
    }
    Ok(recording)
}

/// Why `r` cannot vouch that it recorded without a stop through `[since, until]`.
fn recorded_through(r: &ConfigRecorder, since: Timestamp, until: Timestamp) -> Result<(), String> {
    let name = &r.name;
    if r.last_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
    {
        return Err(format!(
            "AWS Config recorder {name}'s last recording failed"
        ));
    }
    match r.last_start {
        Some(start) if start <= since => {}
        Some(start) => {
            return Err(format!(
                "AWS Config recorder {name} last started {start}, after {}: a change while it \
                 was stopped before then would not show",
                since
            ));
        }
        None => {
            return Err(format!(
                "AWS Config recorder {name}'s last start is not reported"
            ));
        }
    }
    // Its mode today: one that records endpoints daily now may have for a while (AWS keeps
    // no history of the mode; the items' own frequency is checked too).
    if let Some(f) = r
        .endpoint_frequency
        .as_deref()
        .filter(|f| *f != "CONTINUOUS")
    {
        return Err(format!(
            "AWS Config recorder {name} records {ENDPOINT_TYPE} {f}: a change undone within a day \
             would not show"
        ));
    }
    if !r.recording && r.last_stop.is_none_or(|stop| stop < until) {
        return Err(format!(
            "AWS Config recorder {name} stopped {}, before {}",
            r.last_stop
                .map_or("at a time not reported".into(), |t| t.to_string()),
            until
        ));
    }
    Ok(())
}

/// What `e` connected to during `[from, to]` as AWS Config recorded it:
/// the item in force at `from` and every item captured up to [`CAPTURE_MARGIN`] after `to`
/// must agree on [`MEMBERS`], all recorded continuously by a recorder that did not stop in
/// between; then the endpoint as those items hold it (no CloudTrail history: the items
/// settle the whole run), citing them. Else why not.
pub fn during(
    e: &Endpoint,
    recorders: &[ConfigRecorder],
    from: Timestamp,
    to: Timestamp,
) -> Result<Endpoint, String> {
    let recording = recorders_of(recorders, &e.region)?;
    let mut items: Vec<(Timestamp, &ConfigItem)> = e
        .config_history
        .iter()
        .map(|i| (i.captured_at, i))
        .collect();
    // In capture order; items of one second by configurationStateId.
    items.sort_by_key(|(t, i)| {
        (
            *t,
            i.state_id.as_deref().and_then(|s| s.parse::<u64>().ok()),
        )
    });
    if items.is_empty() {
        return Err("AWS Config holds no item of it".into());
    }
    let until = to + CAPTURE_MARGIN;
    let Some(&(since, before)) = items.iter().rev().find(|(t, _)| *t <= from) else {
        return Err(format!(
            "AWS Config's first item of it ({}) is after its run began",
            items[0].1.describe()
        ));
    };
    if !before.is_state() {
        return Err(format!(
            "the {} in force when its run began is {}",
            before.describe(),
            before.status
        ));
    }
    if before
        .configuration
        .get("EngineName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(format!("the {} does not say its engine", before.describe()));
    }
    for r in &recording {
        recorded_through(r, since, until)?;
    }
    // Every item since the one in force when the run began was recorded continuously: a
    // daily spell in between (the mode leaves no history) could hide a change undone.
    if let Some((_, i)) = items
        .iter()
        .filter(|(t, _)| *t >= since)
        .find(|(_, i)| i.frequency.as_deref() != Some("CONTINUOUS"))
    {
        return Err(format!(
            "the {} was recorded {}: a change undone within a day would not show",
            i.describe(),
            i.frequency
                .as_deref()
                .unwrap_or("at a frequency it does not say")
        ));
    }
    let recorder = recording[0];
    let inside: Vec<&ConfigItem> = items
        .iter()
        .filter(|(t, _)| *t > from && *t <= until)
        .map(|(_, i)| *i)
        .collect();
    let states = agreeing(before, &inside)?;
    unchanged_since(e, &items, until)?;
    Ok(as_recorded(e, before, &states, recorder, until))
}

/// The states possibly in force during the run (the item in force when it began, and
/// those captured inside it or within the margin after), when all were recorded
/// continuously, none says the type went unrecorded, and all agree; else why not.
fn agreeing<'i>(
    before: &'i ConfigItem,
    inside: &[&'i ConfigItem],
) -> Result<Vec<&'i ConfigItem>, String> {
    let states: Vec<&'i ConfigItem> = std::iter::once(before)
        .chain(inside.iter().copied().filter(|i| i.is_state()))
        .collect();
    if let Some(i) = inside.iter().find(|i| i.unrecorded()) {
        return Err(format!("the {} says {}", i.describe(), i.status));
    }
    let settings = |i: &ConfigItem| -> Vec<(String, Value)> {
        i.configuration
            .iter()
            .filter(|(k, v)| is_settings(k, v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    if let Some(other) = states.iter().find(|s| settings(s) != settings(before)) {
        return Err(format!(
            "AWS Config shows its engine settings changed around its run: the {} and the {} differ",
            before.describe(),
            other.describe()
        ));
    }
    for member in MEMBERS {
        let first = before.configuration.get(*member);
        if let Some(other) = states
            .iter()
            .find(|s| s.configuration.get(*member) != first)
        {
            return Err(format!(
                "AWS Config shows its {member} changed around its run: {} in the {}, {} in the {}",
                show(first),
                before.describe(),
                show(other.configuration.get(*member)),
                other.describe()
            ));
        }
    }
    Ok(states)
}

/// A live endpoint whose members differ from AWS Config's last item at or before `until`
/// changed without an item: the recording missed a change, possibly during the run.
fn unchanged_since(
    e: &Endpoint,
    items: &[(Timestamp, &ConfigItem)],
    until: Timestamp,
) -> Result<(), String> {
    if e.deleted_at.is_some() || items.iter().any(|(t, _)| *t > until) {
        return Ok(());
    }
    let Some((_, last)) = items.iter().rev().find(|(_, i)| i.is_state()) else {
        return Ok(());
    };
    let today = members_of(e);
    for member in MEMBERS {
        if last.configuration.get(*member) != today.get(*member) {
            return Err(format!(
                "its {member} today ({}) differs from the {} ({}): a change AWS Config did not record",
                show(today.get(*member)),
                last.describe(),
                show(last.configuration.get(*member))
            ));
        }
    }
    // The settings members the checks read (whole objects differ in which members AWS
    // Config and DescribeEndpoints list).
    for (object, member) in SETTINGS_READ {
        let of = |settings: &BTreeMap<String, Value>| {
            settings.get(*object).and_then(|o| o.get(*member)).cloned()
        };
        let (now, then) = (of(&e.settings), of(&last.configuration));
        if now != then {
            return Err(format!(
                "its {object}.{member} today ({}) differs from the {} ({}): a change AWS Config did \
                 not record",
                show(now.as_ref()),
                last.describe(),
                show(then.as_ref())
            ));
        }
    }
    Ok(())
}

/// `e`'s own members, named and typed as an item's configuration holds them.
pub fn members_of(e: &Endpoint) -> BTreeMap<String, Value> {
    let text = |v: &Option<String>| v.clone().map(Value::from);
    [
        ("SslMode", text(&e.ssl_mode)),
        (
            "EngineName",
            Some(Value::from(e.engine.to_ascii_lowercase())),
        ),
        ("ServerName", text(&e.server_name)),
        ("Port", e.port.map(Value::from)),
        ("DatabaseName", text(&e.database)),
        ("KmsKeyId", text(&e.kms_key_id)),
        ("CertificateArn", text(&e.certificate_arn)),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_string(), v?)))
    .collect()
}

fn as_recorded(
    e: &Endpoint,
    before: &ConfigItem,
    states: &[&ConfigItem],
    recorder: &ConfigRecorder,
    until: Timestamp,
) -> Endpoint {
    let c = &before.configuration;
    let text = |member: &str| c.get(member).and_then(Value::as_str).map(str::to_string);
    let mut was = e.clone();
    was.engine = text("EngineName")
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    was.family = super::host::family(&was.engine);
    was.server_name = text("ServerName");
    was.port = c
        .get("Port")
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok());
    was.database = text("DatabaseName");
    was.ssl_mode = text("SslMode");
    was.kms_key_id = text("KmsKeyId");
    was.certificate_arn = text("CertificateArn");
    // Its engine settings as recorded: none recorded, none known (not today's).
    was.settings = c
        .iter()
        .filter(|(k, v)| is_settings(k, v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Where it connected then: re-placed when its engine or address (the server name, or a
    // broker or URI in its settings: host::address) was not today's.
    let address = super::host::address(was.server_name.as_deref(), &was.settings);
    if was.engine != e.engine
        || address != super::host::address(e.server_name.as_deref(), &e.settings)
    {
        was.host = super::endpoint_then::host_then(e, &was.engine, &was.server_name);
        if was.host.kind == super::HostKind::Unknown {
            was.host.address = address;
        }
    }
    was.history.clear();
    for s in std::iter::once(&before).chain(states) {
        was.sources.extend(recorder.sources.iter().cloned());
        was.sources.extend(s.sources.iter().cloned());
    }
    was.sources.sort();
    was.sources.dedup();
    was.then_basis = Some(format!(
        "as AWS Config recorded it: {}, the same through {} while recorder {} recorded \
         continuously since {}",
        before.describe(),
        until,
        recorder.name,
        recorder
            .last_start
            .map(|t| t.to_string())
            .unwrap_or_default()
    ));
    was
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Host;
    use serde_json::json;

    const RUN: (&str, &str) = ("2026-07-01T00:00:00Z", "2026-07-10T00:00:00Z");

    fn at(t: &str) -> Timestamp {
        Timestamp::from(t)
    }

    fn endpoint(ssl: &str, history: Vec<ConfigItem>) -> Endpoint {
        Endpoint {
            region: "us-east-1".into(),
            identifier: "src".into(),
            arn: "arn:aws:dms:us-east-1:1:endpoint:SRC".into(),
            endpoint_type: "source".into(),
            engine: "postgres".into(),
            family: super::super::host::family("postgres"),
            server_name: Some("198.51.100.7".into()),
            port: Some(5432),
            database: Some("app".into()),
            status: Some("active".into()),
            ssl_mode: Some(ssl.into()),
            certificate_arn: None,
            kms_key_id: None,
            host: Host::unplaced(),
            settings: BTreeMap::new(),
            sources: vec!["today".into()],
            deleted_at: None,
            history: Vec::new(),
            hosts_then: Vec::new(),
            config_history: history,
            then_basis: None,
        }
    }

    fn item(captured: &str, status: &str, ssl: Option<&str>, frequency: &str) -> ConfigItem {
        let mut configuration = BTreeMap::new();
        if status == "OK" || status == "ResourceDiscovered" {
            let members = json!({"EngineName": "postgres", "ServerName": "198.51.100.7", "Port": 5432,
                                 "DatabaseName": "app", "SslMode": ssl});
            for (k, v) in members.as_object().expect("object") {
                if !v.is_null() {
                    configuration.insert(k.clone(), v.clone());
                }
            }
        }
        ConfigItem {
            captured_at: captured.into(),
            status: status.into(),
            frequency: Some(frequency.into()),
            state_id: Some(format!("{}", at(captured).secs())),
            configuration,
            sources: vec![format!("cfg-{captured}")],
        }
    }

    fn recorder(start: &str, stop: Option<&str>, records: bool) -> ConfigRecorder {
        ConfigRecorder {
            region: "us-east-1".into(),
            name: "default".into(),
            records_endpoints: records,
            endpoint_frequency: Some("CONTINUOUS".into()),
            recording: stop.is_none(),
            last_start: Some(start.into()),
            last_stop: stop.map(Timestamp::from),
            last_status: Some("Success".into()),
            retention_days: None,
            sources: vec!["rec".into()],
        }
    }

    /// (case, the endpoint's SslMode today, its items, the recorder, the SslMode in force
    /// while it ran or a phrase of why AWS Config cannot say).
    type Case = (
        &'static str,
        &'static str,
        Vec<ConfigItem>,
        ConfigRecorder,
        Result<&'static str, &'static str>,
    );

    const C: &str = "CONTINUOUS";

    /// The source as it was created, in plaintext, before the run.
    fn created() -> ConfigItem {
        item(
            "2026-05-01T00:00:00Z",
            "ResourceDiscovered",
            Some("none"),
            C,
        )
    }

    /// A recorder recording endpoints since before it.
    fn on() -> ConfigRecorder {
        recorder("2026-04-01T00:00:00Z", None, true)
    }

    fn cases() -> Vec<Case> {
        let mut all = recorder_cases();
        all.extend(change_cases());
        all
    }

    /// The recorder and the first item.
    fn recorder_cases() -> Vec<Case> {
        let c = C;
        vec![
            (
                "plaintext then, verify-full today",
                "verify-full",
                vec![
                    created(),
                    item("2026-08-01T00:00:00Z", "OK", Some("verify-full"), c),
                ],
                on(),
                Ok("none"),
            ),
            ("no item", "none", vec![], on(), Err("holds no item")),
            (
                "first item after the run began",
                "none",
                vec![item(
                    "2026-07-05T00:00:00Z",
                    "ResourceDiscovered",
                    Some("none"),
                    c,
                )],
                on(),
                Err("after its run began"),
            ),
            (
                "recorder restarted since",
                "none",
                vec![created()],
                recorder("2026-06-01T00:00:00Z", None, true),
                Err("last started 2026-06-01T00:00:00Z"),
            ),
            (
                "recorder stopped before the run ended",
                "none",
                vec![created()],
                recorder("2026-04-01T00:00:00Z", Some("2026-07-05T00:00:00Z"), true),
                Err("stopped 2026-07-05"),
            ),
            (
                "recorder stopped after the run",
                "none",
                vec![created()],
                recorder("2026-04-01T00:00:00Z", Some("2026-08-05T00:00:00Z"), true),
                Ok("none"),
            ),
            (
                "today differs from the last item",
                "verify-full",
                vec![created()],
                on(),
                Err("a change AWS Config did not record"),
            ),
        ]
    }

    /// How items were recorded, and what changed.
    fn change_cases() -> Vec<Case> {
        let c = C;
        vec![
            (
                "recorded daily",
                "none",
                vec![item(
                    "2026-05-01T00:00:00Z",
                    "ResourceDiscovered",
                    Some("none"),
                    "DAILY",
                )],
                on(),
                Err("recorded DAILY"),
            ),
            (
                "changed during the run",
                "verify-full",
                vec![
                    created(),
                    item("2026-07-05T00:00:00Z", "OK", Some("verify-full"), c),
                ],
                on(),
                Err(
                    "SslMode changed around its run: none in the AWS Config item captured 2026-05-01",
                ),
            ),
            (
                "changed within the margin after it",
                "verify-full",
                vec![
                    created(),
                    item("2026-07-10T20:00:00Z", "OK", Some("verify-full"), c),
                ],
                on(),
                Err("changed around"),
            ),
            (
                "changed two days after it",
                "verify-full",
                vec![
                    created(),
                    item("2026-07-12T00:00:00Z", "OK", Some("verify-full"), c),
                ],
                on(),
                Ok("none"),
            ),
            (
                "type unrecorded during the run",
                "none",
                vec![
                    created(),
                    item("2026-07-03T00:00:00Z", "ResourceNotRecorded", None, c),
                ],
                on(),
                Err("says ResourceNotRecorded"),
            ),
            (
                "no recorder records endpoints",
                "none",
                vec![created()],
                recorder("2026-04-01T00:00:00Z", None, false),
                Err("records AWS::DMS::Endpoint"),
            ),
        ]
    }

    /// AWS Config's items settle a run only where nothing can have slipped between them.
    #[test]
    fn config_items_settle_a_run_only_where_nothing_can_have_slipped_between_them() {
        for (case, today, items, rec, want) in cases() {
            let e = endpoint(today, items);
            let got = during(&e, std::slice::from_ref(&rec), at(RUN.0), at(RUN.1));
            match (got, want) {
                (Ok(was), Ok(mode)) => {
                    assert_eq!(was.ssl_mode.as_deref(), Some(mode), "{case}");
                    assert!(was.history.is_empty(), "{case}");
                    let basis = was.then_basis.as_deref().unwrap_or_default();
                    assert!(
                        basis.contains("AWS Config item captured 2026-05-01T00:00:00Z"),
                        "{case}: {basis}"
                    );
                    assert!(
                        was.sources
                            .contains(&"cfg-2026-05-01T00:00:00Z".to_string()),
                        "{case}"
                    );
                }
                (Err(why), Err(phrase)) => assert!(why.contains(phrase), "{case}: {why}"),
                (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
            }
        }
    }

    /// Engine settings are as recorded, not today's; one changed around the run is unknown.
    #[test]
    fn engine_settings_are_as_recorded() {
        let mut e = endpoint("none", vec![]);
        e.settings.insert(
            "KafkaSettings".into(),
            json!({"SecurityProtocol": "ssl-encryption"}),
        );
        let with = |at: &str, protocol: &str| {
            let mut i = item(at, "OK", Some("none"), "CONTINUOUS");
            i.configuration.insert(
                "KafkaSettings".into(),
                json!({"SecurityProtocol": protocol}),
            );
            i
        };
        let rec = recorder("2026-04-01T00:00:00Z", None, true);
        // Plaintext while it ran; switched to today's protocol after it, recorded too.
        e.config_history = vec![
            with("2026-05-01T00:00:00Z", "plaintext"),
            with("2026-08-01T00:00:00Z", "ssl-encryption"),
        ];
        let was = during(&e, std::slice::from_ref(&rec), at(RUN.0), at(RUN.1)).expect("on record");
        assert_eq!(
            was.settings["KafkaSettings"]["SecurityProtocol"],
            "plaintext"
        );
        e.config_history
            .insert(1, with("2026-07-05T00:00:00Z", "ssl-encryption"));
        let why =
            during(&e, std::slice::from_ref(&rec), at(RUN.0), at(RUN.1)).expect_err("changed");
        assert!(
            why.contains("engine settings changed around its run"),
            "{why}"
        );
        assert_eq!(
            api_settings_name("PostgreSqlSettings"),
            "PostgreSQLSettings"
        );
        assert_eq!(api_settings_name("KafkaSettings"), "KafkaSettings");
    }

    /// Where it connected is placed anew when its address then was not today's, also when
    /// the address is in its settings (a Kafka broker), not its server name.
    #[test]
    fn an_address_in_the_settings_then_is_not_todays_host() {
        let mut e = endpoint("none", vec![]);
        e.engine = "kafka".into();
        e.server_name = None;
        e.host.kind = crate::facts::HostKind::External;
        e.settings
            .insert("KafkaSettings".into(), json!({"Broker": "b-new:9092"}));
        let with = |at: &str, broker: &str| {
            let mut i = item(at, "OK", Some("none"), "CONTINUOUS");
            i.configuration.insert("EngineName".into(), json!("kafka"));
            i.configuration.remove("ServerName");
            i.configuration
                .insert("KafkaSettings".into(), json!({"Broker": broker}));
            i
        };
        e.config_history = vec![
            with("2026-05-01T00:00:00Z", "b-old:9092"),
            with("2026-08-01T00:00:00Z", "b-new:9092"),
        ];
        let rec = recorder("2026-04-01T00:00:00Z", None, true);
        let was = during(&e, std::slice::from_ref(&rec), at(RUN.0), at(RUN.1)).expect("on record");
        assert_eq!(was.host.kind, crate::facts::HostKind::Unknown);
        assert_eq!(was.host.address.as_deref(), Some("b-old"));
    }

    /// A deleted endpoint is judged on its items up to its deletion.
    #[test]
    fn a_deleted_endpoint_is_as_its_items_left_it() {
        let c = "CONTINUOUS";
        let mut e = endpoint(
            "verify-full",
            vec![
                item(
                    "2026-05-01T00:00:00Z",
                    "ResourceDiscovered",
                    Some("require"),
                    c,
                ),
                item("2026-07-20T00:00:00Z", "ResourceDeleted", None, c),
            ],
        );
        e.deleted_at = Some("2026-07-20T00:00:00Z".into());
        let rec = recorder("2026-04-01T00:00:00Z", None, true);
        let was = during(&e, &[rec], at(RUN.0), at(RUN.1)).expect("on record");
        assert_eq!(was.ssl_mode.as_deref(), Some("require"));
    }
}
