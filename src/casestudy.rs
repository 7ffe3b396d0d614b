//! The case study: account, read-only role, regions, and the partner's statements,
//! claims and attachments, from a TOML manifest and/or command-line flags.
//!
//! Everything is validated before any AWS call; errors name the flag, or the
//! manifest file, line and field.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::regions;

mod pointers;
pub use pointers::TaskPointer;

pub const DEFAULT_SESSION_NAME: &str = "dms-evidence";

/// Statement keys a manifest may give (human answers to checklist items).
pub const STATEMENT_KEYS: &[&str] = &[
    "apn_tier",
    "production",
    "customer_name",
    "problem",
    "proposal",
    "services_used",
    "third_party",
    "start_date",
    "end_date",
    "outcomes",
    "lessons_learned",
    "diagram_best_practices",
    "landing_page_url",
    "environment_summary",
    "dms_limits",
    "sct_vs_native",
    "large_databases",
    "target_sizing",
    "source_load",
    "schema_conversion",
    "planning",
    "uat",
    "iam_permissions",
    "network_security",
    "anticipated_growth",
    "anticipated_concurrency",
    "anticipated_read_pct",
    "anticipated_write_pct",
];

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Flag(&'static str),
    Manifest {
        path: PathBuf,
        line: usize,
        field: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "flag {name}"),
            Origin::Manifest { path, line, field } => {
                write!(f, "{}:{line}: field `{field}`", path.display())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read case-study manifest {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: Origin, message: String },
    #[error("missing {what}: give {flag} or set `{field}` in the case-study manifest")]
    Missing {
        what: &'static str,
        flag: &'static str,
        field: &'static str,
    },
}

/// A partner's claim about the migration, checked against the facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_size_gb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_engine: Option<String>,
    /// on-premises, ec2, rds, aurora, other-cloud
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hosting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_used: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<u64>,
    /// YYYY-MM-DD
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// [`Claims`] as written, with the dates' places for error messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaims {
    database_size_gb: Option<f64>,
    source_engine: Option<String>,
    target_engine: Option<String>,
    source_hosting: Option<String>,
    cdc_used: Option<bool>,
    tables: Option<u64>,
    start_date: Option<Spanned<String>>,
    end_date: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The checklist item it supports (e.g. `pre.3.1.diagram-services`).
    pub item: String,
    /// Path as given in the manifest (relative to the manifest's folder).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A CloudTrail trail's log files in S3 (`[trail]` in the manifest): the DMS history older
/// than event history's 90 days, where the customer keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailSource {
    pub bucket: String,
    /// The trail's S3 key prefix (DescribeTrails' S3KeyPrefix), without slashes around it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The organization id, for an organization trail (its files sit under
    /// `AWSLogs/<organization id>/<account>/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The first day read (`YYYY-MM-DD`).
    pub since: String,
    /// `validation = "off"`: the log files are read without CloudTrail's digest files (a
    /// trail that had log file validation off), and the history says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unvalidated: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrail {
    bucket: Spanned<String>,
    prefix: Option<Spanned<String>>,
    organization_id: Option<Spanned<String>>,
    since: Option<Spanned<String>>,
    validation: Option<Spanned<String>>,
}

/// How far before the project's start date a trail is read by default: the replication
/// instance and endpoints are often created during the weeks before.
pub const TRAIL_LEAD_DAYS: i64 = 30;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: Option<Spanned<String>>,
    account_id: Option<Spanned<String>>,
    role_arn: Option<Spanned<String>>,
    external_id: Option<Spanned<String>>,
    session_name: Option<Spanned<String>>,
    regions: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    statements: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    claims: Option<RawClaims>,
    #[serde(default)]
    attachments: Vec<Spanned<Attachment>>,
    trail: Option<Spanned<RawTrail>>,
    #[serde(default)]
    deleted_task: Vec<Spanned<pointers::RawPointer>>,
}

/// Values given on the command line; each overrides the manifest's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub account_id: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub regions: Vec<String>,
}

