//! `encryption_in_flight`: dms.1.0.sec.in-flight, "Using network security measures including SSL for in-flight security during migrations, including understanding the limits of this service".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Tally, no_migrations, params::NoParams,
};
use std::borrow::Cow;

use crate::evaluate::view::Migration;
use crate::facts::Endpoint;
use crate::facts::endpoint::{InFlight, in_flight};
use std::collections::BTreeSet;

/// The `encryption_in_flight` rule.
pub struct EncryptionInFlight;

impl Check for EncryptionInFlight {
    const NAME: &'static str = "encryption_in_flight";
    const REMEDIATION: &'static str = "Set SslMode to a mode the engine supports (not none) on every SSL-capable endpoint, with a valid certificate.";
    const DOC: RuleDoc = RuleDoc {
        met: "every endpoint of a migration that moved data encrypts by its engine's own setting (a supported SslMode, Kafka SecurityProtocol, Redis SslSecurityProtocol, https OpenSearch) or its service documents TLS (Redshift, DynamoDB, Kinesis); no endpoint plaintext or unknown, also among those only runs that moved no data use",
        checked: "Every SSL-capable endpoint uses an SslMode its engine supports (not none) and an unexpired certificate; Redshift, S3, DynamoDB, Kinesis have no SslMode choice.",
        evidence: "DescribeEndpoints SslMode, CertificateArn; DescribeCertificates ValidToDate",
        verdicts: "met / not_met (met also when every endpoint's service encrypts in flight by itself: DynamoDB, Kinesis, ...); insufficient_evidence when SslMode is not reported",
        after_deletion: "each endpoint's SslMode in force during the run, from {trail} or {config}; certificates while they exist",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut t = Tally::new();
        let mut seen = BTreeSet::new();
        // Each endpoint as it was while each migration ran (its CloudTrail history): a
        // later change does not rewrite what happened.
        for m in &input.migrations {
            for e in [m.source.as_deref(), m.target.as_deref()]
                .into_iter()
                .flatten()
            {
                for (as_then, note) in in_force(input, m, e) {
                    if seen.insert(judged_as(&as_then, &note)) {
                        judge(input, &as_then, &note, &mut t);
                    }
                }
            }
        }
        // Endpoints only migrations that moved no data use count only against: plaintext,
        // or a setting that is not on record.
        let mut against = Tally::new();
        let judged: BTreeSet<&str> = input
            .migrations
            .iter()
            .flat_map(|m| [m.source.as_deref(), m.target.as_deref()])
            .flatten()
            .map(|e| e.arn.as_str())
            .collect();
        for e in input
            .unproven
            .iter()
            .flat_map(|m| [m.source.as_deref(), m.target.as_deref()])
            .flatten()
        {
            if !judged.contains(e.arn.as_str()) && seen.insert(judged_as(e, "")) {
                judge(input, e, "", &mut against);
            }
        }
        // What an endpoint connected to while such a migration ran not on record: its
        // encryption then is not either.
        for m in &input.unproven {
            for side in ["source", "target"] {
                against.unknown.extend(m.unknown_endpoint(side));
            }
        }
        t.absorb_against(against, "(used only by a migration that moved no data)");
        t.unknown.extend(input.unresolved_endpoints());
        conclude(t)
    }
}

/// What one judgement of an endpoint rests on: its ARN and every member [`judge`] reads
/// (two migrations may have used it with other settings, as AWS Config or CloudTrail show),
/// and whether it is today's endpoint (an empty note) or a copy as it was.
fn judged_as(e: &Endpoint, note: &str) -> (String, String) {
    let read = format!(
        "{}|{:?}|{:?}|{:?}|{}",
        e.engine,
        e.ssl_mode,
        e.certificate_arn,
        e.settings,
        note.is_empty()
    );
    (e.arn.clone(), read)
}

