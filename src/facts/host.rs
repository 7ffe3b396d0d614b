//! Where an endpoint's database lives (HOST) and which engine family it belongs to (F).
//!
//! Pure functions of endpoint facts and the account's inventory of the same region
//! (RDS/Aurora/DocumentDB/Neptune addresses, Redshift addresses, EC2 instances) and
//! the account's VPC CIDRs. A host is placed from evidence, and the basis says which:
//! an address that matches nothing is `unverified`, no address at all is `unknown` —
//! neither is "outside AWS". See `docs/evidence.md` for the rules and their sources.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Ec2Instance, Endpoint, Facts, Vpc};

/// HOST(endpoint): where the database behind an endpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// Amazon RDS (not Aurora), including Multi-AZ DB clusters.
    Rds,
    /// Amazon Aurora.
    Aurora,
    /// Amazon DocumentDB.
    DocumentDb,
    /// Amazon Neptune.
    Neptune,
    Redshift,
    /// An AWS service addressed by its API, not by a host (DynamoDB, S3, Kinesis, …),
    /// or an AWS service's own host name (OpenSearch, MSK, ElastiCache).
    AwsManaged,
    /// Self-managed on Amazon EC2.
    Ec2,
    /// Another cloud's managed database (GCP, Azure).
    OtherCloud,
    /// An IP address outside every VPC CIDR of the account: outside AWS (on premises
    /// or elsewhere; AWS cannot tell which).
    External,
    /// An address that matches nothing in the account: on premises, EC2 behind a
    /// private DNS zone, or a database behind a CNAME. The basis says which doubt.
    Unverified,
    /// No address at all (Secrets Manager endpoints, or none reported).
    Unknown,
}

impl HostKind {
    /// A managed AWS database or data service.
    pub fn is_managed_aws(self) -> bool {
        matches!(
            self,
            HostKind::Rds
                | HostKind::Aurora
                | HostKind::DocumentDb
                | HostKind::Neptune
                | HostKind::Redshift
                | HostKind::AwsManaged
        )
    }

    /// Proven inside AWS (managed or EC2).
    pub fn is_in_aws(self) -> bool {
        self.is_managed_aws() || self == HostKind::Ec2
    }

    /// Where it runs is not established by evidence.
    pub fn is_doubtful(self) -> bool {
        matches!(self, HostKind::Unverified | HostKind::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HostKind::Rds => "rds",
            HostKind::Aurora => "aurora",
            HostKind::DocumentDb => "documentdb",
            HostKind::Neptune => "neptune",
            HostKind::Redshift => "redshift",
            HostKind::AwsManaged => "aws_managed",
            HostKind::Ec2 => "ec2",
            HostKind::OtherCloud => "other_cloud",
            HostKind::External => "external",
            HostKind::Unverified => "unverified",
            HostKind::Unknown => "unknown",
        }
    }
}

/// What DescribeDBClusters returned, told apart by `Engine` (the RDS API also returns
/// Multi-AZ DB clusters, DocumentDB and Neptune: RDS API Reference, DBCluster.Engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterKind {
    Aurora,
    /// A Multi-AZ DB cluster (engine mysql or postgres).
    MultiAz,
    DocumentDb,
    Neptune,
    Other,
}

impl ClusterKind {
    pub fn of(engine: Option<&str>) -> ClusterKind {
        match engine.map(str::to_ascii_lowercase).as_deref() {
            Some(e) if e.starts_with("aurora") => ClusterKind::Aurora,
            Some("mysql" | "postgres") => ClusterKind::MultiAz,
            Some("docdb") => ClusterKind::DocumentDb,
            Some("neptune") => ClusterKind::Neptune,
            _ => ClusterKind::Other,
        }
    }

    pub fn host(self) -> HostKind {
        match self {
            ClusterKind::Aurora => HostKind::Aurora,
            ClusterKind::DocumentDb => HostKind::DocumentDb,
            ClusterKind::Neptune => HostKind::Neptune,
            ClusterKind::MultiAz | ClusterKind::Other => HostKind::Rds,
        }
    }
}

