//! Throttling is retried differently from errors. AWS asks clients to back off and retry
//! throttled requests (AWS SDKs and Tools Reference Guide, "Retry behavior": throttling
//! errors are retryable, with exponential backoff and jitter), while a request that failed
//! for another reason should not be repeated many times. This classifier runs after the
//! SDK's own ones (which say *whether* an error is retryable and of which kind) and decides
//! how many attempts each kind gets: a throttled request is retried up to
//! [`THROTTLED_ATTEMPTS`] with jittered exponential backoff, within a per-run budget of
//! waiting time; any other retryable error keeps the `--max-attempts` limit.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::ErrorKind;

/// Attempts a throttled request gets (the SDK's retry configuration allows this many).
pub const THROTTLED_ATTEMPTS: u32 = 15;
/// Attempts of a request that fails for a reason other than throttling (`--max-attempts`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// First backoff of a throttled request, doubled each attempt up to [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// Waiting on throttling a whole run may spend; past it a throttled request fails (a gap).
pub const RUN_BUDGET: Duration = Duration::from_secs(300);

/// The retry decision of every client of one collection run.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Attempts of a request that failed for a reason other than throttling.
    error_attempts: u32,
    /// Milliseconds of throttling backoff granted so far in this run.
    waited_ms: Arc<AtomicU64>,
    budget: Duration,
}

impl Policy {
    pub fn new(error_attempts: u32) -> Policy {
        Policy {
            error_attempts: error_attempts.max(1),
            waited_ms: Arc::new(AtomicU64::new(0)),
            budget: RUN_BUDGET,
        }
    }

    /// Throttling may cost this run at most `budget` of waiting (`doctor` asks for little:
    /// it reports throttling rather than riding it out).
    pub fn with_budget(mut self, budget: Duration) -> Policy {
        self.budget = budget;
        self
    }

    /// The backoff before attempt `attempt + 1` of a throttled request: exponential,
    /// with jitter between half and all of it; `None` once the run's budget is spent.
    fn throttled_backoff(&self, attempt: u32) -> Option<Duration> {
        let exp = BASE_BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(16));
        let ceiling = exp.min(MAX_BACKOFF).as_millis() as u64;
        let jitter = u64::from(getrandom::u32().unwrap_or(u32::MAX / 2)) % (ceiling / 2 + 1);
        let delay = ceiling / 2 + jitter;
        let before = self.waited_ms.fetch_add(delay, Ordering::Relaxed);
        (before + delay <= self.budget.as_millis() as u64).then(|| Duration::from_millis(delay))
    }
}

thread_local! {
    /// The attempt that just ended on this thread: set by [`Policy`]'s `read_after_attempt`,
    /// which the SDK runs right before it asks the retry strategy, in the same poll.
    static ATTEMPT: Cell<Option<u32>> = const { Cell::new(None) };
}

/// The attempt a request is (the SDK's own count), 1 when unknown.
fn attempt(_ctx: &InterceptorContext) -> u32 {
    ATTEMPT.with(Cell::get).unwrap_or(1)
}

impl Intercept for Policy {
    fn name(&self) -> &'static str {
        "dms-evidence-retry-attempts"
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let n = cfg.load::<RequestAttempts>().map(RequestAttempts::attempts);
        ATTEMPT.with(|a| a.set(n));
        Ok(())
    }
}

impl ClassifyRetry for Policy {
    fn classify_retry(&self, _ctx: &InterceptorContext) -> RetryAction {
        RetryAction::NoActionIndicated
    }

    fn classify_retry_v2(&self, ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        decide(self, attempt(ctx), previous)
    }

    fn name(&self) -> &'static str {
        "dms-evidence: throttling retried longer than errors"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// What attempt `attempt` of a request gets after the SDK's classifiers said `previous`.
fn decide(policy: &Policy, attempt: u32, previous: &RetryAction) -> RetryAction {
    match previous {
        RetryAction::RetryIndicated(RetryReason::RetryableError {
            kind: ErrorKind::ThrottlingError,
            retry_after,
        }) => match policy.throttled_backoff(attempt) {
            Some(delay) => RetryAction::retryable_error_with_explicit_delay(
                ErrorKind::ThrottlingError,
                retry_after.map_or(delay, |after| after.max(delay)),
            ),
            None => RetryAction::RetryForbidden,
        },
        RetryAction::RetryIndicated(_) if attempt >= policy.error_attempts => {
            RetryAction::RetryForbidden
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttled() -> RetryAction {
        RetryAction::throttling_error()
    }

    #[test]
    fn throttling_gets_more_attempts_than_errors() {
        let policy = Policy::new(5);
        // (attempt, what the SDK said, whether it is retried)
        for (attempt, previous, retried) in [
            (1, RetryAction::server_error(), true),
            (4, RetryAction::server_error(), true),
            (5, RetryAction::server_error(), false),
            (5, throttled(), true),
            (12, throttled(), true),
            (3, RetryAction::NoActionIndicated, false),
        ] {
            let got = decide(&policy, attempt, &previous);
            assert_eq!(
                got.should_retry(),
                retried,
                "attempt {attempt}: {previous:?} → {got:?}"
            );
        }
    }

    #[test]
    fn throttling_backs_off_with_jitter_and_stops_at_the_budget() {
        let policy = Policy {
            budget: Duration::from_secs(10),
            ..Policy::new(5)
        };
        for attempt in 1..=6 {
            let d = policy.throttled_backoff(attempt).expect("within budget");
            let ceiling = BASE_BACKOFF
                .saturating_mul(1 << (attempt - 1))
                .min(MAX_BACKOFF);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
        let mut granted = 0;
        while policy.throttled_backoff(8).is_some() {
            granted += 1;
        }
        assert!(granted < 10, "the run's budget ends the retries");
        assert_eq!(
            decide(&policy, 2, &throttled()),
            RetryAction::RetryForbidden
        );
    }
}
