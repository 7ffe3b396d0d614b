//! Offline verification of a bundle, as stages that each take the previous stage's
//! checked value (sigstore-rs's `TryFrom<Bundle> for CheckedBundle` is the model):
//! structure before crypto, then signatures against the trusted keys (threshold), the
//! statement, its subjects' digests, every capture's SHA-256, every finding
//! re-evaluated from the facts with the checklist the bundle names, the summary
//! against the findings, and a renewal's link to last year's bundle (as far as it can
//! be checked without that bundle; `--previous` checks the rest, see
//! [`crate::renewal::chain`]). Each stage has its own error type; nothing is trusted before
//! the signatures verify, and any failure fails the whole (fail closed).

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::bundle::dsse::{Parsed, StructureError};
use crate::bundle::{self, Predicate, PublicKey, Subject, jcs};
use crate::digest::sha256_hex;
use crate::evaluate::{self, Checklist, Evaluation};
use crate::evidence::Capture;

/// One verification step and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub step: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// The steps that make a bundle authentic: what was signed is intact. The others
/// (findings, summary, renewal, chain) judge it again, and can differ when the rules of
/// this build differ from those of the build that signed it.
pub const INTEGRITY: [&str; 5] = [
    "structure",
    "signatures",
    "statement",
    "subjects",
    "captures",
];

/// What a verification concluded, one of four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every step holds.
    Verified,
    /// Intact and signed, but this build judges the signed facts differently.
    Rejudged,
    /// Intact and signed, but not the renewal of the previous bundle given
    /// (`verify --previous`): the chain of custody is broken.
    ChainBroken,
    /// Not intact, not signed by a trusted key, or not a bundle.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub verified: bool,
    pub outcome: Outcome,
    /// Every integrity step ([`INTEGRITY`]) ran and passed: the signatures hold and
    /// nothing signed was changed, whatever the re-evaluation says.
    pub authentic: bool,
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
    /// Adds a step's outcome; any failure fails the whole report.
    pub fn record<E: std::fmt::Display>(&mut self, step: &'static str, outcome: Result<String, E>) {
        let (ok, detail) = match outcome {
            Ok(detail) => (true, detail),
            Err(e) => (false, e.to_string()),
        };
        self.verified &= ok;
        self.checks.push(Check { step, ok, detail });
        // A broken chain of custody is not an authentic renewal, whatever else holds.
        if step == "chain" && !ok {
            self.authentic = false;
        }
        self.outcome = self.judge();
    }

    /// What the steps so far make of the bundle.
    fn judge(&self) -> Outcome {
        if self.verified {
            Outcome::Verified
        } else if self.checks.iter().any(|c| c.step == "chain" && !c.ok) && self.integrity_holds() {
            Outcome::ChainBroken
        } else if self.authentic {
            Outcome::Rejudged
        } else {
            Outcome::Invalid
        }
    }

    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }

    fn integrity_holds(&self) -> bool {
        INTEGRITY
            .iter()
            .all(|step| self.checks.iter().any(|c| c.step == *step && c.ok))
    }
}

/// Stage 2 failed: not enough valid signatures from trusted keys.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("no trusted public key (or a threshold of 0): nothing can be verified")]
    NoTrustedKey,
    #[error("{good} valid signature(s) from trusted keys, {threshold} required; {notes}")]
    BelowThreshold {
        good: usize,
        threshold: usize,
        notes: String,
    },
}

