//! `encryption_at_rest`: dms.1.0.sec.at-rest, "Using encryption keys for at-rest security during migrations".

use super::{describe_key, target_at_rest};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Tally, no_migrations, params::NoParams,
};
use crate::evaluate::view::Migration;
use std::collections::BTreeSet;

/// The `encryption_at_rest` rule.
pub struct EncryptionAtRest;

impl Check for EncryptionAtRest {
    const NAME: &'static str = "encryption_at_rest";
    const REMEDIATION: &'static str = "Encrypt the target (RDS/Aurora StorageEncrypted, Redshift/S3 EncryptionMode); prefer a customer-managed KMS key with rotation.";
    const DOC: RuleDoc = RuleDoc {
        met: "every target of a migration that moved data encrypted as its own service reports it (RDS/Aurora StorageEncrypted or sse-rds, Redshift cluster Encrypted, S3 bucket encryption, DynamoDB SSE, OpenSearch, Kinesis); no target of a migration that moved no data unencrypted or unknown",
        checked: "Every migration target is encrypted (RDS/Aurora StorageEncrypted, Redshift/S3 EncryptionMode); the key's manager and rotation are reported. DMS storage is always encrypted.",
        evidence: "DescribeDBInstances/Clusters (and their creation times), endpoint settings, DescribeKey, GetKeyRotationStatus; for Redshift clusters, Kinesis streams and OpenSearch domains, CloudTrail LookupEvents of the calls that switch encryption on after creation (and CreateDomain/CreateElasticsearchDomain)",
        verdicts: "met / not_met; insufficient_evidence when the target's encryption is not visible; when the database or store was created after the run began (InstanceCreateTime, ClusterCreateTime, StreamCreationTimestamp: created again under its name, not what the run wrote to); or, for a store whose encryption can be switched on after creation, not on record while the run wrote to it (switched on or created again since, CloudTrail event history not reaching the run, or a store of another account, whose switches are in that account's CloudTrail)",
        after_deletion: "the target database or store while it exists and was there when the run wrote to it (its creation time; switches in CloudTrail event history, 90 days); the instance's KMS key from {trail}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut t = Tally::new();
        let mut keys = BTreeSet::new();
        for m in &input.migrations {
            judge(input, m, &mut t, &mut keys);
        }
        // Migrations that moved no data count only against: an unencrypted target, or
        // one whose encryption is not on record.
        let mut against = Tally::new();
        for m in &input.unproven {
            judge(input, m, &mut against, &mut BTreeSet::new());
        }
        t.absorb_against(against, "(moved no data)");
        for (region, key) in &keys {
            if let Some(k) = input.facts.key(region, key) {
                let pointer = format!("kms_keys/{}", k.arn.as_deref().unwrap_or(&k.reference));
                t.cite(pointer, &k.sources);
            }
        }
        let storage = replication_storage(input);
        let tail = if storage.is_empty() {
            String::new()
        } else {
            format!("; replication storage: {}", storage.join(", "))
        };
        t.conclude("; ", &format!("{tail}{}", input.unproven_note()))
    }
}

