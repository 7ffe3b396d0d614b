//! What an endpoint's settings say, per engine: how (whether) it encrypts in flight,
//! and which of its settings tune throughput. (The address it connects to is placed by
//! [`super::host`].)
//!
//! Every rule here cites the DMS documentation it follows. Settings are judged by
//! an allow-list: only members whose documented purpose is throughput count as
//! tuning, and only when they differ from the documented default in the faster
//! direction. Connection details, which DescribeEndpoints repeats inside the engine
//! settings objects even for endpoints created without settings, never count.

use serde_json::Value;

use super::Endpoint;
use super::host;

/// How an endpoint encrypts in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InFlight {
    /// Encrypted, and how (`SslMode=verify-full`, `SecurityProtocol=sasl-ssl`).
    Encrypted(String),
    /// Not encrypted, and why.
    Plaintext(String),
    /// The service always encrypts; the documentation that says so.
    BuiltIn(String),
    /// Not established: the setting is not reported, or DMS documents nothing for
    /// this engine. Never counts as encrypted.
    Unknown(String),
}

const SSL_DOC: &str = "DMS User Guide, \"Using SSL with AWS Database Migration Service\"";

fn setting<'a>(e: &'a Endpoint, object: &str, key: &str) -> Option<&'a Value> {
    e.settings.get(object)?.get(key)
}

/// The in-flight encryption of an endpoint, by engine family: services with their
/// own setting (Kafka, Redis, OpenSearch), services that always use TLS, services DMS
/// documents nothing for, and SslMode against the modes DMS supports for the engine.
pub fn in_flight(e: &Endpoint) -> InFlight {
    let engine = e.engine.to_ascii_lowercase();
    if let Some(answer) = service_in_flight(e, &engine) {
        return answer;
    }
    let modes: &[&str] = match engine.as_str() {
        // "AWS DMS doesn't support the SSL mode verify-full for GCP for MySQL instances."
        "gcp-mysql" => &["verify-ca"],
        "docdb" | "documentdb" => &["require", "verify-full"],
        _ => match host::ssl_modes(&engine) {
            Some(m) => m,
            None => {
                return InFlight::Unknown(format!(
                    "engine {engine}: no documented in-flight encryption rule"
                ));
            }
        },
    };
    match e.ssl_mode.as_deref() {
        None => InFlight::Unknown("SslMode not reported".into()),
        Some("none") => InFlight::Plaintext("SslMode=none".into()),
        Some(mode) if modes.contains(&mode) => InFlight::Encrypted(format!("SslMode={mode}")),
        Some(mode) => InFlight::Plaintext(format!(
            "SslMode={mode}, which {engine} does not support ({}; {SSL_DOC})",
            modes.join(", ")
        )),
    }
}

