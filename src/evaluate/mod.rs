//! Evaluate: turns facts into verdicts, item by item, with the values and evidence
//! each verdict rests on. Rules are pure functions of the evidence document; they
//! never call AWS. Absence is never compliance: missing data, deleted resources and
//! gaps give `insufficient_evidence`.

pub mod change;
pub mod checklist;
pub mod claims;
pub mod expiry;
pub mod page;
pub mod peer;
#[cfg(test)]
pub(crate) mod properties;
pub mod rules;
pub mod view;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::evidence::Evidence;
pub use checklist::{Checklist, Item};

/// A checklist item's verdict. Its JSON form is [`Verdict::as_str`], the one place the
/// names are spelt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Verdict {
    Met,
    NotMet,
    InsufficientEvidence,
    NotApplicable,
    AttestationRequired,
    Attested,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::Met,
        Verdict::NotMet,
        Verdict::InsufficientEvidence,
        Verdict::NotApplicable,
        Verdict::AttestationRequired,
        Verdict::Attested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::InsufficientEvidence => "insufficient_evidence",
            Verdict::NotApplicable => "not_applicable",
            Verdict::AttestationRequired => "attestation_required",
            Verdict::Attested => "attested",
        }
    }
}

impl From<Verdict> for &'static str {
    fn from(v: Verdict) -> Self {
        v.as_str()
    }
}

