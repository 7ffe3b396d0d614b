//! Prerequisites and human-answered items: attestations, the account, the project
//! dates and outcomes, the diagram, schema tooling, and the production reference.

use super::{Finding, Input, Item, Verdict, no_migrations, quote, statement, with_statement};
use crate::evaluate::view::gb;

/// An item only a person can answer: attested when a statement or attachment is given.
pub fn attestation(input: &Input<'_>, item: &Item) -> Finding {
    let attachments = input.attachments(&item.id);
    if let Some((text, key)) = statement(input, item) {
        let mut f = Finding::new(
            Verdict::Attested,
            format!("statements.{key}: {}", quote(text)),
        )
        .value("statement", text);
        for a in attachments {
            f = f
                .cite(format!("attachments/{}", a.attachment.path), &[])
                .value("attachment_sha256", a.sha256.clone());
        }
        return f;
    }
    if let Some(a) = attachments.first() {
        return Finding::new(
            Verdict::Attested,
            format!(
                "attachment {} ({} bytes, sha256 {}…)",
                a.attachment.path,
                a.size,
                crate::text::prefix(&a.sha256, 12)
            ),
        )
        .cite(format!("attachments/{}", a.attachment.path), &[])
        .value("attachment_sha256", a.sha256.clone());
    }
    Finding::new(
        Verdict::AttestationRequired,
        format!(
            "only a person can answer this; no statement ({}) or attachment was given",
            item.params
                .statements
                .iter()
                .map(|s| format!("statements.{s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

pub fn account_identity(input: &Input<'_>, _item: &Item) -> Finding {
    let caller = &input.evidence.collection.caller;
    let declared = &input.evidence.case_study.case_study.account_id;
    if &caller.account != declared {
        return Finding::new(
            Verdict::NotMet,
            format!(
                "STS reports account {}, the case study declares {declared}",
                caller.account
            ),
        )
        .cite("collection/caller", &caller.sources);
    }
    if input.migrations.is_empty() {
        return no_migrations(input).cite("collection/caller", &caller.sources);
    }
    let mut f = Finding::new(
        Verdict::Met,
        format!(
            "STS GetCallerIdentity reports account {declared} as declared, and it holds {} DMS migration(s) that ran \
             ({}){}",
            input.migrations.len(),
            input
                .migrations
                .iter()
                .map(|m| format!("{}: {}", m.id, m.ran_note()))
                .collect::<Vec<_>>()
                .join("; "),
            input.never_ran_note()
        ),
    )
    .value("account_id", declared.clone())
    .cite("collection/caller", &caller.sources);
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
    }
    f
}

/// The inventory (reported) plus the partner's narrative (attested).
pub fn inventory_narrative(input: &Input<'_>, item: &Item) -> Finding {
    let f = input.facts;
    let mut engines: Vec<String> = input
        .migrations
        .iter()
        .map(|m| {
            let side = |e: Option<&crate::facts::Endpoint>| {
                e.map_or("?".to_string(), |e| {
                    format!("{} ({})", e.engine, e.host.kind.as_str())
                })
            };
            format!("{} → {}", side(m.source), side(m.target))
        })
        .collect();
    engines.sort();
    engines.dedup();
    let inventory = format!(
        "inventory: {} replication instance(s), {} serverless replication(s), {} endpoint(s), {} task(s), {} RDS/Aurora \
         database(s), {} KMS key(s), {} Schema Conversion project(s); migrations {}",
        f.replication_instances.len(),
        f.serverless.len(),
        f.endpoints.len(),
        f.tasks.len(),
        f.rds_instances.len() + f.rds_clusters.len(),
        f.kms_keys.len(),
        f.migration_projects.len(),
        if engines.is_empty() {
            "none".to_string()
        } else {
            engines.join(", ")
        }
    );
    if input.migrations.is_empty() && f.replication_instances.is_empty() {
        return Finding {
            reason: format!("{}; {inventory}", no_migrations(input).reason),
            ..no_migrations(input)
        };
    }
    let technical = Finding::new(Verdict::Met, inventory).value("migrations", engines);
    with_statement(input, item, technical)
}

pub fn project_dates(input: &Input<'_>, _item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    let mut running = false;
    let mut undated = Vec::new();
    for m in &input.migrations {
        f = f.cite(m.pointer(), &m.sources);
        match m.window {
            Some((a, b)) => {
                first = first.min(a);
                last = last.max(b);
            }
            None => undated.push(m.id),
        }
        running |= m.status == Some("running");
        if let Some(i) = m.instance
            && let Some(t) = Input::secs(i.created.as_deref())
        {
            first = first.min(t);
        }
    }
    if first == i64::MAX || !undated.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "the start and stop dates of {} are not on record, so the DMS activity cannot be dated",
                if undated.is_empty() {
                    "the migrations".to_string()
                } else {
                    undated.join(", ")
                }
            ),
            ..f
        };
    }
    let day = crate::time::date;
    let observed = format!(
        "DMS activity from {} to {}",
        day(first),
        if running {
            format!("{} (still running)", day(input.now))
        } else {
            day(last)
        }
    );
    let f = f
        .value("observed_start", day(first))
        .value("observed_end", (!running).then(|| day(last)));
    let case = &input.evidence.case_study.case_study;
    let declared_start = input
        .statement("start_date")
        .or(case.claims.start_date.as_deref());
    let declared_end = input
        .statement("end_date")
        .or(case.claims.end_date.as_deref());
    let (Some(start), Some(end)) = (declared_start, declared_end) else {
        return Finding {
            verdict: Verdict::AttestationRequired,
            reason: format!("{observed}; the project's start and end dates were not given"),
            ..f
        };
    };
    let f = f.value("declared_start", start).value("declared_end", end);
    // Dates were validated when the manifest loaded; compare them as dates.
    let (Some(start_at), Some(end_at)) =
        (crate::time::parse_date(start), crate::time::parse_date(end))
    else {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("declared dates {start} to {end} are not YYYY-MM-DD dates"),
            ..f
        };
    };
    let end_of_end = end_at + 86_400;
    let reason = format!("declared {start} to {end}; observed {observed}");
    let problem = if first < start_at {
        Some(format!(
            "DMS activity began {} before the declared start",
            day(first)
        ))
    } else if running && input.now >= end_of_end {
        Some(format!(
            "a migration is still running after the declared end date {end}"
        ))
    } else if !running && last >= end_of_end {
        Some(format!(
            "DMS activity went on until {} after the declared end",
            day(last)
        ))
    } else {
        None
    };
    match problem {
        None => Finding {
            verdict: Verdict::Met,
            reason: format!("{reason}: the declared range contains it"),
            ..f
        },
        Some(p) => Finding {
            verdict: Verdict::NotMet,
            reason: format!("{reason}: {p}"),
            ..f
        }
        .remedy(
            "Correct the declared project dates: they must cover the DMS activity AWS recorded.",
        ),
    }
}

