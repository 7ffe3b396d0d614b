//! `encryption_in_flight`: dms.1.0.sec.in-flight, "Using network security measures including SSL for in-flight security during migrations, including understanding the limits of this service".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams,
};
use crate::facts::Endpoint;
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
        let mut t = Tally::default();
        let mut seen = BTreeSet::new();
        let endpoints: Vec<&Endpoint> = input
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
                t.cite(e);
                let (id, engine) = (&e.identifier, &e.engine);
                t.bad.push(format!(
                    "{id} ({engine}, used only by a task that never ran) {why}"
                ));
            }
        }
        for e in endpoints {
            if seen.insert(e.arn.as_str()) {
                t.judge(input, e);
            }
        }
        let missing = input
            .migrations
            .iter()
            .filter(|m| m.source.is_none() || m.target.is_none())
            .count();
        if missing > 0 {
            t.unknown.push(format!(
                "{missing} migration(s) name endpoints that are not in the evidence{}",
                input.gap_paren(&["dms:DescribeEndpoints"])
            ));
        }
        t.conclude()
    }
}

/// Endpoints by what their in-flight setting shows, and what they were read from.
struct Tally {
    finding: Finding,
    good: Vec<String>,
    bad: Vec<String>,
    builtin: Vec<String>,
    unknown: Vec<String>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            finding: Finding::new(Verdict::Met, ""),
            good: Vec::new(),
            bad: Vec::new(),
            builtin: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

impl Tally {
    fn cite(&mut self, e: &Endpoint) {
        self.finding
            .add_citation(format!("endpoints/{}", e.arn), &e.sources);
    }

    /// One endpoint of a migration that ran; an expired certificate undoes its SSL.
    fn judge(&mut self, input: &Input<'_>, e: &Endpoint) {
        self.cite(e);
        let (id, engine) = (&e.identifier, &e.engine);
        match in_flight(e) {
            InFlight::BuiltIn(why) => self.builtin.push(format!("{id} ({why})")),
            InFlight::Plaintext(why) => self.bad.push(format!("{id} ({engine}) {why}")),
            InFlight::Unknown(why) => self.unknown.push(format!("{id} ({engine}): {why}")),
            InFlight::Encrypted(how) => {
                let certificates = &input.facts.certificates;
                let cert = e
                    .certificate_arn
                    .as_deref()
                    .and_then(|arn| certificates.iter().find(|c| c.arn == arn));
                if let Some(c) = cert {
                    self.finding
                        .add_citation(format!("certificates/{}", c.arn), &c.sources);
                    if Input::secs(c.valid_to.as_deref()).is_some_and(|t| t < input.now) {
                        let until = c.valid_to.as_deref().unwrap_or("");
                        let cert_id = &c.identifier;
                        self.bad.push(format!(
                            "{id} {how} but certificate {cert_id} expired {until}"
                        ));
                        return;
                    }
                }
                self.good.push(format!("{id} {how}"));
            }
        }
    }

    /// Not met on any plaintext endpoint; insufficient on any unknown; met otherwise.
    fn conclude(self) -> Finding {
        let judged = self.good.len() + self.bad.len() + self.unknown.len();
        let tail = if self.builtin.is_empty() {
            String::new()
        } else {
            format!("; TLS built into the service: {}", self.builtin.join(", "))
        };
        let f = self.finding;
        let encrypting = self.good.len();
        if !self.bad.is_empty() {
            let bad = self.bad.join("; ");
            return Finding {
                verdict: Verdict::NotMet,
                reason: format!(
                    "{bad}; {encrypting} of {judged} endpoints with an in-flight setting encrypt{tail}"
                ),
                ..f
            };
        }
        if !self.unknown.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{}{tail}", self.unknown.join("; ")),
                ..f
            };
        }
        if self.good.is_empty() {
            return Finding {
                reason: format!("every endpoint's service encrypts in flight by itself{tail}"),
                ..f
            };
        }
        let good = self.good.join(", ");
        Finding {
            reason: format!(
                "{good}; {encrypting} of {judged} endpoints with an in-flight setting encrypt{tail}"
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