/// The target of a migration that moved data: its store's own encryption state.
fn judge<'a>(
    input: &Input<'a>,
    m: &Migration<'a>,
    t: &mut Tally,
    keys: &mut BTreeSet<(String, String)>,
) {
    let Some(target) = m.target.as_deref() else {
        t.unknown.push(
            m.unknown_endpoint("target")
                .unwrap_or_else(|| format!("{}: target endpoint not found", m.id)),
        );
        return;
    };
    t.cite(format!("endpoints/{}", target.arn), &target.sources);
    let states = target_at_rest(input, m, target);
    if states.is_empty() {
        let gap = input
            .gap_note(&[
                "rds:DescribeDBInstances",
                "rds:DescribeDBClusters",
                "redshift:DescribeClusters",
                "redshift-serverless:ListNamespaces",
                "s3:GetEncryptionConfiguration",
                "dynamodb:DescribeTable",
                "es:DescribeDomains",
                "kinesis:DescribeStreamSummary",
            ])
            .map(|g| format!("; {g}"))
            .unwrap_or_default();
        t.unknown.push(format!(
            "{} target {} ({} on {}): the store's own encryption state is not on record{gap}",
            m.id,
            target.identifier,
            target.engine,
            target.host.kind.as_str()
        ));
        return;
    }
    for (encrypted, how, key, pointer, sources) in states {
        t.cite(pointer, &sources);
        match encrypted {
            Some(true) => {
                let key_text = key
                    .as_deref()
                    .map(|k| describe_key(input, &target.region, k, keys))
                    .unwrap_or_default();
                t.good.push(format!("{} target {how}{key_text}", m.id));
            }
            Some(false) => t.bad.push(format!("{} target {how}", m.id)),
            None => t.unknown.push(format!("{} target {how}", m.id)),
        }
    }
}

