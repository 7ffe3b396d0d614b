//! Read-only views over the evidence that several rules share: the migrations (tasks
//! and serverless replications alike), metric look-ups, percentiles, database sizes.

use crate::collect::{Gap, GapKind};
use crate::evidence::{Evidence, HashedAttachment};
use crate::facts::*;

/// GiB, the unit of RDS AllocatedStorage.
pub const GIB: f64 = 1_073_741_824.0;

pub struct Input<'a> {
    pub evidence: &'a Evidence,
    pub facts: &'a Facts,
    pub now: i64,
    pub migrations: Vec<Migration<'a>>,
}

/// A task or a serverless replication: both move data from a source to a target.
#[derive(Debug, Clone)]
pub struct Migration<'a> {
    pub kind: &'static str,
    pub id: &'a str,
    pub arn: &'a str,
    pub region: &'a str,
    pub source: Option<&'a Endpoint>,
    pub target: Option<&'a Endpoint>,
    pub migration_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub stats: Option<&'a TaskStats>,
    pub settings: &'a TaskSettings,
    pub mappings: &'a TableMappings,
    pub tables: Option<&'a [TableStat]>,
    pub instance: Option<&'a ReplicationInstance>,
    pub created: Option<&'a str>,
    /// CloudWatch dimension values that may name it (ReplicationTaskIdentifier …).
    pub metric_ids: Vec<&'a str>,
    pub sources: Vec<String>,
}

impl<'a> Input<'a> {
    pub fn new(evidence: &'a Evidence) -> Input<'a> {
        let facts = &evidence.facts;
        let now =
            crate::time::parse_rfc3339(&evidence.collection.finished_at).map_or(0, |t| t.secs());
        let mut migrations = Vec::new();
        for t in &facts.tasks {
            let mut sources = t.sources.clone();
            sources.extend(t.table_sources.iter().cloned());
            migrations.push(Migration {
                kind: "task",
                id: &t.identifier,
                arn: &t.arn,
                region: &t.region,
                source: t.source_arn.as_deref().and_then(|a| facts.endpoint(a)),
                target: t.target_arn.as_deref().and_then(|a| facts.endpoint(a)),
                migration_type: t.migration_type.as_deref(),
                status: t.status.as_deref(),
                stats: t.stats.as_ref(),
                settings: &t.settings,
                mappings: &t.table_mappings,
                tables: t.tables.as_deref(),
                instance: t.instance_arn.as_deref().and_then(|a| facts.instance(a)),
                created: t.created.as_deref(),
                metric_ids: vec![t.identifier.as_str(), t.resource_id.as_str()],
                sources,
            });
        }
        for s in &facts.serverless {
            migrations.push(Migration {
                kind: "serverless replication",
                id: &s.identifier,
                arn: &s.config_arn,
                region: &s.region,
                source: s.source_arn.as_deref().and_then(|a| facts.endpoint(a)),
                target: s.target_arn.as_deref().and_then(|a| facts.endpoint(a)),
                migration_type: s.replication_type.as_deref(),
                status: s.status.as_deref(),
                stats: s.stats.as_ref(),
                settings: &s.settings,
                mappings: &s.table_mappings,
                tables: s.tables.as_deref(),
                instance: None,
                created: s.created.as_deref(),
                metric_ids: vec![
                    s.identifier.as_str(),
                    s.config_arn.rsplit(':').next().unwrap_or_default(),
                ],
                sources: s.sources.clone(),
            });
        }
        Input {
            evidence,
            facts,
            now,
            migrations,
        }
    }

    pub fn statement(&self, key: &str) -> Option<&'a str> {
        self.evidence
            .case_study
            .case_study
            .statements
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    pub fn attachments(&self, item: &str) -> Vec<&'a HashedAttachment> {
        self.evidence
            .attachments
            .iter()
            .filter(|a| a.attachment.item == item)
            .collect()
    }

