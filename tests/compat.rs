//! Bundles signed by earlier releases keep verifying, and read back into today's types
//! they serialise to the very bytes that were signed: a renewal compares with last
//! year's bundle, so the format may only change behind a new schema version.
//!
//! `fixtures/bundles/*-v0.1.0.json` were signed by dms-evidence 0.1.0 (the key is
//! `signer.pub`; the private key was thrown away). If this test fails, a type change
//! altered the signed format: make the change serialise as before (defaults skipped),
//! or version the schema.

use std::path::PathBuf;

use base64::Engine as _;
use dms_evidence::bundle::{self, Envelope, Predicate, PublicKey};
use dms_evidence::evaluate::checklist;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/bundles")
        .join(name)
}

#[derive(serde::Deserialize)]
struct Statement {
    predicate: Predicate,
}

/// Every capture body with nothing to unescape is a span of the bundle read, and some are.
fn shared_where_possible(p: &Predicate) -> bool {
    let escaped = |ch: char| ch == '"' || ch == '\\' || ch < ' ';
    let captures = &p.evidence.captures;
    captures.iter().any(|c| c.body.is_shared())
        && captures
            .iter()
            .all(|c| c.body.is_shared() || c.body.contains(escaped))
}

#[test]
fn earlier_bundles_verify_and_round_trip_byte_for_byte() {
    let key = PublicKey::load(&fixture("signer.pub")).expect("signer.pub");
    for name in ["exemplary-v0.1.0.json", "weak-v0.1.0.json"] {
        let bytes = std::fs::read(fixture(name)).expect("bundle");
        let report = dms_evidence::verify::verify(
            bytes.as_slice(),
            std::slice::from_ref(&key),
            1,
            &[checklist::load_default()],
        );
        assert!(report.verified, "{name}: {:?}", report.failures());
        let statement_step = report.checks.iter().find(|c| c.step == "statement");
        assert!(
            statement_step.is_some_and(|c| c.detail.contains("canonical (RFC 8785)")),
            "{name}: {statement_step:?}"
        );
        // The bodies verify read are spans of the payload, not copies (issue 22).
        let predicate = report.predicate.as_ref().expect("predicate");
        assert!(
            predicate
                .evidence
                .captures
                .iter()
                .all(|c| c.body.is_shared() || c.body.contains('"') || c.body.contains('\\')),
            "{name}: a body without escapes was copied"
        );
        // Later builds may word reasons differently, never reach other verdicts.
        let findings = report
            .checks
            .iter()
            .find(|c| c.step == "findings")
            .expect("a findings step");
        assert!(
            findings.detail.contains("identical") || findings.detail.contains("the same verdicts"),
            "{name}: {}",
            findings.detail
        );

        let envelope: Envelope = serde_json::from_slice(&bytes).expect("envelope");
        let payload = base64::engine::general_purpose::STANDARD
            .decode(&envelope.payload)
            .expect("base64");
        let statement: Statement = serde_json::from_slice(&payload).expect("typed statement");
        let again = bundle::payload(&statement.predicate).expect("payload");
        assert!(
            again == payload,
            "{name}: today's types serialise the signed predicate differently"
        );

        let loaded = bundle::predicate::load(&fixture(name)).expect("load");
        assert!(loaded.evaluation.is_some() && !loaded.signers.is_empty());
        assert!(shared_where_possible(&loaded), "{name}: load copied a body");
    }
}
