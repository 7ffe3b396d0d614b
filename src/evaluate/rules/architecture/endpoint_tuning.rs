//! `endpoint_tuning`: dms.1.0.arch.endpoints, "How to architect source and target endpoints for efficient transfers".

use super::used_endpoints;
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
    unless_unrecorded,
};
use crate::facts::endpoint::throughput_tuning;

/// The `endpoint_tuning` rule.
pub struct EndpointTuning;

impl Check for EndpointTuning {
    const NAME: &'static str = "endpoint_tuning";
    const REMEDIATION: &'static str = "Use engine-specific endpoint settings for throughput, or place the replication instance in the target's Availability Zone.";
    const DOC: RuleDoc = RuleDoc {
        met: "an endpoint of a migration that moved data with a documented throughput setting changed from its default in the faster direction (connection details never count), or the instance in its target's Availability Zone",
        checked: "Engine-specific endpoint settings exist, or a replication instance sits in its RDS target's Availability Zone.",
        evidence: "endpoint *Settings objects; instance and target AvailabilityZone",
        verdicts: "met / not_met",
        after_deletion: "endpoint settings as they ran, from {trail} or {config}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let mut tuned = Vec::new();
        for e in used_endpoints(input) {
            let settings = throughput_tuning(e);
            if !settings.is_empty() {
                tuned.push(format!("{} ({})", e.identifier, settings.join(", ")));
                f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
            }
        }
        let mut same_az = Vec::new();
        for m in &input.migrations {
            let (Some(inst), Some(target)) = (m.instance, m.target.as_deref()) else {
                continue;
            };
            let Some(a) = inst.availability_zone.as_deref() else {
                continue;
            };
            if inst.region != target.region {
                continue;
            }
            if let Some(db) = input
                .db_instances(target)
                .into_iter()
                .find(|d| d.availability_zone.as_deref() == Some(a))
            {
                same_az.push(format!("{} and {} in {a}", inst.identifier, db.identifier));
                f = f
                    .cite(format!("replication_instances/{}", inst.arn), &inst.sources)
                    .cite(format!("rds_instances/{}", db.identifier), &db.sources);
            }
        }
        same_az.sort();
        same_az.dedup();
        let never = input.unproven_note();
        if let Some(missing) = input.unresolved_endpoints()
            && tuned.is_empty()
            && same_az.is_empty()
        {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{missing}: their settings cannot be judged{never}"),
                ..f
            };
        }
        if tuned.is_empty() && same_az.is_empty() {
            return none_found(input, f, &never);
        }
        let mut parts = Vec::new();
        if !tuned.is_empty() {
            parts.push(format!("throughput settings on {}", tuned.join(", ")));
        }
        if !same_az.is_empty() {
            parts.push(format!("same Availability Zone: {}", same_az.join(", ")));
        }
        Finding {
            reason: format!("{}{never}", parts.join("; ")),
            ..f
        }
    }
}

/// Neither tuning nor a shared zone: not met, unless the zone of an instance not in the
/// evidence, or a migration whose data movement is not on record, could show one.
fn none_found(input: &Input<'_>, f: Finding, never: &str) -> Finding {
    let f = Finding {
        verdict: Verdict::NotMet,
        reason: format!(
            "no endpoint setting that changes throughput (connection details and DMS defaults do not count), and \
             no replication instance in its target's Availability Zone{never}"
        ),
        ..f
    };
    // A migration whose instance is not in the evidence may sit in its target's zone.
    let unplaced: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| m.instance.is_none() && m.instance_arn.is_some())
        .map(|m| m.id)
        .collect();
    if !unplaced.is_empty() {
        return Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{}; the replication instance of {} is not in the evidence{}, so whether it shares its target's \
                 Availability Zone is not shown",
                f.reason,
                unplaced.join(", "),
                input.gap_paren(&["dms:DescribeReplicationInstances"])
            ),
            ..f
        };
    }
    unless_unrecorded(input, f, "endpoint tuning would be shown", |m| {
        [m.source.as_deref(), m.target.as_deref()]
            .into_iter()
            .flatten()
            .any(|e| !throughput_tuning(e).is_empty())
            || m.instance_arn.is_some()
    })
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn echoed_connection_details_are_not_endpoint_tuning() {
        let mut src = endpoint("s", "source", "postgres", HostKind::External, None);
        src.settings.insert(
            "PostgreSQLSettings".into(),
            serde_json::json!({"ServerName": "s.example", "Port": 5432, "DatabaseName": "d", "Username": "u",
                               "MaxFileSize": 32768}),
        );
        let ev = evidence(
            src,
            endpoint("t", "target", "postgres", HostKind::Rds, None),
        );
        let f = run(&ev, "dms.1.0.arch.endpoints");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    }
}
