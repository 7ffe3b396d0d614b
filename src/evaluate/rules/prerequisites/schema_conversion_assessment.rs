//! `schema_conversion_assessment`: SCT for assessment and planning, met when a DMS Schema Conversion
//! metadata model assessment succeeded in the account.
//! Used by dms.2.1.wl.sct, "Use of the Schema Conversion Tool (SCT) to aid the migration, including assessment and migration planning".

use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams};

/// SCT for assessment and planning: met when a DMS Schema Conversion metadata model
/// assessment succeeded in the account; otherwise as [`super::schema_tooling`] (desktop SCT
/// leaves no trace in AWS, so a statement or report is needed).
pub struct SchemaConversionAssessment;

impl Check for SchemaConversionAssessment {
    const NAME: &'static str = "schema_conversion_assessment";
    const REMEDIATION: &'static str = "Run a DMS Schema Conversion assessment, or attach the SCT assessment report and describe its use.";
    const DOC: RuleDoc = RuleDoc {
        met: "a successful DMS Schema Conversion metadata model assessment; otherwise a statement or SCT report (attested)",
        checked: "DMS Schema Conversion projects corroborate SCT use; desktop SCT leaves no trace in AWS, so a statement or the SCT report is needed.",
        evidence: "DescribeMigrationProjects, DescribeDataProviders, TargetTablePrepMode; statements; attachments",
        verdicts: "attested when a statement or report is given; attestation_required otherwise",
        after_deletion: "DMS Schema Conversion projects and data providers while they exist; statements and attachments, which deletion does not touch",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let done: Vec<&crate::facts::MetadataAssessment> = input
            .facts
            .metadata_assessments
            .iter()
            .filter(|a| {
                a.status.as_deref().is_some_and(|s| {
                    matches!(
                        s.to_ascii_uppercase().as_str(),
                        "SUCCESS" | "SUCCEEDED" | "COMPLETED"
                    )
                })
            })
            .collect();
        if done.is_empty() {
            let f = super::schema_tooling::SchemaTooling::run(input, item, &NoParams {});
            let gap = input
                .gap_note(&[
                    "dms:ListMetadataModelAssessments",
                    "dms:ListMigrationProjects",
                ])
                .map(|g| format!("; {g}"))
                .unwrap_or_default();
            return Finding {
                reason: format!(
                    "{}; no successful DMS Schema Conversion assessment{gap}",
                    f.reason
                ),
                ..f
            };
        }
        let mut f = Finding::new(
            Verdict::Met,
            format!(
                "DMS Schema Conversion assessment(s) succeeded: {}",
                done.iter()
                    .map(|a| format!(
                        "{} in project {}",
                        a.request_id.as_deref().unwrap_or("?"),
                        a.migration_project.rsplit(':').next().unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        for a in done {
            f = f.cite(
                format!("metadata_assessments/{}", a.migration_project),
                &a.sources,
            );
        }
        f
    }
}
