//! Renewals against the emulator: last year's signed bundle, collected from the
//! `exemplary` estate and aged by 500 days (past CloudWatch's 455-day retention of hourly
//! data), renewed by `collect --previous` and `fleet --previous` against this year's
//! estate, where the CDC metrics are gone and the table statistics were reset. The chain
//! verifies, the expired CDC evidence is carried forward with its original captures and
//! signature, and a tampered or foreign previous bundle is refused.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dms_evidence::bundle::{self, Envelope, LocalKey, Predicate, Signer};
use dms_evidence::evaluate::{Verdict, checklist, evaluate};
use serde_json::Value;
use support::{Emulator, cli, keygen, repo_root};

const DAYS: i64 = 500;
const CDC: &str = "dms.1.0.mig.cdc";

fn case_study() -> String {
    repo_root()
        .join("fixtures/case-studies/exemplary.toml")
        .to_string_lossy()
        .into_owned()
}

/// Shifts every RFC 3339 string and epoch-second metric time of `v` back by `days`.
fn age(v: &mut Value, days: i64, epoch_seconds: bool) {
    let shift = time::Duration::days(days);
    match v {
        Value::String(s) => {
            if let Some(t) = dms_evidence::time::Timestamp::parse(s) {
                *s = (t - shift).to_string();
            }
        }
        Value::Number(n) if epoch_seconds => {
            if let Some(t) = n.as_i64() {
                *v = Value::from(t - shift.whole_seconds());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| age(i, days, epoch_seconds)),
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                let times = matches!(k.as_str(), "timestamps" | "hourly_windows");
                age(item, days, epoch_seconds || times);
            }
        }
        _ => {}
    }
}