/// A validated case study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStudy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub account_id: String,
    pub role_arn: String,
    #[serde(skip)]
    pub external_id: Option<String>,
    pub session_name: String,
    pub regions: Vec<String>,
    pub statements: BTreeMap<String, String>,
    pub claims: Claims,
    pub attachments: Vec<Attachment>,
    /// Folder relative attachment paths are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The manifest and the line of each attachment, for error messages.
    #[serde(skip)]
    pub manifest: Option<PathBuf>,
    #[serde(skip)]
    pub attachment_lines: Vec<usize>,
    /// Where older DMS history is read from, if the partner names a trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trail: Option<TrailSource>,
    /// Tasks deleted before any history still names them (`[[deleted_task]]`): where to
    /// look for their CloudWatch series. Pointers, never evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted_tasks: Vec<TaskPointer>,
}

impl CaseStudy {
    /// Checks every attachment names an item of the checklist (an attachment for an
    /// item that does not exist would be silently dropped otherwise).
    pub fn check_attachment_items(&self, items: &[&str]) -> Result<(), InputError> {
        for (i, a) in self.attachments.iter().enumerate() {
            if !items.contains(&a.item.as_str()) {
                return Err(InputError::Invalid {
                    origin: Origin::Manifest {
                        path: self.manifest.clone().unwrap_or_default(),
                        line: self.attachment_lines.get(i).copied().unwrap_or(1),
                        field: format!("attachments[{i}].item"),
                    },
                    message: format!("'{}' is not an item of the checklist", a.item),
                });
            }
        }
        Ok(())
    }
}

struct Located<T> {
    value: T,
    origin: Origin,
}

/// The manifest as read: its text (for line numbers) and where it is.
#[derive(Default)]
struct Source {
    text: String,
    path: PathBuf,
}

impl Source {
    fn read(path: &Path) -> Result<(Manifest, Source), InputError> {
        let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let m: Manifest = toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| crate::text::line_col(&text, s.start))
                .unwrap_or((1, 1));
            InputError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        let path = path.to_path_buf();
        Ok((m, Source { text, path }))
    }

    fn at(&self, field: &str, span: std::ops::Range<usize>) -> Origin {
        Origin::Manifest {
            path: self.path.clone(),
            line: crate::text::line_col(&self.text, span.start).0,
            field: field.to_string(),
        }
    }

    /// The flag's value when given, else the manifest's, with where it came from.
    fn pick(
        &self,
        flag_value: &Option<String>,
        flag: &'static str,
        field: &str,
        from: Option<&Spanned<String>>,
    ) -> Option<Located<String>> {
        match (flag_value, from) {
            (Some(v), _) => Some(Located {
                value: v.clone(),
                origin: Origin::Flag(flag),
            }),
            (None, Some(s)) => Some(Located {
                value: s.get_ref().clone(),
                origin: self.at(field, s.span()),
            }),
            (None, None) => None,
        }
    }

    fn invalid(&self, field: &str, span: std::ops::Range<usize>, message: String) -> InputError {
        InputError::Invalid {
            origin: self.at(field, span),
            message,
        }
    }
}

/// Who the collection runs as: the account, the role in it, the external id and the
/// session name, each validated.
struct Identity {
    account: String,
    role_arn: String,
    external_id: Option<String>,
    session_name: String,
}

/// The case study from the manifest (when given) and the flags, which override it.
pub fn resolve(manifest: Option<&Path>, flags: &Overrides) -> Result<CaseStudy, InputError> {
    let (m, src) = match manifest {
        Some(path) => {
            let (m, src) = Source::read(path)?;
            (Some(m), src)
        }
        None => (None, Source::default()),
    };
    let id = identity(&src, m.as_ref(), flags)?;
    let regions = regions(&src, m.as_ref(), flags)?;
    let name = m
        .as_ref()
        .and_then(|m| m.name.as_ref())
        .map(|n| n.get_ref().clone());
    let (mut statements, mut claims) = (BTreeMap::new(), Claims::default());
    let (mut attachments, mut attachment_lines) = (Vec::new(), Vec::new());
    let (mut trail, mut deleted_tasks) = (None, Vec::new());
    if let Some(m) = m {
        statements = statement_values(&src, m.statements)?;
        if let Some(c) = m.claims {
            claims = claim_values(&src, c)?;
        }
        (attachments, attachment_lines) = attachment_paths(&src, m.attachments)?;
        if let Some(t) = m.trail {
            let start = claims
                .start_date
                .as_deref()
                .or(statements.get("start_date").map(String::as_str));
            trail = Some(trail_source(&src, t, start)?);
        }
        deleted_tasks = pointers::task_pointers(&src, m.deleted_task, &id.account, &regions)?;
    }
    let path = src.path;
    Ok(CaseStudy {
        name,
        account_id: id.account,
        role_arn: id.role_arn,
        external_id: id.external_id,
        session_name: id.session_name,
        regions,
        statements,
        claims,
        attachments,
        attachment_lines,
        manifest: (!path.as_os_str().is_empty()).then(|| path.clone()),
        base_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        trail,
        deleted_tasks,
    })
}