impl Parsed {
    /// Checks each signature of the PAE against the trusted key with its keyid: the
    /// keyids of the trusted keys that signed it.
    pub fn signed_by(
        &self,
        keys: &[PublicKey],
        threshold: usize,
    ) -> Result<Vec<String>, (Vec<String>, SignatureError)> {
        if keys.is_empty() || threshold == 0 {
            return Err((Vec::new(), SignatureError::NoTrustedKey));
        }
        let mut good: BTreeSet<String> = BTreeSet::new();
        let mut notes = Vec::new();
        for (keyid, sig) in &self.signatures {
            match keys.iter().find(|k| &k.keyid() == keyid) {
                None => notes.push(format!("keyid {}… is not a trusted key", short(keyid))),
                Some(k) if k.verify(&self.pae, sig) => {
                    good.insert(keyid.clone());
                }
                Some(_) => notes.push(format!(
                    "the signature of keyid {}… does not verify",
                    short(keyid)
                )),
            }
        }
        let signed_by: Vec<String> = good.into_iter().collect();
        if signed_by.len() < threshold {
            let err = SignatureError::BelowThreshold {
                good: signed_by.len(),
                threshold,
                notes: notes.join("; "),
            };
            return Err((signed_by, err));
        }
        Ok(signed_by)
    }
}

/// Stage 3 failed: the signed payload is not this format's in-toto Statement.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("payload is not JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("_type {0:?} / predicateType {1:?} are not this format's")]
    WrongType(String, String),
    #[error("the predicate is not an evidence document: {0}")]
    NotEvidence(serde_json::Error),
    #[error("the predicate cannot be written canonically to digest it: {0}")]
    NotCanonical(serde_json::Error),
}

/// The statement's type fields, read before the predicate is typed (only when the
/// statement as a whole does not read).
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "_type", default)]
    statement_type: String,
    #[serde(rename = "predicateType", default)]
    predicate_type: String,
}

#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "_type", default)]
    statement_type: String,
    #[serde(rename = "predicateType", default)]
    predicate_type: String,
    #[serde(default)]
    subject: Vec<Subject>,
    predicate: Predicate,
}

/// The statement read from a payload, and the payload (its capture bodies lie there):
/// not yet trusted.
pub struct Read {
    statement: Statement,
    pae: Arc<Vec<u8>>,
    body: usize,
}

impl Read {
    /// Reads the statement of `parsed`'s payload; its capture bodies refer to the payload
    /// rather than copy it.
    fn from(parsed: &Parsed) -> Result<Read, StatementError> {
        let (pae, body) = parsed.shared();
        let _sharing = crate::evidence::share_from(Arc::clone(&pae));
        let statement = Read::statement(parsed.payload())?;
        Ok(Read {
            statement,
            pae,
            body,
        })
    }

    fn statement(payload: &[u8]) -> Result<Statement, StatementError> {
        let head = |e| match serde_json::from_slice::<Head>(payload) {
            Err(e) => StatementError::NotJson(e),
            Ok(h)
                if h.statement_type != bundle::STATEMENT_TYPE
                    || h.predicate_type != bundle::PREDICATE_TYPE =>
            {
                StatementError::WrongType(h.statement_type, h.predicate_type)
            }
            Ok(_) => StatementError::NotEvidence(e),
        };
        let statement: Statement = serde_json::from_slice(payload).map_err(head)?;
        if statement.statement_type != bundle::STATEMENT_TYPE
            || statement.predicate_type != bundle::PREDICATE_TYPE
        {
            return Err(StatementError::WrongType(
                statement.statement_type,
                statement.predicate_type,
            ));
        }
        Ok(statement)
    }
}

/// Stage 4 failed: a subject's digest does not match the predicate.
#[derive(Debug, thiserror::Error)]
#[error("digest mismatch for {}", .0.join(", "))]
pub struct SubjectError(Vec<String>);

/// Stage 5 failed: captures whose bodies do not match their digests, or repeated ids.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct CaptureError(Vec<String>);

/// Stage 6 failed: the stored findings are not what the facts give.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    #[error("the bundle carries no evaluation")]
    NotEvaluated,
    #[error(
        "checklist {id} {version} (sha256 {short}…) is not available to re-evaluate; pass it with --checklist",
        short = short(.sha256)
    )]
    UnknownChecklist {
        id: String,
        version: String,
        sha256: String,
    },
    #[error("{}", .0.join("; "))]
    Differ(Vec<String>),
    #[error("a finding cannot be written canonically to compare it: {0}")]
    Unserialisable(String),
}

