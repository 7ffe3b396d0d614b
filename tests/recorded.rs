//! The collector against recorded, AWS-shaped responses (the DMS API reference's
//! examples, extended), for what the emulator cannot produce: fields AWS omits,
//! secrets in endpoint settings, throttling then success, AccessDenied bodies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use dms_evidence::collect::capture::CaptureStore;
use dms_evidence::collect::{Clients, Context, GapKind, Plan, dms};

fn recorded(name: &str) -> String {
    let path = format!(
        "{}/fixtures/recorded/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An answer: HTTP status and JSON body.
type Answer = (u16, String);

fn json_response(status: u16, body: String) -> Answer {
    (status, body)
}

type Answerer = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// A loopback HTTP/1.1 server that answers each DMS operation (its `X-Amz-Target`)
/// with `answer(op)`: the SDK's own HTTP client, signing and retries run for real.
fn serve(answer: Answerer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let answer = answer.clone();
            std::thread::spawn(move || serve_connection(conn, answer.as_ref()));
        }
    });
    url
}

/// Requests of one keep-alive connection, until the client closes it.
fn serve_connection(conn: TcpStream, answer: &(dyn Fn(&str) -> Answer + Send + Sync)) {
    let mut writer = conn.try_clone().expect("clone the stream");
    let mut reader = BufReader::new(conn);
    loop {
        let (mut op, mut length) = (String::new(), 0usize);
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "x-amz-target" => op = value.trim().rsplit('.').next().unwrap_or_default().into(),
                "content-length" => length = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, body) = answer(&op);
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// An SdkConfig whose DMS answers each operation with `answer(op)`, over loopback HTTP.
async fn config(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> SdkConfig {
    let url = serve(Arc::new(answer));
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1)),
        )
        .load()
        .await
}

fn empty_list(op: &str) -> String {
    // Every list operation answers with its list key empty; others with {}.
    let key = match op {
        "DescribeReplicationSubnetGroups" => "ReplicationSubnetGroups",
        "DescribeReplicationTasks" => "ReplicationTasks",
        "DescribeCertificates" => "Certificates",
        "DescribeReplicationTaskAssessmentRuns" => "ReplicationTaskAssessmentRuns",
        "DescribeReplicationConfigs" => "ReplicationConfigs",
        "DescribeReplications" => "Replications",
        "DescribeMigrationProjects" => "MigrationProjects",
        "DescribeDataProviders" => "DataProviders",
        "DescribeEngineVersions" => "EngineVersions",
        "DescribeEvents" => "Events",
        "DescribeAccountAttributes" => "AccountQuotas",
        _ => return "{}".into(),
    };
    format!("{{\"{key}\": []}}")
}

async fn collect_dms(config: &SdkConfig) -> (dms_evidence::facts::Facts, Context) {
    let ctx = Context::new(CaptureStore::new());
    let clients = Clients::new(config, "us-east-1", &ctx);
    let plan = Plan::new("123456789012", vec!["us-east-1".into()]);
    let mut facts = dms::collect(&plan, &clients, &ctx).await;
    dms_evidence::facts::host::place_endpoints(&mut facts, &plan.regions, &[(false, false)]);
    (facts, ctx)
}

