//! Section 2.1 solution characteristics: the deployment and workload patterns,
//! judged per migration from HOST(source), HOST(target), F(engine) and CDC activity.

use super::{Finding, Input, Item, Verdict, no_migrations};
use crate::evaluate::view::Migration;
use crate::facts::{Endpoint, HostKind};

/// Aurora, RDS, Redshift or DynamoDB: the targets 2.1 names.
fn named_target(e: &Endpoint) -> bool {
    matches!(
        e.host.kind,
        HostKind::Rds | HostKind::Aurora | HostKind::Redshift
    ) || e.engine == "dynamodb"
}

fn describe(m: &Migration<'_>) -> String {
    let side = |e: Option<&Endpoint>| {
        e.map_or("?".to_string(), |e| {
            format!("{} on {:?}", e.engine, e.host.kind).to_lowercase()
        })
    };
    format!("{}: {} → {}", m.id, side(m.source), side(m.target))
}

/// Finds the migrations that satisfy `test`; met if any, else not_met (or
/// insufficient when an endpoint could not be resolved).
fn pattern(
    input: &Input<'_>,
    what: &str,
    test: impl Fn(&Migration<'_>, &Endpoint, &Endpoint) -> bool,
) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let mut hits = Vec::new();
    let mut unresolved = Vec::new();
    for m in &input.migrations {
        let (Some(src), Some(tgt)) = (m.source, m.target) else {
            unresolved.push(m.id);
            continue;
        };
        if test(m, src, tgt) {
            hits.push(describe(m));
            f = f
                .cite(m.pointer(), &m.sources)
                .cite(format!("endpoints/{}", src.arn), &src.sources)
                .cite(format!("endpoints/{}", tgt.arn), &tgt.sources);
        }
    }
    if !hits.is_empty() {
        return Finding {
            reason: format!("{what}: {}", hits.join("; ")),
            ..f
        };
    }
    let observed: Vec<String> = input.migrations.iter().map(describe).collect();
    if !unresolved.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "endpoints of {} not found (deleted?); others: {}",
                unresolved.join(", "),
                observed.join("; ")
            ),
            ..f
        };
    }
    Finding {
        verdict: Verdict::NotMet,
        reason: format!("no {what}; observed {}", observed.join("; ")),
        ..f
    }
}

pub fn deployment_heterogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "heterogeneous migration to a managed AWS database",
        |_, s, t| named_target(t) && s.family != t.family,
    )
}

pub fn deployment_from_outside(input: &Input<'_>, _item: &Item) -> Finding {
    let f = pattern(
        input,
        "migration from outside AWS or EC2 to a managed AWS database",
        |_, s, t| named_target(t) && matches!(s.host.kind, HostKind::External | HostKind::Ec2),
    );
    if f.verdict == Verdict::Met && f.reason.contains("on external") {
        let reason = format!(
            "{} (external: on premises or elsewhere outside AWS; AWS cannot tell which)",
            f.reason
        );
        return Finding { reason, ..f };
    }
    f
}

fn cdc_seen(input: &Input<'_>, m: &Migration<'_>) -> bool {
    m.has_cdc_type() && m.cdc_changes(input).is_some_and(|n| n > 0.0)
}

pub fn workload_cdc_heterogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "CDC from a database outside AWS to RDS/Aurora on a different engine",
        |m, s, t| {
            cdc_seen(input, m)
                && s.family != t.family
                && s.host.kind == HostKind::External
                && matches!(t.host.kind, HostKind::Rds | HostKind::Aurora)
        },
    )
}

pub fn workload_cdc_homogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "CDC between databases of the same engine family",
        |m, s, t| cdc_seen(input, m) && s.family == t.family,
    )
}

pub fn workload_cdc_continual(input: &Input<'_>, item: &Item) -> Finding {
    let days = item.params.number("min_days");
    let mut shared = std::collections::BTreeMap::<&str, usize>::new();
    for m in input.migrations.iter().filter(|m| cdc_seen(input, m)) {
        if let Some(s) = m.source {
            *shared.entry(s.arn.as_str()).or_default() += 1;
        }
    }
    let f = pattern(
        input,
        &format!("continual CDC (running, or {days:.0}+ days, or two CDC tasks on one source)"),
        |m, s, _| {
            cdc_seen(input, m)
                && (m.status == Some("running")
                    || m.cdc_days(input.now).is_some_and(|d| d >= days)
                    || shared.get(s.arn.as_str()).is_some_and(|n| *n >= 2))
        },
    );
    if f.verdict != Verdict::Met {
        return f;
    }
    let longest = input
        .migrations
        .iter()
        .filter(|m| cdc_seen(input, m))
        .filter_map(|m| m.cdc_days(input.now))
        .fold(0.0, f64::max);
    Finding {
        reason: format!("{}; longest CDC run {longest:.0} days", f.reason),
        ..f
    }
    .value("cdc_days", (longest * 10.0).round() / 10.0)
}
