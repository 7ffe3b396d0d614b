//! Charts of the metric series that show activity and size: which series, and each as
//! an inline SVG line chart (no external assets).

use crate::evidence::Evidence;
use crate::facts::MetricSeries;

pub struct Chart<'a> {
    pub title: String,
    pub unit: &'a str,
    pub scale: f64,
    pub series: &'a MetricSeries,
}

/// The series worth a chart: CDC activity and database size, with their points.
pub fn charts(ev: &Evidence) -> Vec<Chart<'_>> {
    let mut out = Vec::new();
    let drawable = |m: &&MetricSeries| !m.values.is_empty() && m.timestamps.len() == m.values.len();
    for m in ev.facts.metrics.iter().filter(drawable) {
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

fn esc_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn day(t: i64) -> String {
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
        title = esc_attr(&chart.title),
        points = points.join(" "),
        unit = chart.unit,
        ylo = h - pad / 2.0 - 4.0,
        yb = h - 4.0,
        xr = w - pad,
        d0 = day(t0),
        d1 = day(t1),
    )
}
