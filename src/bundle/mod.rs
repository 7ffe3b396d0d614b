//! The signed evidence bundle: a DSSE envelope (payloadType application/vnd.in-toto+json)
//! around an in-toto Statement v1 whose predicate is the evidence document. The payload
//! is canonical JSON (RFC 8785), so digests and diffs are stable. See docs/bundle-format.md.

pub mod dsse;
pub mod jcs;
pub mod keys;
pub mod predicate;
pub mod renewal;

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::digest::sha256_hex;
use crate::text::error_chain;
pub use keys::{KeyError, LocalKey, PublicKey};
pub use predicate::Predicate;

pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://dms-evidence.dev/attestations/dms-usage/v1";

/// A DSSE envelope (field names as in the DSSE specification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    pub sig: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

/// Who signs, as recorded in the predicate (informational: a verifier trusts only the
/// public keys it is given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignerInfo {
    pub keyid: String,
    pub algorithm: String,
    pub public_key_pem: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
}

/// DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The subjects: the account, with digests of the captures, the facts, the evaluation
/// and, for a renewal, the link to the previous bundle. Fails closed: a part that cannot
/// be written canonically is an error, never the digest of `null`.
pub fn subjects(predicate: &Predicate) -> Result<Vec<Subject>, serde_json::Error> {
    let evidence = &predicate.evidence;
    subjects_with(
        predicate,
        sha256_hex(&jcs::to_vec(&evidence.captures, usize::MAX)?.bytes),
        sha256_hex(&jcs::to_vec(&evidence.facts, usize::MAX)?.bytes),
    )
}

/// [`subjects`] with the digests (hex SHA-256) of the canonical captures and facts (the
/// large parts) already made.
fn subjects_with(
    predicate: &Predicate,
    captures: String,
    facts: String,
) -> Result<Vec<Subject>, serde_json::Error> {
    let account = &predicate.evidence.collection.caller.account;
    let sha256 = |hex: String| BTreeMap::from([("sha256".to_string(), hex)]);
    let digest = |canonical: &[u8]| sha256(sha256_hex(canonical));
    let mut subjects = vec![
        Subject {
            name: format!("aws-account/{account}/captures"),
            digest: sha256(captures),
        },
        Subject {
            name: format!("aws-account/{account}/facts"),
            digest: sha256(facts),
        },
        Subject {
            name: format!("aws-account/{account}/evaluation"),
            digest: digest(jcs::canonical(&predicate.evaluation)?.as_bytes()),
        },
    ];
    // Only renewals have it, so earlier bundles keep their subjects.
    if let Some(renewal) = &predicate.renewal {
        subjects.push(Subject {
            name: format!("aws-account/{account}/renewal"),
            digest: digest(jcs::canonical(renewal)?.as_bytes()),
        });
    }
    Ok(subjects)
}

/// The in-toto Statement as written: its members in canonical order already.
#[derive(Serialize)]
struct Statement<'a> {
    #[serde(rename = "_type")]
    statement_type: &'static str,
    predicate: &'a Predicate,
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    subject: &'a [Subject],
}

/// The canonical payload: the in-toto Statement around the predicate.
pub fn payload(predicate: &Predicate) -> Result<Vec<u8>, serde_json::Error> {
    payload_with(predicate, &subjects(predicate)?)
}

/// [`payload`] with the predicate's [`subjects`] already computed.
pub fn payload_with(
    predicate: &Predicate,
    subjects: &[Subject],
) -> Result<Vec<u8>, serde_json::Error> {
    Ok(jcs::to_vec(&statement(predicate, subjects), usize::MAX)?.bytes)
}

fn statement<'a>(predicate: &'a Predicate, subjects: &'a [Subject]) -> Statement<'a> {
    Statement {
        statement_type: STATEMENT_TYPE,
        predicate,
        predicate_type: PREDICATE_TYPE,
        subject: subjects,
    }
}

