//! The checklist definition (policies/checklist-*.toml), loaded and validated against
//! the rules the code has: unknown rule, missing field, bad or unknown parameter and
//! duplicate item are errors naming the file, line and key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::rules::{self, Param};
use crate::casestudy::STATEMENT_KEYS;

/// The checklist shipped with the tool (the 2018 DMS validation checklist).
pub const DEFAULT_FILE: &str = "policies/checklist-dms-2018.toml";
pub const DEFAULT_TEXT: &str = include_str!("../../policies/checklist-dms-2018.toml");
pub const SCHEMA: &str = "dms-evidence/checklist/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    pub version: String,
    /// SHA-256 of the definition file, so a bundle names exactly what it was judged by.
    pub sha256: String,
    pub required_tag_keys: Vec<String>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub section: String,
    pub text: String,
    /// A automated, P partly automated, H attestation only.
    pub kind: String,
    pub rule: String,
    pub params: Params,
    /// Items of one group are alternatives: the group passes when any of them is
    /// met or attested (2.1: at least one deployment and one workload pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Validated rule parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub numbers: BTreeMap<String, f64>,
    pub statements: Vec<String>,
    pub measure: Option<String>,
}

impl Params {
    pub fn number(&self, key: &str) -> f64 {
        self.numbers.get(key).copied().unwrap_or(0.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("cannot read checklist {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {key}: {message}")]
    Invalid {
        path: String,
        line: usize,
        key: String,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    schema: Spanned<String>,
    id: String,
    title: String,
    version: String,
    #[serde(default)]
    peer: Option<RawPeer>,
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeer {
    #[serde(default)]
    required_tag_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Option<Spanned<String>>,
    section: Option<String>,
    text: Option<String>,
    kind: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    group: Option<String>,
}

pub fn load_default() -> Checklist {
    parse(DEFAULT_FILE, DEFAULT_TEXT)
        .unwrap_or_else(|e| panic!("the built-in checklist is invalid: {e}"))
}

pub fn load(path: &Path) -> Result<Checklist, ChecklistError> {
    let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&path.display().to_string(), &text)
}

pub fn parse(path: &str, text: &str) -> Result<Checklist, ChecklistError> {
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let err = |offset: usize, key: &str, message: String| ChecklistError::Invalid {
        path: path.to_string(),
        line: line(offset),
        key: key.to_string(),
        message,
    };
    let raw: RawChecklist = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        err(at, "syntax", e.message().to_string())
    })?;
    if raw.schema.get_ref() != SCHEMA {
        return Err(err(
            raw.schema.span().start,
            "schema",
            format!("expected \"{SCHEMA}\""),
        ));
    }
    let mut items: Vec<Item> = Vec::new();
    for spanned in raw.items {
        let at = spanned.span().start;
        let raw = spanned.into_inner();
        let id = raw
            .id
            .ok_or_else(|| err(at, "items.id", "an item needs an id".into()))?;
        let name = id.get_ref().clone();
        if items.iter().any(|i| i.id == name) {
            return Err(err(
                id.span().start,
                "items.id",
                format!("item {name} is defined twice"),
            ));
        }
        let missing = |key: &str| {
            err(
                at,
                &format!("{name}.{key}"),
                format!("item {name} needs `{key}`"),
            )
        };
        let section = raw.section.ok_or_else(|| missing("section"))?;
        let text = raw.text.ok_or_else(|| missing("text"))?;
        let kind = raw.kind.ok_or_else(|| missing("kind"))?;
        if !["A", "P", "H"].contains(&kind.get_ref().as_str()) {
            return Err(err(
                kind.span().start,
                &format!("{name}.kind"),
                "kind is A, P or H".into(),
            ));
        }
        let rule = raw.rule.ok_or_else(|| missing("rule"))?;
        let Some(def) = rules::find(rule.get_ref()) else {
            return Err(err(
                rule.span().start,
                &format!("{name}.rule"),
                format!(
                    "unknown rule '{}'; the rules are: {}",
                    rule.get_ref(),
                    rules::names().join(", ")
                ),
            ));
        };
        let mut params = Params::default();
        for (key, value) in &raw.params {
            let key_name = key.get_ref().as_str();
            let here = format!("{name}.params.{key_name}");
            let Some((_, kind)) = def.params.iter().find(|(k, _)| *k == key_name) else {
                let known: Vec<&str> = def.params.iter().map(|(k, _)| *k).collect();
                return Err(err(
                    key.span().start,
                    &here,
                    format!(
                        "rule {} takes no parameter `{key_name}` (it takes: {})",
                        def.name,
                        known.join(", ")
                    ),
                ));
            };
            let bad = |message: String| err(value.span().start, &here, message);
            match (kind, value.get_ref()) {
                (Param::Positive, v) => {
                    let n = number(v).ok_or_else(|| bad("a number is expected".into()))?;
                    if n <= 0.0 {
                        return Err(bad(format!("must be greater than 0, not {n}")));
                    }
                    params.numbers.insert(key_name.to_string(), n);
                }
                (Param::Percent, v) => {
                    let n = number(v).ok_or_else(|| bad("a number is expected".into()))?;
                    if !(0.0..=100.0).contains(&n) {
                        return Err(bad(format!("a percentage is within 0..100, not {n}")));
                    }
                    params.numbers.insert(key_name.to_string(), n);
                }
                (Param::Statements, toml::Value::Array(list)) => {
                    for s in list {
                        let s = s
                            .as_str()
                            .ok_or_else(|| bad("a list of statement names is expected".into()))?;
                        if !STATEMENT_KEYS.contains(&s) {
                            return Err(bad(format!("unknown statement '{s}'")));
                        }
                        params.statements.push(s.to_string());
                    }
                }
                (Param::Measure, toml::Value::String(s)) if s == "read" || s == "write" => {
                    params.measure = Some(s.clone());
                }
                (Param::Statements, _) => {
                    return Err(bad("a list of statement names is expected".into()));
                }
                (Param::Measure, _) => return Err(bad("\"read\" or \"write\" is expected".into())),
            }
        }
        if let Some((key, _)) = def
            .params
            .iter()
            .find(|(k, kind)| *kind != Param::Statements && !params.has(k))
        {
            return Err(err(
                at,
                &format!("{name}.params.{key}"),
                format!("rule {} needs parameter `{key}`", def.name),
            ));
        }
        items.push(Item {
            id: name,
            section,
            text,
            kind: kind.into_inner(),
            rule: def.name.to_string(),
            params,
            group: raw.group.filter(|g| !g.trim().is_empty()),
        });
    }
    if items.is_empty() {
        return Err(err(0, "items", "a checklist needs items".into()));
    }
    Ok(Checklist {
        id: raw.id,
        title: raw.title,
        version: raw.version,
        sha256: crate::digest::sha256_hex(text.as_bytes()),
        required_tag_keys: raw.peer.map(|p| p.required_tag_keys).unwrap_or_default(),
        items,
    })
}

