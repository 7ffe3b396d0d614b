//! `fleet` and `fleet-summary`: many case studies, one bundle each, and their summary.

use super::*;

pub(crate) async fn run(args: FleetArgs) -> Result<Exit, Failure> {
    use dms_evidence::fleet::{self, Settings, Shard, Summary};
    let mut manifest = fleet::manifest::load(&args.manifest).map_err(bad_input)?;
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text).map_err(bad_input)?),
        None => Shard::from_env(|k| std::env::var(k).ok(), args.shards).map_err(bad_input)?,
    };
    manifest.concurrency = args.jobs.map_or(manifest.concurrency, usize::from);
    manifest.per_account = args.per_account.map_or(manifest.per_account, usize::from);
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create --out-dir {}", args.out_dir.display()))
        .map_err(bad_input)?;
    let summary_path = args.out_dir.join(Summary::file_name(shard));
    output::check_writable(&summary_path)
        .context("--out-dir is not writable; nothing was collected")
        .map_err(bad_input)?;
    let checklist = load_checklist(args.checklist.as_deref())?;
    let opts = session_options(&args.aws);
    // A KMS key given by id or alias is in the runner's own region.
    let home = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .unwrap_or_else(|| "us-east-1".into());
    let signers = signers(&args.signing, &opts, &home).await?;
    if signers.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "a fleet writes signed bundles: give --key or --kms-key-id"
        )));
    }
    let settings = Settings {
        session: opts,
        concurrency: usize::from(args.aws.concurrency),
        metric_days: args.aws.metric_days,
        out_dir: args.out_dir.clone(),
        resume: args.resume,
        previous: args.previous.clone(),
        previous_keys: trusted_keys(&args.renewal.previous_keys)?,
    };
    if let Some(dir) = &args.previous {
        if !dir.is_dir() {
            return Err(bad_input(anyhow::anyhow!(
                "--previous {} is not a directory: give last year's --out-dir",
                dir.display()
            )));
        }
        if same_file(dir, &args.out_dir) {
            return Err(bad_input(anyhow::anyhow!(
                "--previous and --out-dir are both {}: this run would overwrite the bundles \
                 its chain points at; write this year's run to a new directory",
                dir.display()
            )));
        }
    }
    tracing::info!(case_studies = manifest.entries.len(), shard = ?shard.map(|s| s.to_string()), "fleet starting");
    let summary = fleet::run(
        &manifest,
        shard,
        settings,
        signers,
        checklist,
        output::fleet_progress(),
    )
    .await;
    output::write_json(&summary, Some(&summary_path))
        .context("writing the fleet summary")
        .map_err(failed)?;
    output::write_text(&output::fleet_table(&summary), None)
        .context("writing the fleet table")
        .map_err(failed)?;
    if let Some(days) = args.expiring_within {
        let soon: Vec<(String, Timestamp)> = summary
            .case_studies
            .iter()
            .filter_map(|r| Some((r.id.clone(), r.expires?)))
            .filter(|(_, when)| within(*when, days))
            .collect();
        output::notice(&output::expiring_lines(&soon, days));
    }
    Ok(fleet_code(&summary, args.allow_incomplete))
}

pub(crate) fn fleet_summary(args: FleetSummaryArgs) -> Result<Exit, Failure> {
    use dms_evidence::fleet::Summary;
    let parts = Summary::read_dirs(&args.dirs).map_err(bad_input)?;
    let merged = Summary::merge(parts).map_err(bad_input)?;
    if let Some(out) = &args.out {
        output::write_json(&merged, Some(out))
            .context("writing the merged summary")
            .map_err(failed)?;
    }
    output::write_text(&output::fleet_table(&merged), None)
        .context("writing the fleet table")
        .map_err(failed)?;
    Ok(fleet_code(&merged, args.allow_incomplete))
}

/// 0 every case study ready; 3 some blocked; 5 some renewal regressed; 6 some
/// incomplete; 10 + n when n case studies failed (at most 109): schedulers see at a
/// glance how many need a look.
fn fleet_code(summary: &dms_evidence::fleet::Summary, allow_incomplete: bool) -> Exit {
    use dms_evidence::fleet::Outcome;
    let failed = summary.count(Outcome::Failed);
    if failed > 0 {
        return Exit::FleetFailed(failed);
    }
    if summary.count(Outcome::Incomplete) > 0 && !allow_incomplete {
        return Exit::Incomplete;
    }
    if summary.regressed() > 0 {
        return Exit::Regression;
    }
    if summary.count(Outcome::Blocked) > 0 {
        return Exit::NotMet;
    }
    Exit::Done
}
