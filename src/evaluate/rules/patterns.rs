//! Section 2.1 solution characteristics: the deployment and workload patterns,
//! judged per migration that ran from HOST(source), HOST(target), F(engine) and
//! CDC activity. A host that is not placed by evidence never proves a pattern that
//! depends on where a database runs: `unverified` counts only with the doubt
//! spelled out, `unknown` needs the partner's `source_hosting` claim (attested).

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
            format!("{} on {}", e.engine, e.host.kind.as_str())
        })
    };
    format!("{}: {} → {}", m.id, side(m.source), side(m.target))
}

/// How one migration answers a pattern.
pub(crate) enum Answer {
    Yes,
    /// Yes if the unverified host is what the pattern needs; the doubt, spelled out.
    Doubtful(String),
    /// It depends on where a host with no address runs.
    Unknown(String),
    No,
}

/// Finds the migrations that ran and answer `test`; met if any, attested when only
/// an unknown host stands in the way and the partner claims the hosting, otherwise
/// insufficient evidence (unresolved endpoints, unknown hosts) or not met.
fn pattern(
    input: &Input<'_>,
    what: &str,
    claimed: &[&str],
    test: impl Fn(&Migration<'_>, &Endpoint, &Endpoint) -> Answer,
) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut f = Finding::new(Verdict::Met, "");
    let (mut hits, mut unknown) = (Vec::new(), Vec::new());
    for m in &input.migrations {
        let (Some(src), Some(tgt)) = (m.source, m.target) else {
            continue;
        };
        let cite = |f: Finding| {
            f.cite(m.pointer(), &m.sources)
                .cite(format!("endpoints/{}", src.arn), &src.sources)
                .cite(format!("endpoints/{}", tgt.arn), &tgt.sources)
        };
        match test(m, src, tgt) {
            Answer::Yes => {
                hits.push(describe(m));
                f = cite(f);
            }
            Answer::Doubtful(doubt) => {
                hits.push(format!("{} ({doubt})", describe(m)));
                f = cite(f);
            }
            Answer::Unknown(why) => {
                unknown.push(format!("{} ({why})", describe(m)));
                f = cite(f);
            }
            Answer::No => {}
        }
    }
    let never = input.never_ran_note();
    if !hits.is_empty() {
        return Finding {
            reason: format!("{what}: {}{never}", hits.join("; ")),
            ..f
        };
    }
    let observed: Vec<String> = input.migrations.iter().map(describe).collect();
    if !unknown.is_empty() {
        let claim = input
            .evidence
            .case_study
            .case_study
            .claims
            .source_hosting
            .as_deref()
            .filter(|c| claimed.contains(&c.to_ascii_lowercase().as_str()));
        return match claim {
            Some(c) => Finding {
                verdict: Verdict::Attested,
                reason: format!(
                    "{what} only if the partner's claim holds: claims.source_hosting = \"{c}\" for {}{never}",
                    unknown.join("; ")
                ),
                ..f
            }
            .value("source_hosting", c.to_string()),
            None => Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "where the source runs is not on record for {}: AWS cannot show it{never}",
                    unknown.join("; ")
                ),
                ..f
            }
            .remedy("Give claims.source_hosting in the case study, or an endpoint with a server name the account can place."),
        };
    }
    if let Some(missing) = input.unresolved_endpoints() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{missing}; others: {}{never}", observed.join("; ")),
            ..f
        };
    }
    Finding {
        verdict: Verdict::NotMet,
        reason: format!("no {what}; observed {}{never}", observed.join("; ")),
        ..f
    }
}

/// Where a source runs, for "from on premises or EC2" patterns.
fn outside_or_ec2(src: &Endpoint, ec2_counts: bool) -> Answer {
    match src.host.kind {
        HostKind::External => Answer::Yes,
        HostKind::Ec2 if ec2_counts => Answer::Yes,
        HostKind::Unverified => {
            Answer::Doubtful(format!("source host unverified: {}", src.host.basis))
        }
        HostKind::Unknown => Answer::Unknown(src.host.basis.clone()),
        _ => Answer::No,
    }
}

fn and(cond: bool, a: Answer) -> Answer {
    if cond { a } else { Answer::No }
}

pub fn deployment_heterogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "heterogeneous migration to a managed AWS database",
        &[],
        |_, s, t| and(named_target(t) && s.family != t.family, Answer::Yes),
    )
}

pub fn deployment_from_outside(input: &Input<'_>, _item: &Item) -> Finding {
    let f = pattern(
        input,
        "migration from on premises or EC2 to a managed AWS database",
        &[
            "on-premises",
            "on-prem",
            "onprem",
            "data-center",
            "datacenter",
            "ec2",
        ],
        |_, s, t| and(named_target(t), outside_or_ec2(s, true)),
    );
    if f.verdict == Verdict::Met && f.reason.contains("on external") {
        let reason = format!(
            "{} (external: outside this account's VPCs, on premises or elsewhere; AWS cannot tell which)",
            f.reason
        );
        return Finding { reason, ..f };
    }
    f
}

fn cdc_seen(input: &Input<'_>, m: &Migration<'_>) -> bool {
    m.cdc_activity(input).is_some()
}

pub fn workload_cdc_heterogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "CDC from a database outside AWS to RDS/Aurora on a different engine",
        &[
            "on-premises",
            "on-prem",
            "onprem",
            "data-center",
            "datacenter",
        ],
        |m, s, t| {
            and(
                cdc_seen(input, m)
                    && s.family != t.family
                    && matches!(t.host.kind, HostKind::Rds | HostKind::Aurora),
                outside_or_ec2(s, false),
            )
        },
    )
}

pub fn workload_cdc_homogeneous(input: &Input<'_>, _item: &Item) -> Finding {
    pattern(
        input,
        "CDC between databases of the same engine family",
        &[],
        |m, s, t| and(cdc_seen(input, m) && s.family == t.family, Answer::Yes),
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
        &[],
        |m, s, _| {
            and(
                cdc_seen(input, m)
                    && (m.status == Some("running")
                        || m.cdc_days(input.now).is_some_and(|d| d >= days)
                        || shared.get(s.arn.as_str()).is_some_and(|n| *n >= 2)),
                Answer::Yes,
            )
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
