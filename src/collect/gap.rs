//! Gaps: AWS calls that failed after retries, kept as evidence of what is missing.

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    AccessDenied,
    OptInRequired,
    /// The region is not enabled for the account: AWS answers
    /// UnrecognizedClientException (JSON), InvalidClientTokenId (query) or
    /// AuthFailure (EC2) there, after AssumeRole and GetCallerIdentity succeeded.
    RegionNotEnabled,
    /// The resource is in a state that does not answer (DMS InvalidResourceStateFault:
    /// table statistics of a stopped or deprovisioned replication).
    ResourceState,
    /// The operation does not apply to this resource (KMS UnsupportedOperationException).
    Unsupported,
    Throttling,
    NotImplemented,
    Timeout,
    Network,
    Other,
}

impl GapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::AccessDenied => "access denied",
            GapKind::OptInRequired => "opt-in required",
            GapKind::RegionNotEnabled => "region not enabled",
            GapKind::ResourceState => "resource state",
            GapKind::Unsupported => "unsupported",
            GapKind::Throttling => "throttling",
            GapKind::NotImplemented => "not implemented",
            GapKind::Timeout => "timeout",
            GapKind::Network => "network",
            GapKind::Other => "other",
        }
    }
}

/// A call that failed: what was asked, where, why, and the permission it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub service: String,
    pub operation: String,
    pub region: String,
    /// The IAM action the call needs (`dms:DescribeTableStatistics`).
    pub iam_action: String,
    pub kind: GapKind,
    /// AWS error code, when AWS answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    /// The resource the call was about, when it was about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

pub fn classify_code(code: &str) -> GapKind {
    let c = code.to_ascii_lowercase();
    if c == "authfailure" {
        // EC2's answer in a region that is not enabled, and to bad credentials; the
        // session was already proven with GetCallerIdentity, so it is the region.
        GapKind::RegionNotEnabled
    } else if c.contains("accessdenied")
        || c.contains("unauthorized")
        || c.contains("notauthorized")
    {
        GapKind::AccessDenied
    } else if c.contains("optinrequired") || c.contains("subscriptionrequired") {
        GapKind::OptInRequired
    } else if c == "unrecognizedclientexception" || c == "invalidclienttokenid" {
        GapKind::RegionNotEnabled
    } else if c == "invalidresourcestatefault" {
        GapKind::ResourceState
    } else if c == "unsupportedoperationexception" {
        GapKind::Unsupported
    } else if c.contains("throttl")
        || c.contains("toomanyrequests")
        || c.contains("requestlimitexceeded")
    {
        GapKind::Throttling
    } else if c.contains("notimplemented") || c == "invalidaction" || c.contains("unknownoperation")
    {
        GapKind::NotImplemented
    } else {
        GapKind::Other
    }
}

/// Builds the gap for a failed SDK call.
pub fn from_sdk_error<E, R>(
    service: &str,
    operation: &str,
    region: &str,
    err: &SdkError<E, R>,
) -> Gap
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug,
{
    let (kind, code) = match err {
        SdkError::TimeoutError(_) => (GapKind::Timeout, None),
        SdkError::DispatchFailure(f) if f.is_timeout() => (GapKind::Timeout, None),
        SdkError::DispatchFailure(_) => (GapKind::Network, None),
        _ => match err.code() {
            Some(code) => (classify_code(code), Some(code.to_string())),
            None => (GapKind::Other, None),
        },
    };
    Gap {
        service: service.to_string(),
        operation: operation.to_string(),
        region: region.to_string(),
        iam_action: super::operations::iam_action(service, operation),
        kind,
        code,
        message: err
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| describe(err)),
        resource: None,
    }
}

/// The error and its causes in one line (SDK errors print little by themselves).
pub fn describe(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify() {
        for (code, kind) in [
            ("AccessDeniedException", GapKind::AccessDenied),
            ("AccessDenied", GapKind::AccessDenied),
            ("AccessDeniedFault", GapKind::AccessDenied),
            ("UnauthorizedOperation", GapKind::AccessDenied),
            ("OptInRequired", GapKind::OptInRequired),
            ("ThrottlingException", GapKind::Throttling),
            ("Throttling", GapKind::Throttling),
            ("TooManyRequestsException", GapKind::Throttling),
            ("NotImplemented", GapKind::NotImplemented),
            ("InvalidAction", GapKind::NotImplemented),
            ("ResourceNotFoundFault", GapKind::Other),
            ("UnrecognizedClientException", GapKind::RegionNotEnabled),
            ("InvalidClientTokenId", GapKind::RegionNotEnabled),
            ("AuthFailure", GapKind::RegionNotEnabled),
            ("InvalidResourceStateFault", GapKind::ResourceState),
            ("UnsupportedOperationException", GapKind::Unsupported),
        ] {
            assert_eq!(classify_code(code), kind, "{code}");
        }
    }
}
