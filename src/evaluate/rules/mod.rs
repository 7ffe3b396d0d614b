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

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::view::Input;
use super::{Finding, Verdict};

/// One checklist item as the checklist loader builds it and a rule runs on it.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub section: String,
    pub text: String,
    pub kind: Kind,
    pub rule: &'static RuleDef,
    /// The rule's typed parameters (see the rule's file for its `Params`).
    pub params: Params,
    /// The same parameters as written in the data file, for the checklist page.
    pub raw_params: toml::Table,
    /// Statement keys whose text answers the human part of the item.
    pub statements: Vec<String>,
    /// Items of one group are alternatives: the group passes when any of them is
    /// met or attested (2.1: at least one deployment and one workload pattern).
    pub group: Option<String>,
}

/// How an item is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Kind {
    /// Automated: decided from the account's evidence alone.
    A,
    /// Partly automated: the evidence decides, a statement completes it.
    P,
    /// Human: only an attestation answers it.
    H,
}

/// What a rule's item needs and reads, as docs/checklist.md shows it (the page is
/// generated from these and the checklist data: [`crate::evaluate::page`]). `{statements}`
/// stands for the item's statement keys and `{<param>}` for one of its parameters.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// What `met` (or `attested`) requires, in one line.
    pub met: &'static str,
    /// What is checked, in one sentence.
    pub checked: &'static str,
    /// The facts it reads.
    pub evidence: &'static str,
    /// The verdicts it gives and when.
    pub verdicts: &'static str,
    /// What can still prove it once the migration's DMS resources are deleted, from which
    /// source and until when (`{trail}`, `{series}`, `{config}` name the sources: see
    /// docs/checklist.md, "After cut-over").
    pub after_deletion: &'static str,
}

/// One rule. The implementing type is a unit struct in the rule's own file.
pub trait Check {
    /// The name checklist items use (`rule = "…"`).
    const NAME: &'static str;
    /// Default remediation when the verdict is not met or evidence is missing.
    const REMEDIATION: &'static str;
    /// The rule's page text (docs/checklist.md).
    const DOC: RuleDoc;
    /// Whether the item may name the partner's statements that answer its human part
    /// (`params.statements`, kept in [`Item::statements`]).
    const STATEMENTS: bool = false;
    /// Whether a `met` rests on the CDC activity of the migrations it cites (table
    /// statistics or CloudWatch CDC metrics): the evidence that expires with CloudWatch
    /// retention ([`crate::evaluate::expiry`]) and that a renewal carries forward.
    const CDC_ACTIVITY: bool = false;
    /// Whether a `met` rests on the engine version of the replication instances it cites
    /// as it was while their migrations ran: ModifyReplicationInstance can change it, so
    /// today's stands for it only while CloudTrail history reaches back to their first run
    /// ([`crate::evaluate::expiry`]).
    const INSTANCE_VERSION: bool = false;
    /// The item's `params`, without `statements` (unknown keys are refused).
    type Params: DeserializeOwned + Send + Sync + 'static;

