//! `encryption_in_flight`: dms.1.0.sec.in-flight, "Using network security measures including SSL for in-flight security during migrations, including understanding the limits of this service".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams,
};
use crate::facts::endpoint::{InFlight, in_flight};
use std::collections::BTreeSet;

/// The `encryption_in_flight` rule.
pub struct EncryptionInFlight;

impl Check for EncryptionInFlight {
    const NAME: &'static str = "encryption_in_flight";
    const REMEDIATION: &'static str = "Set SslMode to a mode the engine supports (not none) on every SSL-capable endpoint, with a valid certificate.";
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (mut good, mut bad, mut builtin, mut unknown) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut seen = BTreeSet::new();
        let endpoints: Vec<_> = input
            .migrations
            .iter()
            .flat_map(|m| [m.source, m.target])
            .flatten()
            .collect();
        // Endpoints only tasks that never ran use count only against.
        for e in input
            .never_ran
            .iter()
            .flat_map(|m| [m.source, m.target])
            .flatten()
            .filter(|e| !endpoints.iter().any(|x| x.arn == e.arn))
        {
            if let InFlight::Plaintext(why) = in_flight(e)
                && seen.insert(e.arn.as_str())
            {
                f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
                bad.push(format!(
                    "{} ({}, used only by a task that never ran) {why}",
                    e.identifier, e.engine
                ));
            }
        }
        let missing = input
            .migrations
            .iter()
            .filter(|m| m.source.is_none() || m.target.is_none())
            .count();
        for e in endpoints {
            if !seen.insert(e.arn.as_str()) {
                continue;
            }
            f = f.cite(format!("endpoints/{}", e.arn), &e.sources);
            match in_flight(e) {
                InFlight::BuiltIn(why) => builtin.push(format!("{} ({why})", e.identifier)),
                InFlight::Plaintext(why) => {
                    bad.push(format!("{} ({}) {why}", e.identifier, e.engine))
                }
                InFlight::Unknown(why) => {
                    unknown.push(format!("{} ({}): {why}", e.identifier, e.engine))
                }
                InFlight::Encrypted(how) => {
                    let cert = e
                        .certificate_arn
                        .as_deref()
                        .and_then(|arn| input.facts.certificates.iter().find(|c| c.arn == arn));
                    if let Some(c) = cert {
                        f = f.cite(format!("certificates/{}", c.arn), &c.sources);
                        if Input::secs(c.valid_to.as_deref()).is_some_and(|t| t < input.now) {
                            bad.push(format!(
                                "{} {how} but certificate {} expired {}",
                                e.identifier,
                                c.identifier,
                                c.valid_to.as_deref().unwrap_or("")
                            ));
                            continue;
                        }
                    }
                    good.push(format!("{} {how}", e.identifier));
                }
            }
        }
        if missing > 0 {
            unknown.push(format!(
                "{missing} migration(s) name endpoints that are not in the evidence{}",
                input.gap_paren(&["dms:DescribeEndpoints"])
            ));
        }
        let judged = good.len() + bad.len() + unknown.len();
        let tail = if builtin.is_empty() {
            String::new()
        } else {
            format!("; TLS built into the service: {}", builtin.join(", "))
        };
        if !bad.is_empty() {
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!(
                    "{}; {} of {judged} endpoints with an in-flight setting encrypt{tail}",
                    bad.join("; "),
                    good.len()
                ),
                ..f
            };
        }
        if !unknown.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{}{tail}", unknown.join("; ")),
                ..f
            };
        }
        if good.is_empty() {
            return Finding {
                reason: format!("every endpoint's service encrypts in flight by itself{tail}"),
                ..f
            };
        }
        Finding {
            reason: format!(
                "{}; {} of {judged} endpoints with an in-flight setting encrypt{tail}",
                good.join(", "),
                good.len()
            ),
            ..f
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn ssl_in_flight_by_engine() {
        use HostKind::*;
        let cases = [
            (
                ("oracle", Some("verify-ca")),
                ("aurora-postgresql", Some("verify-full")),
                Verdict::Met,
            ),
            (
                ("postgres", Some("none")),
                ("postgres", Some("require")),
                Verdict::NotMet,
            ),
            (
                ("oracle", Some("require")),
                ("aurora-postgresql", Some("verify-full")),
                Verdict::NotMet,
            ),
            (
                ("mysql", Some("verify-ca")),
                ("redshift", Some("none")),
                Verdict::Met,
            ),
            // DMS documents TLS for DynamoDB and Kinesis, not for S3.
            (
                ("s3", None),
                ("dynamodb", None),
                Verdict::InsufficientEvidence,
            ),
            (("dynamodb", None), ("kinesis", Some("none")), Verdict::Met),
            (
                ("made-up-engine", Some("require")),
                ("redshift", None),
                Verdict::InsufficientEvidence,
            ),
            (
                ("postgres", None),
                ("aurora-postgresql", Some("verify-full")),
                Verdict::InsufficientEvidence,
            ),
        ];
        for ((se, ss), (te, ts), want) in cases {
            let ev = evidence(
                endpoint("src", "source", se, External, ss),
                endpoint("tgt", "target", te, Aurora, ts),
            );
            let f = run(&ev, "dms.1.0.sec.in-flight");
            assert_eq!(f.verdict, want, "{se} {ss:?} → {te} {ts:?}: {}", f.reason);
        }
    }
}
