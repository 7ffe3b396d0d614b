//! NIST OSCAL Assessment Results (JSON, OSCAL 1.2.1 as compliance-trestle 5 models it):
//! one observation per group of facts with the captures behind it as relevant evidence,
//! one finding per checklist item, and back-matter binding the document to the bundle's
//! SHA-256, its signers and every capture's digest.
//!
//! OSCAL states only `satisfied` / `not-satisfied`; the verdict itself travels in a
//! `verdict` prop and the status `reason` (`pass`, `fail`, `other`), so nothing reads
//! as more than the evidence showed. The mapping is in docs/exports.md.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Source;
use crate::evaluate::{Finding, Verdict, passes};
use crate::evidence::Capture;

/// The namespace of our props (OSCAL requires an absolute URI).
pub const NS: &str = "https://dms-evidence.dev/ns/oscal";
pub const OSCAL_VERSION: &str = "1.2.1";

/// The OSCAL status of a verdict: state and reason.
pub fn status(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Met => ("satisfied", "pass"),
        Verdict::Attested | Verdict::NotApplicable => ("satisfied", "other"),
        Verdict::NotMet => ("not-satisfied", "fail"),
        Verdict::InsufficientEvidence | Verdict::AttestationRequired => ("not-satisfied", "other"),
    }
}

fn prop(name: &str, value: impl AsRef<str>) -> Option<Value> {
    // Values must be non-empty without surrounding blanks.
    let value = value.as_ref().trim();
    (!value.is_empty()).then(|| json!({"name": name, "ns": NS, "value": value}))
}

fn props(list: impl IntoIterator<Item = Option<Value>>) -> Vec<Value> {
    list.into_iter().flatten().collect()
}

/// One line of text (OSCAL titles may not break lines).
fn line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The capture ids cited anywhere under a fact group (`sources`, `table_sources`).
fn cited(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k.ends_with("sources") {
                    out.extend(
                        v.as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|s| s.as_str().map(String::from)),
                    );
                } else {
                    cited(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| cited(v, out)),
        _ => {}
    }
}

/// Fact groups that hold something: name, how many, the captures they cite.
fn groups(src: &Source<'_>) -> Vec<(String, usize, BTreeSet<String>)> {
    let facts = serde_json::to_value(&src.predicate.evidence.facts).unwrap_or(Value::Null);
    let Value::Object(map) = facts else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(name, v)| {
            let n = v.as_array().map(Vec::len).filter(|n| *n > 0)?;
            let mut ids = BTreeSet::new();
            cited(&v, &mut ids);
            Some((name, n, ids))
        })
        .collect()
}

fn observation(
    src: &Source<'_>,
    name: &str,
    n: usize,
    ids: &BTreeSet<String>,
    captures: &BTreeMap<&str, &Capture>,
) -> Value {
    let evidence: Vec<Value> = ids
        .iter()
        .filter_map(|id| captures.get(id.as_str()))
        .map(|c| {
            json!({
                "href": format!("#{}", src.uuid(&format!("capture/{}", c.id))),
                "description": format!("{} {} in {} at {} (capture {}, sha256 {})", c.service, c.operation, c.region, c.time, c.id, c.sha256),
            })
        })
        .collect();
    let mut o = json!({
        "uuid": src.uuid(&format!("observation/{name}")),
        "title": format!("Facts: {name}"),
        "description": format!("{n} {name} record(s) read from the account's AWS APIs by dms-evidence, each citing the captured responses below."),
        "props": props([prop("fact-group", name), prop("records", n.to_string())]),
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": src.predicate.evidence.collection.finished_at,
    });
    if !evidence.is_empty() {
        o["relevant-evidence"] = Value::Array(evidence);
    }
    o
}

fn finding(src: &Source<'_>, f: &Finding, observations: &[(String, BTreeSet<String>)]) -> Value {
    let (state, reason) = status(f.verdict);
    let text = src.item_text(&f.item).map(line).unwrap_or_default();
    let title = if text.is_empty() {
        f.item.clone()
    } else {
        format!("{}: {text}", f.item)
    };
    let related: Vec<Value> = observations
        .iter()
        .filter(|(_, ids)| f.sources.iter().any(|s| ids.contains(s)))
        .map(|(uuid, _)| json!({"observation-uuid": uuid}))
        .collect();
    let mut out = json!({
        "uuid": src.uuid(&format!("finding/{}", f.item)),
        "title": title,
        "description": if f.reason.trim().is_empty() { "No reason recorded." } else { f.reason.as_str() },
        "props": props([
            prop("verdict", f.verdict.as_str()),
            prop("section", &f.section),
            prop("passes-checklist", if passes(f.verdict) { "true" } else { "false" }),
            prop("captures", f.sources.join(" ")),
        ]),
        "target": {
            "type": "objective-id",
            "target-id": f.item,
            "status": {"state": state, "reason": reason},
        },
    });
    if let Some(r) = f
        .remediation
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        out["remarks"] = json!(format!("Remediation: {r}"));
    }
    if !related.is_empty() {
        out["related-observations"] = Value::Array(related);
    }
    out
}

