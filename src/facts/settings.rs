//! Task settings (ReplicationTaskSettings JSON) and table mappings, parsed into the
//! values the checklist needs. Missing keys stay `None`: absence is not a default.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskSettings {
    /// The settings document parsed; `false` when it was missing or not JSON.
    pub parsed: bool,
    pub logging_enabled: Option<bool>,
    pub log_group: Option<String>,
    pub log_stream: Option<String>,
    /// (component id, severity), e.g. ("TARGET_APPLY", "LOGGER_SEVERITY_DEFAULT").
    pub log_components: Vec<(String, String)>,
    pub support_lobs: Option<bool>,
    pub full_lob_mode: Option<bool>,
    pub lob_chunk_size: Option<i64>,
    pub limited_size_lob_mode: Option<bool>,
    pub lob_max_size: Option<i64>,
    pub inline_lob_max_size: Option<i64>,
    pub batch_apply_enabled: Option<bool>,
    pub parallel_load_threads: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_apply_threads: Option<i64>,
    pub max_full_load_sub_tasks: Option<i64>,
    pub commit_rate: Option<i64>,
    pub target_table_prep_mode: Option<String>,
    pub validation_enabled: Option<bool>,
}

impl TaskSettings {
    pub fn parse(text: Option<&str>) -> TaskSettings {
        let Some(value) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
            return TaskSettings::default();
        };
        let get = |path: &[&str]| path.iter().try_fold(&value, |v, k| v.get(*k));
        let flag = |path: &[&str]| get(path).and_then(Value::as_bool);
        let int = |path: &[&str]| get(path).and_then(Value::as_i64);
        let text = |path: &[&str]| get(path).and_then(Value::as_str).map(str::to_string);
        let log_components = get(&["Logging", "LogComponents"])
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| {
                        Some((
                            c.get("Id")?.as_str()?.to_string(),
                            c.get("Severity")?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        TaskSettings {
            parsed: true,
            logging_enabled: flag(&["Logging", "EnableLogging"]),
            log_group: text(&["Logging", "CloudWatchLogGroup"]),
            log_stream: text(&["Logging", "CloudWatchLogStream"]),
            log_components,
            support_lobs: flag(&["TargetMetadata", "SupportLobs"]),
            full_lob_mode: flag(&["TargetMetadata", "FullLobMode"]),
            lob_chunk_size: int(&["TargetMetadata", "LobChunkSize"]),
            limited_size_lob_mode: flag(&["TargetMetadata", "LimitedSizeLobMode"]),
            lob_max_size: int(&["TargetMetadata", "LobMaxSize"]),
            inline_lob_max_size: int(&["TargetMetadata", "InlineLobMaxSize"]),
            batch_apply_enabled: flag(&["TargetMetadata", "BatchApplyEnabled"]),
            parallel_load_threads: int(&["TargetMetadata", "ParallelLoadThreads"]),
            parallel_apply_threads: int(&["TargetMetadata", "ParallelApplyThreads"]),
            max_full_load_sub_tasks: int(&["FullLoadSettings", "MaxFullLoadSubTasks"]),
            commit_rate: int(&["FullLoadSettings", "CommitRate"]),
            target_table_prep_mode: text(&["FullLoadSettings", "TargetTablePrepMode"]),
            validation_enabled: flag(&["ValidationSettings", "EnableValidation"]),
        }
    }
}

impl TaskSettings {
    /// What two settings documents agree on: each member both hold with the same value,
    /// the rest unknown (`None`). The settings in force over a span in which the task was
    /// modified are the members every version in force then shared.
    pub fn common(&self, other: &TaskSettings) -> TaskSettings {
        fn same<T: Clone + PartialEq>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            if a == b { a.clone() } else { None }
        }
        TaskSettings {
            parsed: self.parsed && other.parsed,
            logging_enabled: same(&self.logging_enabled, &other.logging_enabled),
            log_group: same(&self.log_group, &other.log_group),
            log_stream: same(&self.log_stream, &other.log_stream),
            log_components: if self.log_components == other.log_components {
                self.log_components.clone()
            } else {
                Vec::new()
            },
            support_lobs: same(&self.support_lobs, &other.support_lobs),
            full_lob_mode: same(&self.full_lob_mode, &other.full_lob_mode),
            lob_chunk_size: same(&self.lob_chunk_size, &other.lob_chunk_size),
            limited_size_lob_mode: same(&self.limited_size_lob_mode, &other.limited_size_lob_mode),
            lob_max_size: same(&self.lob_max_size, &other.lob_max_size),
            inline_lob_max_size: same(&self.inline_lob_max_size, &other.inline_lob_max_size),
            batch_apply_enabled: same(&self.batch_apply_enabled, &other.batch_apply_enabled),
            parallel_load_threads: same(&self.parallel_load_threads, &other.parallel_load_threads),
            parallel_apply_threads: same(
                &self.parallel_apply_threads,
                &other.parallel_apply_threads,
            ),
            max_full_load_sub_tasks: same(
                &self.max_full_load_sub_tasks,
                &other.max_full_load_sub_tasks,
            ),
            commit_rate: same(&self.commit_rate, &other.commit_rate),
            target_table_prep_mode: same(
                &self.target_table_prep_mode,
                &other.target_table_prep_mode,
            ),
            validation_enabled: same(&self.validation_enabled, &other.validation_enabled),
        }
    }

    /// Whether `self` holds every member `part` holds, with the same value: a complete
    /// document that a partial one (a Modify request naming a few members) describes.
    pub fn agrees_with(&self, part: &TaskSettings) -> bool {
        self.common(part)
            == TaskSettings {
                parsed: self.parsed && part.parsed,
                ..part.clone()
            }
    }
}

/// A document a task's Create and Modify calls set (its settings, its table mappings),
/// as [`crate::facts::history::during`] reads its versions.
pub trait Document: Clone + PartialEq + Default {
    /// What the reasons call it ("settings", "table mappings").
    const NAME: &'static str;
    fn parse(text: Option<&str>) -> Self;
    /// The members both hold with the same value (the others unknown, or left out).
    fn common(&self, other: &Self) -> Self;
    /// Whether `self` holds everything `part` holds.
    fn agrees_with(&self, part: &Self) -> bool {
        self.common(part) == *part
    }
}

impl Document for TaskSettings {
    const NAME: &'static str = "settings";
    fn parse(text: Option<&str>) -> Self {
        TaskSettings::parse(text)
    }
    fn common(&self, other: &Self) -> Self {
        TaskSettings::common(self, other)
    }
    fn agrees_with(&self, part: &Self) -> bool {
        TaskSettings::agrees_with(self, part)
    }
}

impl Document for TableMappings {
    const NAME: &'static str = "table mappings";
    fn parse(text: Option<&str>) -> Self {
        TableMappings::parse(text)
    }
    /// The rules both versions have: counts at the lower, lists as their overlap (a rule
    /// only one version had may not have applied).
    fn common(&self, other: &Self) -> Self {
        fn both<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
            a.iter().filter(|x| b.contains(x)).cloned().collect()
        }
        TableMappings {
            parsed: self.parsed && other.parsed,
            selection_rules: self.selection_rules.min(other.selection_rules),
            transformations: both(&self.transformations, &other.transformations),
            parallel_load_rules: self.parallel_load_rules.min(other.parallel_load_rules),
            lob_rules: self.lob_rules.min(other.lob_rules),
            included_schemas: both(&self.included_schemas, &other.included_schemas),
            target_tables: both(&self.target_tables, &other.target_tables),
        }
    }
    /// A Create or Modify call sets the whole document (DMS API Reference,
    /// ModifyReplicationTask TableMappings): versions agree only when equal.
    fn agrees_with(&self, part: &Self) -> bool {
        self == part
    }
}

