//! `project_dates`: pre.2.1.dates, "Start and end dates of project".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams,
};

/// The `project_dates` rule.
pub struct ProjectDates;

impl Check for ProjectDates {
    const NAME: &'static str = "project_dates";
    const REMEDIATION: &'static str =
        "Give start_date and end_date (YYYY-MM-DD) that cover the DMS activity in the account.";
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        let mut running = false;
        let mut undated = Vec::new();
        for m in &input.migrations {
            f = f.cite(m.pointer(), &m.sources);
            match m.window {
                Some((a, b)) => {
                    first = first.min(a);
                    last = last.max(b);
                }
                None => undated.push(m.id),
            }
            running |= m.status == Some("running");
            if let Some(i) = m.instance
                && let Some(t) = Input::secs(i.created.as_deref())
            {
                first = first.min(t);
            }
        }
        if first == i64::MAX || !undated.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "the start and stop dates of {} are not on record, so the DMS activity cannot be dated",
                    if undated.is_empty() {
                        "the migrations".to_string()
                    } else {
                        undated.join(", ")
                    }
                ),
                ..f
            };
        }
        let day = crate::time::date;
        let observed = format!(
            "DMS activity from {} to {}",
            day(first),
            if running {
                format!("{} (still running)", day(input.now))
            } else {
                day(last)
            }
        );
        let f = f
            .value("observed_start", day(first))
            .value("observed_end", (!running).then(|| day(last)));
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
        let end_of_end = end_at + 86_400;
        let reason = format!("declared {start} to {end}; observed {observed}");
        let problem = if first < start_at {
            Some(format!(
                "DMS activity began {} before the declared start",
                day(first)
            ))
        } else if running && input.now >= end_of_end {
            Some(format!(
                "a migration is still running after the declared end date {end}"
            ))
        } else if !running && last >= end_of_end {
            Some(format!(
                "DMS activity went on until {} after the declared end",
                day(last)
            ))
        } else {
            None
        };
        match problem {
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
}
