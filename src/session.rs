//! The AWS session: one place builds the `SdkConfig` (region, profile, endpoint
//! override, retry, timeouts), assumes the case study's read-only role, and checks
//! with GetCallerIdentity that the evidence comes from the declared account.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::error::ProvideErrorMetadata;

use aws_credential_types::Credentials;

use crate::casestudy::CaseStudy;
use crate::collect::capture::{CaptureStore, scoped};
use crate::collect::gap;
use crate::collect::retry::{self, DEFAULT_MAX_ATTEMPTS, THROTTLED_ATTEMPTS};
use crate::evidence::{CallerIdentity, Gap, GapKind};

/// How to reach AWS: caller credentials, endpoint, retries and timeouts.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub profile: Option<String>,
    /// Points every client, STS included, at this endpoint (an emulator).
    pub endpoint_url: Option<String>,
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub role_session_seconds: i32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            profile: None,
            endpoint_url: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            role_session_seconds: 900,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(
        "could not assume role {role_arn}: {code}: {message} (check the role's trust policy allows your principal \
         with sts:ExternalId, and that your credentials are valid)"
    )]
    AssumeRole {
        role_arn: String,
        code: String,
        message: String,
    },
    #[error(
        "the credentials act in account {actual}, but the case study declares account {declared}: refusing to \
         collect evidence from the wrong account"
    )]
    WrongAccount { declared: String, actual: String },
}

/// The standard credential chain (or `profile`), with retries and timeouts.
pub async fn base_config(opts: &SessionOptions, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        // Standard retry: jittered exponential backoff, bounded by the attempts and by
        // the SDK's retry quota (a token budget per client), so throttling costs
        // proportionate waits. The adaptive mode's client-side rate limiter asked for
        // 18-20 s waits at 30 % throttling (158 s for a 0.5 s collection).
        .retry_config(
            // Throttling gets more attempts than errors: the classifier of
            // collect::retry holds other errors to `opts.max_attempts`.
            RetryConfig::standard()
                .with_max_attempts(THROTTLED_ATTEMPTS.max(opts.max_attempts))
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(opts.connect_timeout)
                .read_timeout(opts.read_timeout)
                .build(),
        );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &opts.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// `base` with credentials from AssumeRole into `role_arn` (with the external id).
pub async fn assume_role(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: &str,
    seconds: i32,
) -> SdkConfig {
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .session_name(session_name)
        .session_length(Duration::from_secs(
            u64::try_from(seconds.max(900)).unwrap_or(900),
        ));
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.configure(base).build().await;
    with_credentials(base, provider)
}

/// `base` with other credentials (a role's).
pub fn with_credentials(
    base: &SdkConfig,
    credentials: impl aws_credential_types::provider::ProvideCredentials + 'static,
) -> SdkConfig {
    base.clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// Calls GetCallerIdentity (captured) and checks the account is the declared one.
pub async fn verify_identity(
    config: &SdkConfig,
    store: &CaptureStore,
    role_arn: &str,
    declared_account: &str,
) -> Result<CallerIdentity, SessionError> {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let sts_conf = aws_sdk_sts::config::Builder::from(config)
        .interceptor(store.interceptor("sts", &region))
        .build();
    let sts = aws_sdk_sts::Client::from_conf(sts_conf);
    let (result, sources) = scoped(sts.get_caller_identity().send()).await;
    let out = result.map_err(|err| SessionError::AssumeRole {
        role_arn: role_arn.to_string(),
        code: err.code().unwrap_or("Unknown").to_string(),
        message: err
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| crate::text::error_chain(&err)),
    })?;
    let identity = CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
        sources,
    };
    if identity.account != declared_account {
        return Err(SessionError::WrongAccount {
            declared: declared_account.to_string(),
            actual: identity.account,
        });
    }
    Ok(identity)
}

/// Who a set of credentials acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

/// Whether the credential chain finds credentials at all (before any call): a gap
/// `AccessDenied` saying why, when it does not.
pub async fn own_credentials(config: &SdkConfig) -> Result<(), Gap> {
    use aws_credential_types::provider::ProvideCredentials as _;
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let found = match config.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .map(|_| ())
            .map_err(|e| crate::text::error_chain(&e)),
        None => Err("no credentials provider is configured".to_string()),
    };
    found.map_err(|why| Gap {
        service: "sts".into(),
        operation: "GetCallerIdentity".into(),
        region,
        iam_action: "sts:GetCallerIdentity".into(),
        kind: GapKind::AccessDenied,
        code: Some("NoCredentials".into()),
        message: format!("no credentials found: {why}"),
        resource: None,
    })
}

/// GetCallerIdentity with these credentials, not captured (`doctor`); a failure is the
/// gap the collector would record.
pub async fn caller(config: &SdkConfig, policy: &retry::Policy) -> Result<Caller, Gap> {
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let out = sts_client(config, policy)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| gap::from_sdk_error("sts", "GetCallerIdentity", &region, &e))?;
    Ok(Caller {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
    })
}

/// One AssumeRole into the case study's role as collect makes it (external id, session
/// name and length), so that its own answer is seen (`doctor`): the credentials and
/// when they expire.
pub async fn assume_once(
    base: &SdkConfig,
    policy: &retry::Policy,
    case: &CaseStudy,
    seconds: i32,
) -> Result<(Credentials, String), Gap> {
    let region = base.region().map(|r| r.to_string()).unwrap_or_default();
    let out = sts_client(base, policy)
        .assume_role()
        .role_arn(&case.role_arn)
        .role_session_name(&case.session_name)
        .set_external_id(case.external_id.clone())
        .duration_seconds(seconds.max(900))
        .send()
        .await
        .map_err(|e| gap::from_sdk_error("sts", "AssumeRole", &region, &e))?;
    let Some(c) = out.credentials() else {
        return Err(Gap {
            service: "sts".into(),
            operation: "AssumeRole".into(),
            region,
            iam_action: "sts:AssumeRole".into(),
            kind: GapKind::Other,
            code: None,
            message: "AssumeRole answered without credentials".into(),
            resource: None,
        });
    };
    let expires = c.expiration();
    let credentials = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        std::time::SystemTime::try_from(*expires).ok(),
        "dms-evidence-doctor",
    );
    let expiry = expires
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    Ok((credentials, expiry))
}

fn sts_client(config: &SdkConfig, policy: &retry::Policy) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(policy.clone())
            .retry_classifier(policy.clone())
            .build(),
    )
}
