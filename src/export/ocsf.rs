//! OCSF Compliance Finding events (class 2003, OCSF 1.5.0 as py-ocsf-models models it):
//! one per checklist item and one per peer check (the Security Hub / AWS Config / Prowler
//! DMS controls we re-run), with the account, region and resource uids that Security Hub
//! and Prowler users ingest. The verdict travels in `compliance.status_id` (mapped in
//! docs/exports.md) and, unmapped, in `unmapped.verdict`.

use serde_json::{Value, json};

use super::{Source, resources};
use crate::evaluate::peer::{PeerFinding, PeerStatus};
use crate::evaluate::{Finding, Verdict};

pub const OCSF_VERSION: &str = "1.5.0";
const CLASS_UID: u32 = 2003;
const ACTIVITY_CREATE: u32 = 1;

/// `compliance.status_id` and its caption for a checklist verdict.
pub fn compliance_status(v: Verdict) -> (u8, &'static str) {
    match v {
        Verdict::Met => (1, "Pass"),
        Verdict::AttestationRequired => (2, "Warning"),
        Verdict::NotMet => (3, "Fail"),
        Verdict::InsufficientEvidence => (0, "Unknown"),
        Verdict::Attested | Verdict::NotApplicable => (99, "Other"),
    }
}

/// `severity_id` and its caption: how much a verdict keeps the case study from passing.
pub fn severity(v: Verdict) -> (u8, &'static str) {
    match v {
        Verdict::Met | Verdict::Attested | Verdict::NotApplicable => (1, "Informational"),
        Verdict::AttestationRequired => (2, "Low"),
        Verdict::InsufficientEvidence => (3, "Medium"),
        Verdict::NotMet => (4, "High"),
    }
}

fn peer_status(s: PeerStatus) -> ((u8, &'static str), (u8, &'static str)) {
    match s {
        PeerStatus::Passed => ((1, "Pass"), (1, "Informational")),
        PeerStatus::Failed => ((3, "Fail"), (3, "Medium")),
        PeerStatus::NotApplicable => ((99, "Other"), (1, "Informational")),
        PeerStatus::Unknown => ((0, "Unknown"), (3, "Medium")),
    }
}

/// Milliseconds since the epoch (OCSF `timestamp_t`).
fn millis(t: crate::time::Timestamp) -> i64 {
    t.secs() * 1000
}

/// What every event shares: class, activity, time, product and cloud.
fn base(src: &Source<'_>, uid: &str, region: &str) -> Value {
    let ev = &src.predicate.evidence;
    json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "status_id": 1,
        "status": "New",
        "time": millis(src.evaluation.as_of),
        "metadata": {
            "version": OCSF_VERSION,
            "uid": uid,
            "correlation_uid": format!("sha256:{}", src.bundle_sha256),
            "product": {"name": ev.tool.name, "vendor_name": ev.tool.name, "version": ev.tool.version},
        },
        "cloud": {
            "provider": "AWS",
            "region": region,
            "account": {"uid": src.account(), "type": "AWS Account", "type_id": 10},
        },
    })
}

fn resource(arn: &str, region: &str) -> Value {
    let kind = arn
        .split(':')
        .nth(5)
        .and_then(|r| r.split(['/', ':']).next())
        .unwrap_or("resource");
    json!({"uid": arn, "type": kind, "region": region, "cloud_partition": arn.split(':').nth(1).unwrap_or("aws")})
}

