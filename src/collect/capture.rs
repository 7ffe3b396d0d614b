//! Raw evidence: every AWS response body as received, captured by an SDK interceptor.
//!
//! Each capture records service, operation, region, request id, HTTP status, time and
//! the SHA-256 of the body. Calls made inside [`scoped`] also report the ids of their
//! captures, so every fact can cite the responses it was read from.

use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use base64::Engine as _;

use crate::digest::sha256_hex;
use crate::evidence::{Capture, Retries};
use crate::redact;

/// Collects captures from every client of one collection run, and counts retries.
#[derive(Debug, Default, Clone)]
pub struct CaptureStore {
    inner: Arc<Mutex<Vec<Capture>>>,
    retries: Arc<Mutex<Retries>>,
}

/// When the previous attempt of an operation ended (per operation, in its config bag).
#[derive(Debug, Clone)]
struct AttemptEnded(std::time::Instant);

impl Storable for AttemptEnded {
    type Storer = StoreReplace<Self>;
}

impl CaptureStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&self, mut capture: Capture) -> String {
        let mut all = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        capture.id = format!("c{:06}", all.len() + 1);
        let id = capture.id.clone();
        all.push(capture);
        id
    }

    /// A capture the collector built itself: a body the interceptor cannot see (an S3
    /// object, which the SDK streams), as it is kept. Returns its id.
    pub fn add(&self, capture: Capture) -> String {
        self.push(capture)
    }

    /// Retries so far and the time waited before them.
    pub fn retries(&self) -> Retries {
        *self.retries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// All captures so far, in the order they were read.
    pub fn snapshot(&self) -> Vec<Capture> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The interceptor to add to a client of `service` in `region`.
    pub fn interceptor(&self, service: &'static str, region: &str) -> CaptureInterceptor {
        CaptureInterceptor {
            store: self.clone(),
            service,
            region: region.to_string(),
        }
    }
}

tokio::task_local! {
    static SCOPE: Arc<Mutex<Vec<String>>>;
}

/// Runs `fut` and returns the ids of the captures its AWS calls produced.
pub async fn scoped<F: Future>(fut: F) -> (F::Output, Vec<String>) {
    let ids = Arc::new(Mutex::new(Vec::new()));
    let out = SCOPE.scope(ids.clone(), fut).await;
    let ids = ids.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (out, ids)
}

#[derive(Debug)]
pub struct CaptureInterceptor {
    store: CaptureStore,
    service: &'static str,
    region: String,
}

impl Intercept for CaptureInterceptor {
    fn name(&self) -> &'static str {
        "dms-evidence-capture"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(ended) = cfg.load::<AttemptEnded>() {
            let waited = ended.0.elapsed();
            let mut r = self.store.retries.lock().unwrap_or_else(|e| e.into_inner());
            r.retries += 1;
            r.wait_ms += u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(AttemptEnded(std::time::Instant::now()));
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let Some(bytes) = response.body().bytes() else {
            return Ok(());
        };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        let headers = response.headers();
        let media_type = headers
            .get("content-type")
            .unwrap_or("application/octet-stream")
            .to_string();
        let request_id = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
            .iter()
            .find_map(|h| headers.get(*h))
            .map(str::to_string);
        let received_sha256 = sha256_hex(bytes);
        let (body_encoding, body, redacted) = match std::str::from_utf8(bytes) {
            Ok(text) if !media_type.contains("cbor") => {
                let (clean, redacted) = redact::body(self.service, text, &media_type);
                ("utf8".to_string(), clean, redacted)
            }
            _ => (
                "base64".to_string(),
                base64::engine::general_purpose::STANDARD.encode(bytes),
                Vec::new(),
            ),
        };
        let stored = if body_encoding == "utf8" {
            sha256_hex(body.as_bytes())
        } else {
            received_sha256.clone()
        };
        let capture = Capture {
            id: String::new(),
            service: self.service.to_string(),
            operation,
            region: self.region.clone(),
            request_id,
            http_status: response.status().as_u16(),
            time: crate::time::Timestamp::now(),
            media_type,
            body_encoding,
            body: body.into(),
            received_sha256: (stored != received_sha256).then_some(received_sha256),
            sha256: stored,
            redacted,
        };
        let id = self.store.push(capture);
        let _ = SCOPE.try_with(|ids| ids.lock().unwrap_or_else(|e| e.into_inner()).push(id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sequential_and_bodies_round_trip() {
        let store = CaptureStore::new();
        for (encoding, body) in [("utf8", "{\"a\":1}"), ("base64", "oWFhAQ==")] {
            store.push(Capture {
                id: String::new(),
                service: "dms".into(),
                operation: "DescribeEndpoints".into(),
                region: "us-east-1".into(),
                request_id: None,
                http_status: 200,
                time: "2026-01-01T00:00:00Z".into(),
                media_type: "application/x-amz-json-1.1".into(),
                body_encoding: encoding.into(),
                body: body.into(),
                sha256: String::new(),
                received_sha256: None,
                redacted: vec![],
            });
        }
        let all = store.snapshot();
        assert_eq!(
            all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c000001", "c000002"]
        );
        assert_eq!(all[0].body_json(), Some(serde_json::json!({"a": 1})));
        assert_eq!(all[1].body_bytes().ok(), Some(vec![0xa1, 0x61, 0x61, 0x01]));
    }

    #[tokio::test]
    async fn scope_collects_ids_pushed_inside_it() {
        let (_, ids) = scoped(async {
            SCOPE.with(|ids| {
                ids.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push("c000009".into())
            });
        })
        .await;
        assert_eq!(ids, ["c000009"]);
    }
}
