//! What a fleet run did, case study by case study (`DIR/summary.json`, or
//! `DIR/summary-I-of-N.json` for a shard), and the merge of shard summaries into the
//! summary of one whole run (`fleet-summary`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::shard::Shard;
use crate::time::Timestamp;

/// Called once per finished case study: the record, how many are done, how many in all.
pub type OnDoneFn = std::sync::Arc<dyn Fn(&Record, usize, usize) + Send + Sync>;

pub const SCHEMA: &str = "https://dms-evidence.dev/fleet-summary/v1";

/// How one case study ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Signed bundle written; every item met, attested or not applicable.
    Ready,
    /// Signed bundle written; something blocks the case study (see `blockers`).
    Blocked,
    /// Signed bundle written, but AWS calls failed: the evidence is incomplete.
    Incomplete,
    /// No bundle: the case study could not be read, the role assumed, or the bundle written.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub outcome: Outcome,
    /// Kept from an earlier run of the same fleet (`--resume`): its bundle verified.
    #[serde(default)]
    pub resumed: bool,
    /// Why an earlier bundle at this case study's name was not kept by `--resume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_resumed: Option<String>,
    /// The bundle's file name in the output directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verdicts: BTreeMap<String, usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// When the first time-limited AWS evidence behind a `met` starts to disappear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<crate::time::Timestamp>,
    /// For a renewal (`--previous`): the bundle it renews and what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<RenewalRecord>,
    /// Why it failed, naming the file, field or AWS operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub seconds: f64,
}

impl Record {
    /// A record with nothing found yet: no bundle, no verdicts, no error.
    pub fn new(id: &str, account_id: Option<String>, outcome: Outcome) -> Record {
        Record {
            id: id.to_string(),
            account_id,
            outcome,
            resumed: false,
            not_resumed: None,
            bundle: None,
            sha256: None,
            verdicts: BTreeMap::new(),
            blockers: Vec::new(),
            expires: None,
            renewal: None,
            error: None,
            seconds: 0.0,
        }
    }
}

/// A renewal in brief (the bundle's `renewal` has the whole of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewalRecord {
    /// SHA-256 of last year's bundle.
    pub previous: String,
    pub regressions: usize,
    /// Items whose expired evidence is carried forward.
    pub carried_forward: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema: String,
    pub manifest: String,
    pub manifest_sha256: String,
    /// The shard this run covered; absent for a whole run or a merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// For a merge: the shards it was made of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<Shard>,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub counts: BTreeMap<Outcome, usize>,
    pub case_studies: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("no summary*.json in {0}")]
    Empty(String),
    #[error(
        "the summaries come from different fleet manifests ({0} and {1}): merge one run at a time"
    )]
    Manifests(String, String),
    #[error("shards of different counts ({0} and {1})")]
    Counts(u32, u32),
    #[error(
        "shard(s) {missing:?} of {count} are missing: run them (or pass their directories) before merging"
    )]
    Missing { missing: Vec<u32>, count: u32 },
    #[error("case study {0:?} appears in two summaries")]
    Duplicate(String),
}

impl Summary {
    pub fn new(
        manifest: &Path,
        sha256: &str,
        shard: Option<Shard>,
        started_at: Timestamp,
        mut records: Vec<Record>,
    ) -> Summary {
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Summary {
            schema: SCHEMA.into(),
            manifest: manifest.display().to_string(),
            manifest_sha256: sha256.to_string(),
            shard,
            merged: Vec::new(),
            started_at,
            finished_at: Timestamp::now(),
            counts: counts(&records),
            case_studies: records,
        }
    }

