//! Prerequisites and human-answered items: attestations, the account, the project
//! dates and outcomes, the diagram, schema tooling, and the production reference.

pub mod account_identity;
pub mod attestation;
pub mod diagram;
pub mod inventory_narrative;
pub mod outcomes;
pub mod production_reference;
pub mod project_dates;
pub mod schema_conversion_assessment;
pub mod schema_tooling;
