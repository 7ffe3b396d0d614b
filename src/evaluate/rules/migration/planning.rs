//! `planning`: dms.1.0.mig.planning, "Migration planning and execution including production readiness assurance, fall-back planning, and user acceptance testing".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams, with_statement,
};
use crate::facts::Endpoint;

/// The `planning` rule.
pub struct Planning;

impl Check for Planning {
    const NAME: &'static str = "planning";
    const REMEDIATION: &'static str = "Run a premigration assessment or enable validation, plan a fall-back (reverse task), and describe UAT (statements.uat).";
    const DOC: RuleDoc = RuleDoc {
        met: "an assessment run whose Status is `passed` (cancelling, failed, error, invalid or running runs never are, whatever their counts say) or validation on with every table validated (ValidationState `Validated`: tables pending, suspended, in error or without a primary key are not) and 0 failures, plus {statements} (attested)",
        checked: "Readiness (a passed premigration assessment, or validation with 0 failures), fall-back (a reverse task), and UAT stated.",
        evidence: "DescribeReplicationTaskAssessmentRuns; ValidationSettings; table ValidationState; tasks",
        verdicts: "not_met without readiness evidence (insufficient_evidence if those reads failed, or when a migration that moved data is deleted: its assessment runs and table statistics went with it); attested / attestation_required",
        after_deletion: "ValidationSettings from {trail}; assessment runs and the tables' ValidationState go with the task, so readiness from validation only while it exists",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        for r in &input.facts.assessment_runs {
            f.add_citation(format!("assessment_runs/{}", r.arn), &r.sources);
        }
        let (passed, not_passed) = assessments(input);
        let (validated, mismatched) = validation(input);
        let reverse = has_reverse_task(input);
        let mut readiness = Vec::new();
        if !passed.is_empty() {
            let passed = passed.join(", ");
            readiness.push(format!("premigration assessment passed ({passed})"));
        }
        if !validated.is_empty() {
            readiness.push(format!("validation on: {}", validated.join("; ")));
        }
        let f = f.value("fall_back_task", reverse);
        if readiness.is_empty() {
            return unready(input, f, &not_passed, &mismatched);
        }
        let fall_back = if reverse {
            "a reverse task exists"
        } else {
            "no reverse task found"
        };
        let technical = Finding {
            reason: format!(
                "readiness: {}; fall-back: {fall_back}",
                readiness.join("; ")
            ),
            ..f
        };
        with_statement(input, item, technical)
    }
}

/// No readiness evidence: not_met, unless the reads failed or the task is gone (then what
/// would show it is not on record either way).
fn unready(input: &Input<'_>, f: Finding, not_passed: &[String], mismatched: &[String]) -> Finding {
    let gap = input.gap_note(&[
        "dms:DescribeReplicationTaskAssessmentRuns",
        "dms:DescribeTableStatistics",
    ]);
    // A deleted task's assessment runs and table statistics went with it: their
    // absence now does not show they never were.
    let gone: Vec<String> = input
        .migrations
        .iter()
        .filter(|m| m.gone())
        .map(|m| match m.trace() {
            Some(_) => format!("{} known only from its traces", m.id),
            None => format!("{} deleted since", m.id),
        })
        .collect();
    let verdict = if gap.is_some() || !gone.is_empty() {
        Verdict::InsufficientEvidence
    } else {
        Verdict::NotMet
    };
    let mut why = Vec::new();
    why.push(if not_passed.is_empty() {
        "no premigration assessment run".to_string()
    } else {
        format!(
            "no premigration assessment passed ({})",
            not_passed.join(", ")
        )
    });
    why.push(if mismatched.is_empty() {
        "no migration with validation on and its tables validated".to_string()
    } else {
        format!(
            "validation did not validate every table: {}",
            mismatched.join("; ")
        )
    });
    if !gone.is_empty() {
        why.push(format!(
            "but {}, and a task's assessment runs and table statistics go with it",
            gone.join(", ")
        ));
    }
    let gap = gap.map(|g| format!(" ({g})")).unwrap_or_default();
    Finding {
        verdict,
        reason: format!("{}{gap}", why.join("; ")),
        ..f
    }
}

/// Premigration assessment runs that passed, and the others with their status. Only
/// `passed` is a pass (DMS API Reference, ReplicationTaskAssessmentRun `Status`:
/// "passed – All individual assessments have completed, and none has a failed status");
/// cancelling, failed, error states, invalid state or still running are not, whatever
/// their counts say ("0 failed" in a cancelled run is not a pass).
fn assessments<'a>(input: &Input<'a>) -> (Vec<&'a str>, Vec<String>) {
    let (mut passed, mut not_passed) = (Vec::new(), Vec::new());
    for r in &input.facts.assessment_runs {
        let name = r.arn.rsplit(':').next().unwrap_or_default();
        match r.status.as_deref() {
            Some("passed") => passed.push(name),
            status => not_passed.push(format!("{name}: status {}", status.unwrap_or("unknown"))),
        }
    }
    (passed, not_passed)
}

