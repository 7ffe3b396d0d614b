//! The container recipe (Dockerfile), checked without a container engine: its build
//! stage copies everything the binary embeds and everything Cargo needs to resolve the
//! crate offline and locked, its toolchain is the crate's `rust-version`, and the
//! runtime stage runs the binary the build stage made. (Building the image needs a
//! daemon and the registries; this catches the recipe drifting from the tree.)

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::repo_root;

/// The Dockerfile's stages: (FROM line, instructions).
fn stages() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(repo_root().join("Dockerfile")).expect("Dockerfile");
    let mut stages: Vec<(String, Vec<String>)> = Vec::new();
    let mut line = String::new();
    for raw in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        line.push_str(raw.trim_end_matches('\\'));
        if raw.ends_with('\\') {
            line.push(' ');
            continue;
        }
        let done = std::mem::take(&mut line);
        let done = done.trim();
        if done.starts_with("FROM ") {
            stages.push((done.to_string(), Vec::new()));
        } else if let Some((_, body)) = stages.last_mut().filter(|_| !done.is_empty()) {
            body.push(done.to_string());
        }
    }
    stages
}

/// The sources of each `COPY` without `--from` in a stage.
fn copied(instructions: &[String]) -> Vec<String> {
    instructions
        .iter()
        .filter(|i| i.starts_with("COPY ") && !i.contains("--from"))
        .flat_map(|i| {
            let parts: Vec<&str> = i.split_whitespace().skip(1).collect();
            parts[..parts.len() - 1]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_container_recipe_builds_from_what_it_copies() {
    let root = repo_root();
    let stages = stages();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    let (build_from, build) = &stages[0];
    let (_, runtime) = &stages[1];

    // The toolchain is the crate's rust-version.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"'))
        .expect("rust-version");
    assert!(
        build_from.starts_with(&format!("FROM rust:{version}-")),
        "{build_from} is not rust {version}"
    );

    // Every file the binary embeds (outside test modules) is in what the build copies.
    let sources = copied(build);
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for marker in ["include_str!(\"", "include_bytes!(\""] {
            for piece in code.split(marker).skip(1) {
                let rel = piece.split('"').next().unwrap_or_default();
                let target = file.parent().expect("dir").join(rel);
                let target = target.canonicalize().expect("embedded file exists");
                let inside = target
                    .strip_prefix(root.canonicalize().expect("root"))
                    .expect("in the repo");
                let top = inside
                    .components()
                    .next()
                    .expect("a path")
                    .as_os_str()
                    .to_string_lossy();
                assert!(
                    sources.iter().any(|s| s == &top),
                    "{} embeds {}, which the Dockerfile's build stage does not copy ({sources:?})",
                    file.display(),
                    inside.display()
                );
            }
        }
    }

    // Cargo resolves the crate from exactly those files, locked and offline.
    let dir = tempfile::tempdir().expect("tempdir");
    for s in &sources {
        let status = Command::new("cp")
            .args([
                "-r",
                &root.join(s).to_string_lossy(),
                &dir.path().to_string_lossy(),
            ])
            .status()
            .expect("cp");
        assert!(status.success(), "copy {s}");
    }
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--offline",
            "--no-deps",
        ])
        .current_dir(dir.path())
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata on the copied files: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let build_cmd = build
        .iter()
        .find(|i| i.starts_with("RUN cargo build"))
        .expect("cargo build");
    assert!(
        build_cmd.contains("--locked") && build_cmd.contains("--bin dms-evidence"),
        "{build_cmd}"
    );

    // The runtime stage runs the binary the build stage made, as a non-root user, and
    // ships the policy files it copies.
    let from_build = runtime
        .iter()
        .find(|i| i.starts_with("COPY --from=build"))
        .expect("COPY --from=build");
    assert!(from_build.contains("/src/target/release/dms-evidence /usr/local/bin/dms-evidence"));
    assert!(
        runtime
            .iter()
            .any(|i| i == "ENTRYPOINT [\"/usr/local/bin/dms-evidence\"]")
    );
    assert!(runtime.iter().any(|i| i == "USER nonroot"));
    for file in copied(runtime) {
        assert!(
            root.join(&file).is_file(),
            "the runtime stage copies {file}, which does not exist"
        );
    }
}
