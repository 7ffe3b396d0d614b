//! Per migration, the dated events the evidence records (created, started, full load,
//! CDC activity, stopped), each with where it comes from, and the checklist items whose
//! findings cite the migration.

use serde::Serialize;

use crate::evaluate::Evaluation;
use crate::evaluate::view::{CDC_ACTIVITY_METRICS, Input, Migration, MigrationKind, Run};
use crate::facts::Timestamp;

#[derive(Debug, Serialize)]
pub struct Timeline {
    pub title: String,
    pub ran: bool,
    /// For a migration that moved no data: what the evidence shows of it, and that it
    /// is not counted.
    pub not_counted: Option<String>,
    pub events: Vec<Event>,
    /// The events drawn on a time axis, when two or more are dated.
    pub drawing: Option<Drawing>,
    /// Checklist items whose findings cite this migration.
    pub supports: Vec<String>,
}

/// A horizontal time axis with one mark per event (SVG coordinates, `timeline.svg`).
#[derive(Debug, Serialize)]
pub struct Drawing {
    pub width: f64,
    /// First and last date, written at the ends of the axis.
    pub from: String,
    pub to: String,
    pub marks: Vec<Mark>,
    /// Every dated event's position.
    pub dots: Vec<f64>,
    /// The CDC activity span (x, width), shaded.
    pub cdc: Option<(f64, f64)>,
}

/// A dot on the axis, labelled with the numbers of its events in the table (events
/// closer than a few pixels share one dot: "1, 2, 3").
#[derive(Debug, Serialize)]
pub struct Mark {
    pub x: f64,
    pub label: String,
}

const WIDTH: f64 = 640.0;
const MARGIN: f64 = 70.0;

fn drawing(events: &[Event]) -> Option<Drawing> {
    // (table number, time, event).
    let dated: Vec<(usize, Timestamp, &Event)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e.when, e))
        .collect();
    let t0 = dated.iter().map(|(_, t, _)| *t).min()?;
    let t1 = dated.iter().map(|(_, t, _)| *t).max()?;
    if dated.len() < 2 {
        return None;
    }
    let span = (t1 - t0).max(time::Duration::SECOND);
    let x = |t: Timestamp| MARGIN + (t - t0) / span * (WIDTH - 2.0 * MARGIN);
    let at = |what: &str| {
        dated
            .iter()
            .find(|(_, _, e)| e.what == what)
            .map(|(_, t, _)| x(*t))
    };
    let cdc = match (at("CDC changes first seen"), at("CDC changes last seen")) {
        (Some(a), Some(b)) => Some((a, (b - a).max(2.0))),
        _ => None,
    };
    // Events keep their table numbers; the events are in time order. A label joins the
    // previous one when it would overlap it (about 6 units per character at this size).
    let dots: Vec<f64> = dated
        .iter()
        .map(|(_, t, _)| (x(*t) * 10.0).round() / 10.0)
        .collect();
    let mut marks: Vec<Mark> = Vec::new();
    for ((n, _, _), at) in dated.iter().zip(&dots) {
        let at = *at;
        match marks.last_mut() {
            Some(last) if at - last.x < 6.0 * (last.label.len() as f64 + 2.0) => {
                last.label.push_str(&format!(", {n}"))
            }
            _ => marks.push(Mark {
                x: at,
                label: n.to_string(),
            }),
        }
    }
    Some(Drawing {
        width: WIDTH,
        from: t0.date(),
        to: t1.date(),
        marks,
        dots,
        cdc,
    })
}

#[derive(Debug, Serialize)]
pub struct Event {
    pub when: Timestamp,
    pub what: &'static str,
    pub source: String,
}

/// Hours with CDC changes applied for a migration: first and last, from its AWS/DMS
/// CDCThroughputRowsTarget series.
fn cdc_hours(input: &Input<'_>, m: &Migration<'_>) -> Option<crate::time::Span> {
    input
        .active_hours(m, &CDC_ACTIVITY_METRICS)
        .fold(None, |acc, t| {
            Some(acc.map_or((t, t), |(a, b): crate::time::Span| (a.min(t), b.max(t))))
        })
}

