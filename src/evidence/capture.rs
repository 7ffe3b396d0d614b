//! One captured AWS response (the raw evidence facts cite) and the retry count.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// One AWS response, as received (less any redacted secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    /// Stable id within one evidence document (`c000001` …), cited by facts.
    pub id: String,
    /// IAM service prefix of the call (`dms`, `rds`, `kms`, `cloudwatch`, `logs`, `iam`, `sts`).
    pub service: String,
    /// API operation name (`DescribeEndpoints`).
    pub operation: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub http_status: u16,
    /// When the response was read (RFC 3339, UTC, on the wire).
    pub time: crate::time::Timestamp,
    pub media_type: String,
    /// `utf8` (body is the text) or `base64` (binary bodies such as CBOR).
    pub body_encoding: String,
    pub body: Body,
    /// SHA-256 (hex) of the body bytes as stored here.
    pub sha256: String,
    /// SHA-256 (hex) of the bytes as received, when redaction changed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_sha256: Option<String>,
    /// Where secrets were removed (JSON paths or XML element names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
}

impl Capture {
    /// The stored body bytes (decoded from base64 where needed).
    pub fn body_bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        match self.body_encoding.as_str() {
            "base64" => base64::engine::general_purpose::STANDARD.decode(self.body.as_bytes()),
            _ => Ok(self.body.as_bytes().to_vec()),
        }
    }

    /// The body parsed as JSON, for JSON protocols.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        (self.body_encoding == "utf8")
            .then(|| serde_json::from_str(self.body.as_str()).ok())
            .flatten()
    }
}

/// A capture's body as stored: its own text, or, read from a bundle by `verify`, the span
/// of the bundle's decoded payload that holds it. A large bundle's bodies (most of its
/// bytes: CloudWatch's CBOR answers in base64) are then not held twice (issue 22).
#[derive(Clone)]
pub struct Body(Text);

#[derive(Clone)]
enum Text {
    Owned(String),
    /// `payload[range]`, checked UTF-8 when it was read (a JSON string with nothing to
    /// unescape, as base64 never has).
    Shared(Arc<Vec<u8>>, Range<usize>),
}

thread_local! {
    /// The decoded payload a bundle is being read from on this thread (see [`share_from`]).
    static PAYLOAD: RefCell<Option<Arc<Vec<u8>>>> = const { RefCell::new(None) };
    /// Whether evidence written on this thread leaves its captures and facts out
    /// ([`without_parts`]).
    static ELIDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the evidence written on this thread having `"captures":[]` and
/// `"facts":{}`: a verifier writes the rest of a bundle this way while other threads
/// digest the captures and write the facts, its two large parts (`bundle::Rest`).
pub fn without_parts<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ELIDED.with(|e| e.set(self.0));
        }
    }
    let _reset = Reset(ELIDED.with(|e| e.replace(true)));
    f()
}

/// How evidence writes its captures: all of them, or none inside [`without_parts`].
pub fn elidable<S: serde::Serializer>(captures: &[Capture], s: S) -> Result<S::Ok, S::Error> {
    if ELIDED.with(std::cell::Cell::get) {
        s.collect_seq(std::iter::empty::<&Capture>())
    } else {
        s.collect_seq(captures)
    }
}

/// How evidence writes its facts: all of them, or `{}` inside [`without_parts`].
pub fn elidable_facts<S: serde::Serializer>(
    facts: &crate::facts::Facts,
    s: S,
) -> Result<S::Ok, S::Error> {
    if ELIDED.with(std::cell::Cell::get) {
        s.collect_map(std::iter::empty::<(&str, &str)>())
    } else {
        facts.serialize(s)
    }
}

/// While the returned guard lives, bodies read on this thread from strings lying inside
/// `payload` (read with `serde_json::from_slice` over it) refer to it instead of copying.
pub fn share_from(payload: Arc<Vec<u8>>) -> SharingGuard {
    PAYLOAD.with(|p| *p.borrow_mut() = Some(payload));
    SharingGuard(())
}