/// Last year's bundle: this estate collected now, every time in it moved `DAYS` back,
/// judged again and signed. Its verdicts must be today's (only the clock moved).
async fn last_years_bundle(emu: &Emulator, dir: &Path, key: &str) -> PathBuf {
    let doc = dir.join("now.json");
    let out = cli(
        emu,
        &[
            "collect",
            "--case-study",
            &case_study(),
            "--out",
            &doc.to_string_lossy(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now: Predicate =
        serde_json::from_slice(&std::fs::read(&doc).expect("read")).expect("document");
    let mut json = serde_json::to_value(&now.evidence).expect("json");
    for part in ["facts", "collection", "captures"] {
        age(&mut json[part], DAYS, false);
    }
    let aged: dms_evidence::evidence::Evidence = serde_json::from_value(json).expect("aged");
    let checklist = checklist::load_default();
    let eval = evaluate(&aged, &checklist);
    assert_eq!(
        verdicts(&eval.findings),
        verdicts(&now.evaluation.expect("evaluated").findings),
        "ageing the document changed a verdict: the test would not be about renewal"
    );
    assert_eq!(
        eval.findings
            .iter()
            .find(|f| f.item == CDC)
            .map(|f| f.verdict),
        Some(Verdict::Met)
    );
    let signer = Signer::Local(LocalKey::load(Path::new(key)).expect("key"));
    let envelope = bundle::seal(Predicate::new(aged, eval), &[signer])
        .await
        .expect("seal");
    let path = dir.join("exemplary.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&envelope).expect("json")).expect("write");
    path
}

fn verdicts(findings: &[dms_evidence::evaluate::Finding]) -> BTreeMap<String, Verdict> {
    findings
        .iter()
        .map(|f| (f.item.clone(), f.verdict))
        .collect()
}

/// This year's estate: the same migration, its CDC metrics past retention and its
/// table statistics reset (the task was reloaded), so no CDC activity is on record.
fn this_years_estate(dir: &Path) -> PathBuf {
    let path = repo_root().join("fixtures/scenarios/exemplary.json");
    let mut s: Value =
        serde_json::from_slice(&std::fs::read(path).expect("scenario")).expect("json");
    let region = &mut s["accounts"][0]["regions"][0];
    region["metrics"]
        .as_array_mut()
        .expect("metrics")
        .retain(|m| {
            !matches!(
                m["name"].as_str(),
                Some("CDCIncomingChanges" | "CDCThroughputRowsSource" | "CDCThroughputRowsTarget")
            )
        });
    let stats = &mut region["tasks"][0]["table_statistics"]["generate"];
    for counter in ["inserts", "updates", "deletes"] {
        stats[counter] = Value::from(0);
    }
    let out = dir.join("exemplary-year2.json");
    std::fs::write(&out, serde_json::to_vec(&s).expect("json")).expect("write");
    out
}

/// `collect --previous`: this year's collection of the case study, renewing `previous`.
fn renew(
    emu: &Emulator,
    key: &str,
    previous: &str,
    out: &str,
    extra: &[&str],
) -> std::process::Output {
    let case = case_study();
    let mut args = vec![
        "collect",
        "--case-study",
        &case,
        "--key",
        key,
        "--previous",
        previous,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    cli(emu, &args)
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renewal_verifies_the_chain_and_carries_expired_evidence_forward() {
    let dir = tempfile::tempdir().expect("tempdir");
    let last_year = Emulator::start();
    last_year.seed("exemplary");
    let (key, public) = keygen(&last_year, dir.path());
    let previous = last_years_bundle(&last_year, dir.path(), &key).await;
    drop(last_year);

    let emu = Emulator::start();
    emu.seed_file(&this_years_estate(dir.path()));
    let renewed = dir.path().join("renewed.json");
    let (prev, out_path) = (previous.to_string_lossy(), renewed.to_string_lossy());
    let out = renew(&emu, &key, &prev, &out_path, &[]);
    let said = text(&out);
    let bundle = dms_evidence::bundle::predicate::load(&renewed).expect("renewed bundle");
    let renewal = bundle.renewal.clone().expect("a renewal");
    let code = out.status.code();
    assert_eq!(
        code,
        Some(if renewal.regressions > 0 {
            5
        } else if renewal.ready {
            0
        } else {
            3
        }),
        "{said}"
    );
    assert!(said.contains("verdict changes"), "the diff runs: {said}");

    // The link: last year's digest and signatures, and what changed since.
    let prev_bytes = std::fs::read(&previous).expect("previous");
    let envelope: Envelope = serde_json::from_slice(&prev_bytes).expect("envelope");
    assert_eq!(
        renewal.previous.sha256,
        dms_evidence::digest::sha256_hex(&prev_bytes)
    );
    assert_eq!(renewal.previous.signatures, envelope.signatures);
    assert_eq!(renewal.previous_verdicts.get(CDC), Some(&Verdict::Met));
    let today = verdicts(&bundle.evaluation.as_ref().expect("evaluated").findings);
    assert_eq!(
        today.get(CDC),
        Some(&Verdict::InsufficientEvidence),
        "today says what AWS shows"
    );
    let change = renewal
        .changes
        .iter()
        .find(|c| c.item == CDC)
        .expect("CDC changed");
    assert_eq!(change.kind.as_str(), "expired", "{said}");
    assert!(
        renewal
            .changes
            .iter()
            .filter(|c| c.kind.as_str() == "regression")
            .all(|c| !c.item.contains("cdc")),
        "CDC items expired, they did not regress: {:?}",
        renewal.changes
    );

    // The carried evidence: the series as signed last year, its captures and their times.
    let carried: Vec<_> = renewal
        .carried_forward
        .iter()
        .filter(|c| c.item == CDC)
        .collect();
    assert!(!carried.is_empty(), "{:?}", renewal.carried_forward);
    let old = dms_evidence::bundle::predicate::load(&previous).expect("previous predicate");
    for c in &carried {
        assert!(
            c.evidence.starts_with("metrics/AWS/DMS/CDC"),
            "{}",
            c.evidence
        );
        assert_eq!(c.origin.sha256, renewal.previous.sha256);
        assert!(!c.captures.is_empty());
        for id in &c.captures {
            let kept = renewal
                .captures
                .iter()
                .find(|k| &k.capture.id == id && k.origin == c.origin.sha256)
                .expect("carried once");
            assert!(
                old.evidence.captures.contains(&kept.capture),
                "capture {id} is last year's, byte for byte, with its capture time"
            );
        }
        assert!(c.expired <= bundle.evidence.collection.finished_at);
        // As signed (RFC 8785 writes 1800.0 as 1800, so compare canonical forms).
        let canon = |v: &Value| dms_evidence::bundle::jcs::canonical(v).expect("canonical");
        let signed: Vec<String> = old
            .evidence
            .facts
            .metrics
            .iter()
            .map(|m| canon(&serde_json::to_value(m).expect("json")))
            .collect();
        assert!(
            c.facts.iter().all(|f| signed.contains(&canon(f))),
            "{}",
            c.evidence
        );
    }
    if renewal.regressions == 0 {
        assert!(
            renewal.ready,
            "carrying CDC forward keeps the case study ready: {}",
            renewal.readiness
        );
    }

    // Offline: the renewal checks on its own, and the chain with last year's bundle.
    let renewed_s = renewed.to_string_lossy().into_owned();
    let out = cli(&emu, &["verify", &renewed_s, "--public-key", &public]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("renewal"), "{}", text(&out));
    let verify_chain = |previous: &str| {
        cli(
            &emu,
            &[
                "verify",
                &renewed_s,
                "--public-key",
                &public,
                "--previous",
                previous,
            ],
        )
    };
    let out = verify_chain(&prev);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("renews to exactly the renewal signed"),
        "{}",
        text(&out)
    );

    // The report reads it: the link, what changed, what is carried and from when.
    for format in ["md", "html"] {
        let out = cli(
            &emu,
            &[
                "report",
                &renewed_s,
                "--format",
                format,
                "--public-key",
                &public,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let page = String::from_utf8_lossy(&out.stdout);
        assert!(page.contains("Renewal: the chain of custody"), "{format}");
        assert!(
            page.contains(&renewal.previous.sha256),
            "{format}: the full digest"
        );
        assert!(
            page.contains("Carried forward (") && page.contains("CDCThroughputRowsTarget"),
            "{format}"
        );
    }

    // Another file in place of last year's bundle breaks the chain.
    let other = dir.path().join("other.json");
    let mut changed = prev_bytes.clone();
    changed.push(b'\n');
    std::fs::write(&other, &changed).expect("write");
    let out = verify_chain(&other.to_string_lossy());
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(text(&out).contains("SHA-256"), "{}", text(&out));
    // A broken chain is its own outcome: not a re-judgement, not authentic as a renewal.
    assert!(
        text(&out).contains("chain of custody broken") && !text(&out).contains("judges"),
        "{}",
        text(&out)
    );
    let json = cli(
        &emu,
        &[
            "verify",
            &renewed_s,
            "--public-key",
            &public,
            "--previous",
            &other.to_string_lossy(),
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json report");
    assert_eq!(report["outcome"], "chain_broken", "{report}");
    assert_eq!(report["authentic"], false, "{report}");

    // A previous bundle no trusted key signed is refused before any AWS call.
    let stranger = tempfile::tempdir().expect("tempdir");
    let (stranger_key, _) = keygen(&emu, stranger.path());
    let refused = dir.path().join("refused.json");
    let out = renew(&emu, &stranger_key, &prev, &refused.to_string_lossy(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("does not verify") && text(&out).contains("--previous-key"),
        "{}",
        text(&out)
    );
    assert!(!refused.exists());
    // …and accepted with the key that signed it.
    let accepted = dir.path().join("accepted.json");
    let out = renew(
        &emu,
        &stranger_key,
        &prev,
        &accepted.to_string_lossy(),
        &["--previous-key", &public],
    );
    assert_eq!(out.status.code(), code, "{}", text(&out));

    // Writing over the bundle the chain points at is refused, before any AWS call.
    let out = renew(&emu, &key, &prev, &prev, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("overwrite"), "{}", text(&out));
    assert_eq!(std::fs::read(&previous).expect("kept"), prev_bytes);

    // A fleet renews last year's output directory the same way.
    let fleet = dir.path().join("fleet.toml");
    std::fs::write(
        &fleet,
        format!(
            "[[case_study]]\nid = \"exemplary\"\nmanifest = {:?}\n",
            case_study()
        ),
    )
    .expect("fleet");
    let out_dir = dir.path().join("this-year");
    let last_years = dir.path().to_string_lossy().into_owned();
    let renew_fleet = |out_dir: &str| {
        cli(
            &emu,
            &[
                "fleet",
                "--manifest",
                &fleet.to_string_lossy(),
                "--out-dir",
                out_dir,
                "--key",
                &key,
                "--previous",
                &last_years,
            ],
        )
    };
    let out = renew_fleet(&out_dir.to_string_lossy());
    assert_eq!(out.status.code(), code, "{}", text(&out));
    assert!(text(&out).contains("renews "), "{}", text(&out));
    let out = renew_fleet(&last_years);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("overwrite"), "{}", text(&out));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).expect("summary"))
            .expect("json");
    let record = &summary["case_studies"][0];
    let diff: Value = serde_json::from_slice(
        &std::fs::read(out_dir.join("exemplary.diff.json")).expect("the diff is written"),
    )
    .expect("json");
    assert_eq!(diff["regressions"], Value::from(renewal.regressions));
    assert_eq!(
        record["renewal"]["previous"],
        Value::from(renewal.previous.sha256.clone())
    );
    assert!(
        record["renewal"]["carried_forward"]
            .as_array()
            .expect("carried")
            .iter()
            .any(|i| i == CDC)
    );
}