/// The first half of what a verifier recomputes of a statement: its canonical writing
/// with the predicate's two large parts left out (`"captures":[]`, `"facts":{}`), so that
/// other threads can write the facts and read the captures meanwhile. [`Rest::recompute`]
/// then writes the captures one at a time against the payload: no writing of the whole
/// is held.
pub struct Rest {
    written: jcs::Canonical,
    /// Where `[]` stands for the captures, and `{}` for the facts, in the writing.
    captures: std::ops::Range<usize>,
    facts: std::ops::Range<usize>,
}

impl Rest {
    /// Writes the statement of `predicate` and `stated` canonically, but for its captures
    /// and facts; `capacity` sizes the writing. `None` inside: the writing has no
    /// predicate with captures before facts, where this format puts them.
    pub fn write(
        predicate: &Predicate,
        stated: &[Subject],
        capacity: usize,
    ) -> Result<Option<Rest>, serde_json::Error> {
        let written = crate::evidence::without_parts(|| {
            jcs::to_vec_sized(&statement(predicate, stated), 1, capacity)
        })?;
        let top = written
            .members
            .iter()
            .find(|m| m.depth == 0 && written.key(m).as_deref() == Some("predicate"))
            .map_or(0..0, |p| p.value..p.end);
        let part = |key: &str, empty: &[u8]| {
            written
                .members
                .iter()
                .find(|m| {
                    m.depth == 1 && top.contains(&m.start) && written.key(m).as_deref() == Some(key)
                })
                .map(|m| m.value..m.end)
                .filter(|r| &written.bytes[r.clone()] == empty)
        };
        let (Some(captures), Some(facts)) = (part("captures", b"[]"), part("facts", b"{}")) else {
            return Ok(None);
        };
        Ok((captures.end <= facts.start).then_some(Rest {
            written,
            captures,
            facts,
        }))
    }

