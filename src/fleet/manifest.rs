//! The fleet manifest (TOML): how many case studies run at once, globally and per AWS
//! account, and the case studies — each a case-study manifest, inline values, or both
//! (inline values override the manifest's, like `collect`'s flags). Loading checks
//! everything that can be checked without AWS and names the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::casestudy::Overrides;

/// Largest manifest read (a fleet of 100,000 entries fits in a few MiB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read fleet manifest {path}: {source}")]
    Read {
        path: PathBuf,
        source: crate::input::InputFileError,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    concurrency: Option<Spanned<usize>>,
    per_account: Option<Spanned<usize>>,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    case_study: Vec<RawEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    session_name: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    manifest: Option<String>,
    account_id: Option<String>,
    role_arn: Option<String>,
    external_id: Option<String>,
    /// The name of an environment variable holding the external id (keeps it out of files).
    external_id_env: Option<Spanned<String>>,
    session_name: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
}

/// One case study of the fleet, not yet resolved (a bad one fails alone, at run time).
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    /// The line of its `id`, for messages.
    pub line: usize,
    pub manifest: Option<PathBuf>,
    pub overrides: Overrides,
}

#[derive(Debug)]
pub struct Fleet {
    pub path: PathBuf,
    pub sha256: String,
    /// Case studies in flight at once (default 8).
    pub concurrency: usize,
    /// Case studies of one AWS account in flight at once (default 2): AWS throttles per
    /// account and region, so a partner with many case studies in one account does not
    /// starve the others or trip its own limits.
    pub per_account: usize,
    pub entries: Vec<Entry>,
}

