//! `doctor` against the emulator with IAM enforced: a ready account, a role missing one
//! action, a wrong external id, a region not enabled, a Config recorder on and off,
//! throttling, an unreachable service, missing credentials, and bad input.

mod support;

use std::collections::BTreeSet;
use std::process::Output;

use serde_json::{Value, json};
use support::{Emulator, repo_root};

fn manifest(name: &str) -> String {
    repo_root()
        .join("fixtures/case-studies")
        .join(format!("{name}.toml"))
        .to_string_lossy()
        .into_owned()
}

fn doctor(emu: &Emulator, args: &[&str]) -> Output {
    doctor_with(emu, args, &[])
}

/// `doctor` with environment variables set (`Some`) or removed (`None`).
fn doctor_with(emu: &Emulator, args: &[&str], env: &[(&str, Option<String>)]) -> Output {
    let mut all = vec!["doctor", "--format", "json"];
    all.extend_from_slice(args);
    let mut cmd = support::command(emu, &all);
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    cmd.output().expect("run dms-evidence")
}

/// The diagnosis a run printed, and its exit code.
fn diagnosis(out: &Output) -> (Value, Option<i32>) {
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code())
}

/// The diagnosis of a run that must end NOT READY (exit 7).
fn not_ready(emu: &Emulator, args: &[&str]) -> Value {
    not_ready_with(emu, args, &[])
}

fn not_ready_with(emu: &Emulator, args: &[&str], env: &[(&str, Option<String>)]) -> Value {
    let (doc, code) = diagnosis(&doctor_with(emu, args, env));
    assert_eq!(code, Some(7), "{doc:#}");
    assert_eq!(doc["ready"], false);
    doc
}

fn check<'a>(doc: &'a Value, source: &str, region: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["source"] == source && c["region"] == region)
        .unwrap_or_else(|| panic!("no check {source} in {region}: {doc:#}"))
}