    /// The subjects this version computes for `predicate` (captures and facts in), and
    /// whether `payload` is exactly the statement this version writes for it (RFC 8785,
    /// with `stated` as subjects). Each capture is written canonically in turn, digested
    /// and compared with the payload where it should lie; then `facts` (the facts'
    /// canonical writing, made meanwhile) is digested and compared likewise (RFC 8785
    /// writes a part the same inside the statement as alone).
    pub fn recompute(
        &self,
        predicate: &Predicate,
        stated: &[Subject],
        payload: &[u8],
        facts: impl FnOnce() -> Result<Vec<u8>, serde_json::Error>,
    ) -> Result<(Vec<Subject>, bool), serde_json::Error> {
        let bytes = &self.written.bytes;
        let mut same = payload.starts_with(&bytes[..self.captures.start]);
        let mut at = self.captures.start;
        let mut expect = |part: &[u8], at: &mut usize| {
            same &= payload.get(*at..*at + part.len()) == Some(part);
            *at += part.len();
        };
        let mut digest = Sha256::new();
        digest.update(b"[");
        expect(b"[", &mut at);
        for (i, capture) in predicate.evidence.captures.iter().enumerate() {
            let one = jcs::to_vec(capture, usize::MAX)?.bytes;
            if i > 0 {
                digest.update(b",");
                expect(b",", &mut at);
            }
            digest.update(&one);
            expect(&one, &mut at);
        }
        digest.update(b"]");
        expect(&bytes[self.captures.end - 1..self.facts.start], &mut at);
        let facts = facts()?;
        expect(&facts, &mut at);
        expect(&bytes[self.facts.end..], &mut at);
        let mut same = same && at == payload.len();
        let captures = hex::encode(digest.finalize());
        let expected = subjects_with(predicate, captures, sha256_hex(&facts))?;
        same &= expected.as_slice() == stated;
        Ok((expected, same))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot serialise the statement: {0}")]
    Json(#[from] serde_json::Error),
    #[error("AWS KMS {operation} on key {key}: {message}")]
    Kms {
        operation: &'static str,
        key: String,
        message: String,
    },
    #[error("{0}")]
    Key(#[from] KeyError),
}

/// Something that signs the PAE: a local Ed25519 key or an AWS KMS asymmetric key.
pub enum Signer {
    Local(LocalKey),
    Kms {
        client: aws_sdk_kms::Client,
        key_id: String,
        key_arn: String,
        public: PublicKey,
    },
}

impl Signer {
    /// An AWS KMS ECC_NIST_P256 SIGN_VERIFY key; reads its public key (GetPublicKey).
    pub async fn kms(client: aws_sdk_kms::Client, key_id: &str) -> Result<Signer, SignError> {
        let err = |operation, e: &dyn std::error::Error| SignError::Kms {
            operation,
            key: key_id.to_string(),
            message: error_chain(e),
        };
        let out = client
            .get_public_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| err("GetPublicKey", &e))?;
        let der = out.public_key().ok_or_else(|| SignError::Kms {
            operation: "GetPublicKey",
            key: key_id.to_string(),
            message: "no public key returned".into(),
        })?;
        let public = PublicKey::from_der(der.as_ref())?;
        if !matches!(public, PublicKey::EcdsaP256(_)) {
            return Err(SignError::Kms {
                operation: "GetPublicKey",
                key: key_id.to_string(),
                message: "the key is not ECC_NIST_P256; create it with KeySpec ECC_NIST_P256 and KeyUsage SIGN_VERIFY".into(),
            });
        }
        Ok(Signer::Kms {
            client,
            key_id: key_id.to_string(),
            key_arn: out.key_id().unwrap_or(key_id).to_string(),
            public,
        })
    }

    pub fn public(&self) -> PublicKey {
        match self {
            Signer::Local(k) => k.public(),
            Signer::Kms { public, .. } => public.clone(),
        }
    }

    pub fn info(&self) -> SignerInfo {
        let public = self.public();
        SignerInfo {
            keyid: public.keyid(),
            algorithm: public.algorithm().into(),
            public_key_pem: public.to_pem(),
            kms_key_arn: match self {
                Signer::Kms { key_arn, .. } => Some(key_arn.clone()),
                Signer::Local(_) => None,
            },
        }
    }

    /// Signs `message` (the PAE). KMS gets its SHA-256 as a DIGEST: real KMS refuses
    /// RAW messages over 4 KB, and evidence payloads are far larger.
    pub async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Signer::Local(k) => Ok(k.sign(message)),
            Signer::Kms { client, key_id, .. } => {
                let digest = Sha256::digest(message);
                let out = client
                    .sign()
                    .key_id(key_id)
                    .message(aws_smithy_types::Blob::new(digest.to_vec()))
                    .message_type(aws_sdk_kms::types::MessageType::Digest)
                    .signing_algorithm(aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256)
                    .send()
                    .await
                    .map_err(|e| SignError::Kms {
                        operation: "Sign",
                        key: key_id.clone(),
                        message: error_chain(&e),
                    })?;
                // An answer without a signature is an error, never an empty signature.
                out.signature()
                    .map(|b| b.as_ref().to_vec())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| SignError::Kms {
                        operation: "Sign",
                        key: key_id.clone(),
                        message: "the answer carries no signature".into(),
                    })
            }
        }
    }
}

