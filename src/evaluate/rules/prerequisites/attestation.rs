//! `attestation`: an item only a person can answer: attested when a statement or attachment is given.
//! Used by 8 items (pre.1.0.apn-tier, pre.2.1.customer-name, pre.2.1.problem, …).

use crate::evaluate::rules::{
    Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams, quote, statement,
};

/// An item only a person can answer: attested when a statement or attachment is given.
pub struct Attestation;

impl Check for Attestation {
    const NAME: &'static str = "attestation";
    const REMEDIATION: &'static str = "Add the statement to the case-study manifest ([statements]) or attach the document ([[attachments]]).";
    const DOC: RuleDoc = RuleDoc {
        met: "attested only: {statements} or an attachment for the item; never met",
        checked: "A statement in the case-study manifest (or an attachment for the item).",
        evidence: "`statements.*`, `attachments[]` (SHA-256, size, media type)",
        verdicts: "attested with the text quoted; attestation_required when absent",
        after_deletion: "unaffected: statements and attachments are the partner's",
    };
    const STATEMENTS: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let attachments = input.attachments(&item.id);
        if let Some((text, key)) = statement(input, item) {
            let mut f = Finding::new(
                Verdict::Attested,
                format!("statements.{key}: {}", quote(text)),
            )
            .value("statement", text)
            .cite(format!("case_study/statements/{key}"), &[]);
            for a in attachments {
                f = f
                    .cite(format!("attachments/{}", a.attachment.path), &[])
                    .value("attachment_sha256", a.sha256.clone());
            }
            return f;
        }
        if let Some(a) = attachments.first() {
            return Finding::new(
                Verdict::Attested,
                format!(
                    "attachment {} ({} bytes, sha256 {}…)",
                    a.attachment.path,
                    a.size,
                    crate::text::prefix(&a.sha256, 12)
                ),
            )
            .cite(format!("attachments/{}", a.attachment.path), &[])
            .value("attachment_sha256", a.sha256.clone());
        }
        Finding::new(
            Verdict::AttestationRequired,
            format!(
                "only a person can answer this; no statement ({}) or attachment was given",
                item.statements
                    .iter()
                    .map(|s| format!("statements.{s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn statements_turn_human_items_into_attested() {
        let mut ev = empty();
        assert_eq!(
            run(&ev, "pre.2.1.customer-name").verdict,
            Verdict::AttestationRequired
        );
        ev.case_study
            .case_study
            .statements
            .insert("customer_name".into(), "Example Corp".into());
        let f = run(&ev, "pre.2.1.customer-name");
        assert_eq!(f.verdict, Verdict::Attested);
        assert!(f.reason.contains("Example Corp"));
    }
}
