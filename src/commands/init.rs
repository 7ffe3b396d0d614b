//! `init`: a case-study manifest to fill in, with the customer's instructions.

use super::*;

/// An example answer for each statement key the checklist reads (shown commented out:
/// an empty statement must not read as an answer).
const EXAMPLES: &[(&str, &str)] = &[
    ("apn_tier", "Advanced Consulting Partner"),
    (
        "production",
        "The migrated database serves the customer's production order processing.",
    ),
    ("customer_name", "Example Corp"),
    (
        "problem",
        "An on-premises Oracle database with rising licence costs and no disaster recovery.",
    ),
    (
        "proposal",
        "Move the database to Aurora PostgreSQL with AWS DMS (full load and CDC).",
    ),
    (
        "services_used",
        "AWS DMS, AWS SCT, Aurora PostgreSQL, KMS, CloudWatch.",
    ),
    ("third_party", "None."),
    ("start_date", "2026-03-01"),
    ("end_date", "2026-06-30"),
    (
        "outcomes",
        "Cut-over in a 20-minute window; licence costs down 60 %.",
    ),
    (
        "lessons_learned",
        "Start validation early; size LOB columns before choosing limited LOB mode.",
    ),
    (
        "landing_page_url",
        "https://partner.example.com/case-studies/example-corp",
    ),
    (
        "sct_vs_native",
        "SCT for schema conversion; native tools were rejected for a heterogeneous move.",
    ),
    (
        "dms_limits",
        "Checked account quotas and task-setting limits during design.",
    ),
    (
        "environment_summary",
        "A 78 GB Oracle 19c database (120 tables) replicated to Aurora PostgreSQL.",
    ),
    (
        "diagram_best_practices",
        "The diagram shows private subnets, Multi-AZ replication, SSL and KMS keys.",
    ),
    (
        "iam_permissions",
        "Operators use a tag-scoped customer policy; DMS service roles are the defaults.",
    ),
    (
        "uat",
        "Two weeks of user acceptance testing on a CDC-synchronised copy.",
    ),
    (
        "large_databases",
        "The 1.2 TB warehouse was split into parallel-load tasks by partition.",
    ),
    (
        "target_sizing",
        "Aurora db.r6g.2xlarge sized from two weeks of source CPU and IOPS.",
    ),
    (
        "source_load",
        "Full load ran at night with ParallelLoadThreads 8; source CPU stayed under 60 %.",
    ),
    (
        "schema_conversion",
        "AWS SCT converted 95 % of the schema; the rest was rewritten by hand.",
    ),
    ("anticipated_growth", "About 5 GB a month."),
    (
        "anticipated_concurrency",
        "About 300 concurrent sessions at peak.",
    ),
    ("anticipated_read_pct", "70"),
    ("anticipated_write_pct", "30"),
];

/// The claims a partner may make, checked against the facts (`casestudy::Claims`).
const CLAIMS: &[(&str, &str, &str)] = &[
    (
        "database_size_gb",
        "80",
        "the migrated database's size (dms.1.0.size, 2.2 initial size)",
    ),
    (
        "source_engine",
        "\"oracle\"",
        "the source engine (2.1 deployment patterns)",
    ),
    (
        "target_engine",
        "\"aurora-postgresql\"",
        "the target engine (2.1 deployment patterns)",
    ),
    (
        "source_hosting",
        "\"on-premises\"",
        "on-premises, ec2, rds, aurora or other-cloud (2.1 deployment patterns)",
    ),
    (
        "cdc_used",
        "true",
        "whether ongoing replication ran (dms.1.0.mig.cdc, 2.1 workloads)",
    ),
    ("tables", "120", "tables migrated (2.2 tables)"),
    (
        "start_date",
        "\"2026-03-01\"",
        "when the migration started (YYYY-MM-DD)",
    ),
    ("end_date", "\"2026-06-30\"", "when it ended"),
];

pub(crate) fn run(args: InitArgs) -> Result<Exit, Failure> {
    casestudy::validate_account(&args.account_id)
        .map_err(|e| bad_input(anyhow::anyhow!("--account-id: {e}")))?;
    if let Some(id) = &args.collector_account_id {
        casestudy::validate_account(id)
            .map_err(|e| bad_input(anyhow::anyhow!("--collector-account-id: {e}")))?;
    }
    if let Some(r) = args
        .regions
        .iter()
        .find(|r| !dms_evidence::regions::is_known(r))
    {
        return Err(bad_input(anyhow::anyhow!(
            "--region {r}: not an AWS region this build knows (e.g. us-east-1)"
        )));
    }
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| failed(anyhow::anyhow!("no random external id: {e}")))?;
    let external_id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let text = manifest(&args, &external_id, &checklist::load_default());
    dms_evidence::files::write(
        &args.out,
        text.as_bytes(),
        0o600,
        dms_evidence::files::Existing::Keep,
    )
    .map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{}: {e} (init never replaces a file; choose another --out)",
            args.out.display()
        ))
    })?;
    tracing::info!(path = %args.out.display(), "case-study manifest written");
    output::write_text(
        &format!(
            "{} written: send the customer the CloudFormation command at its top, then fill in its statements\n",
            args.out.display()
        ),
        None,
    )
    .map_err(failed)?;
    Ok(Exit::Done)
}