/// Stage 7 failed.
#[derive(Debug, thiserror::Error)]
#[error("the summary does not match the findings it summarises")]
pub struct SummaryError;

/// Verifies `bytes` (a bundle file, let go of as soon as it is decoded). `checklists` are
/// the definitions the verifier has; the one whose SHA-256 the bundle names is used to
/// re-evaluate.
pub fn verify(
    bytes: impl Into<Vec<u8>>,
    keys: &[PublicKey],
    threshold: usize,
    checklists: &[Checklist],
) -> Report {
    let mut report = Report {
        verified: true,
        outcome: Outcome::Invalid,
        authentic: false,
        checks: Vec::new(),
        signed_by: Vec::new(),
        complete: None,
        incomplete: None,
        predicate: None,
    };
    let Some(judged) = signed_statement(&mut report, bytes.into(), keys, threshold, |read| {
        judge(read, checklists)
    }) else {
        return report;
    };
    let Judged {
        predicate,
        stated,
        recomputed,
        captured,
        findings,
    } = judged;
    let expected = match recomputed {
        Ok((expected, canonical)) => {
            report.record::<StatementError>("statement", Ok(statement_note(canonical)));
            expected
        }
        Err(e) => {
            report.record::<StatementError>("statement", Err(StatementError::NotCanonical(e)));
            return report;
        }
    };
    report.record("subjects", subjects(&stated, &expected));
    report.record("captures", captured);
    match findings {
        Ok((detail, summary, renewal)) => {
            report.record::<FindingsError>("findings", Ok(detail));
            report.record("summary", summary);
            if let Some(renewal) = renewal {
                report.record("renewal", renewal);
            }
        }
        Err(e) => report.record::<FindingsError>("findings", Err(e)),
    }
    let evidence = &predicate.evidence;
    report.authentic = report.integrity_holds();
    report.outcome = report.judge();
    report.complete = Some(evidence.collection.complete);
    report.incomplete = Some(evidence.collection.incomplete_note()).filter(|n| !n.is_empty());
    report.predicate = Some(predicate);
    report
}

/// What stages 3 to 8 found of a statement, before they are recorded in order.
struct Judged {
    predicate: Predicate,
    /// The subjects the statement carries.
    stated: Vec<Subject>,
    /// The subjects recomputed, and whether the payload is canonical.
    recomputed: Result<(Vec<Subject>, bool), serde_json::Error>,
    captured: Result<String, CaptureError>,
    /// The findings step, then the summary and (for a renewal) the renewal step.
    findings: Result<FindingStages, FindingsError>,
}

type FindingStages = (
    String,
    Result<String, SummaryError>,
    Option<Result<String, String>>,
);

/// Stages 3 to 8 of a statement read: the statement is written canonically again but
/// for its captures and facts on one core, the facts on another, while the captures are
/// digested and the findings re-evaluated on a third; then the captures are written one
/// by one against the payload (`bundle::Rest`). Runs while the signatures are checked;
/// nothing it finds is recorded unless they hold.
fn judge(read: Read, checklists: &[Checklist]) -> Judged {
    let Read {
        statement,
        pae,
        body,
    } = read;
    let payload = &pae[body..];
    let (predicate, stated) = (statement.predicate, statement.subject);
    let (recomputed, captured, findings) = std::thread::scope(|s| {
        let (predicate, stated) = (&predicate, stated.as_slice());
        let facts = s.spawn(move || {
            timed("facts written", || {
                jcs::to_vec(&predicate.evidence.facts, usize::MAX).map(|c| c.bytes)
            })
        });
        let recomputed = s.spawn(move || {
            let rest = timed("rest written", || bundle::Rest::write(predicate, stated, 0))?;
            match rest {
                Some(rest) => timed("captures written", || {
                    rest.recompute(predicate, stated, payload, || joined(facts))
                }),
                None => bundle::subjects(predicate).map(|subjects| (subjects, false)),
            }
        });
        let captured = timed("captures digested", || {
            captures(&predicate.evidence.captures)
        });
        let findings = timed("findings", || {
            findings(predicate, checklists).map(|(stored, checklist, detail)| {
                let renewal = predicate
                    .renewal
                    .as_ref()
                    .map(|r| crate::bundle::renewal::check(r, predicate, checklist));
                (detail, summary(stored, checklist), renewal)
            })
        });
        (joined(recomputed), captured, findings)
    });
    Judged {
        stated,
        recomputed,
        predicate,
        captured,
        findings,
    }
}

