//! The checklist page (docs/checklist.md), generated from the checklist data and each
//! rule's own [`RuleDoc`] and remediation, as ruff generates its rule pages: the page
//! cannot drift from what the rules do. `DMS_EVIDENCE_BLESS=1 cargo test page` rewrites it.

use std::fmt::Write as _;

use super::checklist::Checklist;
use super::rules::{Item, RuleDoc};

const INTRO: &str = "\
# The checklist items

<!-- Generated from policies/checklist-dms-2018.toml and the rules' own text (src/evaluate/page.rs):
     edit those, then run `DMS_EVIDENCE_BLESS=1 cargo test page`. -->

Every bullet of the AWS DMS Consulting Partner Validation Checklist (v1.0, May 2018) is
one item of `policies/checklist-dms-2018.toml`, evaluated by the rule it names. Verdicts:
`met`, `not_met`, `insufficient_evidence` (missing, deleted, expired or denied data — never
`met`), `not_applicable`, `attestation_required`, `attested` (a statement or attachment was
supplied and hashed; a reviewer still judges it). Kinds: A automated, P partly automated,
H attestation. A `met` or `attested` finding always cites the evidence it rests on: the
evaluator refuses one without.

Section 2.1 asks for at least one deployment and one workload pattern: its items carry a
`group` in the data file and are alternatives; the summary (`summary.groups`,
`summary.blockers`, `summary.ready`) judges each group as a whole. A case study is ready (exit
code 0) only when every item outside a group is met, attested or not applicable and every group
has a met or attested item; `summary.blockers` lists everything else with its reason.

## Moved data

Only migrations that **moved data** count towards `met`: a task or serverless replication
with rows loaded or changes applied on the target, measured by its table statistics
(`FullLoadRows`, and `Inserts` + `Updates` + `Deletes` in tables not in an error state, each
table counted once), by the task statistics' `TablesLoaded` when no table statistics are on
record, or by CloudWatch `FullLoadThroughputRowsTarget` / `CDCThroughputRowsTarget` above zero
(DMS User Guide, \"Replication task metrics\"; DMS API Reference, `TableStatistics` and
`ReplicationTaskStats`). A run that started and moved nothing (failed, stopped before loading a
row, every table in error) is named in the reasons as \"started, moved nothing (status, stop
reason, last failure, errored tables, the zero counts)\", and a task that was only created as
\"never started\"; both count only against: a bad setting, or one not on record, is held
against the item whether or not the task moved data, and nothing they show is a positive.

**CDC** means changes applied, not changes waiting: `CDCIncomingChanges` is the number of
change events waiting to be applied (during a full load, the cached changes), and
`CDCThroughputRowsSource` counts changes read; neither is evidence that ongoing replication
applied a change. A stop reason that ends a run before CDC (`FULL_LOAD_ONLY_FINISHED`,
`STOPPED_AFTER_FULL_LOAD`, `STOPPED_AFTER_CACHED_EVENTS`) disproves that run's changes. An
assessment run passes only with `Status` `passed`.

## After cut-over

