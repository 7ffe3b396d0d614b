//! CloudTrail's own proof that a trail's log files are the ones it delivered: the trail's
//! digest files, checked as the AWS CLI's `aws cloudtrail validate-logs` checks them, so
//! that the history read from a customer's bucket is not the customer's word.
//!
//! CloudTrail User Guide, "CloudTrail digest file structure": with log file validation on,
//! a trail delivers one digest file an hour per region to
//! `<prefix>/AWSLogs/[<org>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/`, named
//! `<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz`
//! (`…_backfill.json.gz` for log files a delay kept out of their hour's digest). Each lists
//! the log files delivered in its hour with the SHA-256 of their uncompressed content
//! (`logFiles[].hashValue`), names the previous digest (`previousDigestS3Object`,
//! `previousDigestSignature`; null in the first digest of a chain) and is signed.
//! "Custom implementations of CloudTrail log file integrity validation": the signature
//! (hex, object metadata `x-amz-meta-signature`, algorithm in
//! `x-amz-meta-signature-algorithm`, SHA256withRSA) is over
//! `digestEndTime \n digestS3Bucket/digestS3Object \n hex SHA-256 of the uncompressed digest
//! \n previousDigestSignature (or "null")`, with the region's key whose fingerprint is
//! `digestPublicKeyFingerprint`, from ListPublicKeys (DER, PKCS #1). The AWS CLI's
//! `awscli/customizations/cloudtrail/validation.py` is the reference implementation
//! followed here: required members, the digest not moved from where it was delivered, the
//! key by fingerprint, the signature, the chain.
//!
//! Everything here is pure: the reads are in `trail.rs`.

use std::collections::{BTreeMap, HashMap};

use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde::Deserialize;

use crate::digest::sha256_hex;
use crate::time::Timestamp;

/// The one signature algorithm CloudTrail uses for digest files.
pub const ALGORITHM: &str = "SHA256withRSA";
/// Back-to-back digest periods may leave this much between them and still count as one
/// unbroken span (CloudTrail's periods meet exactly: the next starts where one ends).
const SLACK: time::Duration = time::Duration::minutes(2);

/// A digest file's members that validation reads (CloudTrail digest file structure).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    digest_start_time: String,
    digest_end_time: String,
    digest_s3_bucket: String,
    digest_s3_object: String,
    digest_public_key_fingerprint: String,
    #[serde(default)]
    previous_digest_s3_bucket: Option<String>,
    #[serde(default)]
    previous_digest_s3_object: Option<String>,
    /// Required, and null in the first digest of a chain.
    previous_digest_signature: Option<String>,
    #[serde(default)]
    log_files: Vec<LogFile>,
}

/// A log file as a digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFile {
    pub s3_bucket: String,
    pub s3_object: String,
    /// Hex SHA-256 of the log file's uncompressed content.
    pub hash_value: String,
}

/// A digest file as S3 returned it: its key, its content once gunzipped, and the
/// signature metadata.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub key: String,
    pub inflated: Vec<u8>,
    pub signature: Option<String>,
    pub algorithm: Option<String>,
    pub request_id: Option<String>,
    /// SHA-256 of the object as S3 returned it (gzip).
    pub received_sha256: String,
}

/// A digest file whose signature checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub key: String,
    /// digestStartTime and digestEndTime.
    pub start: Timestamp,
    pub end: Timestamp,
    pub signature: String,
    /// The previous digest's key and signature, as this one names them.
    pub previous: Option<(String, Option<String>)>,
    pub backfill: bool,
    pub files: Vec<LogFile>,
}

/// Whether `key` is a digest file's name (a listing of the digest folder may hold others).
pub fn is_digest_key(key: &str) -> bool {
    key.contains("_CloudTrail-Digest_") && key.ends_with(".json.gz")
}

/// The end time a digest's or log file's name carries (`…_20150817T150131Z.json.gz`,
/// `…_20150817T1501Z_<unique>.json.gz`).
pub fn time_in_name(key: &str) -> Option<Timestamp> {
    let name = key.rsplit('/').next()?.trim_end_matches(".json.gz");
    name.split('_').find_map(|part| {
        let b = part.as_bytes();
        let compact = (b.len() == 16 || b.len() == 14)
            && b[8] == b'T'
            && b[b.len() - 1] == b'Z'
            && b[..8]
                .iter()
                .chain(&b[9..b.len() - 1])
                .all(u8::is_ascii_digit);
        if !compact {
            return None;
        }
        let seconds = if b.len() == 16 { &part[13..15] } else { "00" };
        let text = format!(
            "{}-{}-{}T{}:{}:{seconds}Z",
            &part[..4],
            &part[4..6],
            &part[6..8],
            &part[9..11],
            &part[11..13]
        );
        Timestamp::parse(&text)
    })
}

