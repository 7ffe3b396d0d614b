//! `oracle_target_schema`: dms.1.0.mig.oracle-schema, "Changing the user/schema for an Oracle target (the checklist itself recommends removing this bullet)".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};

/// The `oracle_target_schema` rule.
pub struct OracleTargetSchema;

impl Check for OracleTargetSchema {
    const NAME: &'static str = "oracle_target_schema";
    const REMEDIATION: &'static str =
        "Add a schema rename transformation rule for the Oracle target.";
    const DOC: RuleDoc = RuleDoc {
        met: "not_applicable without an Oracle target; with one, a schema rename transformation rule",
        checked: "For Oracle targets: a schema rename transformation rule.",
        evidence: "table mappings",
        verdicts: "met / not_met; not_applicable without an Oracle target",
        after_deletion: "table mappings as they ran, from {trail}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        let oracle: Vec<_> = input
            .migrations
            .iter()
            .filter(|m| m.target.as_deref().is_some_and(|t| t.engine == "oracle"))
            .collect();
        if oracle.is_empty() {
            if input.migrations.is_empty() {
                return no_migrations(input);
            }
            // Not applicable needs every target known: a failed listing or an endpoint
            // missing from the evidence could hide an Oracle target.
            let unknown = input
                .gap_note(&[
                    "dms:DescribeReplicationTasks",
                    "dms:DescribeReplicationConfigs",
                ])
                .or_else(|| input.unresolved_endpoints());
            if let Some(why) = unknown {
                return Finding::new(
                    Verdict::InsufficientEvidence,
                    format!("whether a migration targets Oracle is unknown: {why}"),
                );
            }
            return Finding::new(
                Verdict::NotApplicable,
                "no migration targets Oracle (the checklist itself suggests removing this bullet)",
            );
        }
        let mut f = Finding::new(Verdict::Met, "");
        let mut renamed = Vec::new();
        let mut unread = Vec::new();
        for m in &oracle {
            f = f.cite(m.pointer(), &m.sources);
            if !m.mappings.parsed {
                unread.push(m.id);
                continue;
            }
            if m.mappings
                .transformations
                .iter()
                .any(|(target, action)| target == "schema" && action == "rename")
            {
                renamed.push(m.id);
            }
        }
        if renamed.is_empty() && !unread.is_empty() {
            Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "the table mappings of Oracle target task(s) {} are not on record (missing, \
                     not JSON, or changed since they ran)",
                    unread.join(", ")
                ),
                ..f
            }
        } else if renamed.is_empty() {
            Finding {
                verdict: Verdict::NotMet,
                reason: "Oracle target(s) without a schema rename transformation rule".into(),
                ..f
            }
        } else {
            Finding {
                reason: format!(
                    "schema rename rule on Oracle target task(s) {}",
                    renamed.join(", ")
                ),
                ..f
            }
        }
    }
}
