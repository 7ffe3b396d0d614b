//! `project_dates`: pre.2.1.dates, "Start and end dates of project".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};
use crate::facts::Timestamp;

/// The `project_dates` rule.
pub struct ProjectDates;

impl Check for ProjectDates {
    const NAME: &'static str = "project_dates";
    const REMEDIATION: &'static str =
        "Give start_date and end_date (YYYY-MM-DD) that cover the DMS activity in the account.";
    const DOC: RuleDoc = RuleDoc {
        met: "declared YYYY-MM-DD dates (validated at load) that contain every dated run: no activity before the start, none after the end, nothing still running past the end",
        checked: "The declared start and end dates contain the DMS activity AWS recorded (creation, start, stop dates).",
        evidence: "InstanceCreateTime, ReplicationTaskCreationDate, stats FreshStartDate/FullLoadFinishDate/StopDate, CloudTrail Start events, the hours the task's own AWS/DMS series show data moved; `claims.start_date`/`end_date` or statements; the months Cost Explorer billed DMS usage (`billed_months`: supporting only, never the verdict)",
        verdicts: "met / not_met; attestation_required without declared dates; insufficient_evidence without dates on record (also a task with CDC that stopped with no StopDate on record)",
        after_deletion: "task and instance creation and Start events from {trail}, the hours data moved from {series}; a CDC task's end from its StopReplicationTask event or the StopDate DeleteReplicationTask answered with (the deletion itself does not date the end)",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        billed(input, judge(input))
    }
}

/// The months Cost Explorer billed DMS usage in, added to the finding as supporting
/// evidence: they show DMS usage was billed, not that a migration ran, so they never
/// change the verdict (a property test holds it). They are cited only beside the
/// finding's own evidence: a `met` never rests on billing alone, even in its citations.
fn billed(input: &Input<'_>, mut f: Finding) -> Finding {
    let facts = input.facts;
    let Some(read) = &facts.billing_read else {
        if let Some(gap) = input.gap_note(&["ce:GetCostAndUsage"]) {
            f.reason.push_str(&format!(
                "; the months AWS billed DMS are not on record: {gap}"
            ));
        }
        return f;
    };
    let cite = f.verdict != Verdict::Met || !f.evidence.is_empty();
    let mut months: Vec<&str> = Vec::new();
    for (i, u) in facts.billed_usage.iter().enumerate() {
        if u.used() {
            if cite {
                f.add_citation(format!("billed_usage/{i}"), &u.sources);
            }
            if !months.contains(&u.month.as_str()) {
                months.push(&u.month);
            }
        }
    }
    months.sort_unstable();
    if cite {
        f.add_citation("billing_read", &read.sources);
    }
    let note = match (months.first(), months.last()) {
        (Some(first), Some(last)) => format!(
            "; Cost Explorer billed DMS usage in {} month(s) from {first} to {last} \
             (supporting evidence only: billing shows DMS was used, not what it moved)",
            months.len()
        ),
        _ => format!(
            "; no DMS usage matched in Cost Explorer from {} to {} (exclusive)",
            read.since, read.until
        ),
    };
    f.reason.push_str(&note);
    f.value("billed_months", months.join(", "))
}

/// The verdict on the declared dates against the dated DMS activity.
fn judge(input: &Input<'_>) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let (f, span) = observed(input);
    let span = match span {
        Ok(span) => span,
        Err(reason) => {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason,
                ..f
            };
        }
    };
    let day = Timestamp::date;
    let end_text = if span.running {
        format!("{} (still running)", day(input.now))
    } else {
        day(span.last)
    };
    let observed = format!("DMS activity from {} to {end_text}", day(span.first));
    let f = f
        .value("observed_start", day(span.first))
        .value("observed_end", (!span.running).then(|| day(span.last)));
    let case = &input.evidence.case_study.case_study;
    let declared_start = input
        .statement("start_date")
        .or(case.claims.start_date.as_deref());
    let declared_end = input
        .statement("end_date")
        .or(case.claims.end_date.as_deref());
    let (Some(start), Some(end)) = (declared_start, declared_end) else {
        return Finding {
            verdict: Verdict::AttestationRequired,
            reason: format!("{observed}; the project's start and end dates were not given"),
            ..f
        };
    };
    let f = f.value("declared_start", start).value("declared_end", end);
    // Dates were validated when the manifest loaded; compare them as dates.
    let (Some(start_at), Some(end_at)) =
        (crate::time::parse_date(start), crate::time::parse_date(end))
    else {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("declared dates {start} to {end} are not YYYY-MM-DD dates"),
            ..f
        };
    };
    let reason = format!("declared {start} to {end}; observed {observed}");
    match outside(&span, input.now, start_at, end_at, end) {
        None => Finding {
            verdict: Verdict::Met,
            reason: format!("{reason}: the declared range contains it"),
            ..f
        },
        Some(p) => Finding {
            verdict: Verdict::NotMet,
            reason: format!("{reason}: {p}"),
            ..f
        }
        .remedy(
            "Correct the declared project dates: they must cover the DMS activity AWS recorded.",
        ),
    }
}