/// The replication instances' storage keys, described (informational).
fn replication_storage(input: &Input<'_>) -> Vec<String> {
    input
        .migrations
        .iter()
        .filter_map(|m| m.instance)
        .filter_map(|i| {
            let key = i.kms_key_id.as_deref()?;
            let described = describe_key(input, &i.region, key, &mut BTreeSet::new());
            Some(format!("{} storage{described}", i.identifier))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn encryption_at_rest_of_the_target() {
        // The run began 2026-10-01; `created` is the database's InstanceCreateTime.
        let unknown = Verdict::InsufficientEvidence;
        for (resource, encrypted, created, want) in [
            (Some("db"), Some(true), None, Verdict::Met),
            (Some("db"), Some(false), None, Verdict::NotMet),
            (Some("db"), None, None, unknown),
            (None, None, None, unknown),
            (
                Some("db"),
                Some(true),
                Some("2026-09-01T00:00:00Z"),
                Verdict::Met,
            ),
            // Restored from an encrypted snapshot copy under the old name after the run.
            (
                Some("db"),
                Some(true),
                Some("2026-11-01T00:00:00Z"),
                unknown,
            ),
            (
                Some("db"),
                Some(false),
                Some("2026-11-01T00:00:00Z"),
                unknown,
            ),
        ] {
            let mut tgt = endpoint(
                "t",
                "target",
                "postgres",
                if resource.is_some() {
                    HostKind::Rds
                } else {
                    HostKind::External
                },
                None,
            );
            tgt.host.resource = resource.map(str::to_string);
            let mut ev = evidence(
                endpoint("s", "source", "postgres", HostKind::External, None),
                tgt,
            );
            ev.facts.rds_instances = vec![DbInstance {
                region: "us-east-1".into(),
                identifier: "db".into(),
                storage_encrypted: encrypted,
                created: created.map(Into::into),
                ..DbInstance::default()
            }];
            let f = run(&ev, "dms.1.0.sec.at-rest");
            assert_eq!(f.verdict, want, "{resource:?} {encrypted:?} {created:?}");
            if want == unknown && created.is_some() {
                assert!(f.reason.contains("after t1's run began"), "{}", f.reason);
            }
        }
        // A reload resets the run's dates: a database restored encrypted after the task was
        // created, and before the reload it shows, is not known to be what it first wrote to.
        let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, None);
        tgt.host.resource = Some("db".into());
        let mut ev = evidence(
            endpoint("s", "source", "postgres", HostKind::External, None),
            tgt,
        );
        ev.facts.tasks[0].created = Some("2026-09-01T00:00:00Z".into());
        ev.facts.rds_instances = vec![DbInstance {
            region: "us-east-1".into(),
            identifier: "db".into(),
            storage_encrypted: Some(true),
            created: Some("2026-09-15T00:00:00Z".into()),
            ..DbInstance::default()
        }];
        let f = run(&ev, "dms.1.0.sec.at-rest");
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
    }

    #[test]
    fn a_same_named_database_in_another_region_is_not_judged() {
        let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, None);
        tgt.host.resource = Some("db".into());
        let mut ev = evidence(
            endpoint("s", "source", "postgres", HostKind::External, None),
            tgt,
        );
        let db = |region: &str, encrypted: bool| DbInstance {
            region: region.into(),
            identifier: "db".into(),
            storage_encrypted: Some(encrypted),
            allocated_storage_gb: Some(100),
            ..DbInstance::default()
        };
        // The encrypted, large one is in us-west-2; the target (us-east-1) is neither.
        ev.facts.rds_instances = vec![db("us-west-2", true), db("us-east-1", false)];
        let mut far = series(
            "AWS/RDS",
            "FreeStorageSpace",
            "DBInstanceIdentifier",
            "db",
            &[1e9, 1e9],
        );
        far.region = "us-west-2".into();
        ev.facts.metrics = vec![far];
        assert_eq!(run(&ev, "dms.1.0.sec.at-rest").verdict, Verdict::NotMet);
        let size = run(&ev, "dms.1.0.size");
        assert_eq!(
            size.verdict,
            Verdict::InsufficientEvidence,
            "{}",
            size.reason
        );
    }

    #[test]
    fn redshift_at_rest_comes_from_the_cluster_not_the_staging_files() {
        let mut tgt = endpoint("t", "target", "redshift", HostKind::Redshift, None);
        tgt.host.resource = Some("dw".into());
        tgt.settings.insert(
            "RedshiftSettings".into(),
            serde_json::json!({"EncryptionMode": "SSE_KMS"}),
        );
        // Its creation on record: the endpoint is known throughout, whatever history holds.
        tgt.history = vec![HistoryEvent {
            at: "2026-09-20T00:00:00Z".into(),
            name: "CreateEndpoint".into(),
            request: serde_json::json!({"EngineName": "redshift"}),
            ..HistoryEvent::default()
        }];
        let base = evidence(
            endpoint("s", "source", "postgres", HostKind::External, None),
            tgt,
        );
        let f = run(&base, "dms.1.0.sec.at-rest");
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
        let cases = redshift_cases()
            .into_iter()
            .chain(recreated_cases())
            .chain(account_cases());
        for (case, encrypted, switched, history, want, phrase) in cases {
            let mut ev = base.clone();
            ev.facts.target_stores = vec![TargetStore {
                region: "us-east-1".into(),
                kind: StoreKind::RedshiftCluster,
                name: "dw".into(),
                arn: None,
                addresses: vec![],
                encrypted,
                encryption: None,
                kms_key_id: None,
                publicly_accessible: Some(false),
                encrypted_since: switched.map(|at| {
                    at.map(|at| HistoryEvent {
                        at: at.into(),
                        name: "ModifyCluster".into(),
                        event_id: "e1".into(),
                        request: serde_json::json!({"ClusterIdentifier": "dw", "Encrypted": true}),
                        ..HistoryEvent::default()
                    })
                    .into_iter()
                    .collect()
                }),
                created: None,
                sources: vec!["c000010".into()],
            }];
            ev.facts.history_reads = vec![HistoryRead {
                region: "us-east-1".into(),
                since: history.into(),
                until: NOW.into(),
                ..HistoryRead::default()
            }];
            shape(case, &mut ev);
            let f = run(&ev, "dms.1.0.sec.at-rest");
            assert_eq!(f.verdict, want, "{case}: {}", f.reason);
            assert!(f.reason.contains(phrase), "{case}: {}", f.reason);
        }
    }

    /// What a case of [`redshift_cases`] changes beyond the columns.
    fn shape(case: &str, ev: &mut Evidence) {
        match case {
            "events not read" => ev.gaps.push(lookup_events_denied()),
            // A reload reset the run's dates; the task was created before the switch.
            "switched before a reload" => {
                ev.facts.tasks[0].created = Some("2026-08-15T00:00:00Z".into());
            }
            "of another account" | "of this account" => {
                let owner = if case == "of this account" {
                    "111111111111"
                } else {
                    "222222222222"
                };
                ev.facts.target_stores[0].arn =
                    Some(format!("arn:aws:redshift:us-east-1:{owner}:cluster:dw"));
            }
            "created before the run" => {
                ev.facts.target_stores[0].created = Some("2026-09-30T00:00:00Z".into());
            }
            // Deleted and created again encrypted (or restored from a snapshot).
            "created again after the run began" => {
                ev.facts.target_stores[0].created = Some("2026-11-01T00:00:00Z".into());
            }
            _ => {}
        }
    }

    /// A cluster of another account has its switches in that account's CloudTrail, which
    /// was not read.
    fn account_cases() -> Vec<RedshiftCase> {
        let unknown = Verdict::InsufficientEvidence;
        vec![
            (
                "of another account",
                Some(true),
                Some(None),
                "2026-09-01T00:00:00Z",
                unknown,
                "belongs to account 222222222222",
            ),
            (
                "of this account",
                Some(true),
                Some(None),
                "2026-09-01T00:00:00Z",
                Verdict::Met,
                "encrypted",
            ),
        ]
    }

    /// (case, encrypted today, the ModifyCluster events that switched it on (`None`: not
    /// read), CloudTrail event history from, verdict, phrase); the run began 2026-10-01.
    type RedshiftCase = (
        &'static str,
        Option<bool>,
        Option<Option<&'static str>>,
        &'static str,
        Verdict,
        &'static str,
    );

    fn redshift_cases() -> Vec<RedshiftCase> {
        let unknown = Verdict::InsufficientEvidence;
        vec![
            (
                "encrypted throughout",
                Some(true),
                Some(None),
                "2026-09-01T00:00:00Z",
                Verdict::Met,
                "encrypted",
            ),
            (
                "not encrypted",
                Some(false),
                Some(None),
                "2026-09-01T00:00:00Z",
                Verdict::NotMet,
                "not encrypted",
            ),
            (
                "switched on before the run",
                Some(true),
                Some(Some("2026-08-01T00:00:00Z")),
                "2026-07-01T00:00:00Z",
                Verdict::Met,
                "encrypted",
            ),
            (
                "switched on after the run began",
                Some(true),
                Some(Some("2026-11-01T00:00:00Z")),
                "2026-09-01T00:00:00Z",
                unknown,
                "switched its encryption on after",
            ),
            (
                "events not read",
                Some(true),
                None,
                "2026-09-01T00:00:00Z",
                unknown,
                "were not read",
            ),
            // Evidence from a collector that did not look them up is judged as then.
            (
                "not looked up",
                Some(true),
                None,
                "2026-09-01T00:00:00Z",
                Verdict::Met,
                "encrypted",
            ),
            (
                "switched before a reload",
                Some(true),
                Some(Some("2026-09-01T00:00:00Z")),
                "2026-07-01T00:00:00Z",
                unknown,
                "switched its encryption on after",
            ),
            (
                "history after the run began",
                Some(true),
                Some(None),
                "2026-10-15T00:00:00Z",
                unknown,
                "a switch before then would not show",
            ),
        ]
    }

    /// The cluster's own creation time (set by case name in the test).
    fn recreated_cases() -> Vec<RedshiftCase> {
        vec![
            (
                "created before the run",
                Some(true),
                Some(None),
                "2026-09-01T00:00:00Z",
                Verdict::Met,
                "encrypted",
            ),
            (
                "created again after the run began",
                Some(true),
                Some(None),
                "2026-09-01T00:00:00Z",
                Verdict::InsufficientEvidence,
                "it was created 2026-11-01T00:00:00Z, after t1's run began",
            ),
        ]
    }
}
