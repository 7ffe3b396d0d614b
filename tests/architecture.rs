//! The layout is the pipeline: each top-level module of `src/` sits in a layer and uses
//! only modules of its own layer or below, and the module graph has no cycle. Reads the
//! `crate::` paths of every file in `src/` (tests inside them included).
//!
//! A new top-level module must be placed in [`LAYERS`]; an import that breaks the order
//! names the file, so the fix is to move the shared piece down, not the check. Inside a
//! top-level module, the submodules (`evaluate::checklist`, `facts::host` …) form no
//! cycle either: their production code is read through `super::` and `crate::` paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. Same-layer imports are allowed as long as they form no cycle.
const LAYERS: &[(&str, &[&str])] = &[
    // Foundations: no knowledge of AWS or of the pipeline.
    (
        "foundations",
        &[
            "text",
            "time",
            "regions",
            "digest",
            "input",
            "operations",
            "files",
        ],
    ),
    // What we are given and what we find: plain data.
    ("inputs and facts", &["casestudy", "facts"]),
    ("evidence document", &["evidence"]),
    ("redaction", &["redact"]),
    ("collect", &["collect", "session"]),
    ("evaluate", &["evaluate"]),
    ("bundle", &["bundle"]),
    (
        "use of bundles",
        &["verify", "diff", "pipeline", "renewal", "doctor"],
    ),
    ("fleets", &["fleet"]),
    ("report and exports", &["report", "export"]),
    ("edge", &["output", "cli"]),
    // The binary's commands (src/commands/, under main.rs): they use everything.
    ("commands", &["commands"]),
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`None` for lib.rs and main.rs).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules a file's code names through `crate::`.
fn uses(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a::X, b}` on one line; multi-line groups are read below.
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    add_head(part, &mut found);
                }
            } else {
                add_head(rest, &mut found);
            }
        }
    }
    // Multi-line `use crate::{` groups.
    let mut rest = text;
    while let Some(at) = rest.find("use crate::{") {
        rest = &rest[at + "use crate::{".len()..];
        let end = rest.find("};").unwrap_or(rest.len());
        let mut depth = 0;
        let mut part = String::new();
        for ch in rest[..end].chars() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    add_head(&part, &mut found);
                    part.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 {
                part.push(ch);
            }
        }
        add_head(&part, &mut found);
    }
    found
}

fn add_head(path: &str, found: &mut BTreeSet<String>) {
    let head: String = path
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !head.is_empty() && head.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        found.insert(head);
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

#[test]
fn modules_import_only_downwards_and_form_no_cycle() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let Some(layer) = layer_of(&module) else {
            problems.push(format!(
                "src/{module}: not placed in a layer (tests/architecture.rs LAYERS)"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read");
        for used in uses(&text) {
            if used == module || used == "self" || used == "super" {
                continue;
            }
            match layer_of(&used) {
                None => problems.push(format!(
                    "{}: uses crate::{used}, which is not placed in a layer",
                    file.display()
                )),
                Some(l) if l > layer => problems.push(format!(
                    "{}: `{module}` ({}) uses `{used}` ({}), a later stage",
                    file.strip_prefix(src()).unwrap_or(file).display(),
                    LAYERS[layer].0,
                    LAYERS[l].0
                )),
                Some(_) => {}
            }
            graph.entry(module.clone()).or_default().insert(used);
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("import cycle: {}", cycle.join(" -> ")));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The heads named right after each `prefix` (`prefix::a`, `prefix::{a, b::C}`).
fn heads_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut part = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        add_head(&part, &mut found);
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    part.push(ch);
                }
            }
            add_head(&part, &mut found);
        } else {
            add_head(rest, &mut found);
        }
    }
    found
}

/// A file's production code: without comments, and without what follows its first
/// `#[cfg(test)]` (tests sit at the end of a file here).
fn production_code(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn submodules_form_no_cycle() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(src()).expect("under src");
        let parts: Vec<String> = rel
            .components()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .collect();
        let name = parts.last().map(String::as_str).unwrap_or_default();
        // Below a top-level module; test-only files are not the production graph.
        if parts.len() < 2 || ["tests", "testkit", "properties"].contains(&name) {
            continue;
        }
        let (top, sub) = (&parts[0], &parts[1]);
        if sub == "mod" {
            continue;
        }
        let siblings: BTreeSet<String> = std::fs::read_dir(src().join(top))
            .expect("read")
            .map(|e| {
                e.expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .collect();
        let code = production_code(&std::fs::read_to_string(file).expect("read"));
        // How many `super::` reach the top-level module from this file.
        let depth = parts.len() - 1 - usize::from(name == "mod");
        let up = "super::".repeat(depth);
        let mut used = heads_after(&code, &format!("crate::{top}::"));
        used.extend(heads_after(&code, &up).into_iter().filter(|h| h != "super"));
        let node = format!("{top}::{sub}");
        for u in used
            .into_iter()
            .filter(|u| u != sub && u != "mod" && siblings.contains(u))
        {
            graph
                .entry(node.clone())
                .or_default()
                .insert(format!("{top}::{u}"));
        }
    }
    assert!(
        graph.contains_key("evaluate::rules") && graph.contains_key("facts::endpoint"),
        "the reader finds submodule imports: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between submodules: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_reader_sees_groups_and_paths() {
    let text = "use crate::{a::X, b};\nuse crate::c::{D, e::F};\nlet x = crate::g::h();\n\
                use crate::{\n    i::{J, K},\n    l,\n};\n// crate::comment\n";
    let found: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "g", "i", "l"]);
}

/// The longest a function in `src/` may be, in lines from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 80;

/// The text with comments, string and brace character literals blanked, so that only
/// code braces remain (good enough for this tree's code; not a full Rust lexer).
fn code_only(text: &str) -> String {
    let text = text
        .replace("'{'", "' '")
        .replace("'}'", "' '")
        .replace("'\"'", "' '");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            'r' if matches!(chars.peek(), Some('#') | Some('"')) => {
                let mut hashes = 0;
                while chars.peek() == Some(&'#') {
                    chars.next();
                    hashes += 1;
                }
                if chars.peek() != Some(&'"') {
                    out.push('r');
                    continue;
                }
                chars.next();
                let close = format!("\"{}", "#".repeat(hashes));
                let mut body = String::new();
                for c in chars.by_ref() {
                    body.push(c);
                    if body.ends_with(&close) {
                        break;
                    }
                }
                out.extend(body.chars().filter(|c| *c == '\n'));
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// (file, line, name, length) of every function.
fn functions(file: &Path) -> Vec<(usize, String, usize)> {
    let code = code_only(&std::fs::read_to_string(file).expect("read"));
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        let t = t.strip_prefix("const ").unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0i32;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(i) {
            if !opened && depth == 0 && l.trim_end().ends_with(';') && !l.contains('{') {
                break; // a declaration without a body
            }
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth == 0 {
                out.push((i + 1, name.clone(), j - i + 1));
                break;
            }
        }
    }
    out
}

#[test]
fn no_function_in_src_is_longer_than_80_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long = Vec::new();
    for file in &files {
        for (line, name, length) in functions(file) {
            if length > MAX_FUNCTION_LINES {
                let at = file.strip_prefix(src()).unwrap_or(file).display();
                long.push(format!("src/{at}:{line} fn {name}: {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into named steps):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_measure_sees_bodies_not_braces_in_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "fn a() {\n    let s = \"}}}\";\n    let r = r#\"{\"#;\n    // }\n    let c = '}';\n}\nfn b();\npub async fn c() {}\n",
    )
    .expect("write");
    let found = functions(&file);
    assert_eq!(
        found,
        vec![(1, "a".to_string(), 6), (8, "c".to_string(), 1)]
    );
}

/// The worked example in docs/development.md quotes real code: every fenced block after a
/// `<!-- quoted from PATH -->` line appears, line for line, in that file.
#[test]
fn the_worked_example_quotes_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/development.md")).expect("read docs");
    let mut quoted = 0;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line
            .strip_prefix("<!-- quoted from ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "{path}: a fenced block must follow the marker"
        );
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let source =
            std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let source: Vec<&str> = source.lines().collect();
        assert!(
            source.windows(block.len()).any(|w| w == block.as_slice()),
            "docs/development.md quotes {path}, but these lines are no longer in it:\n{}",
            block.join("\n")
        );
        quoted += 1;
    }
    assert!(quoted >= 5, "the worked example lost its quotes ({quoted})");
}