Customers delete a migration's task, endpoints and replication instance once it is over. AWS
keeps the proof for a while, and the tool reads it: CloudTrail event history (90 days, no
trail needed) holds every Create, Modify, Start, Stop and Delete call with its parameters, so
the deleted resources are rebuilt from it (`deleted_at`, \"deleted on …, from CloudTrail event
…\"); CloudWatch keeps the task's metrics 455 days (queried by the resource id CloudTrail
names, which ListMetrics no longer lists after 14 days); the `dms-tasks-*` log groups keep the
task's log for their retention while they exist (whether DMS deletes a group with its instance
is not settled by an AWS reference we have: collect before deleting the instance). Settings are judged as they were while the migration ran (an endpoint plaintext
during the run is `not_met` even if it was made verify-full later, or deleted; a task's logging,
LOB and tuning settings, and its table mappings (parallel-load, schema renames), are those its
CreateReplicationTask and ModifyReplicationTask calls had set when it ran, so turning them on
afterwards proves nothing; where versions differed during a run only what they share counts, and
each version counts against a limit; a run with no dates on record is held to what every version
since the task's creation shares). A replication instance's
PubliclyAccessible and KmsKeyId, and an endpoint's KmsKeyId, cannot be modified (DMS API
Reference: ModifyReplicationInstance and ModifyEndpoint have no such member), so today's values
are those it ran with. A target database or store created again under its name after the run
began (an RDS database restored from an encrypted snapshot copy, as AWS advises for encrypting
one; a Redshift cluster deleted and created encrypted; an OpenSearch domain created again) is
not the one the run wrote to: its own creation time (InstanceCreateTime, ClusterCreateTime,
StreamCreationTimestamp) or a CloudTrail CreateDomain after the run began makes its encryption
at rest `insufficient_evidence`; so does a store whose encryption can be switched on (Redshift
cluster, Kinesis stream, OpenSearch domain) that belongs to another account, as a Kinesis stream
DMS writes to by ARN can (its switches are in that account's CloudTrail). Known limit: CloudTrail delivers an event minutes after its call
(CloudTrail User Guide: typically about 5 minutes, not guaranteed), so a switch made in the
minutes before collection may not be in the history yet; collect again later if a store was
just encrypted. What an endpoint connected to can be changed (ModifyEndpoint:
EngineName, ServerName, Port, DatabaseName), so a migration is judged against the engine and
database its endpoints had while it ran: an endpoint re-pointed after cut-over to a larger,
encrypted or other-engine database proves nothing about what was migrated (the reason says
\"its target … had EngineName …, ServerName … (set by CloudTrail CreateEndpoint …; … since)\",
and the earlier database is placed and measured as today's is). When what it had then is not on
record (the history begins after the run, the change fell inside the run, or a run with no
dates on record and a change since the task's creation), the endpoint is left out and the items
resting on it are `insufficient_evidence` with that reason. Engine settings (KafkaSettings
SecurityProtocol, S3Settings BucketName, OracleSettings, …) that a ModifyEndpoint set after the
run began are left out of the endpoint as it ran, whatever they are today (ModifyEndpoint merges
a settings object member by member, or replaces them all with ExactSettings). A task created
and deleted without ever starting proves nothing. DMS Serverless replications are rebuilt the
same way (from DeleteReplicationConfig's answer, their runs dated by StartReplication and
StopReplication). A serverless configuration can be modified only before its replication first
starts or after a run that failed (DMS API Reference, ModifyReplicationConfig): one modified
after its last run is judged with the endpoints, replication type and settings it ran with
(\"its target was … while it ran (set by CloudTrail CreateReplicationConfig …; re-pointed since
by …)\"), and what its events do not show is left out. **Collect within 90 days of cut-over**, or
name the trail that logged the account: with `[trail]` in the case study (its bucket, prefix and
a first day), its log files in S3 are read back to that day (`s3:ListBucket` and `s3:GetObject`
on that bucket, an optional permission) and join event history without a gap, so a migration
deleted months ago is judged from the same records; a span after the trail stopped logging
(StopLogging or DeleteTrail with no record after it until StartLogging) is not taken as read,
and the history begins after it. The log files count only as CloudTrail's signed digest files
show them (log file validation on the trail; `cloudtrail:ListPublicKeys`): a file changed or
deleted after delivery, or a broken digest chain, drops the trail read with a gap, and a trail
without validation is read only when the case study says `validation = \"off\"`, which the
bundle records. With `cloudtrail:LookupEvents` denied and no trail, a deleted
migration is `insufficient_evidence` naming it. The same holds for a task or endpoint that
still exists: what it ran with is on record only as far back as the history reaches, so a run
that started before the history begins (or in a region whose history was not read) is not judged
on today's endpoints and settings, which may have been changed between the run and the history's
beginning; its endpoints are left out and its task settings unknown (\"CloudTrail history in …
begins …, after it started …: a change made before then would not show\"; its start is the
earliest of its run's dates and of its own series' first datapoint showing data moved), unless
the resource's creation is on record. Where an AWS Config recorder records `AWS::DMS::Endpoint`
(`config:ListDiscoveredResources`, `config:GetResourceConfigHistory`), its configuration items
settle what such an endpoint (or one whose value before its first CloudTrail change is not on
record) connected to and its SslMode while the run went (\"as AWS Config recorded it: AWS Config
item captured …\"), but only where nothing can have slipped between them: the run's span is
dated (it runs, or AWS gives its stop date; from its first start to the last hour its own series
show it active); the item in force when it began and every item captured up to a day after it
ended (AWS documents no bound on the capture's delay) agree; every item since that first one was
recorded `CONTINUOUS` (a daily item misses a change undone within the day) and none says the type
went unrecorded; every recorder recording endpoints last started
(DescribeConfigurationRecorderStatus) at or before that first item, did not stop before the
run's end and records endpoints continuously today; CloudTrail shows no ModifyEndpoint of it
around the run; and a live endpoint whose members (and the settings members the checks read)
differ today from the last item then is not trusted either. The engine settings objects
(KafkaSettings, RedisSettings, ElasticsearchSettings …) are those the items hold, not today's,
and where it connected is placed anew when its engine or address was not today's. Otherwise the reason adds why \"AWS Config
cannot say either\". Config keeps no task settings, so those stay unknown: of DMS it records
only endpoints, certificates, subnet groups and event subscriptions (botocore `config`
ResourceType: `AWS::DMS::Endpoint`, `Certificate`, `ReplicationSubnetGroup`,
`EventSubscription`), no replication instance or task. Each item's \"after deletion\" row below
says what can still prove it, from which source and until when. Config keeps an
item until the state it records is older than the region's retention
(`config:DescribeRetentionConfigurations`; 2557 days by default, as few as 30), which dates the
endpoint's expiry. **Keep a recorder recording DMS endpoints continuously**, or a trail, for
case studies older than 90 days. Checks
that must not miss a need (the role logging needs) still count today's settings. Its table mappings are unknown too, and so is its replication
instance's engine version (dms.1.0.arch.engine-ver) unless the instance's creation is on
record; an instance a ModifyReplicationInstance set EngineVersion on after its first run began
ran another version than today's, which is not on record either (so does one set up to a week
before it without ApplyImmediately: the weekly maintenance window may have applied it during
the run), and unless the instance's creation is on record, CloudTrail history must reach a
week before the run for such a change to show. Nor is a version released
(DescribeEngineVersions LaunchDate) after the first run began: an automatic minor upgrade
(AutoMinorVersionUpgrade, on by default) leaves no such event, and an older one to a version
already out is not seen. An undated run counts every change, and every release, since its
task was created. A task's migration type is the one it ran with: CreateReplicationTask and each
ModifyReplicationTask that set MigrationType, in order (a later change does not rewrite it;
\"its migration type was … while it ran (set by CloudTrail …)\"); where they do not show it,
or the run began before the history and the task's creation is not on record, it is not on
record, and items about CDC are `insufficient_evidence` for it (its counters cannot say: the
cached changes a full load applies count in them too). Bundles collected before CloudTrail history was read (0.1.0: no history
read and no gap for it) are judged, as then, on what they show. Cost Explorer's monthly DMS usage (13 months
back, `ce:GetCostAndUsage`, an optional permission) shows the months an instance was billed,
named in pre.2.1.dates as supporting evidence: billing shows an instance ran, not what it
moved, so it decides no item.

Databases, metrics and instances are looked up in the endpoint's own region, and hosts are
placed from evidence (see [evidence.md](evidence.md#host)). Section 2.2 items report observed
values with their source, beside the partner's anticipated figures
(`statements.anticipated_*`).
";

const PEER_CHECKS: &str = "\
## Supplementary peer checks

Reported beside the items (`evaluation.peer_checks`), per resource, with the peers' known
mistakes fixed: DMS.1 (public instance, judged on PubliclyAccessible whatever the security
groups), DMS.6 (auto minor version upgrade), DMS.13 (Multi-AZ), DMS.7/DMS.8 (task logging of
TARGET_APPLY/TARGET_LOAD and SOURCE_CAPTURE/SOURCE_UNLOAD at DEFAULT, DEBUG or DETAILED_DEBUG),
DMS.9 (the engine's own in-flight setting: an SslMode the engine supports, Kafka
SecurityProtocol, Redis SslSecurityProtocol, OpenSearch https; not applicable where the service
documents TLS, unknown where DMS documents nothing), DMS.10 (Neptune IAM auth), DMS.11 (MongoDB
AuthType; DocumentDB's DocDbSettings user), DMS.12 (Redis TLS), DMS.2–DMS.5 (required tag keys on
certificates, event subscriptions, instances and subnet groups, from `[peer].required_tag_keys`),
certificate expiry, and customer-managed KMS keys for replication instances and S3 endpoints
(EncryptionMode SSE_KMS with a key whose KeyManager is CUSTOMER).
";

/// The whole page for a checklist.
pub fn checklist_page(checklist: &Checklist) -> String {
    let mut out = String::from(INTRO);
    for item in &checklist.items {
        out.push('\n');
        out.push_str(&item_section(item));
    }
    out.push('\n');
    out.push_str(PEER_CHECKS);
    out
}

/// One item's section: the checklist's words, then what its rule needs and reads.
fn item_section(item: &Item) -> String {
    let doc: &RuleDoc = &item.rule.doc;
    let mut s = String::new();
    let _ = writeln!(s, "## {}\n\n> {}\n", item.id, item.text);
    let _ = writeln!(s, "| | |\n|---|---|");
    let row = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "| {k} | {} |", v.replace('|', "\\|"));
    };
    row(&mut s, "section", &item.section);
    row(&mut s, "kind", item.kind.as_str());
    row(&mut s, "rule", &format!("`{}`", item.rule.name));
    row(&mut s, "met requires", &fill(doc.met, item));
    row(&mut s, "parameters", &parameters(item));
    row(&mut s, "checked", &fill(doc.checked, item));
    row(&mut s, "evidence", &fill(doc.evidence, item));
    row(&mut s, "verdicts", &fill(doc.verdicts, item));
    row(&mut s, "after deletion", &fill(doc.after_deletion, item));
    if !item.rule.remediation.is_empty() {
        let _ = writeln!(s, "\n**Remediation.** {}", item.rule.remediation);
    }
    s
}

/// The item's parameters as the data file gives them, statements last.
fn parameters(item: &Item) -> String {
    let mut parts: Vec<String> = item
        .raw_params
        .iter()
        .map(|(k, v)| format!("`{k}` = {v}"))
        .collect();
    if !item.statements.is_empty() {
        parts.push(format!("`statements` = {:?}", item.statements));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// The sources that outlive a migration's DMS resources, as the rules' `after_deletion`
/// names them.
const SOURCES_AFTER_DELETION: &[(&str, &str)] = &[
    (
        "{trail}",
        "CloudTrail (event history: until 90 days after the first event used; a `[trail]`: as long as its bucket keeps the log files)",
    ),
    (
        "{series}",
        "CloudWatch (hourly datapoints 455 days; found through the task and instance identifiers CloudTrail names)",
    ),
    (
        "{config}",
        "AWS Config (where a recorder recorded the endpoint continuously; kept for the region's retention, 7 years by default)",
    ),
];

/// A rule's text for one item: `{statements}`, the sources and `{<param>}` filled in.
fn fill(text: &str, item: &Item) -> String {
    let mut out = text.replace("{statements}", &statements(item));
    for (name, source) in SOURCES_AFTER_DELETION {
        out = out.replace(name, source);
    }
    for (key, value) in &item.raw_params {
        let shown = match value {
            toml::Value::Integer(n) if key.ends_with("_bytes") => {
                format!("{} GB", *n as f64 / 1e9)
            }
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out = out.replace(&format!("{{{key}}}"), &shown);
    }
    out
}

fn statements(item: &Item) -> String {
    if item.statements.is_empty() {
        return "a statement".into();
    }
    item.statements
        .iter()
        .map(|k| format!("`statements.{k}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "docs/checklist.md";

    /// The committed page is the generated one; `DMS_EVIDENCE_BLESS=1` rewrites it.
    #[test]
    fn the_checklist_page_is_generated_from_the_rules() {
        let generated = checklist_page(&super::super::checklist::load_default());
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE);
        if std::env::var_os("DMS_EVIDENCE_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write docs/checklist.md");
        }
        let committed = std::fs::read_to_string(&path).expect("docs/checklist.md");
        assert!(
            committed == generated,
            "{PAGE} differs from what the rules and the checklist data say: run \
             `DMS_EVIDENCE_BLESS=1 cargo test page` and commit the page"
        );
    }

    /// Every rule says what still proves it after deletion: the page shows it per item.
    #[test]
    fn every_rule_says_what_proves_it_after_deletion() {
        for item in super::super::checklist::load_default().items {
            let text = item.rule.doc.after_deletion;
            assert!(text.len() > 10, "{}: no after_deletion", item.id);
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let page = checklist_page(&super::super::checklist::load_default());
        for line in page.lines().filter(|l| l.starts_with("| ")) {
            assert!(
                !line.contains('{') || line.contains("{}"),
                "unfilled placeholder: {line}"
            );
        }
    }
}
