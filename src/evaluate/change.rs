//! Verdict changes between two evaluations of the same case study: which way each
//! item moved, with a `met` that became `insufficient_evidence` only because AWS's
//! retention removed its evidence told apart from a regression. Used by `diff` and by
//! renewals.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Checklist, Evaluation, Finding, Verdict};
use crate::evidence::Evidence;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictChange {
    pub item: String,
    pub old: Option<Verdict>,
    pub new: Option<Verdict>,
    pub kind: ChangeKind,
    pub reason: String,
}

/// Which way a verdict moved; the order is the report order (regressions first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Regression,
    /// A `met` that is now short of evidence only because AWS's retention removed the
    /// time-limited data it rested on: not a regression, and a renewal carries that
    /// evidence forward (see [`crate::renewal`]).
    Expired,
    Improvement,
    Change,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Regression => "regression",
            ChangeKind::Expired => "expired",
            ChangeKind::Improvement => "improvement",
            ChangeKind::Change => "change",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How good a verdict is, for telling regressions from improvements.
fn rank(v: Option<Verdict>) -> u8 {
    match v {
        Some(Verdict::Met | Verdict::Attested | Verdict::NotApplicable) => 2,
        Some(Verdict::AttestationRequired | Verdict::InsufficientEvidence) | None => 1,
        Some(Verdict::NotMet) => 0,
    }
}

/// Items whose old `met` rests on time-limited evidence that AWS has forgotten by `now`
/// (the new collection's end): CloudWatch and CloudWatch Logs retention, as dated by
/// [`crate::evaluate::expiry`].
pub fn expired_items(
    old: &Evidence,
    old_eval: &Evaluation,
    checklist: &Checklist,
    now: crate::time::Timestamp,
) -> BTreeSet<String> {
    let input = crate::evaluate::view::Input::new(old);
    crate::evaluate::expiry::expiring(&input, &old_eval.findings, checklist)
        .into_iter()
        .filter(|x| x.expiry.expires <= now)
        .map(|x| x.expiry.item)
        .collect()
}

/// Items whose verdict differs: regressions first, then expired evidence, then
/// improvements, then the rest. A `met` that is now `insufficient_evidence` is
/// `expired` (not a regression) only when its item is in `expired`.
pub fn verdict_changes(
    old: &[Finding],
    new: &[Finding],
    expired: &BTreeSet<String>,
) -> Vec<VerdictChange> {
    let items: BTreeSet<&str> = old.iter().chain(new).map(|f| f.item.as_str()).collect();
    let mut changes = Vec::new();
    for item in items {
        let o = old.iter().find(|f| f.item == item);
        let n = new.iter().find(|f| f.item == item);
        let (ov, nv) = (o.map(|f| f.verdict), n.map(|f| f.verdict));
        if ov == nv {
            continue;
        }
        let kind = match rank(nv).cmp(&rank(ov)) {
            std::cmp::Ordering::Less
                if ov == Some(Verdict::Met)
                    && nv == Some(Verdict::InsufficientEvidence)
                    && expired.contains(item) =>
            {
                ChangeKind::Expired
            }
            std::cmp::Ordering::Less => ChangeKind::Regression,
            std::cmp::Ordering::Greater => ChangeKind::Improvement,
            std::cmp::Ordering::Equal => ChangeKind::Change,
        };
        changes.push(VerdictChange {
            item: item.to_string(),
            old: ov,
            new: nv,
            kind,
            reason: n.or(o).map(|f| f.reason.clone()).unwrap_or_default(),
        });
    }
    changes.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.item.cmp(&b.item)));
    changes
}
