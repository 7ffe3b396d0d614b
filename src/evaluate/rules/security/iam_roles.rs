//! `iam_roles`: dms.1.0.sec.iam-roles, "Creating IAM roles for access required for use by the AWS CLI and AWS DMS API".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, no_migrations, params::NoParams,
};
use crate::facts::HostKind;

/// The `iam_roles` rule.
pub struct IamRoles;

impl Check for IamRoles {
    const NAME: &'static str = "iam_roles";
    const REMEDIATION: &'static str = "Create dms-vpc-role, dms-cloudwatch-logs-role (and dms-access-for-endpoint for Redshift) trusting dms.amazonaws.com.";
    const DOC: RuleDoc = RuleDoc {
        met: "the DMS service roles the estate needs exist and trust dms.amazonaws.com",
        checked: "dms-vpc-role (and dms-cloudwatch-logs-role when tasks log, dms-access-for-endpoint with a Redshift target) exist and trust dms.amazonaws.com.",
        evidence: "GetRole (NoSuchEntity is evidence of absence), ListAttachedRolePolicies",
        verdicts: "met / not_met; insufficient_evidence when GetRole failed, when no migration moved data (a missing role a task needed is still not_met), or when a migration's target is not on record at all and dms-access-for-endpoint, which a Redshift target would need, is not there",
        after_deletion: "the roles today (deleting DMS resources leaves them), for migrations that moved data as rebuilt from {trail} and {series}",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        let roles = &input.facts.iam_roles;
        let mut f = Finding::new(Verdict::Met, "");
        let (mut ok, mut missing, mut wrong, mut unknown) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for name in needed_roles(input) {
            let Some(r) = roles.iter().find(|r| r.name == name) else {
                unknown.push(name);
                continue;
            };
            f.add_citation(format!("iam_roles/{name}"), &r.sources);
            let trusted = r.trusted_services.iter().any(|s| {
                s == "dms.amazonaws.com"
                    || (name == "dms-access-for-endpoint" && s == "redshift.amazonaws.com")
            });
            if !r.exists {
                missing.push(name);
            } else if trusted {
                ok.push(format!("{name} ({})", r.attached_policies.join(", ")));
            } else {
                wrong.push(format!("{name} trusts {}", r.trusted_services.join(", ")));
            }
        }
        if !missing.is_empty() || !wrong.is_empty() {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("missing: {}", missing.join(", ")));
            }
            if !wrong.is_empty() {
                parts.push(format!("wrong trust: {}", wrong.join(", ")));
            }
            return Finding {
                verdict: Verdict::NotMet,
                reason: parts.join("; "),
                ..f
            };
        }
        if !unknown.is_empty() {
            let gap = input
                .gap_note(&["iam:GetRole"])
                .unwrap_or_else(|| "not read".into());
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{}: {gap}", unknown.join(", ")),
                ..f
            };
        }
        // Met needs the whole estate known: a failed listing could hide a task that needs
        // another role (logging, a Redshift target).
        if let Some(gap) = input.gap_note(&[
            "dms:DescribeReplicationTasks",
            "dms:DescribeReplicationConfigs",
            "dms:DescribeEndpoints",
        ]) {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{} present, but which roles the estate needs is unknown: {gap}",
                    ok.join("; ")
                ),
                ..f
            };
        }
        // The roles vouch for a migration only where one moved data: roles alone, with no
        // migration on record, show nothing was run with them.
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        if let Some(why) = unknown_targets(input) {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!("{} present, but {why}", ok.join("; ")),
                ..f
            };
        }
        Finding {
            reason: format!("present and trusting dms.amazonaws.com: {}", ok.join("; ")),
            ..f
        }
    }
}

/// A Redshift target: placed on a Redshift host, or named so by its engine (a target as it
/// was while a run went, whose address then was not placed, is still one).
fn is_redshift(t: &crate::facts::Endpoint) -> bool {
    t.host.kind == HostKind::Redshift || t.engine.eq_ignore_ascii_case("redshift")
}

/// Migrations whose target is not on record at all, neither as it ran nor today (a task
/// known only from its traces): any of them may have written to Redshift, whose endpoint
/// needs dms-access-for-endpoint. `None` when there is none, or the role is there.
fn unknown_targets(input: &Input<'_>) -> Option<String> {
    const ROLE: &str = "dms-access-for-endpoint";
    let ids: Vec<&str> = input
        .every_migration()
        .filter(|m| m.target.is_none() && !m.unknown_today.iter().any(|(s, _)| *s == "target"))
        .map(|m| m.id)
        .collect();
    let role = input.facts.iam_roles.iter().find(|r| r.name == ROLE);
    let trusted = |r: &crate::facts::IamRole| {
        let services = &r.trusted_services;
        services
            .iter()
            .any(|s| s == "dms.amazonaws.com" || s == "redshift.amazonaws.com")
    };
    if ids.is_empty() || role.is_some_and(|r| r.exists && trusted(r)) {
        return None;
    }
    let state = match role {
        Some(r) if !r.exists => "does not exist",
        Some(_) => "does not trust dms.amazonaws.com",
        None => "was not read",
    };
    Some(format!(
        "the target of {} is not on record: a Redshift target would need {ROLE}, which {state}",
        ids.join(", ")
    ))
}

