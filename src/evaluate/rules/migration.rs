//! Migration practice: task logs, LOB handling, CDC, the Oracle target schema
//! rename, and planning (readiness, fall-back, UAT).

use super::{Finding, Input, Item, Verdict, no_migrations, with_statement};

pub fn task_logging(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut logged, mut off, mut silent, mut unknown) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
        match m.settings.logging_enabled {
            Some(false) => {
                off.push(m.id.to_string());
                continue;
            }
            None if m.is_task() => {
                unknown.push(m.id.to_string());
                continue;
            }
            _ => {}
        }
        let in_window = |at: &str| match (m.window, Input::secs(Some(at))) {
            (Some((start, _)), Some(t)) => t >= start - 3600,
            _ => true,
        };
        match input.log_events(m).filter(|(_, _, at)| in_window(at)) {
            Some((g, stream, latest)) => {
                logged.push(format!(
                    "{} logs to {}/{stream} (latest event {latest}, retention {})",
                    m.id,
                    g.name,
                    g.retention_days
                        .map_or("never expires".into(), |d| format!("{d} days"))
                ));
                f = f.cite(format!("log_groups/{}/{}", g.region, g.name), &g.sources);
            }
            None => silent.push(format!("{} ({})", m.id, m.log_groups.join(", "))),
        }
    }
    if !logged.is_empty() {
        let mut reason = logged.join("; ");
        if !off.is_empty() {
            reason.push_str(&format!("; logging off for {}", off.join(", ")));
        }
        return Finding { reason, ..f };
    }
    if !off.is_empty() && silent.is_empty() && unknown.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("Logging.EnableLogging is false for {}", off.join(", ")),
            ..f
        };
    }
    let gap = input
        .gap_note(&["logs:DescribeLogGroups", "logs:DescribeLogStreams"])
        .map(|g| format!("; {g}"))
        .unwrap_or_default();
    Finding {
        verdict: Verdict::InsufficientEvidence,
        reason: format!(
            "no events of the migrations' own log streams in their run{}{}{gap}: the log group may have expired or \
             been deleted",
            if silent.is_empty() {
                String::new()
            } else {
                format!(" for {}", silent.join(", "))
            },
            if unknown.is_empty() {
                String::new()
            } else {
                format!("; logging settings unknown for {}", unknown.join(", "))
            },
        ),
        ..f
    }
}

pub fn lob_handling(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let max_lob = item.params.number("max_lob_size_kb") as i64;
    let mut f = Finding::new(Verdict::Met, "");
    let (mut good, mut bad, mut off, mut unknown) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let ran = input.migrations.len();
    for (i, m) in input.every_migration().enumerate() {
        let s = m.settings;
        if i >= ran {
            // A task that never ran counts only against: a bad LOB setting is bad.
            if s.support_lobs != Some(true) {
                continue;
            }
        }
        f = f.cite(m.pointer(), &m.sources);
        match s.support_lobs {
            None => unknown.push(m.id.to_string()),
            Some(false) => off.push(m.id.to_string()),
            Some(true) => {
                let full = s.full_lob_mode == Some(true);
                let limited = s.limited_size_lob_mode == Some(true);
                let problem = if full && limited {
                    Some("both FullLobMode and LimitedSizeLobMode".to_string())
                } else if !full && !limited {
                    Some("SupportLobs without a LOB mode".to_string())
                } else if limited && !s.lob_max_size.is_some_and(|v| v > 0 && v <= max_lob) {
                    Some(format!(
                        "LimitedSizeLobMode with LobMaxSize {:?} (1..{max_lob} KB)",
                        s.lob_max_size
                    ))
                } else if full && s.lob_chunk_size.is_none_or(|v| v <= 0) {
                    Some(format!(
                        "FullLobMode with LobChunkSize {:?}",
                        s.lob_chunk_size
                    ))
                } else if full && s.batch_apply_enabled == Some(true) {
                    Some("FullLobMode with BatchApplyEnabled (DMS does not support LOBs in batch apply)".to_string())
                } else {
                    None
                };
                match problem {
                    Some(p) => bad.push(format!("{}: {p}", m.id)),
                    None if i >= ran => {}
                    None if limited => good.push(format!(
                        "{}: limited LOB mode, LobMaxSize {} KB",
                        m.id,
                        s.lob_max_size.unwrap_or(0)
                    )),
                    None => good.push(format!(
                        "{}: full LOB mode, LobChunkSize {} KB",
                        m.id,
                        s.lob_chunk_size.unwrap_or(0)
                    )),
                }
            }
        }
    }
    if !bad.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: bad.join("; "),
            ..f
        };
    }
    if !good.is_empty() {
        return Finding {
            reason: good.join("; "),
            ..f
        };
    }
    if !off.is_empty() {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!(
                "SupportLobs is false for {}: LOB columns are not migrated",
                off.join(", ")
            ),
            ..f
        };
    }
    Finding {
        verdict: Verdict::InsufficientEvidence,
        reason: format!("LOB settings unknown for {}", unknown.join(", ")),
        ..f
    }
}

