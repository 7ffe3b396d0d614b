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
    // The evaluation, at the top level of the document (`findings[]`, `claims[]`, …);
    // absent only before evaluation. Plain fields, not `#[serde(flatten)]`: flattening
    // makes serde buffer the whole document in memory before typing it, which let a
    // hostile file exhaust memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<evaluate::ChecklistRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<evaluate::Finding>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<evaluate::claims::ClaimCheck>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_checks: Option<Vec<evaluate::peer::PeerFinding>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<evaluate::Summary>,
}

impl Evidence {
    /// A document of collected evidence, not yet signed or evaluated.
    pub fn collected(
        case_study: CaseStudyRecord,
        attachments: Vec<HashedAttachment>,
        collection: Collection,
        captures: Vec<Capture>,
        facts: Facts,
        gaps: Vec<Gap>,
    ) -> Self {
        Evidence {
            schema: EVIDENCE_SCHEMA.into(),
            tool: Tool::this(),
            case_study,
            attachments,
            collection,
            captures,
            facts,
            gaps,
            signers: Vec::new(),
            checklist: None,
            as_of: None,
            findings: None,
            claims: None,
            peer_checks: None,
            summary: None,
        }
    }

    /// The evaluation the document carries, if it was evaluated.
    pub fn evaluation(&self) -> Option<Evaluation> {
        Some(Evaluation {
            checklist: self.checklist.clone()?,
            as_of: self.as_of.clone()?,
            findings: self.findings.clone()?,
            claims: self.claims.clone()?,
            peer_checks: self.peer_checks.clone()?,
            summary: self.summary.clone()?,
        })
    }

    pub fn set_evaluation(&mut self, e: Evaluation) {
        self.checklist = Some(e.checklist);
        self.as_of = Some(e.as_of);
        self.findings = Some(e.findings);
        self.claims = Some(e.claims);
        self.peer_checks = Some(e.peer_checks);
        self.summary = Some(e.summary);
    }

    /// The document without its stored evaluation (to judge it again from the facts).
    pub fn without_evaluation(mut self) -> Evidence {
        self.checklist = None;
        self.as_of = None;
        self.findings = None;
        self.claims = None;
        self.peer_checks = None;
        self.summary = None;
        self
    }
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
    /// Attempts retried (throttling, 5xx, timeouts) and the time waited before them.
    #[serde(default)]
    pub retries: crate::capture::Retries,
    /// Names replaced by salted tokens (`collect --redact`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// `true` only when every call answered: a run with gaps is incomplete, and says so
    /// in the signed statement, the verification and the report.
    #[serde(default)]
    pub complete: bool,
    /// Every operation called, per region: responses captured and failures by reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<CallOutcome>,
}

/// What became of the calls of one operation in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallOutcome {
    pub iam_action: String,
    pub region: String,
    /// Responses captured (pages count one each).
    pub responses: usize,
    /// Failed calls by reason (`access denied`, `throttling`, …).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub failed: std::collections::BTreeMap<String, usize>,
}

impl Collection {
    /// The calls made, in one line: `42 responses, 1 failed call, 3 retries (1.2 s waiting)`.
    pub fn calls_line(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {}, {} ({:.1} s waiting)",
            plural(self.calls, "response", "responses"),
            plural(self.failed_calls, "failed call", "failed calls"),
            plural(self.retries.retries, "retry", "retries"),
            self.retries.wait_ms as f64 / 1000.0
        )
    }

    /// One line on what failed, when the collection is incomplete ("" when complete):
    /// `INCOMPLETE: 3 calls failed: dms:DescribeEndpoints in us-east-1 (access denied) …`.
    pub fn incomplete_note(&self) -> String {
        if self.complete {
            return String::new();
        }
        let failed: Vec<String> = self
            .outcomes
            .iter()
            .filter(|o| !o.failed.is_empty())
            .map(|o| {
                let why: Vec<String> = o
                    .failed
                    .iter()
                    .map(|(k, n)| {
                        if *n > 1 {
                            format!("{k} ×{n}")
                        } else {
                            k.clone()
                        }
                    })
                    .collect();
                format!("{} in {} ({})", o.iam_action, o.region, why.join(", "))
            })
            .collect();
        format!(
            "INCOMPLETE: {} call(s) failed: {}",
            self.failed_calls,
            if failed.is_empty() {
                "see gaps".to_string()
            } else {
                failed.join("; ")
            }
        )
    }
}

