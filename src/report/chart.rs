//! Charts of the metric series that show activity and size: which series, the
//! migration window each belongs to, and the geometry of a line chart with axes and
//! units. `templates/chart.svg` draws it; the engine escapes every text.

use serde::Serialize;

use crate::evaluate::view::{Input, Migration};
use crate::facts::{MetricSeries, Timestamp};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
/// Left margin for the value labels, bottom margin for the dates.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 28.0;

/// One chart, ready for the template.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub title: String,
    pub unit: &'static str,
    pub points: usize,
    pub from: String,
    pub to: String,
    pub low: String,
    pub high: String,
    /// The migration window, as dates, when the evidence dates it.
    pub window: Option<String>,
    pub plot: Plot,
}

/// The drawing: SVG coordinates, already scaled.
#[derive(Debug, Serialize)]
pub struct Plot {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub line: String,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// The shaded migration window (x and width), clipped to the plot.
    pub band: Option<(f64, f64)>,
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// What a series is, when it is worth a chart: title, unit and scale.
fn kind(m: &MetricSeries) -> Option<(&'static str, &'static str, f64)> {
    match (m.namespace.as_str(), m.name.as_str()) {
        ("AWS/DMS", "CDCThroughputRowsTarget") => Some((
            "CDC changes applied on the target (CDCThroughputRowsTarget)",
            "rows/s",
            1.0,
        )),
        ("AWS/DMS", "CDCIncomingChanges") => Some((
            "CDC backlog: changes waiting to be applied (CDCIncomingChanges)",
            "changes",
            1.0,
        )),
        ("AWS/RDS", "VolumeBytesUsed") => {
            Some(("Database size (Aurora VolumeBytesUsed)", "GB", 1e-9))
        }
        ("AWS/RDS", "FreeStorageSpace") => Some(("Free storage", "GB", 1e-9)),
        _ => None,
    }
}

/// The series worth a chart: CDC activity and database size, each with the window of the
/// migrations it belongs to.
pub fn charts(input: &Input<'_>) -> Vec<Chart> {
    input
        .facts
        .metrics
        .iter()
        .filter(|m| !m.values.is_empty() && m.timestamps.len() == m.values.len())
        .filter_map(|m| {
            let (title, unit, scale) = kind(m)?;
            let id = m.dimensions.values().last().cloned().unwrap_or_default();
            Some(chart(
                format!("{title} — {id}"),
                unit,
                scale,
                m,
                window(input, m),
            ))
        })
        .collect()
}

/// The span of the migrations a series measures: a task's own CDC metrics, or every
/// migration whose target is the measured database.
fn window(input: &Input<'_>, m: &MetricSeries) -> Option<crate::time::Span> {
    let names = |x: &Migration<'_>| {
        if x.region != m.region {
            return false;
        }
        let target = x.target.as_deref().and_then(|t| {
            let cluster = input.rds_cluster(t).map(|c| c.identifier.as_str());
            cluster.or_else(|| input.rds_instance(t).map(|d| d.identifier.as_str()))
        });
        m.dimensions
            .values()
            .any(|v| x.metric_ids.contains(&v.as_str()) || target == Some(v.as_str()))
    };
    input
        .migrations
        .iter()
        .filter(|x| names(x))
        .filter_map(|x| x.window)
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

fn chart(
    title: String,
    unit: &'static str,
    scale: f64,
    s: &MetricSeries,
    window: Option<crate::time::Span>,
) -> Chart {
    let values: Vec<f64> = s.values.iter().map(|v| v * scale).collect();
    let (t0, t1) = (
        s.timestamps[0],
        *s.timestamps.last().unwrap_or(&s.timestamps[0]),
    );
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    // Counts start at zero; sizes show their range.
    let lo = if unit == "changes" { lo.min(0.0) } else { lo };
    let span_t = (t1 - t0).max(time::Duration::SECOND);
    let span_v = if hi > lo { hi - lo } else { 1.0 };
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |t: Timestamp| LEFT + (t - t0) / span_t * pw;
    let y = |v: f64| TOP + ph - (v - lo) / span_v * ph;
    let line: Vec<String> = s
        .timestamps
        .iter()
        .zip(&values)
        .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
        .collect();
    let y_ticks = (0..=2)
        .map(|i| {
            let v = lo + span_v * f64::from(i) / 2.0;
            Tick {
                at: y(v),
                label: format!("{v:.1}"),
            }
        })
        .collect();
    let x_ticks = [t0, t0 + (t1 - t0) / 2_i32, t1]
        .into_iter()
        .map(|t| Tick {
            at: x(t),
            label: t.date(),
        })
        .collect();
    let band = window.and_then(|(a, b)| {
        let (a, b) = (a.max(t0), b.min(t1));
        (a <= b).then(|| (x(a), (x(b) - x(a)).max(1.0)))
    });
    Chart {
        title,
        unit,
        points: values.len(),
        from: t0.date(),
        to: t1.date(),
        low: format!("{lo:.1}"),
        high: format!("{hi:.1}"),
        window: window.map(|(a, b)| format!("{} to {}", a.date(), b.date())),
        plot: Plot {
            width: WIDTH,
            height: HEIGHT,
            left: LEFT,
            right: WIDTH - RIGHT,
            top: TOP,
            bottom: TOP + ph,
            line: line.join(" "),
            y_ticks,
            x_ticks,
            band,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> MetricSeries {
        MetricSeries {
            region: "us-east-1".into(),
            namespace: "AWS/DMS".into(),
            name: "CDCIncomingChanges".into(),
            timestamps: (0..values.len() as i64)
                .map(|d| Timestamp::from_secs(1_700_000_000) + time::Duration::days(d))
                .collect(),
            values: values.to_vec(),
            ..MetricSeries::default()
        }
    }

    #[test]
    fn the_window_is_clipped_to_the_series_and_axes_carry_dates_and_values() {
        let s = series(&[0.0, 10.0, 20.0, 5.0]);
        let (t0, t3) = (s.timestamps[0], s.timestamps[3]);
        let cases = [
            (None, None),
            (
                Some((t0 - time::Duration::DAY, t3 + time::Duration::DAY)),
                Some((LEFT, WIDTH - LEFT - RIGHT)),
            ),
            (
                Some((t3 + time::Duration::SECOND, t3 + time::Duration::seconds(2))),
                None,
            ),
        ];
        for (window, band) in cases {
            let c = chart("t".into(), "changes", 1.0, &s, window);
            assert_eq!(c.plot.band, band, "{window:?}");
            assert_eq!(
                c.plot.x_ticks.first().map(|t| t.label.as_str()),
                Some("2023-11-14")
            );
            assert_eq!(
                c.plot.y_ticks.last().map(|t| t.label.as_str()),
                Some("20.0")
            );
            assert_eq!(c.plot.line.split(' ').count(), 4);
        }
    }
}
