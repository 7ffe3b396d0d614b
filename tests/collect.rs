//! The collector against the emulator, through the real `dms-evidence collect`
//! command: every scenario, paging across regions, account isolation, injected
//! AccessDenied, bad input, and the read-only policy equal to what the code calls.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use dms_evidence::bundle::Predicate;
use dms_evidence::collect::GapKind;
use dms_evidence::evidence::Evidence;
use dms_evidence::operations;
use serde_json::{Value, json};
use support::{Emulator, count, repo_root};

fn manifest(name: &str) -> PathBuf {
    repo_root()
        .join("fixtures/case-studies")
        .join(format!("{name}.toml"))
}

fn run(emu: &Emulator, args: &[&str]) -> Output {
    support::cli(emu, args)
}

/// `collect --case-study CASE --out OUT`.
fn run_collect(emu: &Emulator, case: &Path, out: &Path) -> Output {
    run(
        emu,
        &[
            "collect",
            "--case-study",
            &case.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
    )
}

fn collect(emu: &Emulator, case: &Path) -> Evidence {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("evidence.json");
    let result = run_collect(emu, case, &out);
    // 0: ready; 3: written, something blocks; 6: written, some calls failed (incomplete).
    assert!(
        matches!(result.status.code(), Some(0 | 3 | 6)),
        "collect failed ({:?}): {}",
        result.status.code(),
        String::from_utf8_lossy(&result.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("evidence written");
    serde_json::from_str::<Predicate>(&text)
        .expect("evidence parses back into the model")
        .evidence
}

fn arns<'a>(seed: &'a Value, account: &str, region: &str, kind: &str) -> BTreeSet<&'a str> {
    support::created(seed, account, region)[kind]
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn exemplary_is_collected_completely_with_sources() {
    let emu = Emulator::shared();
    let seed = emu.seed("exemplary");
    let ev = collect(emu, &manifest("exemplary"));
    let (account, region) = ("111111111111", "us-east-1");
    let f = &ev.facts;
    assert!(ev.gaps.is_empty(), "no gaps expected: {:?}", ev.gaps);
    assert_eq!(ev.collection.caller.account, account);
    assert_eq!(
        f.replication_instances
            .iter()
            .map(|i| i.arn.as_str())
            .collect::<BTreeSet<_>>(),
        arns(&seed, account, region, "replication_instances")
    );
    assert_eq!(
        f.endpoints
            .iter()
            .map(|e| e.arn.as_str())
            .collect::<BTreeSet<_>>(),
        arns(&seed, account, region, "endpoints")
    );
    assert_eq!(f.tasks.len(), count(&seed, account, region, "tasks"));
    assert_eq!(
        f.certificates.len(),
        count(&seed, account, region, "certificates")
    );
    assert_eq!(f.rds_clusters.len(), 1);
    assert_eq!(f.rds_instances.len(), 2);
    assert_eq!(f.assessment_runs.len(), 1);
    assert_eq!((f.migration_projects.len(), f.data_providers.len()), (1, 2));
    // DMS's events of the last 14 days: the seeded maintenance of the instance. Those the
    // emulator records for the creating and starting calls are dated by the scenario's
    // history, over 14 days ago, and are not asked for.
    let events: Vec<_> = f
        .events
        .iter()
        .map(|e| (e.source_identifier.as_deref(), e.message.as_deref()))
        .collect();
    assert_eq!(
        events,
        [(
            Some("erp-replication"),
            Some("Replication instance maintenance completed")
        )]
    );

    let ri = &f.replication_instances[0];
    assert_eq!(
        (ri.publicly_accessible, ri.multi_az),
        (Some(false), Some(true))
    );
    let task = &f.tasks[0];
    assert_eq!(task.tables.as_ref().map(Vec::len), Some(120));
    assert_eq!(task.settings.logging_enabled, Some(true));
    assert_eq!(task.settings.lob_max_size, Some(32));
    assert_eq!(task.table_mappings.parallel_load_rules, 1);

    let source = f
        .endpoints
        .iter()
        .find(|e| e.endpoint_type == "source")
        .expect("source");
    let target = f
        .endpoints
        .iter()
        .find(|e| e.endpoint_type == "target")
        .expect("target");
    // A DNS name that matches nothing in the account is unverified, not "outside AWS".
    assert_eq!(format!("{:?}", source.host.kind), "Unverified");
    assert_eq!(
        (
            format!("{:?}", target.host.kind),
            target.host.resource.as_deref()
        ),
        ("Aurora".into(), Some("erp-aurora"))
    );
    assert!(source.settings.contains_key("OracleSettings"));

    let keys: BTreeSet<_> = f
        .kms_keys
        .iter()
        .map(|k| (k.key_manager.clone(), k.rotation_enabled))
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([(Some("CUSTOMER".to_string()), Some(true))])
    );
    let cdc = f
        .metrics
        .iter()
        .find(|m| m.name == "CDCIncomingChanges")
        .expect("CDC metric");
    assert_eq!(cdc.values.len(), 912);
    assert!(
        cdc.timestamps
            .windows(2)
            .all(|w| w[1] - w[0] >= time::Duration::HOUR),
        "hourly, ascending"
    );
    let volume = f
        .metrics
        .iter()
        .find(|m| m.name == "VolumeBytesUsed")
        .expect("Aurora volume");
    assert!(volume.values.iter().copied().fold(0.0, f64::max) > 80e9);
    assert_eq!(f.log_groups[0].latest_streams.len(), 1);
    let roles: BTreeSet<_> = f
        .iam_roles
        .iter()
        .filter(|r| r.exists)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        roles,
        BTreeSet::from(["dms-cloudwatch-logs-role", "dms-vpc-role"])
    );
    assert_eq!(f.iam_policies[0].condition_keys, ["dms:task-tag/project"]);
    assert_eq!(ev.attachments.len(), 2);
    assert!(
        ev.attachments
            .iter()
            .all(|a| a.sha256.len() == 64 && a.size > 0)
    );

    // Every fact cites captures that exist and whose hashes match their bodies.
    let ids: BTreeSet<&str> = ev.captures.iter().map(|c| c.id.as_str()).collect();
    for cited in f
        .endpoints
        .iter()
        .flat_map(|e| &e.sources)
        .chain(f.metrics.iter().flat_map(|m| &m.sources))
    {
        assert!(ids.contains(cited.as_str()), "{cited} is not a capture");
    }
    for c in &ev.captures {
        let body = c.body_bytes().expect("body decodes");
        assert_eq!(
            dms_evidence::digest::sha256_hex(&body),
            c.sha256,
            "{}",
            c.id
        );
        // Only GetRole's NoSuchEntity (the role is absent: evidence too) is not a 200.
        assert!(
            c.http_status == 200 || (c.operation == "GetRole" && c.http_status == 404),
            "{c:?}"
        );
        assert!(c.request_id.is_some(), "{} {}", c.service, c.operation);
    }
    // Nothing secret reaches the output: the external id only as a hash.
    let text = serde_json::to_string(&ev).expect("serialise");
    assert!(!text.contains("example-corp-7f3a9c"));
    assert!(!text.contains("seeded-in-emulator-only"));
    assert!(ev.case_study.external_id_sha256.is_some());
}