/// The `[trail]` section: an S3 bucket name as S3 allows it (S3 User Guide, "General
/// purpose bucket naming rules": 3 to 63 lower-case letters, digits, dots and hyphens,
/// beginning and ending with a letter or digit), an organization id as AWS Organizations
/// writes it (`o-` and 10 to 32 lower-case letters or digits), and the first day to read:
/// `since`, else 30 days before the project's start date.
fn trail_source(
    src: &Source,
    raw: Spanned<RawTrail>,
    project_start: Option<&str>,
) -> Result<TrailSource, InputError> {
    let section = raw.span();
    let t = raw.into_inner();
    let bucket = t.bucket.get_ref().trim();
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(bucket.chars().next())
        && edge(bucket.chars().last());
    if !valid_bucket {
        let message = format!(
            "{bucket:?} is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and \
             hyphens); give the trail's S3BucketName as `aws cloudtrail describe-trails` shows it"
        );
        return Err(src.invalid("trail.bucket", t.bucket.span(), message));
    }
    let organization_id = match t.organization_id {
        Some(o) => {
            let id = o.get_ref().trim();
            let valid = id.strip_prefix("o-").is_some_and(|rest| {
                (10..=32).contains(&rest.len())
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            if !valid {
                let message = format!(
                    "{id:?} is not an organization id (o-, then 10 to 32 lower-case letters or digits)"
                );
                return Err(src.invalid("trail.organization_id", o.span(), message));
            }
            Some(id.to_string())
        }
        None => None,
    };
    let since = match (t.since, project_start) {
        (Some(s), _) => match crate::time::parse_date(s.get_ref().trim()) {
            Some(_) => s.get_ref().trim().to_string(),
            None => return Err(src.invalid("trail.since", s.span(), not_a_date(s.get_ref()))),
        },
        (None, Some(start)) => crate::time::parse_date(start)
            .map(|day| (day - time::Duration::days(TRAIL_LEAD_DAYS)).date())
            .unwrap_or_else(|| start.to_string()),
        (None, None) => {
            let message = "give `since = \"YYYY-MM-DD\"`, the first day of the trail to read \
                           (or the project's start date in [claims] start_date, read from 30 days before)"
                .to_string();
            return Err(src.invalid("trail.since", section, message));
        }
    };
    let prefix = t
        .prefix
        .map(|p| p.into_inner().trim().trim_matches('/').to_string())
        .filter(|p| !p.is_empty());
    let unvalidated = match t.validation {
        Some(v) => unvalidated(src, v)?,
        None => false,
    };
    Ok(TrailSource {
        bucket: bucket.to_string(),
        prefix,
        organization_id,
        since,
        unvalidated,
    })
}

/// `[trail] validation`: "required" (false) or "off" (true).
fn unvalidated(src: &Source, v: Spanned<String>) -> Result<bool, InputError> {
    match v.get_ref().trim() {
        "required" => Ok(false),
        "off" => Ok(true),
        other => {
            let message = format!(
                "{other:?} is not \"required\" (the default: the log files must check against \
                 the trail's signed digest files) or \"off\" (for a trail that had log file \
                 validation off; the history then says its files were not validated)"
            );
            Err(src.invalid("trail.validation", v.span(), message))
        }
    }
}

fn identity(src: &Source, m: Option<&Manifest>, flags: &Overrides) -> Result<Identity, InputError> {
    let field = |f: fn(&Manifest) -> Option<&Spanned<String>>| m.and_then(f);
    let account = src
        .pick(
            &flags.account_id,
            "--account-id",
            "account_id",
            field(|m| m.account_id.as_ref()),
        )
        .ok_or(InputError::Missing {
            what: "the AWS account id",
            flag: "--account-id",
            field: "account_id",
        })?;
    let role = src
        .pick(
            &flags.role_arn,
            "--role-arn",
            "role_arn",
            field(|m| m.role_arn.as_ref()),
        )
        .ok_or(InputError::Missing {
            what: "the read-only role ARN",
            flag: "--role-arn",
            field: "role_arn",
        })?;
    let external = src.pick(
        &flags.external_id,
        "--external-id",
        "external_id",
        field(|m| m.external_id.as_ref()),
    );
    let session = src.pick(
        &flags.session_name,
        "--session-name",
        "session_name",
        field(|m| m.session_name.as_ref()),
    );
    let invalid = |origin: &Origin, message: String| InputError::Invalid {
        origin: origin.clone(),
        message,
    };
    validate_account(&account.value).map_err(|e| invalid(&account.origin, e))?;
    let role_account = role_account(&role.value).map_err(|e| invalid(&role.origin, e))?;
    if role_account != account.value {
        return Err(invalid(
            &role.origin,
            format!(
                "the role is in account {role_account}, but the case study's account is {} ({}); the role must be in \
                 the case study's account",
                account.value, account.origin
            ),
        ));
    }
    if let Some(ext) = &external
        && !(2..=1224).contains(&ext.value.len())
    {
        return Err(invalid(
            &ext.origin,
            "an external id has 2 to 1224 characters".into(),
        ));
    }
    let session_name = match session {
        Some(s) if valid_session_name(&s.value) => s.value,
        Some(s) => {
            return Err(invalid(
                &s.origin,
                "a role session name has 2 to 64 characters from [A-Za-z0-9=,.@_-]".into(),
            ));
        }
        None => DEFAULT_SESSION_NAME.to_string(),
    };
    Ok(Identity {
        account: account.value,
        role_arn: role.value,
        external_id: external.map(|e| e.value),
        session_name,
    })
}

/// STS's rule for RoleSessionName: 2 to 64 of `[\w+=,.@-]`.
fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "=,.@-_".contains(c))
}

