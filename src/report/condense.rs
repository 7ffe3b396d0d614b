//! Reasons that stay readable on a big estate. A rule names every resource it rests on
//! ("app043… is not a database of this account; app044… is not a database of this
//! account; …"), which the signed bundle keeps in full; the report writes the clauses
//! that differ only in the resource they name once, with a few of the names and the
//! count, and lists every name in an appendix table, so nothing is lost.

use serde::Serialize;

/// Clauses that share their text but for the first word: fewer are written as they are.
const GROUP_FROM: usize = 4;
/// Names written in the reason itself for a condensed group.
const EXAMPLES: usize = 3;

/// The clauses a condensed reason leaves to the appendix: the text they share, an
/// example, and every name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub item: String,
    /// What the clauses say after the name ("is not a database of this account").
    pub says: String,
    pub names: Vec<String>,
}

/// The clauses of a reason, split at every `; ` (inside brackets too: a list in
/// brackets is where a rule repeats itself; the clauses that open and close the brackets
/// have shapes of their own, so they are written as they are).
fn clauses(reason: &str) -> Vec<&str> {
    reason.split("; ").collect()
}

/// A clause's shape and what varies in it: the words that hold a digit (resource
/// names, addresses, numbers) are what varies, the rest is the shape they share.
fn shape(clause: &str) -> (String, String) {
    let mut shape = Vec::new();
    let mut varies = Vec::new();
    for word in clause.split(' ') {
        if word.chars().any(|c| c.is_ascii_digit()) {
            let core = word.trim_end_matches([',', ':', ';', ')', '.']);
            shape.push(format!("…{}", &word[core.len()..]));
            varies.push(core.trim_start_matches('('));
        } else {
            shape.push(word.to_string());
        }
    }
    (shape.join(" "), varies.join(" · "))
}

/// `reason` with each run of clauses that differ only in the names and numbers they hold
/// written once (one example, a few of the names, the count), and what that leaves to
/// the appendix for `item`.
pub fn condense(item: &str, reason: &str) -> (String, Vec<Listed>) {
    let parts: Vec<(&str, String, String)> = clauses(reason)
        .into_iter()
        .map(|c| {
            let (shape, varies) = shape(c);
            (c, shape, varies)
        })
        .collect();
    // Each shape, and what varies in each clause of it, in order of first appearance.
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (_, shape, varies) in &parts {
        match groups.iter().position(|(s, _)| s == shape) {
            Some(g) => groups[g].1.push(varies.as_str()),
            None => groups.push((shape.as_str(), vec![varies.as_str()])),
        }
    }
    if groups
        .iter()
        .all(|(shape, names)| names.len() < GROUP_FROM || !shape.contains('…'))
    {
        return (reason.to_string(), Vec::new());
    }
    let mut written = Vec::new();
    let mut listed: Vec<Listed> = Vec::new();
    for (clause, shape, _) in &parts {
        let Some((_, names)) = groups.iter().find(|(s, _)| s == shape) else {
            continue;
        };
        if names.len() < GROUP_FROM || !shape.contains('…') {
            written.push(clause.to_string());
        } else if !listed.iter().any(|l| l.says == *shape) {
            // The group, where its first clause was.
            let shown: Vec<&str> = names.iter().take(EXAMPLES).copied().collect();
            written.push(format!(
                "{} like “{clause}” ({}, …; all {} in appendix B)",
                names.len(),
                shown.join("; "),
                names.len()
            ));
            listed.push(Listed {
                item: item.to_string(),
                says: shape.to_string(),
                names: names.iter().map(|n| n.to_string()).collect(),
            });
        }
    }
    (written.join("; "), listed)
}

/// A list of names (fact pointers, capture ids) for the report: every one up to `max`,
/// else the first `max` and how many more the signed bundle holds.
pub fn some(names: &[String], max: usize) -> String {
    if names.len() <= max {
        return names.join(", ");
    }
    format!(
        "{}, … ({} in all, each in the signed bundle)",
        names[..max].join(", "),
        names.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_that_differ_only_in_the_resource_are_written_once() {
        let many: Vec<String> = (40..50)
            .map(|i| format!("app{i}.example is not a database of this account"))
            .collect();
        let reason = format!(
            "no target is a database of this account: {}; ri (a; b) stays",
            many.join("; ")
        );
        let (short, listed) = condense("dms.1.0.size", &reason);
        // The first clause begins with the sentence, so the group holds app41 to app49.
        assert!(
            short.contains(
                "9 like “app41.example is not a database of this account” (app41.example; app42.example; app43.example, …; all 9 in appendix B)"
            ),
            "{short}"
        );
        assert!(short.starts_with("no target is a database of this account: app40.example is"));
        assert!(short.ends_with("; ri (a; b) stays"), "{short}");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].says, "… is not a database of this account");
        assert_eq!(listed[0].names.len(), 9);
        assert!(short.len() < reason.len());
        // Nothing is lost: every name is in the reason or the appendix.
        for i in 40..50 {
            let name = format!("app{i}.example");
            assert!(
                short.contains(&name) || listed[0].names.contains(&name),
                "{name}"
            );
        }
    }

    #[test]
    fn what_varies_is_every_word_with_a_digit() {
        let clause = "eu-central-1-tgt-002 (aurora) is not a database of this account: app002.x.rds.amazonaws.com is an RDS address";
        let reason: Vec<String> = (0..5)
            .map(|i| clause.replace("002", &format!("00{i}")))
            .collect();
        let (short, listed) = condense("dms.1.0.size", &reason.join("; "));
        assert!(
            short.starts_with("5 like “eu-central-1-tgt-000 (aurora) is not a database"),
            "{short}"
        );
        assert_eq!(
            listed[0].says,
            "… (aurora) is not a database of this account: … is an RDS address"
        );
        assert_eq!(
            listed[0].names[4],
            "eu-central-1-tgt-004 · app004.x.rds.amazonaws.com"
        );
    }

    #[test]
    fn short_or_varied_reasons_are_left_as_they_are() {
        for reason in [
            "met: 3 tasks",
            "a1 is x; b1 is x; c1 is x",
            "a1 is x; b1 is y; c1 is z; d1 is w; e1 is v",
            "a is x; a is x; a is x; a is x",
            "",
        ] {
            assert_eq!(condense("i", reason), (reason.to_string(), Vec::new()));
        }
    }

    #[test]
    fn long_lists_of_names_are_counted() {
        let names: Vec<String> = (0..5).map(|i| format!("c{i}")).collect();
        assert_eq!(some(&names, 5), "c0, c1, c2, c3, c4");
        assert_eq!(
            some(&names, 2),
            "c0, c1, … (5 in all, each in the signed bundle)"
        );
    }
}