/// Signs the predicate with every signer (the signers are recorded in it).
pub async fn seal(mut predicate: Predicate, signers: &[Signer]) -> Result<Envelope, SignError> {
    predicate.signers = signers.iter().map(Signer::info).collect();
    let body = payload(&predicate)?;
    let message = pae(PAYLOAD_TYPE, &body);
    let mut signatures = Vec::new();
    for signer in signers {
        let sig = signer.sign(&message).await?;
        signatures.push(Signature {
            keyid: signer.public().keyid(),
            sig: base64::engine::general_purpose::STANDARD.encode(sig),
        });
    }
    Ok(Envelope {
        payload: base64::engine::general_purpose::STANDARD.encode(&body),
        payload_type: PAYLOAD_TYPE.into(),
        signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture bundle's predicate, stated subjects and payload.
    fn fixture(name: &str) -> (Predicate, Vec<Subject>, Vec<u8>) {
        let path = format!("{}/fixtures/bundles/{name}", env!("CARGO_MANIFEST_DIR"));
        let envelope: Envelope =
            serde_json::from_slice(&std::fs::read(&path).expect("fixture")).expect("envelope");
        let payload = base64::engine::general_purpose::STANDARD
            .decode(&envelope.payload)
            .expect("base64");
        #[derive(Deserialize)]
        struct Statement {
            subject: Vec<Subject>,
            predicate: Predicate,
        }
        let st: Statement = serde_json::from_slice(&payload).expect("statement");
        (st.predicate, st.subject, payload)
    }

    fn recompute_all(p: &Predicate, stated: &[Subject], payload: &[u8]) -> (Vec<Subject>, bool) {
        let rest = Rest::write(p, stated, 0).expect("written").expect("parts");
        let facts = || jcs::to_vec(&p.evidence.facts, usize::MAX).map(|c| c.bytes);
        rest.recompute(p, stated, payload, facts)
            .expect("recompute")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Only the exact writing is canonical: a payload with any byte changed, taken out
        /// or put in is not, wherever it is (inside a capture, between the parts, in the
        /// facts), and the subjects stay those of the predicate.
        #[test]
        fn only_the_exact_writing_is_canonical(
            at in 0.0f64..1.0,
            how in 0u8..3,
            byte in proptest::prelude::any::<u8>(),
        ) {
            static FIXTURE: std::sync::OnceLock<(Predicate, Vec<Subject>, Vec<u8>)> =
                std::sync::OnceLock::new();
            let (p, stated, payload) = FIXTURE.get_or_init(|| fixture("exemplary-v0.1.0.json"));
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let i = ((at * payload.len() as f64) as usize).min(payload.len() - 1);
            let mut changed = payload.clone();
            match how {
                0 => changed[i] ^= byte | 1,
                1 => {
                    changed.remove(i);
                }
                _ => changed.insert(i, byte),
            }
            let (subjects, canonical) = recompute_all(p, stated, &changed);
            proptest::prop_assert!(!canonical);
            proptest::prop_assert_eq!(&subjects, stated);
        }
    }

    /// What verify's one writing of a statement gives is what writing its parts and the
    /// whole payload apart gives: the same subjects, and canonical exactly when the payload
    /// is `payload_with` those subjects.
    #[test]
    fn one_writing_gives_the_subjects_and_the_canonical_check() {
        for name in ["exemplary-v0.1.0.json", "weak-v0.1.0.json"] {
            let (predicate, subject, payload) = fixture(name);
            let st = (predicate, subject);
            let expected = subjects(&st.0).expect("subjects");
            let old_canonical = payload_with(&st.0, &expected).expect("payload") == payload;
            let recompute = recompute_all;
            let got = recompute(&st.0, &st.1, &payload);
            assert_eq!(got, (expected.clone(), old_canonical), "{name}");
            // Another payload, or other stated subjects: not canonical, the same subjects.
            for other in [
                &b"x"[..],
                &payload[..payload.len() - 1],
                &[payload.as_slice(), b" "].concat(),
            ] {
                let got = recompute(&st.0, &st.1, other);
                assert_eq!(got, (expected.clone(), false), "{name}");
            }
            let mut wrong = st.1.clone();
            wrong[0].digest.insert("sha256".into(), "0".repeat(64));
            let wrong = recompute(&st.0, &wrong, &payload);
            assert_eq!(wrong, (expected.clone(), false), "{name}");
            // One byte of one capture changed; and the captures are written elsewhere.
            let mut changed = payload.clone();
            let at = changed
                .windows(8)
                .position(|w| w == b"\"body\":\"")
                .expect("a body")
                + 8;
            changed[at] ^= 1;
            assert_eq!(recompute(&st.0, &st.1, &changed), (expected, false));
            let all = jcs::canonical(&st.0).expect("written");
            assert!(
                all.contains("\"captures\":[{") && !all.contains("\"facts\":{}"),
                "{name}"
            );
        }
    }

    #[test]
    fn pae_matches_the_dsse_specification() {
        // The DSSE protocol document's example.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }
}
