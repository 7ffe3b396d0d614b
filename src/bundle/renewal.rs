//! A renewal's record in the bundle: the link to the bundle it renews (digest,
//! signatures), the verdict changes since, and the evidence carried forward. Built by
//! [`crate::renewal`]; what can be checked of it without the previous bundle is here,
//! so that `verify` checks it with the rest of the bundle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Predicate, Signature};
use crate::digest::sha256_hex;
use crate::evaluate::change::{ChangeKind, VerdictChange};
use crate::evaluate::{self, Checklist, Finding, Verdict};
use crate::evidence::Capture;

/// What a renewal bundle records about the bundle it renews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Renewal {
    /// The bundle this one renews.
    pub previous: Link,
    /// The previous bundle's signed verdict for each item.
    pub previous_verdicts: BTreeMap<String, Verdict>,
    /// Verdicts that changed since: regressions first, then expired evidence, then
    /// improvements, then the rest.
    pub changes: Vec<VerdictChange>,
    /// How many of `changes` are regressions (not explained by AWS retention).
    pub regressions: usize,
    /// Each `met` whose evidence AWS no longer returns, with that evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried_forward: Vec<Carried>,
    /// The raw captures behind the carried facts (bodies, SHA-256, capture times), each
    /// once, with the bundle they were captured in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub captures: Vec<CarriedCapture>,
    /// Whether nothing blocks the case study when carried-forward items count as met.
    pub ready: bool,
    /// One sentence on that readiness.
    pub readiness: String,
    /// When this version's rules judge the previous bundle's facts differently from its
    /// signed findings (a rule changed between the two versions): how. The comparison
    /// above is with the signed findings, what the previous bundle claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_rejudged: Option<String>,
}

/// A signed bundle in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// SHA-256 of the bundle file's bytes.
    pub sha256: String,
    pub account: String,
    /// When that bundle's collection finished.
    pub collected_at: crate::time::Timestamp,
    /// Its DSSE signatures, as written.
    pub signatures: Vec<Signature>,
}

/// A capture carried forward, as it was in the bundle that first signed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedCapture {
    /// SHA-256 of that bundle (its [`Link::sha256`]).
    pub origin: String,
    pub capture: Capture,
}

/// Evidence carried forward from the bundle it was captured in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Carried {
    pub item: String,
    /// The verdict it gave there (`met`).
    pub verdict: Verdict,
    /// The reason given there, with its values.
    pub reason: String,
    /// The fact pointer (`metrics/AWS/DMS/CDCIncomingChanges/…`, `log_groups/…`).
    pub evidence: String,
    /// From when AWS no longer returns all of it.
    pub expired: crate::time::Timestamp,
    pub basis: String,
    /// The facts, exactly as signed in `origin`.
    pub facts: Vec<Value>,
    /// Ids (in `origin`) of the captures they were read from, kept once each in
    /// [`Renewal::captures`].
    pub captures: Vec<String>,
    /// The bundle the evidence was captured and first signed in.
    pub origin: Link,
}

pub fn regressions(changes: &[VerdictChange]) -> usize {
    changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Regression)
        .count()
}

/// The summary of this year's findings with every carried-forward item counted as
/// the verdict it carries.
pub fn counting_carried(
    findings: &[Finding],
    claims: &[evaluate::claims::ClaimCheck],
    carried: &[Carried],
    checklist: &Checklist,
) -> evaluate::Summary {
    let merged: Vec<Finding> = findings
        .iter()
        .map(|f| match carried.iter().find(|c| c.item == f.item) {
            Some(c) => Finding {
                verdict: c.verdict,
                ..f.clone()
            },
            None => f.clone(),
        })
        .collect();
    evaluate::summarise(&merged, claims, checklist)
}

/// What a verifier can check of a renewal without the previous bundle: every carried
/// capture matches its SHA-256 and facts cite only those captures, the changes agree
/// with the signed findings, and the regressions and readiness are counted right.
pub fn check(
    renewal: &Renewal,
    predicate: &Predicate,
    checklist: &Checklist,
) -> Result<String, String> {
    let Some(eval) = &predicate.evaluation else {
        return Err("a renewal without an evaluation".into());
    };
    let mut bad = Vec::new();
    for carried in &renewal.captures {
        let cap = &carried.capture;
        if cap.body_bytes().map(|b| sha256_hex(&b)).ok().as_ref() != Some(&cap.sha256) {
            bad.push(format!(
                "carried capture {} does not match its SHA-256",
                cap.id
            ));
        }
    }
    for c in &renewal.carried_forward {
        let kept = |id: &String| {
            renewal
                .captures
                .iter()
                .any(|k| k.origin == c.origin.sha256 && &k.capture.id == id)
        };
        if let Some(missing) = c.captures.iter().find(|id| !kept(id)) {
            bad.push(format!(
                "{} cites capture {missing}, which is not carried",
                c.item
            ));
        }
        let today = eval.findings.iter().find(|f| f.item == c.item);
        if today.is_none_or(|f| f.verdict != Verdict::InsufficientEvidence) {
            bad.push(format!(
                "{} is carried forward but is not short of evidence today",
                c.item
            ));
        }
    }
    for change in &renewal.changes {
        let today = eval.findings.iter().find(|f| f.item == change.item);
        if today.map(|f| f.verdict) != change.new {
            bad.push(format!(
                "the change of {} is not this bundle's verdict",
                change.item
            ));
        }
        if renewal.previous_verdicts.get(&change.item).copied() != change.old {
            bad.push(format!(
                "the change of {} is not the previous verdict",
                change.item
            ));
        }
    }
    if renewal.regressions != regressions(&renewal.changes) {
        bad.push("the regressions are miscounted".into());
    }
    let summary = counting_carried(
        &eval.findings,
        &eval.claims,
        &renewal.carried_forward,
        checklist,
    );
    if summary.ready != renewal.ready {
        bad.push("the readiness counting carried-forward evidence is wrong".into());
    }
    if !bad.is_empty() {
        return Err(bad.join("; "));
    }
    Ok(format!(
        "renews {}… of {}: {} regression(s), {} item(s) carried forward",
        crate::text::prefix(&renewal.previous.sha256, 12),
        renewal.previous.collected_at,
        renewal.regressions,
        renewal.carried_forward.len()
    ))
}
