//! Reading a DSSE envelope in one pass: its structure checked, the signatures decoded, and
//! the payload base64-decoded over the file's own bytes behind the pre-authentication
//! encoding the signatures cover (DSSE protocol, "Signature definition"), so a large bundle
//! is never held twice. Nothing here is trusted: `verify` checks the signatures.

use base64::Engine as _;
use serde::Deserialize;

use super::Signature;

/// Stage 1 failed: the bytes are not a well-formed DSSE envelope of our payload type.
#[derive(Debug, thiserror::Error)]
pub enum StructureError {
    #[error("not a DSSE envelope: {0}")]
    NotAnEnvelope(serde_json::Error),
    #[error("payloadType is {0:?}, expected {expected}", expected = super::PAYLOAD_TYPE)]
    PayloadType(String),
    #[error("the envelope has no signature")]
    Unsigned,
    #[error("payload is not base64")]
    PayloadEncoding,
    #[error("signature {0} has no keyid")]
    NoKeyid(usize),
    #[error("signature {0} is not base64")]
    SignatureEncoding(usize),
}

/// A structurally sound envelope: the payload and signatures decoded, nothing trusted.
pub struct Parsed {
    /// The DSSE pre-authentication encoding the signatures cover, the payload decoded
    /// straight into its end (from `body` on): no second copy of a large payload.
    /// Shared: the capture bodies `verify` reads from the payload refer to it
    /// ([`crate::evidence::share_from`]).
    pub(crate) pae: std::sync::Arc<Vec<u8>>,
    pub(crate) body: usize,
    /// (keyid, signature) of each signature, decoded.
    pub(crate) signatures: Vec<(String, Vec<u8>)>,
}

/// The envelope as read: the payload borrowed from the file (base64 has nothing to
/// unescape), the rest owned.
#[derive(Deserialize)]
struct EnvelopeRef<'a> {
    #[serde(borrow)]
    payload: std::borrow::Cow<'a, str>,
    #[serde(rename = "payloadType")]
    payload_type: String,
    signatures: Vec<Signature>,
}

impl TryFrom<&[u8]> for Parsed {
    type Error = StructureError;

    fn try_from(bytes: &[u8]) -> Result<Self, StructureError> {
        let envelope: EnvelopeRef<'_> =
            serde_json::from_slice(bytes).map_err(StructureError::NotAnEnvelope)?;
        let signatures = checked(&envelope)?;
        let (pae, body) = pae_of(&envelope.payload_type, envelope.payload.as_bytes())
            .ok_or(StructureError::PayloadEncoding)?;
        Ok(Parsed {
            pae: pae.into(),
            body,
            signatures,
        })
    }
}

impl TryFrom<Vec<u8>> for Parsed {
    type Error = StructureError;

    /// As from a slice, but the payload is decoded over the bundle's own bytes (the PAE
    /// in front of it), so a large bundle is never held twice.
    fn try_from(bytes: Vec<u8>) -> Result<Self, StructureError> {
        let (signatures, at) = {
            let envelope: EnvelopeRef<'_> =
                serde_json::from_slice(&bytes).map_err(StructureError::NotAnEnvelope)?;
            let std::borrow::Cow::Borrowed(payload) = envelope.payload else {
                // Escaped (not as base64 is written): the copying way.
                return Parsed::try_from(bytes.as_slice());
            };
            let start = payload.as_ptr() as usize - bytes.as_ptr() as usize;
            let at = start..start + payload.len();
            (checked(&envelope)?, at)
        };
        let (pae, body) = decode_in_place(bytes, at, super::PAYLOAD_TYPE)
            .ok_or(StructureError::PayloadEncoding)?;
        Ok(Parsed {
            pae: pae.into(),
            body,
            signatures,
        })
    }
}

