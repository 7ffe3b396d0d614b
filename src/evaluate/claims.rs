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

/// Every claim the partner made, checked in a fixed order.
pub fn check_all(input: &Input<'_>) -> Vec<ClaimCheck> {
    let claims = &input.evidence.case_study.case_study.claims;
    let mut out = Vec::new();
    out.extend(claims.database_size_gb.map(|stated| size(input, stated)));
    for (side, stated) in [
        (Side::Source, &claims.source_engine),
        (Side::Target, &claims.target_engine),
    ] {
        out.extend(stated.as_deref().map(|stated| engine(input, side, stated)));
    }
    out.extend(
        claims
            .source_hosting
            .as_deref()
            .map(|stated| hosting(input, stated)),
    );
    out.extend(claims.cdc_used.map(|stated| cdc(input, stated)));
    out.extend(claims.tables.map(|stated| tables(input, stated)));
    for (bound, stated) in [
        (Bound::Start, &claims.start_date),
        (Bound::End, &claims.end_date),
    ] {
        out.extend(stated.as_deref().map(|stated| date(input, bound, stated)));
    }
    out
}

/// Which end of the migrations an engine claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Source,
    Target,
}

/// Which end of the project a date claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Start,
    End,
}

fn confirmed_if(ok: bool) -> ClaimResult {
    if ok {
        ClaimResult::Confirmed
    } else {
        ClaimResult::Contradicted
    }
}

fn size(input: &Input<'_>, stated: f64) -> ClaimCheck {
    let Some((bytes, s)) = input.largest_size().ok() else {
        return claim_check(
            "database_size_gb",
            json!(stated),
            Value::Null,
            ClaimResult::Unverifiable,
            "no size measurement in the account".into(),
        );
    };
    let observed = bytes / 1e9;
    let ok = (observed - stated).abs() <= SIZE_TOLERANCE * stated.max(observed);
    claim_check(
        "database_size_gb",
        json!(stated),
        json!((observed * 10.0).round() / 10.0),
        confirmed_if(ok),
        format!(
            "measured {} ({}); claims within {:.0} % are confirmed",
            gb(bytes),
            s.basis,
            SIZE_TOLERANCE * 100.0
        ),
    )
}

/// Engine names as people write them, as DMS names them.
fn normalised_engine(e: &str) -> String {
    match e.to_ascii_lowercase().as_str() {
        "postgresql" => "postgres".to_string(),
        "aurora-mysql" => "aurora".to_string(),
        "sql-server" | "mssql" => "sqlserver".to_string(),
        other => other.to_string(),
    }
}

fn engine(input: &Input<'_>, side: Side, stated: &str) -> ClaimCheck {
    let engines: Vec<String> = input
        .migrations
        .iter()
        .filter_map(|m| match side {
            Side::Source => m.source.as_deref(),
            Side::Target => m.target.as_deref(),
        })
        .map(|e| e.engine.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let result = if engines.is_empty() {
        ClaimResult::Unverifiable
    } else {
        let wanted = normalised_engine(stated);
        confirmed_if(engines.iter().any(|e| normalised_engine(e) == wanted))
    };
    let same_family = engines
        .iter()
        .any(|e| host::family(e) == host::family(stated));
    let family_note = if result == ClaimResult::Contradicted && same_family {
        " (same engine family, different engine)"
    } else {
        ""
    };
    let (claim, which) = match side {
        Side::Source => ("source_engine", "source"),
        Side::Target => ("target_engine", "target"),
    };
    let seen = if engines.is_empty() {
        "none".to_string()
    } else {
        engines.join(", ")
    };
    claim_check(
        claim,
        json!(stated),
        json!(engines),
        result,
        format!("{which} engines observed: {seen}{family_note}"),
    )
}

/// The HOST kinds a `source_hosting` claim names (none for words we do not know).
fn hosting_kinds(stated: &str) -> &'static [HostKind] {
    match stated.to_ascii_lowercase().as_str() {
        "on-premises" | "on-prem" | "onprem" | "data-center" | "datacenter" => {
            &[HostKind::External]
        }
        "ec2" => &[HostKind::Ec2],
        "rds" => &[HostKind::Rds],
        "aurora" => &[HostKind::Aurora],
        "other-cloud" | "gcp" | "azure" => &[HostKind::OtherCloud, HostKind::External],
        _ => &[],
    }
}

