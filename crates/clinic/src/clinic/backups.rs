//! Backups through the service: the process that owns the store writes the backup into
//! its backup directory (`[backup] dir`, default `DIR/backups`), keeping the newest
//! `[backup] keep`; a client copies it out in pieces. The pieces are the sealed file's
//! bytes, so nothing readable crosses the socket.

use crate::text;
use serde::{Deserialize, Serialize};

use super::api::{Response, ServiceError};
use super::service::{Ctx, Reply};
use crate::store::backup;

/// Largest piece of a backup one reply carries (well inside the frame limit).
pub const PIECE_BYTES: u32 = 4 << 20;

/// `[backup]` in settings.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSettings {
    /// Where backups are written; empty: `DIR/backups`. Put it on another disk.
    pub dir: String,
    /// How many backups the directory keeps (oldest removed first).
    pub keep: u32,
    /// The daemon's scheduler (with a key file) makes one this often; 0: never.
    pub every_hours: u32,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            dir: String::new(),
            keep: 7,
            every_hours: 24,
        }
    }
}

/// What a backup made, as the client is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMade {
    pub name: String,
    pub size: u64,
    pub entries: u64,
    pub audit_head: u64,
    pub created: String,
}

fn backup_dir(ctx: &Ctx<'_>) -> std::path::PathBuf {
    directory(ctx.clinic)
}

/// The clinic's backup directory.
pub fn directory(clinic: &super::Clinic) -> std::path::PathBuf {
    let configured = clinic.settings().backup.dir.clone();
    if configured.trim().is_empty() {
        clinic.dir().join("backups")
    } else {
        std::path::PathBuf::from(configured)
    }
}

/// Whether the scheduler should make a backup now: scheduled backups are on and the
/// newest in the directory is `every_hours` old (or there is none).
pub fn due(clinic: &super::Clinic, now: chrono::DateTime<chrono::Utc>) -> bool {
    let every = clinic.settings().backup.every_hours;
    if every == 0 {
        return false;
    }
    let newest = backup::list(&directory(clinic))
        .ok()
        .and_then(|names| names.last().cloned())
        .and_then(|name| backup::made_at(&name));
    match newest {
        Some(t) => now.naive_utc() - t >= chrono::Duration::hours(i64::from(every)),
        None => true,
    }
}

fn failed(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Unavailable(text!("msg.backup.failed", detail = e))
}

pub(crate) fn create(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let keep = ctx.clinic.settings().backup.keep as usize;
    let now = chrono::DateTime::from_timestamp(ctx.now, 0).unwrap_or_default();
    let (path, manifest, size) = backup::write_into(
        ctx.vault.store(),
        ctx.vault.keys(),
        &backup_dir(ctx),
        keep,
        now,
    )
    .map_err(failed)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let detail = format!(
        "backup={} file={name} entries={} audit_head={}",
        manifest.backup_id, manifest.entries, manifest.audit_head_seq
    );
    Ok(Reply::new(Response::BackupCreated(BackupMade {
        name,
        size,
        entries: manifest.entries,
        audit_head: manifest.audit_head_seq,
        created: manifest.created,
    }))
    .detail(detail))
}

pub(crate) fn read(
    ctx: &Ctx<'_>,
    name: &str,
    offset: u64,
    len: u32,
) -> Result<Reply, ServiceError> {
    use std::io::{Read, Seek, SeekFrom};
    let dir = backup_dir(ctx);
    // Only a backup of that directory, by its exact name.
    if !backup::list(&dir)
        .map_err(failed)?
        .iter()
        .any(|n| n == name)
    {
        return Err(ServiceError::NotFound(format!("backup {name}")));
    }
    let mut file = std::fs::File::open(dir.join(name)).map_err(failed)?;
    file.seek(SeekFrom::Start(offset)).map_err(failed)?;
    let mut piece = Vec::new();
    file.take(u64::from(len.min(PIECE_BYTES)))
        .read_to_end(&mut piece)
        .map_err(failed)?;
    let detail = format!("file={name} offset={offset} bytes={}", piece.len());
    Ok(Reply::new(Response::BackupPiece(super::api::BackupPiece(piece))).detail(detail))
}
