//! Offline verification of a bundle: structure before crypto, then signatures against
//! the trusted keys (threshold), the statement and its subjects' digests, every
//! capture's SHA-256, every finding re-evaluated from the facts with the checklist
//! the bundle names, and the summary against the findings. Fails closed.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use crate::bundle::Predicate;
use crate::bundle::{self, Envelope, PublicKey, jcs};
use crate::digest::sha256_hex;
use crate::evaluate::{self, Checklist};

/// One verification step and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub step: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub verified: bool,
    pub checks: Vec<Check>,
    /// Key ids whose signatures verified.
    pub signed_by: Vec<String>,
    /// Whether the signed evidence says its collection was complete, and if not what
    /// failed (a verified bundle can be an honest record of an incomplete collection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    #[serde(skip)]
    pub predicate: Option<Predicate>,
}

impl Report {
    fn fail(mut self, step: &'static str, detail: String) -> Report {
        self.checks.push(Check {
            step,
            ok: false,
            detail,
        });
        self.verified = false;
        self
    }

    fn pass(&mut self, step: &'static str, detail: String) {
        self.checks.push(Check {
            step,
            ok: true,
            detail,
        });
    }

    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }
}

/// Verifies `bytes` (a bundle file). `checklists` are the definitions the verifier
/// has; the one whose SHA-256 the bundle names is used to re-evaluate.
pub fn verify(
    bytes: &[u8],
    keys: &[PublicKey],
    threshold: usize,
    checklists: &[Checklist],
) -> Report {
    let report = Report {
        verified: true,
        checks: Vec::new(),
        signed_by: Vec::new(),
        complete: None,
        incomplete: None,
        predicate: None,
    };
    // 1. Structure.
    let envelope: Envelope = match serde_json::from_slice::<Envelope>(bytes) {
        Ok(e) => e,
        Err(e) => return report.fail("structure", format!("not a DSSE envelope: {e}")),
    };
    let mut report = report;
    if envelope.payload_type != bundle::PAYLOAD_TYPE {
        return report.fail(
            "structure",
            format!(
                "payloadType is {:?}, expected {}",
                envelope.payload_type,
                bundle::PAYLOAD_TYPE
            ),
        );
    }
    if envelope.signatures.is_empty() {
        return report.fail("structure", "the envelope has no signature".into());
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let Ok(payload) = b64.decode(&envelope.payload) else {
        return report.fail("structure", "payload is not base64".into());
    };
    let mut sigs = Vec::new();
    for (i, s) in envelope.signatures.iter().enumerate() {
        match b64.decode(&s.sig) {
            Ok(sig) if !s.keyid.is_empty() => sigs.push((s.keyid.clone(), sig)),
            Ok(_) => return report.fail("structure", format!("signature {i} has no keyid")),
            Err(_) => return report.fail("structure", format!("signature {i} is not base64")),
        }
    }
    report.pass(
        "structure",
        format!(
            "DSSE envelope, {} signature(s), {} payload bytes",
            sigs.len(),
            payload.len()
        ),
    );

    // 2. Signatures (fail closed: no trusted key, no verification).
    if keys.is_empty() || threshold == 0 {
        return report.fail(
            "signatures",
            "no trusted public key (or a threshold of 0): nothing can be verified".into(),
        );
    }
    let message = bundle::pae(&envelope.payload_type, &payload);
    let mut good: BTreeSet<String> = BTreeSet::new();
    let mut notes = Vec::new();
    for (keyid, sig) in &sigs {
        match keys.iter().find(|k| &k.keyid() == keyid) {
            None => notes.push(format!("keyid {}… is not a trusted key", short(keyid))),
            Some(k) if k.verify(&message, sig) => {
                good.insert(keyid.clone());
            }
            Some(_) => notes.push(format!(
                "the signature of keyid {}… does not verify",
                short(keyid)
            )),
        }
    }
    report.signed_by = good.iter().cloned().collect();
    if good.len() < threshold {
        return report.fail(
            "signatures",
            format!(
                "{} valid signature(s) from trusted keys, {threshold} required; {}",
                good.len(),
                notes.join("; ")
            ),
        );
    }
    report.pass(
        "signatures",
        format!(
            "{} valid signature(s) from trusted keys (threshold {threshold})",
            good.len()
        ),
    );

    // 3. Statement.
    let statement: Value = match serde_json::from_slice(&payload) {
        Ok(v) => v,
        Err(e) => return report.fail("statement", format!("payload is not JSON: {e}")),
    };
    if statement["_type"] != bundle::STATEMENT_TYPE
        || statement["predicateType"] != bundle::PREDICATE_TYPE
    {
        return report.fail(
            "statement",
            format!(
                "_type {} / predicateType {} are not this format's",
                statement["_type"], statement["predicateType"]
            ),
        );
    }
    let predicate: Predicate = match serde_json::from_value(statement["predicate"].clone()) {
        Ok(p) => p,
        Err(e) => {
            return report.fail(
                "statement",
                format!("the predicate is not an evidence document: {e}"),
            );
        }
    };
    if jcs::canonical(&statement).as_bytes() != payload.as_slice() {
        report.pass(
            "statement",
            "in-toto Statement v1 (payload not in canonical form: digests still checked)".into(),
        );
    } else {
        report.pass(
            "statement",
            "in-toto Statement v1, canonical (RFC 8785)".into(),
        );
    }

    // 4. Subjects.
    let expected = bundle::subjects(&predicate);
    let evidence = &predicate.evidence;
    let stated: Vec<bundle::Subject> =
        serde_json::from_value(statement["subject"].clone()).unwrap_or_default();
    if stated != expected {
        let wrong: Vec<String> = expected
            .iter()
            .filter(|s| !stated.contains(s))
            .map(|s| s.name.clone())
            .collect();
        report = report.fail(
            "subjects",
            format!("digest mismatch for {}", wrong.join(", ")),
        );
    } else {
        report.pass(
            "subjects",
            format!("{} subject digests match the predicate", expected.len()),
        );
    }

    // 5. Captures.
    let mut bad = Vec::new();
    let mut ids = BTreeSet::new();
    for c in &evidence.captures {
        if !ids.insert(c.id.as_str()) {
            bad.push(format!("{} appears twice", c.id));
        }
        match c.body_bytes() {
            Ok(body) if sha256_hex(&body) == c.sha256 => {}
            Ok(_) => bad.push(format!(
                "{} ({} {}) body does not match its sha256",
                c.id, c.service, c.operation
            )),
            Err(_) => bad.push(format!("{} body is not decodable", c.id)),
        }
    }
    if bad.is_empty() {
        report.pass(
            "captures",
            format!("{} captures match their SHA-256", evidence.captures.len()),
        );
    } else {
        report = report.fail("captures", bad.join("; "));
    }

    // 6. Findings, re-evaluated with the checklist the bundle names.
    match &predicate.evaluation {
        None => report = report.fail("findings", "the bundle carries no evaluation".into()),
        Some(stored) => match checklists.iter().find(|c| c.sha256 == stored.checklist.sha256) {
            None => {
                report = report.fail(
                    "findings",
                    format!(
                        "checklist {} {} (sha256 {}…) is not available to re-evaluate; pass it with --checklist",
                        stored.checklist.id,
                        stored.checklist.version,
                        short(&stored.checklist.sha256)
                    ),
                )
            }
            Some(checklist) => {
                let again = evaluate::evaluate(evidence, checklist);
                let mut diffs = Vec::new();
                for f in &again.findings {
                    match stored.findings.iter().find(|s| s.item == f.item) {
                        None => diffs.push(format!("{} is missing", f.item)),
                        Some(s) if s.verdict != f.verdict => {
                            diffs.push(format!("{} says {} but the facts give {}", f.item, s.verdict.as_str(), f.verdict.as_str()))
                        }
                        Some(s) if !same(s, f) => diffs.push(format!("{} differs from its re-evaluation", f.item)),
                        Some(_) => {}
                    }
                }
                for s in &stored.findings {
                    if !again.findings.iter().any(|f| f.item == s.item) {
                        diffs.push(format!("{} is not a checklist item", s.item));
                    }
                }
                if !same(&stored.claims, &again.claims) {
                    diffs.push("claims differ from their re-evaluation".into());
                }
                if diffs.is_empty() {
                    report.pass("findings", format!("{} findings re-evaluated from the facts: identical", again.findings.len()));
                } else {
                    report = report.fail("findings", diffs.join("; "));
                }
                // 7. Summary against the stored findings.
                let counted = evaluate::summarise(&stored.findings, &stored.claims, checklist);
                if !same(&counted, &stored.summary) {
                    report = report.fail("summary", "the summary does not match the findings it summarises".into());
                } else {
                    report.pass("summary", format!("{} items counted", counted.items));
                }
            }
        },
    }
    report.complete = Some(evidence.collection.complete);
    report.incomplete = Some(evidence.collection.incomplete_note()).filter(|n| !n.is_empty());
    report.predicate = Some(predicate);
    report
}

/// Equal as canonical JSON: the payload went through RFC 8785, which writes 81000000000.0
/// as 81000000000, so values are compared in that form.
fn same<T: Serialize>(a: &T, b: &T) -> bool {
    let canon = |v: &T| {
        serde_json::to_value(v)
            .map(|v| jcs::canonical(&v))
            .unwrap_or_default()
    };
    canon(a) == canon(b)
}

fn short(s: &str) -> &str {
    crate::text::prefix(s, 12)
}