/// The envelope's type and signatures checked, the signatures decoded.
fn checked(envelope: &EnvelopeRef<'_>) -> Result<Vec<(String, Vec<u8>)>, StructureError> {
    if envelope.payload_type != super::PAYLOAD_TYPE {
        return Err(StructureError::PayloadType(envelope.payload_type.clone()));
    }
    if envelope.signatures.is_empty() {
        return Err(StructureError::Unsigned);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut signatures = Vec::new();
    for (i, s) in envelope.signatures.iter().enumerate() {
        let sig = b64
            .decode(&s.sig)
            .map_err(|_| StructureError::SignatureEncoding(i))?;
        if s.keyid.is_empty() {
            return Err(StructureError::NoKeyid(i));
        }
        signatures.push((s.keyid.clone(), sig));
    }
    Ok(signatures)
}

/// The length a canonical padded base64 text decodes to.
fn decoded_len(encoded: &[u8]) -> Option<usize> {
    if !encoded.len().is_multiple_of(4) {
        return None;
    }
    let padding = encoded.iter().rev().take(2).filter(|&&c| c == b'=').count();
    Some(encoded.len() / 4 * 3 - padding)
}

/// `buf[at]` (base64) decoded over `buf` itself, behind its PAE prefix: the PAE, and
/// where the payload starts in it. Each 4,096-character chunk is decoded before the
/// 3,072 bytes it gives are written, and writing stays behind reading as long as the
/// prefix ends at most 1,024 bytes after the payload starts (it is about 50 bytes).
fn decode_in_place(
    mut buf: Vec<u8>,
    at: std::ops::Range<usize>,
    payload_type: &str,
) -> Option<(Vec<u8>, usize)> {
    let len = decoded_len(&buf[at.clone()])?;
    let prefix = format!("DSSEv1 {} {payload_type} {len} ", payload_type.len()).into_bytes();
    let body = prefix.len();
    if body > at.start + 1024 {
        return pae_of(payload_type, &buf[at]);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut chunk = [0u8; 3072];
    let mut out = body;
    for from in at.clone().step_by(4096) {
        let n = b64
            .decode_slice(&buf[from..(from + 4096).min(at.end)], &mut chunk)
            .ok()?;
        buf[out..out + n].copy_from_slice(&chunk[..n]);
        out += n;
    }
    if out - body != len {
        return None;
    }
    buf[..body].copy_from_slice(&prefix);
    buf.truncate(out);
    buf.shrink_to_fit();
    Some((buf, body))
}

/// The PAE of a base64 payload ([`super::pae`]), decoded into place, and where the
/// payload starts in it. `None`: not canonical padded base64.
fn pae_of(payload_type: &str, encoded: &[u8]) -> Option<(Vec<u8>, usize)> {
    let len = decoded_len(encoded)?;
    let mut pae = super::pae(payload_type, &[]);
    // The empty body's length, then the real one.
    let prefix = pae.len() - 2;
    pae.truncate(prefix);
    pae.extend_from_slice(format!("{len} ").as_bytes());
    let body = pae.len();
    pae.resize(body + len, 0);
    let written = base64::engine::general_purpose::STANDARD
        .decode_slice(encoded, &mut pae[body..])
        .ok()?;
    (written == len).then_some((pae, body))
}

impl Parsed {
    /// As `Parsed::try_from(bytes)`, but bytes that are not a DSSE envelope at all (an
    /// evidence document, say) are handed back, so the caller can read them otherwise
    /// without a copy.
    pub fn read(bytes: Vec<u8>) -> Result<Result<Parsed, StructureError>, Vec<u8>> {
        if serde_json::from_slice::<EnvelopeRef<'_>>(&bytes).is_err() {
            return Err(bytes);
        }
        Ok(Parsed::try_from(bytes))
    }

    /// The payload, decoded.
    pub fn payload(&self) -> &[u8] {
        &self.pae[self.body..]
    }

    /// The buffer the payload lies in (behind its PAE prefix), and where it starts there.
    pub fn shared(&self) -> (std::sync::Arc<Vec<u8>>, usize) {
        (std::sync::Arc::clone(&self.pae), self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle;

    #[test]
    fn structure_is_checked_before_any_crypto() {
        let envelope = |payload_type: &str, payload: &str, sigs: &str| {
            format!(
                r#"{{"payloadType":"{payload_type}","payload":"{payload}","signatures":[{sigs}]}}"#
            )
        };
        let ok_type = bundle::PAYLOAD_TYPE;
        let sig = r#"{"keyid":"k","sig":"AAAA"}"#;
        for (bytes, want) in [
            ("not json".to_string(), "not a DSSE envelope"),
            (envelope("text/plain", "e30=", sig), "payloadType"),
            (envelope(ok_type, "e30=", ""), "no signature"),
            (envelope(ok_type, "@@", sig), "payload is not base64"),
            (
                envelope(ok_type, "e30=", r#"{"keyid":"","sig":"AAAA"}"#),
                "signature 0 has no keyid",
            ),
            (
                envelope(ok_type, "e30=", r#"{"keyid":"k","sig":"@"}"#),
                "signature 0 is not base64",
            ),
        ] {
            let err = Parsed::try_from(bytes.as_bytes())
                .err()
                .map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains(want)),
                "{bytes}: {err:?}"
            );
        }
        assert!(Parsed::try_from(envelope(ok_type, "e30=", sig).as_bytes()).is_ok());
        // Decoded over the bundle's own bytes: the same refusals, the same PAE.
        for (bytes, want) in [
            (envelope(ok_type, "@@@@", sig), "payload is not base64"),
            (envelope("text/plain", "e30=", sig), "payloadType"),
        ] {
            let err = Parsed::try_from(bytes.into_bytes())
                .err()
                .map(|e| e.to_string());
            assert!(err.is_some_and(|e| e.contains(want)), "{want}");
        }
        let payload = "x".repeat(10_000);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&payload);
        for ordered in [
            envelope(ok_type, &encoded, sig),
            format!(r#"{{"signatures":[{sig}],"payloadType":"{ok_type}","payload":"{encoded}"}}"#),
        ] {
            let parsed = Parsed::try_from(ordered.into_bytes()).expect("parsed");
            assert_eq!(*parsed.pae, bundle::pae(ok_type, payload.as_bytes()));
            assert_eq!(parsed.payload(), payload.as_bytes());
        }
    }

    #[test]
    fn the_payload_is_decoded_into_its_pae() {
        for payload in [&b""[..], b"{}", b"{\"a\":1}", &[0xff; 100]] {
            let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
            let (pae, body) = pae_of("t/x", encoded.as_bytes()).expect("base64");
            assert_eq!(pae, bundle::pae("t/x", payload));
            assert_eq!(&pae[body..], payload);
        }
        for bad in ["e30", "e3=0", "@@@@", "e30=="] {
            assert!(pae_of("t/x", bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
