//! Store errors: each names the problem and what to do, and carries no patient data.

use std::io;
use std::path::{Path, PathBuf};

use crate::audit::AuditError;
use crate::crypto::EnvelopeError;

use super::codec::CodecError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no caredesk store at {0}: create one with `caredesk init --data {0} --admin NAME`, or point --data at the right directory"
    )]
    NotFound(PathBuf),
    #[error(
        "{0} already holds files; `caredesk init` never touches an existing store: choose a new or empty directory"
    )]
    AlreadyExists(PathBuf),
    #[error(
        "the store at {0} is in use by another caredesk process (a daemon or another terminal): connect to it, or stop it first"
    )]
    Locked(PathBuf),
    #[error("{0}")]
    Invalid(String),
    #[error("wrong user name or password")]
    WrongPassword,
    #[error(
        "the key does not open this store: check that it is this store's recovery key or key file"
    )]
    WrongKey,
    #[error(
        "this key slot was left out of the last data-key rotation and no longer opens the store: ask an administrator to reset the password (or make a new key file or recovery key)"
    )]
    SlotOutdated,
    #[error("the store at {dir} is damaged ({detail}): restore it from a backup")]
    Corrupt { dir: PathBuf, detail: String },
    #[error("the disk holding {0} is full: free some space and try again; nothing was changed")]
    DiskFull(PathBuf),
    #[error("permission denied on {0}: run caredesk as the account that owns the store")]
    PermissionDenied(PathBuf),
    #[error(
        "the store at {dir} has schema version {found}, newer than this caredesk ({known}): upgrade caredesk"
    )]
    NewerSchema {
        dir: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("this patient's key was erased: the record can no longer be read")]
    Erased,
    #[error("no such {0}")]
    Missing(&'static str),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("cannot read or write the store at {dir}: {detail}")]
    Io { dir: PathBuf, detail: String },
}

impl StoreError {
    /// Maps an I/O error met while working on the store at `dir` to the error a person
    /// can act on.
    pub fn from_io(dir: &Path, e: &io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => StoreError::NotFound(dir.to_path_buf()),
            io::ErrorKind::PermissionDenied => StoreError::PermissionDenied(dir.to_path_buf()),
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                StoreError::DiskFull(dir.to_path_buf())
            }
            io::ErrorKind::WouldBlock => StoreError::Locked(dir.to_path_buf()),
            _ if e.raw_os_error() == Some(28) => StoreError::DiskFull(dir.to_path_buf()),
            _ => StoreError::Io {
                dir: dir.to_path_buf(),
                detail: e.to_string(),
            },
        }
    }

    pub fn from_sled(dir: &Path, e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => Self::from_io(dir, &io),
            sled::Error::Corruption { .. } => StoreError::Corrupt {
                dir: dir.to_path_buf(),
                detail: "the database files fail their checksums".into(),
            },
            other => StoreError::Corrupt {
                dir: dir.to_path_buf(),
                detail: other.to_string(),
            },
        }
    }

    pub fn corrupt(dir: &Path, detail: impl Into<String>) -> Self {
        StoreError::Corrupt {
            dir: dir.to_path_buf(),
            detail: detail.into(),
        }
    }

    pub fn from_codec(dir: &Path, e: CodecError) -> Self {
        Self::corrupt(dir, e.to_string())
    }

    pub fn from_envelope(dir: &Path, e: EnvelopeError) -> Self {
        Self::corrupt(dir, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_become_actionable_messages() {
        let dir = Path::new("/srv/caredesk");
        let full = StoreError::from_io(dir, &io::Error::from_raw_os_error(28));
        assert!(matches!(full, StoreError::DiskFull(_)));
        assert!(
            full.to_string().contains("full") && full.to_string().contains("nothing was changed")
        );
        let full = StoreError::from_io(dir, &io::Error::from(io::ErrorKind::StorageFull));
        assert!(matches!(full, StoreError::DiskFull(_)));
        let denied = StoreError::from_io(dir, &io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(denied.to_string().contains("account that owns the store"));
        let missing = StoreError::from_io(dir, &io::Error::from(io::ErrorKind::NotFound));
        assert!(
            missing
                .to_string()
                .contains("caredesk init --data /srv/caredesk")
        );
    }
}
