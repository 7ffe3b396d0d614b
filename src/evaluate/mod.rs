//! Evaluate: turns facts into verdicts, item by item, with the values and evidence
//! each verdict rests on. Rules are pure functions of the evidence document; they
//! never call AWS. Absence is never compliance: missing data, deleted resources and
//! gaps give `insufficient_evidence`.

pub mod checklist;
pub mod claims;
pub mod peer;
pub mod rules;
pub mod view;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::evidence::Evidence;
pub use checklist::{Checklist, Item};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
        let pointer = pointer.into();
        if !self.evidence.contains(&pointer) {
            self.evidence.push(pointer);
        }
        for s in sources {
            if !self.sources.contains(s) {
                self.sources.push(s.clone());
            }
        }
        self
    }

    pub fn remedy(mut self, text: impl Into<String>) -> Finding {
        self.remediation = Some(text.into());
        self
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

/// Counts per verdict and the 2.1 patterns the case study shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub items: usize,
    pub verdicts: BTreeMap<String, usize>,
    /// 2.1 deployment patterns met.
    pub deployment_patterns: Vec<String>,
    /// 2.1 workload patterns met or attested.
    pub workload_patterns: Vec<String>,
    /// One sentence: does the case study show ≥ 1 deployment and ≥ 1 workload pattern.
    pub patterns: String,
    pub claims: BTreeMap<String, usize>,
    /// What keeps the case study from passing: not_met items outside 2.1 (whose
    /// pattern items are alternatives), and a missing 2.1 deployment or workload pattern.
    pub not_met: Vec<String>,
}

/// The top-level keys of the evidence document that hold the evaluation.
pub const EVALUATION_KEYS: &[&str] = &[
    "checklist",
    "as_of",
    "findings",
    "claims",
    "peer_checks",
    "summary",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub checklist: ChecklistRef,
    /// The moment the evaluation is about (the end of collection), for reproducibility.
    pub as_of: String,
    pub findings: Vec<Finding>,
    pub claims: Vec<claims::ClaimCheck>,
    pub peer_checks: Vec<peer::PeerFinding>,
    pub summary: Summary,
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
            let def = rules::find(&item.rule)
                .unwrap_or_else(|| unreachable!("validated at load: {}", item.rule));
            (def.run)(&input, item).finish(item, def.remediation)
        })
        .collect();
    let claims = claims::check_all(&input);
    let peer_checks = peer::run(&input, &checklist.required_tag_keys);
    let summary = summarise(&findings, &claims);
    Evaluation {
        checklist: ChecklistRef {
            id: checklist.id.clone(),
            version: checklist.version.clone(),
            sha256: checklist.sha256.clone(),
        },
        as_of: evidence.collection.finished_at.clone(),
        findings,
        claims,
        peer_checks,
        summary,
    }
}

pub fn summarise(findings: &[Finding], claims: &[claims::ClaimCheck]) -> Summary {
    let mut verdicts: BTreeMap<String, usize> = Verdict::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), 0))
        .collect();
    for f in findings {
        *verdicts.entry(f.verdict.as_str().to_string()).or_default() += 1;
    }
    let shown = |prefix: &str, ok: &[Verdict]| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f.item.starts_with(prefix) && ok.contains(&f.verdict))
            .map(|f| f.item.clone())
            .collect()
    };
    let deployment_patterns = shown("dms.2.1.dep.", &[Verdict::Met]);
    let workload_patterns = shown("dms.2.1.wl.", &[Verdict::Met, Verdict::Attested]);
    let patterns = match (deployment_patterns.is_empty(), workload_patterns.is_empty()) {
        (false, false) => format!(
            "shows deployment pattern(s) {} and workload pattern(s) {}",
            deployment_patterns.join(", "),
            workload_patterns.join(", ")
        ),
        (true, false) => "shows no deployment pattern (2.1 needs at least one)".to_string(),
        (false, true) => "shows no workload pattern (2.1 needs at least one)".to_string(),
        (true, true) => {
            "shows neither a deployment nor a workload pattern (2.1 needs one of each)".to_string()
        }
    };
    let mut claim_counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in claims {
        *claim_counts
            .entry(c.result.as_str().to_string())
            .or_default() += 1;
    }
    let mut not_met: Vec<String> = findings
        .iter()
        .filter(|f| f.verdict == Verdict::NotMet && !f.item.starts_with("dms.2.1."))
        .map(|f| f.item.clone())
        .collect();
    if deployment_patterns.is_empty() {
        not_met.push("dms.2.1 (no deployment pattern)".into());
    }
    if workload_patterns.is_empty() {
        not_met.push("dms.2.1 (no workload pattern)".into());
    }
    Summary {
        not_met,
        items: findings.len(),
        verdicts,
        deployment_patterns,
        workload_patterns,
        patterns,
        claims: claim_counts,
    }
}