/// The host kind of a DB instance, from its engine.
pub fn instance_host(engine: Option<&str>) -> HostKind {
    match engine.map(str::to_ascii_lowercase).as_deref() {
        Some(e) if e.starts_with("aurora") => HostKind::Aurora,
        Some("docdb") => HostKind::DocumentDb,
        Some("neptune") => HostKind::Neptune,
        _ => HostKind::Rds,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub kind: HostKind,
    /// The resource it resolved to in the endpoint's own region (DB instance or
    /// cluster identifier, Redshift cluster, EC2 instance id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The address classified (ServerName, or the engine setting that carries it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether the address is a publicly routable IPv4 address, decided when placed
    /// (so it survives `--redact`, which replaces the address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<bool>,
    /// How it was decided, in one phrase.
    pub basis: String,
}

impl Host {
    fn new(kind: HostKind, address: Option<&str>, basis: String) -> Host {
        Host {
            kind,
            resource: None,
            address: address.map(str::to_string),
            public_address: address.and_then(public_ipv4),
            basis,
        }
    }

    /// Before placement (collection places every endpoint once the inventory is read).
    pub fn unplaced() -> Host {
        Host::new(HostKind::Unknown, None, "not placed yet".into())
    }

    fn at(mut self, resource: &str) -> Host {
        self.resource = Some(resource.to_string());
        self
    }

    /// Whether the address is a publicly routable IPv4 literal (see [`public_ipv4`]).
    pub fn public_ip(&self) -> Option<bool> {
        self.public_address
            .or_else(|| self.address.as_deref().and_then(public_ipv4))
    }
}

/// An IPv4 literal that is publicly routable (not RFC 1918, loopback, link-local or
/// CGNAT): reachable only over the internet or a public peering. `None`: not an IP.
pub fn public_ipv4(address: &str) -> Option<bool> {
    let ip: Ipv4Addr = address.trim().parse().ok()?;
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    Some(!(ip.is_private() || ip.is_loopback() || ip.is_link_local() || shared))
}

/// A database address of the account in the endpoint's region, for exact matching.
#[derive(Debug, Clone)]
pub struct DbAddress<'a> {
    pub address: &'a str,
    pub identifier: &'a str,
    pub kind: HostKind,
}

/// What a region of the account has, to place hosts.
#[derive(Debug, Clone, Default)]
pub struct Inventory<'a> {
    pub databases: Vec<DbAddress<'a>>,
    /// EC2 instances of the region; `None` when DescribeInstances was not read.
    pub ec2: Option<Vec<&'a Ec2Instance>>,
    /// VPCs of every region of the account; `None` when DescribeVpcs was not read.
    pub vpcs: Option<Vec<&'a Vpc>>,
}

/// Engines that are AWS services addressed by API, with no host of their own.
const SERVICE_ENGINES: &[&str] = &["dynamodb", "s3", "kinesis", "timestream"];
const OTHER_CLOUD_ENGINES: &[&str] = &[
    "gcp-mysql",
    "azuredb",
    "azure-sql-managed-instance",
    "azure-postgresql",
];
/// AWS service host-name suffixes (before the region or the partition's domain).
const AWS_SERVICE_SUFFIXES: &[(&str, HostKind, &str)] = &[
    (".rds.amazonaws.com", HostKind::Rds, "an Amazon RDS address"),
    (
        ".docdb.amazonaws.com",
        HostKind::DocumentDb,
        "an Amazon DocumentDB address",
    ),
    (
        ".neptune.amazonaws.com",
        HostKind::Neptune,
        "an Amazon Neptune address",
    ),
    (
        ".redshift.amazonaws.com",
        HostKind::Redshift,
        "an Amazon Redshift address",
    ),
    (
        ".redshift-serverless.amazonaws.com",
        HostKind::Redshift,
        "an Amazon Redshift Serverless address",
    ),
    (
        ".es.amazonaws.com",
        HostKind::AwsManaged,
        "an Amazon OpenSearch Service address",
    ),
    (
        ".aoss.amazonaws.com",
        HostKind::AwsManaged,
        "an OpenSearch Serverless address",
    ),
    (
        ".cache.amazonaws.com",
        HostKind::AwsManaged,
        "an Amazon ElastiCache address",
    ),
    (
        ".memorydb.",
        HostKind::AwsManaged,
        "an Amazon MemoryDB address",
    ),
    (
        ".kafka.",
        HostKind::AwsManaged,
        "an Amazon MSK broker address",
    ),
];

