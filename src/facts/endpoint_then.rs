//! What an endpoint connected to while a migration ran: its engine, server, port and
//! database as CreateEndpoint and ModifyEndpoint set them in CloudTrail, not as they are
//! today. ModifyEndpoint can change every one of them (DMS API Reference,
//! ModifyEndpoint; botocore `dms` 2016-01-01 `ModifyEndpointMessage`: EngineName,
//! ServerName, Port, DatabaseName), so an endpoint re-pointed after cut-over would
//! otherwise rewrite what was migrated: its engine (homogeneous or heterogeneous), the
//! database it reached (its size, its encryption) and where that database ran.

use serde_json::Value;

use super::history::{basis, in_force_during};
use super::host::{self, Host, HostKind};
use super::{Endpoint, HistoryEvent, Timestamp};

/// The members of CreateEndpoint and ModifyEndpoint that say what an endpoint connects
/// to. Engine settings objects are judged apart ([`settings_set_since`]): ModifyEndpoint
/// merges them into the endpoint's, so a request alone does not say what they became.
const MEMBERS: &[&str] = &["EngineName", "ServerName", "Port", "DatabaseName"];

/// What an endpoint connected to during a span of time.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    /// What it connects to today (or when it was deleted): no change on record since.
    Unchanged,
    /// Something else: the endpoint as it was, and the events that say so.
    Was(Box<Endpoint>, String),
    /// Not on record, or changed during the span: why.
    Unknown(String),
}

/// `member` of `e` today (or as it was deleted), as JSON.
fn today(e: &Endpoint, member: &str) -> Value {
    match member {
        "EngineName" => Value::from(e.engine.to_ascii_lowercase()),
        "ServerName" => e.server_name.clone().map_or(Value::Null, Value::from),
        "Port" => e.port.map_or(Value::Null, Value::from),
        _ => e.database.clone().map_or(Value::Null, Value::from),
    }
}

fn assign(e: &mut Endpoint, member: &str, v: &Value) {
    let text = v.as_str().map(str::to_string);
    match member {
        "EngineName" => {
            e.engine = text.unwrap_or_default();
            e.family = host::family(&e.engine);
        }
        "ServerName" => e.server_name = text,
        "Port" => e.port = v.as_i64().and_then(|n| i32::try_from(n).ok()),
        _ => e.database = text,
    }
}

/// The value `h` set `member` to, as today's reads it: the request's (engine names in
/// lower case, as DescribeEndpoints answers them); a CreateEndpoint without it set none.
/// `None`: `h` did not set it.
fn value_set(h: &HistoryEvent, member: &str) -> Option<Value> {
    let v = match h.request.get(member) {
        Some(v) => v.clone(),
        None if h.name == "CreateEndpoint" => Value::Null,
        None => return None,
    };
    Some(match (member, v) {
        ("EngineName", Value::String(s)) => Value::from(s.to_ascii_lowercase()),
        ("Port", Value::String(s)) => s.parse::<i64>().map_or(Value::String(s), Value::from),
        (_, v) => v,
    })
}

/// A member's value as reasons quote it (`none` for null).
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        v => v.to_string(),
    }
}