/// The DMS activity on record: first and last moment, and whether a migration runs.
struct Span {
    first: Timestamp,
    last: Timestamp,
    running: bool,
}

/// The span of the migrations that moved data, or why it cannot be dated; with the
/// citations either way. It begins at the earliest of their runs' starts, their first
/// Start events, their own series' first hour of data moved, their tasks' and instances'
/// creation; it ends at the latest of their runs' ends and the last hour their series show
/// data moved. A task with CDC that stopped with no StopDate on record ends undated.
fn observed(input: &Input<'_>) -> (Finding, Result<Span, String>) {
    let mut f = Finding::new(Verdict::Met, "");
    let mut span = Span {
        first: Timestamp::latest(),
        last: Timestamp::earliest(),
        running: false,
    };
    let mut dated = false;
    let mut undated = Vec::new();
    for m in &input.migrations {
        f.add_citation(m.pointer(), &m.sources);
        match m.window {
            Some(_) if m.end_not_on_record() => undated.push(m.id),
            Some((a, b)) => {
                dated = true;
                let first = input.earliest_start(m).into_iter().chain(m.created);
                span.first = first.fold(span.first.min(a), Timestamp::min);
                let moved = input
                    .active_hours(m, crate::evaluate::view::MOVED_METRICS)
                    .max()
                    .map(|t| t + crate::time::HOUR);
                span.last = moved.map_or(b, |t| t.max(b)).max(span.last);
            }
            None => undated.push(m.id),
        }
        span.running |= m.status == Some("running");
        if let Some(t) = m.instance.and_then(|i| i.created) {
            span.first = span.first.min(t);
        }
    }
    if !dated || !undated.is_empty() {
        let which = if undated.is_empty() {
            "the migrations".to_string()
        } else {
            undated.join(", ")
        };
        let reason = format!(
            "the start and stop dates of {which} are not on record, so the DMS activity cannot be dated"
        );
        return (f, Err(reason));
    }
    (f, Ok(span))
}

