//! Gaps from failed SDK calls: the kind of failure read from AWS's error code.

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use crate::evidence::{Gap, GapKind};
use crate::text::error_chain;

/// Codes of a request whose credentials or signature AWS refused (expired session, wrong
/// secret, no token; AWS General Reference, "Common errors", and S3's InvalidAccessKeyId):
/// the call was refused, as by a policy.
const CREDENTIALS_REFUSED: &[&str] = &[
    "expiredtoken",
    "expiredtokenexception",
    "signaturedoesnotmatch",
    "incompletesignature",
    "missingauthenticationtoken",
    "invalidsignatureexception",
    "invalidaccesskeyid",
];

pub fn classify_code(code: &str) -> GapKind {
    let c = code.to_ascii_lowercase();
    if c == "authfailure" {
        // EC2's answer in a region that is not enabled, and to bad credentials; the
        // session was already proven with GetCallerIdentity, so it is the region.
        GapKind::RegionNotEnabled
    } else if c.contains("accessdenied")
        || c.contains("unauthorized")
        || c.contains("notauthorized")
        || CREDENTIALS_REFUSED.contains(&c.as_str())
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
        iam_action: crate::operations::iam_action(service, operation),
        kind,
        code,
        message: err
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| error_chain(err)),
        resource: None,
    }
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
            ("ExpiredToken", GapKind::AccessDenied),
            ("SignatureDoesNotMatch", GapKind::AccessDenied),
            ("InvalidSignatureException", GapKind::AccessDenied),
            ("InvalidAccessKeyId", GapKind::AccessDenied),
            ("MissingAuthenticationToken", GapKind::AccessDenied),
            ("InvalidResourceStateFault", GapKind::ResourceState),
            ("UnsupportedOperationException", GapKind::Unsupported),
        ] {
            assert_eq!(classify_code(code), kind, "{code}");
        }
    }
}