fn normalise(address: &str) -> String {
    address.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn aws_suffix(name: &str) -> Option<(HostKind, &'static str)> {
    let name = name.strip_suffix(".cn").unwrap_or(name);
    AWS_SERVICE_SUFFIXES
        .iter()
        .find_map(|(suffix, kind, what)| {
            let hit = if suffix.ends_with('.') {
                name.contains(suffix) && name.ends_with(".amazonaws.com")
            } else {
                name.ends_with(suffix)
            };
            hit.then_some((*kind, *what))
        })
}

fn ec2_name(name: &str) -> bool {
    name.ends_with(".compute.internal")
        || name.ends_with(".ec2.internal")
        || (name.starts_with("ec2-")
            && (name.ends_with(".compute.amazonaws.com")
                || name.ends_with(".compute-1.amazonaws.com")
                || name.ends_with(".compute.amazonaws.com.cn")))
}

/// Parses `a.b.c.d/n`.
fn cidr(text: &str) -> Option<(u32, u32)> {
    let (ip, bits) = text.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let bits: u32 = bits.parse().ok().filter(|b| *b <= 32)?;
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    Some((u32::from(ip) & mask, mask))
}

/// Classifies an endpoint's host from its engine and address (ServerName, or the
/// engine setting that names the host: Kafka broker, OpenSearch URI). The first
/// evidence that places it wins, most specific first.
pub fn classify(engine: &str, address: Option<&str>, inv: &Inventory<'_>) -> Host {
    let engine = engine.to_ascii_lowercase();
    let address = address.map(normalise).filter(|a| !a.is_empty());
    let Some(addr) = address.as_deref() else {
        return no_address(&engine);
    };
    database_here(addr, inv)
        .or_else(|| other_cloud(&engine, addr))
        .or_else(|| ec2_instance(addr, inv))
        .or_else(|| ip_address(addr, inv))
        .or_else(|| aws_name(&engine, addr))
        .or_else(|| {
            ec2_name(addr).then(|| {
                let why = format!("{addr} is an EC2 host name; no EC2 instance of this account has it");
                Host::new(HostKind::Ec2, Some(addr), why)
            })
        })
        .unwrap_or_else(|| {
            Host::new(
                HostKind::Unverified,
                Some(addr),
                format!(
                    "{addr} matches nothing in this account: on premises, EC2 behind a private DNS zone, or a database behind a CNAME"
                ),
            )
        })
}

/// No address: an AWS service reached through its API, or unknown.
fn no_address(engine: &str) -> Host {
    if SERVICE_ENGINES.contains(&engine) {
        return Host::new(
            HostKind::AwsManaged,
            None,
            format!("engine {engine} is an AWS service reached through its API"),
        );
    }
    Host::new(
        HostKind::Unknown,
        None,
        "no server address reported (a Secrets Manager endpoint, or none given): where the database runs is unknown"
            .into(),
    )
}

/// The endpoint of a database (or store) of this account in the endpoint's region.
fn database_here(addr: &str, inv: &Inventory<'_>) -> Option<Host> {
    let db = inv
        .databases
        .iter()
        .find(|d| d.address.eq_ignore_ascii_case(addr))?;
    let why = format!(
        "address {addr} is the endpoint of {} in this account and region",
        db.identifier
    );
    Some(Host::new(db.kind, Some(addr), why).at(db.identifier))
}

fn other_cloud(engine: &str, addr: &str) -> Option<Host> {
    OTHER_CLOUD_ENGINES.contains(&engine).then(|| {
        let why = format!("engine {engine} is another cloud's managed database");
        Host::new(HostKind::OtherCloud, Some(addr), why)
    })
}

/// An IP address or DNS name of one of this account's EC2 instances.
fn ec2_instance(addr: &str, inv: &Inventory<'_>) -> Option<Host> {
    let ec2 = inv.ec2.as_deref().unwrap_or_default();
    let i = ec2.iter().find(|i| {
        let ip = i
            .private_ips
            .iter()
            .chain(&i.public_ips)
            .any(|ip| ip == addr);
        ip || i.dns_names.iter().any(|n| n.eq_ignore_ascii_case(addr))
    })?;
    let why = format!(
        "address {addr} belongs to EC2 instance {} of this account",
        i.id
    );
    Some(Host::new(HostKind::Ec2, Some(addr), why).at(&i.id))
}

/// An IPv4 address: inside one of the account's VPCs (unverified) or outside all (external).
fn ip_address(addr: &str, inv: &Inventory<'_>) -> Option<Host> {
    let ip = addr.parse::<Ipv4Addr>().ok()?;
    let Some(vpcs) = inv.vpcs.as_deref() else {
        return Some(Host::new(
            HostKind::Unverified,
            Some(addr),
            format!(
                "address {addr}: the account's VPCs could not be read, so whether it is inside AWS is unknown"
            ),
        ));
    };
    let inside = vpcs.iter().find_map(|v| {
        v.cidrs.iter().find_map(|c| {
            let (net, mask) = cidr(c)?;
            (u32::from(ip) & mask == net).then(|| format!("{} ({c})", v.id))
        })
    });
    let ec2_note = if inv.ec2.is_none() {
        " (EC2 instances could not be read)"
    } else {
        ""
    };
    Some(match inside {
        Some(vpc) => Host::new(
            HostKind::Unverified,
            Some(addr),
            format!(
                "address {addr} is inside VPC {vpc} of this account but no EC2 instance{ec2_note} holds it (another network interface, or a deleted instance)"
            ),
        ),
        None => Host::new(
            HostKind::External,
            Some(addr),
            format!(
                "address {addr} is outside every VPC CIDR of this account ({} VPC(s)): outside AWS, on premises or elsewhere",
                vpcs.len()
            ),
        ),
    })
}

/// An AWS service's host name that is not one of this account's resources here.
fn aws_name(engine: &str, addr: &str) -> Option<Host> {
    let (kind, what) = aws_suffix(addr)?;
    let aurora = addr.contains(".cluster-") || engine.starts_with("aurora");
    let kind = if kind == HostKind::Rds && aurora {
        HostKind::Aurora
    } else {
        kind
    };
    Some(Host::new(
        kind,
        Some(addr),
        format!(
            "{addr} is {what}, not one of this account's resources in the endpoint's region (another account or region, or deleted)"
        ),
    ))
}

/// HOST(endpoint) for every endpoint, from its region's databases, Redshift stores
/// and EC2 instances and the VPCs of every region read. `ec2_read[i]` says whether
/// region `regions[i]` answered DescribeInstances and DescribeVpcs.
pub fn place_endpoints(facts: &mut Facts, regions: &[String], ec2_read: &[(bool, bool)]) {
    let vpcs_read = ec2_read.iter().all(|(_, v)| *v);
    let mut hosts = Vec::with_capacity(facts.endpoints.len());
    for e in &facts.endpoints {
        let mut databases: Vec<DbAddress<'_>> = Vec::new();
        for db in facts.rds_instances.iter().filter(|d| d.region == e.region) {
            if let Some(address) = db.address.as_deref() {
                databases.push(DbAddress {
                    address,
                    identifier: &db.identifier,
                    kind: instance_host(db.engine.as_deref()),
                });
            }
        }
        for c in facts.rds_clusters.iter().filter(|c| c.region == e.region) {
            for address in [c.endpoint.as_deref(), c.reader_endpoint.as_deref()]
                .into_iter()
                .flatten()
            {
                databases.push(DbAddress {
                    address,
                    identifier: &c.identifier,
                    kind: c.kind().host(),
                });
            }
        }
        for s in facts.target_stores.iter().filter(|s| s.region == e.region) {
            if matches!(
                s.kind,
                super::StoreKind::RedshiftCluster | super::StoreKind::RedshiftServerless
            ) {
                for address in &s.addresses {
                    databases.push(DbAddress {
                        address,
                        identifier: &s.name,
                        kind: HostKind::Redshift,
                    });
                }
            }
        }
        let region_read = regions
            .iter()
            .position(|r| *r == e.region)
            .and_then(|i| ec2_read.get(i))
            .is_some_and(|(i, _)| *i);
        let inventory = Inventory {
            databases,
            ec2: region_read.then(|| {
                facts
                    .ec2_instances
                    .iter()
                    .filter(|i| i.region == e.region)
                    .collect()
            }),
            vpcs: vpcs_read.then(|| facts.vpcs.iter().collect()),
        };
        let address = address(e.server_name.as_deref(), &e.settings);
        let then = past_identities(e)
            .into_iter()
            .map(|(engine, server_name)| {
                let address = self::address(server_name.as_deref(), &e.settings);
                super::HostThen {
                    host: classify(&engine, address.as_deref(), &inventory),
                    engine,
                    server_name,
                }
            })
            .collect::<Vec<_>>();
        hosts.push((classify(&e.engine, address.as_deref(), &inventory), then));
    }
    for (e, (h, then)) in facts.endpoints.iter_mut().zip(hosts) {
        e.host = h;
        e.hosts_then = then;
    }
}

/// Every engine and server name pair an endpoint's CloudTrail history shows it may have
/// had (CreateEndpoint, ModifyEndpoint), other than today's: the hosts placed besides
/// today's, for judging it as it was while a migration ran ([`super::HostThen`]).
pub fn past_identities(e: &Endpoint) -> Vec<(String, Option<String>)> {
    if e.history.iter().all(|h| h.name != "ModifyEndpoint") {
        return Vec::new();
    }
    let set = || {
        e.history
            .iter()
            .filter(|h| matches!(h.name.as_str(), "CreateEndpoint" | "ModifyEndpoint"))
    };
    let mut engines: Vec<String> = set()
        .filter_map(|h| h.request.get("EngineName")?.as_str())
        .map(str::to_ascii_lowercase)
        .chain([e.engine.clone()])
        .collect();
    let mut servers: Vec<Option<String>> = set()
        .filter_map(|h| h.request.get("ServerName"))
        .map(|v| v.as_str().map(str::to_string))
        .chain([e.server_name.clone()])
        .collect();
    engines.sort();
    engines.dedup();
    servers.sort();
    servers.dedup();
    let mut out = Vec::new();
    for engine in &engines {
        for server in &servers {
            if (engine, server) != (&e.engine, &e.server_name) {
                out.push((engine.clone(), server.clone()));
            }
        }
    }
    out
}

/// The address an endpoint connects to: `ServerName`, else the engine setting that
/// carries it (`*Settings.ServerName`, `KafkaSettings.Broker`,
/// `ElasticsearchSettings.EndpointUri`). `None` for Secrets Manager endpoints.
pub fn address(
    server_name: Option<&str>,
    settings: &std::collections::BTreeMap<String, Value>,
) -> Option<String> {
    let text = |object: &str, key: &str| {
        settings
            .get(object)
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(s) = server_name.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(s.to_string());
    }
    if let Some(s) = settings
        .keys()
        .find_map(|object| text(object, "ServerName"))
    {
        return Some(s);
    }
    if let Some(broker) = text("KafkaSettings", "Broker") {
        let first = broker.split(',').next().unwrap_or_default().trim();
        let host = first.rsplit_once(':').map_or(first, |(h, _)| h);
        return Some(host.to_string()).filter(|h| !h.is_empty());
    }
    text("ElasticsearchSettings", "EndpointUri").map(|uri| uri_host(&uri).to_string())
}

/// The host of a URI (`https://search-x.es.amazonaws.com:443/` → `search-x.es.amazonaws.com`).
pub fn uri_host(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    host.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
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
        "elasticsearch" | "opensearch" => "opensearch",
        "oracle" => "oracle",
        "sybase" => "sybase",
        other => other,
    };
    fam.to_string()
}

