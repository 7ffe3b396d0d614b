//! `doctor`: before a collection, checks that everything it reads is reachable — your own
//! credentials, the role (trust policy, external id, session), each declared region, every
//! read the collector makes (each probed once with its cheapest call), and the evidence
//! sources that may be off (CloudTrail event history, an AWS Config recorder, task log
//! groups). Each check says which checklist items it feeds and the fix. Nothing is kept:
//! no capture, no bundle.

pub mod feeds;
pub mod probe;
mod sources;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;
use serde::{Deserialize, Serialize};

use crate::casestudy::CaseStudy;
use crate::collect::capture::CaptureStore;
use crate::collect::{Clients, Context, retry};
use crate::evaluate::Checklist;
use crate::evidence::{Gap, GapKind};
use crate::session::{self, SessionOptions};

pub const SCHEMA: &str = "dms-evidence/doctor/v1";
/// The read-only policy file, named in every fix that grants an action.
pub const POLICY_FILE: &str = "policies/dms-evidence-readonly-policy.json";
pub const TEMPLATE_FILE: &str = "policies/dms-evidence-readonly-role.cfn.yaml";
/// Waiting on throttling a doctor run may spend before it reports `throttled`.
const THROTTLE_BUDGET: Duration = Duration::from_secs(5);

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// AWS refused: AccessDenied, invalid credentials, a trust policy or external id.
    Denied,
    /// The region is not enabled for the account, or the source is turned off.
    NotEnabled,
    /// Still throttled after the retries doctor allows itself.
    Throttled,
    /// No answer: network, timeout, a service that does not answer.
    Unreachable,
    /// Not tried, because a check it depends on failed (no session, no enabled region).
    NotChecked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Denied => "denied",
            Status::NotEnabled => "not enabled",
            Status::Throttled => "throttled",
            Status::Unreachable => "unreachable",
            Status::NotChecked => "not checked",
        }
    }

    /// The status of a failed call, from the gap the collector would have recorded.
    /// Answers that only say the probe's placeholder resource does not exist (a
    /// `ResourceNotFound…`, `NoSuch…`, an invalid-parameter answer about the name) mean
    /// AWS authorised the call: AWS evaluates the IAM policy before it looks the
    /// resource up (IAM User Guide, "Policy evaluation logic": the request context is
    /// authorised before the service acts on it).
    pub fn of_gap(gap: &Gap) -> Status {
        match gap.kind {
            GapKind::AccessDenied => Status::Denied,
            GapKind::OptInRequired | GapKind::RegionNotEnabled => Status::NotEnabled,
            GapKind::Throttling => Status::Throttled,
            GapKind::Timeout | GapKind::Network | GapKind::NotImplemented => Status::Unreachable,
            GapKind::ResourceState | GapKind::Unsupported => Status::Ok,
            GapKind::Other => match gap.code.as_deref() {
                Some(code) if answered(code) => Status::Ok,
                _ => Status::Unreachable,
            },
        }
    }
}

/// Error codes that answer a probe about a resource that does not exist (DMS, IAM,
/// CloudWatch Logs, DynamoDB, Kinesis, OpenSearch; KMS and S3 are judged apart, in
/// [`probe`]).
fn answered(code: &str) -> bool {
    matches!(
        code,
        "ResourceNotFoundFault"
            | "ResourceNotFoundException"
            | "NoSuchEntity"
            | "NotFoundException"
            | "NoSuchBucket"
            | "InvalidResourceStateFault"
            // AWS Config's answer about a resource it never recorded.
            | "ResourceNotDiscoveredException"
    )
}

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Credentials,
    Role,
    Region,
    Read,
    EvidenceSource,
}