    /// Gaps of an operation (any region), e.g. "dms:DescribeTableStatistics".
    pub fn gaps(&self, iam_action: &str) -> Vec<&'a Gap> {
        self.evidence
            .gaps
            .iter()
            .filter(|g| g.iam_action == iam_action)
            .collect()
    }

    pub fn gap_note(&self, actions: &[&str]) -> Option<String> {
        let gaps: Vec<&Gap> = actions.iter().flat_map(|a| self.gaps(a)).collect();
        if gaps.is_empty() {
            return None;
        }
        let mut names: Vec<String> = gaps
            .iter()
            .map(|g| match g.kind {
                GapKind::AccessDenied => format!("{} was denied", g.iam_action),
                _ => format!("{} failed ({:?})", g.iam_action, g.kind).to_lowercase(),
            })
            .collect();
        names.sort();
        names.dedup();
        Some(names.join("; "))
    }

    /// A CloudWatch series with data whose dimension `dim` is one of `ids`.
    pub fn series(
        &self,
        namespace: &str,
        name: &str,
        dim: &str,
        ids: &[&str],
    ) -> Option<&'a MetricSeries> {
        self.facts.metrics.iter().find(|m| {
            m.namespace == namespace
                && m.name == name
                && !m.values.is_empty()
                && m.dimensions
                    .get(dim)
                    .is_some_and(|v| ids.contains(&v.as_str()))
        })
    }

    /// DMS instance-level series (dimension ReplicationInstanceIdentifier only).
    pub fn instance_series(&self, name: &str, instance: &str) -> Option<&'a MetricSeries> {
        self.facts.metrics.iter().find(|m| {
            m.namespace == "AWS/DMS"
                && m.name == name
                && !m.values.is_empty()
                && !m.dimensions.contains_key("ReplicationTaskIdentifier")
                && m.dimensions
                    .get("ReplicationInstanceIdentifier")
                    .map(String::as_str)
                    == Some(instance)
        })
    }

    pub fn rds_instance(&self, id: &str) -> Option<&'a DbInstance> {
        self.facts.rds_instances.iter().find(|d| d.identifier == id)
    }

    pub fn rds_cluster(&self, id: &str) -> Option<&'a DbCluster> {
        self.facts.rds_clusters.iter().find(|d| d.identifier == id)
    }

    /// Seconds of a fact's RFC 3339 time.
    pub fn secs(t: Option<&str>) -> Option<i64> {
        t.and_then(crate::time::parse_rfc3339).map(|d| d.secs())
    }

    /// Size measurements of an endpoint's database: (bytes over time, basis, pointer, sources).
    pub fn measured_size(&self, endpoint: &Endpoint) -> Option<SizeSeries<'a>> {
        let resource = endpoint.host.resource.as_deref()?;
        if let Some(cluster) = self.rds_cluster(resource) {
            let s = self.series(
                "AWS/RDS",
                "VolumeBytesUsed",
                "DBClusterIdentifier",
                &[&cluster.identifier],
            )?;
            return Some(SizeSeries {
                basis: format!("Aurora VolumeBytesUsed of cluster {}", cluster.identifier),
                points: s
                    .timestamps
                    .iter()
                    .copied()
                    .zip(s.values.iter().copied())
                    .collect(),
                pointer: format!("metrics/AWS/RDS/VolumeBytesUsed/{}", cluster.identifier),
                sources: s.sources.clone(),
                _series: s,
            });
        }
        let db = self.rds_instance(resource)?;
        let allocated = f64::from(db.allocated_storage_gb?) * GIB;
        let s = self.series(
            "AWS/RDS",
            "FreeStorageSpace",
            "DBInstanceIdentifier",
            &[&db.identifier],
        )?;
        Some(SizeSeries {
            basis: format!(
                "RDS {}: AllocatedStorage {} GiB minus FreeStorageSpace",
                db.identifier,
                db.allocated_storage_gb.unwrap_or_default()
            ),
            points: s
                .timestamps
                .iter()
                .copied()
                .zip(s.values.iter().map(|free| (allocated - free).max(0.0)))
                .collect(),
            pointer: format!("metrics/AWS/RDS/FreeStorageSpace/{}", db.identifier),
            sources: s.sources.iter().chain(db.sources.iter()).cloned().collect(),
            _series: s,
        })
    }

    /// The largest measured database size over the migrations' targets.
    pub fn largest_size(&self) -> Option<(f64, SizeSeries<'a>)> {
        self.migrations
            .iter()
            .filter_map(|m| m.target)
            .filter_map(|t| self.measured_size(t))
            .map(|s| (s.points.iter().map(|p| p.1).fold(0.0, f64::max), s))
            .max_by(|a, b| a.0.total_cmp(&b.0))
    }
}

pub struct SizeSeries<'a> {
    pub basis: String,
    /// (epoch seconds, bytes), ascending.
    pub points: Vec<(i64, f64)>,
    pub pointer: String,
    pub sources: Vec<String>,
    _series: &'a MetricSeries,
}

impl Migration<'_> {
    pub fn has_cdc_type(&self) -> bool {
        matches!(self.migration_type, Some("cdc" | "full-load-and-cdc"))
    }

    /// CDC changes seen: table statistics' DML counters, or CDCIncomingChanges.
    pub fn cdc_changes(&self, input: &Input<'_>) -> Option<f64> {
        let from_tables: Option<f64> = self.tables.map(|rows| {
            rows.iter()
                .map(|r| (r.inserts + r.updates + r.deletes) as f64)
                .sum()
        });
        let from_metric = input
            .series(
                "AWS/DMS",
                "CDCIncomingChanges",
                "ReplicationTaskIdentifier",
                &self.metric_ids,
            )
            .map(|s| s.values.iter().sum::<f64>());
        match (from_tables, from_metric) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
        }
    }

    /// Days CDC has run: from the end of full load (or start) to stop or now.
    pub fn cdc_days(&self, now: i64) -> Option<f64> {
        let stats = self.stats?;
        let start = Input::secs(stats.full_load_finish_date.as_deref())
            .or_else(|| Input::secs(stats.start_date.as_deref()))
            .or_else(|| Input::secs(stats.fresh_start_date.as_deref()))?;
        let end = if self.status == Some("running") {
            now
        } else {
            Input::secs(stats.stop_date.as_deref())?
        };
        Some((end - start) as f64 / 86_400.0)
    }

    pub fn pointer(&self) -> String {
        match self.kind {
            "task" => format!("tasks/{}", self.arn),
            _ => format!("serverless/{}", self.arn),
        }
    }
}

/// The p-th percentile (0..=100) by nearest rank.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

pub fn gb(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        for (p, want) in [(95.0, 95.0), (50.0, 50.0), (100.0, 100.0), (0.0, 1.0)] {
            assert_eq!(percentile(&v, p), Some(want), "p{p}");
        }
        assert_eq!(percentile(&[], 95.0), None);
        assert_eq!(percentile(&[3.0], 95.0), Some(3.0));
    }
}
