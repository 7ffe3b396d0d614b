//! `collect`: one case study collected, judged, signed and written (with `--previous`, a renewal).

use super::*;

pub(crate) async fn run(args: CollectArgs) -> Result<Exit, Failure> {
    let case = case_study(&args.target)?;
    // Everything that can be wrong with the input is found before any AWS call.
    if let Some(out) = &args.out {
        output::check_writable(out)
            .context("--out is not writable; nothing was collected")
            .map_err(bad_input)?;
    }
    let opts = session_options(&args.aws);
    let checklist = load_checklist(args.checklist.as_deref())?;
    let items: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
    case.check_attachment_items(&items).map_err(bad_input)?;
    let attachments = evidence::hash_attachments(&case).map_err(bad_input)?;
    let signers = signers(&args.signing, &opts, &case.regions[0]).await?;
    let previous = match &args.previous {
        Some(path) if args.out.as_deref().is_some_and(|out| same_file(path, out)) => {
            return Err(bad_input(anyhow::anyhow!(
                "--previous and --out are both {}: the renewal would overwrite the bundle \
                 its chain points at; write it to a new file",
                path.display()
            )));
        }
        Some(path) => Some(previous_bundle(
            path,
            &case,
            &signers,
            &args.renewal,
            &checklist,
        )?),
        None => None,
    };
    let salt = match (&args.redact, &args.redact_salt) {
        (true, Some(path)) => Some(redact_salt(path)?),
        _ => None,
    };
    let mut plan = Plan::new(&case.account_id, case.regions.clone());
    plan.concurrency = usize::from(args.aws.concurrency);
    plan.metric_days = args.aws.metric_days;
    let salt = salt.as_ref().map(|s| s.as_slice());
    let mut doc = pipeline::collect(&case, attachments, &opts, plan, &checklist, salt)
        .await
        .map_err(|e| match e {
            CollectError::Attachment(_) => bad_input(e),
            CollectError::Session(_) | CollectError::Redact(_) => failed(e),
        })?;
    if let Some(prev) = &previous {
        renew(&mut doc, prev, &checklist)?;
    }
    let code = collect_code(&doc, args.allow_incomplete);
    if let (Some(days), Some(eval)) = (args.expiring_within, &doc.evaluation) {
        let soon: Vec<(String, Timestamp)> = eval
            .expiry
            .iter()
            .filter(|x| within(x.expires, days))
            .map(|x| {
                (
                    format!("{} ({}, {})", x.item, x.evidence, x.basis),
                    x.expires,
                )
            })
            .collect();
        output::notice(&output::expiring_lines(&soon, days));
    }
    if signers.is_empty() {
        output::write_json(&doc, args.out.as_deref())
    } else {
        let envelope = bundle::seal(doc, &signers).await.map_err(failed)?;
        output::write_json(&envelope, args.out.as_deref())
    }
    .context("writing the evidence")
    .map_err(failed)?;
    Ok(code)
}

/// 6 when calls failed (unless allowed); for a renewal 5 on a regression, else 3
/// unless ready counting carried-forward evidence; otherwise the evaluation's code.
fn collect_code(doc: &bundle::Predicate, allow_incomplete: bool) -> Exit {
    let collection = &doc.evidence.collection;
    tracing::info!("AWS calls: {}", collection.calls_line());
    if !collection.complete {
        tracing::warn!("{}", collection.incomplete_note());
        if !allow_incomplete {
            return Exit::Incomplete;
        }
    }
    match &doc.renewal {
        Some(r) if r.regressions > 0 => Exit::Regression,
        Some(r) if r.ready => Exit::Done,
        Some(_) => Exit::NotMet,
        None => doc.evaluation.as_ref().map_or(Exit::Done, verdict_code),
    }
}

/// Links the collected document to last year's bundle and shows the renewal diff
/// (judged as `diff` judges it, from both evaluations as signed).
fn renew(
    doc: &mut bundle::Predicate,
    prev: &dms_evidence::renewal::Previous,
    checklist: &Checklist,
) -> Result<(), Failure> {
    doc.renewal = Some(
        dms_evidence::renewal::renew(prev, doc, checklist)
            .context("renewing --previous")
            .map_err(bad_input)?,
    );
    if let (Some(old_eval), Some(new_eval)) = (&prev.predicate.evaluation, &doc.evaluation) {
        let d = dms_evidence::diff::diff(
            &prev.predicate.evidence,
            &doc.evidence,
            old_eval,
            new_eval,
            checklist,
        );
        output::notice(&output::diff_text(&d));
    }
    Ok(())
}
