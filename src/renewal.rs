//! Renewal: links this year's bundle to last year's for the same case study, a chain
//! of custody. The previous bundle is verified first; its digest and signatures are
//! recorded, its verdicts compared with this year's, and the evidence AWS has since
//! forgotten (CloudWatch datapoints and log events past their retention, dated by
//! [`crate::evaluate::expiry`]) is carried forward verbatim: the facts, the captures they
//! were read from with their capture times and SHA-256, and the signatures of the bundle
//! they were first signed in. This year's findings are never changed — they say what
//! AWS shows today; the renewal says what is carried and whether, counting it, the case
//! study is ready.

use std::collections::BTreeSet;
use std::path::Path;

pub use crate::bundle::renewal::{Carried, CarriedCapture, Link, Renewal, check};
use crate::bundle::renewal::{counting_carried, regressions};
use crate::bundle::{Envelope, Predicate, PublicKey};
use crate::digest::sha256_hex;
use crate::evaluate::{self, Checklist, Verdict, expiry};
use crate::input::{InputFileError, MAX_DOCUMENT_BYTES, read_limited};
use crate::time::Timestamp;

/// The previous bundle, verified, ready to renew.
#[derive(Debug, Clone)]
pub struct Previous {
    pub link: Link,
    pub predicate: Predicate,
    /// How this version's re-evaluation differs from its signed findings, if it does.
    pub rejudged: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    #[error(transparent)]
    Read(#[from] InputFileError),
    #[error(
        "{path} does not verify ({why}): a renewal links only to a bundle that verifies. \
         Pass the key that signed it with --previous-key, or check it with `dms-evidence verify`"
    )]
    Unverified { path: String, why: String },
    #[error("{path}: not a DSSE envelope: {message}")]
    NotABundle { path: String, message: String },
    #[error("the previous bundle carries no evaluation to renew")]
    NotEvaluated,
    #[error(
        "the previous bundle is for account {previous}, this case study is account {current}: \
         pass the bundle of the same case study"
    )]
    Account { previous: String, current: String },
    #[error(
        "the previous bundle was collected at {previous}, not before this collection ({current})"
    )]
    NotEarlier {
        previous: Timestamp,
        current: Timestamp,
    },
}

/// Reads and verifies the previous bundle (threshold 1 over `keys`).
pub fn load_previous(
    path: &Path,
    keys: &[PublicKey],
    checklists: &[Checklist],
) -> Result<Previous, RenewalError> {
    let bytes = read_limited(path, MAX_DOCUMENT_BYTES)?;
    previous_from_bytes(&path.display().to_string(), &bytes, keys, checklists)
}

