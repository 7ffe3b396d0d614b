//! Writes files so that neither a planted link nor a rival process can redirect or tear
//! them: the bytes go to a new file in the target's own folder, created with an
//! unpredictable name by `O_CREAT | O_EXCL` (which never follows a link; the `tempfile`
//! crate), synced, then renamed into place — a rename replaces a link at the target
//! instead of writing through it. A failure leaves nothing behind.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Whether an existing file at the target may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Replace,
    /// Keys and salts: an existing file (or link) at the target is an error.
    Keep,
}

/// Writes `bytes` to `path` with `mode` (e.g. 0o644, or 0o600 for secrets).
pub fn write(path: &Path, bytes: &[u8], mode: u32, existing: Existing) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match existing {
        Existing::Replace => tmp.persist(path).map(drop).map_err(|e| e.error),
        Existing::Keep => tmp.persist_noclobber(path).map(drop).map_err(|e| e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_at_the_target_is_replaced_never_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("victim");
        let target = dir.path().join("bundle.json");
        std::os::unix::fs::symlink(&victim, &target).expect("link");
        write(&target, b"new", 0o644, Existing::Replace).expect("write");
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(
            !std::fs::symlink_metadata(&target)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644);
    }

    #[test]
    fn keep_refuses_an_existing_file_or_link_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("victim");
        let key = dir.path().join("sign.pem");
        std::os::unix::fs::symlink(&victim, &key).expect("link");
        assert!(write(&key, b"secret", 0o600, Existing::Keep).is_err());
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        let fresh = dir.path().join("new.pem");
        write(&fresh, b"secret", 0o600, Existing::Keep).expect("new");
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}