/// What `e` connected to during `[from, to]` (RFC 3339; `from` unknown: `None`), from
/// its CloudTrail history: for each member a ModifyEndpoint changed, the value in force
/// at `from` (the last Create/Modify that set it at or before then), which must hold
/// through `to`. Members no ModifyEndpoint touched are today's. A value set only after
/// `from` with nothing on record before it, one changed during the span, or today's value
/// differing from the last one on record (a change CloudTrail does not show) is unknown.
/// Engine settings a ModifyEndpoint set after `from` are left out of what it was
/// ([`settings_set_since`]): today's values of them may not be what the run used.
pub fn during(e: &Endpoint, from: Option<Timestamp>, to: Timestamp) -> Then {
    let mut was = e.clone();
    let mut changed: Vec<(String, String, String)> = Vec::new();
    let mut unknown = Vec::new();
    for member in MEMBERS {
        match member_during(e, member, from, to) {
            Member::Today => {}
            Member::Unknown(why) => unknown.push(why),
            Member::Was { value, by, now } => {
                assign(&mut was, member, &value);
                was.sources.extend(by.sources.iter().cloned());
                changed.push((basis(by), format!("{member} {}", show(&value)), show(&now)));
            }
        }
    }
    if !unknown.is_empty() {
        return Then::Unknown(unknown.join("; "));
    }
    let left_out = settings_set_since(e, from);
    if changed.is_empty() && left_out.is_empty() {
        return Then::Unchanged;
    }
    let mut notes = Vec::new();
    if !changed.is_empty() {
        notes.push(grouped(&changed));
    }
    for (object, member, by) in &left_out {
        let Some(settings) = was.settings.get_mut(object) else {
            continue;
        };
        match (member, settings.as_object_mut()) {
            (Some(m), Some(fields)) => {
                fields.remove(m);
            }
            _ => {
                was.settings.remove(object);
            }
        }
        let what = member
            .as_ref()
            .map_or(object.clone(), |m| format!("{object}.{m}"));
        notes.push(format!(
            "{what} not on record (set by {} after its run began; not what it ran with)",
            basis(by)
        ));
    }
    was.sources.sort();
    was.sources.dedup();
    if was.engine != e.engine || was.server_name != e.server_name {
        was.host = host_then(e, &was.engine, &was.server_name);
    }
    Then::Was(Box::new(was), notes.join(", "))
}

/// The engine settings (object, member; `None`: the whole object) that a ModifyEndpoint
/// set after `from` (when the run began; `None`: not dated, so any), during the run or
/// since: today's values of them may not be what the run used. ModifyEndpoint merges a settings
/// object member by member, or replaces every one with `ExactSettings` (DMS API
/// Reference, ModifyEndpoint ExactSettings).
fn settings_set_since(
    e: &Endpoint,
    from: Option<Timestamp>,
) -> Vec<(String, Option<String>, &HistoryEvent)> {
    let mut out: Vec<(String, Option<String>, &HistoryEvent)> = Vec::new();
    let after = |h: &&HistoryEvent| from.is_none_or(|from| h.at > from);
    for h in e
        .history
        .iter()
        .filter(|h| h.name == "ModifyEndpoint")
        .filter(after)
    {
        let Some(request) = h.request.as_object() else {
            continue;
        };
        let exact = request.get("ExactSettings").and_then(Value::as_bool) == Some(true);
        let objects = request
            .iter()
            .filter(|(k, v)| k.ends_with("Settings") && v.is_object());
        for (object, value) in objects {
            let members = value.as_object().into_iter().flatten();
            for (member, _) in members.filter(|_| !exact) {
                out.push((object.clone(), Some(member.clone()), h));
            }
        }
        if exact {
            for object in e.settings.keys() {
                out.push((object.clone(), None, h));
            }
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

/// Where `e`'s host was when it had this engine and server name: as placed among its
/// [`Endpoint::hosts_then`], else unplaced.
pub(super) fn host_then(e: &Endpoint, engine: &str, server_name: &Option<String>) -> Host {
    e.hosts_then
        .iter()
        .find(|h| h.engine == engine && &h.server_name == server_name)
        .map(|h| h.host.clone())
        .unwrap_or_else(|| Host {
            kind: HostKind::Unknown,
            resource: None,
            address: server_name.clone(),
            public_address: None,
            basis: "the address it had then was not placed".into(),
        })
}

/// One member of an endpoint during a span.
enum Member<'h> {
    /// Today's value, or no ModifyEndpoint ever changed it.
    Today,
    /// Another value, set by `by`; `now` is today's.
    Was {
        value: Value,
        by: &'h HistoryEvent,
        now: Value,
    },
    Unknown(String),
}

fn member_during<'h>(
    e: &'h Endpoint,
    member: &str,
    from: Option<Timestamp>,
    to: Timestamp,
) -> Member<'h> {
    let changes: Vec<&HistoryEvent> = e
        .history
        .iter()
        .filter(|h| matches!(h.name.as_str(), "CreateEndpoint" | "ModifyEndpoint"))
        .filter(|h| value_set(h, member).is_some())
        .collect();
    let (Some(last), true) = (
        changes.last(),
        changes.iter().any(|h| h.name == "ModifyEndpoint"),
    ) else {
        return Member::Today;
    };
    // No start: nothing was in force before it, and every change up to `to` counts.
    let (before, inside) = match from {
        Some(from) => in_force_during(&changes, from, to),
        None => (
            None,
            changes.iter().filter(|h| h.at <= to).copied().collect(),
        ),
    };
    // The version in force as the span began, then those set inside it.
    let in_force: Vec<&HistoryEvent> = before.into_iter().chain(inside).collect();
    let first_known =
        before.is_some() || in_force.first().is_some_and(|h| h.name == "CreateEndpoint");
    let Some(first) = in_force.first().filter(|_| first_known) else {
        return Member::Unknown(match from {
            Some(_) => format!("its {member} before {} is not on record", basis(changes[0])),
            None => format!(
                "when it ran is not on record, and {} set its {member}",
                basis(last)
            ),
        });
    };
    let value = value_set(first, member).unwrap_or_default();
    if let Some(h) = in_force[1..]
        .iter()
        .find(|h| value_set(h, member).as_ref() != Some(&value))
    {
        return Member::Unknown(format!(
            "its {member} changed during the run ({})",
            basis(h)
        ));
    }
    let now = today(e, member);
    if value_set(last, member).as_ref() != Some(&now) {
        return Member::Unknown(format!(
            "its {member} today ({}) is not what {} set: changed at a time CloudTrail does not show",
            show(&now),
            basis(last)
        ));
    }
    if value == now {
        return Member::Today;
    }
    Member::Was {
        value,
        by: first,
        now,
    }
}

