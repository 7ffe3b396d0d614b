//! `schema_tooling`: SCT or DMS Schema Conversion, corroborated by Schema Conversion projects;
//! desktop SCT leaves no trace in the account.
//! Used by 2 items (dms.1.0.arch.sct-vs-native, dms.1.0.mig.schema-conv).

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams, quote, statement,
};

/// SCT / Schema Conversion: DMS Schema Conversion projects corroborate; desktop SCT
/// leaves no trace in the account, so a statement or report is needed.
pub struct SchemaTooling;

impl Check for SchemaTooling {
    const NAME: &'static str = "schema_tooling";
    const REMEDIATION: &'static str = "Attach the SCT assessment report or describe the schema conversion approach; DMS Schema Conversion projects corroborate it.";
    const DOC: RuleDoc = RuleDoc {
        met: "attested: {statements} or an SCT report; Schema Conversion projects and pre-created targets corroborate",
        checked: "DMS Schema Conversion projects corroborate SCT use; desktop SCT leaves no trace in AWS, so a statement or the SCT report is needed.",
        evidence: "DescribeMigrationProjects, DescribeDataProviders, TargetTablePrepMode; statements; attachments",
        verdicts: "attested when a statement or report is given; attestation_required otherwise",
        after_deletion: "DMS Schema Conversion projects and data providers while they exist; statements and attachments, which deletion does not touch",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let f = input.facts;
        let projects: Vec<&str> = f
            .migration_projects
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let mut evidence = if projects.is_empty() {
            "no DMS Schema Conversion project in the account (desktop SCT leaves no trace in AWS)"
                .to_string()
        } else {
            format!(
                "DMS Schema Conversion project(s) {} with {} data provider(s)",
                projects.join(", "),
                f.data_providers.len()
            )
        };
        let prepared: Vec<&str> = input
            .migrations
            .iter()
            .filter(|m| m.settings.target_table_prep_mode.as_deref() == Some("DO_NOTHING"))
            .map(|m| m.id)
            .collect();
        if !prepared.is_empty() {
            evidence.push_str(&format!(
                "; task(s) {} load into a pre-created schema (TargetTablePrepMode DO_NOTHING)",
                prepared.join(", ")
            ));
        }
        let mut finding = Finding::new(Verdict::AttestationRequired, "")
            .value("migration_projects", projects.clone());
        for p in &f.migration_projects {
            finding = finding.cite(format!("migration_projects/{}", p.arn), &p.sources);
        }
        let attached: Vec<_> = input
            .attachments(&item.id)
            .into_iter()
            .chain(input.attachments("dms.1.0.mig.schema-conv"))
            .collect();
        for a in &attached {
            finding = finding.cite(format!("attachments/{}", a.attachment.path), &[]);
        }
        let attachments: Vec<String> = attached
            .iter()
            .map(|a| {
                format!(
                    "{} (sha256 {}…)",
                    a.attachment.path,
                    crate::text::prefix(&a.sha256, 12)
                )
            })
            .collect();
        let said = statement(input, item);
        if said.is_none() && attachments.is_empty() {
            return Finding {
                reason: format!("{evidence}; no statement or SCT report was given"),
                ..finding
            };
        }
        let mut reason = evidence;
        if let Some((text, key)) = said {
            reason.push_str(&format!("; statements.{key}: {}", quote(text)));
            finding = finding
                .value("statement", text)
                .cite(format!("case_study/statements/{key}"), &[]);
        }
        if !attachments.is_empty() {
            reason.push_str(&format!("; attached: {}", attachments.join(", ")));
        }
        Finding {
            verdict: Verdict::Attested,
            reason,
            ..finding
        }
    }
}
