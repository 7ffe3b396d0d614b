//! The output layer: the only place that writes to standard output or result files.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot serialise the output: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes `value` as pretty JSON to `path` (atomically, via a temporary file in the
/// same folder) or to standard output.
pub fn write_json<T: Serialize>(value: &T, path: Option<&Path>) -> Result<(), OutputError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_text(&text, path)
}

pub fn write_text(text: &str, path: Option<&Path>) -> Result<(), OutputError> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|source| OutputError::Write {
                path: "standard output".into(),
                source,
            });
    };
    let err = |source| OutputError::Write {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension(format!(
        "{}.tmp-{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_files_atomically_and_reports_bad_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.json");
        write_json(&serde_json::json!({"a": 1}), Some(&path)).expect("writes");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\n  \"a\": 1\n}\n"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temporary file left"
        );
        let bad = dir.path().join("missing/out.json");
        let err = write_json(&1, Some(&bad))
            .expect_err("no folder")
            .to_string();
        assert!(err.contains("missing/out.json"), "{err}");
    }
}