/// The manifest's text: instructions, identity, then every statement and claim.
fn manifest(args: &InitArgs, external_id: &str, checklist: &Checklist) -> String {
    let collector = args
        .collector_account_id
        .clone()
        .unwrap_or_else(|| "<the account that runs dms-evidence>".into());
    let regions: Vec<String> = args.regions.iter().map(|r| quoted(r)).collect();
    let mut out = format!(
        "# A dms-evidence case study (written by `dms-evidence init`).\n#\n\
         # 1. The customer deploys the read-only role in account {account} (the template is\n\
         #    policies/dms-evidence-readonly-role.cfn.yaml; it grants only the reads in\n\
         #    policies/dms-evidence-readonly-policy.json):\n#\n\
         #      aws cloudformation deploy --stack-name dms-evidence-readonly \\\n\
         #        --template-file dms-evidence-readonly-role.cfn.yaml --capabilities CAPABILITY_NAMED_IAM \\\n\
         #        --parameter-overrides CollectorAccountId={collector} ExternalId={external_id} RoleName={role}\n#\n\
         #    Keep the external id private between you and the customer. CostExplorer=false\n\
         #    leaves out the optional Cost Explorer read (billed DMS months, supporting only);\n\
         #    TrailBucket=<bucket> lets it read a CloudTrail trail's log files ([trail] below).\n\
         # 2. Fill in the statements and claims below (uncomment each line you answer).\n\
         # 3. dms-evidence collect --case-study <this file> --key <signing key> --out bundle.json\n\n\
         # name = \"Oracle to Aurora PostgreSQL for Example Corp\"\naccount_id = {account_q}\nrole_arn = {role_arn}\nexternal_id = {external_q}\nregions = [{regions}]\n\n\
         [statements]\n# Partner statements: the text that answers the human part of each item.\n",
        account = args.account_id,
        role = args.role_name,
        account_q = quoted(&args.account_id),
        role_arn = quoted(&format!(
            "arn:aws:iam::{}:role/{}",
            args.account_id, args.role_name
        )),
        external_q = quoted(external_id),
        regions = regions.join(", "),
    );
    for (key, items) in statement_keys(checklist) {
        let example = EXAMPLES
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("…", |(_, e)| e);
        out.push_str(&format!(
            "\n# {}\n# {key} = {}\n",
            items.join("; "),
            quoted(example)
        ));
    }
    out.push_str("\n[claims]\n# Claims: checked against what the account shows (docs/checklist.md, claims).\n");
    for (key, example, what) in CLAIMS {
        out.push_str(&format!("\n# {what}\n# {key} = {example}\n"));
    }
    out.push_str(
        "\n# A migration that ran more than 90 days ago (past CloudTrail event history): the\n\
         # trail that logged the account, read from `since` (docs/cli.md, [trail]).\n\
         # [trail]\n# bucket = \"acme-cloudtrail-logs\"\n# prefix = \"org/main\"\n# since = \"2026-01-05\"\n\
         # Its log files must check against its signed digest files (log file validation); for a\n\
         # trail that had validation off, say so (the bundle records it):\n# validation = \"off\"\n",
    );
    out.push_str(
        "\n# Attachments (diagrams, SCT reports) for the items that ask for them:\n\
         # [[attachments]]\n# item = \"pre.3.1.diagram-services\"\n\
         # path = \"attachments/architecture.svg\"\n# description = \"Architecture diagram\"\n",
    );
    out
}

/// Each statement key the checklist reads, with the items (id: text) it serves.
fn statement_keys(checklist: &Checklist) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |key: &str, item: String| match keys.iter_mut().find(|(k, _)| k == key) {
        Some((_, items)) => items.push(item),
        None => keys.push((key.to_string(), vec![item])),
    };
    for item in &checklist.items {
        let served = format!("{}: {}", item.id, item.text);
        for key in &item.statements {
            add(key, served.clone());
        }
        // The project dates are read by their rule, not named as parameters.
        if item.id == "pre.2.1.dates" {
            add("start_date", served.clone());
            add("end_date", served);
        }
    }
    keys
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_the_checklist_reads_has_an_example() {
        for (key, items) in statement_keys(&checklist::load_default()) {
            assert!(
                EXAMPLES.iter().any(|(k, _)| *k == key),
                "{key} ({}) has no example",
                items.join("; ")
            );
        }
    }
}