impl TryFrom<String> for Verdict {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
                format!(
                    "unknown verdict `{s}`, expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// One checklist item's verdict and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub item: String,
    pub section: String,
    pub verdict: Verdict,
    /// One sentence quoting the concrete values.
    pub reason: String,
    /// The values the verdict rests on (observed, and anticipated where the partner gave them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Value>,
    /// Pointers to facts (`endpoints/<arn>`, `metrics/AWS/DMS/CPUUtilization/<id>` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Ids of the raw captures behind those facts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

impl Finding {
    pub fn new(verdict: Verdict, reason: impl Into<String>) -> Finding {
        Finding {
            item: String::new(),
            section: String::new(),
            verdict,
            reason: reason.into(),
            values: BTreeMap::new(),
            evidence: Vec::new(),
            sources: Vec::new(),
            remediation: None,
        }
    }

    pub fn value(mut self, key: &str, value: impl Into<Value>) -> Finding {
        self.values.insert(key.to_string(), value.into());
        self
    }

    pub fn cite(mut self, pointer: impl Into<String>, sources: &[String]) -> Finding {
        self.add_citation(pointer, sources);
        self
    }

    /// [`Finding::cite`] in place.
    pub fn add_citation(&mut self, pointer: impl Into<String>, sources: &[String]) {
        let pointer = pointer.into();
        if !self.evidence.contains(&pointer) {
            self.evidence.push(pointer);
        }
        for s in sources {
            if !self.sources.contains(s) {
                self.sources.push(s.clone());
            }
        }
    }

    pub fn remedy(mut self, text: impl Into<String>) -> Finding {
        self.remediation = Some(text.into());
        self
    }

    /// A positive verdict (met, attested) must cite the evidence it rests on: a finding
    /// without one is refused, as zizmor's `FindingBuilder::build` refuses a finding
    /// without a location. Every rule's finding passes here ([`rules::RuleDef::run`]),
    /// so an uncited `met` cannot reach an evaluation.
    pub fn build(self) -> Result<Finding, Uncited> {
        if matches!(self.verdict, Verdict::Met | Verdict::Attested) && self.evidence.is_empty() {
            return Err(Uncited {
                verdict: self.verdict,
                reason: self.reason,
            });
        }
        Ok(self)
    }

    fn finish(mut self, item: &Item, hint: &str) -> Finding {
        self.item = item.id.clone();
        self.section = item.section.clone();
        self.sources.sort();
        if matches!(
            self.verdict,
            Verdict::NotMet | Verdict::InsufficientEvidence | Verdict::AttestationRequired
        ) && self.remediation.is_none()
            && !hint.is_empty()
        {
            self.remediation = Some(hint.to_string());
        }
        self
    }
}

/// A rule concluded a positive verdict without citing any evidence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a rule concluded {} without citing the evidence it rests on ({reason})", .verdict.as_str())]
pub struct Uncited {
    pub verdict: Verdict,
    pub reason: String,
}

/// Counts per verdict, the groups of alternatives, and what blocks the case study.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub items: usize,
    pub verdicts: BTreeMap<String, usize>,
    /// For each group of alternatives (2.1 deployment / workload pattern), the items
    /// of it that are met or attested.
    pub groups: BTreeMap<String, Vec<String>>,
    /// One sentence on the groups (2.1 needs one deployment and one workload pattern).
    pub patterns: String,
    pub claims: BTreeMap<String, usize>,
    /// Everything that keeps the case study from passing: each item outside a group
    /// that is not met, attested or not applicable, and each group none of whose
    /// items is met or attested.
    pub blockers: Vec<Blocker>,
    /// True only when nothing blocks: every item met, attested or not applicable.
    pub ready: bool,
}

impl Summary {
    /// One sentence: is the case study ready, and if not, which items block it.
    pub fn readiness(&self) -> String {
        if self.ready {
            "Ready: every item is met, attested or not applicable.".to_string()
        } else {
            format!(
                "Not ready: {} item(s) block the case study: {}.",
                self.blockers.len(),
                self.blockers
                    .iter()
                    .map(|b| format!("{} ({})", b.item, b.verdict.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// An item (or a group of alternatives) that keeps the case study from passing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    /// The item id, or `group:<name>` for a group of alternatives.
    pub item: String,
    pub verdict: Verdict,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub checklist: ChecklistRef,
    /// The moment the evaluation is about (the end of collection), for reproducibility.
    pub as_of: crate::time::Timestamp,
    pub findings: Vec<Finding>,
    pub claims: Vec<claims::ClaimCheck>,
    pub peer_checks: Vec<peer::PeerFinding>,
    pub summary: Summary,
    /// When the time-limited AWS data behind each `met` starts to disappear from AWS
    /// (absent from bundles made before it was reported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiry: Vec<expiry::Expiry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

/// Evaluates every checklist item, the claims and the peer checks. Deterministic:
/// the same evidence and checklist give the same result, in checklist order.
pub fn evaluate(evidence: &Evidence, checklist: &Checklist) -> Evaluation {
    let input = view::Input::new(evidence);
    let findings: Vec<Finding> = checklist
        .items
        .iter()
        .map(|item| {
            let f = item.rule.run(&input, item);
            name_deletions(&input, f).finish(item, item.rule.remediation)
        })
        .collect();
    let claims = claims::check_all(&input);
    let peer_checks = peer::run(&input, &checklist.required_tag_keys);
    let summary = summarise(&findings, &claims, checklist);
    let expiry = expiry::expiries(&input, &findings, checklist);
    Evaluation {
        checklist: ChecklistRef {
            id: checklist.id.clone(),
            version: checklist.version.clone(),
            sha256: checklist.sha256.clone(),
        },
        as_of: evidence.collection.finished_at,
        findings,
        claims,
        peer_checks,
        summary,
        expiry,
    }
}

/// A finding resting on a task, serverless replication, endpoint or replication instance
/// deleted since says so, with the CloudTrail event that shows it ("t1 deleted on
/// 2026-10-20, from CloudTrail event …"), unless its reason already names that event; one
/// resting on a task known only from its traces says what named it.
fn name_deletions(input: &view::Input<'_>, mut f: Finding) -> Finding {
    use view::deleted;
    let facts = input.facts;
    let mut notes = Vec::new();
    for pointer in &f.evidence {
        let gone = if let Some(arn) = pointer.strip_prefix("endpoints/") {
            let e = facts.endpoints.iter().find(|e| e.arn == arn);
            e.and_then(|e| {
                Some((
                    e.identifier.as_str(),
                    deleted(e.deleted_at, &e.history, "DeleteEndpoint")?,
                ))
            })
        } else if let Some(arn) = pointer.strip_prefix("replication_instances/") {
            let i = facts.replication_instances.iter().find(|i| i.arn == arn);
            i.and_then(|i| {
                Some((
                    i.identifier.as_str(),
                    deleted(i.deleted_at, &i.history, "DeleteReplicationInstance")?,
                ))
            })
        } else {
            let m = input.every_migration().find(|m| m.pointer() == *pointer);
            if let Some((id, trace)) = m.and_then(|m| Some((m.id, m.trace()?))) {
                let how = format!("known only from {}", trace.named_by());
                if !f.reason.contains(&how) {
                    notes.push(format!("{id} is {how} and its CloudWatch series"));
                }
                // Why no history names it, when that is a denied read.
                const LOOKUP: &str = "cloudtrail:LookupEvents";
                if let Some(denied) = input.gap_note(&[LOOKUP])
                    && !f.reason.contains(LOOKUP)
                    && !notes.iter().any(|n| n.contains(LOOKUP))
                {
                    notes.push(format!(
                        "{denied}: CloudTrail event history would show more of {id}"
                    ));
                }
            }
            m.and_then(|m| Some((m.id, m.deleted?)))
        };
        if let Some((id, (at, event))) = gone
            && !event.is_empty()
            && !f.reason.contains(event)
        {
            notes.push(format!(
                "{id} deleted on {}, from CloudTrail event {event}",
                at.date()
            ));
        }
    }
    if !notes.is_empty() {
        f.reason = format!("{} ({})", f.reason, notes.join("; "));
    }
    f
}

/// Passing verdicts: the item needs nothing more.
pub fn passes(v: Verdict) -> bool {
    matches!(v, Verdict::Met | Verdict::Attested | Verdict::NotApplicable)
}

pub fn summarise(
    findings: &[Finding],
    claims: &[claims::ClaimCheck],
    checklist: &Checklist,
) -> Summary {
    let mut verdicts: BTreeMap<String, usize> = Verdict::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), 0))
        .collect();
    for f in findings {
        *verdicts.entry(f.verdict.as_str().to_string()).or_default() += 1;
    }
    let group_of = |id: &str| {
        checklist
            .items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.group.clone())
    };
    // Every group of the checklist, with the items of it that are met or attested.
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in &checklist.items {
        if let Some(g) = &item.group {
            groups.entry(g.clone()).or_default();
        }
    }
    let mut blockers = Vec::new();
    for f in findings {
        match group_of(&f.item) {
            Some(g) if matches!(f.verdict, Verdict::Met | Verdict::Attested) => {
                groups.entry(g).or_default().push(f.item.clone());
            }
            Some(_) => {}
            None if !passes(f.verdict) => blockers.push(Blocker {
                item: f.item.clone(),
                verdict: f.verdict,
                reason: f.reason.clone(),
            }),
            None => {}
        }
    }
    for (g, shown) in &groups {
        if shown.is_empty() {
            let members: Vec<&Finding> = findings
                .iter()
                .filter(|f| group_of(&f.item).as_deref() == Some(g.as_str()))
                .collect();
            blockers.push(unmet_group(g, &members));
        }
    }
    let mut claim_counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in claims {
        *claim_counts
            .entry(c.result.as_str().to_string())
            .or_default() += 1;
    }
    Summary {
        ready: blockers.is_empty(),
        blockers,
        items: findings.len(),
        verdicts,
        patterns: patterns(&groups),
        groups,
        claims: claim_counts,
    }
}

/// A group none of whose items is met or attested: insufficient evidence when one
/// of them still could be, not met otherwise.
fn unmet_group(group: &str, members: &[&Finding]) -> Blocker {
    let open = members.iter().any(|f| {
        matches!(
            f.verdict,
            Verdict::InsufficientEvidence | Verdict::AttestationRequired
        )
    });
    let listed: Vec<String> = members
        .iter()
        .map(|f| format!("{} {}", f.item, f.verdict.as_str()))
        .collect();
    Blocker {
        item: format!("group:{group}"),
        verdict: if open {
            Verdict::InsufficientEvidence
        } else {
            Verdict::NotMet
        },
        reason: format!("no {group} is met or attested ({})", listed.join(", ")),
    }
}

/// One sentence on the groups (2.1 needs one deployment and one workload pattern).
fn patterns(groups: &BTreeMap<String, Vec<String>>) -> String {
    if groups.is_empty() {
        return "the checklist has no groups of alternatives".to_string();
    }
    groups
        .iter()
        .map(|(g, shown)| {
            if shown.is_empty() {
                format!("no {g} (at least one is needed)")
            } else {
                format!("{g}(s) {}", shown.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    /// Every finding citing a task deleted since says so, once, with the event.
    #[test]
    fn findings_on_a_deleted_task_name_its_deletion() {
        use super::rules::testkit::*;
        let mut ev = migration();
        let task = &mut ev.facts.tasks[0];
        task.deleted_at = Some("2026-11-20T00:00:00Z".into());
        task.history.push(HistoryEvent {
            at: "2026-11-20T00:00:00Z".into(),
            name: "DeleteReplicationTask".into(),
            event_id: "ev-delete-t1".into(),
            ..HistoryEvent::default()
        });
        let pointer = format!("tasks/{}", task.arn);
        let eval = super::evaluate(&ev, &super::checklist::load_default());
        let citing: Vec<_> = eval
            .findings
            .iter()
            .filter(|f| f.evidence.contains(&pointer))
            .collect();
        assert!(!citing.is_empty());
        for f in citing {
            assert_eq!(
                f.reason.matches("ev-delete-t1").count(),
                1,
                "{}: {}",
                f.item,
                f.reason
            );
            assert!(f.reason.contains("deleted on 2026-11-20"), "{}", f.reason);
        }
    }

    #[test]
    fn verdicts_are_spelt_once() {
        for v in Verdict::ALL {
            let json = serde_json::to_string(&v).expect("serialises");
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            assert_eq!(serde_json::from_str::<Verdict>(&json).expect("parses"), v);
        }
        let err = serde_json::from_str::<Verdict>("\"passed\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown verdict `passed`, expected one of met, not_met"),
            "{err}"
        );
    }
}
