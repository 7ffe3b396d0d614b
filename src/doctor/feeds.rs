//! Which checklist items each IAM action feeds: those `policies/operations.json` lists for
//! it (`feeds`), and those the rules themselves name it for when it is the one call denied
//! (an evidence document with nothing in it but that gap is judged, and the items whose
//! finding cites the action are added: the reads that find migrations feed every item
//! about a migration).

use std::collections::BTreeMap;

use crate::casestudy::CaseStudy;
use crate::evaluate::{self, Checklist};
use crate::evidence::{
    CallerIdentity, CaseStudyRecord, Collection, Evidence, Gap, GapKind, MetricUsage,
};
use crate::facts::Facts;

/// Items per IAM action (every action of [`crate::operations::operations`]), sorted.
pub fn items_by_action(case: &CaseStudy, checklist: &Checklist) -> BTreeMap<String, Vec<String>> {
    let region = case.regions.first().cloned().unwrap_or_default();
    crate::operations::operations()
        .iter()
        .map(|op| {
            let gap = Gap {
                service: op.service.clone(),
                operation: op.operation.clone(),
                region: region.clone(),
                iam_action: op.iam_action.clone(),
                kind: GapKind::AccessDenied,
                code: Some("AccessDenied".into()),
                message: "denied".into(),
                resource: None,
            };
            let evaluation = evaluate::evaluate(&nothing_but(case, gap), checklist);
            let mut items: Vec<String> = evaluation
                .findings
                .iter()
                .filter(|f| {
                    f.reason.contains(&op.iam_action)
                        || f.remediation
                            .as_deref()
                            .is_some_and(|r| r.contains(&op.iam_action))
                })
                .map(|f| f.item.clone())
                .chain(
                    op.feeds
                        .iter()
                        .filter(|i| checklist.items.iter().any(|x| x.id == **i))
                        .cloned(),
                )
                .collect();
            let order = |id: &String| checklist.items.iter().position(|i| &i.id == id);
            items.sort_by_key(order);
            items.dedup();
            (op.iam_action.clone(), items)
        })
        .collect()
}

/// An evidence document of this case study with no fact and one gap.
fn nothing_but(case: &CaseStudy, gap: Gap) -> Evidence {
    let now = crate::time::Timestamp::now();
    let collection = Collection {
        started_at: now,
        finished_at: now,
        caller: CallerIdentity {
            account: case.account_id.clone(),
            arn: case.role_arn.clone(),
            user_id: String::new(),
            sources: Vec::new(),
        },
        regions: case.regions.clone(),
        role_session_name: case.session_name.clone(),
        endpoint_override: None,
        calls: 0,
        failed_calls: 1,
        metrics: MetricUsage::default(),
        retries: Default::default(),
        redacted: false,
        complete: false,
        outcomes: Vec::new(),
    };
    let record = CaseStudyRecord {
        case_study: case.clone(),
        external_id_sha256: None,
    };
    Evidence::collected(
        record,
        Vec::new(),
        collection,
        Vec::new(),
        Facts::default(),
        vec![gap],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::checklist::load_default;

    fn case() -> CaseStudy {
        let manifest = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/case-studies/exemplary.toml"
        );
        crate::casestudy::resolve(Some(std::path::Path::new(manifest)), &Default::default())
            .expect("exemplary case study")
    }

    #[test]
    fn every_item_the_table_names_is_a_checklist_item() {
        let checklist = load_default();
        for op in crate::operations::operations() {
            for item in &op.feeds {
                assert!(
                    checklist.items.iter().any(|x| &x.id == item),
                    "{}: {item}",
                    op.iam_action
                );
            }
        }
    }

    /// Every action a rule's code cites (in the gap notes of its reasons) feeds every
    /// item that rule judges: the table cannot forget a read a rule rests on.
    #[test]
    fn every_action_a_rule_cites_feeds_its_items() {
        let checklist = load_default();
        let feeds = items_by_action(&case(), &checklist);
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/evaluate/rules");
        let mut missing = Vec::new();
        for item in &checklist.items {
            let file = std::fs::read_dir(&rules)
                .expect("rules")
                .filter_map(|d| {
                    d.ok()
                        .map(|d| d.path().join(format!("{}.rs", item.rule.name)))
                })
                .find(|p| p.exists())
                .unwrap_or_else(|| panic!("no file for rule {}", item.rule.name));
            let text = std::fs::read_to_string(&file).expect("rule source");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for op in crate::operations::operations() {
                if code.contains(&format!("\"{}\"", op.iam_action))
                    && !feeds[&op.iam_action].contains(&item.id)
                {
                    missing.push(format!("{} <- {}", item.id, op.iam_action));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "rules cite actions that do not feed them: {missing:#?}"
        );
    }

    #[test]
    fn reads_that_find_migrations_feed_every_migration_item() {
        let feeds = items_by_action(&case(), &load_default());
        for action in [
            "dms:DescribeReplicationTasks",
            "dms:DescribeReplicationConfigs",
            "cloudtrail:LookupEvents",
        ] {
            for item in [
                "dms.1.0.mig.cdc",
                "dms.1.0.sec.in-flight",
                "dms.2.1.dep.hetero",
            ] {
                assert!(feeds[action].iter().any(|i| i == item), "{action} {item}");
            }
        }
        assert!(
            feeds["dms:DescribeEndpoints"]
                .iter()
                .any(|i| i == "dms.1.0.sec.in-flight")
        );
        assert_eq!(
            feeds["dms:DescribeAccountAttributes"],
            ["dms.1.0.arch.limits"]
        );
        assert!(feeds["dms:DescribeEventSubscriptions"].is_empty());
        // Attestations rest on no AWS call.
        assert!(feeds.values().flatten().all(|i| i != "pre.1.0.apn-tier"));
    }
}
