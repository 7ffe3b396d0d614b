//! Section 2.2 solution complexity: values observed in the account, reported with
//! their source, beside the partner's anticipated figures when given.

use std::collections::BTreeSet;

use super::{Finding, Input, Item, Verdict, no_migrations, quote, statement};
use crate::evaluate::view::{SizeSeries, gb};

/// An observed value: met (reported); otherwise the partner's anticipated figure.
fn observed_or_anticipated(
    input: &Input<'_>,
    item: &Item,
    observed: Option<Finding>,
    missing: String,
) -> Finding {
    let anticipated = statement(input, item);
    match (observed, anticipated) {
        (Some(f), Some((text, key))) => Finding {
            reason: format!(
                "{}; anticipated (statements.{key}): {}",
                f.reason,
                quote(text)
            ),
            ..f
        }
        .value("anticipated", text),
        (Some(f), None) => f,
        (None, Some((text, key))) => Finding::new(
            Verdict::Attested,
            format!("{missing}; anticipated (statements.{key}): {}", quote(text)),
        )
        .value("anticipated", text),
        (None, None) => Finding::new(Verdict::InsufficientEvidence, missing),
    }
}

fn sizes(input: &Input<'_>) -> Vec<SizeSeries> {
    input
        .migrations
        .iter()
        .filter_map(|m| m.target)
        .filter_map(|t| input.measured_size(t).ok())
        .collect()
}

pub fn initial_size(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let Some(s) = sizes(input).into_iter().max_by(|a, b| {
        a.points
            .first()
            .map(|p| p.1)
            .unwrap_or(0.0)
            .total_cmp(&b.points.first().map(|p| p.1).unwrap_or(0.0))
    }) else {
        return observed_or_anticipated(
            input,
            item,
            None,
            "no size measurement of any target".into(),
        );
    };
    let (t, bytes) = s.points[0];
    let day = crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(t));
    let min = item.params.number("min_bytes");
    let f = Finding::new(
        Verdict::Met,
        format!(
            "observed {} at {} ({}, first datapoint on record){}",
            gb(bytes),
            crate::text::prefix(&day, 10),
            s.basis,
            if bytes < min {
                format!("; below {}", gb(min))
            } else {
                String::new()
            }
        ),
    )
    .value("initial_size_bytes", bytes)
    .value("observed_at", day)
    .cite(s.pointer, &s.sources);
    observed_or_anticipated(input, item, Some(f), String::new())
}

pub fn growth(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let min_days = item.params.number("min_days");
    let observed = sizes(input).into_iter().find_map(|s| {
        let (t0, b0) = *s.points.first()?;
        let (t1, b1) = *s.points.last()?;
        let days = (t1 - t0) as f64 / 86_400.0;
        (days >= min_days && b0 > 0.0).then(|| {
            let yearly = (b1 - b0) / days * 365.0;
            Finding::new(
                Verdict::Met,
                format!(
                    "observed {} → {} over {days:.0} days ({}): about {} a year ({:+.0} %)",
                    gb(b0),
                    gb(b1),
                    s.basis,
                    gb(yearly),
                    100.0 * yearly / b0
                ),
            )
            .value("yearly_growth_bytes", yearly.round())
            .value("observed_days", days.round())
            .cite(s.pointer.clone(), &s.sources)
        })
    });
    observed_or_anticipated(
        input,
        item,
        observed,
        format!("less than {min_days:.0} days of size measurements: growth is not observable"),
    )
}

pub fn tables(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut names = BTreeSet::new();
    let mut f = Finding::new(Verdict::Met, "");
    let mut read = 0;
    for m in &input.migrations {
        if let Some(rows) = m.tables {
            read += 1;
            names.extend(rows.iter().map(|r| (r.schema.as_str(), r.table.as_str())));
            f = f.cite(m.pointer(), &m.sources);
        }
    }
    if read == 0 {
        let gap = input.gap_paren(&[
            "dms:DescribeTableStatistics",
            "dms:DescribeReplicationTableStatistics",
        ]);
        return observed_or_anticipated(input, item, None, format!("no table statistics{gap}"));
    }
    let schemas: BTreeSet<&str> = names.iter().map(|(s, _)| *s).collect();
    let observed = Finding {
        reason: format!("{} tables in {} schema(s) in the migration scope (table statistics of {read} migration(s))", names.len(), schemas.len()),
        ..f
    }
    .value("tables", names.len());
    observed_or_anticipated(input, item, Some(observed), String::new())
}

