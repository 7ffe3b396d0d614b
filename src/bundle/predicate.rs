//! The signed statement's predicate: the evidence document, its evaluation and who
//! signed it, as one JSON object (`schema`, `collection`, `facts`, …, `signers`,
//! `findings`, `summary`). Built at seal time; read back by verify, diff and report.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SignerInfo;
use super::renewal::Renewal;
use crate::evaluate::{ChecklistRef, Evaluation, Finding, Summary, claims, peer};
use crate::evidence::{
    Capture, CaseStudyRecord, Collection, Evidence, Gap, HashedAttachment, Tool,
};
use crate::facts::Facts;
use crate::input::{InputFileError, MAX_DOCUMENT_BYTES, read_limited};

/// Evidence, evaluation and signers. Serialised flat: the evidence's fields, then
/// `signers` (when signed), then the evaluation's fields (when evaluated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Wire")]
pub struct Predicate {
    #[serde(flatten)]
    pub evidence: Evidence,
    /// Who signed the bundle (informational; `verify` trusts only its own keys).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<SignerInfo>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// The link to last year's bundle (`collect --previous`), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Renewal>,
}

impl Predicate {
    /// Evidence and its evaluation, not yet signed.
    pub fn new(evidence: Evidence, evaluation: Evaluation) -> Self {
        Predicate {
            evidence,
            signers: Vec::new(),
            evaluation: Some(evaluation),
            renewal: None,
        }
    }

    /// Evidence alone (a document collected or loaded without an evaluation).
    pub fn unevaluated(evidence: Evidence) -> Self {
        Predicate {
            evidence,
            signers: Vec::new(),
            evaluation: None,
            renewal: None,
        }
    }
}

/// The predicate as read. Every field is named here rather than `#[serde(flatten)]`ed
/// on the way in: flattening makes serde buffer the whole document untyped before
/// typing it, which let a hostile file exhaust memory.
#[derive(Deserialize)]
struct Wire {
    schema: String,
    tool: Tool,
    case_study: CaseStudyRecord,
    attachments: Vec<HashedAttachment>,
    collection: Collection,
    captures: Vec<Capture>,
    facts: Facts,
    gaps: Vec<Gap>,
    #[serde(default)]
    signers: Vec<SignerInfo>,
    checklist: Option<ChecklistRef>,
    as_of: Option<crate::time::Timestamp>,
    findings: Option<Vec<Finding>>,
    claims: Option<Vec<claims::ClaimCheck>>,
    peer_checks: Option<Vec<peer::PeerFinding>>,
    summary: Option<Summary>,
    #[serde(default)]
    expiry: Vec<crate::evaluate::expiry::Expiry>,
    #[serde(default)]
    renewal: Option<Renewal>,
}

impl TryFrom<Wire> for Predicate {
    type Error = String;

    fn try_from(w: Wire) -> Result<Self, String> {
        let evaluation = match (
            w.checklist,
            w.as_of,
            w.findings,
            w.claims,
            w.peer_checks,
            w.summary,
        ) {
            (
                Some(checklist),
                Some(as_of),
                Some(findings),
                Some(claims),
                Some(peer_checks),
                Some(summary),
            ) => Some(Evaluation {
                checklist,
                as_of,
                findings,
                claims,
                peer_checks,
                summary,
                expiry: w.expiry,
            }),
            (None, None, None, None, None, None) => None,
            _ => {
                return Err("a partial evaluation: checklist, as_of, findings, claims, \
                            peer_checks and summary come together or not at all"
                    .into());
            }
        };
        Ok(Predicate {
            evidence: Evidence {
                schema: w.schema,
                tool: w.tool,
                case_study: w.case_study,
                attachments: w.attachments,
                collection: w.collection,
                captures: w.captures,
                facts: w.facts,
                gaps: w.gaps,
            },
            signers: w.signers,
            evaluation,
            renewal: w.renewal,
        })
    }
}

#[derive(Deserialize)]
struct Statement {
    predicate: Predicate,
}

/// An evidence document, or the predicate of a bundle (signatures are not checked:
/// `verify` does that), read within the size limit and parsed into its types.
pub fn load(path: &Path) -> Result<Predicate, InputFileError> {
    let bytes = read_limited(path, MAX_DOCUMENT_BYTES)?;
    let invalid = |message: String| InputFileError::Invalid {
        path: path.display().to_string(),
        message,
    };
    // A bundle is read as `verify` reads it: its payload decoded over the file's own bytes,
    // and capture bodies that are spans of it (or of the document) not copied.
    match super::dsse::Parsed::read(bytes) {
        Ok(Ok(parsed)) => {
            let _sharing = crate::evidence::share_from(parsed.shared().0);
            serde_json::from_slice::<Statement>(parsed.payload())
                .map(|s| s.predicate)
                .map_err(|e| invalid(format!("the bundle's statement: {e}")))
        }
        Ok(Err(e)) => Err(invalid(format!("the bundle's envelope: {e}"))),
        Err(bytes) => {
            let bytes = std::sync::Arc::new(bytes);
            let _sharing = crate::evidence::share_from(std::sync::Arc::clone(&bytes));
            serde_json::from_slice::<Predicate>(&bytes).map_err(|e| invalid(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_is_not_a_document() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("small.json");
        std::fs::write(&small, b"[0,0,0,0]").expect("write");
        let err = load(&small).expect_err("not evidence");
        assert!(
            err.to_string().contains("not an evidence document"),
            "{err}"
        );
    }
}
