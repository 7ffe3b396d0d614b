//! The auditor's report: a self-contained HTML page (no external assets, prints on
//! A4) or Markdown, rendered from a bundle's evidence and its verification status.

use std::fmt::Write as _;

use crate::bundle::Predicate;
use crate::evaluate::{Evaluation, Verdict};
use crate::evidence::Evidence;
use crate::facts::MetricSeries;
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

pub struct Chart<'a> {
    pub title: String,
    pub unit: &'a str,
    pub scale: f64,
    pub series: &'a MetricSeries,
}

fn charts(ev: &Evidence) -> Vec<Chart<'_>> {
    let mut out = Vec::new();
    for m in ev.facts.metrics.iter().filter(|m| !m.values.is_empty()) {
        let id = m.dimensions.values().last().cloned().unwrap_or_default();
        match (m.namespace.as_str(), m.name.as_str()) {
            ("AWS/DMS", "CDCIncomingChanges") => out.push(Chart {
                title: format!("CDC incoming changes per hour — {id}"),
                unit: "changes",
                scale: 1.0,
                series: m,
            }),
            ("AWS/RDS", "VolumeBytesUsed") => out.push(Chart {
                title: format!("Database size (Aurora VolumeBytesUsed) — {id}"),
                unit: "GB",
                scale: 1e-9,
                series: m,
            }),
            ("AWS/RDS", "FreeStorageSpace") => out.push(Chart {
                title: format!("Free storage — {id}"),
                unit: "GB",
                scale: 1e-9,
                series: m,
            }),
            _ => {}
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn day(t: i64) -> String {
    crate::time::date(t)
}

/// An inline SVG line chart of a series.
pub fn svg(chart: &Chart<'_>) -> String {
    let (w, h, pad) = (640.0, 180.0, 40.0);
    let s = chart.series;
    let values: Vec<f64> = s.values.iter().map(|v| v * chart.scale).collect();
    let (t0, t1) = (
        s.timestamps[0],
        *s.timestamps.last().unwrap_or(&s.timestamps[0]),
    );
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let span_t = (t1 - t0).max(1) as f64;
    let span_v = if hi > lo { hi - lo } else { 1.0 };
    let points: Vec<String> = s
        .timestamps
        .iter()
        .zip(&values)
        .map(|(t, v)| {
            let x = pad + (*t - t0) as f64 / span_t * (w - 2.0 * pad);
            let y = h - pad / 2.0 - (v - lo) / span_v * (h - pad);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 {w} {h}\" width=\"100%\">\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#ccc\"/>\
         <polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.2\" points=\"{points}\"/>\
         <text x=\"4\" y=\"14\" font-size=\"11\">{hi:.1} {unit}</text><text x=\"4\" y=\"{ylo}\" font-size=\"11\">{lo:.1} {unit}</text>\
         <text x=\"{pad}\" y=\"{yb}\" font-size=\"11\">{d0}</text><text x=\"{xr}\" y=\"{yb}\" font-size=\"11\" text-anchor=\"end\">{d1}</text></svg>",
        title = esc(&chart.title),
        points = points.join(" "),
        unit = chart.unit,
        ylo = h - pad / 2.0 - 4.0,
        yb = h - 4.0,
        xr = w - pad,
        d0 = day(t0),
        d1 = day(t1),
    )
}

fn verdict_class(v: Verdict) -> &'static str {
    v.as_str()
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

const CSS: &str = "@page{size:A4;margin:16mm}body{font:10.5pt/1.4 system-ui,sans-serif;color:#111;max-width:190mm;margin:auto}\
h1{font-size:18pt}h2{font-size:13pt;border-bottom:1px solid #999;margin-top:1.6em}table{border-collapse:collapse;width:100%;margin:.5em 0}\
th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top}th{background:#eee}\
.met{background:#e3f4e3}.not_met{background:#f9d6d6}.insufficient_evidence{background:#fdf0c8}.attestation_required{background:#dcecf7}\
.attested{background:#e4e4fb}.not_applicable{color:#666}code{font-size:9pt}tr{page-break-inside:avoid}\
.status{padding:6px;border:2px solid #333}@media print{h2{page-break-after:avoid}}";

pub fn html(p: &Predicate, eval: &Evaluation, status: &Status<'_>) -> String {
    let ev = &p.evidence;
    let cs = &ev.case_study.case_study;
    let mut o = String::new();
    let title = cs
        .name
        .clone()
        .unwrap_or_else(|| format!("AWS DMS evidence for account {}", cs.account_id));
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>",
        esc(&title)
    );
    let _ = write!(o, "<header id=\"cover\"><h1>{}</h1><table>", esc(&title));
    for (k, v) in [
        ("AWS account", cs.account_id.clone()),
        ("Role", cs.role_arn.clone()),
        ("Regions", cs.regions.join(", ")),
        (
            "Collected",
            format!(
                "{} to {}",
                ev.collection.started_at, ev.collection.finished_at
            ),
        ),
        ("Caller", ev.collection.caller.arn.clone()),
        ("AWS calls", ev.collection.calls_line()),
        (
            "Signers",
            p.signers
                .iter()
                .map(|s| format!("{} ({})", s.keyid, s.algorithm))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "Checklist",
            format!(
                "{} {} (sha256 {})",
                eval.checklist.id, eval.checklist.version, eval.checklist.sha256
            ),
        ),
        ("Tool", format!("{} {}", ev.tool.name, ev.tool.version)),
    ] {
        let _ = write!(o, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    let _ = write!(
        o,
        "</table><p class=\"status\" id=\"verification\"><b>Signature:</b> {}</p>",
        esc(&status.text())
    );
    if !ev.collection.complete {
        let _ = write!(
            o,
            "<p class=\"status not_met\" id=\"incomplete\"><b>{}</b></p>",
            esc(&ev.collection.incomplete_note())
        );
    }
    if let Some(e) = &ev.collection.endpoint_override {
        let _ = write!(
            o,
            "<p><b>Note:</b> collected from {} — not from AWS.</p>",
            esc(e)
        );
    }
    let counts: Vec<String> = eval
        .summary
        .verdicts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let _ = write!(
        o,
        "<p><b>Summary:</b> {} items: {}. 2.1: {}. {}</p></header>",
        eval.summary.items,
        counts.join(", "),
        esc(&eval.summary.patterns),
        esc(&eval.summary.readiness())
    );

    o.push_str("<section id=\"checklist\"><h2>Checklist</h2><table><tr><th>Item</th><th>Verdict</th><th>Reason</th></tr>");
    for f in &eval.findings {
        let _ = write!(
            o,
            "<tr class=\"{}\"><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            verdict_class(f.verdict),
            esc(&f.item),
            esc(&f.item),
            f.verdict.as_str(),
            esc(&f.reason)
        );
    }
    o.push_str("</table></section><section id=\"claims\"><h2>Claims</h2><table><tr><th>Claim</th><th>Stated</th><th>Observed</th><th>Result</th><th>Reason</th></tr>");
    for c in &eval.claims {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.claim),
            esc(&c.stated.to_string()),
            esc(&c.observed.to_string()),
            c.result.as_str(),
            esc(&c.reason)
        );
    }
    o.push_str("</table></section><section id=\"attestations\"><h2>Attestations</h2><table><tr><th>Statement</th><th>Text</th></tr>");
    for (k, v) in &cs.statements {
        let _ = write!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(v));
    }
    o.push_str("</table><table><tr><th>Item</th><th>Attachment</th><th>SHA-256</th><th>Size</th><th>Type</th></tr>");
    for a in &ev.attachments {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&a.attachment.item),
            esc(&a.attachment.path),
            a.sha256,
            a.size,
            esc(&a.media_type)
        );
    }
    o.push_str("</table></section><section id=\"topology\"><h2>Inventory and topology</h2><table><tr><th>Replication</th><th>Task</th><th>Source</th><th>Target</th></tr>");
    for row in topology(ev) {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&row[0]),
            esc(&row[1]),
            esc(&row[2]),
            esc(&row[3])
        );
    }
    o.push_str("</table></section><section id=\"charts\"><h2>Activity and size over time</h2>");
    let all = charts(ev);
    if all.is_empty() {
        o.push_str("<p>No CDC or size metrics on record.</p>");
    }
    for c in &all {
        let _ = write!(
            o,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            esc(&c.title),
            svg(c)
        );
    }
    o.push_str("</section><section id=\"details\"><h2>Evidence per item</h2>");
    for f in &eval.findings {
        let _ = write!(
            o,
            "<article id=\"{}\"><h3>{} — {}</h3><p>{}</p>",
            esc(&f.item),
            esc(&f.item),
            f.verdict.as_str(),
            esc(&f.reason)
        );
        if !f.values.is_empty() {
            o.push_str("<table>");
            for (k, v) in &f.values {
                let _ = write!(
                    o,
                    "<tr><th>{}</th><td>{}</td></tr>",
                    esc(k),
                    esc(&v.to_string())
                );
            }
            o.push_str("</table>");
        }
        if !f.evidence.is_empty() {
            let _ = write!(
                o,
                "<p>Facts: <code>{}</code></p>",
                esc(&f.evidence.join(", "))
            );
        }
        if !f.sources.is_empty() {
            let _ = write!(
                o,
                "<p>Captures: <code>{}</code></p>",
                esc(&f.sources.join(", "))
            );
        }
        if let Some(r) = &f.remediation {
            let _ = write!(o, "<p><b>Remediation:</b> {}</p>", esc(r));
        }
        o.push_str("</article>");
    }
    o.push_str("</section></body></html>\n");
    o
}

