//! No input crashes or exhausts the tool: arbitrary bytes and arbitrary JSON fed to
//! verify, evaluate, diff, report and the manifest and checklist parsers never panic,
//! exit 2 (bad input) or 4 (invalid bundle) only, and leave no output file behind.

use std::process::Command;

use dms_evidence::bundle::{LocalKey, PublicKey};
use dms_evidence::evaluate::checklist;
use proptest::prelude::*;
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("payload".to_string()),
                    Just("payloadType".to_string()),
                    Just("signatures".to_string()),
                    Just("keyid".to_string()),
                    Just("sig".to_string()),
                    Just("schema".to_string()),
                    Just("facts".to_string()),
                    Just("captures".to_string()),
                    ".{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A DSSE envelope with arbitrary (often multi-byte) key ids, payloads and signatures.
fn envelopes() -> impl Strategy<Value = Vec<u8>> {
    (".{0,20}", ".{0,40}", ".{0,20}", ".{0,20}").prop_map(|(keyid, payload, sig, ptype)| {
        serde_json::json!({
            "payload": payload,
            "payloadType": if ptype.is_empty() { "application/vnd.in-toto+json".to_string() } else { ptype },
            "signatures": [{"keyid": keyid, "sig": sig}]
        })
        .to_string()
        .into_bytes()
    })
}

