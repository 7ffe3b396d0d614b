//! `cdc`: dms.1.0.mig.cdc, "Configuring ongoing replication".

use crate::evaluate::rules::{
    Check, Finding, Input, Item, Verdict, no_migrations, params::NoParams,
};

/// The `cdc` rule.
pub struct Cdc;

impl Check for Cdc {
    const NAME: &'static str = "cdc";
    const REMEDIATION: &'static str = "Use migration type cdc or full-load-and-cdc and keep the task's statistics or CDC metrics as evidence.";
    const CDC_ACTIVITY: bool = true;
    type Params = NoParams;

    fn run(input: &Input<'_>, _item: &Item, _p: &NoParams) -> Finding {
        if input.migrations.is_empty() {
            return no_migrations(input);
        }
        let mut f = Finding::new(Verdict::Met, "");
        let (mut seen, mut quiet, mut full_load) = (Vec::new(), Vec::new(), Vec::new());
        for m in &input.migrations {
            f = f.cite(m.pointer(), &m.sources);
            if !m.has_cdc_type() {
                full_load.push(format!(
                    "{} ({})",
                    m.id,
                    m.migration_type.unwrap_or("type unknown")
                ));
                continue;
            }
            for name in ["CDCIncomingChanges", "CDCThroughputRowsSource"] {
                if let Some(s) = input.task_series(m, name) {
                    f = f.cite(format!("metrics/AWS/DMS/{name}/{}", m.id), &s.sources);
                }
            }
            match m.cdc_activity(input) {
                Some(activity) => seen.push(format!(
                    "{} ({}, {activity}{})",
                    m.id,
                    m.migration_type.unwrap_or_default(),
                    m.cdc_days(input.now)
                        .map(|d| format!(", CDC for {d:.0} days"))
                        .unwrap_or_default()
                )),
                None => quiet.push(m.id.to_string()),
            }
        }
        let never = input.never_ran_note();
        if !seen.is_empty() {
            return Finding {
                reason: format!("CDC in use and active: {}{never}", seen.join("; ")),
                ..f
            };
        }
        if !quiet.is_empty() {
            return Finding {
                verdict: Verdict::InsufficientEvidence,
                reason: format!(
                    "{} use(s) CDC but no change activity is on record (statistics reset or metrics expired){never}",
                    quiet.join(", ")
                ),
                ..f
            };
        }
        Finding {
            verdict: Verdict::NotMet,
            reason: format!("no CDC: {}{never}", full_load.join(", ")),
            ..f
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn cdc_needs_a_cdc_type_and_activity() {
        for (kind, inserts, want) in [
            ("full-load", Some(10), Verdict::NotMet),
            ("full-load-and-cdc", Some(10), Verdict::Met),
            ("cdc", Some(0), Verdict::InsufficientEvidence),
            ("cdc", None, Verdict::InsufficientEvidence),
        ] {
            let mut ev = evidence(
                endpoint(
                    "s",
                    "source",
                    "oracle",
                    HostKind::External,
                    Some("verify-ca"),
                ),
                endpoint("t", "target", "postgres", HostKind::Rds, Some("require")),
            );
            ev.facts.tasks[0].migration_type = Some(kind.into());
            ev.facts.tasks[0].tables = inserts.map(|n| {
                vec![TableStat {
                    schema: "s".into(),
                    table: "t".into(),
                    inserts: n,
                    ..TableStat::default()
                }]
            });
            assert_eq!(
                run(&ev, "dms.1.0.mig.cdc").verdict,
                want,
                "{kind} {inserts:?}"
            );
        }
    }

    #[test]
    fn cdc_incoming_changes_is_a_gauge_not_a_count() {
        let mut ev = migration();
        ev.facts.metrics = vec![series(
            "AWS/DMS",
            "CDCIncomingChanges",
            "ReplicationTaskIdentifier",
            "t1",
            &[100.0, 200.0, 300.0],
        )];
        let f = run(&ev, "dms.1.0.mig.cdc");
        assert_eq!(f.verdict, Verdict::Met, "{}", f.reason);
        assert!(!f.reason.contains("600"), "not summed: {}", f.reason);
        assert!(f.reason.contains("above 0 in 3 hour(s)"), "{}", f.reason);
    }
}