/// `f()`, its time logged (at debug level: `-vv`).
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    tracing::debug!(ms = start.elapsed().as_millis(), "verify: {what}");
    out
}

/// A scoped thread's result (its panic carried on).
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Stages 1–3, each only after the one before passed. The bundle's bytes are let go
/// once the envelope is decoded; the signatures are checked on this thread while the
/// statement is read on another (both only read the payload) and handed to `then`; what
/// `then` makes of it counts only if the signatures hold.
fn signed_statement<J: Send>(
    report: &mut Report,
    bytes: Vec<u8>,
    keys: &[PublicKey],
    threshold: usize,
    then: impl FnOnce(Read) -> J + Send,
) -> Option<J> {
    let parsed = match timed("envelope read", || Parsed::try_from(bytes)) {
        Ok(p) => p,
        Err(e) => {
            report.record::<StructureError>("structure", Err(e));
            return None;
        }
    };
    report.record::<StructureError>(
        "structure",
        Ok(format!(
            "DSSE envelope, {} signature(s), {} payload bytes",
            parsed.signatures.len(),
            parsed.payload().len()
        )),
    );
    let (signed_by, read) = std::thread::scope(|s| {
        let read = s.spawn(|| timed("statement read", || Read::from(&parsed)).map(then));
        let signed_by = timed("signatures", || parsed.signed_by(keys, threshold));
        (signed_by, read.join())
    });
    drop(parsed);
    let signed_by = match signed_by {
        Ok(by) => by,
        Err((signed_by, e)) => {
            report.signed_by = signed_by;
            report.record::<SignatureError>("signatures", Err(e));
            return None;
        }
    };
    report.record::<SignatureError>(
        "signatures",
        Ok(format!(
            "{} valid signature(s) from trusted keys (threshold {threshold})",
            signed_by.len()
        )),
    );
    report.signed_by = signed_by;
    match read.unwrap_or_else(|panic| std::panic::resume_unwind(panic)) {
        Ok(judged) => Some(judged),
        Err(e) => {
            report.record::<StatementError>("statement", Err(e));
            None
        }
    }
}

fn statement_note(canonical: bool) -> String {
    if canonical {
        "in-toto Statement v1, canonical (RFC 8785)".into()
    } else {
        "in-toto Statement v1 (payload not in canonical form: digests still checked)".into()
    }
}

/// Stage 4: the subjects' digests are those of the predicate's captures, facts and evaluation.
fn subjects(stated: &[Subject], expected: &[Subject]) -> Result<String, SubjectError> {
    if stated != expected {
        let wrong = expected
            .iter()
            .filter(|s| !stated.contains(s))
            .map(|s| s.name.clone())
            .collect();
        return Err(SubjectError(wrong));
    }
    Ok(format!(
        "{} subject digests match the predicate",
        expected.len()
    ))
}

