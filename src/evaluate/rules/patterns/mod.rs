//! Section 2.1 solution characteristics: the deployment and workload patterns,
//! judged per migration that moved data from HOST(source), HOST(target), F(engine) and
//! the changes CDC applied. A host that is not placed by evidence never proves a pattern that
//! depends on where a database runs: `unverified` counts only with the doubt
//! spelled out, `unknown` needs the partner's `source_hosting` claim (attested).

pub mod deployment_from_outside;
pub mod deployment_heterogeneous;
pub mod workload_cdc_continual;
pub mod workload_cdc_heterogeneous;
pub mod workload_cdc_homogeneous;

use super::{Finding, Input, Verdict, no_migrations, unless_unrecorded};
use crate::evaluate::view::Migration;
use crate::facts::{Endpoint, HostKind};

/// Every pattern's remediation: 2.1 asks for one deployment and one workload pattern.
const REMEDIATION: &str = "Show the pattern with another reference, or leave it: 2.1 needs one deployment and one workload pattern, not all.";

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
    format!(
        "{}{}: {} → {}",
        m.id,
        m.deleted_note(),
        side(m.source.as_deref()),
        side(m.target.as_deref())
    )
}

/// How one migration answers a pattern.
pub(crate) enum Answer {
    Yes,
    /// Yes if the unverified host is what the pattern needs; the doubt, spelled out.
    Doubtful(String),
    /// It depends on where a host with no address runs.
    Unknown(String),
    /// It would, but its CDC activity is not on record (statistics reset, metrics
    /// past CloudWatch retention): absence of evidence, not evidence of absence.
    Quiet,
    /// It may, but what would settle it is not on record (why).
    Unsettled(String),
    No,
}

/// Finds the migrations that moved data and answer `test`; met if any, attested when only
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
    let (mut hits, mut unknown, mut quiet) = (Vec::new(), Vec::new(), Vec::new());
    let mut unsettled = Vec::new();
    for m in &input.migrations {
        let (Some(src), Some(tgt)) = (m.source.as_deref(), m.target.as_deref()) else {
            continue;
        };
        match test(m, src, tgt) {
            Answer::Yes => hits.push(describe(m)),
            Answer::Doubtful(doubt) => hits.push(format!("{} ({doubt})", describe(m))),
            Answer::Unknown(why) => unknown.push(format!("{} ({why})", describe(m))),
            Answer::Quiet => quiet.push(describe(m)),
            Answer::Unsettled(why) => unsettled.push(format!("{} ({why})", describe(m))),
            Answer::No => continue,
        }
        f.add_citation(m.pointer(), &m.sources);
        f.add_citation(format!("endpoints/{}", src.arn), &src.sources);
        f.add_citation(format!("endpoints/{}", tgt.arn), &tgt.sources);
    }
    let never = input.unproven_note();
    if !hits.is_empty() {
        return Finding {
            reason: format!("{what}: {}{never}", hits.join("; ")),
            ..f
        };
    }
    if !unknown.is_empty() {
        return unknown_hosts(input, what, claimed, &unknown, f);
    }
    if !unsettled.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{what} not shown: {}{never}", unsettled.join("; ")),
            ..f
        };
    }
    if !quiet.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{what} only if its CDC ran: no applied change is on record for {} \
                 (statistics reset or metrics expired){never}",
                quiet.join("; ")
            ),
            ..f
        }
        .remedy("Keep the task's table statistics or CDC metrics as evidence; for a renewal, collect with --previous to carry last year's forward.");
    }
    let observed: Vec<String> = input.migrations.iter().map(describe).collect();
    if let Some(missing) = input.unresolved_endpoints() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!("{missing}; others: {}{never}", observed.join("; ")),
            ..f
        };
    }
    let f = Finding {
        verdict: Verdict::NotMet,
        reason: format!("no {what}; observed {}{never}", observed.join("; ")),
        ..f
    };
    unless_unrecorded(input, f, &format!("{what} would be shown"), |m| {
        match (m.source.as_deref(), m.target.as_deref()) {
            (Some(s), Some(t)) => !matches!(test(m, s, t), Answer::No),
            _ => false,
        }
    })
}

/// Only unknown hosts stand in the way: attested when the partner claims a hosting
/// that satisfies the pattern, insufficient evidence otherwise.
fn unknown_hosts(
    input: &Input<'_>,
    what: &str,
    claimed: &[&str],
    unknown: &[String],
    f: Finding,
) -> Finding {
    let never = input.unproven_note();
    let claim = input
        .evidence
        .case_study
        .case_study
        .claims
        .source_hosting
        .as_deref()
        .filter(|c| claimed.contains(&c.to_ascii_lowercase().as_str()));
    let unknown = unknown.join("; ");
    match claim {
        Some(c) => Finding {
            verdict: Verdict::Attested,
            reason: format!(
                "{what} only if the partner's claim holds: claims.source_hosting = \"{c}\" for {unknown}{never}"
            ),
            ..f
        }
        .value("source_hosting", c.to_string())
        .cite("case_study/claims/source_hosting", &[]),
        None => Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "where the source runs is not on record for {unknown}: AWS cannot show it{never}"
            ),
            ..f
        }
        .remedy("Give claims.source_hosting in the case study, or an endpoint with a server name the account can place."),
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

