//! `public_private`: dms.1.0.arch.public-private, "Understanding of when to use public versus private replication instances".

use super::{Reach, every_instance, orphan_tasks, reach, used_instances, worst};
use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};
use crate::evaluate::view::Migration;
use crate::facts::ReplicationInstance;
use std::collections::BTreeSet;

/// The `public_private` rule.
pub struct PublicPrivate;

impl Check for PublicPrivate {
    const NAME: &'static str = "public_private";
    const REMEDIATION: &'static str = "Use a private replication instance (PubliclyAccessible false) when every endpoint is inside AWS.";
    const DOC: RuleDoc = RuleDoc {
        met: "every instance of a migration that moved data is private, or public and justified by an endpoint of its own migrations reached over the internet (a public address outside the account's VPCs, another cloud)",
        checked: "Private replication instances; a public one is justified only when one of its endpoints is outside AWS (HOST external or other cloud). Serverless is private.",
        evidence: "PubliclyAccessible (absent stays unknown), public IPs, HOST of the endpoints",
        verdicts: "met / not_met; insufficient_evidence when PubliclyAccessible was not reported",
        after_deletion: "PubliclyAccessible and the subnet group from CreateReplicationInstance in {trail} (ModifyReplicationInstance cannot change them); the endpoints as they ran",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        if let Some(f) = orphan_tasks(input) {
            return f;
        }
        let mut f = Finding::new(Verdict::Met, "");
        let mut parts = Vec::new();
        let mut verdict = Verdict::Met;
        let serverless = input.migrations.iter().filter(|m| !m.is_task()).count();
        for m in input.migrations.iter().filter(|m| !m.is_task()) {
            f.add_citation(m.pointer(), &m.sources);
        }
        if serverless > 0 {
            parts.push(format!(
                "{serverless} serverless replication(s): private by design"
            ));
        }
        let ran: BTreeSet<&str> = used_instances(input)
            .iter()
            .map(|i| i.arn.as_str())
            .collect();
        for inst in every_instance(input) {
            f.add_citation(format!("replication_instances/{}", inst.arn), &inst.sources);
            // An instance no migration that moved data used is judged only against: when
            // it is public, or when its placement is not on record.
            if !ran.contains(inst.arn.as_str()) && inst.publicly_accessible == Some(false) {
                continue;
            }
            let (v, text) = placement(input, inst);
            verdict = worst(verdict, v);
            parts.push(text);
        }
        Finding {
            verdict,
            reason: parts.join("; "),
            ..f
        }
    }
}

/// The endpoints of these migrations reached over the internet, and those whose reach is
/// in doubt (or not on record), as text.
fn reaches(own: &[&Migration<'_>]) -> (Vec<String>, Vec<String>) {
    let mut internet = Vec::new();
    let mut doubt = Vec::new();
    for e in own
        .iter()
        .flat_map(|m| [m.source.as_deref(), m.target.as_deref()])
        .flatten()
    {
        match reach(e) {
            Reach::Internet(t) => internet.push(t),
            Reach::Doubt(t) => doubt.push(t),
            Reach::Private => {}
        }
    }
    // An endpoint left out because what it connected to while it ran is not on record
    // may have been the one that needed the internet.
    for m in own {
        doubt.extend(
            ["source", "target"]
                .into_iter()
                .filter_map(|side| m.unknown_endpoint(side)),
        );
    }
    internet.dedup();
    doubt.dedup();
    (internet, doubt)
}

/// An instance's placement judged by the endpoints of its own migrations that moved data:
/// only they can justify a public instance.
fn placement(input: &Input<'_>, inst: &ReplicationInstance) -> (Verdict, String) {
    let own: Vec<&Migration<'_>> = input
        .migrations
        .iter()
        .filter(|m| m.instance.is_some_and(|i| i.arn == inst.arn))
        .collect();
    let (internet, doubt) = reaches(&own);
    let id = &inst.identifier;
    match inst.publicly_accessible {
        Some(false) => (Verdict::Met, format!("{id} is private")),
        Some(true) if !internet.is_empty() => (
            Verdict::Met,
            format!(
                "{id} is public, which its own endpoint(s) reached over the internet justify: {}",
                internet.join(", ")
            ),
        ),
        Some(true) if !doubt.is_empty() => (
            Verdict::InsufficientEvidence,
            format!(
                "{id} is public; whether its endpoint(s) need internet access is not shown: {}",
                doubt.join(", ")
            ),
        ),
        Some(true) => {
            let how = if inst.public_ips.is_empty() {
                "PubliclyAccessible true".to_string()
            } else {
                format!("public IP {}", inst.public_ips.join(", "))
            };
            // A migration on it whose data movement is not on record may justify it.
            let could = input.could_answer(|m| {
                m.instance.is_some_and(|i| i.arn == inst.arn)
                    && [m.source.as_deref(), m.target.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|e| matches!(reach(e), Reach::Internet(_)))
            });
            if !could.is_empty() {
                return (
                    Verdict::InsufficientEvidence,
                    format!(
                        "{id} is public ({how}); an endpoint over the internet justifies it only if {} moved data, \
                         which is not on record",
                        could.join(", ")
                    ),
                );
            }
            (
                Verdict::NotMet,
                format!(
                    "{id} is public ({how}) although every endpoint it serves is inside AWS or on a private address"
                ),
            )
        }
        None => (
            Verdict::InsufficientEvidence,
            format!("{id}: PubliclyAccessible not reported"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn public_vs_private() {
        use HostKind::*;
        for (public, src_host, address, want) in [
            (Some(false), Rds, None, Verdict::Met),
            (Some(true), External, Some("203.0.113.7"), Verdict::Met),
            // A private address outside the VPCs is reached by VPN: no public instance needed.
            (Some(true), External, Some("10.1.2.3"), Verdict::NotMet),
            (
                Some(true),
                OtherCloud,
                Some("x.database.windows.net"),
                Verdict::Met,
            ),
            (Some(true), Rds, None, Verdict::NotMet),
            (Some(true), Ec2, None, Verdict::NotMet),
            (
                Some(true),
                Unverified,
                Some("db.corp.example"),
                Verdict::InsufficientEvidence,
            ),
            (Some(true), Unknown, None, Verdict::InsufficientEvidence),
            (None, Rds, None, Verdict::InsufficientEvidence),
        ] {
            let mut src = endpoint("src", "source", "mysql", src_host, Some("verify-ca"));
            src.host.address = address.map(str::to_string);
            let mut ev = evidence(
                src,
                endpoint("tgt", "target", "mysql", Rds, Some("verify-ca")),
            );
            ev.facts.replication_instances[0].publicly_accessible = public;
            assert_eq!(
                run(&ev, "dms.1.0.arch.public-private").verdict,
                want,
                "{public:?} {src_host:?} {address:?}"
            );
        }
    }

    #[test]
    fn a_public_instance_is_justified_only_by_its_own_endpoints() {
        use HostKind::*;
        // Instance ri serves an in-AWS migration; an unrelated endpoint outside AWS (of
        // another instance's task, or of none) must not justify it.
        let mut outside = endpoint("far", "source", "oracle", External, Some("verify-ca"));
        outside.host.address = Some("203.0.113.7".into());
        let mut ev = evidence(
            endpoint("src", "source", "mysql", Rds, Some("verify-ca")),
            endpoint("tgt", "target", "mysql", Rds, Some("verify-ca")),
        );
        ev.facts.replication_instances[0].publicly_accessible = Some(true);
        ev.facts.endpoints.push(outside);
        let f = run(&ev, "dms.1.0.arch.public-private");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
    }
}