#[test]
fn every_scenario_collects_what_was_seeded() {
    let emu = Emulator::shared();
    for (scenario, account) in [
        ("weak", "222222222222"),
        ("homogeneous-ec2", "333333333333"),
        ("serverless-redshift", "444444444444"),
        ("large", "555555555555"),
    ] {
        let seed = emu.seed(scenario);
        let ev = collect(emu, &manifest(scenario));
        assert!(ev.gaps.is_empty(), "{scenario}: {:?}", ev.gaps);
        for region in &ev.facts.regions {
            let f = &ev.facts;
            let here = |kind: &str| count(&seed, account, region, kind);
            assert_eq!(
                f.replication_instances
                    .iter()
                    .filter(|i| &i.region == region)
                    .count(),
                here("replication_instances"),
                "{scenario} {region}"
            );
            assert_eq!(
                f.endpoints.iter().filter(|e| &e.region == region).count(),
                here("endpoints"),
                "{scenario} {region}"
            );
            assert_eq!(
                f.tasks.iter().filter(|t| &t.region == region).count(),
                here("tasks"),
                "{scenario} {region}"
            );
            assert_eq!(
                f.serverless.iter().filter(|s| &s.region == region).count(),
                here("replication_configs"),
                "{scenario} {region}"
            );
            let seeded_tables = &support::created(&seed, account, region)["table_statistics"];
            for task in f.tasks.iter().filter(|t| &t.region == region) {
                let expected = seeded_tables[&task.arn].as_u64().unwrap_or(0) as usize;
                assert_eq!(
                    task.tables.as_ref().map_or(0, Vec::len),
                    expected,
                    "{scenario} {}",
                    task.arn
                );
            }
        }
    }
    let large = collect(emu, &manifest("large"));
    assert_eq!(large.facts.regions.len(), 3);
    assert_eq!(large.facts.replication_instances.len(), 45);
    assert_eq!(large.facts.endpoints.len(), 270);
    assert_eq!(large.facts.tasks.len(), 150);
    let serverless = collect(emu, &manifest("serverless-redshift"));
    let s = &serverless.facts.serverless[0];
    assert_eq!(
        (s.status.as_deref(), s.tables.as_ref().map(Vec::len)),
        (Some("running"), Some(40))
    );
    let redshift = serverless
        .facts
        .endpoints
        .iter()
        .find(|e| e.engine == "redshift")
        .expect("redshift target");
    assert_eq!(format!("{:?}", redshift.host.kind), "Redshift");
    assert!(
        serverless
            .facts
            .iam_roles
            .iter()
            .any(|r| r.name == "dms-access-for-endpoint" && r.exists)
    );
}

