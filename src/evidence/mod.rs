//! The evidence document: what was asked (case study), how and when it was read
//! (collection), the raw captures, the facts, the gaps, and the partner's hashed
//! attachments. Plain data that depends on no stage: collection fills it, the
//! evaluation reads it, and the bundle signs it with the evaluation
//! ([`crate::bundle::Predicate`]).

mod attachments;
mod capture;
mod gap;

use serde::{Deserialize, Serialize};

pub use attachments::{AttachmentError, HashedAttachment, MAX_ATTACHMENT_BYTES, hash_attachments};
pub use capture::{Body, Capture, Retries, SharingGuard, share_from, without_parts};
pub use gap::{Gap, GapKind};

use crate::casestudy::CaseStudy;
use crate::facts::Facts;
use crate::time::Timestamp;

/// Identifies the evidence document format (and its JSON Schema in docs/).
pub const EVIDENCE_SCHEMA: &str = "https://dms-evidence.dev/schemas/evidence/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema: String,
    pub tool: Tool,
    pub case_study: CaseStudyRecord,
    pub attachments: Vec<HashedAttachment>,
    pub collection: Collection,
    /// Written as `[]` inside [`capture::without_parts`] (a verifier's writing of the
    /// rest of a bundle).
    #[serde(serialize_with = "capture::elidable")]
    pub captures: Vec<Capture>,
    /// Written as `{}` inside [`capture::without_parts`].
    #[serde(serialize_with = "capture::elidable_facts")]
    pub facts: Facts,
    pub gaps: Vec<Gap>,
}

impl Evidence {
    /// A document of collected evidence, not yet evaluated or signed.
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
        }
    }
}

/// What reading the CloudWatch metrics cost, for the collection summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricUsage {
    pub series: usize,
    /// Metric queries sent (each counts as one metric requested).
    pub queries: usize,
    pub calls: usize,
    pub pages: usize,
    pub datapoints: usize,
    /// `queries` at the GetMetricData list price.
    pub estimated_cost_usd: f64,
}

/// Who the collection ran as, from STS GetCallerIdentity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
    pub sources: Vec<String>,
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
pub struct Collection {
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
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
    pub metrics: MetricUsage,
    /// Attempts retried (throttling, 5xx, timeouts) and the time waited before them.
    #[serde(default)]
    pub retries: Retries,
    /// Names replaced by salted tokens (`collect --redact`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// `true` only when every call the collection needs answered: a run with gaps is
    /// incomplete, and says so in the signed statement, the verification and the report.
    /// An optional read (`optional` in `policies/operations.json`: Cost Explorer) that
    /// failed is a gap, not incompleteness: no item rests on it.
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
        let action = crate::operations::iam_action(&c.service, &c.operation);
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