/// [`load_previous`] for bytes already read (`name` is for messages).
pub fn previous_from_bytes(
    name: &str,
    bytes: &[u8],
    keys: &[PublicKey],
    checklists: &[Checklist],
) -> Result<Previous, RenewalError> {
    let report = crate::verify::verify(bytes, keys, 1, checklists);
    // Integrity (structure, signatures, statement, subjects, captures) must hold. The
    // re-evaluation may differ when this version's rules judge differently from the
    // version that signed it: its signed verdicts stay what it claimed, and the
    // renewal says that they were judged again differently.
    let (broken, rejudged): (Vec<_>, Vec<_>) = report
        .failures()
        .into_iter()
        .partition(|c| crate::verify::INTEGRITY.contains(&c.step));
    let describe = |checks: &[&crate::verify::Check]| {
        checks
            .iter()
            .map(|c| format!("{}: {}", c.step, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let rejudged = (!rejudged.is_empty()).then(|| describe(&rejudged));
    let predicate = match report.predicate {
        Some(p) if report.authentic => p,
        _ => {
            return Err(RenewalError::Unverified {
                path: name.to_string(),
                why: describe(&broken),
            });
        }
    };
    if let Some(note) = &rejudged {
        tracing::warn!(
            previous = name,
            "this version judges the previous bundle differently: {note}"
        );
    }
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| RenewalError::NotABundle {
            path: name.to_string(),
            message: e.to_string(),
        })?;
    Ok(Previous {
        link: Link {
            sha256: sha256_hex(bytes),
            account: predicate.evidence.collection.caller.account.clone(),
            collected_at: predicate.evidence.collection.finished_at,
            signatures: envelope.signatures,
        },
        predicate,
        rejudged,
    })
}

/// Links `current` (collected and evaluated) to `previous`. Pure: the same two
/// documents always give the same renewal, which is how `verify --previous` checks it.
pub fn renew(
    previous: &Previous,
    current: &Predicate,
    checklist: &Checklist,
) -> Result<Renewal, RenewalError> {
    let (Some(old_eval), Some(new_eval)) = (&previous.predicate.evaluation, &current.evaluation)
    else {
        return Err(RenewalError::NotEvaluated);
    };
    let old = &previous.predicate.evidence;
    let new = &current.evidence;
    let (previous_account, current_account) = (
        &old.collection.caller.account,
        &new.collection.caller.account,
    );
    if previous_account != current_account {
        return Err(RenewalError::Account {
            previous: previous_account.clone(),
            current: current_account.clone(),
        });
    }
    let now = new.collection.finished_at;
    // Times are whole seconds: a renewal collected within the second its previous bundle
    // finished is not earlier than it (two quick runs, as in the tests, do that).
    if old.collection.finished_at > now {
        return Err(RenewalError::NotEarlier {
            previous: old.collection.finished_at,
            current: now,
        });
    }
    let carried = carry(previous, new_eval, now, checklist);
    let carried_items: BTreeSet<String> = carried.iter().map(|c| c.item.clone()).collect();
    let changes =
        evaluate::change::verdict_changes(&old_eval.findings, &new_eval.findings, &carried_items);
    let summary = counting_carried(&new_eval.findings, &new_eval.claims, &carried, checklist);
    Ok(Renewal {
        previous: previous.link.clone(),
        previous_verdicts: old_eval
            .findings
            .iter()
            .map(|f| (f.item.clone(), f.verdict))
            .collect(),
        regressions: regressions(&changes),
        changes,
        captures: carried_captures(previous, &carried),
        carried_forward: carried,
        ready: summary.ready,
        readiness: summary.readiness(),
        previous_rejudged: previous.rejudged.clone(),
    })
}

/// The captures the carried facts cite, each once: from the previous bundle, or
/// from what it carried itself.
fn carried_captures(previous: &Previous, carried: &[Carried]) -> Vec<CarriedCapture> {
    let mut out: Vec<CarriedCapture> = Vec::new();
    let earlier = previous.predicate.renewal.iter().flat_map(|r| &r.captures);
    let own = previous
        .predicate
        .evidence
        .captures
        .iter()
        .map(|c| CarriedCapture {
            origin: previous.link.sha256.clone(),
            capture: c.clone(),
        });
    for candidate in earlier.cloned().chain(own) {
        let cited = carried.iter().any(|c| {
            c.origin.sha256 == candidate.origin && c.captures.contains(&candidate.capture.id)
        });
        let dup = out
            .iter()
            .any(|k| k.origin == candidate.origin && k.capture.id == candidate.capture.id);
        if cited && !dup {
            out.push(candidate);
        }
    }
    out
}

/// The evidence to carry forward: each fact behind a previous `met` that AWS's
/// retention has removed by `now`, for an item short of evidence today; then what the
/// previous bundle itself carried that is still needed (keeping its origin).
fn carry(
    previous: &Previous,
    new_eval: &evaluate::Evaluation,
    now: Timestamp,
    checklist: &Checklist,
) -> Vec<Carried> {
    let old = &previous.predicate.evidence;
    let Some(old_eval) = &previous.predicate.evaluation else {
        return Vec::new();
    };
    let short_today = |item: &str| {
        new_eval
            .findings
            .iter()
            .find(|f| f.item == item)
            .is_some_and(|f| f.verdict == Verdict::InsufficientEvidence)
    };
    let mut carried: Vec<Carried> = Vec::new();
    let input = evaluate::view::Input::new(old);
    let expired = expiry::expiring(&input, &old_eval.findings, checklist)
        .into_iter()
        .filter(|x| x.expiry.expires <= now)
        .filter(|x| short_today(&x.expiry.item));
    for x in expired {
        let Some(finding) = old_eval.findings.iter().find(|f| f.item == x.expiry.item) else {
            continue;
        };
        let (facts, mut sources) = x.facts();
        sources.retain(|id| old.captures.iter().any(|c| &c.id == id));
        carried.push(Carried {
            item: x.expiry.item.clone(),
            verdict: finding.verdict,
            reason: finding.reason.clone(),
            evidence: x.expiry.evidence.clone(),
            expired: x.expiry.expires,
            basis: x.expiry.basis.clone(),
            facts,
            captures: sources,
            origin: previous.link.clone(),
        });
    }
    // Evidence the previous bundle itself carried forward, still needed: the chain
    // keeps its origin, so it always points at the bundle that captured it.
    for c in previous
        .predicate
        .renewal
        .iter()
        .flat_map(|r| &r.carried_forward)
    {
        let already = carried
            .iter()
            .any(|k| k.item == c.item && k.evidence == c.evidence);
        if short_today(&c.item) && !already {
            carried.push(c.clone());
        }
    }
    carried
}

/// What `verify --previous` checks: the file is the bundle the renewal names, it
/// verifies with the same keys, and renewing it again gives exactly the renewal signed.
pub fn check_chain(
    renewal: &Renewal,
    predicate: &Predicate,
    previous_bytes: &[u8],
    keys: &[PublicKey],
    checklists: &[Checklist],
    checklist: &Checklist,
) -> Result<String, String> {
    let digest = sha256_hex(previous_bytes);
    if digest != renewal.previous.sha256 {
        return Err(format!(
            "the previous bundle's SHA-256 is {}…, the renewal names {}…",
            crate::text::prefix(&digest, 12),
            crate::text::prefix(&renewal.previous.sha256, 12)
        ));
    }
    let previous = previous_from_bytes("the previous bundle", previous_bytes, keys, checklists)
        .map_err(|e| e.to_string())?;
    let again = renew(&previous, predicate, checklist).map_err(|e| e.to_string())?;
    let canon = |r: &Renewal| {
        serde_json::to_value(r)
            .and_then(|v| crate::bundle::jcs::canonical(&v))
            .unwrap_or_default()
    };
    if canon(&again) != canon(renewal) {
        return Err("renewing the previous bundle again does not give the renewal signed".into());
    }
    Ok(format!(
        "the previous bundle ({}…) verifies and renews to exactly the renewal signed",
        crate::text::prefix(&digest, 12)
    ))
}

/// With last year's bundle at hand: it is the one the renewal names, it verifies with
/// the same keys, and renewing it again gives exactly the renewal signed.
pub fn chain(
    report: &mut crate::verify::Report,
    previous_bytes: &[u8],
    keys: &[PublicKey],
    checklists: &[Checklist],
) {
    let outcome = match &report.predicate {
        None => Err("the bundle did not verify, so its chain is not checked".to_string()),
        Some(p) => match (&p.renewal, &p.evaluation) {
            (None, _) => Err(
                "the bundle renews no previous bundle (it was not collected with --previous)"
                    .to_string(),
            ),
            (Some(_), None) => Err("the bundle carries no evaluation".to_string()),
            (Some(r), Some(e)) => {
                match checklists.iter().find(|c| c.sha256 == e.checklist.sha256) {
                    None => Err("the bundle's checklist is not available".to_string()),
                    Some(c) => check_chain(r, p, previous_bytes, keys, checklists, c),
                }
            }
        },
    };
    report.record("chain", outcome);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Signature;
    use crate::evaluate::change::ChangeKind;
    use crate::evaluate::checklist::load_default;
    use crate::evaluate::rules::testkit::{NOW_SECS, migration, series};
    use crate::evidence::Capture;
    use crate::evidence::Evidence;

    /// A day in the epoch seconds these tests count in.
    const DAY: i64 = crate::time::DAY.whole_seconds();

    const CDC: &str = "dms.1.0.mig.cdc";

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_secs(secs)
    }

    /// A migration whose CDC shows only in hourly metrics (capture c000009).
    fn with_cdc_metrics() -> Evidence {
        let mut ev = migration();
        ev.facts.metrics = vec![series(
            "AWS/DMS",
            "CDCThroughputRowsTarget",
            "ReplicationTaskIdentifier",
            "t1",
            &[4.0, 7.0],
        )];
        let body = r#"{"MetricDataResults":[]}"#.to_string();
        ev.captures.push(Capture {
            id: "c000009".into(),
            service: "cloudwatch".into(),
            operation: "GetMetricData".into(),
            region: "us-east-1".into(),
            request_id: None,
            http_status: 200,
            time: at(NOW_SECS),
            media_type: "application/json".into(),
            body_encoding: "utf8".into(),
            sha256: sha256_hex(body.as_bytes()),
            body: body.into(),
            received_sha256: None,
            redacted: Vec::new(),
        });
        ev
    }

    /// The same estate `days` later, its CDC metrics gone from AWS or not.
    fn later(days: i64, metrics: bool) -> Evidence {
        let mut ev = with_cdc_metrics();
        if !metrics {
            ev.facts.metrics.clear();
            ev.captures.clear();
        }
        ev.collection.finished_at = at(NOW_SECS + days * DAY);
        ev
    }

    fn sealed(ev: Evidence) -> Predicate {
        let eval = evaluate::evaluate(&ev, &load_default());
        Predicate::new(ev, eval)
    }

    fn previous(p: Predicate, digest: &str) -> Previous {
        Previous {
            link: Link {
                sha256: digest.into(),
                account: p.evidence.collection.caller.account.clone(),
                collected_at: p.evidence.collection.finished_at,
                signatures: vec![Signature {
                    keyid: "k".into(),
                    sig: "c2ln".into(),
                }],
            },
            predicate: p,
            rejudged: None,
        }
    }

    fn verdict(p: &Predicate, item: &str) -> Option<Verdict> {
        p.evaluation
            .as_ref()?
            .findings
            .iter()
            .find(|f| f.item == item)
            .map(|f| f.verdict)
    }

    fn kind(r: &Renewal, item: &str) -> Option<ChangeKind> {
        r.changes.iter().find(|c| c.item == item).map(|c| c.kind)
    }

    #[test]
    fn expired_evidence_is_carried_forward_and_anything_else_regresses() {
        let checklist = load_default();
        let year1 = sealed(with_cdc_metrics());
        assert_eq!(verdict(&year1, CDC), Some(Verdict::Met));
        let prev = previous(year1, "aa");
        // (days later, metrics still in AWS, full-load only, carried, change kind)
        for (days, metrics, full_load, carried, want) in [
            // Hourly data is kept 455 days: gone at 500, so the met is carried.
            (500, false, false, true, Some(ChangeKind::Expired)),
            // Gone after 10 days is not retention: someone deleted it. A regression.
            (10, false, false, false, Some(ChangeKind::Regression)),
            // Still there: nothing to carry, nothing changed.
            (500, true, false, false, None),
            // Today's evidence says no CDC: never hidden by last year's met.
            (500, false, true, false, Some(ChangeKind::Regression)),
        ] {
            let mut ev = later(days, metrics);
            if full_load {
                ev.facts.tasks[0].migration_type = Some("full-load".into());
            }
            let current = sealed(ev);
            let r = renew(&prev, &current, &checklist).expect("renews");
            let case = format!("{days} days, metrics {metrics}, full load {full_load}");
            assert_eq!(kind(&r, CDC), want, "{case}: {:?}", r.changes);
            assert_eq!(
                r.carried_forward.iter().any(|c| c.item == CDC),
                carried,
                "{case}"
            );
            assert_eq!(
                r.regressions,
                r.changes
                    .iter()
                    .filter(|c| c.kind == ChangeKind::Regression)
                    .count()
            );
            assert_eq!(
                verdict(&current, CDC),
                Some(if full_load {
                    Verdict::NotMet
                } else if metrics {
                    Verdict::Met
                } else {
                    Verdict::InsufficientEvidence
                }),
                "{case}: today's findings say what AWS shows today"
            );
            check(&r, &current, &checklist).expect("a renewal checks against its own bundle");
        }
    }

    #[test]
    fn carried_evidence_keeps_its_facts_captures_and_origin_along_the_chain() {
        let checklist = load_default();
        let prev = previous(sealed(with_cdc_metrics()), "year1");
        let year2 = {
            let mut p = sealed(later(500, false));
            p.renewal = Some(renew(&prev, &p, &checklist).expect("year 2"));
            p
        };
        let r2 = year2.renewal.clone().expect("renewal");
        // The CDC item, and the workload patterns that rest on the same CDC activity.
        let items: Vec<&str> = r2.carried_forward.iter().map(|c| c.item.as_str()).collect();
        assert_eq!(
            items,
            [CDC, "dms.2.1.wl.cdc-continual", "dms.2.1.wl.cdc-hetero"]
        );
        assert_eq!(r2.regressions, 0, "{:?}", r2.changes);
        let c = &r2.carried_forward[0];
        assert_eq!(
            (c.item.as_str(), c.verdict, c.evidence.as_str()),
            (
                CDC,
                Verdict::Met,
                "metrics/AWS/DMS/CDCThroughputRowsTarget/t1"
            )
        );
        assert_eq!(c.facts.len(), 1);
        assert_eq!(c.facts[0]["values"], serde_json::json!([4.0, 7.0]));
        assert_eq!(c.captures, ["c000009"]);
        assert_eq!(r2.captures.len(), 1, "kept once for the three items");
        assert_eq!(r2.captures[0].capture.time, at(NOW_SECS));
        assert_eq!(r2.captures[0].origin, "year1");
        assert_eq!(c.origin.sha256, "year1");
        assert_eq!(c.origin.signatures[0].keyid, "k");
        assert!(c.expired <= year2.evidence.collection.finished_at);

        // Year 3 renews year 2: the evidence is carried again, still from year 1.
        let year3 = sealed(later(900, false));
        let r3 = renew(&previous(year2, "year2"), &year3, &checklist).expect("year 3");
        assert_eq!(r3.previous.sha256, "year2");
        assert_eq!(r3.carried_forward.len(), 3);
        assert!(
            r3.carried_forward
                .iter()
                .all(|c| c.origin.sha256 == "year1")
        );
        assert_eq!(
            r3.captures, r2.captures,
            "the chain keeps year 1's captures"
        );
        assert_eq!(kind(&r3, CDC), None, "insufficient both years: no change");
        assert_eq!(r3.ready, r2.ready);
    }

    #[test]
    fn a_renewal_is_refused_for_another_account_or_an_older_collection() {
        let checklist = load_default();
        let prev = previous(sealed(with_cdc_metrics()), "aa");
        let mut other = later(500, false);
        other.collection.caller.account = "222222222222".into();
        let err = renew(&prev, &sealed(other), &checklist).expect_err("another account");
        assert!(err.to_string().contains("account 111111111111"), "{err}");
        let err = renew(&prev, &sealed(later(-1, false)), &checklist).expect_err("older");
        assert!(err.to_string().contains("not before"), "{err}");
        // Within the same second (whole-second times) is not earlier.
        renew(&prev, &sealed(later(0, false)), &checklist).expect("the same second");
        let unevaluated = Predicate::unevaluated(later(500, false));
        assert!(matches!(
            renew(&prev, &unevaluated, &checklist),
            Err(RenewalError::NotEvaluated)
        ));
    }

    type Tamper = Box<dyn Fn(&mut Renewal)>;

    #[test]
    fn check_catches_a_tampered_renewal() {
        let checklist = load_default();
        let prev = previous(sealed(with_cdc_metrics()), "aa");
        let current = sealed(later(500, false));
        let good = renew(&prev, &current, &checklist).expect("renews");
        assert!(check(&good, &current, &checklist).is_ok());
        let met_today = current
            .evaluation
            .as_ref()
            .and_then(|e| e.findings.iter().find(|f| f.verdict == Verdict::Met))
            .map(|f| f.item.clone())
            .expect("an item met today");
        let tampers: [(&str, Tamper); 6] = [
            ("not carried", Box::new(|r| r.captures.clear())),
            (
                "SHA-256",
                Box::new(|r| r.captures[0].capture.body.make_mut().push(' ')),
            ),
            ("miscounted", Box::new(|r| r.regressions += 1)),
            ("readiness", Box::new(|r| r.ready = !r.ready)),
            (
                "previous verdict",
                Box::new(|r| {
                    r.previous_verdicts.insert(CDC.into(), Verdict::NotMet);
                }),
            ),
            (
                "not short of evidence",
                Box::new(move |r| {
                    let mut extra = r.carried_forward[0].clone();
                    extra.item = met_today.clone();
                    r.carried_forward.push(extra);
                }),
            ),
        ];
        for (want, tamper) in tampers {
            let mut bad = good.clone();
            tamper(&mut bad);
            let err = check(&bad, &current, &checklist).expect_err(want);
            assert!(err.contains(want), "{want}: {err}");
        }
    }

    #[test]
    fn a_previous_bundle_judged_by_other_rules_links_but_a_broken_one_does_not() {
        let checklist = load_default();
        let key = crate::bundle::LocalKey::generate().expect("key");
        let keys = [key.public()];
        // Signed by a version whose rule judged CDC differently: authentic, re-judged.
        let mut older = sealed(with_cdc_metrics());
        if let Some(e) = older.evaluation.as_mut()
            && let Some(f) = e.findings.iter_mut().find(|f| f.item == CDC)
        {
            f.verdict = Verdict::NotMet;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let envelope = runtime
            .block_on(crate::bundle::seal(
                older,
                &[crate::bundle::Signer::Local(key)],
            ))
            .expect("seal");
        let bytes = serde_json::to_vec(&envelope).expect("json");
        let prev = previous_from_bytes("old.json", &bytes, &keys, std::slice::from_ref(&checklist))
            .expect("links");
        let note = prev.rejudged.clone().expect("re-judged");
        assert!(note.contains(CDC), "{note}");
        assert_eq!(prev.link.sha256, sha256_hex(&bytes));
        let r = renew(&prev, &sealed(later(500, false)), &checklist).expect("renews");
        assert_eq!(
            r.previous_verdicts.get(CDC),
            Some(&Verdict::NotMet),
            "as signed"
        );
        assert_eq!(r.previous_rejudged.as_deref(), Some(note.as_str()));
        // A broken signature, or no trusted key: refused, naming the file and the key option.
        let mut broken = envelope.clone();
        broken.signatures[0].sig = "AAAA".into();
        let broken = serde_json::to_vec(&broken).expect("json");
        for (bytes, keys) in [(&broken, &keys[..]), (&bytes, &[][..])] {
            let err =
                previous_from_bytes("old.json", bytes, keys, std::slice::from_ref(&checklist))
                    .expect_err("refused");
            let text = err.to_string();
            assert!(
                text.contains("old.json does not verify") && text.contains("--previous-key"),
                "{text}"
            );
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::evaluate::properties::{build, estate};

        proptest! {
                #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// A renewal never changes this year's findings, and carries forward only last
        /// year's `met`s that are short of evidence today, and only once AWS's retention
        /// has passed; with it, readiness can only be gained, and it checks as consistent.
        #[test]
        fn a_renewal_carries_only_expired_evidence_of_last_years_mets(
            spec in estate(), mask in 0u8..4, days in 1i64..900,
        ) {
            let checklist = load_default();
            let old = build(&spec, "a");
            let mut new = old.clone();
            if mask & 1 != 0 { new.facts.metrics.clear(); }
            if mask & 2 != 0 { new.facts.log_groups.clear(); }
            let now = NOW_SECS + days * DAY;
            new.collection.finished_at = Timestamp::from_secs(now);
            let sealed = |ev: Evidence| {
                let eval = evaluate::evaluate(&ev, &checklist);
                Predicate::new(ev, eval)
            };
            let (old, new) = (sealed(old), sealed(new));
            let fresh = new.evaluation.clone().expect("evaluated");
            let previous = Previous {
                link: Link {
                    sha256: "00".into(),
                    account: old.evidence.collection.caller.account.clone(),
                    collected_at: old.evidence.collection.finished_at,
                    signatures: Vec::new(),
                },
                predicate: old.clone(),
                rejudged: None,
            };
            let r = renew(&previous, &new, &checklist).expect("renews");
            let verdict = |p: &Predicate, item: &str| p.evaluation.as_ref()
                .and_then(|e| e.findings.iter().find(|f| f.item == item)).map(|f| f.verdict);
            for c in &r.carried_forward {
                prop_assert_eq!(verdict(&old, &c.item), Some(Verdict::Met), "{} was not met", &c.item);
                prop_assert_eq!(verdict(&new, &c.item), Some(Verdict::InsufficientEvidence));
                prop_assert!(c.expired.secs() <= now, "{} carried before it expired", &c.item);
            }
            for change in r.changes.iter().filter(|c| c.kind == ChangeKind::Expired) {
                prop_assert!(r.carried_forward.iter().any(|c| c.item == change.item));
            }
            prop_assert!(!fresh.summary.ready || r.ready, "carrying forward lost readiness");
            prop_assert_eq!(new.evaluation.as_ref(), Some(&fresh));
            prop_assert!(check(&r, &new, &checklist).is_ok());
        }
            }
    }
}