/// The regions, known to AWS, without repeats.
fn regions(
    src: &Source,
    m: Option<&Manifest>,
    flags: &Overrides,
) -> Result<Vec<String>, InputError> {
    let missing = InputError::Missing {
        what: "at least one region",
        flag: "--region",
        field: "regions",
    };
    let given: Vec<Located<String>> = if !flags.regions.is_empty() {
        let from_flag = |r: &String| Located {
            value: r.clone(),
            origin: Origin::Flag("--region"),
        };
        flags.regions.iter().map(from_flag).collect()
    } else if let Some(list) = m.and_then(|m| m.regions.as_ref()) {
        let from_manifest = |r: &Spanned<String>| Located {
            value: r.get_ref().clone(),
            origin: src.at("regions", r.span()),
        };
        list.get_ref().iter().map(from_manifest).collect()
    } else {
        return Err(missing);
    };
    if given.is_empty() {
        return Err(missing);
    }
    let mut names = Vec::new();
    for r in given {
        if !regions::is_known(&r.value) {
            return Err(InputError::Invalid {
                origin: r.origin,
                message: format!(
                    "unknown AWS region '{}' (e.g. us-east-1, eu-west-1)",
                    r.value
                ),
            });
        }
        if !names.contains(&r.value) {
            names.push(r.value);
        }
    }
    Ok(names)
}

fn not_a_date(value: &str) -> String {
    format!("'{value}' is not a date: write YYYY-MM-DD (e.g. 2025-06-01)")
}