    /// The file a run writes its summary to.
    pub fn file_name(shard: Option<Shard>) -> String {
        match shard {
            Some(s) => format!("summary-{}-of-{}.json", s.index, s.count),
            None => "summary.json".into(),
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.counts.get(&outcome).copied().unwrap_or(0)
    }

    /// Case studies whose renewal found regressions.
    pub fn regressed(&self) -> usize {
        self.case_studies
            .iter()
            .filter(|r| r.renewal.as_ref().is_some_and(|n| n.regressions > 0))
            .count()
    }

    /// Merges shard summaries (or whole runs of disjoint fleets) into one: the same
    /// manifest, every shard present once, no case study twice.
    pub fn merge(parts: Vec<Summary>) -> Result<Summary, MergeError> {
        let first = parts
            .first()
            .ok_or_else(|| MergeError::Empty("the given directories".into()))?;
        let (manifest, sha) = (first.manifest.clone(), first.manifest_sha256.clone());
        let mut shards: BTreeSet<(u32, u32)> = BTreeSet::new();
        let mut ids = BTreeSet::new();
        let mut records = Vec::new();
        for part in &parts {
            if part.manifest_sha256 != sha {
                return Err(MergeError::Manifests(
                    manifest.clone(),
                    part.manifest.clone(),
                ));
            }
            for s in part.shard.iter().chain(&part.merged) {
                shards.insert((s.index, s.count));
            }
            for r in &part.case_studies {
                if !ids.insert(r.id.clone()) {
                    return Err(MergeError::Duplicate(r.id.clone()));
                }
                records.push(r.clone());
            }
        }
        if let Some(&(_, count)) = shards.first() {
            if let Some(&(_, other)) = shards.iter().find(|(_, c)| *c != count) {
                return Err(MergeError::Counts(count, other));
            }
            let missing: Vec<u32> = (0..count)
                .filter(|i| !shards.contains(&(*i, count)))
                .collect();
            if !missing.is_empty() {
                return Err(MergeError::Missing { missing, count });
            }
        }
        let started = parts.iter().map(|p| p.started_at).min().unwrap_or_default();
        let mut merged = Summary::new(Path::new(&manifest), &sha, None, started, records);
        merged.finished_at = parts
            .iter()
            .map(|p| p.finished_at)
            .max()
            .unwrap_or_default();
        merged.merged = shards
            .into_iter()
            .map(|(index, count)| Shard { index, count })
            .collect();
        Ok(merged)
    }

    /// Every `summary*.json` in the directories.
    pub fn read_dirs(dirs: &[PathBuf]) -> Result<Vec<Summary>, MergeError> {
        let mut out = Vec::new();
        for dir in dirs {
            let read_err = |message: String| MergeError::Read {
                path: dir.clone(),
                message,
            };
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| read_err(e.to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("summary") && n.ends_with(".json"))
                })
                .collect();
            if files.is_empty() {
                return Err(MergeError::Empty(dir.display().to_string()));
            }
            files.sort();
            for path in files {
                let bytes = crate::input::read_limited(&path, crate::input::MAX_DOCUMENT_BYTES)
                    .map_err(|e| MergeError::Read {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
                let summary: Summary =
                    serde_json::from_slice(&bytes).map_err(|e| MergeError::Read {
                        path: path.clone(),
                        message: format!("not a fleet summary: {e}"),
                    })?;
                out.push(summary);
            }
        }
        Ok(out)
    }
}

fn counts(records: &[Record]) -> BTreeMap<Outcome, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        *counts.entry(r.outcome).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, outcome: Outcome) -> Record {
        Record::new(id, None, outcome)
    }

    fn part(index: u32, count: u32, ids: &[(&str, Outcome)]) -> Summary {
        let records = ids.iter().map(|(id, o)| record(id, *o)).collect();
        Summary::new(
            Path::new("fleet.toml"),
            "abc",
            Some(Shard { index, count }),
            // Shard i started i minutes after the first.
            Timestamp::from_secs(1_790_000_000) + time::Duration::minutes(i64::from(index)),
            records,
        )
    }

    #[test]
    fn shards_merge_into_one_run_and_refuse_gaps_and_overlaps() {
        let merged = Summary::merge(vec![
            part(1, 2, &[("b", Outcome::Failed)]),
            part(0, 2, &[("c", Outcome::Ready), ("a", Outcome::Blocked)]),
        ])
        .expect("merge");
        let ids: Vec<&str> = merged.case_studies.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(
            (merged.count(Outcome::Ready), merged.count(Outcome::Failed)),
            (1, 1)
        );
        assert_eq!(merged.merged.len(), 2);
        assert_eq!(merged.started_at, Timestamp::from_secs(1_790_000_000));
        assert!(matches!(
            Summary::merge(vec![part(0, 3, &[]), part(2, 3, &[])]),
            Err(MergeError::Missing { missing, .. }) if missing == [1]
        ));
        assert!(matches!(
            Summary::merge(vec![
                part(0, 2, &[("a", Outcome::Ready)]),
                part(1, 2, &[("a", Outcome::Ready)])
            ]),
            Err(MergeError::Duplicate(_))
        ));
        let mut other = part(1, 2, &[]);
        other.manifest_sha256 = "def".into();
        assert!(matches!(
            Summary::merge(vec![part(0, 2, &[]), other]),
            Err(MergeError::Manifests(..))
        ));
    }
}