/// Stage 5: every capture's body matches its SHA-256, and ids are unique.
fn captures(captures: &[Capture]) -> Result<String, CaptureError> {
    let mut bad = Vec::new();
    let mut ids = BTreeSet::new();
    // Binary bodies are decoded into one buffer, reused from capture to capture.
    let mut decoded = Vec::new();
    for c in captures {
        if !ids.insert(c.id.as_str()) {
            bad.push(format!("{} appears twice", c.id));
        }
        let body = match c.body_encoding.as_str() {
            "base64" => {
                decoded.clear();
                base64::engine::general_purpose::STANDARD
                    .decode_vec(c.body.as_bytes(), &mut decoded)
                    .map(|()| decoded.as_slice())
            }
            _ => Ok(c.body.as_bytes()),
        };
        match body {
            Ok(body) if sha256_hex(body) == c.sha256 => {}
            Ok(_) => bad.push(format!(
                "{} ({} {}) body does not match its sha256",
                c.id, c.service, c.operation
            )),
            Err(_) => bad.push(format!("{} body is not decodable", c.id)),
        }
    }
    if !bad.is_empty() {
        return Err(CaptureError(bad));
    }
    Ok(format!("{} captures match their SHA-256", captures.len()))
}

/// Stage 6: the findings and claims, re-evaluated with the checklist the bundle names.
fn findings<'p, 'c>(
    predicate: &'p Predicate,
    checklists: &'c [Checklist],
) -> Result<(&'p Evaluation, &'c Checklist, String), FindingsError> {
    let stored = predicate
        .evaluation
        .as_ref()
        .ok_or(FindingsError::NotEvaluated)?;
    let named = &stored.checklist;
    let checklist = checklists
        .iter()
        .find(|c| c.sha256 == named.sha256)
        .ok_or_else(|| FindingsError::UnknownChecklist {
            id: named.id.clone(),
            version: named.version.clone(),
            sha256: named.sha256.clone(),
        })?;
    let again = evaluate::evaluate(&predicate.evidence, checklist);
    // Verdicts and claim results must follow from the facts; wording, values and
    // citations may differ between builds (reasons improve), and are named as reworded.
    let mut diffs = Vec::new();
    let mut reworded = Vec::new();
    for f in &again.findings {
        match stored.findings.iter().find(|s| s.item == f.item) {
            None => diffs.push(format!("{} is missing", f.item)),
            Some(s) if s.verdict != f.verdict => diffs.push(format!(
                "{} says {} but the facts give {}",
                f.item,
                s.verdict.as_str(),
                f.verdict.as_str()
            )),
            Some(s) if !same(s, f)? => reworded.push(f.item.clone()),
            Some(_) => {}
        }
    }
    for s in &stored.findings {
        if !again.findings.iter().any(|f| f.item == s.item) {
            diffs.push(format!("{} is not a checklist item", s.item));
        }
    }
    let results = |c: &[evaluate::claims::ClaimCheck]| -> Vec<(String, &'static str)> {
        c.iter()
            .map(|c| (c.claim.clone(), c.result.as_str()))
            .collect()
    };
    if results(&stored.claims) != results(&again.claims) {
        diffs.push("claim results differ from their re-evaluation".into());
    } else if !same(&stored.claims, &again.claims)? {
        reworded.push("claims".into());
    }
    if !diffs.is_empty() {
        return Err(FindingsError::Differ(diffs));
    }
    let detail = if reworded.is_empty() {
        format!(
            "{} findings re-evaluated from the facts: identical",
            again.findings.len()
        )
    } else {
        format!(
            "{} findings re-evaluated from the facts: the same verdicts; this build words {} differently ({})",
            again.findings.len(),
            reworded.len(),
            reworded.join(", ")
        )
    };
    Ok((stored, checklist, detail))
}

/// Stage 7: the summary counts the stored findings.
fn summary(stored: &Evaluation, checklist: &Checklist) -> Result<String, SummaryError> {
    let counted = evaluate::summarise(&stored.findings, &stored.claims, checklist);
    if !same(&counted, &stored.summary).unwrap_or(false) {
        return Err(SummaryError);
    }
    Ok(format!("{} items counted", counted.items))
}

