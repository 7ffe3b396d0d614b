//! `[[deleted_task]]` in the case study: where to look for the CloudWatch series of a task
//! deleted so long ago that neither CloudTrail nor a log stream names it any more. A
//! pointer, never evidence: the task it names joins the evidence only when CloudWatch
//! holds series for it in the account collected.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{InputError, Source};

/// A task the partner points at: the dimensions of its AWS/DMS series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskPointer {
    pub region: String,
    /// The resource id at the end of the task's ARN: CloudWatch's ReplicationTaskIdentifier
    /// (DMS User Guide, "Monitoring AWS DMS tasks": task metrics have the dimensions
    /// ReplicationInstanceIdentifier and ReplicationTaskIdentifier).
    pub resource_id: String,
    /// The identifier of the replication instance it ran on: ReplicationInstanceIdentifier.
    pub replication_instance: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPointer {
    arn: Spanned<String>,
    replication_instance: Spanned<String>,
}

/// The `[[deleted_task]]` entries, each validated: a DMS task ARN of the case study's
/// account in a region it collects, and a replication instance identifier.
pub(super) fn task_pointers(
    src: &Source,
    raw: Vec<Spanned<RawPointer>>,
    account: &str,
    regions: &[String],
) -> Result<Vec<TaskPointer>, InputError> {
    let mut out = Vec::new();
    for (i, entry) in raw.into_iter().enumerate() {
        let p = entry.into_inner();
        let field = |name: &str| format!("deleted_task[{i}].{name}");
        let arn = p.arn.get_ref().trim();
        let (region, arn_account, resource_id) =
            task_arn(arn).map_err(|m| src.invalid(&field("arn"), p.arn.span(), m))?;
        if arn_account != account {
            let message = format!(
                "the task is in account {arn_account}, but the case study's account is {account}"
            );
            return Err(src.invalid(&field("arn"), p.arn.span(), message));
        }
        if !regions.iter().any(|r| r == region) {
            let message = format!(
                "the task is in region {region}, which the case study does not collect: add it to `regions`"
            );
            return Err(src.invalid(&field("arn"), p.arn.span(), message));
        }
        let instance = p.replication_instance.get_ref().trim();
        if !instance_identifier(instance) {
            let message = format!(
                "{instance:?} is not a replication instance identifier (1 to 63 letters, digits or \
                 hyphens, beginning with a letter, without two hyphens in a row or one at the end)"
            );
            let span = p.replication_instance.span();
            return Err(src.invalid(&field("replication_instance"), span, message));
        }
        out.push(TaskPointer {
            region: region.to_string(),
            resource_id: resource_id.to_string(),
            // DMS stores the identifier in lower case (DMS API Reference,
            // CreateReplicationInstance ReplicationInstanceIdentifier).
            replication_instance: instance.to_ascii_lowercase(),
        });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Region, account and resource id of `arn:<partition>:dms:<region>:<account>:task:<id>`
/// (DMS User Guide, "Constructing an Amazon Resource Name (ARN) for AWS DMS").
fn task_arn(arn: &str) -> Result<(&str, &str, &str), String> {
    let bad = || {
        format!(
            "{arn:?} is not a DMS task ARN (arn:aws:dms:REGION:ACCOUNT:task:RESOURCE-ID, as the \
             task's CloudTrail events or the DMS console showed it)"
        )
    };
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [prefix, partition, service, region, account, kind, id] = parts[..] else {
        return Err(bad());
    };
    let id_ok =
        (1..=255).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let valid = prefix == "arn"
        && partition.starts_with("aws")
        && service == "dms"
        && crate::regions::is_known(region)
        && super::validate_account(account).is_ok()
        && kind == "task"
        && id_ok;
    if valid {
        Ok((region, account, id))
    } else {
        Err(bad())
    }
}

/// DMS's rule for ReplicationInstanceIdentifier: 1 to 63 letters, digits or hyphens,
/// beginning with a letter, no two consecutive hyphens, not ending with one.
fn instance_identifier(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_arns_and_instance_identifiers_are_checked() {
        for (arn, want) in [
            (
                "arn:aws:dms:us-east-1:111111111111:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                Some(("us-east-1", "111111111111", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
            ),
            (
                "arn:aws-cn:dms:cn-north-1:111111111111:task:erp-task",
                Some(("cn-north-1", "111111111111", "erp-task")),
            ),
            ("arn:aws:dms:us-east-1:111111111111:rep:ABC", None),
            ("arn:aws:dms:us-east-1:11111111111:task:ABC", None),
            ("arn:aws:dms:us-east-1:111111111111:task:", None),
            ("arn:aws:dms:us-east-1:111111111111:task:A:B", None),
            ("arn:aws:rds:us-east-1:111111111111:task:ABC", None),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", None),
        ] {
            assert_eq!(task_arn(arn).ok(), want, "{arn}");
        }
        for (id, want) in [
            ("ri", true),
            ("erp-ri-1", true),
            ("1ri", false),
            ("ri-", false),
            ("r--i", false),
            ("r_i", false),
            ("", false),
        ] {
            assert_eq!(instance_identifier(id), want, "{id}");
        }
    }
}