#[tokio::test]
async fn omitted_booleans_stay_unknown_instead_of_false() {
    let config = config(|op| match op {
        "DescribeReplicationInstances" => {
            json_response(200, recorded("dms-describe-replication-instances"))
        }
        "DescribeEndpoints" => json_response(200, "{\"Endpoints\": []}".into()),
        other => json_response(200, empty_list(other)),
    })
    .await;
    let (facts, ctx) = collect_dms(&config).await;
    assert!(ctx.gaps().is_empty(), "{:?}", ctx.gaps());
    let by_id = |id: &str| {
        facts
            .replication_instances
            .iter()
            .find(|i| i.identifier == id)
            .expect(id)
    };
    let full = by_id("test-rep-1");
    assert_eq!(
        (
            full.publicly_accessible,
            full.multi_az,
            full.auto_minor_version_upgrade
        ),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(
        full.created.map(|t| t.to_string()).as_deref(),
        Some("2016-04-27T19:40:16Z")
    );
    assert_eq!(full.vpc_id.as_deref(), Some("vpc-6741a603"));
    assert_eq!(full.public_ips, ["54.210.10.21"]);
    // The SDK reads these as `false` when absent; the facts must not.
    let partial = by_id("fields-omitted");
    assert_eq!(
        (
            partial.publicly_accessible,
            partial.multi_az,
            partial.auto_minor_version_upgrade
        ),
        (None, None, None)
    );
    assert_eq!(partial.kms_key_id, None);
}

#[tokio::test]
async fn secrets_in_endpoint_settings_never_reach_the_evidence() {
    let config = config(|op| match op {
        "DescribeEndpoints" => json_response(200, recorded("dms-describe-endpoints")),
        other => json_response(200, empty_list(other)),
    })
    .await;
    let (facts, ctx) = collect_dms(&config).await;
    let everything = format!(
        "{}{}",
        serde_json::to_string(&facts).expect("facts"),
        serde_json::to_string(&ctx.store.snapshot()).expect("captures")
    );
    for secret in ["hunter2", "s3cr3t-sasl", "k3y-pass"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    let capture = ctx
        .store
        .snapshot()
        .into_iter()
        .find(|c| c.operation == "DescribeEndpoints")
        .expect("captured");
    assert_eq!(
        capture.redacted,
        [
            "$.Endpoints[0].ExtraConnectionAttributes",
            "$.Endpoints[0].MongoDbSettings.Password",
            "$.Endpoints[1].KafkaSettings.SaslPassword",
            "$.Endpoints[1].KafkaSettings.SslClientKeyPassword"
        ]
    );
    assert!(
        capture.received_sha256.is_some()
            && capture.received_sha256 != Some(capture.sha256.clone())
    );
    let mongo = facts
        .endpoints
        .iter()
        .find(|e| e.identifier == "mongo-source")
        .expect("mongo");
    assert_eq!(mongo.settings["MongoDbSettings"]["AuthType"], "password");
    // A host name that matches nothing in the account (EC2 and VPCs not read here).
    assert_eq!(format!("{:?}", mongo.host.kind), "Unverified");
    let kafka = facts
        .endpoints
        .iter()
        .find(|e| e.identifier == "kafka-target")
        .expect("kafka");
    assert_eq!(
        (kafka.endpoint_type.as_str(), kafka.ssl_mode.as_deref()),
        ("target", None)
    );
}

#[tokio::test]
async fn throttling_is_retried_and_access_denied_is_a_gap() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let config = config(move |op| match op {
        "DescribeReplicationInstances" if seen.fetch_add(1, Ordering::SeqCst) == 0 => json_response(
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into(),
        ),
        "DescribeReplicationInstances" => json_response(200, recorded("dms-describe-replication-instances")),
        "DescribeCertificates" => json_response(
            400,
            r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ro/s is not authorized to perform: dms:DescribeCertificates"}"#.into(),
        ),
        other => json_response(200, empty_list(other)),
    })
    .await;
    let (facts, ctx) = collect_dms(&config).await;
    assert_eq!(
        facts.replication_instances.len(),
        2,
        "throttled once, then read"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let gaps = ctx.gaps();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        (gaps[0].kind, gaps[0].iam_action.as_str()),
        (GapKind::AccessDenied, "dms:DescribeCertificates")
    );
    assert!(facts.certificates.is_empty());
}

#[tokio::test]
async fn a_kms_answer_without_a_signature_is_an_error_not_an_empty_signature() {
    let config = config(|op| match op {
        "Sign" => json_response(
            200,
            r#"{"KeyId":"arn:aws:kms:us-east-1:123456789012:key/k","SigningAlgorithm":"ECDSA_SHA_256"}"#.into(),
        ),
        _ => json_response(400, r#"{"__type":"NotFoundException"}"#.into()),
    })
    .await;
    let signer = dms_evidence::bundle::Signer::Kms {
        client: aws_sdk_kms::Client::new(&config),
        key_id: "k".into(),
        key_arn: "arn:aws:kms:us-east-1:123456789012:key/k".into(),
        public: dms_evidence::bundle::LocalKey::generate()
            .expect("key")
            .public(),
    };
    let err = signer.sign(b"statement").await.expect_err("no signature");
    assert!(err.to_string().contains("carries no signature"), "{err}");
}