fn back_matter(src: &Source<'_>, used: &BTreeSet<String>) -> Value {
    let ev = &src.predicate.evidence;
    let eval = src.evaluation;
    let mut resources = vec![
        json!({
            "uuid": src.uuid("bundle"),
            "title": "Signed evidence bundle (DSSE envelope, in-toto Statement)",
            "props": props(
                [prop("verification", src.verification())]
                    .into_iter()
                    .chain(src.signed_by.iter().map(|k| prop("signer-keyid", k)))
            ),
            "rlinks": [{
                "href": format!("urn:dms-evidence:bundle:sha256:{}", src.bundle_sha256),
                "media-type": "application/vnd.dsse.envelope.v1+json",
                "hashes": [{"algorithm": "SHA-256", "value": src.bundle_sha256}],
            }],
        }),
        json!({
            "uuid": src.uuid("checklist"),
            "title": line(&format!("Checklist {} {}", eval.checklist.id, eval.checklist.version)),
            "rlinks": [{
                "href": format!("urn:dms-evidence:checklist:{}:{}", eval.checklist.id, eval.checklist.version),
                "hashes": [{"algorithm": "SHA-256", "value": eval.checklist.sha256}],
            }],
        }),
    ];
    resources.extend(ev.captures.iter().filter(|c| used.contains(&c.id)).map(|c| {
        json!({
            "uuid": src.uuid(&format!("capture/{}", c.id)),
            "title": line(&format!("Capture {}: {} {} ({})", c.id, c.service, c.operation, c.region)),
            "props": props([prop("capture-id", &c.id), prop("operation", &c.operation), prop("region", &c.region), prop("captured", c.time.to_string())]),
            "rlinks": [{
                "href": format!("urn:dms-evidence:capture:{}:{}", src.bundle_sha256, c.id),
                "media-type": c.media_type,
                "hashes": [{"algorithm": "SHA-256", "value": c.sha256}],
            }],
        })
    }));
    json!({"resources": resources})
}

/// The Assessment Results document.
pub fn assessment_results(src: &Source<'_>) -> Value {
    let ev = &src.predicate.evidence;
    let eval = src.evaluation;
    let captures: BTreeMap<&str, &Capture> =
        ev.captures.iter().map(|c| (c.id.as_str(), c)).collect();
    let groups = groups(src);
    let observations: Vec<Value> = groups
        .iter()
        .map(|(name, n, ids)| observation(src, name, *n, ids, &captures))
        .collect();
    let linked: Vec<(String, BTreeSet<String>)> = groups
        .iter()
        .map(|(name, _, ids)| (src.uuid(&format!("observation/{name}")), ids.clone()))
        .collect();
    let used: BTreeSet<String> = groups
        .iter()
        .flat_map(|(_, _, ids)| ids.iter().cloned())
        .collect();
    let prefix = if src.verified { "" } else { "UNVERIFIED — " };
    let mut result = json!({
        "uuid": src.uuid("result"),
        "title": line(&format!("{prefix}AWS DMS partner validation of account {}", src.account())),
        "description": format!(
            "Checklist {} {} evaluated by {} {} from AWS evidence collected in {}. {}",
            eval.checklist.id, eval.checklist.version, ev.tool.name, ev.tool.version,
            ev.collection.regions.join(", "), eval.summary.readiness()
        ),
        "start": ev.collection.started_at,
        "end": ev.collection.finished_at,
        "props": props([
            prop("verification", src.verification()),
            prop("ready", if eval.summary.ready { "true" } else { "false" }),
            prop("collection-complete", if ev.collection.complete { "true" } else { "false" }),
        ]),
        "reviewed-controls": {"control-selections": [{
            "include-controls": eval.findings.iter().map(|f| json!({"control-id": f.item})).collect::<Vec<_>>()
        }]},
        "findings": eval.findings.iter().map(|f| finding(src, f, &linked)).collect::<Vec<_>>(),
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    json!({"assessment-results": {
        "uuid": src.uuid("assessment-results"),
        "metadata": {
            "title": line(&format!("{prefix}AWS DMS evidence: {}", ev.case_study.case_study.name.as_deref().unwrap_or(src.account()))),
            "last-modified": eval.as_of,
            "version": ev.tool.version,
            "oscal-version": OSCAL_VERSION,
            "props": props([prop("bundle-sha256", &src.bundle_sha256), prop("verification", src.verification())]),
        },
        "import-ap": {"href": format!("#{}", src.uuid("checklist"))},
        "results": [result],
        "back-matter": back_matter(src, &used),
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_met_is_a_pass_and_every_verdict_has_a_state() {
        let table = [
            (Verdict::Met, "satisfied", "pass"),
            (Verdict::Attested, "satisfied", "other"),
            (Verdict::NotApplicable, "satisfied", "other"),
            (Verdict::NotMet, "not-satisfied", "fail"),
            (Verdict::InsufficientEvidence, "not-satisfied", "other"),
            (Verdict::AttestationRequired, "not-satisfied", "other"),
        ];
        assert_eq!(table.len(), Verdict::ALL.len());
        for (v, state, reason) in table {
            assert_eq!(status(v), (state, reason), "{v:?}");
            assert_eq!(state == "satisfied", passes(v), "{v:?}");
        }
    }

    #[test]
    fn props_never_carry_blank_values() {
        assert_eq!(prop("x", "  "), None);
        assert_eq!(
            prop("x", " a ").map(|p| p["value"].clone()),
            Some(json!("a"))
        );
        assert_eq!(line("a\n b\tc"), "a b c");
    }
}
