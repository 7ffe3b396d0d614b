//! `inventory_narrative`: the inventory (reported) plus the partner's narrative (attested).
//! Used by 2 items (pre.2.1.services-used, dms.1.0.env-summary).

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams, with_statement,
};

/// The inventory (reported) plus the partner's narrative (attested).
pub struct InventoryNarrative;

impl Check for InventoryNarrative {
    const NAME: &'static str = "inventory_narrative";
    const REMEDIATION: &'static str =
        "Describe in the manifest how the AWS services shown in the inventory were used.";
    const DOC: RuleDoc = RuleDoc {
        met: "an inventory of the migrations that moved data, plus {statements} (attested)",
        checked: "The inventory the tool saw (instances, serverless, endpoints with engine and HOST, tasks, RDS, KMS keys, Schema Conversion projects), with the partner's narrative.",
        evidence: "all facts; `statements.*`",
        verdicts: "attested / attestation_required; insufficient_evidence without a migration that moved data (a replication instance alone shows no use)",
        after_deletion: "statements are the partner's; it needs a migration that moved data, as rebuilt from {trail} and {series}",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let f = input.facts;
        let mut engines: Vec<String> = input
            .migrations
            .iter()
            .map(|m| {
                let side = |e: Option<&crate::facts::Endpoint>| {
                    e.map_or("?".to_string(), |e| {
                        format!("{} ({})", e.engine, e.host.kind.as_str())
                    })
                };
                format!(
                    "{} → {}",
                    side(m.source.as_deref()),
                    side(m.target.as_deref())
                )
            })
            .collect();
        engines.sort();
        engines.dedup();
        let inventory = format!(
            "inventory: {} replication instance(s), {} serverless replication(s), {} endpoint(s), {} task(s), {} RDS/Aurora \
             database(s), {} KMS key(s), {} Schema Conversion project(s); migrations {}",
            f.replication_instances.len(),
            f.serverless.len(),
            f.endpoints.len(),
            f.tasks.len(),
            f.rds_instances.len() + f.rds_clusters.len(),
            f.kms_keys.len(),
            f.migration_projects.len(),
            if engines.is_empty() {
                "none".to_string()
            } else {
                engines.join(", ")
            }
        );
        // An inventory without a migration that moved data shows no use of DMS to narrate.
        if input.migrations.is_empty() {
            return Finding {
                reason: format!("{}; {inventory}", no_migrations(input).reason),
                ..no_migrations(input)
            };
        }
        let technical = Finding::new(Verdict::Met, inventory).value("migrations", engines);
        with_statement(input, item, technical)
    }
}
