//! Where an endpoint's database lives (HOST) and which engine family it belongs to (F).
//!
//! Pure functions of endpoint facts and the account's RDS inventory; see
//! `docs/evidence.md` for the rules and their sources.

use serde::{Deserialize, Serialize};

/// HOST(endpoint): where the database behind an endpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// Amazon RDS (not Aurora).
    Rds,
    /// Amazon Aurora.
    Aurora,
    Redshift,
    /// AWS-managed by definition (DynamoDB, S3, Kinesis, …): no host name.
    AwsManaged,
    /// Self-managed on Amazon EC2.
    Ec2,
    /// Another cloud's managed database (GCP, Azure).
    OtherCloud,
    /// Anything else: on premises or hosted elsewhere (AWS cannot tell which).
    External,
}

impl HostKind {
    /// A managed AWS database service (a deployment-pattern target).
    pub fn is_managed_aws(self) -> bool {
        matches!(
            self,
            HostKind::Rds | HostKind::Aurora | HostKind::Redshift | HostKind::AwsManaged
        )
    }

    /// Inside AWS (managed or EC2).
    pub fn is_in_aws(self) -> bool {
        self.is_managed_aws() || self == HostKind::Ec2
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub kind: HostKind,
    /// The RDS instance or cluster identifier it resolved to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// How it was decided, in one phrase.
    pub basis: String,
}

/// An RDS instance or cluster address the account has, for exact matching.
#[derive(Debug, Clone)]
pub struct RdsAddress<'a> {
    pub address: &'a str,
    pub identifier: &'a str,
    pub aurora: bool,
}

const AWS_MANAGED_ENGINES: &[&str] = &[
    "dynamodb",
    "s3",
    "kinesis",
    "kafka",
    "opensearch",
    "elasticsearch",
    "neptune",
    "documentdb",
    "docdb",
    "redis",
    "timestream",
    "babelfish",
];
const OTHER_CLOUD_ENGINES: &[&str] = &[
    "gcp-mysql",
    "azuredb",
    "azure-sql-managed-instance",
    "azure-postgresql",
];

/// Classifies an endpoint by engine and server name.
pub fn classify(engine: &str, server_name: Option<&str>, rds: &[RdsAddress<'_>]) -> Host {
    let engine = engine.to_ascii_lowercase();
    let server = server_name.map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase());
    if let Some(server) = server.as_deref()
        && let Some(hit) = rds.iter().find(|r| r.address.eq_ignore_ascii_case(server))
    {
        return Host {
            kind: if hit.aurora {
                HostKind::Aurora
            } else {
                HostKind::Rds
            },
            resource: Some(hit.identifier.to_string()),
            basis: format!(
                "ServerName equals the endpoint of {} in this account",
                hit.identifier
            ),
        };
    }
    if OTHER_CLOUD_ENGINES.contains(&engine.as_str()) {
        return host(
            HostKind::OtherCloud,
            format!("engine {engine} is another cloud's managed database"),
        );
    }
    if engine == "redshift" || engine == "redshift-serverless" {
        return host(HostKind::Redshift, format!("engine {engine}"));
    }
    let Some(server) = server else {
        if AWS_MANAGED_ENGINES.contains(&engine.as_str()) {
            return host(
                HostKind::AwsManaged,
                format!("engine {engine} is an AWS service"),
            );
        }
        return host(HostKind::External, "no server name".to_string());
    };
    let rds_suffix =
        server.ends_with(".rds.amazonaws.com") || server.ends_with(".rds.amazonaws.com.cn");
    if rds_suffix {
        let aurora = server.contains(".cluster-") || engine.starts_with("aurora");
        return host(
            if aurora {
                HostKind::Aurora
            } else {
                HostKind::Rds
            },
            format!(
                "ServerName {server} is an RDS address (not found among this account's databases)"
            ),
        );
    }
    if server.ends_with(".redshift.amazonaws.com")
        || server.ends_with(".redshift-serverless.amazonaws.com")
    {
        return host(
            HostKind::Redshift,
            format!("ServerName {server} is a Redshift address"),
        );
    }
    if server.ends_with(".compute.internal")
        || server.ends_with(".ec2.internal")
        || (server.starts_with("ec2-") && server.ends_with(".compute.amazonaws.com"))
        || server.ends_with(".compute-1.amazonaws.com")
    {
        return host(
            HostKind::Ec2,
            format!("ServerName {server} is an EC2 host name"),
        );
    }
    if AWS_MANAGED_ENGINES.contains(&engine.as_str()) {
        return host(
            HostKind::AwsManaged,
            format!("engine {engine} is an AWS service"),
        );
    }
    host(
        HostKind::External,
        format!(
            "ServerName {server} is outside AWS's name spaces (on premises or elsewhere: AWS cannot tell)"
        ),
    )
}

fn host(kind: HostKind, basis: String) -> Host {
    Host {
        kind,
        resource: None,
        basis,
    }
}

