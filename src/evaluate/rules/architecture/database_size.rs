//! `database_size`: dms.1.0.size, "Database is at least 25GB".

use serde::Deserialize;

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::Positive,
    unless_unrecorded,
};
use crate::evaluate::view::gb;

/// The `database_size` rule.
pub struct DatabaseSize;

/// Parameters, from the checklist item (`params = { … }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_bytes: Positive,
}

impl Check for DatabaseSize {
    const NAME: &'static str = "database_size";
    const REMEDIATION: &'static str = "Keep the target's CloudWatch size metrics (VolumeBytesUsed / FreeStorageSpace) within their 455-day retention, or choose a reference of at least 25 GB.";
    const DOC: RuleDoc = RuleDoc {
        met: "a target of a migration that moved data, resolved in its own region, measured ≥ {min_bytes} by the metric its kind publishes (Aurora/DocumentDB/Neptune VolumeBytesUsed of the cluster; RDS AllocatedStorage minus a FreeStorageSpace reading of today)",
        checked: "The largest measured size of a migration target reaches the threshold. Aurora: VolumeBytesUsed (maximum); RDS: AllocatedStorage minus FreeStorageSpace. Allocated capacity alone is not data.",
        evidence: "CloudWatch AWS/RDS series, DescribeDBInstances/Clusters",
        verdicts: "met / not_met on a measurement; insufficient_evidence without one, or below the threshold while another migrated database is not measured",
        after_deletion: "the target database while it exists and is the one the run wrote to (its creation time), its AWS/RDS series for 455 days",
    };
    type Params = Params;

    fn run(input: &Input<'_>, _item: &Item, p: &Params) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let min = p.min_bytes.get();
        let never = input.unproven_note();
        match input.largest_size() {
            Ok((bytes, s)) => {
                // Below the threshold stands only when every migrated database is measured:
                // an unmeasured one (a target not on record, a size not read) may be larger.
                let unmeasured = input.sizes(|_| true).unmeasured;
                let (verdict, unknown) = if bytes >= min {
                    (Verdict::Met, String::new())
                } else if unmeasured.is_empty() {
                    (Verdict::NotMet, String::new())
                } else {
                    let these = unmeasured.join("; ");
                    let tail = format!("; not measured, and may be larger: {these}");
                    (Verdict::InsufficientEvidence, tail)
                };
                let f = Finding::new(
                    verdict,
                    format!(
                        "largest measured size of a migrated database {} ({}), threshold {}{unknown}{never}",
                        gb(bytes),
                        s.basis,
                        gb(min)
                    ),
                )
                .value("size_bytes", bytes)
                .value("threshold_bytes", min)
                .cite(s.pointer, &s.sources);
                // A larger target of a migration whose data movement is not on record.
                unless_unrecorded(input, f, "a larger database would be shown", |m| {
                    m.target.as_deref().is_some_and(|t| {
                        input.measured_size(t).map_or(true, |s| {
                            s.points.iter().map(|p| p.1).fold(0.0, f64::max) >= min
                        })
                    })
                })
            }
            Err(why) => {
                let rows: i64 = input
                    .migrations
                    .iter()
                    .filter_map(|m| m.tables)
                    .flatten()
                    .map(|r| r.full_load_rows)
                    .sum();
                let gap = input
                    .gap_note(&[
                        "cloudwatch:GetMetricData",
                        "rds:DescribeDBInstances",
                        "rds:DescribeDBClusters",
                    ])
                    .map(|g| format!("; {g}"))
                    .unwrap_or_default();
                Finding::new(
                    Verdict::InsufficientEvidence,
                    format!(
                        "no measured size for any migrated database: {}{gap}; {rows} rows were fully loaded (rows are \
                         not bytes, capacity is not data){never}",
                        if why.is_empty() {
                            "the migrations name no target".to_string()
                        } else {
                            why.join("; ")
                        }
                    ),
                )
                .value("full_load_rows", rows)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn database_size_from_measurements_only() {
        let base = || {
            let mut tgt = endpoint("t", "target", "postgres", HostKind::Rds, None);
            tgt.host.resource = Some("db".into());
            let mut ev = evidence(
                endpoint("s", "source", "postgres", HostKind::External, None),
                tgt,
            );
            ev.facts.rds_instances = vec![DbInstance {
                region: "us-east-1".into(),
                identifier: "db".into(),
                allocated_storage_gb: Some(100),
                ..DbInstance::default()
            }];
            ev
        };
        let free = |free_bytes: f64| {
            series(
                "AWS/RDS",
                "FreeStorageSpace",
                "DBInstanceIdentifier",
                "db",
                &[free_bytes, free_bytes],
            )
        };
        let stale = |free_bytes: f64| {
            let mut s = free(free_bytes);
            let now = Timestamp::from_secs(NOW_SECS);
            s.timestamps = vec![
                now - time::Duration::days(30),
                now - time::Duration::days(29),
            ];
            s
        };
        for (metrics, want) in [
            (vec![free(100.0 * GIB - 30e9)], Verdict::Met),
            (vec![free(100.0 * GIB - 10e9)], Verdict::NotMet),
            (vec![], Verdict::InsufficientEvidence),
            // Last month's free space against today's allocation measures nothing.
            (
                vec![stale(100.0 * GIB - 30e9)],
                Verdict::InsufficientEvidence,
            ),
        ] {
            let mut ev = base();
            ev.facts.metrics = metrics;
            let f = run(&ev, "dms.1.0.size");
            assert_eq!(f.verdict, want, "{}", f.reason);
            if want != Verdict::InsufficientEvidence {
                assert_eq!(f.sources, ["c000009"], "cites the metric's capture");
            }
        }
    }

    #[test]
    fn an_aurora_instance_endpoint_is_measured_by_its_cluster() {
        let mut tgt = endpoint("t", "target", "aurora-postgresql", HostKind::Aurora, None);
        tgt.host.resource = Some("erp-1".into());
        let mut ev = evidence(
            endpoint("s", "source", "oracle", HostKind::External, None),
            tgt,
        );
        ev.facts.rds_instances = vec![DbInstance {
            region: "us-east-1".into(),
            identifier: "erp-1".into(),
            engine: Some("aurora-postgresql".into()),
            allocated_storage_gb: Some(1),
            cluster: Some("erp".into()),
            ..DbInstance::default()
        }];
        ev.facts.rds_clusters = vec![DbCluster {
            region: "us-east-1".into(),
            identifier: "erp".into(),
            engine: Some("aurora-postgresql".into()),
            members: vec!["erp-1".into()],
            storage_encrypted: Some(true),
            ..DbCluster::default()
        }];
        ev.facts.metrics = vec![
            series(
                "AWS/RDS",
                "VolumeBytesUsed",
                "DBClusterIdentifier",
                "erp",
                &[70e9, 80e9],
            ),
            // The instance's own free space says nothing of Aurora's size.
            series(
                "AWS/RDS",
                "FreeStorageSpace",
                "DBInstanceIdentifier",
                "erp-1",
                &[5e9, 5e9],
            ),
        ];
        let f = run(&ev, "dms.1.0.size");
        assert_eq!(f.verdict, Verdict::Met, "{}", f.reason);
        assert!(
            f.reason.contains("VolumeBytesUsed of cluster erp"),
            "{}",
            f.reason
        );
        assert_eq!(run(&ev, "dms.1.0.sec.at-rest").verdict, Verdict::Met);
    }
}