/// A summary of the table-mapping rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableMappings {
    pub parsed: bool,
    pub selection_rules: usize,
    /// (rule-target, rule-action) of each transformation rule, e.g. ("schema", "rename").
    pub transformations: Vec<(String, String)>,
    /// Tables or patterns loaded in parallel (table-settings with parallel-load).
    pub parallel_load_rules: usize,
    /// Table-settings rules with lob-settings.
    pub lob_rules: usize,
    /// Schemas named by include selection rules.
    pub included_schemas: Vec<String>,
    /// Target tables named by object-mapping rules (DynamoDB, Kinesis, Kafka targets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_tables: Vec<String>,
}

impl TableMappings {
    pub fn parse(text: Option<&str>) -> TableMappings {
        let Some(rules) = text
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| v.get("rules").and_then(Value::as_array).cloned())
        else {
            return TableMappings::default();
        };
        let s = |r: &Value, k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut out = TableMappings {
            parsed: true,
            ..Default::default()
        };
        for rule in &rules {
            match s(rule, "rule-type").as_str() {
                "selection" => {
                    out.selection_rules += 1;
                    if s(rule, "rule-action") == "include"
                        && let Some(schema) = rule
                            .pointer("/object-locator/schema-name")
                            .and_then(Value::as_str)
                        && !out.included_schemas.iter().any(|x| x == schema)
                    {
                        out.included_schemas.push(schema.to_string());
                    }
                }
                "transformation" => out
                    .transformations
                    .push((s(rule, "rule-target"), s(rule, "rule-action"))),
                "object-mapping" => {
                    if let Some(t) = rule.get("target-table-name").and_then(Value::as_str)
                        && !out.target_tables.iter().any(|x| x == t)
                    {
                        out.target_tables.push(t.to_string());
                    }
                }
                "table-settings" => {
                    out.parallel_load_rules += usize::from(rule.get("parallel-load").is_some());
                    out.lob_rules += usize::from(rule.get("lob-settings").is_some());
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_present_and_absent_values() {
        let s = TaskSettings::parse(Some(
            r#"{"Logging":{"EnableLogging":true,"CloudWatchLogGroup":"g",
                "LogComponents":[{"Id":"TARGET_APPLY","Severity":"LOGGER_SEVERITY_DEFAULT"}]},
               "TargetMetadata":{"SupportLobs":true,"LimitedSizeLobMode":true,"LobMaxSize":32,"BatchApplyEnabled":true},
               "FullLoadSettings":{"MaxFullLoadSubTasks":16}}"#,
        ));
        assert!(s.parsed);
        assert_eq!(s.logging_enabled, Some(true));
        assert_eq!(
            s.log_components,
            [(
                "TARGET_APPLY".to_string(),
                "LOGGER_SEVERITY_DEFAULT".to_string()
            )]
        );
        assert_eq!(
            (s.lob_max_size, s.max_full_load_sub_tasks, s.commit_rate),
            (Some(32), Some(16), None)
        );
        assert_eq!(s.full_lob_mode, None, "absent stays absent");
        for bad in [None, Some("not json"), Some("")] {
            assert_eq!(TaskSettings::parse(bad), TaskSettings::default());
        }
    }

    #[test]
    fn mappings_summary() {
        let m = TableMappings::parse(Some(
            r#"{"rules":[
              {"rule-type":"selection","rule-action":"include","object-locator":{"schema-name":"HR","table-name":"%"}},
              {"rule-type":"selection","rule-action":"exclude","object-locator":{"schema-name":"TMP","table-name":"%"}},
              {"rule-type":"transformation","rule-target":"schema","rule-action":"rename","value":"hr2"},
              {"rule-type":"table-settings","parallel-load":{"type":"partitions-auto"}},
              {"rule-type":"table-settings","lob-settings":{"mode":"limited"}}]}"#,
        ));
        assert_eq!(m.selection_rules, 2);
        assert_eq!(m.included_schemas, ["HR"]);
        assert_eq!(
            m.transformations,
            [("schema".to_string(), "rename".to_string())]
        );
        assert_eq!((m.parallel_load_rules, m.lob_rules), (1, 1));
        assert!(!TableMappings::parse(Some("{}")).parsed);
    }
}
