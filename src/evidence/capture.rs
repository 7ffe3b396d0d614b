//! One captured AWS response (the raw evidence facts cite) and the retry count.

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
    /// When the response was read (RFC 3339, UTC).
    pub time: String,
    pub media_type: String,
    /// `utf8` (body is the text) or `base64` (binary bodies such as CBOR).
    pub body_encoding: String,
    pub body: String,
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
            "base64" => base64::engine::general_purpose::STANDARD.decode(&self.body),
            _ => Ok(self.body.as_bytes().to_vec()),
        }
    }

    /// The body parsed as JSON, for JSON protocols.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        (self.body_encoding == "utf8")
            .then(|| serde_json::from_str(&self.body).ok())
            .flatten()
    }
}

/// Retried attempts and the time spent waiting before them (backoff).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retries {
    pub retries: usize,
    pub wait_ms: u64,
}
