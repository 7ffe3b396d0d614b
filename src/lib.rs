//! dms-evidence: proves from the AWS account itself how AWS DMS was used.
//!
//! The pipeline: collect (one module per AWS service) → facts → evaluate (one rule
//! per checklist item) → bundle (DSSE) → verify / diff / report.