pub fn cdc(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut seen, mut quiet, mut full_load) = (Vec::new(), Vec::new(), Vec::new());
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
        if !m.has_cdc_type() {
            full_load.push(format!(
                "{} ({})",
                m.id,
                m.migration_type.unwrap_or("type unknown")
            ));
            continue;
        }
        for name in ["CDCIncomingChanges", "CDCThroughputRowsSource"] {
            if let Some(s) = input.task_series(m, name) {
                f = f.cite(format!("metrics/AWS/DMS/{name}/{}", m.id), &s.sources);
            }
        }
        match m.cdc_activity(input) {
            Some(activity) => seen.push(format!(
                "{} ({}, {activity}{})",
                m.id,
                m.migration_type.unwrap_or_default(),
                m.cdc_days(input.now)
                    .map(|d| format!(", CDC for {d:.0} days"))
                    .unwrap_or_default()
            )),
            None => quiet.push(m.id.to_string()),
        }
    }
    let never = input.never_ran_note();
    if !seen.is_empty() {
        return Finding {
            reason: format!("CDC in use and active: {}{never}", seen.join("; ")),
            ..f
        };
    }
    if !quiet.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{} use(s) CDC but no change activity is on record (statistics reset or metrics expired){never}",
                quiet.join(", ")
            ),
            ..f
        };
    }
    Finding {
        verdict: Verdict::NotMet,
        reason: format!("no CDC: {}{never}", full_load.join(", ")),
        ..f
    }
}

pub fn oracle_target_schema(input: &Input<'_>, _item: &Item) -> Finding {
    let oracle: Vec<_> = input
        .migrations
        .iter()
        .filter(|m| m.target.is_some_and(|t| t.engine == "oracle"))
        .collect();
    if oracle.is_empty() {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        // Not applicable needs every target known: a failed listing or an endpoint
        // missing from the evidence could hide an Oracle target.
        let unknown = input
            .gap_note(&[
                "dms:DescribeReplicationTasks",
                "dms:DescribeReplicationConfigs",
            ])
            .or_else(|| input.unresolved_endpoints());
        if let Some(why) = unknown {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!("whether a migration targets Oracle is unknown: {why}"),
            );
        }
        return Finding::new(
            Verdict::NotApplicable,
            "no migration targets Oracle (the checklist itself suggests removing this bullet)",
        );
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut renamed = Vec::new();
    for m in &oracle {
        f = f.cite(m.pointer(), &m.sources);
        if m.mappings
            .transformations
            .iter()
            .any(|(target, action)| target == "schema" && action == "rename")
        {
            renamed.push(m.id);
        }
    }
    if renamed.is_empty() {
        Finding {
            verdict: Verdict::NotMet,
            reason: "Oracle target(s) without a schema rename transformation rule".into(),
            ..f
        }
    } else {
        Finding {
            reason: format!(
                "schema rename rule on Oracle target task(s) {}",
                renamed.join(", ")
            ),
            ..f
        }
    }
}

pub fn planning(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let passed: Vec<&str> = input
        .facts
        .assessment_runs
        .iter()
        .filter(|r| {
            r.status.as_deref() == Some("passed")
                || (r.failed == Some(0) && r.error == Some(0) && r.passed.is_some_and(|p| p > 0))
        })
        .map(|r| r.arn.rsplit(':').next().unwrap_or_default())
        .collect();
    for r in &input.facts.assessment_runs {
        f = f.cite(format!("assessment_runs/{}", r.arn), &r.sources);
    }
    let validated: Vec<String> = input
        .migrations
        .iter()
        .filter(|m| m.settings.validation_enabled == Some(true))
        .filter_map(|m| {
            let rows = m.tables?;
            let failed: i64 = rows.iter().map(|r| r.validation_failed_records).sum();
            let validated = rows
                .iter()
                .filter(|r| r.validation_state.as_deref() == Some("Validated"))
                .count();
            (failed == 0 && validated > 0)
                .then(|| format!("{} ({validated} tables validated, 0 failures)", m.id))
        })
        .collect();
    let reverse = input.migrations.iter().any(|a| {
        input.migrations.iter().any(|b| {
            let same =
                |x: Option<&crate::facts::Endpoint>, y: Option<&crate::facts::Endpoint>| match (
                    x, y,
                ) {
                    (Some(x), Some(y)) => {
                        x.server_name.is_some()
                            && x.server_name == y.server_name
                            && x.database == y.database
                    }
                    _ => false,
                };
            same(a.source, b.target) && same(a.target, b.source)
        })
    });
    let mut readiness = Vec::new();
    if !passed.is_empty() {
        readiness.push(format!(
            "premigration assessment passed ({})",
            passed.join(", ")
        ));
    }
    if !validated.is_empty() {
        readiness.push(format!("validation on: {}", validated.join("; ")));
    }
    let f = f.value("fall_back_task", reverse);
    if readiness.is_empty() {
        let gap = input.gap_note(&[
            "dms:DescribeReplicationTaskAssessmentRuns",
            "dms:DescribeTableStatistics",
        ]);
        return Finding {
            verdict: if gap.is_some() {
                Verdict::InsufficientEvidence
            } else {
                Verdict::NotMet
            },
            reason: format!(
                "no passed premigration assessment and no validated tables{}",
                gap.map(|g| format!(" ({g})")).unwrap_or_default()
            ),
            ..f
        };
    }
    let technical = Finding {
        reason: format!(
            "readiness: {}; fall-back: {}",
            readiness.join("; "),
            if reverse {
                "a reverse task exists"
            } else {
                "no reverse task found"
            }
        ),
        ..f
    };
    with_statement(input, item, technical)
}
