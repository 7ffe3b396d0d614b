//! Signed bundles end to end: keygen, `collect --key` / `--kms-key-id`, `verify`, and
//! tampering — each kind detected by the step that should catch it, with its message.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use dms_evidence::bundle::Predicate;
use dms_evidence::bundle::{self, Envelope, LocalKey, PublicKey, Signer};
use dms_evidence::evaluate::{Verdict, checklist};
use dms_evidence::verify::verify;
use support::{Emulator, repo_root, verdicts};

fn run(emu: &Emulator, args: &[&str]) -> Output {
    support::cli(emu, args)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

struct Signed {
    dir: tempfile::TempDir,
    bundle: PathBuf,
    private: PathBuf,
    public: PathBuf,
}

/// `collect` of the exemplary case study signed with `key`, plus `extra` flags.
fn collect_exemplary(
    emu: &Emulator,
    key: &Path,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    let case = s(&repo_root().join("fixtures/case-studies/exemplary.toml"));
    let (key, out) = (s(key), s(out));
    let mut args = vec!["collect", "--case-study", &case, "--key", &key];
    args.extend_from_slice(extra);
    args.extend(["--out", out.as_str()]);
    run(emu, &args)
}

fn signed_bundle(emu: &Emulator) -> Signed {
    emu.seed("exemplary");
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, public, bundle) = (
        dir.path().join("k.pem"),
        dir.path().join("k.pub"),
        dir.path().join("bundle.json"),
    );
    let out = run(
        emu,
        &[
            "keygen",
            "--private-key",
            &s(&private),
            "--public-key",
            &s(&public),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = collect_exemplary(emu, &private, &bundle, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Signed {
        dir,
        bundle,
        private,
        public,
    }
}

fn open(path: &Path) -> (Envelope, Predicate) {
    let envelope: Envelope =
        serde_json::from_slice(&std::fs::read(path).expect("bundle")).expect("envelope");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&envelope.payload)
        .expect("base64");
    let statement: serde_json::Value = serde_json::from_slice(&payload).expect("statement");
    let evidence = serde_json::from_value(statement["predicate"].clone()).expect("predicate");
    (envelope, evidence)
}

/// Verifies with one trusted key, a threshold of 1 and the built-in checklist.
fn report_for(bytes: &[u8], key: &PublicKey) -> dms_evidence::verify::Report {
    verify(
        bytes,
        std::slice::from_ref(key),
        1,
        &[checklist::load_default()],
    )
}

fn failed_step(bytes: &[u8], key: &PublicKey) -> (String, String) {
    let report = report_for(bytes, key);
    assert!(!report.verified, "tampering went unnoticed");
    report
        .failures()
        .first()
        .map(|c| (c.step.to_string(), c.detail.clone()))
        .expect("a failed step")
}

#[test]
fn keygen_collect_and_verify() {
    let emu = Emulator::shared();
    let b = signed_bundle(emu);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&b.private)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let again = run(
        emu,
        &[
            "keygen",
            "--private-key",
            &s(&b.private),
            "--public-key",
            &s(&b.dir.path().join("other.pub")),
        ],
    );
    assert_eq!(again.status.code(), Some(2), "never overwrites a key");

    let out = run(
        emu,
        &["verify", &s(&b.bundle), "--public-key", &s(&b.public)],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for step in [
        "structure",
        "signatures",
        "statement",
        "subjects",
        "captures",
        "findings",
        "summary",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("ok") && l.contains(step)),
            "{step}: {text}"
        );
    }
    let (envelope, evidence) = open(&b.bundle);
    assert_eq!(envelope.payload_type, "application/vnd.in-toto+json");
    let keyid = PublicKey::load(&b.public).expect("key").keyid();
    assert_eq!(envelope.signatures[0].keyid, keyid);
    assert_eq!(evidence.signers[0].keyid, keyid);
    let findings = &evidence.evaluation.clone().expect("evaluation").findings;
    assert!(
        findings.iter().all(|f| !f.item.is_empty()),
        "findings carry item and verdict"
    );
    // evaluate reads a bundle too.
    let eval = run(emu, &["evaluate", &s(&b.bundle), "--format", "json"]);
    assert_eq!(eval.status.code(), Some(0));

    let wrong = b.dir.path().join("wrong.pub");
    LocalKey::generate()
        .expect("key")
        .write(&b.dir.path().join("wrong.pem"), &wrong)
        .expect("write");
    let out = run(emu, &["verify", &s(&b.bundle), "--public-key", &s(&wrong)]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is not a trusted key"));
    let out = run(
        emu,
        &[
            "verify",
            &s(&b.bundle),
            "--public-key",
            &s(&b.public),
            "--threshold",
            "2",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "one signature cannot meet a threshold of 2"
    );
    let out = run(
        emu,
        &["verify", &s(&b.bundle), "--public-key", &s(&b.private)],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a private key is not a trusted public key: bad input"
    );
}

#[tokio::test]
async fn tampering_is_detected_where_it_happened() {
    let emu = Emulator::shared();
    let b = signed_bundle(emu);
    let trusted = PublicKey::load(&b.public).expect("public");
    let signer = || Signer::Local(LocalKey::load(&b.private).expect("private"));
    let bytes = std::fs::read(&b.bundle).expect("bundle");
    let (envelope, evidence) = open(&b.bundle);

    // Bytes changed after signing: the signature no longer verifies.
    let mut e = envelope.clone();
    let mut payload = base64::engine::general_purpose::STANDARD
        .decode(&e.payload)
        .expect("b64");
    let at = payload.len() / 2;
    payload[at] ^= 0x01;
    e.payload = base64::engine::general_purpose::STANDARD.encode(&payload);
    assert_eq!(
        failed_step(&serde_json::to_vec(&e).expect("json"), &trusted).0,
        "signatures"
    );
    let mut e = envelope.clone();
    let mut sig = base64::engine::general_purpose::STANDARD
        .decode(&e.signatures[0].sig)
        .expect("b64");
    sig[0] ^= 0x80;
    e.signatures[0].sig = base64::engine::general_purpose::STANDARD.encode(&sig);
    assert_eq!(
        failed_step(&serde_json::to_vec(&e).expect("json"), &trusted).0,
        "signatures"
    );
    let mut e = envelope.clone();
    // Another hex digit first (a fixed "0" would be no change for 1 key in 16).
    let first = if e.signatures[0].keyid.starts_with('0') {
        "1"
    } else {
        "0"
    };
    e.signatures[0].keyid = format!("{first}{}", &e.signatures[0].keyid[1..]);
    let (step, detail) = failed_step(&serde_json::to_vec(&e).expect("json"), &trusted);
    assert_eq!(step, "signatures");
    assert!(detail.contains("not a trusted key"), "{detail}");

    // A truncated file, or not an envelope at all: structure.
    assert_eq!(
        failed_step(&bytes[..bytes.len() / 3], &trusted).0,
        "structure"
    );
    assert_eq!(
        failed_step(
            b"{\"payloadType\": \"text/plain\", \"payload\": \"\", \"signatures\": []}",
            &trusted
        )
        .0,
        "structure"
    );

    // Inconsistent content signed by the trusted key: the later steps catch it.
    let reseal = |ev: Predicate| async move {
        serde_json::to_vec(&bundle::seal(ev, &[signer()]).await.expect("seal")).expect("json")
    };
    let mut ev = evidence.clone();
    ev.evidence.captures[3].body.make_mut().push(' ');
    let resealed = reseal(ev).await;
    let (step, detail) = failed_step(&resealed, &trusted);
    assert_eq!(step, "captures", "{detail}");
    let report = report_for(&resealed, &trusted);
    assert!(!report.authentic);
    assert!(
        dms_evidence::output::verify_table(&report).contains("NOT VERIFIED: invalid or tampered")
    );
    assert!(
        detail.contains("c000004") && detail.contains("does not match its sha256"),
        "{detail}"
    );

    let mut ev = evidence.clone();
    let (a, b2) = (
        ev.evidence.captures[1].body.clone(),
        ev.evidence.captures[2].body.clone(),
    );
    ev.evidence.captures[1].body = b2;
    ev.evidence.captures[2].body = a;
    let report = report_for(&reseal(ev).await, &trusted);
    assert!(
        report.failures().iter().any(|c| c.step == "captures"),
        "swapped captures: {:?}",
        report.failures()
    );

    let mut ev = evidence.clone();
    let findings = &mut ev.evaluation.as_mut().expect("evaluation").findings;
    let i = findings
        .iter()
        .position(|f| f.item == "dms.1.0.sec.in-flight")
        .expect("item");
    findings.remove(i);
    let report = report_for(&reseal(ev).await, &trusted);
    let f = report
        .failures()
        .into_iter()
        .find(|c| c.step == "findings")
        .expect("findings step")
        .detail
        .clone();
    assert!(f.contains("dms.1.0.sec.in-flight is missing"), "{f}");

    let mut ev = evidence.clone();
    let f = ev
        .evaluation
        .as_mut()
        .expect("evaluation")
        .findings
        .iter_mut()
        .find(|f| f.item == "dms.2.1.wl.cdc-homo")
        .expect("item");
    assert_eq!(f.verdict, Verdict::NotMet);
    f.verdict = Verdict::Met;
    let report = report_for(&reseal(ev).await, &trusted);
    let f = report
        .failures()
        .into_iter()
        .find(|c| c.step == "findings")
        .expect("findings step")
        .detail
        .clone();
    assert!(
        f.contains("dms.2.1.wl.cdc-homo says met but the facts give not_met"),
        "{f}"
    );
    // Signed as it is by a trusted key: authentic, but not what these rules give. The
    // verdict line says so instead of "tampered" (an older build's bundle looks the same).
    assert!(report.authentic && !report.verified);
    let table = dms_evidence::output::verify_table(&report);
    assert!(
        table.contains("NOT VERIFIED: authentic") && !table.contains("tampered"),
        "{table}"
    );

    let mut ev = evidence.clone();
    *ev.evaluation
        .as_mut()
        .expect("evaluation")
        .summary
        .verdicts
        .get_mut("met")
        .expect("met") += 1;
    let report = report_for(&reseal(ev).await, &trusted);
    assert!(
        report.failures().iter().any(|c| c.step == "summary"),
        "{:?}",
        report.failures()
    );

    // Facts changed to flatter the case: the stored verdicts no longer follow from them.
    let mut ev = evidence.clone();
    ev.evidence.facts.replication_instances[0].publicly_accessible = Some(true);
    ev.evidence
        .facts
        .endpoints
        .iter_mut()
        .for_each(|e| e.host.kind = dms_evidence::facts::HostKind::Rds);
    let report = report_for(&reseal(ev).await, &trusted);
    assert!(
        report
            .failures()
            .iter()
            .any(|c| c.step == "findings" && c.detail.contains("public-private")),
        "{:?}",
        report.failures()
    );
}

#[tokio::test]
async fn kms_signed_bundle_verifies_with_the_kms_public_key() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    // The signer's own account (the emulator's default for the base credentials).
    let kms = aws_sdk_kms::Client::new(&emu.base_config("us-east-1").await);
    let key = kms
        .create_key()
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .send()
        .await
        .expect("CreateKey");
    let arn = key
        .key_metadata()
        .and_then(|m| m.arn())
        .expect("arn")
        .to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let (bundle_path, kms_pub, private, public) = (
        dir.path().join("b.json"),
        dir.path().join("kms.pub"),
        dir.path().join("k.pem"),
        dir.path().join("k.pub"),
    );
    LocalKey::generate()
        .expect("key")
        .write(&private, &public)
        .expect("write");
    let case = repo_root().join("fixtures/case-studies/exemplary.toml");
    let out = run(
        emu,
        &[
            "collect",
            "--case-study",
            &s(&case),
            "--kms-key-id",
            &arn,
            "--kms-public-key-out",
            &s(&kms_pub),
            "--key",
            &s(&private),
            "--out",
            &s(&bundle_path),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (envelope, evidence) = open(&bundle_path);
    assert_eq!(envelope.signatures.len(), 2);
    assert_eq!(
        evidence
            .signers
            .iter()
            .filter_map(|s| s.kms_key_arn.as_deref())
            .collect::<Vec<_>>(),
        [arn.as_str()]
    );
    let out = run(
        emu,
        &[
            "verify",
            &s(&bundle_path),
            "--public-key",
            &s(&kms_pub),
            "--public-key",
            &s(&public),
            "--threshold",
            "2",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(
        emu,
        &["verify", &s(&bundle_path), "--public-key", &s(&kms_pub)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the KMS signature alone meets a threshold of 1"
    );
    // The KMS calls used the signer's own credentials, not the customer's read-only role.
    assert!(
        evidence
            .evidence
            .captures
            .iter()
            .all(|c| c.service != "kms" || c.operation != "Sign")
    );
}

#[test]
fn redacted_bundles_hide_names_keep_verdicts_and_verify() {
    let emu = Emulator::shared();
    let plain = signed_bundle(emu);
    let dir = &plain.dir;
    let (salt, redacted) = (dir.path().join("salt"), dir.path().join("redacted.json"));
    let out = collect_exemplary(
        emu,
        &plain.private,
        &redacted,
        &["--redact", "--redact-salt", &s(&salt)],
    );
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(salt.exists(), "the salt is created and kept");
    let verified = run(
        emu,
        &["verify", &s(&redacted), "--public-key", &s(&plain.public)],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let envelope: Envelope =
        serde_json::from_str(&std::fs::read_to_string(&redacted).expect("read")).expect("envelope");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&envelope.payload)
        .expect("payload");
    let text = String::from_utf8_lossy(&payload);
    for name in [
        "oradb01.corp.example.com",
        "erp-aurora.cluster",
        "ERPPROD",
        "erp-migration",
        "dms_user",
    ] {
        assert!(
            !text.contains(name),
            "{name} is still in the redacted bundle"
        );
    }
    let load =
        |p: &Path| -> Predicate { dms_evidence::bundle::predicate::load(p).expect("evidence") };
    assert_eq!(
        verdicts(&load(&redacted)),
        verdicts(&load(&plain.bundle)),
        "redaction changes no verdict"
    );
    assert!(load(&redacted).evidence.collection.redacted);
}
