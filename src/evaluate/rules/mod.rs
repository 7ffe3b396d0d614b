//! The rules: one file per rule (its parameters, remediation, function and table
//! tests), grouped by checklist family; this module defines what a rule is and only
//! lists them. Each is a pure function of the evidence (through [`Input`]) and of
//! parameters typed and validated when the checklist loads.

pub mod architecture;
pub mod complexity;
pub mod migration;
pub mod params;
pub mod patterns;
pub mod prerequisites;
pub mod security;

use std::any::Any;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::checklist::Item;
use super::view::Input;
use super::{Finding, Verdict};

/// One rule. The implementing type is a unit struct in the rule's own file.
pub trait Check {
    /// The name checklist items use (`rule = "…"`).
    const NAME: &'static str;
    /// Default remediation when the verdict is not met or evidence is missing.
    const REMEDIATION: &'static str;
    /// Whether the item may name the partner's statements that answer its human part
    /// (`params.statements`, kept in [`Item::statements`]).
    const STATEMENTS: bool = false;
    /// Whether a `met` rests on the CDC activity of the migrations it cites (table
    /// statistics or CloudWatch CDC metrics): the evidence that expires with CloudWatch
    /// retention ([`crate::evaluate::expiry`]) and that a renewal carries forward.
    const CDC_ACTIVITY: bool = false;
    /// The item's `params`, without `statements` (unknown keys are refused).
    type Params: DeserializeOwned + Send + Sync + 'static;

    fn run(input: &Input<'_>, item: &Item, params: &Self::Params) -> Finding;
}

/// A rule as the registry holds it: its name, remediation, and its parameters' parser.
pub struct RuleDef {
    pub name: &'static str,
    pub remediation: &'static str,
    pub statements: bool,
    pub cdc_activity: bool,
    parse: fn(toml::Value) -> Result<Params, ParamError>,
    run: fn(&Input<'_>, &Item) -> Finding,
}

impl std::fmt::Debug for RuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleDef").field("name", &self.name).finish()
    }
}

impl RuleDef {
    pub const fn of<C: Check>() -> RuleDef {
        RuleDef {
            name: C::NAME,
            remediation: C::REMEDIATION,
            statements: C::STATEMENTS,
            cdc_activity: C::CDC_ACTIVITY,
            parse: parse::<C>,
            run: run::<C>,
        }
    }

    /// The item's parameters typed for this rule (`statements` already taken out).
    pub fn parse_params(&self, raw: toml::Value) -> Result<Params, ParamError> {
        (self.parse)(raw)
    }

    pub fn run(&self, input: &Input<'_>, item: &Item) -> Finding {
        (self.run)(input, item)
    }
}

/// An item's typed parameters (the rule's own `Params` type).
#[derive(Clone)]
pub struct Params(Arc<dyn Any + Send + Sync>);

impl Params {
    /// The parameters as the rule's own type (`None` for another rule's type).
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Params")
    }
}

/// A parameter the rule refuses: which key (empty for the table) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub key: String,
    pub message: String,
}

fn parse<C: Check>(raw: toml::Value) -> Result<Params, ParamError> {
    serde_path_to_error::deserialize::<_, C::Params>(raw)
        .map(|p| Params(Arc::new(p)))
        .map_err(|e| {
            let path = e.path().to_string();
            ParamError {
                key: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
            }
        })
}

fn run<C: Check>(input: &Input<'_>, item: &Item) -> Finding {
    match item.params.0.downcast_ref::<C::Params>() {
        Some(params) => C::run(input, item, params),
        // Items are built only by the checklist loader with this rule's parser.
        None => Finding::new(
            Verdict::InsufficientEvidence,
            format!("item {} was not loaded for rule {}", item.id, C::NAME),
        ),
    }
}