pub fn outcomes(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut tables = 0usize;
    let mut errored = 0i64;
    let mut unknown = Vec::new();
    let mut f = Finding::new(Verdict::Met, "");
    for m in &input.migrations {
        match m.tables {
            Some(rows) => {
                tables += rows.len();
                errored += rows
                    .iter()
                    .filter(|r| {
                        r.state
                            .as_deref()
                            .is_some_and(|s| s.to_ascii_lowercase().contains("error"))
                            || r.full_load_error_rows > 0
                            || r.validation_failed_records > 0
                    })
                    .count() as i64;
            }
            None => unknown.push(m.id),
        }
        errored += i64::from(m.stats.and_then(|s| s.tables_errored).unwrap_or(0));
        f = f.cite(m.pointer(), &m.sources);
    }
    if tables == 0 {
        let gap = input
            .gap_note(&[
                "dms:DescribeTableStatistics",
                "dms:DescribeReplicationTableStatistics",
            ])
            .unwrap_or_default();
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("no table statistics to judge the technical outcome {gap}")
                .trim()
                .to_string(),
            ..f
        };
    }
    let f = f
        .value("tables", tables)
        .value("tables_with_errors", errored);
    if errored > 0 {
        return Finding {
            verdict: Verdict::NotMet,
            reason: format!("{errored} of {tables} tables errored or failed validation"),
            ..f
        };
    }
    let technical = Finding {
        reason: format!(
            "technical outcome: {tables} tables migrated with 0 errors and 0 validation failures{}",
            if unknown.is_empty() {
                String::new()
            } else {
                format!(" (no statistics for {})", unknown.join(", "))
            }
        ),
        ..f
    };
    with_statement(input, item, technical)
}

pub fn diagram(input: &Input<'_>, item: &Item) -> Finding {
    let f = input.facts;
    let topology = format!(
        "the tool's topology shows {} replication instance(s), {} serverless replication(s), {} endpoint(s), {} target \
         database(s) to compare with",
        f.replication_instances.len(),
        f.serverless.len(),
        f.endpoints.len(),
        f.rds_instances.len() + f.rds_clusters.len()
    );
    match input.attachments(&item.id).first() {
        Some(a) => Finding::new(
            Verdict::Attested,
            format!(
                "diagram {} attached (sha256 {}…); {topology}",
                a.attachment.path,
                crate::text::prefix(&a.sha256, 12)
            ),
        )
        .value("attachment_sha256", a.sha256.clone())
        .cite(format!("attachments/{}", a.attachment.path), &[]),
        None => Finding::new(
            Verdict::AttestationRequired,
            format!("no architecture diagram attached; {topology}"),
        ),
    }
}