/// Ends [`share_from`] when dropped.
pub struct SharingGuard(());

impl Drop for SharingGuard {
    fn drop(&mut self) {
        PAYLOAD.with(|p| *p.borrow_mut() = None);
    }
}

impl Body {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Text::Owned(s) => s,
            // Checked when it was read; a failure here cannot happen and reads as empty.
            Text::Shared(buf, range) => std::str::from_utf8(&buf[range.clone()]).unwrap_or(""),
        }
    }

    /// The text to change (a shared body becomes the capture's own copy).
    pub fn make_mut(&mut self) -> &mut String {
        if let Text::Shared(..) = self.0 {
            self.0 = Text::Owned(self.as_str().to_string());
        }
        match &mut self.0 {
            Text::Owned(s) => s,
            Text::Shared(..) => unreachable!("made owned above"),
        }
    }

    /// The text's bytes (not checked again as UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Text::Owned(s) => s.as_bytes(),
            Text::Shared(buf, range) => &buf[range.clone()],
        }
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the body is a span of a bundle's payload rather than a copy.
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Text::Shared(..))
    }
}

impl Default for Body {
    fn default() -> Self {
        Body(Text::Owned(String::new()))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body(Text::Owned(s))
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Self {
        Body(Text::Owned(s.to_string()))
    }
}

impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Body {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<String> for Body {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Body;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Body, E> {
                Ok(PAYLOAD
                    .with(|p| {
                        let p = p.borrow();
                        let buf = p.as_ref()?;
                        let start = (v.as_ptr() as usize).checked_sub(buf.as_ptr() as usize)?;
                        // `v` lies inside the payload: a span of it, not a copy.
                        let range = start..start + v.len();
                        (range.end <= buf.len()).then(|| Body(Text::Shared(Arc::clone(buf), range)))
                    })
                    .unwrap_or_else(|| v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Body, E> {
                Ok(v.into())
            }
            fn visit_string<E>(self, v: String) -> Result<Body, E> {
                Ok(v.into())
            }
        }
        d.deserialize_str(Visit)
    }
}

/// Retried attempts and the time spent waiting before them (backoff).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retries {
    pub retries: usize,
    pub wait_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bodies read over a shared payload are spans of it where nothing had to be
    /// unescaped, copies otherwise, and copies when no payload is shared; all read the same.
    #[test]
    fn bodies_read_from_a_shared_payload_are_spans_of_it() {
        let payload = br#"["oWFhAQ==","{\"a\":1}"]"#.to_vec();
        let shared = Arc::new(payload.clone());
        let read = |share: bool| -> Vec<Body> {
            let _guard = share.then(|| share_from(Arc::clone(&shared)));
            serde_json::from_slice(&shared).expect("bodies")
        };
        let bodies = read(true);
        assert_eq!(bodies[0], *"oWFhAQ==");
        assert_eq!(bodies[1], *r#"{"a":1}"#);
        assert!(bodies[0].is_shared() && !bodies[1].is_shared());
        // The guard is gone: copies again; another buffer than the shared one: copies.
        assert!(read(false).iter().all(|b| !b.is_shared()));
        let _guard = share_from(Arc::new(b"[]".to_vec()));
        let other: Vec<Body> = serde_json::from_slice(&payload).expect("bodies");
        assert!(!other[0].is_shared());
        drop(_guard);
        // Changed: the capture's own copy; written back as the text it holds.
        let mut body = bodies[0].clone();
        body.make_mut().push('=');
        assert!(!body.is_shared() && bodies[0].is_shared());
        assert_eq!(
            serde_json::to_string(&body).expect("json"),
            r#""oWFhAQ===""#
        );
        assert_eq!(format!("{:?}", bodies[0]), r#""oWFhAQ==""#);
    }
}