fn events(input: &Input<'_>, m: &Migration<'_>) -> Vec<Event> {
    let pointer = m.pointer();
    let stats = m.stats;
    let recorded = |what: &'static str, when: Option<Timestamp>| {
        when.map(|w| Event {
            when: w,
            what,
            source: format!("{pointer} (statistics)"),
        })
    };
    // A task with a CloudTrail history is dated by its events (created, started,
    // modified, stopped, deleted), each with its event id.
    let from_history = m.history.iter().filter_map(|h| {
        let what = match h.name.as_str() {
            n if n.starts_with("Create") => "created",
            n if n.starts_with("Start") => "started",
            n if n.starts_with("Stop") => "stopped",
            n if n.starts_with("Modify") => "modified",
            n if n.starts_with("Delete") => "deleted",
            _ => return None,
        };
        Some(Event {
            when: h.at,
            what,
            source: format!("CloudTrail {} {}", h.name, h.event_id),
        })
    });
    let mut out: Vec<Event> = from_history.collect();
    // What the history dates, the statistics do not repeat (history older than 90 days
    // is gone: then the statistics' dates stand).
    let dated: Vec<&'static str> = out.iter().map(|e| e.what).collect();
    let from_stats = [
        m.created.map(|c| Event {
            when: c,
            what: "created",
            source: pointer.clone(),
        }),
        stats.and_then(|s| recorded("started", s.start_date.or(s.fresh_start_date))),
        stats.and_then(|s| recorded("full load started", s.full_load_start_date)),
        stats.and_then(|s| recorded("full load done", s.full_load_finish_date)),
        stats.and_then(|s| recorded("stopped", s.stop_date)),
    ]
    .into_iter()
    .flatten()
    .filter(|e| !dated.contains(&e.what));
    out.extend(from_stats);
    if let Some((first, last)) = cdc_hours(input, m) {
        let source = format!(
            "metrics/AWS/DMS/{}/{}",
            CDC_ACTIVITY_METRICS[0],
            m.metric_ids.first().unwrap_or(&m.id)
        );
        out.push(Event {
            when: first,
            what: "CDC changes first seen",
            source: source.clone(),
        });
        out.push(Event {
            when: last,
            what: "CDC changes last seen",
            source,
        });
    }
    // The last event of its own log stream: the task log outlives the task.
    if let Some((g, stream, latest)) = input.log_events(m) {
        out.push(Event {
            when: latest,
            what: "task log's last event",
            source: format!("log_groups/{}/{}/{stream}", g.region, g.name),
        });
    }
    out.extend(dms_events(input, m));
    out.sort_by_key(|e| e.when);
    out
}

/// DMS's own events (DescribeEvents) that name a task or its replication instance, within
/// the task's life where its creation or deletion is dated (an identifier can be reused):
/// context for the reader, never a finding's ground. AWS documents these events' ids and
/// categories but neither their message text nor how long DMS keeps them (DMS User Guide,
/// "Working with events and notifications in AWS Database Migration Service").
fn dms_events(input: &Input<'_>, m: &Migration<'_>) -> Vec<Event> {
    if m.kind != MigrationKind::Task {
        return Vec::new();
    }
    let mut names = vec![m.id, m.arn];
    names.extend(&m.metric_ids);
    names.extend(
        m.instance
            .iter()
            .flat_map(|i| [i.identifier.as_str(), i.arn.as_str()]),
    );
    let from = m.created.unwrap_or_else(Timestamp::earliest);
    let until = m.deleted.map_or_else(Timestamp::latest, |(at, _)| at);
    input
        .facts
        .events
        .iter()
        .filter(|e| e.region == m.region)
        .filter(|e| {
            e.source_identifier
                .as_deref()
                .is_some_and(|s| names.contains(&s))
        })
        .filter_map(|e| {
            let when = e.date?;
            (from..=until).contains(&when).then(|| Event {
                when,
                what: "DMS event",
                source: format!(
                    "DescribeEvents {} {}: {}",
                    e.source_type.as_deref().unwrap_or("source"),
                    e.source_identifier.as_deref().unwrap_or_default(),
                    e.message.as_deref().unwrap_or("(no message)")
                ),
            })
        })
        .collect()
}

fn timeline(input: &Input<'_>, eval: &Evaluation, m: &Migration<'_>, ran: bool) -> Timeline {
    let pointer = m.pointer();
    let evs = events(input, m);
    Timeline {
        title: format!(
            "{} {} in {} ({}{})",
            if m.pointer().starts_with("serverless/") {
                "Serverless replication"
            } else {
                "Task"
            },
            m.id,
            m.region,
            m.migration_type.unwrap_or("type unknown"),
            m.status.map(|s| format!(", {s}")).unwrap_or_default()
        ),
        ran,
        not_counted: (!ran).then(|| match m.run {
            Run::NeverStarted => {
                "Never started: created only, not counted as a migration.".to_string()
            }
            Run::NotOnRecord => format!(
                "Started; what it moved is not on record ({}): not counted as a migration.",
                m.moved_nothing_details()
            ),
            _ => format!(
                "Started, moved nothing ({}): not counted as a migration.",
                m.moved_nothing_details()
            ),
        }),
        drawing: drawing(&evs),
        events: evs,
        supports: eval
            .findings
            .iter()
            .filter(|f| f.evidence.contains(&pointer))
            .map(|f| f.item.clone())
            .collect(),
    }
}

/// Migrations drawn in full; the others are one table row each.
const DRAWN: usize = 12;

/// One migration in a line: its title, its first and last dated events, and what it
/// supports.
#[derive(Debug, Serialize)]
pub struct Row {
    pub title: String,
    pub events: usize,
    pub first: String,
    pub last: String,
    pub not_counted: Option<String>,
    pub supports: String,
}

impl From<Timeline> for Row {
    fn from(t: Timeline) -> Row {
        let when = |e: Option<&Event>| e.map(|e| e.when.to_string()).unwrap_or_default();
        Row {
            first: when(t.events.first()),
            last: when(t.events.last()),
            events: t.events.len(),
            title: t.title,
            not_counted: t.not_counted,
            supports: t.supports.join(", "),
        }
    }
}

