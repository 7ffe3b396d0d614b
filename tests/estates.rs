//! Estates shaped like real AWS accounts (fixtures/estates/), seeded only through
//! ordinary AWS calls into the emulator and collected through the real read-only
//! role: each names the verdicts it must get and the ones it must never get. These
//! are the shapes that gave false `met`s before: never-run tasks, the same names in
//! two regions, Secrets Manager endpoints, staging-only encryption, Aurora instance
//! endpoints, expired metrics, migrations running past their declared end.

mod support;

use dms_evidence::bundle::Predicate;
use dms_evidence::evaluate::{Evaluation, Verdict};
use support::{Emulator, repo_root};

use Verdict::*;

struct Estate {
    name: &'static str,
    account: &'static str,
    regions: &'static [&'static str],
    /// Extra manifest lines (claims, statements).
    manifest: &'static str,
    must: &'static [(&'static str, Verdict)],
    never: &'static [(&'static str, Verdict)],
    /// Words an item's reason must contain (the numbers and names it rests on).
    reasons: &'static [(&'static str, &'static str)],
}

/// Items about what was migrated: a run that moved no data gives none of them.
const ABOUT_WHAT_MOVED: &[&str] = &[
    "dms.1.0.size",
    "pre.2.1.account-id",
    "pre.2.1.two-prod-refs",
    "pre.2.1.outcomes",
    "dms.2.1.dep.hetero",
    "dms.2.1.wl.cdc-hetero",
    "dms.1.0.mig.cdc",
    "dms.2.2.initial-size",
    "dms.2.2.tables",
];