/// Migrations with validation on: those whose tables all validated (ValidationState
/// `Validated`) without a failed record, and the others (mismatches, or tables pending,
/// suspended, in error or without a primary key), each with its table counts (each table
/// once).
fn validation(input: &Input<'_>) -> (Vec<String>, Vec<String>) {
    let (mut validated, mut mismatched) = (Vec::new(), Vec::new());
    for m in input
        .migrations
        .iter()
        .filter(|m| m.settings.validation_enabled == Some(true))
    {
        let Some(c) = m.table_counts() else { continue };
        let counts = format!("{} of {} tables validated", c.validated, c.tables);
        if c.mismatched > 0 {
            mismatched.push(format!(
                "{} ({counts}, {} with {} failed record(s))",
                m.id, c.mismatched, c.failed_records
            ));
        } else if c.validated == c.tables {
            validated.push(format!("{} ({counts}, 0 failures)", m.id));
        } else {
            mismatched.push(format!("{} ({counts})", m.id));
        }
    }
    (validated, mismatched)
}

/// A fall-back: some migration that copies another's target back to its source.
fn has_reverse_task(input: &Input<'_>) -> bool {
    let same = |x: Option<&Endpoint>, y: Option<&Endpoint>| match (x, y) {
        (Some(x), Some(y)) => {
            x.server_name.is_some() && x.server_name == y.server_name && x.database == y.database
        }
        _ => false,
    };
    let all = &input.migrations;
    all.iter().any(|a| {
        all.iter().any(|b| {
            same(a.source.as_deref(), b.target.as_deref())
                && same(a.target.as_deref(), b.source.as_deref())
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn planning_readiness_then_uat() {
        let run_passed = AssessmentRun {
            region: "us-east-1".into(),
            arn: "arn:aws:dms:us-east-1:1:assessment-run:a".into(),
            status: Some("passed".into()),
            ..AssessmentRun::default()
        };
        let run_with = |status: &str, failed: i32| AssessmentRun {
            status: Some(status.into()),
            passed: Some(12),
            failed: Some(failed),
            error: Some(0),
            ..run_passed.clone()
        };
        for status in [
            "cancelling",
            "cancelled",
            "failed",
            "error-provisioning",
            "error-executing",
            "invalid state",
            "running",
            "warning",
        ] {
            let mut ev = migration();
            ev.facts.assessment_runs = vec![run_with(status, 0)];
            let f = run(&ev, "dms.1.0.mig.planning");
            assert_eq!(f.verdict, Verdict::NotMet, "{status}: {}", f.reason);
            assert!(
                f.reason.contains(&format!("status {status}")),
                "quotes the status: {}",
                f.reason
            );
        }
        // A task deleted since took its assessment runs and table statistics with it.
        let mut ev = migration();
        ev.facts.tasks[0].deleted_at = Some(Timestamp::from_secs(NOW_SECS));
        // Its TablesLoaded no longer shows data moved once it is deleted: its series do.
        ev.facts.metrics = vec![series(
            "AWS/DMS",
            "FullLoadThroughputRowsTarget",
            "ReplicationTaskIdentifier",
            "t1",
            &[0.0, 50.0],
        )];
        let f = run(&ev, "dms.1.0.mig.planning");
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
        assert!(f.reason.contains("but t1 deleted since"), "{}", f.reason);
        for (runs, uat, want) in [
            (vec![], None, Verdict::NotMet),
            (vec![run_passed.clone()], None, Verdict::AttestationRequired),
            (
                vec![run_passed.clone()],
                Some("two weeks of UAT"),
                Verdict::Attested,
            ),
        ] {
            let mut ev = migration();
            ev.facts.assessment_runs = runs;
            if let Some(text) = uat {
                ev.case_study
                    .case_study
                    .statements
                    .insert("uat".into(), text.into());
            }
            assert_eq!(run(&ev, "dms.1.0.mig.planning").verdict, want, "{uat:?}");
        }
    }

    #[test]
    fn validation_counts_each_table_once() {
        let row = |k: usize, state: &str, failed: i64| TableStat {
            schema: "s".into(),
            table: format!("t{k}"),
            full_load_rows: 10,
            state: Some("Table completed".into()),
            validation_state: Some(state.into()),
            validation_failed_records: failed,
            ..TableStat::default()
        };
        let mut ev = migration();
        ev.facts.tasks[0].settings.validation_enabled = Some(true);
        let mut rows: Vec<TableStat> = (0..37).map(|k| row(k, "Validated", 0)).collect();
        rows.extend((37..40).map(|k| row(k, "Mismatched records", 4)));
        ev.facts.tasks[0].tables = Some(rows.clone());
        let f = run(&ev, "dms.1.0.mig.planning");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
        assert!(
            f.reason
                .contains("t1 (37 of 40 tables validated, 3 with 12 failed record(s))"),
            "{}",
            f.reason
        );
        ev.facts.tasks[0].tables = Some(rows[..37].to_vec());
        let f = run(&ev, "dms.1.0.mig.planning");
        assert_eq!(f.verdict, Verdict::AttestationRequired, "{}", f.reason);
        assert!(
            f.reason
                .contains("t1 (37 of 37 tables validated, 0 failures)"),
            "{}",
            f.reason
        );
        // Tables still pending, suspended or without a primary key are not validated:
        // one validated table does not vouch for the others.
        for state in [
            "Pending records",
            "Suspended records",
            "No primary key",
            "Table error",
        ] {
            let mut some = rows[..37].to_vec();
            some.push(row(40, state, 0));
            ev.facts.tasks[0].tables = Some(some);
            let f = run(&ev, "dms.1.0.mig.planning");
            assert_eq!(f.verdict, Verdict::NotMet, "{state}: {}", f.reason);
            assert!(
                f.reason.contains("t1 (37 of 38 tables validated)"),
                "{state}: {}",
                f.reason
            );
        }
    }
}
