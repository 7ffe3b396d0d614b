//! The partner's claims (database size, engines, source hosting, CDC, tables,
//! dates), each checked against the facts: confirmed, contradicted or unverifiable.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::view::{Input, gb};
use crate::facts::{HostKind, host};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimResult {
    Confirmed,
    Contradicted,
    Unverifiable,
}

impl ClaimResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimResult::Confirmed => "confirmed",
            ClaimResult::Contradicted => "contradicted",
            ClaimResult::Unverifiable => "unverifiable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    pub claim: String,
    pub stated: Value,
    pub observed: Value,
    pub result: ClaimResult,
    pub reason: String,
}

fn claim_check(
    claim: &str,
    stated: Value,
    observed: Value,
    result: ClaimResult,
    reason: String,
) -> ClaimCheck {
    ClaimCheck {
        claim: claim.to_string(),
        stated,
        observed,
        result,
        reason,
    }
}

/// Size claims within this share of the measurement are confirmed.
const SIZE_TOLERANCE: f64 = 0.2;

pub fn check_all(input: &Input<'_>) -> Vec<ClaimCheck> {
    let claims = &input.evidence.case_study.case_study.claims;
    let mut out = Vec::new();
    if let Some(stated) = claims.database_size_gb {
        out.push(match input.largest_size().ok() {
            Some((bytes, s)) => {
                let observed = bytes / 1e9;
                let ok = (observed - stated).abs() <= SIZE_TOLERANCE * stated.max(observed);
                claim_check(
                    "database_size_gb",
                    json!(stated),
                    json!((observed * 10.0).round() / 10.0),
                    if ok {
                        ClaimResult::Confirmed
                    } else {
                        ClaimResult::Contradicted
                    },
                    format!(
                        "measured {} ({}); claims within {:.0} % are confirmed",
                        gb(bytes),
                        s.basis,
                        SIZE_TOLERANCE * 100.0
                    ),
                )
            }
            None => claim_check(
                "database_size_gb",
                json!(stated),
                Value::Null,
                ClaimResult::Unverifiable,
                "no size measurement in the account".into(),
            ),
        });
    }
    for (claim, stated, side) in [
        ("source_engine", &claims.source_engine, true),
        ("target_engine", &claims.target_engine, false),
    ] {
        let Some(stated) = stated else { continue };
        let engines: Vec<String> = input
            .migrations
            .iter()
            .filter_map(|m| if side { m.source } else { m.target })
            .map(|e| e.engine.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let norm = |e: &str| match e.to_ascii_lowercase().as_str() {
            "postgresql" => "postgres".to_string(),
            "aurora-mysql" => "aurora".to_string(),
            "sql-server" | "mssql" => "sqlserver".to_string(),
            other => other.to_string(),
        };
        let result = if engines.is_empty() {
            ClaimResult::Unverifiable
        } else if engines.iter().any(|e| norm(e) == norm(stated)) {
            ClaimResult::Confirmed
        } else {
            ClaimResult::Contradicted
        };
        let family_note = if result == ClaimResult::Contradicted
            && engines
                .iter()
                .any(|e| host::family(e) == host::family(stated))
        {
            " (same engine family, different engine)"
        } else {
            ""
        };
        out.push(claim_check(
            claim,
            json!(stated),
            json!(engines),
            result,
            format!(
                "{} engines observed: {}{family_note}",
                if side { "source" } else { "target" },
                if engines.is_empty() {
                    "none".into()
                } else {
                    engines.join(", ")
                }
            ),
        ));
    }
    if let Some(stated) = &claims.source_hosting {
        let kinds: Vec<HostKind> = input
            .migrations
            .iter()
            .filter_map(|m| m.source)
            .map(|e| e.host.kind)
            .collect();
        let wanted: &[HostKind] = match stated.to_ascii_lowercase().as_str() {
            "on-premises" | "on-prem" | "onprem" | "data-center" | "datacenter" => {
                &[HostKind::External]
            }
            "ec2" => &[HostKind::Ec2],
            "rds" => &[HostKind::Rds],
            "aurora" => &[HostKind::Aurora],
            "other-cloud" | "gcp" | "azure" => &[HostKind::OtherCloud, HostKind::External],
            _ => &[],
        };
        let observed: Vec<String> = kinds.iter().map(|k| k.as_str().to_string()).collect();
        let result = if kinds.is_empty() || wanted.is_empty() {
            ClaimResult::Unverifiable
        } else if kinds.iter().any(|k| wanted.contains(k)) {
            ClaimResult::Confirmed
        } else if kinds.iter().any(|k| k.is_doubtful()) {
            // An address that matches nothing, or none: AWS cannot place it.
            ClaimResult::Unverifiable
        } else {
            ClaimResult::Contradicted
        };
        let note = if result == ClaimResult::Confirmed && wanted == [HostKind::External] {
            "; external means outside AWS: AWS cannot tell on-premises from other hosting"
        } else {
            ""
        };
        out.push(claim_check(
            "source_hosting",
            json!(stated),
            json!(observed),
            result,
            format!("source hosts observed: {}{note}", observed.join(", ")),
        ));
    }
    if let Some(stated) = claims.cdc_used {
        let cdc_types = input.migrations.iter().filter(|m| m.has_cdc_type()).count();
        let active = input
            .migrations
            .iter()
            .filter(|m| m.cdc_activity(input).is_some())
            .count();
        let observed = active > 0;
        let result = match (input.migrations.is_empty(), stated, cdc_types, active) {
            (true, _, _, _) => ClaimResult::Unverifiable,
            (_, true, _, a) if a > 0 => ClaimResult::Confirmed,
            (_, true, 0, _) => ClaimResult::Contradicted,
            (_, true, _, _) => ClaimResult::Unverifiable,
            (_, false, 0, _) => ClaimResult::Confirmed,
            (_, false, _, _) => ClaimResult::Contradicted,
        };
        out.push(claim_check(
            "cdc_used",
            json!(stated),
            json!(observed),
            result,
            format!(
                "{cdc_types} of {} migration(s) use a CDC type; {active} show change activity",
                input.migrations.len()
            ),
        ));
    }
    if let Some(stated) = claims.tables {
        let mut names = std::collections::BTreeSet::new();
        let mut read = false;
        for m in &input.migrations {
            if let Some(rows) = m.tables {
                read = true;
                names.extend(rows.iter().map(|r| (r.schema.clone(), r.table.clone())));
            }
        }
        out.push(if read {
            let n = names.len() as u64;
            claim_check(
                "tables",
                json!(stated),
                json!(n),
                if n == stated {
                    ClaimResult::Confirmed
                } else {
                    ClaimResult::Contradicted
                },
                format!("{n} distinct tables in the table statistics"),
            )
        } else {
            claim_check(
                "tables",
                json!(stated),
                Value::Null,
                ClaimResult::Unverifiable,
                "no table statistics".into(),
            )
        });
    }
    for (claim, stated, first) in [
        ("start_date", &claims.start_date, true),
        ("end_date", &claims.end_date, false),
    ] {
        let Some(stated) = stated else { continue };
        let times: Vec<i64> = input
            .migrations
            .iter()
            .flat_map(|m| {
                let s = m.stats;
                if first {
                    vec![
                        Input::secs(m.created),
                        s.and_then(|s| Input::secs(s.fresh_start_date.as_deref())),
                    ]
                } else if m.status == Some("running") {
                    vec![Some(input.now)]
                } else {
                    vec![s.and_then(|s| Input::secs(s.stop_date.as_deref()))]
                }
            })
            .flatten()
            .collect();
        let observed = if first {
            times.iter().min()
        } else {
            times.iter().max()
        };
        let day = |t: i64| crate::time::date(t);
        out.push(match observed {
            None => claim_check(
                claim,
                json!(stated),
                Value::Null,
                ClaimResult::Unverifiable,
                "no DMS dates on record".into(),
            ),
            Some(t) => {
                let d = day(*t);
                let ok = if first {
                    stated.as_str() <= d.as_str()
                } else {
                    stated.as_str() >= d.as_str()
                };
                claim_check(
                    claim,
                    json!(stated),
                    json!(d.clone()),
                    if ok {
                        ClaimResult::Confirmed
                    } else {
                        ClaimResult::Contradicted
                    },
                    format!(
                        "DMS activity {} {d}",
                        if first { "starts" } else { "runs until" }
                    ),
                )
            }
        });
    }
    out
}