const ESTATES: &[Estate] = &[
    // A run 125 to 120 days ago, its plaintext source switched to verify-full 100 days
    // ago: before event history, after the run. Today's SslMode is not what it ran with.
    Estate {
        name: "changed-before-history",
        account: "900000000031",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.sec.in-flight", InsufficientEvidence),
            ("dms.2.1.wl.cdc-homo", InsufficientEvidence),
        ],
        never: &[("dms.1.0.sec.in-flight", Met), ("dms.1.0.size", Met)],
        reasons: &[(
            "dms.1.0.sec.in-flight",
            "CloudTrail history in us-east-1 begins",
        )],
    },
    // The same run, in accounts whose AWS Config recorder records DMS endpoints: from
    // before the run (its items show the plaintext source), or only since after it.
    Estate {
        name: "recorded-by-config",
        account: "900000000032",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.in-flight", NotMet)],
        never: &[("dms.1.0.sec.in-flight", Met)],
        reasons: &[("dms.1.0.sec.in-flight", "as AWS Config recorded it")],
    },
    Estate {
        name: "recorded-by-config",
        account: "900000000033",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.in-flight", InsufficientEvidence)],
        never: &[("dms.1.0.sec.in-flight", Met)],
        reasons: &[(
            "dms.1.0.sec.in-flight",
            "AWS Config cannot say either: AWS Config's first item of it",
        )],
    },
    Estate {
        name: "never-run",
        account: "900000000001",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("pre.2.1.account-id", InsufficientEvidence),
            ("dms.2.1.dep.hetero", InsufficientEvidence),
            ("dms.2.1.dep.onprem-ec2", InsufficientEvidence),
            ("dms.1.0.mig.planning", InsufficientEvidence),
            ("dms.1.0.sec.at-rest", InsufficientEvidence),
        ],
        never: &[
            ("dms.1.0.size", Met),
            ("pre.2.1.account-id", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.1.0.mig.cdc", Met),
            ("dms.1.0.sec.in-flight", Met),
            ("dms.1.0.mig.lobs", Met),
            ("pre.2.1.dates", Met),
        ],
        reasons: &[],
    },
    Estate {
        name: "same-names-two-regions",
        account: "900000000002",
        regions: &["us-east-1", "us-west-2"],
        manifest: "",
        must: &[
            ("dms.1.0.sec.at-rest", NotMet),
            ("dms.1.0.size", NotMet),
            ("dms.1.0.arch.ri", Met),
        ],
        never: &[
            ("dms.1.0.sec.at-rest", Met),
            ("dms.1.0.size", Met),
            ("dms.1.0.arch.ri", NotMet),
        ],
        reasons: &[],
    },
    Estate {
        name: "secrets-manager-source",
        account: "900000000003",
        regions: &["eu-west-1"],
        manifest: "",
        must: &[
            ("dms.2.1.dep.onprem-ec2", InsufficientEvidence),
            ("dms.1.0.arch.public-private", InsufficientEvidence),
        ],
        never: &[
            ("dms.2.1.dep.onprem-ec2", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
            ("dms.1.0.arch.public-private", Met),
        ],
        reasons: &[],
    },
    Estate {
        name: "secrets-manager-source",
        account: "900000000003",
        regions: &["eu-west-1"],
        manifest: "[claims]\nsource_hosting = \"on-premises\"\n",
        must: &[("dms.2.1.dep.onprem-ec2", Attested)],
        never: &[("dms.2.1.dep.onprem-ec2", Met)],
        reasons: &[],
    },
    // The target deleted and created again encrypted under its name after the run: a
    // Redshift cluster, an RDS database; and one encrypted throughout.
    Estate {
        name: "recreated-after-run",
        account: "900000000040",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.at-rest", InsufficientEvidence)],
        never: &[("dms.1.0.sec.at-rest", Met)],
        reasons: &[("dms.1.0.sec.at-rest", "it was created")],
    },
    Estate {
        name: "recreated-after-run",
        account: "900000000041",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.at-rest", InsufficientEvidence)],
        never: &[("dms.1.0.sec.at-rest", Met)],
        reasons: &[("dms.1.0.sec.at-rest", "it was created")],
    },
    Estate {
        name: "recreated-after-run",
        account: "900000000042",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.at-rest", Met)],
        never: &[],
        reasons: &[],
    },
    Estate {
        name: "redshift-staging-only",
        account: "900000000004",
        regions: &["us-east-2"],
        manifest: "",
        must: &[("dms.1.0.sec.at-rest", NotMet)],
        never: &[("dms.1.0.sec.at-rest", Met)],
        reasons: &[],
    },
    Estate {
        name: "aurora-instance-endpoint",
        account: "900000000005",
        regions: &["ap-southeast-2"],
        manifest: "",
        must: &[("dms.1.0.size", Met), ("dms.1.0.sec.at-rest", Met)],
        never: &[("dms.1.0.size", NotMet)],
        reasons: &[],
    },
    Estate {
        name: "stale-metrics",
        account: "900000000006",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.mig.cdc", Met), ("dms.2.1.wl.cdc-homo", Met)],
        never: &[("dms.1.0.mig.cdc", InsufficientEvidence)],
        reasons: &[("dms.1.0.mig.cdc", "CDCThroughputRowsTarget above 0")],
    },
    // fixtures/estates/deleted-after-cutover.json: the migration ran, then the customer
    // deleted its task, endpoints and instance; only CloudTrail, CloudWatch and the task
    // log still show it.
    Estate {
        name: "deleted-after-cutover",
        account: "900000000021",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.mig.cdc", Met),
            ("dms.1.0.sec.in-flight", Met),
            ("dms.1.0.mig.task-log", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
            ("dms.1.0.size", Met),
        ],
        never: &[],
        reasons: &[
            ("dms.2.1.dep.hetero", "erp-migration (deleted on "),
            ("dms.2.1.dep.hetero", ", from CloudTrail event "),
            (
                "dms.1.0.sec.in-flight",
                "ora SslMode=verify-ca during erp-migration's run (CloudTrail CreateEndpoint",
            ),
            ("dms.1.0.mig.cdc", "CDCThroughputRowsTarget above 0"),
        ],
    },
    // DMS Serverless, deleted after cut-over: the configuration is rebuilt from
    // CloudTrail (DeleteReplicationConfig's answer), its run dated by StartReplication and
    // StopReplication, its data movement from CloudWatch and its log group.
    Estate {
        name: "deleted-after-cutover",
        account: "900000000027",
        regions: &["us-west-2"],
        manifest: "",
        must: &[
            ("dms.1.0.mig.cdc", Met),
            ("dms.2.1.wl.cdc-homo", Met),
            ("dms.1.0.sec.in-flight", Met),
            ("dms.1.0.mig.task-log", Met),
            ("dms.1.0.size", Met),
            ("pre.2.1.account-id", Met),
        ],
        never: &[],
        reasons: &[
            ("dms.2.1.wl.cdc-homo", "orders-to-aurora (deleted on "),
            ("dms.2.1.wl.cdc-homo", ", from CloudTrail event "),
            (
                "dms.1.0.sec.in-flight",
                "pg SslMode=require during orders-to-aurora's run",
            ),
        ],
    },
    // A serverless run that failed, after which its configuration was re-pointed to a
    // 400 GB encrypted Aurora PostgreSQL target: judged against the 6 GB unencrypted
    // Aurora MySQL target it ran with (today's would give three false mets).
    Estate {
        name: "deleted-after-cutover",
        account: "900000000028",
        regions: &["us-west-2"],
        manifest: "",
        must: &[
            ("dms.1.0.size", NotMet),
            ("dms.1.0.sec.at-rest", NotMet),
            ("dms.2.1.dep.hetero", NotMet),
        ],
        never: &[
            ("dms.1.0.size", Met),
            ("dms.1.0.sec.at-rest", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
        ],
        reasons: &[
            ("dms.1.0.size", "6.0 GB"),
            (
                "dms.2.1.dep.hetero",
                "its target was small while it ran (set by CloudTrail CreateReplicationConfig",
            ),
            (
                "dms.2.1.dep.hetero",
                "re-pointed since by CloudTrail ModifyReplicationConfig",
            ),
        ],
    },
    Estate {
        name: "deleted-after-cutover",
        account: "900000000022",
        regions: &["us-east-1"],
        manifest: "",
        must: &[("dms.1.0.sec.in-flight", NotMet), ("dms.1.0.mig.cdc", Met)],
        never: &[],
        reasons: &[(
            "dms.1.0.sec.in-flight",
            "ora (oracle) SslMode=none during erp-migration's run",
        )],
    },
    Estate {
        name: "deleted-after-cutover",
        account: "900000000023",
        regions: &["eu-central-1"],
        manifest: "",
        // Plaintext while it ran, verify-full today: judged as it was.
        must: &[("dms.1.0.sec.in-flight", NotMet)],
        never: &[("dms.1.0.sec.in-flight", Met)],
        reasons: &[("dms.1.0.sec.in-flight", "SslMode verify-full today")],
    },
    Estate {
        name: "deleted-after-cutover",
        account: "900000000024",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("dms.2.1.dep.hetero", InsufficientEvidence),
            ("dms.1.0.mig.cdc", InsufficientEvidence),
        ],
        never: &[
            ("dms.1.0.sec.in-flight", Met),
            ("dms.1.0.mig.task-log", Met),
        ],
        reasons: &[("dms.1.0.size", "never started")],
    },
    Estate {
        name: "deleted-after-cutover",
        account: "900000000025",
        regions: &["us-west-2"],
        manifest: "",
        // Logging on, LOBs off and default settings while it ran; logging off, LOBs and
        // tuning on only after it (ModifyReplicationTask 3 days ago): judged as it ran.
        must: &[
            ("dms.1.0.mig.task-log", Met),
            ("dms.1.0.mig.lobs", NotMet),
            ("dms.1.0.mig.performance", NotMet),
        ],
        never: &[("dms.1.0.mig.lobs", Met), ("dms.1.0.mig.performance", Met)],
        reasons: &[
            (
                "dms.1.0.mig.lobs",
                "(settings: the settings in force while it ran, set by CloudTrail CreateReplicationTask",
            ),
            (
                "dms.1.0.mig.task-log",
                "erp-migration logs to dms-tasks-ri/",
            ),
        ],
    },
    Estate {
        name: "deleted-after-cutover",
        account: "900000000026",
        regions: &["us-east-2"],
        manifest: "",
        // MySQL → an unencrypted 6 GB Aurora MySQL cluster while it ran; its endpoints
        // re-pointed after it to an Oracle server and a 400 GB encrypted Aurora
        // PostgreSQL cluster (ModifyEndpoint 3 days ago): judged as it ran.
        must: &[
            ("dms.2.1.dep.hetero", NotMet),
            ("dms.2.1.wl.cdc-homo", Met),
            ("dms.1.0.sec.at-rest", NotMet),
        ],
        never: &[
            ("dms.2.1.dep.hetero", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
            ("dms.1.0.size", Met),
            ("dms.1.0.sec.at-rest", Met),
        ],
        reasons: &[
            (
                "dms.2.1.dep.hetero",
                "its target tgt had EngineName aurora-mysql, ServerName shop.cluster-",
            ),
            ("dms.2.1.dep.hetero", "mysql on "),
            ("dms.1.0.sec.at-rest", "shop"),
        ],
    },
    // Ended by DMS itself (no Stop event), then deleted: its days of CDC come from the
    // statistics DeleteReplicationTask answered with, as CloudTrail recorded them.
    Estate {
        name: "deleted-after-cutover",
        account: "900000000045",
        regions: &["ap-south-1"],
        manifest: "",
        must: &[("dms.2.1.wl.cdc-continual", Met), ("dms.1.0.mig.cdc", Met)],
        never: &[],
        reasons: &[("dms.2.1.wl.cdc-continual", "longest CDC run 44 days")],
    },
    // fixtures/estates/deleted-long-ago.json: deleted 150 days ago, beyond CloudTrail event
    // history, no trail: only its series remain, named by its log stream (043) or by the
    // case study's pointer (044). They prove data moved in the account, nothing else.
    Estate {
        name: "deleted-long-ago",
        account: "900000000043",
        regions: &["eu-west-1"],
        manifest: "",
        must: &[
            ("pre.2.1.account-id", Met),
            ("dms.1.0.sec.in-flight", InsufficientEvidence),
            ("dms.1.0.mig.cdc", InsufficientEvidence),
            ("dms.1.0.mig.planning", InsufficientEvidence),
        ],
        never: &[
            ("dms.1.0.size", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.2.1.wl.cdc-hetero", Met),
            ("dms.1.0.mig.task-log", Met),
        ],
        reasons: &[
            (
                "pre.2.1.account-id",
                "is known only from its log stream dms-tasks-ri/dms-task-",
            ),
            ("pre.2.1.account-id", "CDCThroughputRowsTarget above 0"),
            (
                "dms.1.0.sec.in-flight",
                "not on record: the task is known only from its log stream",
            ),
        ],
    },
    // Without the pointer, nothing in the account names the task.
    Estate {
        name: "deleted-long-ago",
        account: "900000000044",
        regions: &["eu-west-1"],
        manifest: "",
        must: &[("pre.2.1.account-id", InsufficientEvidence)],
        never: &[],
        reasons: &[],
    },
    Estate {
        name: "deleted-long-ago",
        account: "900000000044",
        regions: &["eu-west-1"],
        manifest: "[[deleted_task]]\narn = \"arn:aws:dms:eu-west-1:900000000044:task:ErpMigration2025\"\nreplication_instance = \"ri\"\n",
        must: &[
            ("pre.2.1.account-id", Met),
            ("dms.1.0.sec.in-flight", InsufficientEvidence),
        ],
        never: &[("dms.1.0.mig.cdc", Met), ("dms.1.0.size", Met)],
        reasons: &[(
            "pre.2.1.account-id",
            "ErpMigration2025 is known only from the case study's [[deleted_task]] pointer",
        )],
    },
    // fixtures/estates/moved-nothing.json: one account per way a run moves nothing.
    Estate {
        name: "moved-nothing",
        account: "900000000011",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("dms.2.1.dep.hetero", InsufficientEvidence),
            ("dms.1.0.mig.cdc", InsufficientEvidence),
            ("pre.2.1.outcomes", InsufficientEvidence),
        ],
        never: &[],
        reasons: &[
            (
                "dms.1.0.size",
                "started, moved nothing: erp-load (status failed, stop reason FATAL_ERROR, last failure \"Last Error ORA-01017",
            ),
            (
                "dms.1.0.size",
                "12 of 12 tables errored, 0 rows loaded and 0 changes applied",
            ),
        ],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000012",
        regions: &["us-west-2"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("dms.2.1.dep.hetero", InsufficientEvidence),
        ],
        never: &[],
        reasons: &[(
            "dms.1.0.size",
            "erp-load (status stopped, stop reason NORMAL, 0 rows loaded",
        )],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000013",
        regions: &["eu-west-1"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("pre.2.1.two-prod-refs", InsufficientEvidence),
        ],
        never: &[],
        reasons: &[(
            "dms.1.0.size",
            "erp-load (status running, 8 of 8 tables errored",
        )],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000014",
        regions: &["us-east-2"],
        manifest: "",
        must: &[
            ("dms.1.0.size", InsufficientEvidence),
            ("dms.2.1.dep.hetero", InsufficientEvidence),
        ],
        never: &[],
        reasons: &[(
            "dms.1.0.size",
            "erp-serverless (status failed, stop reason FATAL_ERROR, 5 of 5 tables errored",
        )],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000015",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.size", Met),
            ("dms.2.1.dep.hetero", Met),
            ("dms.1.0.mig.cdc", NotMet),
            ("dms.2.1.wl.cdc-hetero", NotMet),
        ],
        never: &[("dms.2.1.wl.cdc-continual", Met)],
        reasons: &[(
            "dms.1.0.mig.cdc",
            "stopped before ongoing replication: stop reason STOPPED_AFTER_FULL_LOAD",
        )],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000016",
        regions: &["us-east-1"],
        manifest: "[statements]\nuat = \"Two weeks of UAT\"\n",
        must: &[("dms.1.0.mig.planning", NotMet), ("dms.1.0.size", Met)],
        never: &[
            ("dms.1.0.mig.planning", Attested),
            ("dms.1.0.mig.planning", AttestationRequired),
        ],
        reasons: &[
            ("dms.1.0.mig.planning", "run-0: status cancelling"),
            ("dms.1.0.mig.planning", "run-1: status cancelled"),
            ("dms.1.0.mig.planning", "run-5: status invalid state"),
        ],
    },
    Estate {
        name: "moved-nothing",
        account: "900000000017",
        regions: &["us-east-1"],
        manifest: "",
        must: &[
            ("dms.1.0.mig.planning", NotMet),
            ("pre.2.1.outcomes", NotMet),
        ],
        never: &[],
        reasons: &[
            (
                "dms.1.0.mig.planning",
                "erp-load (37 of 40 tables validated, 3 with 12 failed record(s))",
            ),
            (
                "pre.2.1.outcomes",
                "3 of 40 tables errored or failed validation",
            ),
        ],
    },
];