/// The string CloudTrail signs for a digest.
fn string_to_sign(d: &Document, inflated: &[u8]) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        d.digest_end_time,
        d.digest_s3_bucket,
        d.digest_s3_object,
        sha256_hex(inflated),
        d.previous_digest_signature.as_deref().unwrap_or("null")
    )
}

/// Checks one digest file read from `bucket`, with the region's public keys by fingerprint
/// (DER, PKCS #1); the error says why it does not hold.
pub fn check(f: &Fetched, bucket: &str, keys: &HashMap<String, Vec<u8>>) -> Result<Valid, String> {
    let at = format!("digest file s3://{bucket}/{}", f.key);
    let d: Document =
        serde_json::from_slice(&f.inflated).map_err(|e| format!("{at}: invalid format ({e})"))?;
    if d.digest_s3_bucket != bucket || d.digest_s3_object != f.key {
        return Err(format!(
            "{at}: has been moved from its original location s3://{}/{}",
            d.digest_s3_bucket, d.digest_s3_object
        ));
    }
    let (Some(signature), Some(algorithm)) = (&f.signature, &f.algorithm) else {
        return Err(format!(
            "{at}: no signature in its metadata (x-amz-meta-signature)"
        ));
    };
    if algorithm != ALGORITHM {
        return Err(format!(
            "{at}: signature algorithm {algorithm}, not {ALGORITHM}"
        ));
    }
    let Some(key) = keys.get(&d.digest_public_key_fingerprint) else {
        return Err(format!(
            "{at}: public key not found for fingerprint {} (ListPublicKeys)",
            d.digest_public_key_fingerprint
        ));
    };
    let signed = hex::decode(signature).map_err(|_| format!("{at}: signature is not hex"))?;
    let message = string_to_sign(&d, &f.inflated);
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key)
        .verify(message.as_bytes(), &signed)
        .map_err(|_| format!("{at}: signature verification failed"))?;
    let time = |s: &str| Timestamp::parse(s);
    let (Some(start), Some(end)) = (time(&d.digest_start_time), time(&d.digest_end_time)) else {
        return Err(format!("{at}: invalid format (digest times)"));
    };
    let previous = d
        .previous_digest_s3_object
        .clone()
        .filter(|_| d.previous_digest_s3_bucket.is_some())
        .map(|k| (k, d.previous_digest_signature.clone()));
    Ok(Valid {
        key: f.key.clone(),
        start,
        end,
        signature: signature.clone(),
        previous,
        backfill: f.key.ends_with("_backfill.json.gz"),
        files: d.log_files,
    })
}

/// The breaks in the digests' chains: a digest naming a previous one that should be among
/// those read (it ended on or after `first_read`, the first day whose digests were read)
/// but is not, or whose signature is not the one it recorded. A deleted digest hides the
/// log files it listed; this is how the chain shows it.
pub fn chain_breaks(valid: &[Valid], first_read: Timestamp) -> Vec<String> {
    let by_key: HashMap<&str, &Valid> = valid.iter().map(|v| (v.key.as_str(), v)).collect();
    let mut breaks = Vec::new();
    for v in valid.iter().filter(|v| !v.backfill) {
        let Some((previous, recorded)) = &v.previous else {
            continue;
        };
        match by_key.get(previous.as_str()) {
            Some(p) if recorded.as_deref() == Some(p.signature.as_str()) => {}
            Some(_) => breaks.push(format!(
                "digest file {} records a signature of the previous digest {previous} that is not its signature",
                v.key
            )),
            None if time_in_name(previous).is_some_and(|t| t < first_read) => {}
            None => breaks.push(format!(
                "digest file {} names the previous digest {previous}, which is not in the bucket",
                v.key
            )),
        }
    }
    breaks
}