/// An absolute http or https URL with a host (WHATWG URL parsing, the `url` crate).
fn http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The partner's statements: known keys only; dates are dates, and start before end.
fn statement_values(
    src: &Source,
    raw: BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<BTreeMap<String, String>, InputError> {
    let mut statements = BTreeMap::new();
    let mut start_at = 0..0;
    for (key, value) in raw {
        let field = format!("statements.{}", key.get_ref());
        if !STATEMENT_KEYS.contains(&key.get_ref().as_str()) {
            let known = STATEMENT_KEYS.join(", ");
            return Err(src.invalid(
                &field,
                key.span(),
                format!("unknown statement; known ones: {known}"),
            ));
        }
        let is_date = matches!(key.get_ref().as_str(), "start_date" | "end_date");
        if is_date && crate::time::parse_date(value.get_ref().trim()).is_none() {
            return Err(src.invalid(&field, value.span(), not_a_date(value.get_ref())));
        }
        if key.get_ref() == "start_date" {
            start_at = value.span();
        }
        if key.get_ref() == "landing_page_url" && !http_url(value.get_ref().trim()) {
            let message = format!(
                "{:?} is not an http(s) URL (the landing page is linked from the report)",
                value.get_ref()
            );
            return Err(src.invalid(&field, value.span(), message));
        }
        statements.insert(key.into_inner(), value.into_inner().trim().to_string());
    }
    if let (Some(a), Some(b)) = (statements.get("start_date"), statements.get("end_date"))
        && crate::time::parse_date(a) > crate::time::parse_date(b)
    {
        let message = format!("the start date {a} is after the end date {b}");
        return Err(src.invalid("statements.start_date", start_at, message));
    }
    Ok(statements)
}

/// The partner's claims; dates are dates, and start before end.
fn claim_values(src: &Source, c: RawClaims) -> Result<Claims, InputError> {
    let date = |field: &str, v: Option<Spanned<String>>| match v {
        None => Ok(None),
        Some(v) if crate::time::parse_date(v.get_ref().trim()).is_some() => {
            Ok(Some(v.into_inner().trim().to_string()))
        }
        Some(v) => Err(src.invalid(
            &format!("claims.{field}"),
            v.span(),
            not_a_date(v.get_ref()),
        )),
    };
    let start_span = c.start_date.as_ref().map(|s| s.span());
    let claims = Claims {
        database_size_gb: c.database_size_gb,
        source_engine: c.source_engine,
        target_engine: c.target_engine,
        source_hosting: c.source_hosting,
        cdc_used: c.cdc_used,
        tables: c.tables,
        start_date: date("start_date", c.start_date)?,
        end_date: date("end_date", c.end_date)?,
    };
    if let (Some(a), Some(b)) = (&claims.start_date, &claims.end_date)
        && crate::time::parse_date(a) > crate::time::parse_date(b)
    {
        let message = format!("the start date {a} is after the end date {b}");
        return Err(src.invalid("claims.start_date", start_span.unwrap_or_default(), message));
    }
    Ok(claims)
}

/// The attachments and their manifest lines: relative paths inside the manifest's folder.
fn attachment_paths(
    src: &Source,
    raw: Vec<Spanned<Attachment>>,
) -> Result<(Vec<Attachment>, Vec<usize>), InputError> {
    let (mut attachments, mut lines) = (Vec::new(), Vec::new());
    for (i, a) in raw.into_iter().enumerate() {
        let span = a.span();
        let a = a.into_inner();
        let field = format!("attachments[{i}].path");
        if a.path.trim().is_empty() {
            return Err(src.invalid(&field, span, "an attachment needs a path".into()));
        }
        let p = Path::new(&a.path);
        let escapes = p
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
        if p.is_absolute() || escapes {
            let message = format!(
                "'{}' must be a path inside the manifest's folder (no absolute paths, no '..')",
                a.path
            );
            return Err(src.invalid(&field, span, message));
        }
        lines.push(crate::text::line_col(&src.text, span.start).0);
        attachments.push(a);
    }
    Ok((attachments, lines))
}

pub fn validate_account(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("'{id}' is not an AWS account id (12 digits)"))
    }
}