fn collect(emu: &Emulator, e: &Estate, dir: &tempfile::TempDir) -> Predicate {
    emu.seed_file(&repo_root().join(format!("fixtures/estates/{}.json", e.name)));
    collect_seeded(emu, e.account, e.regions, e.manifest, dir, e.name)
}

fn collect_seeded(
    emu: &Emulator,
    account: &str,
    regions: &[&str],
    extra: &str,
    dir: &tempfile::TempDir,
    name: &str,
) -> Predicate {
    let manifest = dir.path().join(format!("{name}-{}.toml", extra.len()));
    let regions: Vec<String> = regions.iter().map(|r| format!("\"{r}\"")).collect();
    std::fs::write(
        &manifest,
        format!(
            "account_id = \"{account}\"\nrole_arn = \"arn:aws:iam::{account}:role/dms-evidence-readonly\"\n\
             external_id = \"estate-{account}\"\nregions = [{}]\n{extra}",
            regions.join(", ")
        ),
    )
    .expect("manifest");
    let out = dir.path().join(format!("{name}-{}.json", extra.len()));
    let run = support::cli(
        emu,
        &[
            "collect",
            "--case-study",
            &manifest.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert!(
        out.exists(),
        "{name}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("evidence")
}

fn verdict<'a>(eval: &'a Evaluation, item: &str) -> (&'a Verdict, &'a str) {
    let f = eval
        .findings
        .iter()
        .find(|f| f.item == item)
        .unwrap_or_else(|| panic!("{item} missing"));
    (&f.verdict, &f.reason)
}

#[test]
fn real_shaped_estates_get_the_verdicts_the_evidence_supports() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut seeded = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for e in ESTATES {
        let ev = if seeded.insert(e.name) {
            collect(&emu, e, &dir)
        } else {
            collect_seeded(&emu, e.account, e.regions, e.manifest, &dir, e.name)
        };
        assert!(
            ev.evidence.gaps.is_empty(),
            "{}: the read-only role was refused: {:?}",
            e.name,
            ev.evidence.gaps
        );
        let eval = ev.evaluation.clone().expect("evaluated");
        for (item, want) in e.must {
            let (got, reason) = verdict(&eval, item);
            if got != want {
                failures.push(format!(
                    "{}: {item} must be {want:?}, is {got:?}: {reason}",
                    e.name
                ));
            }
        }
        for (item, banned) in e.never {
            let (got, reason) = verdict(&eval, item);
            if got == banned {
                failures.push(format!(
                    "{}: {item} must never be {banned:?}: {reason}",
                    e.name
                ));
            }
        }
        for (item, words) in e.reasons {
            let (_, reason) = verdict(&eval, item);
            if !reason.contains(words) {
                failures.push(format!(
                    "{}: {item}'s reason lacks \"{words}\": {reason}",
                    e.name
                ));
            }
        }
        // The region's AWS Config retention, which dates the items' expiry: set in one
        // account, AWS Config's default in the other.
        if e.name == "recorded-by-config" {
            let want = if e.account == "900000000032" {
                365
            } else {
                2557
            };
            let recorders = &ev.evidence.facts.config_recorders;
            if recorders.is_empty() || recorders.iter().any(|r| r.retention_days != Some(want)) {
                failures.push(format!(
                    "{} {}: retention {want} days expected: {recorders:?}",
                    e.name, e.account
                ));
            }
        }
        // A run that moved nothing is never a met about what was migrated.
        // (The deleted-after-cutover task 024 was created and deleted without running.)
        if [
            "900000000011",
            "900000000012",
            "900000000013",
            "900000000014",
            "900000000024",
        ]
        .contains(&e.account)
        {
            for item in ABOUT_WHAT_MOVED {
                let (got, reason) = verdict(&eval, item);
                if matches!(got, Met | Attested) {
                    failures.push(format!(
                        "{} {}: {item} is {got:?} on a run that moved nothing: {reason}",
                        e.name, e.account
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    emu.assert_answers_like_aws();
}

#[test]
fn a_migration_running_past_its_declared_end_contradicts_it() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join("fixtures/estates/running-past-end.json"));
    let day = |days_ago: i64| {
        (dms_evidence::time::Timestamp::now() - time::Duration::days(days_ago)).date()
    };
    let claims = format!(
        "[claims]\nstart_date = \"{}\"\nend_date = \"{}\"\n",
        day(60),
        day(10)
    );
    let ev = collect_seeded(
        &emu,
        "900000000007",
        &["us-east-1"],
        &claims,
        &dir,
        "past-end",
    );
    let eval = ev.evaluation.clone().expect("evaluated");
    let (got, reason) = verdict(&eval, "pre.2.1.dates");
    assert_eq!(*got, NotMet, "{reason}");
    assert!(
        reason.contains("still running after the declared end"),
        "{reason}"
    );
}

/// With `action` denied, each of `items` of the estate's account is insufficient evidence
/// naming the action.
fn denied_is_insufficient(estate: &str, account: &str, region: &str, action: &str, items: &[&str]) {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join(format!("fixtures/estates/{estate}.json")));
    emu.set_faults(serde_json::json!({"deny": [action]}));
    let ev = collect_seeded(&emu, account, &[region], "", &dir, "denied");
    emu.set_faults(serde_json::json!({"deny": []}));
    let eval = ev.evaluation.clone().expect("evaluated");
    for item in items {
        let (got, reason) = verdict(&eval, item);
        assert_eq!(*got, InsufficientEvidence, "{item}: {reason}");
        assert!(
            reason.contains(action),
            "{item} names the denied action: {reason}"
        );
    }
}

#[test]
fn without_cloudtrail_a_deleted_migration_is_insufficient_evidence_naming_the_permission() {
    denied_is_insufficient(
        "deleted-after-cutover",
        "900000000021",
        "us-east-1",
        "cloudtrail:LookupEvents",
        &[
            "dms.1.0.mig.cdc",
            "dms.1.0.sec.in-flight",
            "dms.1.0.mig.task-log",
            "dms.2.1.dep.hetero",
            "dms.1.0.size",
        ],
    );
}

#[test]
fn denied_endpoints_are_insufficient_evidence_not_not_applicable() {
    denied_is_insufficient(
        "aurora-instance-endpoint",
        "900000000005",
        "ap-southeast-2",
        "dms:DescribeEndpoints",
        &[
            "dms.1.0.sec.in-flight",
            "dms.1.0.arch.endpoints",
            "dms.2.1.dep.hetero",
        ],
    );
}

#[test]
fn statistics_of_a_deprovisioned_replication_are_a_gap_not_a_crash() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join("fixtures/estates/deprovisioned-serverless.json"));
    let ev = collect_seeded(
        &emu,
        "900000000008",
        &["us-east-1"],
        "",
        &dir,
        "deprovisioned",
    );
    let gap = ev
        .evidence
        .gaps
        .iter()
        .find(|g| g.operation == "DescribeReplicationTableStatistics")
        .expect("a gap for the statistics");
    assert_eq!(format!("{:?}", gap.kind), "ResourceState", "{gap:?}");
    assert_eq!(gap.code.as_deref(), Some("InvalidResourceStateFault"));
    let eval = ev.evaluation.clone().expect("evaluated");
    let (got, reason) = verdict(&eval, "dms.2.2.tables");
    assert_eq!(*got, InsufficientEvidence, "{reason}");
    assert!(
        reason.contains("dms:DescribeReplicationTableStatistics"),
        "{reason}"
    );
}

/// Cost Explorer bills the deleted migration's instance hours in the months it ran: the
/// project-dates finding names them as supporting evidence. Without ce:GetCostAndUsage
/// (an optional permission) the read is a gap naming it, and every verdict is the same.
#[test]
fn billed_months_support_a_deleted_migration_and_their_absence_changes_no_verdict() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join("fixtures/estates/deleted-after-cutover.json"));
    let account = "900000000021";
    let with = collect_seeded(&emu, account, &["us-east-1"], "", &dir, "billed");
    let facts = &with.evidence.facts;
    let used: Vec<_> = facts.billed_usage.iter().filter(|u| u.used()).collect();
    assert!(
        !used.is_empty() && facts.billing_read.is_some(),
        "{:?}",
        facts.billed_usage
    );
    // Created 15 days ago and deleted 5 days ago: 240 instance hours, whatever the months.
    let hours: f64 = used
        .iter()
        .filter_map(|u| u.amount.parse::<f64>().ok())
        .sum();
    assert!((hours - 240.0).abs() < 0.5, "{hours} hours: {used:?}");
    assert!(
        used.iter().all(|u| u.usage_type.contains("Usg:dms.")),
        "{used:?}"
    );
    let eval = with.evaluation.clone().expect("evaluated");
    let dates = eval
        .findings
        .iter()
        .find(|f| f.item == "pre.2.1.dates")
        .expect("dates");
    assert!(
        dates.reason.contains("Cost Explorer billed DMS usage in"),
        "{}",
        dates.reason
    );
    assert!(
        dates
            .evidence
            .iter()
            .any(|p| p.starts_with("billed_usage/"))
    );

    emu.set_faults(serde_json::json!({"deny": ["ce:GetCostAndUsage"]}));
    let without = collect_seeded(&emu, account, &["us-east-1"], "", &dir, "unbilled");
    emu.set_faults(serde_json::json!({"deny": []}));
    let gaps: Vec<&str> = without
        .evidence
        .gaps
        .iter()
        .map(|g| g.iam_action.as_str())
        .collect();
    assert_eq!(gaps, ["ce:GetCostAndUsage"]);
    assert!(without.evidence.facts.billing_read.is_none());
    // An optional read's gap is recorded, and the collection is still complete.
    assert!(with.evidence.collection.complete && without.evidence.collection.complete);
    let verdicts = |e: &Evaluation| -> Vec<(String, Verdict)> {
        e.findings
            .iter()
            .map(|f| (f.item.clone(), f.verdict))
            .collect()
    };
    assert_eq!(
        verdicts(&eval),
        verdicts(&without.evaluation.clone().expect("evaluated"))
    );
}