fn trusted() -> Vec<PublicKey> {
    vec![LocalKey::generate().expect("key").public()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn verify_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let report = dms_evidence::verify::verify(bytes.as_slice(), &trusted(), 1, &[checklist::load_default()]);
        prop_assert!(!report.verified);
    }

    #[test]
    fn verify_never_panics_on_json(value in json()) {
        let bytes = value.to_string().into_bytes();
        let report = dms_evidence::verify::verify(bytes.as_slice(), &trusted(), 1, &[checklist::load_default()]);
        prop_assert!(!report.verified);
    }

    #[test]
    fn verify_never_panics_on_envelopes(bytes in envelopes()) {
        let report = dms_evidence::verify::verify(bytes.as_slice(), &trusted(), 1, &[checklist::load_default()]);
        prop_assert!(!report.verified);
    }

    #[test]
    fn evidence_loading_never_panics(value in json()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        std::fs::write(&path, value.to_string()).expect("write");
        prop_assert!(dms_evidence::bundle::predicate::load(&path).is_err());
    }

    #[test]
    fn manifests_never_panic(text in ".{0,300}") {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("case.toml");
        std::fs::write(&path, &text).expect("write");
        let _ = dms_evidence::casestudy::resolve(Some(&path), &Default::default());
    }

    #[test]
    fn checklists_never_panic(text in ".{0,300}") {
        let _ = checklist::parse("x.toml", &text);
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dms-evidence"))
        .args(args)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .expect("run dms-evidence")
}

#[test]
fn the_cli_refuses_hostile_files_with_exit_2_or_4_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k.pem");
    let public = dir.path().join("k.pub");
    assert!(
        run(&[
            "keygen",
            "--private-key",
            key.to_str().expect("p"),
            "--public-key",
            public.to_str().expect("p")
        ])
        .status
        .success()
    );
    let hostile: Vec<(&str, Vec<u8>)> =
        vec![
        ("bytes", (0..=255u8).cycle().take(4096).collect()),
        ("array", format!("[{}0]", "0,".repeat(200_000)).into_bytes()),
        ("deep", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()),
        (
            "multibyte keyid",
            serde_json::json!({"payload": "e30=", "payloadType": "application/vnd.in-toto+json",
                               "signatures": [{"keyid": "aééééééééééééé🔑", "sig": "AAAA"}]})
            .to_string()
            .into_bytes(),
        ),
    ];
    for (name, bytes) in hostile {
        let input = dir.path().join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&input, &bytes).expect("write");
        let i = input.to_str().expect("path");
        let out = dir.path().join("out.file");
        let o = out.to_str().expect("path");
        let p = public.to_str().expect("path");
        for (args, allowed) in [
            (vec!["verify", i, "--public-key", p], &[4][..]),
            (vec!["evaluate", i, "--out", o], &[2][..]),
            (
                vec!["report", i, "--public-key", p, "--out", o],
                &[2, 4][..],
            ),
            (vec!["diff", i, i], &[2][..]),
            (
                vec!["export", i, "--public-key", p, "--format", "oscal", "-o", o],
                &[4][..],
            ),
            (
                vec![
                    "export",
                    i,
                    "--allow-unverified",
                    "--format",
                    "ocsf",
                    "-o",
                    o,
                ],
                &[2][..],
            ),
        ] {
            let result = run(&args);
            let code = result.status.code();
            assert!(
                code.is_some_and(|c| allowed.contains(&c)),
                "{name}: {args:?} exited {code:?}: {}",
                String::from_utf8_lossy(&result.stderr)
            );
            assert!(!out.exists(), "{name}: {args:?} left {o}");
        }
    }
    // A FIFO as a bundle is refused, not waited on.
    let fifo = dir.path().join("fifo.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let result = run(&["evaluate", fifo.to_str().expect("path")]);
    assert_eq!(
        result.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Links planted at every name the tool writes are replaced, never written through; keys
/// and salts are never written over a link (or a file) at all.
#[test]
fn no_write_follows_a_planted_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"precious").expect("victim");
    let plant = |name: &str| {
        let p = dir.path().join(name);
        std::os::unix::fs::symlink(&victim, &p).expect("link");
        p.to_string_lossy().to_string()
    };
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bundles");
    let bundle = format!("{fixtures}/exemplary-v0.1.0.json");
    let signer = format!("{fixtures}/signer.pub");
    // Keys: refused (exit 2), the victim untouched.
    let private = plant("sign.pem");
    let public = dir.path().join("sign.pub.pem");
    let out = run(&[
        "keygen",
        "--private-key",
        &private,
        "--public-key",
        &public.to_string_lossy(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Reports and exports: written, the link replaced by the file.
    for (args, name) in [
        (
            vec!["report", &bundle, "--public-key", &signer],
            "report.html",
        ),
        (
            vec![
                "export",
                &bundle,
                "--public-key",
                &signer,
                "--format",
                "oscal",
            ],
            "oscal.json",
        ),
        (
            vec![
                "export",
                &bundle,
                "--public-key",
                &signer,
                "--format",
                "ocsf",
            ],
            "ocsf.jsonl",
        ),
    ] {
        let target = plant(name);
        let mut args = args.clone();
        args.extend(["--out", &target]);
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta = std::fs::symlink_metadata(&target).expect("written");
        assert!(
            !meta.file_type().is_symlink(),
            "{name} is still the planted link"
        );
    }
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
}

/// Every command and every flag of the command-line definitions is in the shell
/// completions and in the manual pages, which are generated from them.
#[test]
fn completions_and_manual_pages_cover_every_command_and_flag() {
    let bin = env!("CARGO_BIN_EXE_dms-evidence");
    let run = |args: &[&str]| {
        let out = Command::new(bin).args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    run(&["man", "--out-dir", &dir.path().to_string_lossy()]);
    // roff escapes the hyphens of flags (\-\-public\-key).
    let page = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .replace("\\-", "-")
    };
    let main = page("dms-evidence.1");
    let cli = <dms_evidence::cli::Cli as clap::CommandFactory>::command();
    let shells: Vec<(&str, String)> = ["bash", "zsh", "fish"]
        .into_iter()
        .map(|s| (s, run(&["completions", s])))
        .collect();
    let mut commands = 0;
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        commands += 1;
        assert!(main.contains(name), "dms-evidence.1 lacks {name}");
        let own = page(&format!("dms-evidence-{name}.1"));
        for (shell, script) in &shells {
            assert!(script.contains(name), "{shell} completions lack {name}");
        }
        for arg in sub.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            let flag = format!("--{long}");
            assert!(own.contains(&flag), "dms-evidence-{name}.1 lacks {flag}");
            for (shell, script) in &shells {
                // fish lists long flags without their dashes (-l public-key).
                assert!(
                    script.contains(&flag) || script.contains(&format!("-l {long}")),
                    "{shell} completions lack {name} {flag}"
                );
            }
        }
    }
    assert!(commands >= 11, "{commands} commands");
    let pages = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(pages, commands + 1, "one page per command and the main one");
    // A directory that does not exist is bad input (exit 2), naming it.
    let out = Command::new(bin)
        .args(["man", "--out-dir", "/nonexistent/man1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/man1"));
}

/// `init` writes a manifest that loads as a case study, lists every statement the
/// checklist reads and every claim, carries a fresh external id, and never replaces a
/// file or writes through a planted link.
#[test]
fn init_writes_a_loadable_manifest_and_never_overwrites() {
    let bin = env!("CARGO_BIN_EXE_dms-evidence");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.toml");
    let init = |path: &std::path::Path| {
        Command::new(bin)
            .args([
                "init",
                "--account-id",
                "123456789012",
                "--region",
                "eu-west-1",
                "--out",
            ])
            .arg(path)
            .output()
            .expect("run")
    };
    let out = init(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).expect("written");
    let case = dms_evidence::casestudy::resolve(Some(&path), &Default::default()).expect("loads");
    assert_eq!(case.account_id, "123456789012");
    assert_eq!(case.regions, ["eu-west-1"]);
    let external = case.external_id.clone().expect("external id");
    assert!(external.len() == 32 && external.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        text.contains(&format!("ExternalId={external}")),
        "the customer's command"
    );
    for item in &checklist::load_default().items {
        for key in &item.statements {
            assert!(text.contains(&format!("# {key} = ")), "{key} ({})", item.id);
        }
    }
    for key in [
        "database_size_gb",
        "source_engine",
        "target_engine",
        "source_hosting",
        "cdc_used",
        "tables",
    ] {
        assert!(text.contains(&format!("# {key} = ")), "claim {key}");
    }
    // A second init gets another external id.
    let other = dir.path().join("other.toml");
    assert!(init(&other).status.success());
    assert!(
        !std::fs::read_to_string(&other)
            .expect("other")
            .contains(&external)
    );
    // Never replaced, never through a link.
    let again = init(&path);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), text);
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").expect("victim");
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    assert_eq!(init(&link).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
}
