//! The checklist definition (policies/checklist-*.toml), loaded and validated against
//! the rules the code has: unknown rule, missing field, bad or unknown parameter and
//! duplicate item are errors naming the file, line and key.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::rules::{self, Params, RuleDef};
pub use super::rules::{Item, Kind};
use crate::casestudy::STATEMENT_KEYS;

/// The checklist shipped with the tool (the 2018 DMS validation checklist).
pub const DEFAULT_FILE: &str = "policies/checklist-dms-2018.toml";
pub const DEFAULT_TEXT: &str = include_str!("../../policies/checklist-dms-2018.toml");
pub const SCHEMA: &str = "dms-evidence/checklist/v1";

#[derive(Debug, Clone)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    pub version: String,
    /// SHA-256 of the definition file, so a bundle names exactly what it was judged by.
    pub sha256: String,
    pub required_tag_keys: Vec<String>,
    pub items: Vec<Item>,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::A => "A",
            Kind::P => "P",
            Kind::H => "H",
        }
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
    params: Option<Spanned<toml::Table>>,
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

/// Where a definition is read from, for errors that name file, line and key.
struct Place<'a> {
    path: &'a str,
    text: &'a str,
}

impl Place<'_> {
    fn err(&self, offset: usize, key: &str, message: String) -> ChecklistError {
        let before = &self.text[..offset.min(self.text.len())];
        ChecklistError::Invalid {
            path: self.path.to_string(),
            line: before.matches('\n').count() + 1,
            key: key.to_string(),
            message,
        }
    }
}

pub fn parse(path: &str, text: &str) -> Result<Checklist, ChecklistError> {
    let place = Place { path, text };
    let raw: RawChecklist = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        place.err(at, "syntax", e.message().to_string())
    })?;
    if raw.schema.get_ref() != SCHEMA {
        let at = raw.schema.span().start;
        return Err(place.err(at, "schema", format!("expected \"{SCHEMA}\"")));
    }
    let mut items: Vec<Item> = Vec::new();
    for spanned in raw.items {
        let (item, id_at) = item(&place, spanned)?;
        if items.iter().any(|i| i.id == item.id) {
            let message = format!("item {} is defined twice", item.id);
            return Err(place.err(id_at, "items.id", message));
        }
        items.push(item);
    }
    if items.is_empty() {
        return Err(place.err(0, "items", "a checklist needs items".into()));
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

/// One `[[items]]` entry, validated against the rule it names, and where its id is.
fn item(place: &Place<'_>, spanned: Spanned<RawItem>) -> Result<(Item, usize), ChecklistError> {
    let at = spanned.span().start;
    let raw = spanned.into_inner();
    let id = raw
        .id
        .ok_or_else(|| place.err(at, "items.id", "an item needs an id".into()))?;
    let id_at = id.span().start;
    let name = id.into_inner();
    let missing = |key: &str| {
        let message = format!("item {name} needs `{key}`");
        place.err(at, &format!("{name}.{key}"), message)
    };
    let section = raw.section.ok_or_else(|| missing("section"))?;
    let text = raw.text.ok_or_else(|| missing("text"))?;
    let kind = raw.kind.ok_or_else(|| missing("kind"))?;
    let kind = match kind.get_ref().as_str() {
        "A" => Kind::A,
        "P" => Kind::P,
        "H" => Kind::H,
        _ => {
            let key = format!("{name}.kind");
            return Err(place.err(kind.span().start, &key, "kind is A, P or H".into()));
        }
    };
    let rule = raw.rule.ok_or_else(|| missing("rule"))?;
    let Some(def) = rules::find(rule.get_ref()) else {
        let message = format!(
            "unknown rule '{}'; the rules are: {}",
            rule.get_ref(),
            rules::names().join(", ")
        );
        return Err(place.err(rule.span().start, &format!("{name}.rule"), message));
    };
    let table = raw
        .params
        .unwrap_or_else(|| Spanned::new(at..at, toml::Table::new()));
    let (statements, params, raw_params) = params(place, &name, def, table)?;
    let item = Item {
        id: name,
        section,
        text,
        kind,
        rule: def,
        params,
        raw_params,
        statements,
        group: raw.group.filter(|g| !g.trim().is_empty()),
    };
    Ok((item, id_at))
}

/// The item's statements and its parameters typed for its rule.
fn params(
    place: &Place<'_>,
    name: &str,
    def: &RuleDef,
    raw: Spanned<toml::Table>,
) -> Result<(Vec<String>, Params, toml::Table), ChecklistError> {
    let at = raw.span().start;
    let mut table = raw.into_inner();
    let here = |key: &str| {
        let dot = if key.is_empty() { "" } else { "." };
        format!("{name}.params{dot}{key}")
    };
    let statements = match table.remove("statements") {
        None => Vec::new(),
        Some(_) if !def.statements => {
            let message = format!("rule {} takes no statements", def.name);
            return Err(place.err(at, &here("statements"), message));
        }
        Some(value) => {
            statement_keys(&value).map_err(|message| place.err(at, &here("statements"), message))?
        }
    };
    let written = table.clone();
    let params = def.parse_params(toml::Value::Table(table)).map_err(|e| {
        place.err(
            at,
            &here(&e.key),
            format!("rule {}: {}", def.name, e.message),
        )
    })?;
    Ok((statements, params, written))
}

/// The statement keys an item names, each one the manifest knows.
fn statement_keys(value: &toml::Value) -> Result<Vec<String>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| "a list of statement names is expected".to_string())?;
    list.iter()
        .map(|s| match s.as_str() {
            Some(s) if STATEMENT_KEYS.contains(&s) => Ok(s.to_string()),
            Some(s) => Err(format!("unknown statement '{s}'")),
            None => Err("a list of statement names is expected".to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checklist_loads_with_every_item() {
        let c = load_default();
        // Every `[[items]]` of the file is loaded, in order, with a unique id.
        assert_eq!(c.items.len(), DEFAULT_TEXT.matches("[[items]]").count());
        let ids: std::collections::BTreeSet<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), c.items.len());
        let size = c
            .items
            .iter()
            .find(|i| i.id == "dms.1.0.size")
            .expect("size item");
        let params = size
            .params
            .get::<rules::architecture::database_size::Params>()
            .expect("typed for its rule");
        assert_eq!(params.min_bytes.get(), 25e9);
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
                "unknown field",
            ),
            (
                good.replacen("params = { min_bytes = 25_000_000_000 }", "", 1),
                "min_bytes",
                "missing field",
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