/// "EngineName mysql, ServerName a (set by CloudTrail …; oracle, b since)": the values
/// in force then, grouped by the event that set them, with today's after them.
fn grouped(changed: &[(String, String, String)]) -> String {
    let mut events: Vec<&str> = changed.iter().map(|(b, _, _)| b.as_str()).collect();
    events.dedup();
    events
        .iter()
        .map(|event| {
            let of = || changed.iter().filter(|(b, _, _)| b == event);
            let then: Vec<&str> = of().map(|(_, t, _)| t.as_str()).collect();
            let now: Vec<&str> = of().map(|(_, _, n)| n.as_str()).collect();
            format!(
                "{} (set by {event}; {} since)",
                then.join(", "),
                now.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(name: &str, at: &str, request: Value) -> HistoryEvent {
        HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("{name}-{at}"),
            request,
            sources: vec![format!("c-{at}")],
            ..HistoryEvent::default()
        }
    }

    /// An endpoint that is `aurora-postgresql` on `big` today, with `history`.
    fn endpoint(history: Vec<HistoryEvent>) -> Endpoint {
        Endpoint {
            region: "us-east-1".into(),
            identifier: "tgt".into(),
            arn: "arn:aws:dms:us-east-1:1:endpoint:TGT".into(),
            endpoint_type: "target".into(),
            engine: "aurora-postgresql".into(),
            family: host::family("aurora-postgresql"),
            server_name: Some("big".into()),
            port: Some(5432),
            database: None,
            status: Some("active".into()),
            ssl_mode: Some("verify-full".into()),
            certificate_arn: None,
            kms_key_id: None,
            host: Host::unplaced(),
            settings: std::collections::BTreeMap::new(),
            sources: vec!["today".into()],
            deleted_at: None,
            history,
            hosts_then: vec![super::super::HostThen {
                engine: "mysql".into(),
                server_name: Some("small".into()),
                host: Host {
                    kind: HostKind::Rds,
                    resource: Some("small-db".into()),
                    address: Some("small".into()),
                    public_address: None,
                    basis: "an RDS instance of this account".into(),
                },
            }],
            config_history: Vec::new(),
            then_basis: None,
        }
    }

    const RUN: (&str, &str) = ("2026-10-10T00:00:00Z", "2026-10-20T00:00:00Z");

    /// What a case expects: today's endpoint (`Some(None)`), another engine, server and
    /// host resource (`Some(Some(…))`), or unknown (`None`).
    type Want = Option<Option<(&'static str, &'static str, Option<&'static str>)>>;

    /// (what, history, whether the run is dated, want)
    fn cases() -> Vec<(&'static str, Vec<HistoryEvent>, bool, Want)> {
        let create = || {
            event(
                "CreateEndpoint",
                "2026-10-01T00:00:00Z",
                json!({"EngineName": "MySQL", "ServerName": "small", "Port": 3306}),
            )
        };
        let repoint = |at: &str| {
            event(
                "ModifyEndpoint",
                at,
                json!({"EngineName": "aurora-postgresql", "ServerName": "big", "Port": 5432}),
            )
        };
        let only_ssl = event(
            "ModifyEndpoint",
            "2026-11-01T00:00:00Z",
            json!({"SslMode": "require"}),
        );
        let as_today =
            json!({"EngineName": "aurora-postgresql", "ServerName": "big", "Port": 5432});
        vec![
            ("no history", vec![], true, Some(None)),
            (
                "created as it is today",
                vec![event("CreateEndpoint", "2026-10-01T00:00:00Z", as_today)],
                true,
                Some(None),
            ),
            (
                "an SslMode change is not a re-pointing",
                vec![create(), only_ssl.clone()],
                true,
                Some(None),
            ),
            (
                "re-pointed after the run",
                vec![create(), repoint("2026-11-01T00:00:00Z")],
                true,
                Some(Some(("mysql", "small", Some("small-db")))),
            ),
            (
                "re-pointed before the run",
                vec![create(), repoint("2026-10-05T00:00:00Z")],
                true,
                Some(None),
            ),
            (
                "re-pointed during the run",
                vec![create(), repoint("2026-10-15T00:00:00Z")],
                true,
                None,
            ),
            (
                "created before the history began",
                vec![repoint("2026-11-01T00:00:00Z")],
                true,
                None,
            ),
            (
                "an undated run, created then re-pointed",
                vec![create(), repoint("2026-11-01T00:00:00Z")],
                false,
                None,
            ),
            (
                "an undated run, unchanged since creation",
                vec![create(), only_ssl],
                false,
                Some(None),
            ),
        ]
    }

    #[test]
    fn an_endpoint_is_judged_as_it_was_while_the_migration_ran() {
        for (what, history, dated, want) in cases() {
            let e = endpoint(history);
            // An undated run: between the task's creation (unknown here) and today.
            let to = if dated { RUN.1 } else { "2026-11-27T00:00:00Z" };
            let got = during(&e, dated.then(|| RUN.0.into()), to.into());
            match (want, got) {
                (Some(None), Then::Unchanged) | (None, Then::Unknown(_)) => {}
                (Some(Some((engine, server, resource))), Then::Was(was, basis)) => {
                    assert_eq!(was.engine, engine, "{what}");
                    assert_eq!(was.family, host::family(engine), "{what}");
                    assert_eq!(was.server_name.as_deref(), Some(server), "{what}");
                    assert_eq!(was.port, Some(3306), "{what}");
                    assert_eq!(was.host.resource.as_deref(), resource, "{what}");
                    assert!(
                        basis.starts_with("EngineName mysql, ServerName small, Port 3306 (set by CloudTrail CreateEndpoint 2026-10-01T00:00:00Z"),
                        "{what}: {basis}"
                    );
                    assert!(
                        basis.ends_with("; aurora-postgresql, big, 5432 since)"),
                        "{what}: {basis}"
                    );
                    assert!(
                        was.sources.contains(&"c-2026-10-01T00:00:00Z".to_string()),
                        "{what}"
                    );
                }
                (want, got) => panic!("{what}: want {want:?}, got {got:?}"),
            }
        }
    }

    /// Created as MySQL on `small` on 1 October, then modified with `request` on
    /// 1 November.
    fn created_then_modified(request: Value) -> Vec<HistoryEvent> {
        vec![
            event(
                "CreateEndpoint",
                "2026-10-01T00:00:00Z",
                json!({"EngineName": "mysql", "ServerName": "small"}),
            ),
            event("ModifyEndpoint", "2026-11-01T00:00:00Z", request),
        ]
    }

    #[test]
    fn today_differing_from_the_last_change_on_record_is_unknown() {
        let mut e = endpoint(created_then_modified(json!({"ServerName": "elsewhere"})));
        e.engine = "mysql".into();
        let Then::Unknown(why) = during(&e, Some(RUN.0.into()), RUN.1.into()) else {
            panic!("today's big is not what the last ModifyEndpoint set");
        };
        assert!(
            why.contains("changed at a time CloudTrail does not show"),
            "{why}"
        );
    }

    #[test]
    fn past_identities_are_every_engine_and_server_but_todays() {
        let e = endpoint(created_then_modified(
            json!({"EngineName": "aurora-postgresql", "ServerName": "big"}),
        ));
        let mut got = host::past_identities(&e);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("aurora-postgresql".to_string(), Some("small".to_string())),
                ("mysql".to_string(), Some("big".to_string())),
                ("mysql".to_string(), Some("small".to_string())),
            ]
        );
        assert!(host::past_identities(&endpoint(vec![])).is_empty());
    }

    /// Engine settings a ModifyEndpoint set after the run began (2026-09-02) are left out
    /// of the endpoint as it was; the others are today's.
    #[test]
    fn settings_set_after_the_run_began_are_not_what_it_ran_with() {
        let span = (
            Some(Timestamp::from("2026-09-02T00:00:00Z")),
            Timestamp::from("2026-09-20T00:00:00Z"),
        );
        let create = event(
            "CreateEndpoint",
            "2026-09-01T00:00:00Z",
            json!({"EngineName": "aurora-postgresql"}),
        );
        let heartbeat = json!({"PostgreSQLSettings": {"HeartbeatEnable": true}});
        let cases = [
            (
                "before the run",
                event("ModifyEndpoint", "2026-09-01T12:00:00Z", heartbeat.clone()),
                None,
            ),
            (
                "after the run began",
                event("ModifyEndpoint", "2026-09-10T00:00:00Z", heartbeat.clone()),
                Some(json!({"MaxFileSize": 5})),
            ),
            (
                "after the run ended",
                event("ModifyEndpoint", "2026-10-10T00:00:00Z", heartbeat),
                Some(json!({"MaxFileSize": 5})),
            ),
            (
                "every setting replaced",
                event(
                    "ModifyEndpoint",
                    "2026-09-10T00:00:00Z",
                    json!({"ExactSettings": true, "KafkaSettings": {}}),
                ),
                Some(Value::Null),
            ),
        ];
        for (case, modify, want) in cases {
            let mut e = endpoint(vec![create.clone(), modify]);
            e.settings.insert(
                "PostgreSQLSettings".into(),
                json!({"HeartbeatEnable": true, "MaxFileSize": 5}),
            );
            match (during(&e, span.0, span.1), want) {
                (Then::Unchanged, None) => {}
                (Then::Was(was, why), Some(object)) => {
                    assert_eq!(
                        was.settings
                            .get("PostgreSQLSettings")
                            .cloned()
                            .unwrap_or(Value::Null),
                        object,
                        "{case}"
                    );
                    assert!(why.contains("after its run began"), "{case}: {why}");
                }
                (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
            }
        }
        // Not dated: every setting a ModifyEndpoint set may postdate it.
        let mut e = endpoint(vec![
            create,
            event(
                "ModifyEndpoint",
                "2026-09-01T12:00:00Z",
                json!({"PostgreSQLSettings": {"HeartbeatEnable": true}}),
            ),
        ]);
        e.settings.insert(
            "PostgreSQLSettings".into(),
            json!({"HeartbeatEnable": true}),
        );
        assert!(matches!(during(&e, None, span.1), Then::Was(..)));
    }
}