fn item_event(src: &Source<'_>, f: &Finding) -> Value {
    let uid = src.uuid(&format!("ocsf/finding/{}", f.item));
    let found = resources(&f.evidence);
    let default_region = src
        .predicate
        .evidence
        .collection
        .regions
        .first()
        .cloned()
        .unwrap_or_default();
    let region = found
        .first()
        .map(|(_, r)| r.clone())
        .unwrap_or(default_region);
    let mut e = base(src, &uid, &region);
    let (status_id, status) = compliance_status(f.verdict);
    let (severity_id, severity) = severity(f.verdict);
    let title = src
        .item_text(&f.item)
        .map(|t| format!("{}: {t}", f.item))
        .unwrap_or_else(|| f.item.clone());
    let created = millis(src.evaluation.as_of);
    e["severity_id"] = json!(severity_id);
    e["severity"] = json!(severity);
    e["message"] = json!(f.reason);
    e["status_detail"] = json!(f.verdict.as_str());
    e["finding_info"] = json!({"uid": uid, "title": title, "desc": f.reason, "types": ["AWS DMS partner validation"], "created_time": created});
    e["compliance"] = json!({
        "standards": [src.evaluation.checklist.id],
        "requirements": [format!("{} {}", src.evaluation.checklist.id, src.evaluation.checklist.version)],
        "control": f.item,
        "status_id": status_id,
        "status": status,
    });
    e["resources"] = if found.is_empty() {
        json!([{"uid": src.account(), "type": "AWS Account", "region": region}])
    } else {
        Value::Array(found.iter().map(|(arn, r)| resource(arn, r)).collect())
    };
    if let Some(r) = &f.remediation {
        e["remediation"] = json!({"desc": r});
    }
    e["unmapped"] = json!({"verdict": f.verdict.as_str(), "section": f.section, "captures": f.sources, "evidence": f.evidence, "verification": src.verification()});
    e
}

fn peer_event(src: &Source<'_>, (i, p): (usize, &PeerFinding)) -> Value {
    let uid = src.uuid(&format!("ocsf/peer/{i}/{}/{}", p.control, p.resource));
    let region = p
        .resource
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .unwrap_or_else(|| {
            src.predicate
                .evidence
                .collection
                .regions
                .first()
                .cloned()
                .unwrap_or_default()
        });
    let mut e = base(src, &uid, &region);
    let ((status_id, status), (severity_id, severity)) = peer_status(p.status);
    e["severity_id"] = json!(severity_id);
    e["severity"] = json!(severity);
    e["message"] = json!(p.reason);
    e["finding_info"] = json!({"uid": uid, "title": format!("{}: {}", p.control, p.title), "desc": p.reason, "types": ["AWS DMS security control"], "created_time": millis(src.evaluation.as_of)});
    e["compliance"] = json!({"standards": ["AWS DMS controls of Security Hub, AWS Config and Prowler (re-run by dms-evidence)"], "control": p.control, "status_id": status_id, "status": status});
    e["resources"] = json!([resource(&p.resource, &region)]);
    e["unmapped"] = json!({"peer_status": p.status, "verification": src.verification()});
    e
}

/// Every event: the checklist items, then the peer checks.
pub fn events(src: &Source<'_>) -> Vec<Value> {
    let items = src.evaluation.findings.iter().map(|f| item_event(src, f));
    let peers = src
        .evaluation
        .peer_checks
        .iter()
        .enumerate()
        .map(|p| peer_event(src, p));
    items.chain(peers).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_met_passes_and_only_not_met_fails() {
        for v in Verdict::ALL {
            let (id, _) = compliance_status(v);
            assert_eq!(id == 1, v == Verdict::Met, "{v:?}");
            assert_eq!(id == 3, v == Verdict::NotMet, "{v:?}");
            assert!([0, 1, 2, 3, 99].contains(&id));
            assert!((1..=4).contains(&severity(v).0));
        }
    }

    #[test]
    fn resources_are_typed_from_their_arn() {
        let r = resource(
            "arn:aws:dms:eu-west-1:111122223333:endpoint:ABC",
            "eu-west-1",
        );
        assert_eq!(
            (r["type"].as_str(), r["cloud_partition"].as_str()),
            (Some("endpoint"), Some("aws"))
        );
        let r = resource("arn:aws:rds:eu-west-1:111122223333:db:orders", "eu-west-1");
        assert_eq!(r["type"].as_str(), Some("db"));
    }
}
