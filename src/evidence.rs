//! The evidence document: what was asked (case study), how and when it was read
//! (collection), the raw captures, the facts, the gaps, and the partner's hashed
//! attachments. It becomes the predicate of the signed bundle.

use std::path::Path;

use aws_config::SdkConfig;
use serde::{Deserialize, Serialize};

use crate::capture::{Capture, CaptureStore, sha256_hex};
use crate::casestudy::{Attachment, CaseStudy};
use crate::collect::{self, Context, Gap, Plan};
use crate::evaluate::{self, Checklist, Evaluation};
use crate::facts::Facts;
use crate::session::{self, CallerIdentity, SessionError, SessionOptions};

/// Identifies the evidence document format (and its JSON Schema in docs/).
pub const EVIDENCE_SCHEMA: &str = "https://dms-evidence.dev/schemas/evidence/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema: String,
    pub tool: Tool,
    pub case_study: CaseStudyRecord,
    pub attachments: Vec<HashedAttachment>,
    pub collection: Collection,
    pub captures: Vec<Capture>,
    pub facts: Facts,
    pub gaps: Vec<Gap>,
    /// Who signed the bundle this document is the predicate of (informational).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<crate::bundle::SignerInfo>,
    /// Findings, claims, peer checks and summary, at the top level of the document
    /// (`findings[]`, `claims[]`, …); absent only before evaluation.
    #[serde(flatten)]
    pub evaluation: Option<Evaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The case study as recorded: the external id only as a SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStudyRecord {
    #[serde(flatten)]
    pub case_study: CaseStudy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashedAttachment {
    #[serde(flatten)]
    pub attachment: Attachment,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    pub started_at: String,
    pub finished_at: String,
    pub caller: CallerIdentity,
    pub regions: Vec<String>,
    pub role_session_name: String,
    /// Set when every client was pointed at a non-AWS endpoint (an emulator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_override: Option<String>,
    /// Number of AWS responses captured, and of calls that failed.
    pub calls: usize,
    pub failed_calls: usize,
    /// CloudWatch GetMetricData: series, queries, calls, pages, datapoints, cost.
    #[serde(default)]
    pub metrics: crate::collect::cloudwatch::MetricUsage,
}

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error(
        "attachment for {item}: cannot read {path}: {source} (fix the path in the case-study manifest)"
    )]
    Unreadable {
        item: String,
        path: String,
        source: std::io::Error,
    },
}

/// Hashes every attachment; a missing or unreadable file is an error.
pub fn hash_attachments(case: &CaseStudy) -> Result<Vec<HashedAttachment>, AttachmentError> {
    case.attachments
        .iter()
        .map(|a| {
            let path = case.base_dir.join(&a.path);
            let bytes = std::fs::read(&path).map_err(|source| AttachmentError::Unreadable {
                item: a.item.clone(),
                path: path.display().to_string(),
                source,
            })?;
            Ok(HashedAttachment {
                attachment: a.clone(),
                sha256: sha256_hex(&bytes),
                size: bytes.len() as u64,
                media_type: a
                    .media_type
                    .clone()
                    .unwrap_or_else(|| media_type(&path).to_string()),
            })
        })
        .collect()
}

fn media_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("html" | "htm") => "text/html",
        Some("md") => "text/markdown",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Assumes the role, checks the account, collects every region, and returns the
/// evidence document.
pub async fn collect(
    case: &CaseStudy,
    opts: &SessionOptions,
    mut plan: Plan,
    checklist: &Checklist,
) -> Result<Evidence, CollectError> {
    let attachments = hash_attachments(case)?;
    let started_at = crate::time::now_rfc3339();
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
    let ctx = Context::new(store);
    let facts = collect::collect(&plan, &config, &ctx).await;
    let captures = ctx.store.snapshot();
    let gaps = ctx.gaps();
    tracing::info!(
        captures = captures.len(),
        gaps = gaps.len(),
        "collection finished"
    );
    let mut evidence = Evidence {
        schema: EVIDENCE_SCHEMA.into(),
        tool: Tool::this(),
        case_study: CaseStudyRecord {
            case_study: case.clone(),
            external_id_sha256: case
                .external_id
                .as_deref()
                .map(|e| sha256_hex(e.as_bytes())),
        },
        attachments,
        collection: Collection {
            started_at,
            finished_at: crate::time::now_rfc3339(),
            caller,
            regions: case.regions.clone(),
            role_session_name: case.session_name.clone(),
            endpoint_override: opts.endpoint_url.clone(),
            calls: captures.len(),
            failed_calls: gaps.len(),
            metrics: ctx.metric_usage(),
        },
        captures,
        facts,
        gaps,
        signers: Vec::new(),
        evaluation: None,
    };
    evidence.evaluation = Some(evaluate::evaluate(&evidence, checklist));
    Ok(evidence)
}
