//! Reading untrusted input files with limits: evidence documents and bundles are read
//! only when they are regular files within a documented size (parsed straight into
//! their types by [`crate::bundle::predicate::load`]), so no file crashes or exhausts us.

use std::io::Read;
use std::path::Path;

/// The largest evidence document or bundle read (checked before reading): 512 MiB.
pub const MAX_DOCUMENT_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum InputFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a regular file")]
    NotAFile { path: String },
    #[error("{path} is {size} bytes, more than the {max} this tool reads")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("{path} is not an evidence document or bundle: {message}")]
    Invalid { path: String, message: String },
}

/// The bytes of a regular file of at most `max` bytes.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, InputFileError> {
    let name = || path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| InputFileError::Read {
        path: name(),
        source,
    })?;
    if !meta.is_file() {
        return Err(InputFileError::NotAFile { path: name() });
    }
    if meta.len() > max {
        return Err(InputFileError::TooLarge {
            path: name(),
            size: meta.len(),
            max,
        });
    }
    let file = std::fs::File::open(path).map_err(|source| InputFileError::Read {
        path: name(),
        source,
    })?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between the check and the read: never read past the limit.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| InputFileError::Read {
            path: name(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(InputFileError::TooLarge {
            path: name(),
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_special_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("small.json");
        std::fs::write(&small, b"[0,0,0,0]").expect("write");
        assert!(matches!(
            read_limited(&small, 4),
            Err(InputFileError::TooLarge { .. })
        ));
        assert_eq!(read_limited(&small, 100).expect("read").len(), 9);
        assert!(matches!(
            read_limited(dir.path(), 100),
            Err(InputFileError::NotAFile { .. })
        ));
    }
}
