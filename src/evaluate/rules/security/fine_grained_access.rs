//! `fine_grained_access`: dms.1.0.sec.fine-grained, "Fine-grained access control using resource names and tags".

use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams};

/// The `fine_grained_access` rule.
pub struct FineGrainedAccess;

impl Check for FineGrainedAccess {
    const NAME: &'static str = "fine_grained_access";
    const REMEDIATION: &'static str = "Use dms:*-tag/* or aws:ResourceTag conditions, or resource ARNs, in the policies that grant DMS actions.";
    const DOC: RuleDoc = RuleDoc {
        met: "a policy granting DMS actions uses DMS tag or resource-name conditions, or names resources",
        checked: "Policies granting DMS use tag or resource-name conditions (dms:*-tag/*, aws:ResourceTag) or name resources.",
        evidence: "customer policies' conditions and resources; DMS tags",
        verdicts: "met; insufficient_evidence otherwise (such policies may live elsewhere)",
        after_deletion: "unaffected: IAM policies today (deleting DMS resources leaves them)",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        let policies = &input.facts.iam_policies;
        let mut f = Finding::new(Verdict::Met, "");
        let conditioned: Vec<String> = policies
            .iter()
            .filter(|p| {
                p.condition_keys.iter().any(|k| {
                    k.starts_with("dms:")
                        || k.starts_with("aws:ResourceTag")
                        || k.starts_with("aws:RequestTag")
                }) || p.scoped_resources
            })
            .map(|p| {
                format!(
                    "{}{}{}",
                    p.name,
                    if p.condition_keys.is_empty() {
                        String::new()
                    } else {
                        format!(" conditions {}", p.condition_keys.join(", "))
                    },
                    if p.scoped_resources {
                        " on named resources"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        for p in policies {
            f = f.cite(format!("iam_policies/{}", p.arn), &p.sources);
        }
        let tagged = input
            .facts
            .tags
            .iter()
            .filter(|t| !t.tags.is_empty())
            .count();
        if !conditioned.is_empty() {
            return Finding {
                reason: format!(
                    "{}; {tagged} DMS resource(s) tagged",
                    conditioned.join("; ")
                ),
                ..f
            }
            .value("tagged_resources", tagged);
        }
        let gap = input.gap_paren(&["iam:ListPolicies", "iam:GetPolicyVersion"]);
        Finding {
            verdict: Verdict::InsufficientEvidence,
            reason: format!(
                "{tagged} DMS resource(s) tagged, but no policy in the account uses DMS tag or resource-name conditions{gap}; \
                 such policies may live in another account or permission set"
            ),
            ..f
        }
        .value("tagged_resources", tagged)
    }
}