fn statuses(doc: &Value) -> BTreeSet<(String, String, String)> {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] != "ok")
        .map(|c| {
            (
                c["source"].as_str().unwrap_or_default().to_string(),
                c["region"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The read-only policy as shipped.
fn readonly_policy() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("policies/dms-evidence-readonly-policy.json"))
            .expect("policy"),
    )
    .expect("policy JSON")
}

/// Replaces the read-only role's policy in `account`, as its owner would.
fn set_readonly_policy(emu: &Emulator, account: &str, region: &str, document: &Value) {
    runtime().block_on(async {
        let iam = aws_sdk_iam::Client::new(&emu.owner_config(account, region).await);
        iam.put_role_policy()
            .role_name("dms-evidence-readonly")
            .policy_name("dms-evidence-readonly")
            .policy_document(document.to_string())
            .send()
            .await
            .expect("put the role's policy");
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

#[test]
fn a_ready_account_is_ok_everywhere_and_every_call_is_in_the_policy() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let out = doctor(emu, &["--case-study", &manifest("exemplary")]);
    let (doc, code) = diagnosis(&out);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(doc["schema"], "dms-evidence/doctor/v1");
    assert_eq!(doc["ready"], true);
    // Only the optional Config recorder is off (the scenario turns none on), and S3's
    // read is not proven: the estate has no S3 endpoint, and S3 answers NoSuchBucket for a
    // name nobody has before it looks at any policy. KMS is asked about the real aws/dms key.
    // The trail reads are not made: the case study names no trail.
    let row = |source: &str, status: &str| {
        (
            source.to_string(),
            "us-east-1".to_string(),
            status.to_string(),
        )
    };
    assert_eq!(
        statuses(&doc),
        BTreeSet::from([
            row("AWS Config recorder", "not_enabled"),
            row("s3:GetEncryptionConfiguration", "not_checked"),
            row("s3:GetObject", "not_checked"),
            row("s3:ListBucket", "not_checked"),
        ])
    );
    let s3 = check(&doc, "s3:GetEncryptionConfiguration", "us-east-1");
    assert_eq!(s3["required"], false);
    assert!(
        s3["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("not proven")
    );
    assert_eq!(
        check(&doc, "kms:GetKeyRotationStatus", "us-east-1")["detail"],
        "answered"
    );
    let recorder = check(&doc, "AWS Config recorder", "us-east-1");
    assert_eq!(recorder["required"], false);
    assert!(
        recorder["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no configuration recorder")
    );
    // Items fed: the table's, and the rules' own.
    let endpoints = check(&doc, "dms:DescribeEndpoints", "us-east-1");
    let items: Vec<&str> = endpoints["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(items.contains(&"dms.1.0.sec.in-flight"), "{items:?}");
    assert_eq!(check(&doc, "iam:GetRole", "global")["status"], "ok");
    // Every call doctor made is one the read-only policy grants, and every read the
    // collector makes was probed.
    let called: BTreeSet<String> = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .flat_map(|c| c["actions"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .filter(|a| a != "sts:AssumeRole")
        .collect();
    let declared: BTreeSet<String> = dms_evidence::operations::iam_actions()
        .into_iter()
        .collect();
    assert_eq!(called, declared);
    // The table for people says the same, and names the fix.
    let text = support::cli(emu, &["doctor", "--case-study", &manifest("exemplary")]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("ready: every source collect needs answered"),
        "{text}"
    );
    assert!(
        text.contains("not enabled  AWS Config recorder (optional)"),
        "{text}"
    );
}

#[test]
fn a_role_missing_one_action_is_denied_with_the_statement_to_add() {
    let emu = Emulator::shared();
    emu.seed("weak");
    let policy = readonly_policy();
    let mut without = policy.clone();
    let actions = without["Statement"][0]["Action"]
        .as_array_mut()
        .expect("actions");
    // A list, and a read of one resource probed with a placeholder name.
    actions.retain(|a| a != "dms:DescribeEndpoints" && a != "dynamodb:DescribeTable");
    set_readonly_policy(emu, "222222222222", "us-west-2", &without);
    let doc = not_ready(emu, &["--case-study", &manifest("weak")]);
    assert_eq!(doc["ready"], false);
    let denied = check(&doc, "dms:DescribeEndpoints", "us-west-2");
    assert_eq!(denied["status"], "denied");
    assert!(
        denied["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("AccessDenied")
    );
    let fix = denied["fix"].as_str().unwrap_or_default();
    assert!(
        fix.contains("grant dms:DescribeEndpoints")
            && fix.contains("dms-evidence-readonly-policy.json"),
        "{fix}"
    );
    assert!(
        denied["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i == "dms.1.0.sec.in-flight")
    );
    let blocking: Vec<&str> = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["required"] == true && c["status"] != "ok")
        .filter_map(|c| c["source"].as_str())
        .collect();
    assert_eq!(
        blocking,
        ["dms:DescribeEndpoints", "dynamodb:DescribeTable"],
        "{doc:#}"
    );
    set_readonly_policy(emu, "222222222222", "us-west-2", &policy);
}

/// A role deployed without the optional Cost Explorer statement (CloudFormation
/// parameter CostExplorer=false) is still ready: the read is denied, named, and not
/// blocking, and the fix says what it would add.
#[test]
fn a_role_without_the_optional_cost_explorer_statement_is_still_ready() {
    // Its own emulator: the shared one's "weak" role is changed by another test.
    let emu = &Emulator::start();
    emu.seed("weak");
    let policy = readonly_policy();
    let mut without = policy.clone();
    without["Statement"]
        .as_array_mut()
        .expect("statements")
        .retain(|s| s["Sid"] != "DmsEvidenceCostExplorerOptional");
    assert_ne!(without, policy, "the policy has the optional statement");
    set_readonly_policy(emu, "222222222222", "us-west-2", &without);
    let out = doctor(emu, &["--case-study", &manifest("weak")]);
    let (doc, code) = diagnosis(&out);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(doc["ready"], true);
    let ce = check(&doc, "ce:GetCostAndUsage", "us-east-1");
    assert_eq!(
        (&ce["status"], &ce["required"]),
        (&Value::from("denied"), &Value::from(false))
    );
    let fix = ce["fix"].as_str().unwrap_or_default();
    assert!(
        fix.starts_with("optional: grant ce:GetCostAndUsage"),
        "{fix}"
    );
    assert_eq!(ce["items"], serde_json::json!(["pre.2.1.dates"]));
}

#[test]
fn a_wrong_external_id_stops_at_the_role_and_names_the_trust_policy() {
    let emu = Emulator::shared();
    emu.seed("exemplary");
    let dir = tempfile::tempdir().expect("tempdir");
    let without = dir.path().join("case.toml");
    let text = std::fs::read_to_string(manifest("exemplary")).expect("manifest");
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("external_id"))
        .collect();
    std::fs::write(&without, text.join("\n")).expect("write");
    let without = without.to_string_lossy().into_owned();
    let wrong = [
        "--case-study",
        &manifest("exemplary"),
        "--external-id",
        "not-the-agreed-id",
    ];
    for args in [&wrong[..], &["--case-study", &without][..]] {
        let doc = not_ready(emu, args);
        assert_eq!(check(&doc, "credentials", "us-east-1")["status"], "ok");
        let role = check(&doc, "role", "us-east-1");
        assert_eq!(role["status"], "denied", "{role:#}");
        let fix = role["fix"].as_str().unwrap_or_default();
        assert!(
            fix.contains("sts:ExternalId") && fix.contains("ExternalId"),
            "{fix}"
        );
        let endpoints = check(&doc, "dms:DescribeEndpoints", "us-east-1");
        assert_eq!(endpoints["status"], "not_checked");
    }
}

#[test]
fn a_region_not_enabled_is_named_and_the_others_are_probed() {
    let emu = Emulator::shared();
    emu.seed("targets");
    emu.admin(
        "POST",
        "regions",
        &json!({"account": "888888888888", "disabled": ["me-south-1"]}),
    );
    let doc = not_ready(
        emu,
        &[
            "--case-study",
            &manifest("targets"),
            "--region",
            "eu-central-1",
            "--region",
            "me-south-1",
        ],
    );
    let region = check(&doc, "region", "me-south-1");
    assert_eq!(region["status"], "not_enabled");
    assert!(
        region["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("not-opted-in")
    );
    assert!(
        region["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("enable-region --region-name me-south-1")
    );
    assert_eq!(check(&doc, "region", "eu-central-1")["status"], "ok");
    assert_eq!(
        check(&doc, "dms:DescribeEndpoints", "eu-central-1")["status"],
        "ok"
    );
    // No evidence source is read in the region that is not enabled.
    assert!(
        doc["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .all(|c| c["region"] != "me-south-1" || c["source"] == "region")
    );
}

#[test]
fn a_config_recorder_recording_dms_types_is_ok() {
    let emu = Emulator::shared();
    emu.seed("homogeneous-ec2");
    let account = "333333333333";
    let case = manifest("homogeneous-ec2");
    let region = std::fs::read_to_string(&case)
        .expect("case")
        .lines()
        .find_map(|l| {
            l.strip_prefix("regions = [\"")
                .map(|r| r.split('"').next().unwrap_or_default().to_string())
        })
        .expect("region");
    runtime().block_on(async {
        use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
        let config = aws_sdk_config::Client::new(&emu.owner_config(account, &region).await);
        config
            .put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn(format!("arn:aws:iam::{account}:role/config-recorder"))
                    .recording_group(RecordingGroup::builder().all_supported(true).build())
                    .build(),
            )
            .send()
            .await
            .expect("recorder");
        config
            .put_delivery_channel()
            .delivery_channel(
                DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name("config-history")
                    .build(),
            )
            .send()
            .await
            .expect("delivery channel");
        config
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .expect("start");
    });
    let (doc, code) = diagnosis(&doctor(emu, &["--case-study", &case]));
    assert_eq!(code, Some(0), "{doc:#}");
    let recorder = check(&doc, "AWS Config recorder", &region);
    assert_eq!(recorder["status"], "ok", "{recorder:#}");
    assert!(
        recorder["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("default records AWS::DMS::Endpoint")
    );
}

/// What doctor really sends, as the emulator counted it: only reads the read-only policy
/// grants (and AssumeRole, made with your own credentials), and every one of them.
#[test]
fn doctor_calls_exactly_the_actions_of_the_policy() {
    let emu = &Emulator::start();
    emu.seed("exemplary");
    emu.admin("DELETE", "calls", &json!({}));
    // With a trail named (its bucket missing here), so that its reads are probed too.
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("case.toml");
    let text = std::fs::read_to_string(manifest("exemplary")).expect("manifest");
    let text = text.split("[[attachments]]").next().unwrap_or_default();
    std::fs::write(
        &case,
        format!("{text}\n[trail]\nbucket = \"no-such-trail-bucket\"\nsince = \"2026-01-01\"\n"),
    )
    .expect("case");
    let (doc, code) = diagnosis(&doctor(emu, &["--case-study", &case.to_string_lossy()]));
    assert_eq!(code, Some(0), "an optional read blocks nothing: {doc:#}");
    let listing = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["source"] == "s3:ListBucket")
        .expect("the trail listing's check");
    assert!(
        listing["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no-such-trail-bucket does not exist")),
        "{listing:#}"
    );
    let counted = emu.admin("GET", "calls", &json!({}));
    // Signing names the table spells otherwise.
    let service = |s: &str| match s {
        "monitoring" => "cloudwatch".to_string(),
        "es" => "opensearch".to_string(),
        other => other.to_string(),
    };
    let called: BTreeSet<String> = counted
        .as_object()
        .expect("counts")
        .keys()
        .filter_map(|k| k.split_once(':'))
        .map(|(s, op)| dms_evidence::operations::iam_action(&service(s), op))
        .filter(|a| a != "sts:AssumeRole")
        .collect();
    for action in &called {
        let op = action.split_once(':').map_or("", |(_, op)| op);
        assert!(
            dms_evidence::operations::is_read_only(op),
            "{action} is not a read"
        );
    }
    let declared: BTreeSet<String> = dms_evidence::operations::iam_actions()
        .into_iter()
        .collect();
    assert_eq!(
        called, declared,
        "calls the emulator counted vs policies/operations.json"
    );
}

/// Throttling past doctor's short budget, and a service slower than --read-timeout.
#[test]
fn throttled_and_unreachable_are_told_apart() {
    let emu = &Emulator::start();
    emu.seed("exemplary");
    emu.set_faults(json!({"throttle_rate": 1.0}));
    let doc = not_ready(emu, &["--case-study", &manifest("exemplary")]);
    assert_eq!(
        check(&doc, "credentials", "us-east-1")["status"],
        "throttled"
    );
    emu.set_faults(json!({
        "throttle_rate": 0.0,
        "latency_ms": 2500,
        "slow": ["kinesis:DescribeStreamSummary"]
    }));
    let doc = not_ready(
        emu,
        &[
            "--case-study",
            &manifest("exemplary"),
            "--read-timeout",
            "1",
            "--max-attempts",
            "1",
        ],
    );
    let slow = check(&doc, "kinesis:DescribeStreamSummary", "us-east-1");
    assert_eq!(slow["status"], "unreachable", "{slow:#}");
    assert!(
        slow["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("--read-timeout")
    );
    assert_eq!(
        check(&doc, "dms:DescribeEndpoints", "us-east-1")["status"],
        "ok"
    );
}

#[test]
fn no_endpoint_and_no_credentials_are_unreachable_and_denied() {
    let emu = Emulator::shared();
    // A loopback port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let unreachable = format!("http://127.0.0.1:{closed}");
    let doc = not_ready_with(
        emu,
        &[
            "--case-study",
            &manifest("exemplary"),
            "--connect-timeout",
            "1",
            "--max-attempts",
            "1",
        ],
        &[("AWS_ENDPOINT_URL", Some(unreachable))],
    );
    assert_eq!(
        check(&doc, "credentials", "us-east-1")["status"],
        "unreachable"
    );
    assert_eq!(check(&doc, "role", "us-east-1")["status"], "not_checked");
    let doc = not_ready_with(
        emu,
        &["--case-study", &manifest("exemplary")],
        &[("AWS_ACCESS_KEY_ID", None), ("AWS_SECRET_ACCESS_KEY", None)],
    );
    let creds = check(&doc, "credentials", "us-east-1");
    assert_eq!(creds["status"], "denied");
    assert!(
        creds["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no credentials found")
    );
}

#[test]
fn bad_input_is_refused_before_any_call() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.toml");
    for (args, needle) in [
        (
            vec![
                "doctor".to_string(),
                "--case-study".into(),
                missing.to_string_lossy().into_owned(),
            ],
            "nope.toml",
        ),
        (
            vec!["doctor".into(), "--region".into(), "us-east-1".into()],
            "account",
        ),
        (
            vec!["doctor".into(), "--format".into(), "yaml".into()],
            "yaml",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = support::cli(emu, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}