fn hosting(input: &Input<'_>, stated: &str) -> ClaimCheck {
    let kinds: Vec<HostKind> = input
        .migrations
        .iter()
        .filter_map(|m| m.source.as_deref())
        .map(|e| e.host.kind)
        .collect();
    let wanted = hosting_kinds(stated);
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
    claim_check(
        "source_hosting",
        json!(stated),
        json!(observed),
        result,
        format!("source hosts observed: {}{note}", observed.join(", ")),
    )
}

fn cdc(input: &Input<'_>, stated: bool) -> ClaimCheck {
    let cdc_types = input.migrations.iter().filter(|m| m.has_cdc_type()).count();
    let applied = input
        .migrations
        .iter()
        .filter(|m| m.cdc_applied().is_some())
        .count();
    // CDC-type runs that AWS says stopped before ongoing replication (and applied nothing).
    let stopped = input
        .migrations
        .iter()
        .filter(|m| m.has_cdc_type() && m.cdc_applied().is_none() && m.ended_before_cdc().is_some())
        .count();
    // Runs whose migration type then is not on record: they may have been CDC.
    let unknown = input
        .migrations
        .iter()
        .filter(|m| m.migration_type.is_none())
        .count();
    let no_cdc = cdc_types == stopped && unknown == 0;
    let result = match (input.migrations.is_empty(), stated) {
        (true, _) => ClaimResult::Unverifiable,
        (false, true) if applied > 0 => ClaimResult::Confirmed,
        (false, true) if no_cdc => ClaimResult::Contradicted,
        (false, true) => ClaimResult::Unverifiable,
        (false, false) if applied > 0 => ClaimResult::Contradicted,
        (false, false) if no_cdc => ClaimResult::Confirmed,
        (false, false) => ClaimResult::Unverifiable,
    };
    claim_check(
        "cdc_used",
        json!(stated),
        json!(applied > 0),
        result,
        format!(
            "{cdc_types} of {} migration(s) that moved data use a CDC type; {applied} applied changes; {stopped} \
             stopped before ongoing replication",
            input.migrations.len()
        ),
    )
}

fn tables(input: &Input<'_>, stated: u64) -> ClaimCheck {
    let mut names = std::collections::BTreeSet::new();
    let mut read = false;
    for m in &input.migrations {
        if let Some(rows) = m.tables {
            read = true;
            names.extend(rows.iter().map(|r| (r.schema.clone(), r.table.clone())));
        }
    }
    if !read {
        return claim_check(
            "tables",
            json!(stated),
            Value::Null,
            ClaimResult::Unverifiable,
            "no table statistics".into(),
        );
    }
    let n = names.len() as u64;
    claim_check(
        "tables",
        json!(stated),
        json!(n),
        confirmed_if(n == stated),
        format!("{n} distinct tables in the table statistics"),
    )
}

fn date(input: &Input<'_>, bound: Bound, stated: &str) -> ClaimCheck {
    let claim = match bound {
        Bound::Start => "start_date",
        Bound::End => "end_date",
    };
    let times = input.migrations.iter().filter_map(|m| {
        let s = m.stats;
        match bound {
            Bound::Start => [m.created, s.and_then(|s| s.fresh_start_date)]
                .into_iter()
                .flatten()
                .min(),
            Bound::End if m.status == Some("running") => Some(input.now),
            Bound::End => s.and_then(|s| s.stop_date),
        }
    });
    let observed = match bound {
        Bound::Start => times.min(),
        Bound::End => times.max(),
    };
    let Some(t) = observed else {
        return claim_check(
            claim,
            json!(stated),
            Value::Null,
            ClaimResult::Unverifiable,
            "no DMS dates on record".into(),
        );
    };
    let d = t.date();
    let (ok, verb) = match bound {
        Bound::Start => (stated <= d.as_str(), "starts"),
        Bound::End => (stated >= d.as_str(), "runs until"),
    };
    claim_check(
        claim,
        json!(stated),
        json!(d.clone()),
        confirmed_if(ok),
        format!("DMS activity {verb} {d}"),
    )
}
