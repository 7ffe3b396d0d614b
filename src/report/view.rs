//! The report's view model: everything either rendering shows, computed once from the
//! predicate, the evaluation and the verification status.

use serde::Serialize;

use super::chart::{Chart, charts};
use super::condense::{Listed, condense, some};
use super::timeline::{Row, Timeline, timelines};
use crate::bundle::Predicate;
use crate::evaluate::Evaluation;
use crate::evaluate::view::Input;
use crate::evidence::Evidence;
use crate::verify::Report as Verification;

/// What the report shows about signatures.
pub enum Status<'a> {
    Verified(&'a Verification),
    Failed(&'a Verification),
    NotChecked,
}

impl Status<'_> {
    fn text(&self) -> String {
        match self {
            Status::Verified(r) => format!("verified: signed by {}", r.signed_by.join(", ")),
            Status::Failed(r) => format!(
                "NOT VERIFIED: {}",
                r.failures()
                    .iter()
                    .map(|c| format!("{}: {}", c.step, c.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Status::NotChecked => {
                "not checked: no trusted public key was given (--public-key)".into()
            }
        }
    }
}

#[derive(Serialize)]
pub struct View {
    title: String,
    /// (label, value) rows of the cover.
    cover: Vec<(&'static str, String)>,
    signature: String,
    incomplete: Option<String>,
    endpoint_override: Option<String>,
    items: usize,
    counts: String,
    patterns: String,
    readiness: String,
    findings: Vec<FindingView>,
    claims: Vec<ClaimView>,
    /// The peers' checks (Security Hub DMS.x, and ours beside them): (control, title,
    /// resource, result, reason).
    peer_checks: Vec<[String; 5]>,
    statements: Vec<(String, String)>,
    attachments: Vec<AttachmentView>,
    topology: Vec<[String; 4]>,
    charts: Vec<Chart>,
    summary: ExecutiveSummary,
    timelines: Vec<Timeline>,
    /// The migrations not drawn in full, one row each; a row's supports are left empty
    /// when they are `other_supports`, what most of them support.
    other_migrations: Vec<Row>,
    other_supports: String,
    /// The series past the first [`CHARTED`], not drawn.
    more_charts: usize,
    captures: Vec<CaptureView>,
    renewal: Option<RenewalView>,
    /// Appendix B: every name the condensed reasons leave out.
    listed: Vec<ListedView>,
}

/// A row of appendix B.
#[derive(Serialize)]
struct ListedView {
    items: Vec<String>,
    says: String,
    count: usize,
    names: String,
}

/// The migrations drawn in full, the others one row each, and what most of those
/// support (left out of their rows).
fn migrations(input: &Input<'_>, eval: &Evaluation) -> (Vec<Timeline>, Vec<Row>, String) {
    let (drawn, mut rows) = timelines(input, eval);
    let common = most_common(rows.iter().map(|r| r.supports.as_str()));
    for r in &mut rows {
        if r.supports == common {
            r.supports.clear();
        }
    }
    (drawn, rows, common)
}

/// Series drawn; the signed bundle has them all.
const CHARTED: usize = 12;

/// The first [`CHARTED`] charts, and how many more series there are.
fn charted(input: &Input<'_>) -> (Vec<Chart>, usize) {
    let mut all = charts(input);
    let more = all.len().saturating_sub(CHARTED);
    all.truncate(CHARTED);
    (all, more)
}

/// The value most of `values` have (the first of the most frequent), or "".
fn most_common<'v>(values: impl Iterator<Item = &'v str>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(v, _)| v.to_string())
        .unwrap_or_default()
}

/// Resources a grouped peer-check row names before it counts the rest.
const PEER_NAMES: usize = 3;

/// The peer checks as table rows: control, title, resources, result, reason. Resources
/// with the same result for the same reason share a row, which names a few by their
/// resource id and counts the rest (every per-resource result is in the signed bundle,
/// and in `export --format ocsf`).
fn peer_rows(eval: &Evaluation) -> Vec<[String; 5]> {
    let mut rows: Vec<([String; 4], Vec<&str>)> = Vec::new();
    for c in &eval.peer_checks {
        let result = serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let key = [c.control.clone(), c.title.clone(), result, c.reason.clone()];
        let id = c.resource.rsplit([':', '/']).next().unwrap_or(&c.resource);
        match rows.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ids)) => ids.push(id),
            None => rows.push((key, vec![id])),
        }
    }
    rows.into_iter()
        .map(|([control, title, result, reason], ids)| {
            let resources = if ids.len() <= PEER_NAMES {
                ids.join(", ")
            } else {
                format!(
                    "{} resources: {}, …",
                    ids.len(),
                    ids[..PEER_NAMES].join(", ")
                )
            };
            [control, title, resources, result, reason]
        })
        .collect()
}