/// F(engine): the engine family, to tell homogeneous from heterogeneous migrations.
pub fn family(engine: &str) -> String {
    let e = engine.to_ascii_lowercase();
    let fam = match e.as_str() {
        "mysql" | "mariadb" | "aurora" | "aurora-mysql" | "aurora-serverless" | "gcp-mysql" => {
            "mysql"
        }
        "postgres"
        | "postgresql"
        | "aurora-postgresql"
        | "aurora-postgresql-serverless"
        | "babelfish"
        | "azure-postgresql" => "postgres",
        "sqlserver" | "azuredb" | "azure-sql-managed-instance" => "sqlserver",
        "redshift" | "redshift-serverless" => "redshift",
        "db2" | "db2-zos" => "db2",
        "mongodb" | "docdb" | "documentdb" => "mongo",
        "oracle" => "oracle",
        "sybase" => "sybase",
        other => other,
    };
    fam.to_string()
}

/// The SslMode values DMS supports for an engine (DMS User Guide, "Using SSL with
/// AWS DMS"). `None`: TLS is built in or not configurable by SslMode, so the SSL
/// item does not apply (Redshift, S3, DynamoDB, Kinesis and other AWS services).
pub fn ssl_modes(engine: &str) -> Option<&'static [&'static str]> {
    match family(engine).as_str() {
        "mysql" => Some(&["verify-ca", "verify-full"]),
        "sqlserver" => Some(&["require", "verify-full"]),
        "postgres" => Some(&["require", "verify-ca", "verify-full"]),
        "oracle" => Some(&["verify-ca"]),
        "sybase" => Some(&["verify-full"]),
        "mongo" => Some(&["require", "verify-full"]),
        "db2" => Some(&["verify-ca"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let rds = [
            RdsAddress {
                address: "orders.abc.us-west-2.rds.amazonaws.com",
                identifier: "orders",
                aurora: false,
            },
            RdsAddress {
                address: "erp.cluster-x.us-east-1.rds.amazonaws.com",
                identifier: "erp",
                aurora: true,
            },
        ];
        let cases = [
            (
                "postgres",
                Some("orders.abc.us-west-2.rds.amazonaws.com"),
                HostKind::Rds,
                Some("orders"),
            ),
            (
                "aurora-postgresql",
                Some("ERP.cluster-x.us-east-1.rds.amazonaws.com."),
                HostKind::Aurora,
                Some("erp"),
            ),
            (
                "aurora",
                Some("crm.cluster-abc.us-east-1.rds.amazonaws.com"),
                HostKind::Aurora,
                None,
            ),
            (
                "mysql",
                Some("db.xyz.eu-west-1.rds.amazonaws.com"),
                HostKind::Rds,
                None,
            ),
            (
                "redshift",
                Some("a.b.us-east-2.redshift.amazonaws.com"),
                HostKind::Redshift,
                None,
            ),
            (
                "mysql",
                Some("ip-10-30-1-15.eu-west-1.compute.internal"),
                HostKind::Ec2,
                None,
            ),
            (
                "mysql",
                Some("ec2-3-4-5-6.compute-1.amazonaws.com"),
                HostKind::Ec2,
                None,
            ),
            ("s3", None, HostKind::AwsManaged, None),
            ("dynamodb", None, HostKind::AwsManaged, None),
            ("gcp-mysql", Some("10.0.0.5"), HostKind::OtherCloud, None),
            (
                "azuredb",
                Some("x.database.windows.net"),
                HostKind::OtherCloud,
                None,
            ),
            (
                "oracle",
                Some("oradb01.corp.example.com"),
                HostKind::External,
                None,
            ),
            ("oracle", Some("10.1.2.3"), HostKind::External, None),
            ("postgres", None, HostKind::External, None),
        ];
        for (engine, server, kind, resource) in cases {
            let h = classify(engine, server, &rds);
            assert_eq!(
                (h.kind, h.resource.as_deref()),
                (kind, resource),
                "{engine} {server:?}: {}",
                h.basis
            );
        }
    }

    #[test]
    fn families_and_ssl() {
        for (a, b, same) in [
            ("oracle", "aurora-postgresql", false),
            ("mysql", "aurora", true),
            ("mariadb", "mysql", true),
            ("postgres", "aurora-postgresql", true),
            ("sqlserver", "azuredb", true),
            ("redshift", "postgres", false),
        ] {
            assert_eq!(family(a) == family(b), same, "{a} {b}");
        }
        assert_eq!(ssl_modes("oracle"), Some(&["verify-ca"][..]));
        assert_eq!(ssl_modes("aurora"), Some(&["verify-ca", "verify-full"][..]));
        for engine in ["redshift", "s3", "dynamodb", "kinesis"] {
            assert_eq!(ssl_modes(engine), None, "{engine}");
        }
    }
}