pub fn markdown(p: &Predicate, eval: &Evaluation, status: &Status<'_>) -> String {
    let ev = &p.evidence;
    let cs = &ev.case_study.case_study;
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut o = String::new();
    let title = cs
        .name
        .clone()
        .unwrap_or_else(|| format!("AWS DMS evidence for account {}", cs.account_id));
    let _ = writeln!(o, "# {title}\n");
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| AWS account | {} |", cs.account_id);
    let _ = writeln!(o, "| Regions | {} |", cs.regions.join(", "));
    let _ = writeln!(
        o,
        "| Collected | {} to {} |",
        ev.collection.started_at, ev.collection.finished_at
    );
    let _ = writeln!(o, "| AWS calls | {} |", ev.collection.calls_line());
    let _ = writeln!(
        o,
        "| Signers | {} |",
        p.signers
            .iter()
            .map(|s| s.keyid.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "| Checklist | {} {} |",
        eval.checklist.id, eval.checklist.version
    );
    let _ = writeln!(o, "| Signature | {} |\n", cell(&status.text()));
    if !ev.collection.complete {
        let _ = writeln!(o, "**{}**\n", ev.collection.incomplete_note());
    }
    let _ = writeln!(
        o,
        "**Summary:** {} items; 2.1: {}. {}\n",
        eval.summary.items,
        eval.summary.patterns,
        eval.summary.readiness()
    );
    let _ = writeln!(
        o,
        "## Checklist\n\n| Item | Verdict | Reason |\n|---|---|---|"
    );
    for f in &eval.findings {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            f.item,
            f.verdict.as_str(),
            cell(&f.reason)
        );
    }
    let _ = writeln!(
        o,
        "\n## Claims\n\n| Claim | Stated | Observed | Result |\n|---|---|---|---|"
    );
    for c in &eval.claims {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            c.claim,
            cell(&c.stated.to_string()),
            cell(&c.observed.to_string()),
            c.result.as_str()
        );
    }
    let _ = writeln!(o, "\n## Attestations\n");
    for (k, v) in &cs.statements {
        let _ = writeln!(o, "- **{k}**: {}", cell(v));
    }
    for a in &ev.attachments {
        let _ = writeln!(
            o,
            "- attachment `{}` for {}: sha256 `{}`, {} bytes, {}",
            a.attachment.path, a.attachment.item, a.sha256, a.size, a.media_type
        );
    }
    let _ = writeln!(
        o,
        "\n## Inventory and topology\n\n| Replication | Task | Source | Target |\n|---|---|---|---|"
    );
    for row in topology(ev) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            cell(&row[0]),
            cell(&row[1]),
            cell(&row[2]),
            cell(&row[3])
        );
    }
    let _ = writeln!(o, "\n## Activity and size over time\n");
    for c in charts(ev) {
        let v = &c.series.values;
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        let _ = writeln!(
            o,
            "- {}: {} hourly points from {} to {}, {:.1} to {:.1} {}",
            c.title,
            v.len(),
            day(c.series.timestamps[0]),
            day(*c.series.timestamps.last().unwrap_or(&0)),
            lo * c.scale,
            hi * c.scale,
            c.unit
        );
    }
    o
}
