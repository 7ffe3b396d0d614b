//! The rules, one per checklist item family, as an explicit registry. Each is a pure
//! function of the evidence (through [`Input`]) and the item's parameters.

mod architecture;
mod complexity;
mod migration;
mod patterns;
mod prerequisites;
mod security;

use super::checklist::Item;
use super::view::Input;
use super::{Finding, Verdict};

/// Parameter types a rule accepts (validated when the checklist loads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A number greater than zero (bytes, days, counts, KB).
    Positive,
    /// 0..=100.
    Percent,
    /// Statement keys whose text answers the human part of the item.
    Statements,
    /// "read" or "write".
    Measure,
}

pub struct RuleDef {
    pub name: &'static str,
    pub params: &'static [(&'static str, Param)],
    pub run: fn(&Input<'_>, &Item) -> Finding,
    /// Default remediation when the verdict is not met or evidence is missing.
    pub remediation: &'static str,
}

const S: (&str, Param) = ("statements", Param::Statements);

pub const RULES: &[RuleDef] = &[
    RuleDef {
        name: "attestation",
        params: &[S],
        run: prerequisites::attestation,
        remediation: "Add the statement to the case-study manifest ([statements]) or attach the document ([[attachments]]).",
    },
    RuleDef {
        name: "production_reference",
        params: &[("min_bytes", Param::Positive), S],
        run: prerequisites::production_reference,
        remediation: "Show a running or completed DMS migration of at least 25 GB, and state that it is in production (statements.production).",
    },
    RuleDef {
        name: "account_identity",
        params: &[],
        run: prerequisites::account_identity,
        remediation: "Check the account id; DMS tasks deleted after cut-over leave no trace: keep the task (stopped) until the validation.",
    },
    RuleDef {
        name: "inventory_narrative",
        params: &[S],
        run: prerequisites::inventory_narrative,
        remediation: "Describe in the manifest how the AWS services shown in the inventory were used.",
    },
    RuleDef {
        name: "project_dates",
        params: &[],
        run: prerequisites::project_dates,
        remediation: "Give start_date and end_date (YYYY-MM-DD) that cover the DMS activity in the account.",
    },
    RuleDef {
        name: "outcomes",
        params: &[S],
        run: prerequisites::outcomes,
        remediation: "Resolve errored tables and validation failures, then state the business outcome (statements.outcomes).",
    },
    RuleDef {
        name: "diagram",
        params: &[],
        run: prerequisites::diagram,
        remediation: "Attach the architecture diagram for pre.3.1.diagram-services; compare it with the topology in the report.",
    },
    RuleDef {
        name: "schema_tooling",
        params: &[S],
        run: prerequisites::schema_tooling,
        remediation: "Attach the SCT assessment report or describe the schema conversion approach; DMS Schema Conversion projects corroborate it.",
    },
    RuleDef {
        name: "schema_conversion_assessment",
        params: &[S],
        run: prerequisites::schema_conversion_assessment,
        remediation: "Run a DMS Schema Conversion assessment, or attach the SCT assessment report and describe its use.",
    },
    RuleDef {
        name: "database_size",
        params: &[("min_bytes", Param::Positive)],
        run: architecture::database_size,
        remediation: "Keep the target's CloudWatch size metrics (VolumeBytesUsed / FreeStorageSpace) within their 455-day retention, or choose a reference of at least 25 GB.",
    },
    RuleDef {
        name: "large_database",
        params: &[("min_bytes", Param::Positive), S],
        run: architecture::large_database,
        remediation: "For TB+ databases, split tables across tasks or use parallel-load table settings.",
    },
    RuleDef {
        name: "dms_limits",
        params: &[
            ("max_full_load_sub_tasks", Param::Positive),
            ("max_lob_size_kb", Param::Positive),
            S,
        ],
        run: architecture::dms_limits,
        remediation: "Keep task settings within DMS limits (MaxFullLoadSubTasks <= 49, LobMaxSize <= 102400 KB) and quotas below their maximum; describe the limits considered.",
    },
    RuleDef {
        name: "replication_instance_health",
        params: &[
            ("max_p95_cpu_percent", Param::Percent),
            ("min_free_storage_percent", Param::Percent),
            ("min_datapoints", Param::Positive),
        ],
        run: architecture::replication_instance_health,
        remediation: "Size the replication instance so that p95 CPU stays below 90 % and free storage above 10 %.",
    },
    RuleDef {
        name: "engine_versions",
        params: &[],
        run: architecture::engine_versions,
        remediation: "Run replication instances on a production (non-beta), non-deprecated DMS engine version.",
    },
    RuleDef {
        name: "endpoint_tuning",
        params: &[],
        run: architecture::endpoint_tuning,
        remediation: "Use engine-specific endpoint settings for throughput, or place the replication instance in the target's Availability Zone.",
    },
    RuleDef {
        name: "public_private",
        params: &[],
        run: architecture::public_private,
        remediation: "Use a private replication instance (PubliclyAccessible false) when every endpoint is inside AWS.",
    },
    RuleDef {
        name: "performance_tuning",
        params: &[],
        run: architecture::performance_tuning,
        remediation: "Tune full load (MaxFullLoadSubTasks, CommitRate, ParallelLoadThreads, parallel-load table settings) or CDC (BatchApplyEnabled).",
    },
    RuleDef {
        name: "target_sizing",
        params: &[
            ("max_p95_cpu_percent", Param::Percent),
            ("min_free_storage_percent", Param::Percent),
            ("min_datapoints", Param::Positive),
            S,
        ],
        run: architecture::target_sizing,
        remediation: "Size the target so that its p95 CPU stays below 90 % and free storage above 10 % during the migration.",
    },
    RuleDef {
        name: "source_load",
        params: &[
            ("max_p95_cpu_percent", Param::Percent),
            ("min_datapoints", Param::Positive),
            S,
        ],
        run: architecture::source_load,
        remediation: "Read from a replica or standby, use reader settings (Oracle Binary Reader, SQL Server backups), or show the source's CPU stayed low.",
    },
    RuleDef {
        name: "task_logging",
        params: &[],
        run: migration::task_logging,
        remediation: "Turn on task logging (Logging.EnableLogging) and keep the log group's retention long enough for the validation.",
    },
    RuleDef {
        name: "lob_handling",
        params: &[("max_lob_size_kb", Param::Positive)],
        run: migration::lob_handling,
        remediation: "Set SupportLobs with exactly one mode: limited (LobMaxSize 1..102400 KB) or full (LobChunkSize > 0, no batch apply).",
    },
    RuleDef {
        name: "cdc",
        params: &[],
        run: migration::cdc,
        remediation: "Use migration type cdc or full-load-and-cdc and keep the task's statistics or CDC metrics as evidence.",
    },
    RuleDef {
        name: "oracle_target_schema",
        params: &[],
        run: migration::oracle_target_schema,
        remediation: "Add a schema rename transformation rule for the Oracle target.",
    },
    RuleDef {
        name: "planning",
        params: &[S],
        run: migration::planning,
        remediation: "Run a premigration assessment or enable validation, plan a fall-back (reverse task), and describe UAT (statements.uat).",
    },
    RuleDef {
        name: "iam_permissions",
        params: &[S],
        run: security::iam_permissions,
        remediation: "Grant DMS through scoped customer-managed policies and describe the permissions model (statements.iam_permissions).",
    },
    RuleDef {
        name: "iam_roles",
        params: &[],
        run: security::iam_roles,
        remediation: "Create dms-vpc-role, dms-cloudwatch-logs-role (and dms-access-for-endpoint for Redshift) trusting dms.amazonaws.com.",
    },
    RuleDef {
        name: "fine_grained_access",
        params: &[],
        run: security::fine_grained_access,
        remediation: "Use dms:*-tag/* or aws:ResourceTag conditions, or resource ARNs, in the policies that grant DMS actions.",
    },
    RuleDef {
        name: "encryption_at_rest",
        params: &[],
        run: security::encryption_at_rest,
        remediation: "Encrypt the target (RDS/Aurora StorageEncrypted, Redshift/S3 EncryptionMode); prefer a customer-managed KMS key with rotation.",
    },
    RuleDef {
        name: "encryption_in_flight",
        params: &[],
        run: security::encryption_in_flight,
        remediation: "Set SslMode to a mode the engine supports (not none) on every SSL-capable endpoint, with a valid certificate.",
    },
    RuleDef {
        name: "deployment_heterogeneous",
        params: &[],
        run: patterns::deployment_heterogeneous,
        remediation: "",
    },
    RuleDef {
        name: "deployment_from_outside",
        params: &[],
        run: patterns::deployment_from_outside,
        remediation: "",
    },
    RuleDef {
        name: "workload_cdc_heterogeneous",
        params: &[],
        run: patterns::workload_cdc_heterogeneous,
        remediation: "",
    },
    RuleDef {
        name: "workload_cdc_homogeneous",
        params: &[],
        run: patterns::workload_cdc_homogeneous,
        remediation: "",
    },
    RuleDef {
        name: "workload_cdc_continual",
        params: &[("min_days", Param::Positive)],
        run: patterns::workload_cdc_continual,
        remediation: "",
    },
    RuleDef {
        name: "observed_initial_size",
        params: &[("min_bytes", Param::Positive)],
        run: complexity::initial_size,
        remediation: "Keep the target's size metrics, or give the initial size in the case study.",
    },
    RuleDef {
        name: "observed_growth",
        params: &[("min_days", Param::Positive), S],
        run: complexity::growth,
        remediation: "Give the anticipated yearly growth (statements.anticipated_growth).",
    },
    RuleDef {
        name: "observed_tables",
        params: &[],
        run: complexity::tables,
        remediation: "Keep the task (its table statistics) until the validation.",
    },
    RuleDef {
        name: "observed_concurrency",
        params: &[S],
        run: complexity::concurrency,
        remediation: "Give the anticipated peak concurrency (statements.anticipated_concurrency).",
    },
    RuleDef {
        name: "observed_read_write",
        params: &[("measure", Param::Measure), S],
        run: complexity::read_write,
        remediation: "Give the anticipated read/write percentages (statements.anticipated_read_pct / anticipated_write_pct).",
    },
];

pub fn find(name: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.name == name)
}

pub fn names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
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
    item.params
        .statements
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
                item.params
                    .statements
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
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_unique() {
        let mut names = names();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod rule_tests;
