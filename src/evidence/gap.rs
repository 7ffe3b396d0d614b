//! Gaps: AWS calls that failed after retries, kept as evidence of what is missing.

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