/// The SslMode values DMS supports for an engine (DMS User Guide, "Using SSL with
/// AWS DMS", table of SSL modes per engine). `None`: the engine does not take an
/// SslMode; its in-flight encryption is judged by [`crate::facts::in_flight`].
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
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn vpc(id: &str, cidr: &str) -> Vpc {
        Vpc {
            region: "us-east-1".into(),
            id: id.into(),
            cidrs: vec![cidr.into()],
            sources: vec![],
        }
    }

    /// (engine, address, HOST kind, the resource it is placed on).
    const CLASSIFICATIONS: &[(&str, Option<&str>, HostKind, Option<&str>)] = {
        use HostKind::*;
        &[
            (
                "postgres",
                Some("orders.abc.us-west-2.rds.amazonaws.com"),
                Rds,
                Some("orders"),
            ),
            (
                "aurora-postgresql",
                Some("ERP.cluster-x.us-east-1.rds.amazonaws.com."),
                Aurora,
                Some("erp"),
            ),
            (
                "aurora",
                Some("crm.cluster-abc.us-east-1.rds.amazonaws.com"),
                Aurora,
                None,
            ),
            (
                "mysql",
                Some("db.xyz.eu-west-1.rds.amazonaws.com"),
                Rds,
                None,
            ),
            (
                "docdb",
                Some("d.cluster-1.us-east-1.docdb.amazonaws.com"),
                DocumentDb,
                None,
            ),
            (
                "redshift",
                Some("a.b.us-east-2.redshift.amazonaws.com"),
                Redshift,
                None,
            ),
            ("mysql", Some("10.20.1.15"), Ec2, Some("i-0abc")),
            (
                "mysql",
                Some("ip-10-20-1-15.ec2.internal"),
                Ec2,
                Some("i-0abc"),
            ),
            (
                "mysql",
                Some("ip-10-30-1-15.eu-west-1.compute.internal"),
                Ec2,
                None,
            ),
            (
                "mysql",
                Some("ec2-3-4-5-6.compute-1.amazonaws.com"),
                Ec2,
                None,
            ),
            ("mysql", Some("10.20.9.9"), Unverified, None),
            ("oracle", Some("10.1.2.3"), External, None),
            ("oracle", Some("203.0.113.7"), External, None),
            ("oracle", Some("oradb01.corp.example.com"), Unverified, None),
            ("s3", None, AwsManaged, None),
            ("dynamodb", None, AwsManaged, None),
            ("gcp-mysql", Some("10.0.0.5"), OtherCloud, None),
            ("azuredb", Some("x.database.windows.net"), OtherCloud, None),
            ("postgres", None, Unknown, None),
            ("postgres", Some("  "), Unknown, None),
            (
                "kafka",
                Some("b-1.msk.abc.c2.kafka.us-east-1.amazonaws.com"),
                AwsManaged,
                None,
            ),
        ]
    };

    #[test]
    fn classification_table() {
        let vpcs = [vpc("vpc-1", "10.20.0.0/16")];
        let ec2 = [Ec2Instance {
            region: "us-east-1".into(),
            id: "i-0abc".into(),
            private_ips: vec!["10.20.1.15".into()],
            dns_names: vec!["ip-10-20-1-15.ec2.internal".into()],
            ..Ec2Instance::default()
        }];
        let inv = Inventory {
            databases: vec![
                DbAddress {
                    address: "orders.abc.us-west-2.rds.amazonaws.com",
                    identifier: "orders",
                    kind: HostKind::Rds,
                },
                DbAddress {
                    address: "erp.cluster-x.us-east-1.rds.amazonaws.com",
                    identifier: "erp",
                    kind: HostKind::Aurora,
                },
            ],
            ec2: Some(ec2.iter().collect()),
            vpcs: Some(vpcs.iter().collect()),
        };
        for &(engine, server, kind, resource) in CLASSIFICATIONS {
            let h = classify(engine, server, &inv);
            assert_eq!(
                (h.kind, h.resource.as_deref()),
                (kind, resource),
                "{engine} {server:?}: {}",
                h.basis
            );
        }
    }

    #[test]
    fn an_ip_is_never_outside_aws_without_the_vpcs() {
        let h = classify("oracle", Some("203.0.113.7"), &Inventory::default());
        assert_eq!(h.kind, HostKind::Unverified, "{}", h.basis);
    }

    #[test]
    fn public_addresses() {
        for (addr, public) in [
            ("203.0.113.7", Some(true)),
            ("10.1.2.3", Some(false)),
            ("192.168.0.1", Some(false)),
            ("100.64.0.1", Some(false)),
            ("db.example.com", None),
        ] {
            let h = Host::new(HostKind::External, Some(addr), String::new());
            assert_eq!(h.public_ip(), public, "{addr}");
        }
    }

    #[test]
    fn cluster_kinds() {
        for (engine, kind) in [
            (Some("aurora-postgresql"), ClusterKind::Aurora),
            (Some("aurora-mysql"), ClusterKind::Aurora),
            (Some("mysql"), ClusterKind::MultiAz),
            (Some("postgres"), ClusterKind::MultiAz),
            (Some("docdb"), ClusterKind::DocumentDb),
            (Some("neptune"), ClusterKind::Neptune),
            (None, ClusterKind::Other),
        ] {
            assert_eq!(ClusterKind::of(engine), kind, "{engine:?}");
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
        for engine in ["redshift", "s3", "dynamodb", "kinesis", "kafka"] {
            assert_eq!(ssl_modes(engine), None, "{engine}");
        }
    }

    #[test]
    fn uri_hosts() {
        for (uri, host) in [
            (
                "https://search-x.us-east-1.es.amazonaws.com",
                "search-x.us-east-1.es.amazonaws.com",
            ),
            (
                "https://search-x.es.amazonaws.com:443/",
                "search-x.es.amazonaws.com",
            ),
            ("search-y.es.amazonaws.com", "search-y.es.amazonaws.com"),
            ("http://10.0.0.1:9200/path?q", "10.0.0.1"),
        ] {
            assert_eq!(uri_host(uri), host, "{uri}");
        }
    }

    #[test]
    fn addresses() {
        let settings = |v: Value| -> BTreeMap<String, Value> {
            v.as_object().unwrap().clone().into_iter().collect()
        };
        assert_eq!(
            address(Some(" db.x "), &BTreeMap::new()).as_deref(),
            Some("db.x")
        );
        assert_eq!(address(None, &BTreeMap::new()), None);
        assert_eq!(
            address(
                None,
                &settings(json!({"MySQLSettings": {"ServerName": "m.example"}}))
            )
            .as_deref(),
            Some("m.example")
        );
        assert_eq!(
            address(None, &settings(json!({"KafkaSettings": {"Broker": "b-1.kafka.us-east-1.amazonaws.com:9092,b-2:9092"}})))
                .as_deref(),
            Some("b-1.kafka.us-east-1.amazonaws.com")
        );
        assert_eq!(
            address(None, &settings(json!({"ElasticsearchSettings": {"EndpointUri": "https://s.es.amazonaws.com:443"}})))
                .as_deref(),
            Some("s.es.amazonaws.com")
        );
    }
}