/// fixtures/estates/trail-beyond-event-history.json: the migration ran 127 to 121 days ago
/// and was deleted 120 days ago, past event history's 90 days. Without the trail nothing
/// shows what the task was; with the case study's `[trail]`, its log files in S3 rebuild
/// it as event history would have: met over SSL, not_met where the source was plaintext.
/// With s3:GetObject denied (an optional permission) the read is a gap naming it, and the
/// items stay insufficient_evidence.
#[test]
fn a_trail_in_s3_proves_a_migration_older_than_event_history() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join("fixtures/estates/trail-beyond-event-history.json"));
    let since = (dms_evidence::time::Timestamp::now() - time::Duration::days(140)).date();
    let trail = |bucket: &str| {
        format!("[trail]\nbucket = \"{bucket}\"\nprefix = \"/org/main/\"\nsince = \"{since}\"\n")
    };
    // No task-log item: the scenario has no task log to show (PutLogEvents refuses events
    // older than 14 days, so none can be seeded).
    let items = [
        "dms.1.0.mig.cdc",
        "dms.1.0.sec.in-flight",
        "dms.2.1.dep.hetero",
        "dms.1.0.size",
    ];
    let blind = collect_seeded(&emu, "900000000029", &["us-east-1"], "", &dir, "no-trail");
    let eval = blind.evaluation.clone().expect("evaluated");
    for item in items {
        assert_eq!(
            *verdict(&eval, item).0,
            InsufficientEvidence,
            "{item} without the trail"
        );
    }

    let with = trail("acme-cloudtrail-logs");
    // eu-west-1 too, where the trail delivered no log file: no trail read is claimed there,
    // and nothing there is a validation problem.
    let read = collect_seeded(
        &emu,
        "900000000029",
        &["us-east-1", "eu-west-1"],
        &with,
        &dir,
        "trail",
    );
    let eval = read.evaluation.clone().expect("evaluated");
    for item in items {
        let (got, reason) = verdict(&eval, item);
        assert_eq!(*got, Met, "{item}: {reason}");
    }
    let (_, reason) = verdict(&eval, "dms.1.0.sec.in-flight");
    assert!(
        reason.contains("ora SslMode=verify-ca during erp-migration's run"),
        "{reason}"
    );
    let reads = &read.evidence.facts.history_reads;
    let from_trail = reads
        .iter()
        .find(|r| r.source.is_some())
        .expect("a read of the trail's log files");
    assert!(
        from_trail.source.as_deref().is_some_and(|s| s.starts_with(
            "trail log files s3://acme-cloudtrail-logs/org/main/AWSLogs/900000000029/CloudTrail/us-east-1"
        )),
        "{from_trail:?}"
    );
    assert!(from_trail.events >= 6, "{from_trail:?}");
    assert!(
        reads
            .iter()
            .all(|r| r.source.is_none() || r.region == "us-east-1"),
        "{reads:?}"
    );
    assert!(
        read.evidence
            .gaps
            .iter()
            .all(|g| g.code.as_deref() != Some("LogFileValidation")),
        "{:?}",
        read.evidence.gaps
    );
    // The files checked against the trail's signed digest files.
    assert!(
        from_trail
            .integrity
            .as_deref()
            .is_some_and(|i| i.starts_with("validated: ") && i.contains("digest files")),
        "{from_trail:?}"
    );
    let task = read
        .evidence
        .facts
        .tasks
        .iter()
        .find(|t| t.identifier == "erp-migration")
        .expect("the deleted task, rebuilt");
    assert!(task.deleted_at.is_some());
    // Every event cites a capture of the log file it came from, kept with the SHA-256 of
    // the object as S3 returned it.
    let captures = &read.evidence.captures;
    for h in &task.history {
        for id in &h.sources {
            let c = captures.iter().find(|c| &c.id == id).expect("capture");
            assert_eq!(
                (c.service.as_str(), c.operation.as_str()),
                ("s3", "GetObject")
            );
            assert!(
                c.received_sha256.is_some() && c.body.contains("\"Key\""),
                "{c:?}"
            );
        }
        // And a capture of the signed digest file that lists that log file.
        assert!(
            h.sources
                .iter()
                .any(|id| captures.iter().any(|c| &c.id == id
                    && c.body.contains("\"Digest\"")
                    && c.body.contains("\"signature\""))),
            "{h:?}"
        );
    }

    // The trail keeps its files as long as the bucket does: no 90-day expiry is claimed
    // for what was read from it.
    assert!(
        eval.expiry
            .iter()
            .all(|x| !x.basis.contains("CloudTrail event history")),
        "{:?}",
        eval.expiry
    );

    // A trail without log file validation: its files prove nothing until the case study
    // reads them unvalidated, and then the history says so.
    let plaintext = trail("acme-2-cloudtrail-logs");
    let read = collect_seeded(
        &emu,
        "900000000030",
        &["us-east-1"],
        &plaintext,
        &dir,
        "trail-plain",
    );
    let eval = read.evaluation.clone().expect("evaluated");
    let (got, reason) = verdict(&eval, "dms.1.0.sec.in-flight");
    assert_eq!(*got, InsufficientEvidence, "{reason}");
    assert!(
        read.evidence
            .gaps
            .iter()
            .any(|g| g.code.as_deref() == Some("LogFileValidation")
                && g.message.contains("validation = \"off\"")),
        "{:?}",
        read.evidence.gaps
    );
    let unvalidated = format!("{plaintext}validation = \"off\"\n");
    let read = collect_seeded(
        &emu,
        "900000000030",
        &["us-east-1"],
        &unvalidated,
        &dir,
        "trail-plain-off",
    );
    let eval = read.evaluation.clone().expect("evaluated");
    let (got, reason) = verdict(&eval, "dms.1.0.sec.in-flight");
    assert_eq!(*got, NotMet, "{reason}");
    assert!(
        read.evidence.facts.history_reads.iter().any(|r| r
            .integrity
            .as_deref()
            .is_some_and(|i| i.starts_with("not validated"))),
        "{:?}",
        read.evidence.facts.history_reads
    );

    emu.set_faults(serde_json::json!({"deny": ["s3:GetObject"]}));
    let denied = collect_seeded(
        &emu,
        "900000000029",
        &["us-east-1"],
        &with,
        &dir,
        "trail-denied",
    );
    emu.set_faults(serde_json::json!({"deny": []}));
    let eval = denied.evaluation.clone().expect("evaluated");
    for item in items {
        let (got, reason) = verdict(&eval, item);
        assert_eq!(*got, InsufficientEvidence, "{item}: {reason}");
    }
    assert!(
        denied
            .evidence
            .gaps
            .iter()
            .any(|g| g.iam_action == "s3:GetObject"),
        "{:?}",
        denied.evidence.gaps
    );
    assert!(
        denied.evidence.collection.complete,
        "an optional read's gap"
    );
}