/// One line of the doctor's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub kind: Kind,
    /// `credentials`, `role`, `region`, the IAM action of a read, or the source's name.
    pub source: String,
    /// The region the check ran in (`global` for IAM and the session).
    pub region: String,
    pub status: Status,
    /// Whether `collect` needs it: a required check that is not `ok` makes the exit 7.
    pub required: bool,
    /// Checklist items this source feeds.
    pub items: Vec<String>,
    /// What AWS answered (error code and message, or what was found).
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The IAM actions this check called (the read-only policy grants each).
    pub actions: Vec<String>,
}

/// Everything doctor found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub schema: String,
    pub account_id: String,
    pub role_arn: String,
    pub regions: Vec<String>,
    pub checks: Vec<Check>,
    /// Every required check is `ok`.
    pub ready: bool,
}

impl Diagnosis {
    fn new(case: &CaseStudy, checks: Vec<Check>) -> Diagnosis {
        let ready = checks.iter().all(|c| !c.required || c.status == Status::Ok);
        Diagnosis {
            schema: SCHEMA.into(),
            account_id: case.account_id.clone(),
            role_arn: case.role_arn.clone(),
            regions: case.regions.clone(),
            checks,
            ready,
        }
    }

    /// Required checks that are not `ok`.
    pub fn blocking(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| c.required && c.status != Status::Ok)
    }
}

/// Runs every check, in order: credentials, role, regions, reads, evidence sources. A
/// failed step leaves the ones that depend on it `not checked`.
pub async fn diagnose(case: &CaseStudy, opts: &SessionOptions, checklist: &Checklist) -> Diagnosis {
    let feeds = feeds::items_by_action(case, checklist);
    let home = case
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".into());
    let policy = retry::Policy::new(opts.max_attempts).with_budget(THROTTLE_BUDGET);
    let base = session::base_config(opts, &home).await;
    let mut checks = Vec::new();
    let caller = match session::own_credentials(&base).await {
        Ok(()) => session::caller(&base, &policy).await,
        Err(gap) => Err(gap),
    };
    let caller_arn = caller.as_ref().ok().map(|c| c.arn.clone());
    checks.push(credentials_check(&home, caller));
    let assumed = match &caller_arn {
        Some(arn) => Some(role_check(case, opts, &base, &policy, arn, &home).await),
        None => None,
    };
    let config = match assumed {
        Some((check, config)) => {
            checks.push(check);
            config
        }
        None => {
            checks.push(not_checked(
                Kind::Role,
                "role",
                &home,
                "your credentials did not work",
            ));
            None
        }
    };
    let Some(config) = config else {
        checks.extend(skipped_reads(
            case,
            &feeds,
            "there is no session in the role",
        ));
        return Diagnosis::new(case, checks);
    };
    let mut ctx = Context::new(CaptureStore::new());
    ctx.retry = policy;
    let regions = sources::regions(case, &config, &ctx, &home).await;
    let enabled: Vec<String> = regions
        .iter()
        .filter(|c| c.kind == Kind::Region && c.status == Status::Ok)
        .map(|c| c.region.clone())
        .collect();
    checks.extend(regions);
    let Some(probe_region) = enabled.first() else {
        checks.extend(skipped_reads(
            case,
            &feeds,
            "no declared region is reachable",
        ));
        return Diagnosis::new(case, checks);
    };
    let clients = Clients::new(&config, probe_region, &ctx);
    checks.extend(probe::reads(&clients, &case.account_id, case.trail.as_ref(), &feeds).await);
    for region in &enabled {
        let clients = Clients::new(&config, region, &ctx);
        checks.extend(sources::evidence_sources(&clients, &config, &ctx, &feeds).await);
    }
    Diagnosis::new(case, checks)
}

