//! Exports of a verified bundle into the auditor's ecosystem: NIST OSCAL Assessment
//! Results for GRC platforms ([`oscal`]) and OCSF Compliance Finding events for security
//! platforms ([`ocsf`]). Both are pure functions of the bundle and its digest, so the
//! same bundle always exports the same bytes (identifiers are UUID v5 of the digest).

pub mod ocsf;
pub mod oscal;

use uuid::Uuid;

use crate::bundle::Predicate;
use crate::evaluate::{Checklist, Evaluation};

/// What an export is made from: the bundle, what verification said about it, and the
/// checklist its evaluation names (for item texts).
pub struct Source<'a> {
    pub predicate: &'a Predicate,
    pub evaluation: &'a Evaluation,
    pub checklist: &'a Checklist,
    /// SHA-256 (hex) of the bundle file as read.
    pub bundle_sha256: String,
    /// Key ids whose signatures verified; empty when unverified.
    pub signed_by: Vec<String>,
    /// False only under `--allow-unverified` with a bundle that did not verify.
    pub verified: bool,
}

impl Source<'_> {
    /// A stable identifier for `name` within this bundle (UUID v5 under the bundle's digest).
    pub fn uuid(&self, name: &str) -> String {
        let bundle = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("urn:dms-evidence:bundle:sha256:{}", self.bundle_sha256).as_bytes(),
        );
        Uuid::new_v5(&bundle, name.as_bytes()).to_string()
    }

    /// The checklist text of an item, when the evaluation was made with this checklist.
    pub fn item_text(&self, id: &str) -> Option<&str> {
        (self.checklist.sha256 == self.evaluation.checklist.sha256)
            .then(|| self.checklist.items.iter().find(|i| i.id == id))
            .flatten()
            .map(|i| i.text.as_str())
    }

    pub fn verification(&self) -> &'static str {
        if self.verified {
            "verified"
        } else {
            "unverified"
        }
    }

    pub fn account(&self) -> &str {
        &self.predicate.evidence.case_study.case_study.account_id
    }
}

/// ARNs named by a finding's fact pointers (`endpoints/arn:aws:dms:…`), with their region.
pub fn resources(pointers: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pointers
        .iter()
        .filter_map(|p| p.find("arn:").map(|i| p[i..].to_string()))
        .filter_map(|arn| {
            let region = arn.split(':').nth(3)?.to_string();
            Some((arn, region))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_come_from_arn_pointers_only() {
        let pointers = [
            "endpoints/arn:aws:dms:eu-west-1:111122223333:endpoint:ABC".to_string(),
            "metrics/AWS/DMS/CDCIncomingChanges/task-1".to_string(),
            "tasks/arn:aws:dms:us-east-1:111122223333:task:T".to_string(),
            "endpoints/arn:aws:dms:eu-west-1:111122223333:endpoint:ABC".to_string(),
        ];
        assert_eq!(
            resources(&pointers),
            vec![
                (
                    "arn:aws:dms:eu-west-1:111122223333:endpoint:ABC".into(),
                    "eu-west-1".into()
                ),
                (
                    "arn:aws:dms:us-east-1:111122223333:task:T".into(),
                    "us-east-1".into()
                ),
            ]
        );
    }
}
