//! The collection run: assume the role, collect every region, build the evidence
//! document, redact it when asked, and evaluate it (collect → facts → evaluate).

use aws_config::SdkConfig;

use crate::bundle::Predicate;
use crate::casestudy::CaseStudy;
use crate::collect::capture::CaptureStore;
use crate::collect::{self, Context, Plan};
use crate::digest::sha256_hex;
use crate::evaluate::{self, Checklist};
use crate::evidence::{
    AttachmentError, CaseStudyRecord, Collection, Evidence, HashedAttachment, outcomes,
};
use crate::session::{self, SessionError, SessionOptions};

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("redacting the evidence failed: {0}")]
    Redact(serde_json::Error),
}

/// Assumes the role, checks the account, collects every region, and returns the
/// evidence document with its evaluation, ready to seal.
/// `attachments` are the case study's, already hashed
/// ([`crate::evidence::hash_attachments`]) so that a
/// bad one is reported before any AWS call.
/// With `redact_salt`, names are replaced by salted tokens before the evaluation (see
/// [`crate::redact::pseudonym`]), so a redacted bundle verifies like any other.
pub async fn collect(
    case: &CaseStudy,
    attachments: Vec<HashedAttachment>,
    opts: &SessionOptions,
    mut plan: Plan,
    checklist: &Checklist,
    redact_salt: Option<&[u8]>,
) -> Result<Predicate, CollectError> {
    let started_at = crate::time::Timestamp::now();
    let home = case
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".into());
    let base = session::base_config(opts, &home).await;
    let config: SdkConfig = session::assume_role(
        &base,
        &case.role_arn,
        case.external_id.as_deref(),
        &case.session_name,
        opts.role_session_seconds,
    )
    .await;
    let store = CaptureStore::new();
    tracing::info!(role = %case.role_arn, account = %case.account_id, "assuming the case study's role");
    let caller =
        session::verify_identity(&config, &store, &case.role_arn, &case.account_id).await?;
    plan.account_id = case.account_id.clone();
    plan.regions = case.regions.clone();
    plan.trail = case.trail.clone();
    plan.deleted_tasks = case.deleted_tasks.clone();
    let ctx = Context::new(store).with_error_attempts(opts.max_attempts);
    let facts = collect::collect(&plan, &config, &ctx).await;
    let captures = ctx.store.snapshot();
    let gaps = ctx.gaps();
    tracing::info!(
        captures = captures.len(),
        gaps = gaps.len(),
        "collection finished"
    );
    let collection = Collection {
        started_at,
        finished_at: crate::time::Timestamp::now(),
        caller,
        regions: case.regions.clone(),
        role_session_name: case.session_name.clone(),
        endpoint_override: opts.endpoint_url.clone(),
        calls: captures.len(),
        failed_calls: gaps.len(),
        metrics: ctx.metric_usage(),
        retries: ctx.store.retries(),
        redacted: false,
        complete: gaps
            .iter()
            .all(|g| crate::operations::is_optional(&g.iam_action)),
        outcomes: outcomes(&captures, &gaps),
    };
    let record = CaseStudyRecord {
        case_study: case.clone(),
        external_id_sha256: case
            .external_id
            .as_deref()
            .map(|e| sha256_hex(e.as_bytes())),
    };
    let mut evidence = Evidence::collected(record, attachments, collection, captures, facts, gaps);
    if let Some(salt) = redact_salt {
        crate::redact::pseudonym::Pseudonymizer::new(salt)
            .evidence(&mut evidence)
            .map_err(CollectError::Redact)?;
        evidence.collection.redacted = true;
    }
    let evaluation = evaluate::evaluate(&evidence, checklist);
    Ok(Predicate::new(evidence, evaluation))
}