/// Outcomes per operation and region, from the captures and the gaps.
pub fn outcomes(captures: &[Capture], gaps: &[Gap]) -> Vec<CallOutcome> {
    type Map = std::collections::BTreeMap<(String, String), CallOutcome>;
    fn at<'m>(map: &'m mut Map, action: String, region: &str) -> &'m mut CallOutcome {
        map.entry((action.clone(), region.to_string()))
            .or_insert_with(|| CallOutcome {
                iam_action: action,
                region: region.to_string(),
                responses: 0,
                failed: Default::default(),
            })
    }
    let mut map = Map::new();
    for c in captures {
        let action = crate::collect::operations::iam_action(&c.service, &c.operation);
        at(&mut map, action, &c.region).responses += 1;
    }
    for g in gaps {
        *at(&mut map, g.iam_action.clone(), &g.region)
            .failed
            .entry(g.kind.as_str().to_string())
            .or_default() += 1;
    }
    map.into_values().collect()
}

/// The largest attachment hashed: 1 GiB (read streaming, never whole into memory).
pub const MAX_ATTACHMENT_BYTES: u64 = 1024 * 1024 * 1024;

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
    #[error(
        "attachment for {item}: {path} {problem} (attachments are regular files inside the manifest's folder, up to 1 GiB)"
    )]
    Refused {
        item: String,
        path: String,
        problem: String,
    },
}

/// Hashes every attachment, streaming; a missing, special, oversized or outside file
/// (symlinks resolved) is an error naming it.
pub fn hash_attachments(case: &CaseStudy) -> Result<Vec<HashedAttachment>, AttachmentError> {
    case.attachments.iter().map(|a| hash_one(case, a)).collect()
}

fn hash_one(case: &CaseStudy, a: &Attachment) -> Result<HashedAttachment, AttachmentError> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let path = case.base_dir.join(&a.path);
    let unreadable = |source| AttachmentError::Unreadable {
        item: a.item.clone(),
        path: path.display().to_string(),
        source,
    };
    let refused = |problem: String| AttachmentError::Refused {
        item: a.item.clone(),
        path: path.display().to_string(),
        problem,
    };
    let base = if case.base_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        case.base_dir.as_path()
    };
    let real = path.canonicalize().map_err(unreadable)?;
    let folder = base.canonicalize().map_err(unreadable)?;
    if !real.starts_with(&folder) {
        return Err(refused(format!(
            "resolves to {}, outside the manifest's folder",
            real.display()
        )));
    }
    let meta = std::fs::metadata(&real).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(refused("is not a regular file".into()));
    }
    if meta.len() > MAX_ATTACHMENT_BYTES {
        return Err(refused(format!("is {} bytes", meta.len())));
    }
    let file = std::fs::File::open(&real).map_err(unreadable)?;
    let mut reader = file.take(MAX_ATTACHMENT_BYTES + 1);
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    if size > MAX_ATTACHMENT_BYTES {
        return Err(refused("grew past 1 GiB while being read".into()));
    }
    Ok(HashedAttachment {
        attachment: a.clone(),
        sha256: hex::encode(hasher.finalize()),
        size,
        media_type: a
            .media_type
            .clone()
            .unwrap_or_else(|| media_type(&path).to_string()),
    })
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
    #[error("redacting the evidence failed: {0}")]
    Redact(serde_json::Error),
}

/// Assumes the role, checks the account, collects every region, and returns the
/// evidence document.
/// `attachments` are the case study's, already hashed ([`hash_attachments`]) so that a
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
) -> Result<Evidence, CollectError> {
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
    let collection = Collection {
        started_at,
        finished_at: crate::time::now_rfc3339(),
        caller,
        regions: case.regions.clone(),
        role_session_name: case.session_name.clone(),
        endpoint_override: opts.endpoint_url.clone(),
        calls: captures.len(),
        failed_calls: gaps.len(),
        metrics: ctx.metric_usage(),
        retries: ctx.store.retries(),
        redacted: false,
        complete: gaps.is_empty(),
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
    evidence.set_evaluation(evaluation);
    Ok(evidence)
}
