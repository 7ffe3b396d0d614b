//! The report's view model: everything either rendering shows, computed once from the
//! predicate, the evaluation and the verification status.

use serde::Serialize;

use super::chart::{Chart, charts};
use super::timeline::{Timeline, timelines};
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
    captures: Vec<CaptureView>,
    renewal: Option<RenewalView>,
}

/// The peer checks as table rows: control, title, resource, result, reason.
fn peer_rows(eval: &Evaluation) -> Vec<[String; 5]> {
    eval.peer_checks
        .iter()
        .map(|c| {
            let result = serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            [
                c.control.clone(),
                c.title.clone(),
                c.resource.clone(),
                result,
                c.reason.clone(),
            ]
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
    reason: String,
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
            findings: eval.findings.iter().map(finding).collect(),
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
            charts: charts(&input),
            summary: executive_summary(eval),
            timelines: timelines(&input, eval),
            captures: ev
                .captures
                .iter()
                .map(|c| CaptureView {
                    id: c.id.clone(),
                    operation: format!("{}:{}", c.service, c.operation),
                    region: c.region.clone(),
                    time: c.time.clone(),
                    sha256: c.sha256.clone(),
                })
                .collect(),
            renewal: p.renewal.as_ref().map(renewal),
        }
    }
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
        collected_at: r.previous.collected_at.clone(),
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
                    c.expired.clone(),
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
            .map(|b| (b.item.clone(), b.verdict.as_str(), b.reason.clone()))
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

fn finding(f: &crate::evaluate::Finding) -> FindingView {
    FindingView {
        item: f.item.clone(),
        verdict: f.verdict.as_str(),
        reason: f.reason.clone(),
        values: f
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        evidence: f.evidence.join(", "),
        sources: f.sources.join(", "),
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