#[test]
fn the_other_account_never_appears() {
    let emu = Emulator::shared();
    emu.seed("two-accounts");
    let ev = collect(emu, &manifest("two-accounts"));
    assert_eq!(ev.facts.replication_instances.len(), 1);
    let text = serde_json::to_string(&ev).expect("serialise");
    assert!(
        !text.contains("777777777777"),
        "evidence mentions the unrelated account"
    );
    assert!(!text.contains("other-team"));
}

#[test]
fn access_denied_is_a_gap_naming_the_action_and_the_rest_is_collected() {
    let emu = Emulator::start();
    emu.seed("exemplary");
    emu.set_faults(
        json!({"deny": ["dms:DescribeTableStatistics", "rds:*", "GetKeyRotationStatus"]}),
    );
    let ev = collect(&emu, &manifest("exemplary"));
    assert!(
        !ev.collection.complete,
        "a run with denied calls is incomplete"
    );
    assert!(ev.collection.incomplete_note().starts_with("INCOMPLETE: "));
    let denied: BTreeSet<&str> = ev
        .gaps
        .iter()
        .filter(|g| g.kind == GapKind::AccessDenied)
        .map(|g| g.iam_action.as_str())
        .collect();
    assert_eq!(
        denied,
        BTreeSet::from([
            "dms:DescribeTableStatistics",
            "kms:GetKeyRotationStatus",
            "rds:DescribeDBClusters",
            "rds:DescribeDBInstances"
        ])
    );
    let table_gap = ev
        .gaps
        .iter()
        .find(|g| g.operation == "DescribeTableStatistics")
        .expect("gap");
    assert_eq!(
        table_gap.resource.as_deref(),
        Some(ev.facts.tasks[0].arn.as_str())
    );
    assert_eq!(table_gap.code.as_deref(), Some("AccessDeniedException"));
    // Everything else is still there; what was denied is absent, not defaulted.
    assert_eq!(ev.facts.tasks.len(), 1);
    assert_eq!(ev.facts.tasks[0].tables, None);
    assert_eq!(ev.facts.endpoints.len(), 2);
    assert!(ev.facts.rds_instances.is_empty());
    assert!(
        ev.facts
            .kms_keys
            .iter()
            .all(|k| k.rotation_enabled.is_none() && k.key_manager.is_some())
    );
    let target = ev
        .facts
        .endpoints
        .iter()
        .find(|e| e.endpoint_type == "target")
        .expect("target");
    assert_eq!(
        format!("{:?}", target.host.kind),
        "Aurora",
        "falls back to the RDS name space"
    );
    assert_eq!(ev.collection.failed_calls, ev.gaps.len());
}