pub fn concurrency(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let mut best: Option<(f64, String, Vec<String>)> = None;
    for t in input.migrations.iter().filter_map(|m| m.target) {
        let (dim, r) = match (input.rds_cluster(t), input.rds_instance(t)) {
            (Some(c), _) => ("DBClusterIdentifier", c.identifier.clone()),
            (None, Some(d)) => ("DBInstanceIdentifier", d.identifier.clone()),
            _ => continue,
        };
        let r = r.as_str();
        if let Some(s) = input.series(&t.region, "AWS/RDS", "DatabaseConnections", dim, &[r]) {
            let peak = s.values.iter().copied().fold(0.0, f64::max);
            if best.as_ref().is_none_or(|b| peak > b.0) {
                best = Some((peak, r.to_string(), s.sources.clone()));
            }
        }
    }
    let observed = best.map(|(peak, r, sources)| {
        Finding::new(Verdict::Met, format!("observed peak {peak:.0} concurrent connections on {r} (CloudWatch DatabaseConnections, hourly maximum)"))
            .value("peak_connections", peak)
            .cite(format!("metrics/AWS/RDS/DatabaseConnections/{r}"), &sources)
    });
    observed_or_anticipated(
        input,
        item,
        observed,
        "no DatabaseConnections metric for any RDS/Aurora target".into(),
    )
}

pub fn read_write(input: &Input<'_>, item: &Item) -> Finding {
    if input.migrations.is_empty() {
        return no_migrations(input);
    }
    let read = item.params.measure.as_deref() != Some("write");
    let mut observed = None;
    for t in input.migrations.iter().filter_map(|m| m.target) {
        let (pairs, r) = match (input.rds_cluster(t), input.rds_instance(t)) {
            (Some(c), _) => (
                ("SelectThroughput", "DMLThroughput", "DBClusterIdentifier"),
                c.identifier.clone(),
            ),
            (None, Some(d)) => (
                ("ReadIOPS", "WriteIOPS", "DBInstanceIdentifier"),
                d.identifier.clone(),
            ),
            _ => continue,
        };
        let r = r.as_str();
        let (Some(rs), Some(ws)) = (
            input.series(&t.region, "AWS/RDS", pairs.0, pairs.2, &[r]),
            input.series(&t.region, "AWS/RDS", pairs.1, pairs.2, &[r]),
        ) else {
            continue;
        };
        // The peak hour: the hour with the most operations of both kinds.
        let writes: std::collections::BTreeMap<i64, f64> = ws
            .timestamps
            .iter()
            .copied()
            .zip(ws.values.iter().copied())
            .collect();
        let peak = rs
            .timestamps
            .iter()
            .zip(rs.values.iter())
            .filter_map(|(t, r)| writes.get(t).map(|w| (*t, *r, *w)))
            .max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)));
        if let Some((t, rv, wv)) = peak.filter(|p| p.1 + p.2 > 0.0) {
            let pct = 100.0 * if read { rv } else { wv } / (rv + wv);
            let hour = crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(t));
            observed = Some(
                Finding::new(
                    Verdict::Met,
                    format!(
                        "observed {pct:.0} % {} at the peak hour {hour} on {r} ({} {rv:.0}/s, {} {wv:.0}/s)",
                        if read { "reads" } else { "writes" },
                        pairs.0,
                        pairs.1
                    ),
                )
                .value("percent", (pct * 10.0).round() / 10.0)
                .value("peak_hour", hour)
                .cite(format!("metrics/AWS/RDS/{}/{r}", pairs.0), &rs.sources)
                .cite(format!("metrics/AWS/RDS/{}/{r}", pairs.1), &ws.sources),
            );
            break;
        }
    }
    observed_or_anticipated(
        input,
        item,
        observed,
        "no read/write throughput metrics for any RDS/Aurora target".into(),
    )
}
