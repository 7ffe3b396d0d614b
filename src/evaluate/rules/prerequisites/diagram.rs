//! `diagram`: pre.3.1.diagram-services, "Architectural diagrams detail how the solution interacts with the AWS Cloud: which AWS tools and services are used".

use crate::evaluate::rules::{Check, Finding, Input, Item, RuleDoc, Verdict, params::NoParams};

/// The `diagram` rule.
pub struct Diagram;

impl Check for Diagram {
    const NAME: &'static str = "diagram";
    const REMEDIATION: &'static str = "Attach the architecture diagram for pre.3.1.diagram-services; compare it with the topology in the report.";
    const DOC: RuleDoc = RuleDoc {
        met: "attested only: an attached diagram (hashed), compared with the tool's topology by a reviewer",
        checked: "An architecture diagram is attached; the report's topology is there to compare with it.",
        evidence: "`attachments[]` for this item; inventory",
        verdicts: "attested / attestation_required",
        after_deletion: "unaffected: the attachment is the partner's",
    };
    type Params = NoParams;

    fn run(input: &Input<'_>, item: &Item, _p: &NoParams) -> Finding {
        let f = input.facts;
        let topology = format!(
            "the tool's topology shows {} replication instance(s), {} serverless replication(s), {} endpoint(s), {} target \
             database(s) to compare with",
            f.replication_instances.len(),
            f.serverless.len(),
            f.endpoints.len(),
            f.rds_instances.len() + f.rds_clusters.len()
        );
        match input.attachments(&item.id).first() {
            Some(a) => Finding::new(
                Verdict::Attested,
                format!(
                    "diagram {} attached (sha256 {}…); {topology}",
                    a.attachment.path,
                    crate::text::prefix(&a.sha256, 12)
                ),
            )
            .value("attachment_sha256", a.sha256.clone())
            .cite(format!("attachments/{}", a.attachment.path), &[]),
            None => Finding::new(
                Verdict::AttestationRequired,
                format!("no architecture diagram attached; {topology}"),
            ),
        }
    }
}
