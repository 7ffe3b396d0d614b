//! `account_identity`: pre.2.1.account-id, "AWS Account ID (will be used to verify AWS service usage)".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};

/// The `account_identity` rule.
pub struct AccountIdentity;

impl Check for AccountIdentity {
    const NAME: &'static str = "account_identity";
    const REMEDIATION: &'static str = "Check the account id; collect within 90 days of cut-over (CloudTrail event history shows DMS resources deleted since), or name the CloudTrail trail that logged the account (`[trail]` in the case study: its log files in S3 reach back as far as the bucket keeps them).";
    const DOC: RuleDoc = RuleDoc {
        met: "STS account equals the declared id and at least one DMS migration in it moved data (rows loaded or changes applied: table statistics, TablesLoaded, or CloudWatch FullLoadThroughputRowsTarget / CDCThroughputRowsTarget above zero)",
        checked: "STS GetCallerIdentity equals the declared account, and the account holds at least one DMS task or serverless replication.",
        evidence: "`collection.caller`, tasks, serverless replications",
        verdicts: "met; insufficient_evidence when no DMS task or replication remains",
        after_deletion: "STS at collection, and the migrations that moved data as rebuilt from {trail} and {series}; past the history, a task's own AWS/DMS series in CloudWatch (daily, for 455 days), named by its log stream (dms-task-<resource id> in dms-tasks-<instance>) or by a `[[deleted_task]]` pointer in the case study: that data moved, and nothing else of it",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        let caller = &input.evidence.collection.caller;
        let declared = &input.evidence.case_study.case_study.account_id;
        if &caller.account != declared {
            return Finding::new(
                Verdict::NotMet,
                format!(
                    "STS reports account {}, the case study declares {declared}",
                    caller.account
                ),
            )
            .cite("collection/caller", &caller.sources);
        }
        if input.migrations.is_empty() {
            return no_migrations(input).cite("collection/caller", &caller.sources);
        }
        let mut f = Finding::new(
            Verdict::Met,
            format!(
                "STS GetCallerIdentity reports account {declared} as declared, and it holds {} DMS migration(s) that moved data \
                 ({}){}",
                input.migrations.len(),
                input
                    .migrations
                    .iter()
                    .map(|m| format!("{}: {}", m.id, m.moved_note()))
                    .collect::<Vec<_>>()
                    .join("; "),
                input.unproven_note()
            ),
        )
        .value("account_id", declared.clone())
        .cite("collection/caller", &caller.sources);
        for m in &input.migrations {
            f = f.cite(m.pointer(), &m.sources);
        }
        f
    }
}
