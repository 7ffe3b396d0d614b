//! `planning`: dms.1.0.mig.planning, "Migration planning and execution including production readiness assurance, fall-back planning, and user acceptance testing".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams, with_statement,
};
use crate::facts::Endpoint;

/// The `planning` rule.
pub struct Planning;

impl Check for Planning {
    const NAME: &'static str = "planning";
    const REMEDIATION: &'static str = "Run a premigration assessment or enable validation, plan a fall-back (reverse task), and describe UAT (statements.uat).";
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
        let passed = passed_assessments(input);
        let validated = validated_migrations(input);
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
            let gap = input.gap_note(&[
                "dms:DescribeReplicationTaskAssessmentRuns",
                "dms:DescribeTableStatistics",
            ]);
            let verdict = if gap.is_some() {
                Verdict::InsufficientEvidence
            } else {
                Verdict::NotMet
            };
            let gap = gap.map(|g| format!(" ({g})")).unwrap_or_default();
            return Finding {
                verdict,
                reason: format!("no passed premigration assessment and no validated tables{gap}"),
                ..f
            };
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

/// Premigration assessment runs that passed (by status, or every check passed).
fn passed_assessments<'a>(input: &Input<'a>) -> Vec<&'a str> {
    input
        .facts
        .assessment_runs
        .iter()
        .filter(|r| {
            r.status.as_deref() == Some("passed")
                || (r.failed == Some(0) && r.error == Some(0) && r.passed.is_some_and(|p| p > 0))
        })
        .map(|r| r.arn.rsplit(':').next().unwrap_or_default())
        .collect()
}

/// Migrations with validation on whose tables validated without a failed record.
fn validated_migrations(input: &Input<'_>) -> Vec<String> {
    input
        .migrations
        .iter()
        .filter(|m| m.settings.validation_enabled == Some(true))
        .filter_map(|m| {
            let rows = m.tables?;
            let failed: i64 = rows.iter().map(|r| r.validation_failed_records).sum();
            let validated = rows
                .iter()
                .filter(|r| r.validation_state.as_deref() == Some("Validated"))
                .count();
            (failed == 0 && validated > 0)
                .then(|| format!("{} ({validated} tables validated, 0 failures)", m.id))
        })
        .collect()
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
        all.iter()
            .any(|b| same(a.source, b.target) && same(a.target, b.source))
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
}