/// The endpoint as it was during the migration's run: one copy per SslMode in force, each
/// with a note of what it rests on ("" when that is today's endpoint, unchanged). An
/// undated run may have run with any mode since its task's creation (else the
/// endpoint's) until the task was deleted; a dated one from its first start on record (a
/// reload resets the run's own dates) to its end.
fn in_force<'e>(
    input: &Input<'_>,
    m: &Migration<'_>,
    e: &'e Endpoint,
) -> Vec<(Cow<'e, Endpoint>, String)> {
    use crate::facts::Timestamp;
    if e.history.is_empty() {
        return vec![(Cow::Borrowed(e), deleted_note(e))];
    }
    let first = input.earliest_start(m);
    let (from, to) = m.window.map_or_else(
        || {
            let created = e.history.iter().find(|h| h.name == "CreateEndpoint");
            let since = m.created.or(created.map(|h| h.at));
            let since = since.unwrap_or_else(Timestamp::earliest);
            (since, m.deleted.map_or_else(Timestamp::latest, |(t, _)| t))
        },
        |(a, b)| (first.map_or(a, |f| f.min(a)), b),
    );
    crate::facts::history::ssl_modes_during(e, from, to)
        .into_iter()
        .map(|(mode, basis)| {
            if mode == e.ssl_mode && e.deleted_at.is_none() {
                return (Cow::Borrowed(e), String::new());
            }
            let mut then = e.clone();
            then.ssl_mode = mode;
            let today = match (&e.deleted_at, &e.ssl_mode) {
                (Some(at), _) => format!("deleted on {}", at.date()),
                (None, Some(now)) => format!("SslMode {now} today"),
                (None, None) => "SslMode not reported today".into(),
            };
            (
                Cow::Owned(then),
                format!(" during {}'s run ({basis}; {today})", m.id),
            )
        })
        .collect()
}

/// " (deleted on …)" and " (as AWS Config recorded it: …)", as they apply.
fn deleted_note(e: &Endpoint) -> String {
    let deleted = e
        .deleted_at
        .map(|at| format!(" (deleted on {})", at.date()));
    let then = e.then_basis.as_deref().map(|b| format!(" ({b})"));
    deleted.into_iter().chain(then).collect()
}

/// One endpoint; an expired certificate undoes its SSL. `note` says when it was so.
fn judge(input: &Input<'_>, e: &Endpoint, note: &str, t: &mut Tally) {
    t.cite(format!("endpoints/{}", e.arn), &e.sources);
    let (id, engine) = (&e.identifier, &e.engine);
    match in_flight(e) {
        InFlight::BuiltIn(why) => t.neutral.push(format!("{id} ({why}){note}")),
        InFlight::Plaintext(why) => t.bad.push(format!("{id} ({engine}) {why}{note}")),
        InFlight::Unknown(why) => t.unknown.push(format!("{id} ({engine}): {why}{note}")),
        InFlight::Encrypted(how) => {
            let certificates = &input.facts.certificates;
            let cert = e
                .certificate_arn
                .as_deref()
                .and_then(|arn| certificates.iter().find(|c| c.arn == arn));
            if let Some(c) = cert {
                t.cite(format!("certificates/{}", c.arn), &c.sources);
                if let Some(until) = c.valid_to.filter(|t| *t < input.now) {
                    let cert_id = &c.identifier;
                    t.bad.push(format!(
                        "{id} {how} but certificate {cert_id} expired {until}"
                    ));
                    return;
                }
            }
            t.good.push(format!("{id} {how}{note}"));
        }
    }
}