/// The account of an IAM role ARN (`arn:aws:iam::123456789012:role/path/name`).
pub fn role_account(arn: &str) -> Result<String, String> {
    let bad = || format!("'{arn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)");
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].is_empty() {
        return Err(bad());
    }
    if !["aws", "aws-cn", "aws-us-gov"].contains(&parts[1]) {
        return Err(bad());
    }
    validate_account(parts[4]).map_err(|_| bad())?;
    let resource = parts[5];
    let name = resource.strip_prefix("role/").ok_or_else(bad)?;
    let role_name = name.rsplit('/').next().unwrap_or_default();
    if role_name.is_empty() || role_name.len() > 64 {
        return Err(bad());
    }
    Ok(parts[4].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("case.toml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    const GOOD: &str = r#"name = "ERP"
account_id = "111111111111"
role_arn = "arn:aws:iam::111111111111:role/dms-evidence-readonly"
external_id = "ext-123"
regions = ["us-east-1", "eu-west-1"]

[statements]
customer_name = "Example Corp"

[claims]
database_size_gb = 80.0
cdc_used = true

[[attachments]]
item = "pre.3.1.diagram-services"
path = "diagram.svg"
"#;

    #[test]
    fn a_good_manifest_resolves_and_flags_override() {
        let (_dir, path) = manifest(GOOD);
        let cs = resolve(Some(&path), &Overrides::default()).expect("valid");
        assert_eq!(cs.name.as_deref(), Some("ERP"));
        assert_eq!(cs.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(cs.session_name, DEFAULT_SESSION_NAME);
        assert_eq!(cs.claims.database_size_gb, Some(80.0));
        assert_eq!(cs.statements["customer_name"], "Example Corp");
        let flags = Overrides {
            regions: vec!["us-west-2".into()],
            ..Overrides::default()
        };
        assert_eq!(
            resolve(Some(&path), &flags).expect("valid").regions,
            ["us-west-2"]
        );
    }

    #[test]
    fn deleted_tasks_are_pointers_checked_against_the_case_study() {
        let with = |entries: &str| {
            let (_dir, path) = manifest(&format!("{GOOD}\n{entries}"));
            resolve(Some(&path), &Overrides::default()).map_err(|e| e.to_string())
        };
        let entry = |arn: &str, instance: &str| {
            format!("[[deleted_task]]\narn = \"{arn}\"\nreplication_instance = \"{instance}\"\n")
        };
        let arn = "arn:aws:dms:eu-west-1:111111111111:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let twice = format!("{}{}", entry(arn, "ERP-RI"), entry(arn, "erp-ri"));
        let case = with(&twice).expect("valid");
        assert_eq!(
            case.deleted_tasks,
            [TaskPointer {
                region: "eu-west-1".into(),
                resource_id: "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into(),
                replication_instance: "erp-ri".into(),
            }],
            "lower-cased as DMS stores it, and taken once"
        );
        assert!(with("").expect("valid").deleted_tasks.is_empty());
        for (entries, message) in [
            (
                entry("arn:aws:dms:eu-west-1:222222222222:task:ABC", "ri"),
                "the task is in account 222222222222, but the case study's account is 111111111111",
            ),
            (
                entry("arn:aws:dms:us-west-2:111111111111:task:ABC", "ri"),
                "which the case study does not collect: add it to `regions`",
            ),
            (
                entry("arn:aws:dms:eu-west-1:111111111111:rep:ABC", "ri"),
                "is not a DMS task ARN",
            ),
            (
                entry(arn, "ri--1"),
                "field `deleted_task[0].replication_instance`",
            ),
            (
                format!("[[deleted_task]]\narn = \"{arn}\"\n"),
                "missing field `replication_instance`",
            ),
        ] {
            let err = with(&entries).expect_err(&entries);
            assert!(
                err.contains("case.toml:") && err.contains(message),
                "{entries}: {err}"
            );
        }
    }

    #[test]
    fn a_trail_is_read_unvalidated_only_when_the_case_study_says_so() {
        for (line, unvalidated) in [
            ("", false),
            ("validation = \"required\"", false),
            ("validation = \"off\"", true),
        ] {
            let text =
                format!("{GOOD}\n[trail]\nbucket = \"acme-logs\"\nsince = \"2026-01-05\"\n{line}");
            let (_dir, path) = manifest(&text);
            let t = resolve(Some(&path), &Overrides::default())
                .expect("valid")
                .trail
                .expect("trail");
            assert_eq!(t.unvalidated, unvalidated, "{line}");
        }
    }

    #[test]
    fn a_trail_section_is_validated_and_its_first_day_defaults_from_the_project_start() {
        let with = |trail: &str, claims: &str| {
            let text = GOOD.replace("cdc_used = true\n", &format!("cdc_used = true\n{claims}"));
            let (_dir, path) = manifest(&format!("{text}\n[trail]\n{trail}"));
            resolve(Some(&path), &Overrides::default()).map_err(|e| e.to_string())
        };
        let t = with(
            "bucket = \"acme-logs\"\nprefix = \"/org/main/\"\norganization_id = \"o-abcdef1234\"\nsince = \"2026-01-05\"",
            "",
        )
        .expect("valid")
        .trail
        .expect("trail");
        assert_eq!(
            (
                t.bucket.as_str(),
                t.prefix.as_deref(),
                t.organization_id.as_deref(),
                t.since.as_str()
            ),
            (
                "acme-logs",
                Some("org/main"),
                Some("o-abcdef1234"),
                "2026-01-05"
            )
        );
        let defaulted = with("bucket = \"acme-logs\"", "start_date = \"2026-03-10\"\n")
            .expect("valid")
            .trail
            .expect("trail");
        assert_eq!(
            (
                defaulted.since.as_str(),
                defaulted.prefix,
                defaulted.unvalidated
            ),
            ("2026-02-08", None, false)
        );
        for (trail, place, message) in [
            (
                "bucket = \"Acme_Logs\"\nsince = \"2026-01-05\"",
                "field `trail.bucket`",
                "not an S3 bucket name",
            ),
            (
                "bucket = \"acme-logs\"\nsince = \"2026-13-05\"",
                "field `trail.since`",
                "2026-13-05",
            ),
            (
                "bucket = \"acme-logs\"",
                "field `trail.since`",
                "the first day of the trail to read",
            ),
            (
                "bucket = \"acme-logs\"\norganization_id = \"org-1\"\nsince = \"2026-01-05\"",
                "field `trail.organization_id`",
                "not an organization id",
            ),
            (
                "bucket = \"acme-logs\"\nsince = \"2026-01-05\"\nvalidation = \"no\"",
                "field `trail.validation`",
                "is not \"required\"",
            ),
            (
                "bucket = \"acme-logs\"\nsince = \"2026-01-05\"\ntrail_name = \"x\"",
                "case.toml:",
                "unknown field `trail_name`",
            ),
        ] {
            let err = with(trail, "").expect_err(trail);
            assert!(
                err.contains(place) && err.contains(message),
                "{trail}: {err}"
            );
        }
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            (
                GOOD.replace("\"111111111111\"\nrole", "\"1111\"\nrole"),
                "case.toml:2: field `account_id`",
                "12 digits",
            ),
            (
                GOOD.replace("role/dms", "user/dms"),
                "case.toml:3: field `role_arn`",
                "not an IAM role ARN",
            ),
            (
                GOOD.replace("::111111111111:role", "::222222222222:role"),
                "case.toml:3: field `role_arn`",
                "account 222222222222",
            ),
            (
                GOOD.replace("\"eu-west-1\"", "\"eu-westish-9\""),
                "case.toml:5: field `regions`",
                "unknown AWS region",
            ),
            (
                GOOD.replace("customer_name", "customer"),
                "case.toml:8: field `statements.customer`",
                "unknown statement",
            ),
            (
                GOOD.replace("cdc_used", "cdc"),
                "case.toml:12:1",
                "unknown field `cdc`",
            ),
            (
                GOOD.replace("regions = [", "regions = "),
                "case.toml:5:",
                "",
            ),
        ];
        for (text, place, message) in cases {
            let (_dir, path) = manifest(&text);
            let err = resolve(Some(&path), &Overrides::default())
                .expect_err("invalid")
                .to_string();
            assert!(err.contains(place), "{err} should name {place}");
            assert!(err.contains(message), "{err} should say {message}");
        }
    }

    #[test]
    fn flags_alone_and_their_errors() {
        let mut flags = Overrides {
            account_id: Some("111111111111".into()),
            role_arn: Some("arn:aws:iam::111111111111:role/ro".into()),
            regions: vec!["us-east-1".into()],
            ..Overrides::default()
        };
        assert!(resolve(None, &flags).is_ok());
        flags.regions = vec!["mars-1".into()];
        assert!(
            resolve(None, &flags)
                .expect_err("bad region")
                .to_string()
                .starts_with("flag --region")
        );
        flags.regions.clear();
        assert!(
            resolve(None, &flags)
                .expect_err("no region")
                .to_string()
                .contains("--region")
        );
        let missing = resolve(None, &Overrides::default())
            .expect_err("nothing")
            .to_string();
        assert!(missing.contains("--account-id"), "{missing}");
        assert!(matches!(
            resolve(Some(Path::new("/nonexistent/case.toml")), &flags),
            Err(InputError::Read { .. })
        ));
    }

    #[test]
    fn role_arns() {
        for (arn, ok) in [
            ("arn:aws:iam::123456789012:role/ro", true),
            ("arn:aws:iam::123456789012:role/path/to/ro", true),
            ("arn:aws-cn:iam::123456789012:role/ro", true),
            ("arn:aws:iam::123456789012:user/ro", false),
            ("arn:aws:iam:us-east-1:123456789012:role/ro", false),
            ("arn:aws:iam::12345:role/ro", false),
            ("arn:aws:sts::123456789012:role/ro", false),
            ("role/ro", false),
        ] {
            assert_eq!(role_account(arn).is_ok(), ok, "{arn}");
        }
    }
}