#[test]
fn bad_input_exits_2_and_names_the_place() {
    let emu = Emulator::shared();
    let out = run(
        emu,
        &[
            "collect",
            "--account-id",
            "12345",
            "--role-arn",
            "arn:aws:iam::12345:role/x",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("flag --account-id") && stderr.contains("12 digits"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("case.toml");
    std::fs::write(&bad, "account_id = \"111111111111\"\nrole_arn = \"arn:aws:iam::111111111111:role/ro\"\nregions = [\"us-east-99\"]\n")
        .expect("write");
    let out = run(emu, &["collect", "--case-study", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("case.toml:3: field `regions`"), "{stderr}");

    std::fs::write(&bad, "account_id = \"111111111111\"\nrole_arn = \"arn:aws:iam::111111111111:role/ro\"\nregions = [\"us-east-1\"]\n[[attachments]]\nitem = \"pre.3.1.diagram-services\"\npath = \"missing.pdf\"\n")
        .expect("write");
    let out = run(emu, &["collect", "--case-study", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pdf"));
}

#[tokio::test]
async fn evidence_from_the_wrong_account_is_refused() {
    use dms_evidence::collect::capture::CaptureStore;
    use dms_evidence::session::{SessionError, verify_identity};

    let emu = Emulator::shared();
    // The base credentials act in the emulator's default account, not the declared one.
    let base = emu.base_config("us-east-1").await;
    let err = verify_identity(
        &base,
        &CaptureStore::new(),
        "arn:aws:iam::111111111111:role/ro",
        "111111111111",
    )
    .await
    .expect_err("wrong account");
    assert!(matches!(err, SessionError::WrongAccount { .. }), "{err}");
    assert!(err.to_string().contains("refusing"));
}

/// The customer's role requires the agreed external id (its trust policy's
/// sts:ExternalId condition, as the CloudFormation template writes it): a wrong or missing
/// one is refused at AssumeRole, and collect says so and writes nothing.
#[test]
fn a_wrong_external_id_is_refused_and_nothing_is_written() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("evidence.json");
    for external in [Some("not-the-agreed-id"), None] {
        let text = std::fs::read_to_string(manifest("exemplary")).expect("manifest");
        // Without its attachments (their paths are relative to the fixtures' folder).
        let text = text.split("[[attachments]]").next().unwrap_or_default();
        let text = text.replace(
            "external_id = \"example-corp-7f3a9c\"",
            &external.map_or(String::new(), |e| format!("external_id = \"{e}\"")),
        );
        let case = dir.path().join("case.toml");
        std::fs::write(&case, text).expect("case");
        let run = run_collect(emu, &case, &out);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{external:?}: {stderr}");
        assert!(
            stderr.contains("could not assume role") && stderr.contains("sts:ExternalId"),
            "{external:?}: {stderr}"
        );
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn the_read_only_policy_is_exactly_what_the_code_calls() {
    let emu = Emulator::shared();
    let mut called: BTreeSet<String> = BTreeSet::new();
    for case in ["exemplary", "serverless-redshift", "targets"] {
        emu.seed(case);
        let ev = collect(emu, &manifest(case));
        // A Kinesis stream's encryption can be switched on after creation: the switches
        // CloudTrail holds are read (the seeder encrypted it before the runs).
        if case == "targets" {
            let stream = ev
                .facts
                .target_stores
                .iter()
                .find(|s| s.kind == dms_evidence::facts::StoreKind::KinesisStream)
                .expect("the Kinesis target's stream");
            let switched = stream.encrypted_since.as_deref().unwrap_or_default();
            assert_eq!(
                switched.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(),
                ["StartStreamEncryption"],
                "{stream:?}"
            );
        }
        called.extend(
            ev.captures
                .iter()
                .map(|c| operations::iam_action(&c.service, &c.operation)),
        );
        called.extend(ev.gaps.iter().map(|g| g.iam_action.clone()));
    }
    // A trail's log files are read only for a case study that names its trail.
    emu.seed_file(&repo_root().join("fixtures/estates/trail-beyond-event-history.json"));
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("trail.toml");
    let since = (dms_evidence::time::Timestamp::now() - time::Duration::days(140)).date();
    std::fs::write(
        &case,
        format!(
            "account_id = \"900000000029\"\nrole_arn = \"arn:aws:iam::900000000029:role/dms-evidence-readonly\"\n\
             external_id = \"estate-900000000029\"\nregions = [\"us-east-1\"]\n\
             [trail]\nbucket = \"acme-cloudtrail-logs\"\nprefix = \"org/main\"\nsince = \"{since}\"\n"
        ),
    )
    .expect("case");
    let ev = collect(emu, &case);
    called.extend(
        ev.captures
            .iter()
            .map(|c| operations::iam_action(&c.service, &c.operation)),
    );
    // `doctor` reads a few more (region opt-in, the Config recorder): its checks list
    // the actions each called.
    let out = run(
        emu,
        &[
            "doctor",
            "--format",
            "json",
            "--case-study",
            &manifest("exemplary").to_string_lossy(),
        ],
    );
    let doctor: Value = serde_json::from_slice(&out.stdout).expect("doctor JSON");
    called.extend(
        doctor["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .flat_map(|c| c["actions"].as_array().cloned().unwrap_or_default())
            .filter_map(|a| a.as_str().map(str::to_string))
            .filter(|a| a != "sts:AssumeRole"),
    );
    // And every one of those reads was answered as AWS's models say AWS answers.
    emu.assert_answers_like_aws();
    let declared: BTreeSet<String> = operations::iam_actions().into_iter().collect();
    assert_eq!(
        called, declared,
        "operations called vs policies/operations.json"
    );

    let policy: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("policies/dms-evidence-readonly-policy.json"))
            .expect("policy"),
    )
    .expect("policy JSON");
    let granted: BTreeSet<String> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    assert_eq!(
        granted, declared,
        "policies/dms-evidence-readonly-policy.json vs the code"
    );
    for action in &granted {
        let op = action.split_once(':').map(|(_, op)| op).unwrap_or_default();
        assert!(operations::is_read_only(op), "{action} is not read-only");
    }
    let template =
        std::fs::read_to_string(repo_root().join("policies/dms-evidence-readonly-role.cfn.yaml"))
            .expect("cfn");
    let in_template: BTreeSet<String> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter(|a| a.contains(':') && !a.contains(' '))
        .map(str::to_string)
        .collect();
    assert_eq!(
        in_template, declared,
        "the CloudFormation template vs the code"
    );
    assert!(template.contains("sts:ExternalId"));
    assert_eq!(operations::operations().len(), declared.len());
}

/// No credential material at any log level, and no colour codes in a log that is not a
/// terminal: the caller's access key id and the assumed role's never reach stderr.
#[test]
fn trace_logs_carry_no_credential_and_no_colour() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("b.json");
    let run = support::command(
        emu,
        &[
            "-vv",
            "collect",
            "--case-study",
            &manifest("exemplary").to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
    )
    .env("RUST_LOG", "trace")
    .output()
    .expect("run");
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(log.len() > 1000, "trace logging is on: {} bytes", log.len());
    assert!(
        !log.contains("AKIDDMSEVIDENCETEST"),
        "the caller's key id is logged"
    );
    let assumed = regex_free_find(&log, "ASIA");
    assert!(
        assumed.is_none(),
        "an assumed role's key id is logged: {assumed:?}"
    );
    assert!(!log.contains("testing-secret"), "a secret key is logged");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log written to a pipe"
    );
}

/// The first `ASIA…` access key id (20 upper-case letters and digits) in `text`.
fn regex_free_find(text: &str, prefix: &str) -> Option<String> {
    text.match_indices(prefix).find_map(|(i, _)| {
        let id: String = text[i..].chars().take(20).collect();
        (id.len() == 20
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        .then_some(id)
    })
}