/// Not met on any plaintext endpoint; insufficient on any unknown; met otherwise, with
/// the count of endpoints whose setting encrypts and the services that encrypt by
/// themselves.
fn conclude(t: Tally) -> Finding {
    let judged = t.good.len() + t.bad.len() + t.unknown.len();
    let encrypting = t.good.len();
    let tail = if t.neutral.is_empty() {
        String::new()
    } else {
        format!("; TLS built into the service: {}", t.neutral.join(", "))
    };
    let count =
        format!("; {encrypting} of {judged} endpoints with an in-flight setting encrypt{tail}");
    if t.bad.is_empty() && t.unknown.is_empty() && t.good.is_empty() {
        return Finding {
            reason: format!("every endpoint's service encrypts in flight by itself{tail}"),
            ..t.finding
        };
    }
    if t.bad.is_empty() && !t.unknown.is_empty() {
        return t.conclude("; ", &tail);
    }
    let sep = if t.bad.is_empty() { ", " } else { "; " };
    t.conclude(sep, &count)
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// Two copies of one endpoint as two runs used it are judged apart whenever anything
    /// the judgement reads differs, not only the SslMode (a Kafka broker's protocol, a
    /// certificate).
    #[test]
    fn each_copy_of_an_endpoint_is_judged_on_what_it_was() {
        let today = endpoint("k", "target", "kafka", HostKind::External, Some("none"));
        let mut plaintext = today.clone();
        plaintext.settings.insert(
            "KafkaSettings".into(),
            serde_json::json!({"SecurityProtocol": "plaintext"}),
        );
        let mut sasl = today.clone();
        sasl.settings.insert(
            "KafkaSettings".into(),
            serde_json::json!({"SecurityProtocol": "sasl-ssl"}),
        );
        let mut other_cert = sasl.clone();
        other_cert.certificate_arn = Some("arn:aws:dms:us-east-1:1:cert:old".into());
        let keys = [&plaintext, &sasl, &other_cert]
            .map(|e| super::judged_as(e, " (as AWS Config recorded it)"));
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
        assert_eq!(super::judged_as(&sasl, " x"), super::judged_as(&sasl, " y"));
    }

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

    /// A run whose dates are not on record may have used any SslMode the source had since
    /// the task's creation (2026-10-01): plaintext until 2026-11-01 here.
    #[test]
    fn an_undated_run_is_held_to_every_mode_since_its_task_was_created() {
        let mut src = endpoint(
            "src",
            "source",
            "postgres",
            HostKind::External,
            Some("verify-full"),
        );
        let set = |name: &str, at: &str, mode: &str| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("{name}-{at}"),
            request: serde_json::json!({"SslMode": mode}),
            ..HistoryEvent::default()
        };
        let tgt = endpoint(
            "tgt",
            "target",
            "aurora-postgresql",
            HostKind::Aurora,
            Some("verify-full"),
        );
        for (modified, want) in [
            ("2026-11-01T00:00:00Z", Verdict::NotMet),
            // Made verify-full before the task existed: every mode since then is.
            ("2026-09-15T00:00:00Z", Verdict::Met),
        ] {
            src.history = vec![
                set("CreateEndpoint", "2026-09-01T00:00:00Z", "none"),
                set("ModifyEndpoint", modified, "verify-full"),
            ];
            let mut ev = evidence(src.clone(), tgt.clone());
            let t = &mut ev.facts.tasks[0];
            t.started = None;
            let stats = t.stats.as_mut().expect("stats");
            stats.fresh_start_date = None;
            stats.full_load_finish_date = None;
            assert!(Input::new(&ev).migrations[0].window.is_none(), "undated");
            let f = run(&ev, "dms.1.0.sec.in-flight");
            assert_eq!(f.verdict, want, "{modified}: {}", f.reason);
        }
    }

    /// A Kafka target whose SecurityProtocol is sasl-ssl today: set so when it was created,
    /// met; set by a ModifyEndpoint after the run began (2026-10-01), not what it ran with.
    #[test]
    fn engine_settings_set_after_the_run_are_not_what_it_ran_with() {
        let src = endpoint(
            "src",
            "source",
            "postgres",
            HostKind::External,
            Some("verify-full"),
        );
        let event = |name: &str, at: &str, request: serde_json::Value| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("{name}-{at}"),
            request,
            ..HistoryEvent::default()
        };
        let sasl = serde_json::json!({"SecurityProtocol": "sasl-ssl"});
        for (modified, want) in [
            (None, Verdict::Met),
            (Some("2026-09-15T00:00:00Z"), Verdict::Met),
            (Some("2026-11-01T00:00:00Z"), Verdict::InsufficientEvidence),
        ] {
            let mut tgt = endpoint("tgt", "target", "kafka", HostKind::AwsManaged, Some("none"));
            tgt.settings.insert("KafkaSettings".into(), sasl.clone());
            let created = serde_json::json!({"EngineName": "kafka", "KafkaSettings": {"SecurityProtocol": "plaintext"}});
            tgt.history = vec![event("CreateEndpoint", "2026-09-01T00:00:00Z", created)];
            if let Some(at) = modified {
                let request = serde_json::json!({"KafkaSettings": sasl});
                tgt.history.push(event("ModifyEndpoint", at, request));
            } else {
                tgt.history[0].request["KafkaSettings"] = sasl.clone();
            }
            let ev = evidence(src.clone(), tgt);
            let f = run(&ev, "dms.1.0.sec.in-flight");
            assert_eq!(f.verdict, want, "{modified:?}: {}", f.reason);
        }
    }
}