/// The DMS service roles the estate needs: the VPC role always, the CloudWatch Logs role
/// when a task logs, the endpoint-access role for a Redshift target (every task counts:
/// a role a task needs is needed whether or not it moved data).
fn needed_roles(input: &Input<'_>) -> Vec<&'static str> {
    // Logging in force while it ran, or today where that is not on record; a task known
    // only from its log stream logged.
    let logging = input.every_migration().any(|m| {
        m.settings.logging_enabled == Some(true)
            || m.settings_today.logging_enabled == Some(true)
            || m.trace().is_some_and(|t| t.log_stream.is_some())
    });
    // A target whose past is not on record counts as it is today: it may have needed it.
    let redshift = input.every_migration().any(|m| {
        let today = m.unknown_today.iter().filter(|(side, _)| *side == "target");
        m.target
            .as_deref()
            .into_iter()
            .chain(today.map(|(_, e)| *e))
            .any(is_redshift)
    });
    let mut needed = vec!["dms-vpc-role"];
    if logging {
        needed.push("dms-cloudwatch-logs-role");
    }
    if redshift {
        needed.push("dms-access-for-endpoint");
    }
    needed
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    /// A Redshift target whose host is not placed (its address then unknown) still needs
    /// the endpoint-access role.
    #[test]
    fn an_unplaced_redshift_target_needs_its_role() {
        let mut ev = migration();
        ev.facts.iam_roles = vec![
            IamRole {
                name: "dms-vpc-role".into(),
                exists: true,
                trusted_services: vec!["dms.amazonaws.com".into()],
                ..IamRole::default()
            },
            IamRole {
                name: "dms-access-for-endpoint".into(),
                exists: false,
                ..IamRole::default()
            },
        ];
        ev.facts.tasks[0].settings.logging_enabled = Some(false);
        let target = &mut ev.facts.endpoints[1];
        target.engine = "redshift".into();
        target.host.kind = HostKind::Unknown;
        let f = run(&ev, "dms.1.0.sec.iam-roles");
        assert_eq!(f.verdict, Verdict::NotMet, "{}", f.reason);
        assert!(f.reason.contains("dms-access-for-endpoint"), "{}", f.reason);
    }

    /// Roles that exist vouch for nothing when no migration moved data; a missing role a
    /// task needed is still a finding.
    #[test]
    fn roles_without_a_migration_prove_nothing() {
        for (vpc_role, want) in [
            (true, Verdict::InsufficientEvidence),
            (false, Verdict::NotMet),
        ] {
            let mut ev = migration();
            never_started(&mut ev);
            ev.facts.iam_roles = vec![IamRole {
                name: "dms-vpc-role".into(),
                exists: vpc_role,
                trusted_services: vec!["dms.amazonaws.com".into()],
                ..IamRole::default()
            }];
            ev.facts.tasks[0].settings.logging_enabled = Some(false);
            let f = run(&ev, "dms.1.0.sec.iam-roles");
            assert_eq!(f.verdict, want, "{vpc_role}: {}", f.reason);
        }
    }

    #[test]
    fn iam_roles_required_by_use() {
        let role = |name: &str, exists: bool, trust: &str| IamRole {
            name: name.into(),
            exists,
            trusted_services: vec![trust.into()],
            ..IamRole::default()
        };
        for (roles, logging, want) in [
            (
                vec![role("dms-vpc-role", true, "dms.amazonaws.com")],
                Some(false),
                Verdict::Met,
            ),
            (
                vec![
                    role("dms-vpc-role", true, "dms.amazonaws.com"),
                    role("dms-cloudwatch-logs-role", false, ""),
                ],
                Some(true),
                Verdict::NotMet,
            ),
            (
                vec![role("dms-vpc-role", true, "ec2.amazonaws.com")],
                Some(false),
                Verdict::NotMet,
            ),
            (vec![], Some(false), Verdict::InsufficientEvidence),
        ] {
            let mut ev = migration();
            ev.facts.iam_roles = roles;
            ev.facts.tasks[0].settings.logging_enabled = logging;
            assert_eq!(
                run(&ev, "dms.1.0.sec.iam-roles").verdict,
                want,
                "{logging:?}"
            );
        }
    }

    /// A Redshift target whose address then is not on record (re-pointed since the
    /// task's creation, the run undated) may have needed the endpoint-access role: it is
    /// required, as it would be had the target never changed.
    #[test]
    fn a_target_unknown_then_counts_as_it_is_today() {
        let mut ev = migration();
        ev.facts.iam_roles = vec![IamRole {
            name: "dms-vpc-role".into(),
            exists: true,
            trusted_services: vec!["dms.amazonaws.com".into()],
            ..IamRole::default()
        }];
        ev.facts.tasks[0].settings.logging_enabled = Some(false);
        // Beside the migration that moved data, a task that never started, created on
        // 1 October, into a Redshift target re-pointed on 1 November.
        let mut task = ev.facts.tasks[0].clone();
        task.arn = format!("{}-2", task.arn);
        task.identifier = "never-started".into();
        task.resource_id = "NEVER".into();
        (task.started, task.stats, task.tables) = (None, None, None);
        task.created = Some("2026-10-01T00:00:00Z".into());
        let mut e = ev.facts.endpoints[1].clone();
        e.arn = format!("{}-redshift", e.arn);
        e.identifier = "dw".into();
        task.target_arn = Some(e.arn.clone());
        ev.facts.tasks.push(task);
        e.host.kind = HostKind::Redshift;
        let event = |name: &str, at: &str, server: &str| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: name.into(),
            request: serde_json::json!({"ServerName": server}),
            ..HistoryEvent::default()
        };
        e.history = vec![
            event("CreateEndpoint", "2026-09-30T00:00:00Z", "then.example"),
            event("ModifyEndpoint", "2026-11-01T00:00:00Z", "now.example"),
        ];
        e.server_name = Some("now.example".into());
        ev.facts.endpoints.push(e);
        let f = run(&ev, "dms.1.0.sec.iam-roles");
        // The role is needed and not in the evidence (without counting it: met).
        assert_eq!(f.verdict, Verdict::InsufficientEvidence, "{}", f.reason);
        assert!(f.reason.contains("dms-access-for-endpoint"), "{}", f.reason);
    }
}