/// A case-study id names its bundle file: letters, digits, `.`, `_`, `-`, at most 128.
/// The fleet's own file an id's bundle (`<id>.json`) would collide with: the summary
/// (`summary.json`, a shard's `summary-I-of-N.json`) or a renewal diff (`<id>.diff.json`).
fn fleet_file(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let shard = lower
        .strip_prefix("summary-")
        .and_then(|rest| rest.split_once("-of-"))
        .is_some_and(|(i, n)| !i.is_empty() && !n.is_empty());
    if lower == "summary" || shard {
        Some(format!("summary file {id}.json"))
    } else if lower.ends_with(".diff") {
        Some(format!("renewal diff file {id}.json"))
    } else {
        None
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

pub fn load(path: &Path) -> Result<Fleet, ManifestError> {
    let bytes =
        crate::input::read_limited(path, MAX_BYTES).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let raw: RawFleet = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |s| crate::text::line_col(&text, s.start));
        ManifestError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    let place = Place { path, text: &text };
    let concurrency = place.bounded(raw.concurrency, "concurrency", 8)?;
    let per_account = place.bounded(raw.per_account, "per_account", 2)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = Vec::with_capacity(raw.case_study.len());
    for e in raw.case_study {
        entries.push(place.entry(e, &raw.defaults, base, &mut seen)?);
    }
    if entries.is_empty() {
        return Err(place.invalid(0, "no [[case_study]] entry".into()));
    }
    Ok(Fleet {
        path: path.to_path_buf(),
        sha256: crate::digest::sha256_hex(&bytes),
        concurrency,
        per_account,
        entries,
    })
}

/// The manifest being read, for messages that name its lines.
struct Place<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Place<'_> {
    fn line(&self, offset: usize) -> usize {
        crate::text::line_col(self.text, offset).0
    }

    fn invalid(&self, offset: usize, message: String) -> ManifestError {
        ManifestError::Invalid {
            path: self.path.to_path_buf(),
            line: self.line(offset),
            message,
        }
    }

    fn bounded(
        &self,
        v: Option<Spanned<usize>>,
        field: &str,
        default: usize,
    ) -> Result<usize, ManifestError> {
        match v {
            None => Ok(default),
            Some(s) if (1..=1024).contains(s.get_ref()) => Ok(*s.get_ref()),
            Some(s) => Err(self.invalid(
                s.span().start,
                format!("`{field}` must be between 1 and 1024"),
            )),
        }
    }

    fn external_id(&self, id: &str, e: &RawEntry) -> Result<Option<String>, ManifestError> {
        match (&e.external_id, &e.external_id_env) {
            (Some(_), Some(var)) => Err(self.invalid(
                var.span().start,
                format!("{id}: give `external_id` or `external_id_env`, not both"),
            )),
            (_, Some(var)) => std::env::var(var.get_ref()).map(Some).map_err(|_| {
                self.invalid(
                    var.span().start,
                    format!(
                        "{id}: environment variable {} (external_id_env) is not set",
                        var.get_ref()
                    ),
                )
            }),
            (external_id, None) => Ok(external_id.clone()),
        }
    }

    fn entry(
        &self,
        e: RawEntry,
        defaults: &RawDefaults,
        base: &Path,
        seen: &mut BTreeMap<String, usize>,
    ) -> Result<Entry, ManifestError> {
        let at = e.id.span().start;
        let id = e.id.get_ref().clone();
        if !valid_id(&id) {
            return Err(self.invalid(at, format!("case study id {id:?}: use letters, digits, '.', '_' and '-' (at most 128; it names the bundle file)")));
        }
        if let Some(file) = fleet_file(&id) {
            return Err(self.invalid(
                at,
                format!("case study id {id:?}: its bundle would be the fleet's own {file}; choose another id"),
            ));
        }
        if let Some(first) = seen.insert(id.clone(), self.line(at)) {
            return Err(self.invalid(
                at,
                format!("case study id {id:?} is used twice (first on line {first})"),
            ));
        }
        let external_id = self.external_id(&id, &e)?;
        // A case-study manifest keeps its own regions unless the entry names some.
        let regions = if e.regions.is_empty() && e.manifest.is_none() {
            defaults.regions.clone()
        } else {
            e.regions
        };
        Ok(Entry {
            line: self.line(at),
            manifest: e.manifest.map(|m| base.join(m)),
            overrides: Overrides {
                account_id: e.account_id,
                role_arn: e.role_arn,
                external_id,
                session_name: e.session_name.or_else(|| defaults.session_name.clone()),
                regions,
            },
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Fleet, ManifestError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fleet.toml");
        std::fs::write(&path, text).expect("write");
        load(&path)
    }

    #[test]
    fn entries_resolve_relative_to_the_manifest_with_defaults() {
        let fleet = load_text(
            "concurrency = 4\n[defaults]\nregions = [\"eu-west-1\"]\n\n[[case_study]]\nid = \"a\"\nmanifest = \"cases/a.toml\"\n\n[[case_study]]\nid = \"b\"\naccount_id = \"111122223333\"\nrole_arn = \"arn:aws:iam::111122223333:role/r\"\n",
        )
        .expect("valid");
        assert_eq!((fleet.concurrency, fleet.per_account), (4, 2));
        assert!(
            fleet.entries[0]
                .manifest
                .as_ref()
                .is_some_and(|m| m.ends_with("cases/a.toml"))
        );
        assert!(
            fleet.entries[0].overrides.regions.is_empty(),
            "a manifest keeps its own regions"
        );
        assert_eq!(fleet.entries[1].overrides.regions, ["eu-west-1"]);
        assert_eq!(fleet.entries[1].line, 10);
    }

    #[test]
    fn bad_manifests_name_the_line() {
        for (text, line, words) in [
            (
                "[[case_study]]\nid = \"a\"\n[[case_study]]\nid = \"a\"\n",
                4,
                "used twice (first on line 2)",
            ),
            (
                "[[case_study]]\nid = \"../x\"\n",
                2,
                "names the bundle file",
            ),
            (
                "concurrency = 0\n[[case_study]]\nid = \"a\"\n",
                1,
                "between 1 and 1024",
            ),
            (
                "[[case_study]]\nid = \"a\"\nexternal_id_env = \"DMS_EVIDENCE_SURELY_UNSET_VAR\"\n",
                3,
                "is not set",
            ),
            (
                "[[case_study]]\nid = \"a\"\nacount_id = \"1\"\n",
                3,
                "unknown field",
            ),
            ("", 1, "no [[case_study]]"),
            (
                "[[case_study]]\nid = \"ok\"\n[[case_study]]\nid = \"summary\"\n",
                4,
                "the fleet's own summary file summary.json",
            ),
            (
                "[[case_study]]\nid = \"summary-1-of-4\"\n",
                2,
                "summary file",
            ),
            (
                "[[case_study]]\nid = \"erp.diff\"\n",
                2,
                "renewal diff file erp.diff.json",
            ),
        ] {
            let err = load_text(text).expect_err(text).to_string();
            assert!(
                err.contains(&format!("fleet.toml:{line}")) && err.contains(words),
                "{text:?}: {err}"
            );
        }
    }
}
