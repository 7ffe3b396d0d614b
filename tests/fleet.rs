//! Fleets against the emulator: many case studies in one run, one signed bundle each,
//! a failing case study isolated, `--resume`, and shards (explicit, AWS Batch array
//! and Kubernetes Indexed Job environments) that run concurrently and merge into exactly
//! the result of one unsharded run.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Emulator, cli, command, repo_root};

const SCENARIOS: &[&str] = &[
    "exemplary",
    "weak",
    "homogeneous-ec2",
    "serverless-redshift",
    "two-accounts",
];

fn manifest(dir: &Path) -> PathBuf {
    let mut text = String::from("concurrency = 3\nper_account = 1\n\n");
    for s in SCENARIOS {
        let case = repo_root().join(format!("fixtures/case-studies/{s}.toml"));
        text.push_str(&format!(
            "[[case_study]]\nid = \"{s}\"\nmanifest = {:?}\n\n",
            case.to_string_lossy()
        ));
    }
    // Two that must fail alone: a missing manifest, and a role in another account.
    text.push_str(
        "[[case_study]]\nid = \"missing-manifest\"\nmanifest = \"nowhere/case.toml\"\n\n",
    );
    text.push_str(
        "[[case_study]]\nid = \"wrong-account\"\naccount_id = \"123456789012\"\n\
         role_arn = \"arn:aws:iam::210987654321:role/dms-evidence-readonly\"\nregions = [\"us-east-1\"]\n",
    );
    let path = dir.join("fleet.toml");
    std::fs::write(&path, text).expect("write fleet");
    path
}

fn summary(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("summary")).expect("json")
}

/// id → (outcome, error?) of a summary.
fn outcomes(s: &Value) -> BTreeMap<String, (String, bool)> {
    s["case_studies"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                (
                    r["outcome"].as_str().unwrap_or_default().to_string(),
                    r.get("error").is_some(),
                ),
            )
        })
        .collect()
}