fn cdc_seen(m: &Migration<'_>) -> bool {
    m.cdc_applied().is_some()
}

/// A pattern that needs CDC: `a` when `cond` holds and the migration's CDC applied
/// changes; [`Answer::Quiet`] when it would but a CDC-type migration has no applied change
/// on record; no otherwise, and no when AWS says its run stopped before ongoing
/// replication (its cached changes are not CDC).
fn with_cdc(m: &Migration<'_>, cond: bool, a: Answer) -> Answer {
    match and(cond, a) {
        Answer::No => Answer::No,
        // A type not on record may have been CDC: neither yes nor no.
        _ if m.migration_type.is_none() => Answer::Quiet,
        _ if !m.has_cdc_type() => Answer::No,
        a if cdc_seen(m) => a,
        _ if m.ended_before_cdc().is_some() => Answer::No,
        _ => Answer::Quiet,
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn patterns_follow_host_and_family() {
        use HostKind::*;
        for ((se, sh), (te, th), item, want) in [
            (
                ("oracle", External),
                ("aurora-postgresql", Aurora),
                "dms.2.1.dep.hetero",
                Verdict::Met,
            ),
            (
                ("mysql", Ec2),
                ("mysql", Rds),
                "dms.2.1.dep.hetero",
                Verdict::NotMet,
            ),
            (
                ("mysql", Ec2),
                ("mysql", Rds),
                "dms.2.1.dep.onprem-ec2",
                Verdict::Met,
            ),
            (
                ("postgres", Rds),
                ("postgres", Rds),
                "dms.2.1.dep.onprem-ec2",
                Verdict::NotMet,
            ),
            (
                ("postgres", External),
                ("s3", AwsManaged),
                "dms.2.1.dep.onprem-ec2",
                Verdict::NotMet,
            ),
            (
                ("postgres", External),
                ("dynamodb", AwsManaged),
                "dms.2.1.dep.hetero",
                Verdict::Met,
            ),
        ] {
            let ev = evidence(
                endpoint("s", "source", se, sh, None),
                endpoint("t", "target", te, th, None),
            );
            assert_eq!(
                run(&ev, item).verdict,
                want,
                "{se} on {sh:?} → {te} on {th:?}: {item}"
            );
        }
    }

    #[test]
    fn unknown_hosts_are_not_outside_aws() {
        use HostKind::*;
        for (src, claim, want) in [
            (External, None, Verdict::Met),
            (Unverified, None, Verdict::Met),
            (Unknown, None, Verdict::InsufficientEvidence),
            (Unknown, Some("on-premises"), Verdict::Attested),
            (Unknown, Some("rds"), Verdict::InsufficientEvidence),
            (Rds, None, Verdict::NotMet),
        ] {
            let mut tgt = endpoint("t", "target", "aurora-postgresql", Aurora, None);
            tgt.host.resource = Some("c".into());
            let mut ev = evidence(endpoint("s", "source", "oracle", src, None), tgt);
            ev.case_study.case_study.claims.source_hosting = claim.map(str::to_string);
            let f = run(&ev, "dms.2.1.dep.onprem-ec2");
            assert_eq!(f.verdict, want, "{src:?} {claim:?}: {}", f.reason);
            if src == Unverified {
                assert!(
                    f.reason.contains("unverified"),
                    "the doubt is spelled out: {}",
                    f.reason
                );
            }
        }
    }

    #[test]
    fn cdc_patterns_without_activity_on_record_are_unknown_not_absent() {
        use HostKind::*;
        // (migration type, CDC metric on record, CDC pattern verdict)
        for (kind, metric, want) in [
            ("full-load-and-cdc", true, Verdict::Met),
            // A CDC task whose statistics were reset and metrics expired: unknown.
            ("full-load-and-cdc", false, Verdict::InsufficientEvidence),
            ("cdc", false, Verdict::InsufficientEvidence),
            // No CDC type: the pattern is absent whatever the metrics say.
            ("full-load", true, Verdict::NotMet),
            ("full-load", false, Verdict::NotMet),
        ] {
            let mut tgt = endpoint("t", "target", "aurora-postgresql", Aurora, None);
            tgt.host.resource = Some("c".into());
            let mut ev = evidence(endpoint("s", "source", "oracle", External, None), tgt);
            ev.facts.tasks[0].migration_type = Some(kind.into());
            if metric {
                ev.facts.metrics = vec![series(
                    "AWS/DMS",
                    "CDCThroughputRowsTarget",
                    "ReplicationTaskIdentifier",
                    "t1",
                    &[5.0],
                )];
            }
            for item in ["dms.2.1.wl.cdc-hetero", "dms.2.1.wl.cdc-continual"] {
                let f = run(&ev, item);
                assert_eq!(
                    f.verdict, want,
                    "{kind}, metric {metric}: {item}: {}",
                    f.reason
                );
            }
        }
    }
}