/// How the activity falls outside the declared range, if it does.
fn outside(
    span: &Span,
    now: Timestamp,
    start_at: Timestamp,
    end_at: Timestamp,
    end: &str,
) -> Option<String> {
    let day = Timestamp::date;
    let end_of_end = end_at + crate::time::DAY;
    if span.first < start_at {
        Some(format!(
            "DMS activity began {} before the declared start",
            day(span.first)
        ))
    } else if span.running && now >= end_of_end {
        Some(format!(
            "a migration is still running after the declared end date {end}"
        ))
    } else if !span.running && span.last >= end_of_end {
        Some(format!(
            "DMS activity went on until {} after the declared end",
            day(span.last)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn declared_dates_must_contain_the_activity() {
        for (start, end, status, want) in [
            (
                Some("2026-09-01"),
                Some("2026-12-31"),
                "running",
                Verdict::Met,
            ),
            (
                Some("2026-10-15"),
                Some("2026-12-31"),
                "running",
                Verdict::NotMet,
            ),
            (
                Some("2026-09-01"),
                Some("2026-10-01"),
                "stopped",
                Verdict::NotMet,
            ),
            (None, None, "running", Verdict::AttestationRequired),
        ] {
            let mut ev = migration();
            ev.facts.tasks[0].status = Some(status.into());
            if status == "stopped" {
                ev.facts.tasks[0].stats.as_mut().expect("stats").stop_date =
                    Some("2026-11-01T00:00:00Z".into());
            }
            ev.case_study.case_study.claims.start_date = start.map(str::to_string);
            ev.case_study.case_study.claims.end_date = end.map(str::to_string);
            let f = run(&ev, "pre.2.1.dates");
            assert_eq!(f.verdict, want, "{start:?}..{end:?} {status}: {}", f.reason);
        }
    }

    /// A run 2026-10-01 to 10-05, declared 2026-10-01 to 10-31: its task created before
    /// the start, or its own series moving data after the end, contradict the dates.
    #[test]
    fn creation_and_the_series_count_as_activity() {
        let base = || {
            let mut ev = migration();
            let t = &mut ev.facts.tasks[0];
            t.status = Some("stopped".into());
            t.stats.as_mut().expect("stats").stop_date = Some("2026-10-05T00:00:00Z".into());
            let claims = &mut ev.case_study.case_study.claims;
            claims.start_date = Some("2026-10-01".into());
            claims.end_date = Some("2026-10-31".into());
            ev
        };
        assert_eq!(run(&base(), "pre.2.1.dates").verdict, Verdict::Met);
        let mut early = base();
        early.facts.tasks[0].created = Some("2026-09-20T00:00:00Z".into());
        assert_eq!(run(&early, "pre.2.1.dates").verdict, Verdict::NotMet);
        // Rows loaded an hour before NOW (2026-11-27): after the declared end.
        let mut late = base();
        late.facts.metrics = vec![series(
            "AWS/DMS",
            "FullLoadThroughputRowsTarget",
            "ReplicationTaskIdentifier",
            "t1",
            &[10.0],
        )];
        let f = run(&late, "pre.2.1.dates");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    }

    #[test]
    fn a_migration_running_after_the_declared_end_contradicts_it() {
        let mut ev = migration();
        let claims = &mut ev.case_study.case_study.claims;
        claims.start_date = Some("2026-09-01".into());
        claims.end_date = Some("2026-10-31".into());
        let f = run(&ev, "pre.2.1.dates");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
        assert!(
            f.reason.contains("still running after the declared end"),
            "{}",
            f.reason
        );
        ev.case_study.case_study.claims.end_date = Some("2026-12-31".into());
        assert_eq!(run(&ev, "pre.2.1.dates").verdict, Verdict::Met);
        // Dates compare as dates, not strings.
        ev.case_study.case_study.claims.start_date = Some("2026-10-02".into());
        assert_eq!(run(&ev, "pre.2.1.dates").verdict, Verdict::NotMet);
    }

    #[test]
    fn billed_months_are_named_and_cited_and_change_no_verdict() {
        use crate::facts::{BilledUsage, BillingRead};
        let usage = |month: &str, amount: &str| BilledUsage {
            month: month.into(),
            usage_type: "InstanceUsg:dms.r5.large".into(),
            amount: amount.into(),
            unit: "Hrs".into(),
            estimated: false,
            sources: vec![format!("ce-{month}")],
        };
        let mut ev = migration();
        let claims = &mut ev.case_study.case_study.claims;
        claims.start_date = Some("2026-09-01".into());
        claims.end_date = Some("2026-12-31".into());
        let before = run(&ev, "pre.2.1.dates");
        // Not read: nothing said.
        assert!(
            !before.reason.contains("Cost Explorer"),
            "{}",
            before.reason
        );
        ev.facts.billing_read = Some(BillingRead {
            since: "2025-11-01".into(),
            until: "2026-12-06".into(),
            sources: vec!["ce-read".into()],
        });
        let none = run(&ev, "pre.2.1.dates");
        assert!(
            none.reason.ends_with(
                "no DMS usage matched in Cost Explorer from 2025-11-01 to 2026-12-06 (exclusive)"
            ),
            "{}",
            none.reason
        );
        // Usage long before the declared start: named, but the verdict stands.
        ev.facts.billed_usage = vec![
            usage("2026-10", "120.5"),
            usage("2025-12", "3"),
            usage("2026-11", "0"),
        ];
        let f = run(&ev, "pre.2.1.dates");
        assert_eq!(f.verdict, before.verdict, "{}", f.reason);
        assert_eq!(f.values["billed_months"], "2025-12, 2026-10");
        assert!(
            f.reason.contains("2 month(s) from 2025-12 to 2026-10"),
            "{}",
            f.reason
        );
        assert!(f.sources.contains(&"ce-2025-12".to_string()));
        assert!(
            !f.sources.contains(&"ce-2026-11".to_string()),
            "a zero month is not cited"
        );
    }
}