pub const RULES: &[RuleDef] = &[
    RuleDef::of::<prerequisites::attestation::Attestation>(),
    RuleDef::of::<prerequisites::production_reference::ProductionReference>(),
    RuleDef::of::<prerequisites::account_identity::AccountIdentity>(),
    RuleDef::of::<prerequisites::inventory_narrative::InventoryNarrative>(),
    RuleDef::of::<prerequisites::project_dates::ProjectDates>(),
    RuleDef::of::<prerequisites::outcomes::Outcomes>(),
    RuleDef::of::<prerequisites::diagram::Diagram>(),
    RuleDef::of::<prerequisites::schema_tooling::SchemaTooling>(),
    RuleDef::of::<prerequisites::schema_conversion_assessment::SchemaConversionAssessment>(),
    RuleDef::of::<architecture::database_size::DatabaseSize>(),
    RuleDef::of::<architecture::large_database::LargeDatabase>(),
    RuleDef::of::<architecture::dms_limits::DmsLimits>(),
    RuleDef::of::<architecture::replication_instance_health::ReplicationInstanceHealth>(),
    RuleDef::of::<architecture::engine_versions::EngineVersions>(),
    RuleDef::of::<architecture::endpoint_tuning::EndpointTuning>(),
    RuleDef::of::<architecture::public_private::PublicPrivate>(),
    RuleDef::of::<architecture::performance_tuning::PerformanceTuning>(),
    RuleDef::of::<architecture::target_sizing::TargetSizing>(),
    RuleDef::of::<architecture::source_load::SourceLoad>(),
    RuleDef::of::<migration::task_logging::TaskLogging>(),
    RuleDef::of::<migration::lob_handling::LobHandling>(),
    RuleDef::of::<migration::cdc::Cdc>(),
    RuleDef::of::<migration::oracle_target_schema::OracleTargetSchema>(),
    RuleDef::of::<migration::planning::Planning>(),
    RuleDef::of::<security::iam_permissions::IamPermissions>(),
    RuleDef::of::<security::iam_roles::IamRoles>(),
    RuleDef::of::<security::fine_grained_access::FineGrainedAccess>(),
    RuleDef::of::<security::encryption_at_rest::EncryptionAtRest>(),
    RuleDef::of::<security::encryption_in_flight::EncryptionInFlight>(),
    RuleDef::of::<patterns::deployment_heterogeneous::DeploymentHeterogeneous>(),
    RuleDef::of::<patterns::deployment_from_outside::DeploymentFromOutside>(),
    RuleDef::of::<patterns::workload_cdc_heterogeneous::WorkloadCdcHeterogeneous>(),
    RuleDef::of::<patterns::workload_cdc_homogeneous::WorkloadCdcHomogeneous>(),
    RuleDef::of::<patterns::workload_cdc_continual::WorkloadCdcContinual>(),
    RuleDef::of::<complexity::observed_initial_size::ObservedInitialSize>(),
    RuleDef::of::<complexity::observed_growth::ObservedGrowth>(),
    RuleDef::of::<complexity::observed_tables::ObservedTables>(),
    RuleDef::of::<complexity::observed_concurrency::ObservedConcurrency>(),
    RuleDef::of::<complexity::observed_read_write::ObservedReadWrite>(),
];

pub fn find(name: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.name == name)
}

pub fn names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
}

/// Per-resource outcomes and the finding they conclude: not met when any is bad,
/// insufficient evidence when any is unknown, met otherwise.
pub(crate) struct Tally {
    pub finding: Finding,
    pub good: Vec<String>,
    pub bad: Vec<String>,
    pub unknown: Vec<String>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            finding: Finding::new(Verdict::Met, ""),
            good: Vec::new(),
            bad: Vec::new(),
            unknown: Vec::new(),
        }
    }

    pub fn cite(&mut self, pointer: impl Into<String>, sources: &[String]) {
        self.finding.add_citation(pointer, sources);
    }

    /// The decisive list joined by `sep`, then `tail`, as the reason.
    pub fn conclude(self, sep: &str, tail: &str) -> Finding {
        let (verdict, list) = if !self.bad.is_empty() {
            (Verdict::NotMet, self.bad)
        } else if !self.unknown.is_empty() {
            (Verdict::InsufficientEvidence, self.unknown)
        } else {
            (Verdict::Met, self.good)
        };
        Finding {
            verdict,
            reason: format!("{}{tail}", list.join(sep)),
            ..self.finding
        }
    }
}

/// The verdict when there is nothing to judge: no task or serverless replication
/// that ran (a task that was only created proves nothing about a migration).
pub(crate) fn no_migrations(input: &Input<'_>) -> Finding {
    let gap = input.gap_paren(&[
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplicationConfigs",
        "dms:DescribeReplications",
    ]);
    if !input.never_ran.is_empty() {
        let mut f = Finding::new(
            Verdict::InsufficientEvidence,
            format!(
                "no DMS migration in {} shows that it ran{}{gap}: a task that was only created proves nothing about a \
                 migration",
                input.facts.regions.join(", "),
                input.never_ran_note()
            ),
        )
        .remedy("Keep the tasks that really ran (stopped, not deleted) with their statistics, metrics and logs until the validation.");
        for m in &input.never_ran {
            f = f.cite(m.pointer(), &m.sources);
        }
        return f;
    }
    Finding::new(
        Verdict::InsufficientEvidence,
        format!(
            "no DMS task or serverless replication was found in {}{gap}: DMS resources deleted after cut-over leave \
             nothing to judge",
            input.facts.regions.join(", ")
        ),
    )
}

/// Statement text for an item's `statements` parameter, as "key: text".
pub(crate) fn statement<'a>(input: &Input<'a>, item: &Item) -> Option<(&'a str, String)> {
    item.statements
        .iter()
        .find_map(|k| input.statement(k).map(|t| (t, k.clone())))
}

pub(crate) fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        format!("\"{}…\"", one_line.chars().take(117).collect::<String>())
    } else {
        format!("\"{one_line}\"")
    }
}

/// A P item: the automated part decides not_met / insufficient; when it holds, the
/// human part decides attested / attestation_required.
pub(crate) fn with_statement(input: &Input<'_>, item: &Item, technical: Finding) -> Finding {
    if matches!(
        technical.verdict,
        Verdict::NotMet | Verdict::InsufficientEvidence | Verdict::NotApplicable
    ) {
        return technical;
    }
    match statement(input, item) {
        Some((text, key)) => Finding {
            verdict: Verdict::Attested,
            reason: format!("{}; statements.{key}: {}", technical.reason, quote(text)),
            ..technical
        }
        .value("statement", text.to_string()),
        None => Finding {
            verdict: Verdict::AttestationRequired,
            reason: format!(
                "{}; the partner's statement ({}) is still needed",
                technical.reason,
                item.statements
                    .iter()
                    .map(|s| format!("statements.{s}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            ..technical
        },
    }
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests;