/// Engines whose in-flight encryption is not SslMode (`None` for the SslMode engines).
fn service_in_flight(e: &Endpoint, engine: &str) -> Option<InFlight> {
    let text = |object, key| setting(e, object, key).and_then(Value::as_str);
    Some(match engine {
        "redshift" => InFlight::BuiltIn(format!(
            "redshift: \"An Amazon Redshift endpoint already uses an SSL connection and does not require an SSL \
             connection set up by AWS DMS\" ({SSL_DOC})"
        )),
        "dynamodb" | "kinesis" => InFlight::BuiltIn(format!(
            "{engine}: secure by default, DMS shows SslMode none ({SSL_DOC}; \"All API calls to Kinesis use SSL\")"
        )),
        "kafka" => match text("KafkaSettings", "SecurityProtocol") {
            Some(p @ ("ssl-encryption" | "ssl-authentication" | "sasl-ssl")) => {
                InFlight::Encrypted(format!("KafkaSettings.SecurityProtocol={p}"))
            }
            Some(p) => InFlight::Plaintext(format!("KafkaSettings.SecurityProtocol={p}")),
            None => InFlight::Unknown(
                "KafkaSettings.SecurityProtocol not reported (DMS documents no default)".into(),
            ),
        },
        "redis" => match text("RedisSettings", "SslSecurityProtocol") {
            Some("ssl-encryption") => {
                InFlight::Encrypted("RedisSettings.SslSecurityProtocol=ssl-encryption".into())
            }
            Some(p) => InFlight::Plaintext(format!("RedisSettings.SslSecurityProtocol={p}")),
            None => InFlight::Unknown("RedisSettings.SslSecurityProtocol not reported".into()),
        },
        // "DMS uses HTTPS if a transport protocol (http/https) is not specified."
        // (DMS API Reference, ElasticsearchSettings.EndpointUri)
        "elasticsearch" | "opensearch" => match text("ElasticsearchSettings", "EndpointUri") {
            Some(uri) if uri.trim().to_ascii_lowercase().starts_with("http://") => {
                InFlight::Plaintext(format!("EndpointUri {uri} uses http"))
            }
            Some(uri) => InFlight::Encrypted(format!(
                "EndpointUri {uri}: HTTPS (DMS uses HTTPS unless http:// is given)"
            )),
            None => InFlight::Unknown("ElasticsearchSettings.EndpointUri not reported".into()),
        },
        "s3"
        | "neptune"
        | "timestream"
        | "redshift-serverless"
        | "babelfish"
        | "azure-postgresql"
        | "dms-transfer" => InFlight::Unknown(format!(
            "{engine}: DMS documents no in-flight encryption setting and does not state that the connection \
             always uses TLS ({SSL_DOC})"
        )),
        _ => return None,
    })
}

/// The direction in which a throughput setting speeds a migration up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Faster {
    Larger,
    Smaller,
    True,
    /// DMS documents the purpose but not the direction: any deliberate change counts.
    Changed,
}

/// Endpoint settings whose documented purpose is throughput, with their documented
/// default (`None`: not documented). Source: the DMS API Reference member docs
/// (botocore dms 2016-01-01) and the engine pages of the DMS User Guide.
const THROUGHPUT: &[(&str, &str, Option<f64>, Faster)] = &[
    // "Using an Oracle database as a source": ParallelAsmReadThreads with ReadAheadBlocks
    // "can significantly improve the performance of the CDC task".
    (
        "OracleSettings",
        "ParallelAsmReadThreads",
        Some(2.0),
        Faster::Larger,
    ),
    (
        "OracleSettings",
        "ReadAheadBlocks",
        Some(1000.0),
        Faster::Larger,
    ),
    // "Using an Oracle database as a target": direct path load.
    (
        "OracleSettings",
        "UseDirectPathFullLoad",
        None,
        Faster::True,
    ),
    (
        "OracleSettings",
        "DirectPathParallelLoad",
        None,
        Faster::True,
    ),
    ("OracleSettings", "DirectPathNoLog", None, Faster::True),
    // SQL Server target: BCP full load and packet size.
    (
        "MicrosoftSQLServerSettings",
        "UseBcpFullLoad",
        None,
        Faster::True,
    ),
    (
        "MicrosoftSQLServerSettings",
        "BcpPacketSize",
        None,
        Faster::Larger,
    ),
    // MySQL-compatible targets: "ParallelLoadThreads … improves performance" (default 1).
    (
        "MySQLSettings",
        "ParallelLoadThreads",
        Some(1.0),
        Faster::Larger,
    ),
    ("MySQLSettings", "MaxFileSize", None, Faster::Changed),
    (
        "MySQLSettings",
        "EventsPollInterval",
        Some(5.0),
        Faster::Smaller,
    ),
    (
        "GcpMySQLSettings",
        "ParallelLoadThreads",
        Some(1.0),
        Faster::Larger,
    ),
    ("GcpMySQLSettings", "MaxFileSize", None, Faster::Changed),
    (
        "GcpMySQLSettings",
        "EventsPollInterval",
        Some(5.0),
        Faster::Smaller,
    ),
    // PostgreSQL target: size of the .csv files used to transfer data (default 32768 KB).
    (
        "PostgreSQLSettings",
        "MaxFileSize",
        Some(32768.0),
        Faster::Changed,
    ),
    // Redshift target: upload streams, file size and buffer.
    (
        "RedshiftSettings",
        "FileTransferUploadStreams",
        Some(10.0),
        Faster::Larger,
    ),
    (
        "RedshiftSettings",
        "MaxFileSize",
        Some(1_048_576.0),
        Faster::Changed,
    ),
    (
        "RedshiftSettings",
        "WriteBufferSize",
        Some(1000.0),
        Faster::Larger,
    ),
    // Db2 source: read size and buffer.
    (
        "IBMDb2Settings",
        "MaxKBytesPerRead",
        Some(64.0),
        Faster::Larger,
    ),
    (
        "IBMDb2Settings",
        "WriteBufferSize",
        Some(1024.0),
        Faster::Larger,
    ),
    // S3 target: CDC batching and file sizes.
    (
        "S3Settings",
        "CdcMaxBatchInterval",
        Some(60.0),
        Faster::Changed,
    ),
    (
        "S3Settings",
        "CdcMinFileSize",
        Some(32000.0),
        Faster::Changed,
    ),
    (
        "S3Settings",
        "MaxFileSize",
        Some(1_048_576.0),
        Faster::Changed,
    ),
    (
        "S3Settings",
        "RowGroupLength",
        Some(10000.0),
        Faster::Changed,
    ),
    (
        "NeptuneSettings",
        "MaxFileSize",
        Some(1_048_576.0),
        Faster::Changed,
    ),
    // Kinesis/Kafka: spread records over partitions by schema and table.
    (
        "KinesisSettings",
        "PartitionIncludeSchemaTable",
        None,
        Faster::True,
    ),
    (
        "KafkaSettings",
        "PartitionIncludeSchemaTable",
        None,
        Faster::True,
    ),
];

fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn flag(v: &Value) -> Option<bool> {
    v.as_bool().or_else(|| match v.as_str()?.trim() {
        "true" | "Y" | "y" => Some(true),
        "false" | "N" | "n" => Some(false),
        _ => None,
    })
}

/// The endpoint's settings that tune throughput: documented for it, changed from
/// the default, and not in the slower direction. Each as `Object.Member=value`.
pub fn throughput_tuning(e: &Endpoint) -> Vec<String> {
    let mut out = Vec::new();
    for (object, key, default, faster) in THROUGHPUT {
        let Some(v) = setting(e, object, key) else {
            continue;
        };
        let counts = match faster {
            Faster::True => flag(v) == Some(true),
            Faster::Larger | Faster::Smaller | Faster::Changed => match (number(v), default) {
                (None, _) => false,
                (Some(n), Some(d)) => match faster {
                    Faster::Larger => n > *d,
                    Faster::Smaller => n < *d && n > 0.0,
                    _ => (n - d).abs() > f64::EPSILON,
                },
                // No documented default: a value was chosen; only a positive one is a setting.
                (Some(n), None) => n > 0.0,
            },
        };
        if counts {
            out.push(format!("{object}.{key}={v}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::facts::{Host, HostKind};

    fn endpoint(engine: &str, ssl: Option<&str>, settings: Value) -> Endpoint {
        let settings: BTreeMap<String, Value> = settings
            .as_object()
            .map(|o| o.clone().into_iter().collect())
            .unwrap_or_default();
        Endpoint {
            region: "us-east-1".into(),
            identifier: "e".into(),
            arn: "arn:aws:dms:us-east-1:1:endpoint:E".into(),
            endpoint_type: "target".into(),
            engine: engine.into(),
            family: host::family(engine),
            server_name: None,
            port: None,
            database: None,
            status: None,
            ssl_mode: ssl.map(str::to_string),
            certificate_arn: None,
            kms_key_id: None,
            host: Host {
                kind: HostKind::Unknown,
                resource: None,
                address: None,
                public_address: None,
                basis: String::new(),
            },
            settings,
            sources: vec![],
            deleted_at: None,
            history: Vec::new(),
            hosts_then: Vec::new(),
            config_history: Vec::new(),
            then_basis: None,
        }
    }

    #[test]
    fn in_flight_per_family() {
        use InFlight as F;
        let kind = |f: &InFlight| match f {
            F::Encrypted(_) => "enc",
            F::Plaintext(_) => "plain",
            F::BuiltIn(_) => "builtin",
            F::Unknown(_) => "unknown",
        };
        let cases = [
            ("postgres", Some("require"), json!({}), "enc"),
            ("postgres", Some("none"), json!({}), "plain"),
            ("postgres", None, json!({}), "unknown"),
            ("mysql", Some("require"), json!({}), "plain"),
            ("oracle", Some("verify-full"), json!({}), "plain"),
            ("gcp-mysql", Some("verify-full"), json!({}), "plain"),
            ("docdb", Some("verify-full"), json!({}), "enc"),
            ("redshift", Some("none"), json!({}), "builtin"),
            ("dynamodb", Some("none"), json!({}), "builtin"),
            ("kinesis", Some("none"), json!({}), "builtin"),
            ("s3", Some("none"), json!({}), "unknown"),
            ("neptune", Some("none"), json!({}), "unknown"),
            (
                "kafka",
                Some("none"),
                json!({"KafkaSettings": {"SecurityProtocol": "plaintext"}}),
                "plain",
            ),
            (
                "kafka",
                Some("none"),
                json!({"KafkaSettings": {"SecurityProtocol": "sasl-ssl"}}),
                "enc",
            ),
            (
                "kafka",
                Some("none"),
                json!({"KafkaSettings": {"Broker": "b:9092"}}),
                "unknown",
            ),
            (
                "redis",
                Some("none"),
                json!({"RedisSettings": {"SslSecurityProtocol": "ssl-encryption"}}),
                "enc",
            ),
            (
                "redis",
                Some("none"),
                json!({"RedisSettings": {"SslSecurityProtocol": "plaintext"}}),
                "plain",
            ),
            (
                "opensearch",
                Some("none"),
                json!({"ElasticsearchSettings": {"EndpointUri": "http://x:9200"}}),
                "plain",
            ),
            (
                "elasticsearch",
                Some("none"),
                json!({"ElasticsearchSettings": {"EndpointUri": "search-x.es.amazonaws.com"}}),
                "enc",
            ),
            ("made-up", Some("require"), json!({}), "unknown"),
        ];
        for (engine, ssl, settings, want) in cases {
            let got = in_flight(&endpoint(engine, ssl, settings.clone()));
            assert_eq!(kind(&got), want, "{engine} {ssl:?} {settings}: {got:?}");
        }
    }

    #[test]
    fn connection_details_and_defaults_are_not_tuning() {
        // DescribeEndpoints on AWS repeats the connection details inside the settings.
        let echoed = endpoint(
            "postgres",
            None,
            json!({"PostgreSQLSettings": {"ServerName": "db", "Port": 5432, "DatabaseName": "d",
                   "Username": "u", "MaxFileSize": 32768, "ExecuteTimeout": 60}}),
        );
        assert!(throughput_tuning(&echoed).is_empty());
        let slower = endpoint(
            "oracle",
            None,
            json!({"OracleSettings": {"ParallelAsmReadThreads": 1, "ReadAheadBlocks": 500}}),
        );
        assert!(
            throughput_tuning(&slower).is_empty(),
            "slower is not tuning"
        );
        let tuned = endpoint(
            "oracle",
            None,
            json!({"OracleSettings": {"ParallelAsmReadThreads": 4, "ReadAheadBlocks": 150000,
                   "UseDirectPathFullLoad": false}}),
        );
        assert_eq!(
            throughput_tuning(&tuned),
            [
                "OracleSettings.ParallelAsmReadThreads=4",
                "OracleSettings.ReadAheadBlocks=150000"
            ]
        );
    }
}
