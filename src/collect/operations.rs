//! The AWS operations the collector can call, as IAM actions. The read-only policy
//! in `policies/dms-evidence-readonly-policy.json` grants exactly these; tests keep
//! the list, the policy and the calls the code really makes equal.

/// (IAM service prefix, operation).
pub const OPERATIONS: &[(&str, &str)] = &[
    ("sts", "GetCallerIdentity"),
    ("dms", "DescribeReplicationInstances"),
    ("dms", "DescribeReplicationSubnetGroups"),
    ("dms", "DescribeEndpoints"),
    ("dms", "DescribeReplicationTasks"),
    ("dms", "DescribeTableStatistics"),
    ("dms", "DescribeCertificates"),
    ("dms", "DescribeAccountAttributes"),
    ("dms", "DescribeReplicationTaskAssessmentRuns"),
    ("dms", "DescribeReplicationConfigs"),
    ("dms", "DescribeReplications"),
    ("dms", "DescribeReplicationTableStatistics"),
    ("dms", "DescribeMigrationProjects"),
    ("dms", "DescribeDataProviders"),
    ("dms", "DescribeEngineVersions"),
    ("dms", "DescribeEvents"),
    ("dms", "ListTagsForResource"),
    ("rds", "DescribeDBInstances"),
    ("rds", "DescribeDBClusters"),
    ("kms", "DescribeKey"),
    ("kms", "GetKeyRotationStatus"),
    ("cloudwatch", "ListMetrics"),
    ("cloudwatch", "GetMetricData"),
    ("logs", "DescribeLogGroups"),
    ("logs", "DescribeLogStreams"),
    ("iam", "GetRole"),
    ("iam", "ListAttachedRolePolicies"),
    ("iam", "ListPolicies"),
    ("iam", "GetPolicyVersion"),
];

/// Verbs of read-only AWS operations.
pub const READ_VERBS: &[&str] = &["Describe", "List", "Get"];

pub fn iam_actions() -> Vec<String> {
    let mut actions: Vec<String> = OPERATIONS.iter().map(|(s, o)| format!("{s}:{o}")).collect();
    actions.sort();
    actions
}

pub fn is_read_only(operation: &str) -> bool {
    READ_VERBS.iter().any(|verb| operation.starts_with(verb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_a_read() {
        for (service, op) in OPERATIONS {
            assert!(is_read_only(op), "{service}:{op} is not a read");
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
    fn operations_are_unique() {
        let mut all = iam_actions();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
