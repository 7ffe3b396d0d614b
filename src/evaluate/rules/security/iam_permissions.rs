//! `iam_permissions`: dms.1.0.sec.iam-perms, "IAM permissions needed to use AWS DMS".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams, with_statement,
};

/// The `iam_permissions` rule.
pub struct IamPermissions;

impl Check for IamPermissions {
    const NAME: &'static str = "iam_permissions";
    const REMEDIATION: &'static str = "Grant DMS through scoped customer-managed policies and describe the permissions model (statements.iam_permissions).";
    const DOC: RuleDoc = RuleDoc {
        met: "a customer-managed policy granting DMS actions, plus `statements.iam_permissions` (attested)",
        checked: "Customer-managed policies in the account grant DMS actions; intent stated.",
        evidence: "ListPolicies (Local) + GetPolicyVersion",
        verdicts: "insufficient_evidence when none is visible; attested / attestation_required",
        after_deletion: "unaffected: IAM policies today (deleting DMS resources leaves them)",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let policies = &input.facts.iam_policies;
        if let Some(gap) = input.gap_note(&["iam:ListPolicies", "iam:GetPolicyVersion"])
            && policies.is_empty()
        {
            return Finding::new(
                Verdict::InsufficientEvidence,
                format!("customer-managed policies could not be read: {gap}"),
            );
        }
        if policies.is_empty() {
            return Finding::new(
                Verdict::InsufficientEvidence,
                "no customer-managed policy in the account grants DMS actions (permissions may come from AWS managed \
                 policies or another account, which the tool cannot see)",
            );
        }
        let mut f = Finding::new(Verdict::Met, "");
        let mut parts = Vec::new();
        for p in policies {
            f = f.cite(format!("iam_policies/{}", p.arn), &p.sources);
            let wildcard = p.dms_actions.iter().any(|a| a == "*" || a == "dms:*");
            parts.push(format!(
                "{} grants {}{}",
                p.name,
                p.dms_actions.join(", "),
                if wildcard { " (wildcard)" } else { "" }
            ));
        }
        with_statement(
            input,
            item,
            Finding {
                reason: format!("DMS permissions through {}", parts.join("; ")),
                ..f
            },
        )
    }
}
