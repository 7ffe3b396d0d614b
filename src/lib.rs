//! dms-evidence: proves from the AWS account itself how AWS DMS was used.
//!
//! The pipeline: [`collect`] (one module per AWS service, every response captured)
//! → [`facts`] → [`evaluate`] (one rule per checklist item) → [`bundle`] (DSSE) →
//! [`verify`] / [`diff`] / [`report`]; [`doctor`] checks access before a collection.

pub mod bundle;
pub mod casestudy;
pub mod cli;
pub mod collect;
pub mod diff;
pub mod digest;
pub mod doctor;
pub mod evaluate;
pub mod evidence;
pub mod export;
pub mod facts;
pub mod files;
pub mod fleet;
pub mod input;
pub mod operations;
pub mod output;
pub mod pipeline;
pub mod redact;
pub mod regions;
pub mod renewal;
pub mod report;
pub mod session;
pub mod text;
pub mod time;
pub mod verify;
