//! Which case studies a process runs: `--shard I/N` or the index an array engine gives
//! (AWS Batch array jobs, Kubernetes Indexed Jobs), and a stable partition by the hash of
//! the case study's id, so N processes together run every case study exactly once.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;

/// One slice of the fleet: `index` in `0..count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ShardError {
    #[error("--shard {0:?}: expected I/N with 0 <= I < N (e.g. 0/4)")]
    Syntax(String),
    #[error("{var}={value:?}: expected a whole number")]
    NotANumber { var: &'static str, value: String },
    #[error("shard index {index} is not below the shard count {count} ({from})")]
    OutOfRange {
        index: u32,
        count: u32,
        from: String,
    },
    #[error(
        "{var} is set, so this is an array job, but the shard count is unknown: pass --shards N or set DMS_EVIDENCE_SHARDS"
    )]
    NoCount { var: &'static str },
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(syntax)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| syntax())?,
            n.trim().parse().map_err(|_| syntax())?,
        );
        Shard::new(index, count, format!("--shard {text}"))
    }

    fn new(index: u32, count: u32, from: String) -> Result<Shard, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError::OutOfRange { index, count, from });
        }
        Ok(Shard { index, count })
    }

    /// The shard from the environment of an array engine, when there is one: AWS Batch
    /// sets `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) and `AWS_BATCH_JOB_ARRAY_SIZE` in each
    /// child of an array job (AWS Batch User Guide, "AWS Batch job environment
    /// variables"); a Kubernetes Indexed Job sets `JOB_COMPLETION_INDEX` (Kubernetes
    /// documentation, "Jobs: completion mode Indexed"), whose count comes from `shards`,
    /// i.e. `--shards` or `DMS_EVIDENCE_SHARDS`, as Kubernetes does not export it.
    pub fn from_env(
        env: impl Fn(&str) -> Option<String>,
        shards: Option<u32>,
    ) -> Result<Option<Shard>, ShardError> {
        let number = |var: &'static str| -> Result<Option<u32>, ShardError> {
            env(var)
                .map(|v| {
                    v.trim().parse().map_err(|_| ShardError::NotANumber {
                        var,
                        value: v.clone(),
                    })
                })
                .transpose()
        };
        for (var, size_var) in [
            (
                "AWS_BATCH_JOB_ARRAY_INDEX",
                Some("AWS_BATCH_JOB_ARRAY_SIZE"),
            ),
            ("JOB_COMPLETION_INDEX", None),
        ] {
            let Some(index) = number(var)? else { continue };
            let size = match size_var {
                Some(s) => number(s)?,
                None => None,
            };
            let count = shards.or(size).ok_or(ShardError::NoCount { var })?;
            return Shard::new(index, count, format!("{var}={index}")).map(Some);
        }
        Ok(None)
    }

    /// Whether the case study with this id belongs to this shard: the first eight bytes of
    /// SHA-256(id), modulo the count. Stable across machines, versions and list order.
    pub fn owns(&self, id: &str) -> bool {
        let digest = sha256_hex(id.as_bytes());
        let prefix = u64::from_str_radix(&digest[..16], 16).unwrap_or(0);
        prefix % u64::from(self.count) == u64::from(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn parse_accepts_only_an_index_below_the_count() {
        for (text, want) in [
            ("0/4", Ok(Shard { index: 0, count: 4 })),
            ("3/4", Ok(Shard { index: 3, count: 4 })),
            (" 1 / 2 ", Ok(Shard { index: 1, count: 2 })),
        ] {
            assert_eq!(Shard::parse(text), want, "{text}");
        }
        for text in ["4/4", "1/0", "a/2", "2", "-1/3", ""] {
            assert!(Shard::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn array_engines_are_detected_from_their_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let batch = env(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "2"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "5"),
        ]);
        assert_eq!(
            Shard::from_env(batch, None),
            Ok(Some(Shard { index: 2, count: 5 }))
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "1")]);
        assert_eq!(
            Shard::from_env(k8s, Some(3)),
            Ok(Some(Shard { index: 1, count: 3 }))
        );
        assert!(matches!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "1")]), None),
            Err(ShardError::NoCount { .. })
        ));
        assert!(matches!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "x")]), Some(2)),
            Err(ShardError::NotANumber { .. })
        ));
        assert!(matches!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "3")]), Some(3)),
            Err(ShardError::OutOfRange { .. })
        ));
        assert_eq!(Shard::from_env(env(&[]), Some(3)), Ok(None));
    }

    #[test]
    fn shards_partition_every_id_exactly_once_and_evenly() {
        let ids: Vec<String> = (0..1000).map(|i| format!("case-{i}")).collect();
        let count = 4;
        let mut owners: BTreeMap<u32, usize> = BTreeMap::new();
        for id in &ids {
            let owning: Vec<u32> = (0..count)
                .filter(|i| Shard { index: *i, count }.owns(id))
                .collect();
            assert_eq!(owning.len(), 1, "{id}");
            *owners.entry(owning[0]).or_default() += 1;
        }
        assert!(
            owners.values().all(|n| (200..300).contains(n)),
            "{owners:?}"
        );
    }
}