/// The migrations that moved data, then those that never did (shown so nobody counts
/// them): drawn in full for the first [`DRAWN`] that a `met` finding cites (then the
/// others that moved data), one row each for the rest.
pub fn timelines(input: &Input<'_>, eval: &Evaluation) -> (Vec<Timeline>, Vec<Row>) {
    let ran = input
        .migrations
        .iter()
        .map(|m| timeline(input, eval, m, true));
    let never = input
        .unproven
        .iter()
        .map(|m| timeline(input, eval, m, false));
    let met: Vec<&str> = eval
        .findings
        .iter()
        .filter(|f| f.verdict == crate::evaluate::Verdict::Met)
        .map(|f| f.item.as_str())
        .collect();
    let mut all: Vec<Timeline> = ran.chain(never).collect();
    // Cited by a met finding first, then those that moved data; stable otherwise.
    all.sort_by_key(|t| {
        let cited = t.supports.iter().any(|i| met.contains(&i.as_str()));
        (!cited, !t.ran)
    });
    if all.len() <= DRAWN {
        return (all, Vec::new());
    }
    let rows = all.split_off(DRAWN).into_iter().map(Row::from).collect();
    (all, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(when: &str, what: &'static str) -> Event {
        Event {
            when: when.into(),
            what,
            source: String::new(),
        }
    }

    #[test]
    fn dms_events_that_name_the_task_or_its_instance_in_its_life_are_shown() {
        use crate::evaluate::rules::testkit::migration;
        use crate::facts::Event as DmsEvent;
        let dms = |region: &str, source: &str, date: Option<&str>| DmsEvent {
            region: region.into(),
            source_identifier: Some(source.into()),
            source_type: Some("replication-task".into()),
            message: Some(format!("{source} {date:?}")),
            categories: vec!["state change".into()],
            date: date.map(Into::into),
            sources: vec!["c000100".into()],
        };
        // (event, shown): the task is t1 on instance ri, created 2026-10-01, deleted
        // 2026-11-01.
        let cases = [
            (dms("us-east-1", "t1", Some("2026-10-02T00:00:00Z")), true),
            (
                dms(
                    "us-east-1",
                    "arn:aws:dms:us-east-1:111111111111:task:t1",
                    Some("2026-10-03T00:00:00Z"),
                ),
                true,
            ),
            (dms("us-east-1", "ri", Some("2026-10-04T00:00:00Z")), true),
            (dms("us-east-1", "t1", Some("2026-11-01T00:00:00Z")), true),
            (dms("eu-west-1", "t1", Some("2026-10-02T00:00:00Z")), false),
            (dms("us-east-1", "t1", Some("2026-09-01T00:00:00Z")), false),
            (dms("us-east-1", "t1", Some("2026-11-02T00:00:00Z")), false),
            (dms("us-east-1", "t2", Some("2026-10-02T00:00:00Z")), false),
            // Undated (a date that is not a time no longer reaches the facts: Timestamp).
            (dms("us-east-1", "t1", None), false),
        ];
        for (event, shown) in cases {
            let mut ev = migration();
            ev.facts.tasks[0].deleted_at = Some("2026-11-01T00:00:00Z".into());
            let message = event.message.clone().unwrap_or_default();
            ev.facts.events = vec![event];
            let input = Input::new(&ev);
            let m = input
                .migrations
                .iter()
                .chain(&input.unproven)
                .next()
                .expect("t1");
            let found = dms_events(&input, m);
            assert_eq!(found.len(), usize::from(shown), "{message}");
            if let Some(e) = found.first() {
                assert_eq!(e.what, "DMS event");
                assert!(e.source.ends_with(&message), "{}", e.source);
            }
        }
    }

    #[test]
    fn events_are_placed_in_time_and_cdc_is_shaded() {
        let events = [
            event("2026-01-01T00:00:00Z", "created"),
            event("2026-01-02T00:00:00Z", "CDC changes first seen"),
            event("2026-01-05T00:00:00Z", "CDC changes last seen"),
        ];
        let d = drawing(&events).expect("drawn");
        let xs: Vec<f64> = d.marks.iter().map(|m| m.x).collect();
        assert_eq!(xs, [MARGIN, 195.0, WIDTH - MARGIN]);
        assert_eq!(d.cdc, Some((195.0, WIDTH - MARGIN - 195.0)));
        assert_eq!(
            (d.from.as_str(), d.to.as_str()),
            ("2026-01-01", "2026-01-05")
        );
        let close = [
            event("2026-01-01T00:00:00Z", "created"),
            event("2026-01-01T00:10:00Z", "started"),
            event("2026-03-01T00:00:00Z", "stopped"),
        ];
        let labels: Vec<String> = drawing(&close)
            .expect("drawn")
            .marks
            .into_iter()
            .map(|m| m.label)
            .collect();
        assert_eq!(labels, ["1, 2", "3"], "events at one spot share a dot");
        assert!(
            drawing(&events[..1]).is_none(),
            "one date is not a timeline"
        );
    }
}