fn credentials_check(home: &str, caller: Result<session::Caller, Gap>) -> Check {
    match caller {
        Ok(c) => Check {
            kind: Kind::Credentials,
            source: "credentials".into(),
            region: home.into(),
            status: Status::Ok,
            required: true,
            items: Vec::new(),
            detail: format!("{} (account {})", c.arn, c.account),
            fix: None,
            actions: vec!["sts:GetCallerIdentity".into()],
        },
        Err(gap) => {
            let status = match Status::of_gap(&gap) {
                Status::Ok | Status::NotEnabled => Status::Denied,
                other => other,
            };
            Check {
                kind: Kind::Credentials,
                source: "credentials".into(),
                region: home.into(),
                status,
                required: true,
                items: Vec::new(),
                detail: answer(&gap),
                fix: Some(
                    "give your own AWS credentials (--profile, AWS_PROFILE, or the standard \
                     chain: environment, ~/.aws, SSO); they need no policy beyond sts:AssumeRole \
                     on the customer's role"
                        .into(),
                ),
                actions: vec!["sts:GetCallerIdentity".into()],
            }
        }
    }
}

/// Assumes the role (as collect does, with the external id and session length) and
/// checks the account; the session config when it worked.
async fn role_check(
    case: &CaseStudy,
    opts: &SessionOptions,
    base: &SdkConfig,
    policy: &retry::Policy,
    caller_arn: &str,
    home: &str,
) -> (Check, Option<SdkConfig>) {
    let mut check = Check {
        kind: Kind::Role,
        source: "role".into(),
        region: home.into(),
        status: Status::Ok,
        required: true,
        items: Vec::new(),
        detail: String::new(),
        fix: None,
        actions: vec!["sts:AssumeRole".into(), "sts:GetCallerIdentity".into()],
    };
    let assumed = session::assume_once(base, policy, case, opts.role_session_seconds).await;
    let (credentials, expiry) = match assumed {
        Ok(found) => found,
        Err(gap) => {
            check.status = match Status::of_gap(&gap) {
                Status::Ok | Status::NotEnabled => Status::Denied,
                other => other,
            };
            check.detail = answer(&gap);
            check.fix = Some(format!(
                "the role's trust policy must let {caller_arn} assume {} with sts:ExternalId \
                 equal to the manifest's external_id (the CloudFormation parameters \
                 CollectorAccountId and ExternalId of {TEMPLATE_FILE}); check role_arn and \
                 external_id in the manifest, and that the role allows sessions of {} s \
                 (MaxSessionDuration)",
                case.role_arn, opts.role_session_seconds
            ));
            return (check, None);
        }
    };
    let config = session::with_credentials(base, credentials);
    match session::caller(&config, policy).await {
        Ok(c) if c.account == case.account_id => {
            check.detail = format!("{} (session until {expiry})", c.arn);
            (check, Some(config))
        }
        Ok(c) => {
            check.status = Status::Denied;
            check.detail = format!(
                "the role acts in account {}, not the declared {}",
                c.account, case.account_id
            );
            check.fix = Some("correct account_id or role_arn in the manifest".into());
            (check, None)
        }
        Err(gap) => {
            check.status = Status::of_gap(&gap).max(Status::Denied);
            check.detail = answer(&gap);
            (check, None)
        }
    }
}

/// The reads listed as not checked, when there is no session to probe them with.
fn skipped_reads(case: &CaseStudy, feeds: &BTreeMap<String, Vec<String>>, why: &str) -> Vec<Check> {
    let region = case.regions.first().cloned().unwrap_or_default();
    probe::actions()
        .map(|action| Check {
            items: feeds.get(action).cloned().unwrap_or_default(),
            ..not_checked(Kind::Read, action, probe::region_of(action, &region), why)
        })
        .collect()
}

fn not_checked(kind: Kind, source: &str, region: &str, why: &str) -> Check {
    Check {
        kind,
        source: source.into(),
        region: region.into(),
        status: Status::NotChecked,
        required: true,
        items: Vec::new(),
        detail: format!("not checked: {why}"),
        fix: None,
        actions: Vec::new(),
    }
}

/// What AWS answered, as one line: `Code: message`.
fn answer(gap: &Gap) -> String {
    match &gap.code {
        Some(code) => format!("{code}: {}", gap.message),
        None => gap.message.clone(),
    }
}

