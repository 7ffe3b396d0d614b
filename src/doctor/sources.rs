//! The declared regions (enabled for the account, DMS answering there) and the evidence
//! sources that may be off in each: CloudTrail event history, an AWS Config recorder, and
//! the DMS task log groups with their retention.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;

use super::probe::{self, dms_events};
use super::{Check, Kind, Status, answer, read_fix, region_fix};
use crate::casestudy::CaseStudy;
use crate::collect::{Clients, Context, gap};

/// One check per declared region: its opt-in status (EC2 DescribeRegions with
/// `AllRegions`, which lists disabled regions too: EC2 API Reference, DescribeRegions) and
/// whether DMS answers there; plus the DescribeRegions read itself.
pub(super) async fn regions(
    case: &CaseStudy,
    config: &SdkConfig,
    ctx: &Context,
    home: &str,
) -> Vec<Check> {
    let home_clients = Clients::new(config, home, ctx);
    let listed = home_clients
        .ec2
        .describe_regions()
        .all_regions(true)
        .set_region_names(Some(case.regions.clone()))
        .send()
        .await;
    let (opt_in, listing) = match listed {
        Ok(out) => {
            let statuses: BTreeMap<String, String> = out
                .regions()
                .iter()
                .filter_map(|r| {
                    Some((
                        r.region_name()?.to_string(),
                        r.opt_in_status().unwrap_or_default().to_string(),
                    ))
                })
                .collect();
            (statuses, (Status::Ok, "answered".to_string()))
        }
        Err(e) => {
            let g = gap::from_sdk_error("ec2", "DescribeRegions", home, &e);
            (BTreeMap::new(), (Status::of_gap(&g), answer(&g)))
        }
    };
    let mut checks = vec![Check {
        kind: Kind::Read,
        source: "ec2:DescribeRegions".into(),
        region: home.into(),
        status: listing.0,
        // collect does not need it: the regions are judged by DMS's answer too.
        required: false,
        items: Vec::new(),
        detail: listing.1,
        fix: read_fix(listing.0, "ec2:DescribeRegions", home),
        actions: vec!["ec2:DescribeRegions".into()],
    }];
    let probes = case.regions.iter().map(|region| {
        let opt_in = opt_in.get(region).cloned();
        async move { region_check(config, ctx, region, opt_in).await }
    });
    checks.extend(futures::future::join_all(probes).await);
    checks
}

async fn region_check(
    config: &SdkConfig,
    ctx: &Context,
    region: &str,
    opt_in: Option<String>,
) -> Check {
    let mut check = Check {
        kind: Kind::Region,
        source: "region".into(),
        region: region.into(),
        status: Status::Ok,
        required: true,
        items: Vec::new(),
        detail: String::new(),
        fix: None,
        actions: vec![
            "ec2:DescribeRegions".into(),
            "dms:DescribeAccountAttributes".into(),
        ],
    };
    let said = opt_in
        .as_deref()
        .map_or("opt-in status not known".to_string(), |s| {
            format!("OptInStatus {s}")
        });
    if opt_in.as_deref() == Some("not-opted-in") {
        check.status = Status::NotEnabled;
        check.detail = format!("not enabled for the account ({said})");
        check.fix = Some(region_fix(region));
        return check;
    }
    let clients = Clients::new(config, region, ctx);
    match probe::probe(&clients, "", "", "dms", "DescribeAccountAttributes").await {
        Ok(()) => check.detail = format!("enabled ({said}); DMS answers"),
        Err(g) => {
            check.status = Status::of_gap(&g);
            check.detail = format!("{said}; DMS answered {}", answer(&g));
            check.fix = match check.status {
                Status::NotEnabled => Some(region_fix(region)),
                other => read_fix(other, "dms:DescribeAccountAttributes", region),
            };
        }
    }
    check
}

/// The evidence sources of one region that may be off.
pub(super) async fn evidence_sources(
    c: &Clients,
    config: &SdkConfig,
    ctx: &Context,
    feeds: &BTreeMap<String, Vec<String>>,
) -> Vec<Check> {
    let (history, recorder, logs) = futures::join!(
        event_history(c, feeds),
        config_recorder(c, config, ctx),
        log_groups(c, feeds)
    );
    vec![history, recorder, logs]
}

fn source(c: &Clients, name: &str, items: Vec<String>, actions: &[&str]) -> Check {
    Check {
        kind: Kind::EvidenceSource,
        source: name.into(),
        region: c.region.clone(),
        status: Status::Ok,
        required: false,
        items,
        detail: String::new(),
        fix: None,
        actions: actions.iter().map(|a| a.to_string()).collect(),
    }
}

fn failed(mut check: Check, g: &crate::evidence::Gap) -> Check {
    check.status = Status::of_gap(g);
    check.detail = answer(g);
    check.fix = read_fix(check.status, &g.iam_action, &check.region);
    check
}

/// CloudTrail event history: always on, 90 days (CloudTrail User Guide, "Working with
/// CloudTrail event history"); says whether DMS left events in it.
async fn event_history(c: &Clients, feeds: &BTreeMap<String, Vec<String>>) -> Check {
    let action = "cloudtrail:LookupEvents";
    let check = source(
        c,
        "CloudTrail event history",
        feeds.get(action).cloned().unwrap_or_default(),
        &[action],
    );
    match dms_events(c, 1).send().await {
        Ok(out) => {
            let newest = out
                .events()
                .first()
                .and_then(|e| e.event_time())
                .map(crate::time::Timestamp::from_sdk);
            Check {
                detail: match newest {
                    Some(t) => format!("DMS management events in the last 90 days (newest {t})"),
                    None => "no DMS management event in the last 90 days: a migration that \
                             ended before is proven only by what is left (task logs, \
                             CloudWatch, a trail's files in S3)"
                        .into(),
                },
                ..check
            }
        }
        Err(e) => failed(
            check,
            &gap::from_sdk_error("cloudtrail", "LookupEvents", &c.region, &e),
        ),
    }
}