/// The objects under `prefix` in the trail's bucket, as the account's owner reads them.
fn bucket_objects(
    emu: &Emulator,
    account: &str,
    bucket: &str,
    prefix: &str,
) -> Vec<(String, Vec<u8>)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let s3 = aws_sdk_s3::Client::new(&emu.owner_config(account, "us-east-1").await);
        let listed = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .expect("list");
        let mut out = Vec::new();
        for key in listed.contents().iter().filter_map(|o| o.key()) {
            let got = s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .expect("get");
            let body = got
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes()
                .to_vec();
            out.push((key.to_string(), body));
        }
        out
    })
}

/// The account's owner changes the trail's bucket: `Some(body)` writes the object, `None`
/// deletes it.
fn change_object(emu: &Emulator, account: &str, bucket: &str, key: &str, body: Option<Vec<u8>>) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let s3 = aws_sdk_s3::Client::new(&emu.owner_config(account, "us-east-1").await);
        match body {
            Some(b) => {
                s3.put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(b.into())
                    .send()
                    .await
                    .expect("put");
            }
            None => {
                s3.delete_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    });
}

/// Log files are the customer's objects: one rewritten after delivery (the Oracle source
/// shown as verify-full), or a digest file deleted (hiding what it listed), and the trail
/// proves nothing: in-flight goes back to insufficient_evidence with a gap naming the file,
/// never to a `met` resting on a file CloudTrail did not deliver.
#[test]
fn a_trail_whose_files_changed_after_delivery_proves_nothing() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    emu.seed_file(&repo_root().join("fixtures/estates/trail-beyond-event-history.json"));
    let (account, bucket) = ("900000000029", "acme-cloudtrail-logs");
    let since = (dms_evidence::time::Timestamp::now() - time::Duration::days(140)).date();
    let with =
        format!("[trail]\nbucket = \"{bucket}\"\nprefix = \"org/main\"\nsince = \"{since}\"\n");
    let in_flight = |name: &str| {
        let read = collect_seeded(&emu, account, &["us-east-1"], &with, &dir, name);
        let eval = read.evaluation.clone().expect("evaluated");
        let (got, reason) = verdict(&eval, "dms.1.0.sec.in-flight");
        (*got, reason.to_string(), read.evidence.gaps.clone())
    };
    assert_eq!(in_flight("intact").0, Met);

    let logs = format!("org/main/AWSLogs/{account}/CloudTrail/us-east-1/");
    let (key, original) = bucket_objects(&emu, account, bucket, &logs)
        .into_iter()
        .find(|(_, gz)| {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(gz.as_slice()),
                &mut text,
            );
            text.contains("\"CreateEndpoint\"") && text.contains("verify-ca")
        })
        .expect("the log file of the source endpoint's creation");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(original.as_slice()),
        &mut text,
    )
    .expect("gzip");
    let mut forged = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut forged,
        text.replace("verify-ca", "verify-full").as_bytes(),
    )
    .expect("gzip");
    change_object(
        &emu,
        account,
        bucket,
        &key,
        Some(forged.finish().expect("gzip")),
    );
    let (got, reason, gaps) = in_flight("rewritten");
    assert_eq!(got, InsufficientEvidence, "{reason}");
    assert!(
        gaps.iter()
            .any(|g| g.code.as_deref() == Some("LogFileValidation")
                && g.message.contains("changed after CloudTrail delivered it")
                && g.message.contains(&key)),
        "{gaps:?}"
    );
    change_object(&emu, account, bucket, &key, Some(original));
    assert_eq!(in_flight("restored").0, Met);

    let digests = format!("org/main/AWSLogs/{account}/CloudTrail-Digest/us-east-1/");
    let listed = bucket_objects(&emu, account, bucket, &digests);
    let (middle, _) = &listed[listed.len() / 2];
    change_object(&emu, account, bucket, middle, None);
    let (got, reason, gaps) = in_flight("digest-deleted");
    assert_eq!(got, InsufficientEvidence, "{reason}");
    assert!(
        gaps.iter()
            .any(|g| g.code.as_deref() == Some("LogFileValidation")
                && g.message.contains("is not in the bucket")
                && g.message.contains(middle.as_str())),
        "{gaps:?}"
    );
}