fn bundles(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with("summary"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_fleet_runs_every_case_study_isolates_failures_resumes_and_shards() {
    let emu = Emulator::start();
    for s in SCENARIOS {
        emu.seed(s);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| tmp.path().join(name).to_string_lossy().into_owned();
    support::keygen(&emu, tmp.path());
    let fleet = manifest(tmp.path());
    let fleet = fleet.to_string_lossy().into_owned();
    let key = p("k.pem");
    let run = |dir: &str, extra: &[&str]| {
        let mut args = vec![
            "fleet",
            "--manifest",
            &fleet,
            "--out-dir",
            dir,
            "--key",
            &key,
        ];
        args.extend_from_slice(extra);
        cli(&emu, &args)
    };

    // Links planted where a fleet writes (bundles, the names its temporary files had)
    // are never written through.
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"precious").expect("victim");
    std::fs::create_dir_all(tmp.path().join("whole")).expect("out dir");
    for name in [
        "exemplary.json",
        "exemplary.json.partial",
        "summary.json",
        "summary.json.partial",
    ] {
        std::os::unix::fs::symlink(&victim, tmp.path().join("whole").join(name)).expect("link");
    }
    // The whole fleet: two failures, reported, counted in the exit code, the rest sealed.
    let whole = run(&p("whole"), &[]);
    assert_eq!(
        std::fs::read(&victim).expect("victim"),
        b"precious",
        "a write followed a link"
    );
    let stderr = String::from_utf8_lossy(&whole.stderr);
    assert_eq!(whole.status.code(), Some(12), "10 + 2 failed: {stderr}");
    let s = summary(&tmp.path().join("whole/summary.json"));
    let got = outcomes(&s);
    assert_eq!(got.len(), SCENARIOS.len() + 2);
    assert_eq!(got["missing-manifest"], ("failed".to_string(), true));
    assert_eq!(got["wrong-account"], ("failed".to_string(), true));
    assert_eq!(got["exemplary"].0, "ready");
    assert_eq!(got["weak"].0, "blocked");
    assert!(
        stderr.contains("[7/7]") || stderr.contains("/7]"),
        "plain progress lines: {stderr}"
    );
    let names = bundles(&tmp.path().join("whole"));
    assert_eq!(names.len(), SCENARIOS.len(), "{names:?}");
    for name in &names {
        let bundle = tmp.path().join("whole").join(name);
        let v = cli(
            &emu,
            &[
                "verify",
                &bundle.to_string_lossy(),
                "--public-key",
                &p("k.pub"),
            ],
        );
        assert!(
            v.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    let table = String::from_utf8_lossy(&whole.stdout);
    assert!(
        table.contains("7 case studies") && table.contains("2 FAILED"),
        "{table}"
    );

    // --resume keeps only a bundle of this very case study: another's bundle copied to
    // its name (valid, signed by the same key) is collected again, and the record says why.
    let names_now = bundles(&tmp.path().join("whole"));
    let (first, second) = (&names_now[0], &names_now[1]);
    let moved = tmp.path().join("whole").join(first);
    let kept_aside = std::fs::read(&moved).expect("bundle");
    std::fs::copy(tmp.path().join("whole").join(second), &moved).expect("copy");
    let swapped = run(&p("whole"), &["--resume"]);
    assert_eq!(swapped.status.code(), Some(12));
    let after = summary(&tmp.path().join("whole/summary.json"));
    let id = first.trim_end_matches(".json");
    let rec = after["case_studies"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == id))
        .expect("record");
    assert_eq!(rec["resumed"], Value::Bool(false), "{rec}");
    assert!(
        rec["not_resumed"]
            .as_str()
            .is_some_and(|w| w.contains("is not this case study's")),
        "{rec}"
    );
    assert_ne!(
        std::fs::read(&moved).expect("bundle"),
        std::fs::read(tmp.path().join("whole").join(second)).expect("other")
    );
    drop(kept_aside);

    // --resume keeps every bundle that verifies, and retries only the failures.
    let again = run(&p("whole"), &["--resume", "--expiring-within", "500d"]);
    assert_eq!(again.status.code(), Some(12));
    // CloudWatch forgets hourly data after 455 days: exemplary's CDC evidence is listed.
    let notice = String::from_utf8_lossy(&again.stderr);
    assert!(
        notice.contains("within 500 days") && notice.contains("  exemplary: 20"),
        "{notice}"
    );
    let resumed = summary(&tmp.path().join("whole/summary.json"));
    let kept = resumed["case_studies"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["resumed"] == Value::Bool(true))
        .count();
    assert_eq!(kept, SCENARIOS.len());
    assert_eq!(outcomes(&resumed), got);
    let exemplary = resumed["case_studies"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "exemplary"))
        .expect("exemplary");
    assert!(
        exemplary["expires"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{exemplary}"
    );

    // Three shards at once: --shard, an AWS Batch array child, a Kubernetes Indexed Job pod.
    let shard_dirs = [p("s0"), p("s1"), p("s2")];
    let base = |dir: &str| {
        vec![
            "fleet".to_string(),
            "--manifest".into(),
            fleet.clone(),
            "--out-dir".into(),
            dir.to_string(),
            "--key".into(),
            p("k.pem"),
        ]
    };
    let mut first = base(&shard_dirs[0]);
    first.extend(["--shard".to_string(), "0/3".to_string()]);
    let spawn = |args: Vec<String>, env: &[(&str, &str)]| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = command(&emu, &refs);
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.spawn().expect("spawn shard")
    };
    let children = [
        spawn(first, &[]),
        spawn(
            base(&shard_dirs[1]),
            &[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
            ],
        ),
        spawn(
            base(&shard_dirs[2]),
            &[("JOB_COMPLETION_INDEX", "2"), ("DMS_EVIDENCE_SHARDS", "3")],
        ),
    ];
    for mut child in children {
        let status = child.wait().expect("wait");
        assert!(
            status.code().is_some_and(|c| c == 0 || c == 3 || c >= 10),
            "{status}"
        );
    }
    let mut union: Vec<String> = shard_dirs
        .iter()
        .flat_map(|d| bundles(Path::new(d)))
        .collect();
    union.sort();
    assert_eq!(
        union, names,
        "the shards wrote exactly the unsharded run's bundles"
    );
    for (i, d) in shard_dirs.iter().enumerate() {
        assert!(
            Path::new(d).join(format!("summary-{i}-of-3.json")).exists(),
            "{d}"
        );
    }
    let merged = cli(
        &emu,
        &[
            "fleet-summary",
            &shard_dirs[0],
            &shard_dirs[1],
            &shard_dirs[2],
            "--out",
            &p("merged.json"),
        ],
    );
    assert_eq!(
        merged.status.code(),
        Some(12),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(outcomes(&summary(&tmp.path().join("merged.json"))), got);

    // A shard missing from the merge is named, not silently dropped.
    let partial = cli(&emu, &["fleet-summary", &shard_dirs[0], &shard_dirs[2]]);
    assert_eq!(partial.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("shard(s) [1] of 3 are missing"));
}