/// An AWS Config recorder recording DMS resource types (AWS Config Developer Guide,
/// "Recording AWS resources"): the configuration history of deleted resources.
async fn config_recorder(c: &Clients, config: &SdkConfig, ctx: &Context) -> Check {
    let check = source(
        c,
        "AWS Config recorder",
        Vec::new(),
        &[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
        ],
    );
    let regional = config
        .clone()
        .into_builder()
        .region(aws_config::Region::new(c.region.clone()))
        .build();
    let client = aws_sdk_config::Client::from_conf(
        aws_sdk_config::config::Builder::from(&regional)
            .interceptor(ctx.retry.clone())
            .retry_classifier(ctx.retry.clone())
            .build(),
    );
    let (recorders, statuses) = futures::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send()
    );
    let recorders = match recorders {
        Ok(out) => out.configuration_recorders().to_vec(),
        Err(e) => {
            let g = gap::from_sdk_error("config", "DescribeConfigurationRecorders", &c.region, &e);
            return failed(check, &g);
        }
    };
    let recording: BTreeSet<String> = match statuses {
        Ok(out) => out
            .configuration_recorders_status()
            .iter()
            .filter(|s| s.recording())
            .filter_map(|s| s.name().map(str::to_string))
            .collect(),
        Err(e) => {
            let g = gap::from_sdk_error(
                "config",
                "DescribeConfigurationRecorderStatus",
                &c.region,
                &e,
            );
            return failed(check, &g);
        }
    };
    let (status, detail) = recorder_verdict(&recorders, &recording);
    Check {
        status,
        fix: (status != Status::Ok).then(|| {
            "optional: an AWS Config recorder recording AWS::DMS::Endpoint continuously keeps \
             what each endpoint connected to, and how, beyond CloudTrail's 90 days and after \
             it is deleted (AWS Config Developer Guide, \"Recording AWS resources\")"
                .to_string()
        }),
        detail: format!(
            "{detail} (collect reads its history of DMS endpoints for runs CloudTrail's \
             history does not reach)"
        ),
        ..check
    }
}

fn recorder_verdict(
    recorders: &[aws_sdk_config::types::ConfigurationRecorder],
    recording: &BTreeSet<String>,
) -> (Status, String) {
    if recorders.is_empty() {
        return (Status::NotEnabled, "no configuration recorder".into());
    }
    let mut said = Vec::new();
    for r in recorders {
        let name = r.name().unwrap_or("(unnamed)");
        if !recording.contains(name) {
            said.push(format!("{name} is not recording"));
        } else if records_dms(r) {
            return (
                Status::Ok,
                format!(
                    "{name} records {}",
                    crate::facts::config_history::ENDPOINT_TYPE
                ),
            );
        } else {
            said.push(format!(
                "{name} does not record {}",
                crate::facts::config_history::ENDPOINT_TYPE
            ));
        }
    }
    (Status::NotEnabled, said.join("; "))
}

fn records_dms(r: &aws_sdk_config::types::ConfigurationRecorder) -> bool {
    crate::collect::config::records(r, crate::facts::config_history::ENDPOINT_TYPE)
}

/// The DMS task log groups (`dms-tasks-<instance>`, AWS DMS User Guide, "Logging task
/// settings") and their retention: the events a past migration left.
async fn log_groups(c: &Clients, feeds: &BTreeMap<String, Vec<String>>) -> Check {
    let actions = ["logs:DescribeLogGroups", "logs:DescribeLogStreams"];
    let mut items: Vec<String> = actions
        .iter()
        .flat_map(|a| feeds.get(*a).cloned().unwrap_or_default())
        .collect();
    items.sort();
    items.dedup();
    let check = source(c, "DMS task log groups", items, &actions[..1]);
    let answer = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix("dms-tasks-")
        .limit(50)
        .send()
        .await;
    let groups = match answer {
        Ok(out) => out.log_groups().to_vec(),
        Err(e) => {
            let g = gap::from_sdk_error("logs", "DescribeLogGroups", &c.region, &e);
            return failed(check, &g);
        }
    };
    if groups.is_empty() {
        return Check {
            status: Status::NotEnabled,
            detail: "no dms-tasks-* log group: task logging was off, or the groups were deleted"
                .into(),
            fix: Some(
                "turn task logging on (task settings Logging.EnableLogging) before a \
                 migration runs; logs of a past one cannot be brought back"
                    .into(),
            ),
            ..check
        };
    }
    let shortest = groups
        .iter()
        .filter_map(|g| {
            Some((
                g.retention_in_days()?,
                g.log_group_name().unwrap_or_default(),
            ))
        })
        .min();
    let more = if groups.len() == 50 { " or more" } else { "" };
    let retention = match shortest {
        Some((days, name)) => format!("shortest retention {days} days ({name})"),
        None => "every one kept without expiry".into(),
    };
    Check {
        detail: format!("{} log group(s){more}; {retention}", groups.len()),
        ..check
    }
}