/// The link to last year's bundle, what changed since, and what is carried forward.
#[derive(Serialize)]
struct RenewalView {
    previous: String,
    collected_at: String,
    signed_by: String,
    regressions: usize,
    ready: bool,
    readiness: String,
    rejudged: Option<String>,
    /// (kind, item, old → new, reason)
    changes: Vec<(&'static str, String, String, String)>,
    /// (item, evidence, when AWS forgot it, captured in)
    carried: Vec<(String, String, String, String)>,
}

/// What is proven, what is attested, what blocks: the first page an auditor reads.
#[derive(Serialize)]
struct ExecutiveSummary {
    proven: Vec<String>,
    attested: Vec<String>,
    not_applicable: Vec<String>,
    blockers: Vec<(String, &'static str, String)>,
    ready: bool,
    /// When the first time-limited AWS evidence behind a `met` starts to disappear.
    expiry: Option<String>,
}

/// One line of the evidence appendix.
#[derive(Serialize)]
struct CaptureView {
    id: String,
    operation: String,
    region: String,
    time: String,
    sha256: String,
}

#[derive(Serialize)]
struct FindingView {
    item: String,
    verdict: &'static str,
    /// The reason with repeated clauses written once ([`condense`]).
    reason: String,
    /// The same, at most [`BRIEF`] characters, for the tables.
    brief: String,
    values: Vec<(String, String)>,
    evidence: String,
    sources: String,
    remediation: Option<String>,
}

#[derive(Serialize)]
struct ClaimView {
    claim: String,
    stated: String,
    observed: String,
    result: &'static str,
    reason: String,
}

#[derive(Serialize)]
struct AttachmentView {
    item: String,
    path: String,
    sha256: String,
    /// The first 12 hex digits, for tables (the appendix has the full digest).
    short: String,
    size: u64,
    media_type: String,
}

impl View {
    pub fn new(p: &Predicate, eval: &Evaluation, status: &Status<'_>) -> View {
        let ev = &p.evidence;
        let cs = &ev.case_study.case_study;
        let input = Input::new(ev);
        let (timelines, other_migrations, other_supports) = migrations(&input, eval);
        let (charts, more_charts) = charted(&input);
        let mut listed = Vec::new();
        let findings = eval
            .findings
            .iter()
            .map(|f| finding(f, &mut listed))
            .collect();
        let counts: Vec<String> = eval
            .summary
            .verdicts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        View {
            title: cs
                .name
                .clone()
                .unwrap_or_else(|| format!("AWS DMS evidence for account {}", cs.account_id)),
            cover: cover(p, eval),
            signature: status.text(),
            incomplete: (!ev.collection.complete).then(|| ev.collection.incomplete_note()),
            endpoint_override: ev.collection.endpoint_override.clone(),
            items: eval.summary.items,
            counts: counts.join(", "),
            patterns: eval.summary.patterns.clone(),
            readiness: eval.summary.readiness(),
            findings,
            claims: eval
                .claims
                .iter()
                .map(|c| ClaimView {
                    claim: c.claim.clone(),
                    stated: c.stated.to_string(),
                    observed: c.observed.to_string(),
                    result: c.result.as_str(),
                    reason: c.reason.clone(),
                })
                .collect(),
            peer_checks: peer_rows(eval),
            statements: cs.statements.clone().into_iter().collect(),
            attachments: ev
                .attachments
                .iter()
                .map(|a| AttachmentView {
                    item: a.attachment.item.clone(),
                    path: a.attachment.path.clone(),
                    sha256: a.sha256.clone(),
                    short: crate::text::prefix(&a.sha256, 12).to_string(),
                    size: a.size,
                    media_type: a.media_type.clone(),
                })
                .collect(),
            topology: topology(ev),
            charts,
            summary: executive_summary(eval),
            timelines,
            other_migrations,
            other_supports,
            more_charts,
            captures: ev
                .captures
                .iter()
                .map(|c| CaptureView {
                    id: c.id.clone(),
                    operation: format!("{}:{}", c.service, c.operation),
                    region: c.region.clone(),
                    time: c.time.to_string(),
                    sha256: c.sha256.clone(),
                })
                .collect(),
            renewal: p.renewal.as_ref().map(renewal),
            listed: appendix_b(listed),
        }
    }
}

/// Appendix B's rows: the names each condensed reason counts, one row for the items
/// that count the same names (the same targets are counted by the size, sizing and
/// encryption items alike).
fn appendix_b(listed: Vec<Listed>) -> Vec<ListedView> {
    let mut rows: Vec<(Vec<String>, Vec<String>, Vec<String>)> = Vec::new();
    for l in listed {
        match rows.iter_mut().find(|(names, _, _)| *names == l.names) {
            Some((_, items, says)) => {
                if !items.contains(&l.item) {
                    items.push(l.item);
                }
                if !says.contains(&l.says) {
                    says.push(l.says);
                }
            }
            None => rows.push((l.names, vec![l.item], vec![l.says])),
        }
    }
    rows.into_iter()
        .map(|(names, items, says)| ListedView {
            count: names.len(),
            names: names.join(", "),
            items,
            says: says.join(" / "),
        })
        .collect()
}

fn renewal(r: &crate::bundle::renewal::Renewal) -> RenewalView {
    let verdict = |v: Option<crate::evaluate::Verdict>| v.map_or("(absent)", |v| v.as_str());
    let keyids: Vec<&str> = r
        .previous
        .signatures
        .iter()
        .map(|s| s.keyid.as_str())
        .collect();
    RenewalView {
        previous: r.previous.sha256.clone(),
        collected_at: r.previous.collected_at.to_string(),
        signed_by: keyids.join(", "),
        regressions: r.regressions,
        ready: r.ready,
        readiness: r.readiness.clone(),
        rejudged: r.previous_rejudged.clone(),
        changes: r
            .changes
            .iter()
            .map(|c| {
                (
                    c.kind.as_str(),
                    c.item.clone(),
                    format!("{} → {}", verdict(c.old), verdict(c.new)),
                    c.reason.clone(),
                )
            })
            .collect(),
        carried: r
            .carried_forward
            .iter()
            .map(|c| {
                (
                    c.item.clone(),
                    c.evidence.clone(),
                    c.expired.to_string(),
                    format!(
                        "{} (bundle {}…)",
                        c.origin.collected_at,
                        crate::text::prefix(&c.origin.sha256, 12)
                    ),
                )
            })
            .collect(),
    }
}

fn executive_summary(eval: &Evaluation) -> ExecutiveSummary {
    use crate::evaluate::Verdict;
    let with = |v: Verdict| -> Vec<String> {
        eval.findings
            .iter()
            .filter(|f| f.verdict == v)
            .map(|f| f.item.clone())
            .collect()
    };
    ExecutiveSummary {
        proven: with(Verdict::Met),
        attested: with(Verdict::Attested),
        not_applicable: with(Verdict::NotApplicable),
        blockers: eval
            .summary
            .blockers
            .iter()
            .map(|b| {
                let (reason, _) = condense(&b.item, &b.reason);
                (b.item.clone(), b.verdict.as_str(), brief(&reason))
            })
            .collect(),
        ready: eval.summary.ready,
        expiry: eval.expiry.first().map(|x| {
            format!(
                "{} ({} rests on {}; {}): collect again before that date, or keep this bundle",
                x.expires, x.item, x.evidence, x.basis
            )
        }),
    }
}

/// The cover: who, where, when, how, signed by whom, judged by what.
fn cover(p: &Predicate, eval: &Evaluation) -> Vec<(&'static str, String)> {
    let ev = &p.evidence;
    let cs = &ev.case_study.case_study;
    let c = &ev.collection;
    let signers: Vec<String> = p
        .signers
        .iter()
        .map(|s| format!("{} ({})", s.keyid, s.algorithm))
        .collect();
    let checklist = &eval.checklist;
    vec![
        ("AWS account", cs.account_id.clone()),
        ("Role", cs.role_arn.clone()),
        ("Regions", cs.regions.join(", ")),
        (
            "Collected",
            format!("{} to {}", c.started_at, c.finished_at),
        ),
        ("Caller", c.caller.arn.clone()),
        ("AWS calls", c.calls_line()),
        ("Signers", signers.join("; ")),
        (
            "Checklist",
            format!(
                "{} {} (sha256 {})",
                checklist.id, checklist.version, checklist.sha256
            ),
        ),
        ("Tool", format!("{} {}", ev.tool.name, ev.tool.version)),
    ]
}

/// The longest reason a table row shows; the rest is under Evidence per item.
const BRIEF: usize = 400;
/// The fact pointers and captures listed per item; the signed bundle has them all.
const LISTED: usize = 5;

/// A reason cut after the clause that reaches [`BRIEF`] characters.
fn brief(reason: &str) -> String {
    let head = crate::text::prefix(reason, BRIEF);
    if head.len() == reason.len() {
        return reason.to_string();
    }
    let cut = head
        .rfind("; ")
        .or_else(|| head.rfind(", "))
        .unwrap_or(head.len());
    format!("{} … (in full under Evidence per item)", &head[..cut])
}

fn finding(f: &crate::evaluate::Finding, listed: &mut Vec<Listed>) -> FindingView {
    let (reason, more) = condense(&f.item, &f.reason);
    listed.extend(more);
    FindingView {
        item: f.item.clone(),
        verdict: f.verdict.as_str(),
        brief: brief(&reason),
        reason,
        values: f
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        evidence: some(&f.evidence, LISTED),
        sources: some(&f.sources, LISTED),
        remediation: f.remediation.clone(),
    }
}

/// The topology: replication instance (or serverless) → task → source → target.
fn topology(ev: &Evidence) -> Vec<[String; 4]> {
    let f = &ev.facts;
    let ep = |arn: Option<&String>| {
        arn.and_then(|a| f.endpoint(a))
            .map_or("(not found)".to_string(), |e| {
                format!("{} ({}, {})", e.identifier, e.engine, e.host.kind.as_str())
            })
    };
    let mut rows: Vec<[String; 4]> = f
        .tasks
        .iter()
        .map(|t| {
            let inst = t
                .instance_arn
                .as_deref()
                .and_then(|a| f.instance(a))
                .map_or("(not found)".into(), |i| {
                    format!(
                        "{} ({}, {})",
                        i.identifier,
                        i.class.as_deref().unwrap_or("?"),
                        match i.publicly_accessible {
                            Some(true) => "public",
                            Some(false) => "private",
                            None => "access unknown",
                        }
                    )
                });
            [
                inst,
                format!(
                    "{} ({})",
                    t.identifier,
                    t.migration_type.as_deref().unwrap_or("?")
                ),
                ep(t.source_arn.as_ref()),
                ep(t.target_arn.as_ref()),
            ]
        })
        .collect();
    rows.extend(f.serverless.iter().map(|s| {
        [
            "DMS Serverless".to_string(),
            format!(
                "{} ({})",
                s.identifier,
                s.replication_type.as_deref().unwrap_or("?")
            ),
            ep(s.source_arn.as_ref()),
            ep(s.target_arn.as_ref()),
        ]
    }));
    rows
}
