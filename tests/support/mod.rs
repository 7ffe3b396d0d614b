//! Test bed: a private AWS emulator (moto + dmsemu) on a free loopback port, seeded
//! with scenario files, and `SdkConfig`s that reach it as a given account.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::Value;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    repo_root()
        .join("fixtures/scenarios")
        .join(format!("{name}.json"))
}

/// One emulator process. Dropping it stops the process; the process also exits by
/// itself once the test binary that started it is gone.
pub struct Emulator {
    pub endpoint: String,
    pub port: u16,
    seeded: Mutex<HashMap<String, Value>>,
}

impl Emulator {
    /// Starts a private emulator on a free loopback port.
    pub fn start() -> Emulator {
        let port = free_port();
        let out = Command::new(repo_root().join("localstack/up"))
            .env("EMULATOR_PORT", port.to_string())
            .env("DMSEMU_PARENT_PID", std::process::id().to_string())
            .output()
            .expect("run localstack/up");
        assert!(
            out.status.success(),
            "localstack/up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let endpoint = stdout
            .lines()
            .last()
            .expect("endpoint line")
            .trim()
            .to_string();
        assert_eq!(endpoint, format!("http://127.0.0.1:{port}"));
        Emulator {
            endpoint,
            port,
            seeded: Mutex::new(HashMap::new()),
        }
    }

    /// The emulator shared by the tests of one test binary. Scenarios use distinct
    /// account ids, so tests share it without seeing each other's resources.
    pub fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Emulator> = OnceLock::new();
        SHARED.get_or_init(Emulator::start)
    }

    /// Seeds a scenario once per emulator and returns what `localstack/seed` created.
    pub fn seed(&self, scenario: &str) -> Value {
        let mut seeded = self.seeded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(created) = seeded.get(scenario) {
            return created.clone();
        }
        let created = self.seed_file(&scenario_path(scenario));
        seeded.insert(scenario.to_string(), created.clone());
        created
    }

    pub fn seed_file(&self, path: &Path) -> Value {
        let out = Command::new(repo_root().join("localstack/seed"))
            .arg(path)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .output()
            .expect("run localstack/seed");
        assert!(
            out.status.success(),
            "localstack/seed {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("seed prints JSON")
    }

    /// Calls an admin route (`/_dmsemu/...`) and returns the JSON answer.
    pub fn admin(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to emulator");
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        write!(
            stream,
            "{method} /_dmsemu/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write admin request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read admin response");
        let (head, json) = response.split_once("\r\n\r\n").expect("HTTP response");
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{head}\n{json}"
        );
        serde_json::from_str(json).expect("admin JSON")
    }

    /// Every answer the emulator gave so far matched its botocore output shape (members,
    /// types, enums, string lengths, required members, no nulls): the emulator checks each
    /// JSON answer and keeps what departs (localstack/dmsemu/validate.py).
    pub fn assert_answers_like_aws(&self) {
        let found = self.admin("GET", "deviations", &Value::Object(Default::default()));
        let found = found["deviations"].as_array().cloned().unwrap_or_default();
        assert!(
            found.is_empty(),
            "the emulator answered unlike AWS:\n{}",
            found
                .iter()
                .map(|d| d.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    pub fn set_faults(&self, faults: Value) {
        self.admin("PUT", "faults", &faults);
    }

    /// SDK configuration acting in `account`, reached the way the tool reaches a
    /// customer account: base credentials, then STS AssumeRole into a role there.
    pub async fn sdk_config(&self, account: &str, region: &str) -> SdkConfig {
        let role = format!("arn:aws:iam::{account}:role/dms-evidence-readonly");
        self.assumed(&role, Some(external_id(account)), region)
            .await
    }

    /// SDK configuration as the account's owner, who may change IAM, Config and the rest
    /// (the emulator's seeder role, exempt from IAM enforcement).
    pub async fn owner_config(&self, account: &str, region: &str) -> SdkConfig {
        let role = format!("arn:aws:iam::{account}:role/dmsemu-seeder");
        self.assumed(&role, None, region).await
    }

    async fn assumed(&self, role: &str, external_id: Option<String>, region: &str) -> SdkConfig {
        let base = self.base_config(region).await;
        let mut builder = AssumeRoleProvider::builder(role).session_name("dms-evidence-tests");
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.configure(&base).build().await;
        base.into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build()
    }

    /// SDK configuration with the emulator's static base credentials.
    pub async fn base_config(&self, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDDMSEVIDENCETEST",
                "testing-secret",
                None,
                None,
                "dmsemu",
            )))
            .load()
            .await
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("localstack/down"))
            .env("EMULATOR_PORT", self.port.to_string())
            .output();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// What the seeder created in one account and region, by kind.
/// The external id a scenario's read-only role requires in `account` (its `external_id`),
/// or any other when it requires none.
pub fn external_id(account: &str) -> String {
    let dir = repo_root().join("fixtures/scenarios");
    let scenarios = std::fs::read_dir(&dir).expect("fixtures/scenarios");
    for file in scenarios.flatten() {
        let Ok(text) = std::fs::read_to_string(file.path()) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let accounts = doc["accounts"].as_array().cloned().unwrap_or_default();
        if let Some(id) = accounts
            .iter()
            .find(|a| a["account_id"] == account)
            .and_then(|a| a["external_id"].as_str())
        {
            return id.to_string();
        }
    }
    "test-external-id".to_string()
}

pub fn created<'a>(seed: &'a Value, account: &str, region: &str) -> &'a Value {
    &seed["accounts"][account]["regions"][region]
}

pub fn count(seed: &Value, account: &str, region: &str, kind: &str) -> usize {
    created(seed, account, region)[kind]
        .as_array()
        .map_or(0, Vec::len)
}

/// Runs the real `dms-evidence` binary against the emulator, with credentials that
/// only the emulator accepts and nothing from the user's AWS configuration.
pub fn cli(emu: &Emulator, args: &[&str]) -> std::process::Output {
    command(emu, args).output().expect("run dms-evidence")
}

/// Creates a signing key pair `k.pem` / `k.pub` in `dir`; returns their paths.
pub fn keygen(emu: &Emulator, dir: &Path) -> (String, String) {
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (private, public) = (path("k.pem"), path("k.pub"));
    let out = cli(
        emu,
        &["keygen", "--private-key", &private, "--public-key", &public],
    );
    assert!(
        out.status.success(),
        "keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (private, public)
}

/// The command [`cli`] runs, to add environment variables or run several at once.
pub fn command(emu: &Emulator, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dms-evidence"));
    cmd.args(args)
        .env("AWS_ENDPOINT_URL", &emu.endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDDMSEVIDENCETEST")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("DMS_EVIDENCE_SHARDS");
    cmd
}

/// Each item's verdict in an evaluated evidence document.
pub fn verdicts(
    p: &dms_evidence::bundle::Predicate,
) -> std::collections::BTreeMap<String, dms_evidence::evaluate::Verdict> {
    p.evaluation
        .as_ref()
        .expect("evaluated")
        .findings
        .iter()
        .map(|f| (f.item.clone(), f.verdict))
        .collect()
}
