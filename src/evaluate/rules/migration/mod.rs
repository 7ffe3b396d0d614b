//! Migration practice: task logs, LOB handling, CDC, the Oracle target schema
//! rename, and planning (readiness, fall-back, UAT).

pub mod cdc;
pub mod lob_handling;
pub mod oracle_target_schema;
pub mod planning;
pub mod task_logging;