/// Equal as canonical JSON: the payload went through RFC 8785, which writes 81000000000.0
/// as 81000000000, so values are compared in that form.
fn same<T: Serialize>(a: &T, b: &T) -> Result<bool, FindingsError> {
    // Fail closed: a value that cannot be written canonically is never "the same".
    let canon = |v: &T| jcs::canonical(v).map_err(|e| FindingsError::Unserialisable(e.to_string()));
    Ok(canon(a)? == canon(b)?)
}

fn short(s: &str) -> &str {
    crate::text::prefix(s, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_trusted_key_verifies_nothing() {
        let envelope = format!(
            r#"{{"payloadType":"{}","payload":"e30=","signatures":[{{"keyid":"k","sig":"AAAA"}}]}}"#,
            bundle::PAYLOAD_TYPE
        );
        let parsed = Parsed::try_from(envelope.as_bytes()).expect("parsed");
        let err = parsed.signed_by(&[], 1).err().map(|(_, e)| e.to_string());
        assert!(err.is_some_and(|e| e.contains("no trusted public key")));
    }

    /// A payload another writer laid out (indented, not RFC 8785) verifies with the same
    /// subjects, named as not canonical; a change inside its facts is still found.
    #[test]
    fn a_payload_not_in_canonical_form_is_checked_part_by_part() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let path = format!(
            "{}/fixtures/bundles/exemplary-v0.1.0.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let envelope: bundle::Envelope =
            serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("envelope");
        let statement: serde_json::Value =
            serde_json::from_slice(&b64.decode(&envelope.payload).expect("base64")).expect("json");
        let key = bundle::LocalKey::generate().expect("key");
        let checklists = [crate::evaluate::checklist::load_default()];
        let verify_signed = |statement: &serde_json::Value| {
            let payload = serde_json::to_vec_pretty(statement).expect("json");
            let sig = key.sign(&bundle::pae(bundle::PAYLOAD_TYPE, &payload));
            let envelope = bundle::Envelope {
                payload: b64.encode(&payload),
                payload_type: bundle::PAYLOAD_TYPE.into(),
                signatures: vec![bundle::Signature {
                    keyid: key.public().keyid(),
                    sig: b64.encode(sig),
                }],
            };
            let bytes = serde_json::to_vec(&envelope).expect("envelope");
            verify(bytes, &[key.public()], 1, &checklists)
        };
        let report = verify_signed(&statement);
        assert!(report.verified, "{:?}", report.failures());
        // Judged while the signatures were checked, but nothing of it recorded when they
        // fail: structure and signatures only.
        let stranger = bundle::LocalKey::generate().expect("key").public();
        let bytes = serde_json::to_vec(&envelope).expect("envelope");
        let refused = verify(bytes, &[stranger], 1, &checklists);
        let steps: Vec<&str> = refused.checks.iter().map(|c| c.step).collect();
        assert_eq!(steps, ["structure", "signatures"]);
        assert!(refused.predicate.is_none() && refused.outcome == Outcome::Invalid);
        let step = |r: &Report, name: &str| {
            r.checks
                .iter()
                .find(|c| c.step == name)
                .map(|c| c.detail.clone())
        };
        assert!(
            step(&report, "statement").is_some_and(|d| d.contains("not in canonical form")),
            "{:?}",
            report.checks
        );
        let mut changed = statement.clone();
        changed["predicate"]["facts"]["endpoints"][0]["ssl_mode"] = "none".into();
        let report = verify_signed(&changed);
        let failed: Vec<&str> = report.failures().iter().map(|c| c.step).collect();
        assert!(failed.contains(&"subjects"), "{failed:?}");
        assert!(
            step(&report, "subjects").is_some_and(|d| d.contains("/facts")),
            "{:?}",
            report.checks
        );
    }
}