/// The start of the unbroken span of digest periods that reaches `end`, or `None` when no
/// digest covers `end`. Log files delivered before it are outside what the digests prove
/// complete (a trail that stopped logging, or validation turned off, leaves such a gap).
pub fn covered_from(valid: &[Valid], end: Timestamp) -> Option<Timestamp> {
    let mut spans: Vec<(Timestamp, Timestamp)> = valid
        .iter()
        .filter(|v| !v.backfill)
        .map(|v| (v.start, v.end))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 + SLACK => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
        .into_iter()
        .find(|(s, e)| *s <= end && end <= *e)
        .map(|(s, _)| s)
}

/// Each log file of `bucket` the digests list: its SHA-256 and the digest listing it.
pub fn listed<'a>(valid: &'a [Valid], bucket: &str) -> BTreeMap<&'a str, (&'a str, &'a str)> {
    valid
        .iter()
        .flat_map(|v| v.files.iter().map(move |f| (f, v.key.as_str())))
        .filter(|(f, _)| f.s3_bucket == bucket)
        .map(|(f, digest)| (f.s3_object.as_str(), (f.hash_value.as_str(), digest)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_names() {
        for (key, want) in [
            (
                "AWSLogs/1/CloudTrail-Digest/us-east-2/2015/08/17/1_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz",
                Some("2015-08-17T15:01:31Z"),
            ),
            (
                "p/AWSLogs/1/CloudTrail-Digest/us-east-2/2015/08/17/1_CloudTrail-Digest_us-east-2_my_trail_us-east-2_20150817T150131Z_backfill.json.gz",
                Some("2015-08-17T15:01:31Z"),
            ),
            (
                "AWSLogs/1/CloudTrail/eu-west-1/2026/03/09/1_CloudTrail_eu-west-1_20260309T1405Z_AbCdEfGh12345678.json.gz",
                Some("2026-03-09T14:05:00Z"),
            ),
            ("AWSLogs/1/CloudTrail/eu-west-1/notes.txt", None),
            ("1_CloudTrail_eu-west-1_20261399T1405Z_x.json.gz", None),
        ] {
            let want = want.and_then(Timestamp::parse);
            assert_eq!(time_in_name(key), want, "{key}");
        }
    }

    /// A digest signed SHA256withRSA as CloudTrail signs one (the User Guide's sample with
    /// a key of our own; fixtures/cloudtrail-digest), and the key by its fingerprint.
    fn signed() -> (Fetched, HashMap<String, Vec<u8>>) {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail-digest");
        let read = |f: &str| std::fs::read(dir.join(f)).expect("fixture");
        let inflated = read("digest.json");
        let signature = String::from_utf8(read("signature.hex")).expect("hex");
        let doc: serde_json::Value = serde_json::from_slice(&inflated).expect("json");
        let key = doc["digestS3Object"].as_str().expect("key").to_string();
        let fingerprint = doc["digestPublicKeyFingerprint"].as_str().expect("fp");
        let keys = HashMap::from([(fingerprint.to_string(), read("public-key.der"))]);
        let fetched = Fetched {
            key,
            inflated,
            signature: Some(signature.trim().to_string()),
            algorithm: Some(ALGORITHM.into()),
            request_id: None,
            received_sha256: String::new(),
        };
        (fetched, keys)
    }

    #[test]
    fn a_digest_signed_by_cloudtrail_where_it_was_delivered_checks() {
        let (fetched, keys) = signed();
        let ok = check(&fetched, "amzn-s3-demo-bucket", &keys).expect("valid");
        assert_eq!(ok.end - ok.start, crate::time::HOUR);
        assert_eq!(ok.files.len(), 1);
        assert!(ok.previous.is_some() && !ok.backfill);
    }

    /// A case: what changed, the digest, the bucket it is read from, the keys, the error.
    type Case<'a> = (
        &'a str,
        Fetched,
        &'a str,
        &'a HashMap<String, Vec<u8>>,
        &'a str,
    );

    /// The same digest changed one way at a time.
    #[test]
    fn a_digest_changed_moved_or_unsigned_does_not_check() {
        let (fetched, keys) = signed();
        let with = |change: &dyn Fn(&mut Fetched)| {
            let mut f = fetched.clone();
            change(&mut f);
            f
        };
        let none = HashMap::new();
        let bucket = "amzn-s3-demo-bucket";
        let cases: Vec<Case> = vec![
            (
                "the listed log file's hash, one digit changed",
                with(&|f| f.inflated = replaced(&f.inflated, "9bb6196f", "8bb6196f")),
                bucket,
                &keys,
                "signature verification failed",
            ),
            (
                "another signature",
                with(&|f| f.signature = f.signature.as_ref().map(|s| flipped(s))),
                bucket,
                &keys,
                "signature verification failed",
            ),
            (
                "copied to another bucket",
                fetched.clone(),
                "elsewhere",
                &keys,
                "moved from its original",
            ),
            (
                "moved to another key",
                with(&|f| f.key = format!("copy/{}", f.key)),
                bucket,
                &keys,
                "moved from its original",
            ),
            (
                "no signature metadata",
                with(&|f| f.signature = None),
                bucket,
                &keys,
                "no signature",
            ),
            (
                "another algorithm",
                with(&|f| f.algorithm = Some("SHA1withRSA".into())),
                bucket,
                &keys,
                "not SHA256withRSA",
            ),
            (
                "an unknown key",
                fetched.clone(),
                bucket,
                &none,
                "public key not found",
            ),
            (
                "not JSON",
                with(&|f| f.inflated = b"{".to_vec()),
                bucket,
                &keys,
                "invalid format",
            ),
        ];
        for (case, f, bucket, keys, want) in cases {
            let err = check(&f, bucket, keys).expect_err(case);
            assert!(err.contains(want), "{case}: {err}");
        }
    }

    fn replaced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        let text = String::from_utf8(bytes.to_vec()).expect("utf8");
        assert!(text.contains(from));
        text.replace(from, to).into_bytes()
    }

    /// A hex signature with its first byte changed.
    fn flipped(signature: &str) -> String {
        let first = if signature.starts_with("00") {
            "01"
        } else {
            "00"
        };
        format!("{first}{}", &signature[2..])
    }

    fn valid(key: &str, start: i64, previous: Option<(&str, &str)>) -> Valid {
        let start = Timestamp::from_secs(start);
        Valid {
            key: key.into(),
            start,
            end: start + crate::time::HOUR,
            signature: format!("sig-{key}"),
            previous: previous.map(|(k, s)| (k.to_string(), Some(s.to_string()))),
            backfill: false,
            files: Vec::new(),
        }
    }

    const DAY: i64 = 1_770_000_000;

    #[test]
    fn chains_break_where_a_digest_is_missing_or_its_recorded_signature_differs() {
        let k = |h: u32| format!("1_CloudTrail-Digest_r_t_r_20260202T{h:02}0000Z.json.gz");
        let (k1, k2, k3) = (k(1), k(2), k(3));
        let s1 = format!("sig-{k1}");
        let s2 = format!("sig-{k2}");
        let first = valid(&k1, DAY, Some((&k(0), "older")));
        let second = valid(&k2, DAY + 3600, Some((&k1, &s1)));
        let third = valid(&k3, DAY + 7200, Some((&k2, &s2)));
        let day_start = Timestamp::from("2026-02-02T00:30:00Z");
        for (case, digests, want) in [
            (
                "unbroken",
                vec![first.clone(), second.clone(), third.clone()],
                0,
            ),
            (
                "a middle digest deleted",
                vec![first.clone(), third.clone()],
                1,
            ),
            (
                "a recorded signature that is not the previous one's",
                vec![
                    first.clone(),
                    valid(&k2, DAY + 3600, Some((&k1, "forged"))),
                    third.clone(),
                ],
                1,
            ),
            (
                "a chain's start",
                vec![valid(&k1, DAY, None), second.clone()],
                0,
            ),
        ] {
            assert_eq!(chain_breaks(&digests, day_start).len(), want, "{case}");
        }
        // A previous digest from before the days read is not looked for.
        assert!(chain_breaks(&[first], day_start).is_empty());
    }

    #[test]
    fn coverage_is_the_unbroken_span_that_reaches_the_end() {
        let d = |start: i64| valid(&format!("k{start}"), start, None);
        for (case, digests, end, want) in [
            ("back to back", vec![d(0), d(3600), d(7200)], 9000, Some(0)),
            ("a gap", vec![d(0), d(7200), d(10_800)], 12_000, Some(7200)),
            ("end past the last", vec![d(0), d(3600)], 9000, None),
            ("none", vec![], 10, None),
        ] {
            let at = Timestamp::from_secs;
            assert_eq!(covered_from(&digests, at(end)), want.map(at), "{case}");
        }
    }
}