impl Params {
    fn has(&self, key: &str) -> bool {
        self.numbers.contains_key(key) || (key == "measure" && self.measure.is_some())
    }
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checklist_loads_with_every_item() {
        let c = load_default();
        assert_eq!(c.items.len(), 49);
        assert_eq!(
            c.items.iter().filter(|i| i.id.starts_with("pre.")).count(),
            14
        );
        assert_eq!(
            c.items
                .iter()
                .filter(|i| i.id.starts_with("dms.1.0."))
                .count(),
            23
        );
        assert_eq!(
            c.items
                .iter()
                .filter(|i| i.id.starts_with("dms.2.1."))
                .count(),
            6
        );
        assert_eq!(
            c.items
                .iter()
                .filter(|i| i.id.starts_with("dms.2.2."))
                .count(),
            6
        );
        let size = c
            .items
            .iter()
            .find(|i| i.id == "dms.1.0.size")
            .expect("size item");
        assert_eq!(size.params.number("min_bytes"), 25e9);
    }

    #[test]
    fn invalid_definitions_name_file_line_and_key() {
        let good = DEFAULT_TEXT;
        let cases = [
            (
                good.replacen("rule = \"database_size\"", "rule = \"database_sise\"", 1),
                "dms.1.0.size.rule",
                "unknown rule",
            ),
            (
                good.replacen("min_bytes = 25_000_000_000 }", "min_bytes = -1 }", 1),
                "params.min_bytes",
                "greater than 0",
            ),
            (
                good.replacen(
                    "max_p95_cpu_percent = 90.0",
                    "max_p95_cpu_percent = 190.0",
                    1,
                ),
                "max_p95_cpu_percent",
                "0..100",
            ),
            (
                good.replacen("{ min_days = 7 }", "{ min_dayz = 7 }", 1),
                "min_dayz",
                "takes no parameter",
            ),
            (
                good.replacen("params = { min_bytes = 25_000_000_000 }", "", 1),
                "params.min_bytes",
                "needs parameter",
            ),
            (
                good.replacen("id = \"pre.2.1.problem\"", "id = \"pre.2.1.proposal\"", 1),
                "items.id",
                "defined twice",
            ),
            (
                good.replacen("statements = [\"apn_tier\"]", "statements = [\"apn\"]", 1),
                "statements",
                "unknown statement",
            ),
            (
                good.replacen("kind = \"H\"", "kind = \"X\"", 1),
                "kind",
                "A, P or H",
            ),
        ];
        for (text, key, message) in cases {
            let e = parse("checklist.toml", &text).expect_err(key).to_string();
            assert!(
                e.starts_with("checklist.toml:") && e.contains(key) && e.contains(message),
                "{e}"
            );
        }
        let e = parse("checklist.toml", "schema = \"x\"")
            .expect_err("syntax")
            .to_string();
        assert!(e.contains("checklist.toml:1"), "{e}");
    }
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    /// docs/checklist.md has one section per item, with the item's kind and rule.
    #[test]
    fn the_checklist_page_is_in_step_with_the_data_file() {
        let doc = include_str!("../../docs/checklist.md");
        let sections: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .filter(|h| h.starts_with("pre.") || h.starts_with("dms."))
            .collect();
        let checklist = load_default();
        let ids: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            sections, ids,
            "docs/checklist.md sections vs policies/checklist-dms-2018.toml items"
        );
        for item in &checklist.items {
            let start = doc.find(&format!("## {}\n", item.id)).expect("section");
            let section = &doc[start..];
            let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
            assert!(
                section.contains(&format!("| kind | {} |", item.kind)),
                "{}: kind",
                item.id
            );
            assert!(
                section.contains(&format!("| rule | `{}` |", item.rule)),
                "{}: rule",
                item.id
            );
            assert!(
                section.contains("| met requires | "),
                "{}: what met requires, in one line",
                item.id
            );
            assert!(
                section.contains("**Remediation.**"),
                "{}: remediation",
                item.id
            );
        }
    }
}