/// The fix of a read that is not `ok`.
fn read_fix(status: Status, action: &str, region: &str) -> Option<String> {
    match status {
        Status::Ok | Status::NotChecked => None,
        Status::Denied => Some(format!(
            "grant {action} to the role: it is in {POLICY_FILE} (statement DmsEvidenceReadOnly), \
             and redeploying {TEMPLATE_FILE} adds it; if the role has it, a service control \
             policy or a permissions boundary denies it"
        )),
        Status::NotEnabled => Some(region_fix(region)),
        Status::Throttled => Some(
            "run doctor again later; collect itself rides out throttling with longer retries"
                .into(),
        ),
        Status::Unreachable => Some(format!(
            "check the network path to the service's endpoint in {region} (proxy, VPC endpoint, \
             firewall) or --endpoint-url, and --read-timeout"
        )),
    }
}

fn region_fix(region: &str) -> String {
    format!(
        "enable {region} for the account (AWS Account Management: Regions, or `aws account \
         enable-region --region-name {region}`), or remove it from the case study's regions"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(kind: GapKind, code: Option<&str>) -> Gap {
        Gap {
            service: "dms".into(),
            operation: "DescribeTableStatistics".into(),
            region: "us-east-1".into(),
            iam_action: "dms:DescribeTableStatistics".into(),
            kind,
            code: code.map(str::to_string),
            message: "m".into(),
            resource: None,
        }
    }

    #[test]
    fn answers_map_to_statuses() {
        for (kind, code, status) in [
            (
                GapKind::AccessDenied,
                Some("AccessDeniedException"),
                Status::Denied,
            ),
            (
                GapKind::RegionNotEnabled,
                Some("AuthFailure"),
                Status::NotEnabled,
            ),
            (
                GapKind::OptInRequired,
                Some("OptInRequired"),
                Status::NotEnabled,
            ),
            (
                GapKind::Throttling,
                Some("ThrottlingException"),
                Status::Throttled,
            ),
            (GapKind::Timeout, None, Status::Unreachable),
            (GapKind::Network, None, Status::Unreachable),
            (
                GapKind::NotImplemented,
                Some("NotImplemented"),
                Status::Unreachable,
            ),
            (GapKind::Other, Some("ResourceNotFoundFault"), Status::Ok),
            (GapKind::Other, Some("NoSuchEntity"), Status::Ok),
            (GapKind::Other, Some("NotFoundException"), Status::Ok),
            (
                GapKind::Other,
                Some("InvalidParameterValueException"),
                Status::Unreachable,
            ),
            (
                GapKind::Other,
                Some("ValidationException"),
                Status::Unreachable,
            ),
            (GapKind::AccessDenied, Some("ExpiredToken"), Status::Denied),
            (GapKind::Other, Some("InternalFailure"), Status::Unreachable),
            (GapKind::Other, None, Status::Unreachable),
            (
                GapKind::ResourceState,
                Some("InvalidResourceStateFault"),
                Status::Ok,
            ),
        ] {
            assert_eq!(
                Status::of_gap(&gap(kind, code)),
                status,
                "{kind:?} {code:?}"
            );
        }
    }

    #[test]
    fn every_status_but_ok_has_a_fix_for_a_read() {
        for status in [
            Status::Denied,
            Status::NotEnabled,
            Status::Throttled,
            Status::Unreachable,
        ] {
            let fix = read_fix(status, "dms:DescribeEndpoints", "eu-west-1").expect("fix");
            assert!(!fix.is_empty());
        }
        assert!(
            read_fix(Status::Denied, "dms:DescribeEndpoints", "eu-west-1")
                .is_some_and(|f| f.contains("dms:DescribeEndpoints") && f.contains(POLICY_FILE))
        );
        assert_eq!(
            read_fix(Status::Ok, "dms:DescribeEndpoints", "eu-west-1"),
            None
        );
    }
}
