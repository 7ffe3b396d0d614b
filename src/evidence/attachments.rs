//! The partner's attachments, hashed streaming (regular files inside the manifest's
//! folder, up to 1 GiB), so the bundle commits to them without carrying them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::casestudy::{Attachment, CaseStudy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashedAttachment {
    #[serde(flatten)]
    pub attachment: Attachment,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// The largest attachment hashed: 1 GiB (read streaming, never whole into memory).
pub const MAX_ATTACHMENT_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error(
        "attachment for {item}: cannot read {path}: {source} (fix the path in the case-study manifest)"
    )]
    Unreadable {
        item: String,
        path: String,
        source: std::io::Error,
    },
    #[error(
        "attachment for {item}: {path} {problem} (attachments are regular files inside the manifest's folder, up to 1 GiB)"
    )]
    Refused {
        item: String,
        path: String,
        problem: String,
    },
}

/// Hashes every attachment, streaming; a missing, special, oversized or outside file
/// (symlinks resolved) is an error naming it.
pub fn hash_attachments(case: &CaseStudy) -> Result<Vec<HashedAttachment>, AttachmentError> {
    case.attachments.iter().map(|a| hash_one(case, a)).collect()
}

fn hash_one(case: &CaseStudy, a: &Attachment) -> Result<HashedAttachment, AttachmentError> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let path = case.base_dir.join(&a.path);
    let unreadable = |source| AttachmentError::Unreadable {
        item: a.item.clone(),
        path: path.display().to_string(),
        source,
    };
    let refused = |problem: String| AttachmentError::Refused {
        item: a.item.clone(),
        path: path.display().to_string(),
        problem,
    };
    let base = if case.base_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        case.base_dir.as_path()
    };
    let real = path.canonicalize().map_err(unreadable)?;
    let folder = base.canonicalize().map_err(unreadable)?;
    if !real.starts_with(&folder) {
        return Err(refused(format!(
            "resolves to {}, outside the manifest's folder",
            real.display()
        )));
    }
    let meta = std::fs::metadata(&real).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(refused("is not a regular file".into()));
    }
    if meta.len() > MAX_ATTACHMENT_BYTES {
        return Err(refused(format!("is {} bytes", meta.len())));
    }
    let file = std::fs::File::open(&real).map_err(unreadable)?;
    let mut reader = file.take(MAX_ATTACHMENT_BYTES + 1);
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    if size > MAX_ATTACHMENT_BYTES {
        return Err(refused("grew past 1 GiB while being read".into()));
    }
    Ok(HashedAttachment {
        attachment: a.clone(),
        sha256: hex::encode(hasher.finalize()),
        size,
        media_type: a
            .media_type
            .clone()
            .unwrap_or_else(|| media_type(&path).to_string()),
    })
}

fn media_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("html" | "htm") => "text/html",
        Some("md") => "text/markdown",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}