    fn run(input: &Input<'_>, item: &Item, params: &Self::Params) -> Finding;
}

/// A rule as the registry holds it: its name, remediation, and its parameters' parser.
pub struct RuleDef {
    pub name: &'static str,
    pub remediation: &'static str,
    pub doc: RuleDoc,
    pub statements: bool,
    pub cdc_activity: bool,
    pub instance_version: bool,
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
            doc: C::DOC,
            statements: C::STATEMENTS,
            cdc_activity: C::CDC_ACTIVITY,
            instance_version: C::INSTANCE_VERSION,
            parse: parse::<C>,
            run: run::<C>,
        }
    }

    /// The item's parameters typed for this rule (`statements` already taken out).
    pub fn parse_params(&self, raw: toml::Value) -> Result<Params, ParamError> {
        (self.parse)(raw)
    }

    /// The rule's finding, built: a positive verdict without a citation is refused
    /// ([`Finding::build`]) and becomes insufficient evidence, never a `met`.
    pub fn run(&self, input: &Input<'_>, item: &Item) -> Finding {
        (self.run)(input, item).build().unwrap_or_else(|e| {
            tracing::error!(item = %item.id, rule = self.name, "{e}");
            Finding::new(Verdict::InsufficientEvidence, format!("not counted: {e}"))
        })
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
/// insufficient evidence when any is unknown, met otherwise. The one tally the rules
/// share: per-rule copies drifted apart before.
pub(crate) struct Tally {
    pub finding: Finding,
    pub good: Vec<String>,
    pub bad: Vec<String>,
    pub unknown: Vec<String>,
    /// Neither for nor against (e.g. TLS a service provides by itself), told in the tail.
    pub neutral: Vec<String>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            finding: Finding::new(Verdict::Met, ""),
            good: Vec::new(),
            bad: Vec::new(),
            unknown: Vec::new(),
            neutral: Vec::new(),
        }
    }

    pub fn cite(&mut self, pointer: impl Into<String>, sources: &[String]) {
        self.finding.add_citation(pointer, sources);
    }

    /// Takes from `other` — the outcomes of migrations that moved no data — only what
    /// counts against (bad and unknown, each tagged `tag`) and its citations; its good
    /// outcomes are dropped: positives rest only on migrations that moved data.
    pub fn absorb_against(&mut self, other: Tally, tag: &str) {
        if other.bad.is_empty() && other.unknown.is_empty() {
            return;
        }
        self.bad
            .extend(other.bad.into_iter().map(|b| format!("{b} {tag}")));
        self.unknown
            .extend(other.unknown.into_iter().map(|u| format!("{u} {tag}")));
        let sources = other.finding.sources;
        for pointer in other.finding.evidence {
            self.finding.add_citation(pointer, &sources);
        }
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

/// The verdict when there is nothing to judge: no task or serverless replication that
/// moved data (one that was only created, or started and moved nothing, proves nothing
/// about a migration).
pub(crate) fn no_migrations(input: &Input<'_>) -> Finding {
    let gap = input.gap_paren(&[
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplicationConfigs",
        "dms:DescribeReplications",
        "cloudtrail:LookupEvents",
    ]);
    if !input.unproven.is_empty() {
        let mut f = Finding::new(
            Verdict::InsufficientEvidence,
            format!(
                "no DMS migration in {} shows that it moved data{}{gap}: a task that was only created, or that started \
                 and loaded no row and applied no change, proves nothing about a migration",
                input.facts.regions.join(", "),
                input.unproven_note()
            ),
        )
        .remedy("Present the migration that moved data: collect within 90 days of cut-over (CloudTrail event history shows tasks deleted since, and their CloudWatch metrics stay 455 days), or name the CloudTrail trail that logged the account (`[trail]` in the case study: its log files in S3 hold the deleted task's calls for as long as the bucket keeps them), or keep its task (stopped) with its table statistics until the validation.");
        for m in &input.unproven {
            f = f.cite(m.pointer(), &m.sources);
        }
        return f;
    }
    Finding::new(
        Verdict::InsufficientEvidence,
        format!(
            "no DMS task or serverless replication was found in {}{gap}, today or in CloudTrail event history (90 \
             days): a migration deleted longer ago needs a trail's logs kept by the customer",
            input.facts.regions.join(", ")
        ),
    )
}

/// A `not_met` of an item that any one migration would satisfy stands only when no
/// migration whose data movement is not on record would satisfy it (`test`): otherwise
/// the absence is not shown, and the finding is insufficient evidence naming them.
pub(crate) fn unless_unrecorded(
    input: &Input<'_>,
    f: Finding,
    what: &str,
    test: impl Fn(&super::view::Migration<'_>) -> bool,
) -> Finding {
    if f.verdict != Verdict::NotMet {
        return f;
    }
    let could = input.could_answer(test);
    if could.is_empty() {
        return f;
    }
    Finding {
        verdict: Verdict::InsufficientEvidence,
        reason: format!(
            "{}; but {what} if {} moved data, which is not on record (statistics deleted with the task or reset, \
             metrics expired)",
            f.reason,
            could.join(", ")
        ),
        ..f
    }
}

/// Statement text for an item's `statements` parameter, as "key: text".
pub(crate) fn statement<'a>(input: &Input<'a>, item: &Item) -> Option<(&'a str, String)> {
    item.statements
        .iter()
        .find_map(|k| input.statement(k).map(|t| (t, k.clone())))
}

pub(crate) use crate::text::quote;

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
        .value("statement", text.to_string())
        .cite(format!("case_study/statements/{key}"), &[]),
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