/// SCT / Schema Conversion: DMS Schema Conversion projects corroborate; desktop SCT
/// leaves no trace in the account, so a statement or report is needed.
pub fn schema_tooling(input: &Input<'_>, item: &Item) -> Finding {
    let f = input.facts;
    let projects: Vec<&str> = f
        .migration_projects
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut evidence = if projects.is_empty() {
        "no DMS Schema Conversion project in the account (desktop SCT leaves no trace in AWS)"
            .to_string()
    } else {
        format!(
            "DMS Schema Conversion project(s) {} with {} data provider(s)",
            projects.join(", "),
            f.data_providers.len()
        )
    };
    let prepared: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| m.settings.target_table_prep_mode.as_deref() == Some("DO_NOTHING"))
        .map(|m| m.id)
        .collect();
    if !prepared.is_empty() {
        evidence.push_str(&format!(
            "; task(s) {} load into a pre-created schema (TargetTablePrepMode DO_NOTHING)",
            prepared.join(", ")
        ));
    }
    let mut finding = Finding::new(Verdict::AttestationRequired, "")
        .value("migration_projects", projects.clone());
    for p in &f.migration_projects {
        finding = finding.cite(format!("migration_projects/{}", p.arn), &p.sources);
    }
    let attachments: Vec<String> = input
        .attachments(&item.id)
        .into_iter()
        .chain(input.attachments("dms.1.0.mig.schema-conv"))
        .map(|a| {
            format!(
                "{} (sha256 {}…)",
                a.attachment.path,
                crate::text::prefix(&a.sha256, 12)
            )
        })
        .collect();
    let said = statement(input, item);
    if said.is_none() && attachments.is_empty() {
        return Finding {
            reason: format!("{evidence}; no statement or SCT report was given"),
            ..finding
        };
    }
    let mut reason = evidence;
    if let Some((text, key)) = said {
        reason.push_str(&format!("; statements.{key}: {}", quote(text)));
        finding = finding.value("statement", text);
    }
    if !attachments.is_empty() {
        reason.push_str(&format!("; attached: {}", attachments.join(", ")));
    }
    Finding {
        verdict: Verdict::Attested,
        reason,
        ..finding
    }
}

/// SCT for assessment and planning: met when a DMS Schema Conversion metadata model
/// assessment succeeded in the account; otherwise as [`schema_tooling`] (desktop SCT
/// leaves no trace in AWS, so a statement or report is needed).
pub fn schema_conversion_assessment(input: &Input<'_>, item: &Item) -> Finding {
    let done: Vec<&crate::facts::MetadataAssessment> = input
        .facts
        .metadata_assessments
        .iter()
        .filter(|a| {
            a.status.as_deref().is_some_and(|s| {
                matches!(
                    s.to_ascii_uppercase().as_str(),
                    "SUCCESS" | "SUCCEEDED" | "COMPLETED"
                )
            })
        })
        .collect();
    if done.is_empty() {
        let f = schema_tooling(input, item);
        let gap = input
            .gap_note(&[
                "dms:ListMetadataModelAssessments",
                "dms:ListMigrationProjects",
            ])
            .map(|g| format!("; {g}"))
            .unwrap_or_default();
        return Finding {
            reason: format!(
                "{}; no successful DMS Schema Conversion assessment{gap}",
                f.reason
            ),
            ..f
        };
    }
    let mut f = Finding::new(
        Verdict::Met,
        format!(
            "DMS Schema Conversion assessment(s) succeeded: {}",
            done.iter()
                .map(|a| format!(
                    "{} in project {}",
                    a.request_id.as_deref().unwrap_or("?"),
                    a.migration_project.rsplit(':').next().unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    for a in done {
        f = f.cite(
            format!("metadata_assessments/{}", a.migration_project),
            &a.sources,
        );
    }
    f
}

/// One of the two production references: this account's part of it.
pub fn production_reference(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let min = item.params.number("min_bytes");
    let size = input.largest_size();
    let healthy: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                Some("running" | "stopped" | "completed" | "load complete")
            )
        })
        .filter(|m| m.stats.and_then(|s| s.tables_errored) == Some(0))
        .map(|m| m.id)
        .collect();
    let size_text = match &size {
        Ok((b, s)) => format!("{} ({})", gb(*b), s.basis),
        Err(why) => format!("no measured size ({})", why.join("; ")),
    };
    let size = size.ok();
    let mut f = Finding::new(Verdict::Met, "").value("size_bytes", size.as_ref().map(|(b, _)| *b));
    if let Some((_, s)) = &size {
        f = f.cite(s.pointer.clone(), &s.sources);
    }
    let technical = match (&size, healthy.is_empty()) {
        (Some((bytes, _)), false) if *bytes >= min => Finding {
            reason: format!(
                "this case study is one reference: {size_text} and migration(s) {} with 0 errored tables; the second \
                 reference is another bundle",
                healthy.join(", ")
            ),
            ..f
        },
        (Some((bytes, _)), _) if *bytes < min => {
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!("{size_text} is below {}", gb(min)),
                ..f
            };
        }
        (_, true) => {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: "no running or completed migration with 0 errored tables".into(),
                ..f
            };
        }
        _ => {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{size_text}: the database size cannot be shown"),
                ..f
            };
        }
    };
    with_statement(input, item, technical)
}
