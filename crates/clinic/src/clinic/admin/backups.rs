//! Backups through the service: the process that owns the store writes the backup into
//! its backup directory (`[backup] dir`, default `DIR/backups`), keeping the newest
//! `[backup] keep`; a client copies it out in pieces. The pieces are the sealed file's
//! bytes, so nothing readable crosses the socket.

use crate::text;
use serde::{Deserialize, Serialize};

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
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
    /// Where `caredesk backup push` copies each backup off the machine, over SSH:
    /// `user@host:/absolute/dir` (a machine in China: 人口健康信息管理办法). Empty:
    /// no off-site copy.
    pub remote: String,
    /// Extra arguments for `ssh` (port, identity file, known-hosts file), e.g.
    /// `["-p", "2222", "-i", "/etc/caredesk/offsite_key"]`.
    pub ssh_options: Vec<String>,
}

/// The `ssh -o` options `[backup] ssh_options` may set: how to reach and trust the
/// target. Never one that runs a program (ProxyCommand, LocalCommand, …) or reads
/// another configuration: settings are data, and `backup push` runs with the network.
const SSH_O_OPTIONS: [&str; 10] = [
    "Port",
    "IdentityFile",
    "UserKnownHostsFile",
    "StrictHostKeyChecking",
    "HostKeyAlias",
    "ConnectTimeout",
    "ServerAliveInterval",
    "ServerAliveCountMax",
    "LogLevel",
    "AddressFamily",
];

/// Checks `[backup] ssh_options`: `-p PORT`, `-i FILE`, `-4`, `-6` and `-o KEY=VALUE`
/// with a key of [`SSH_O_OPTIONS`].
pub fn check_ssh_options(options: &[String]) -> Result<(), String> {
    let mut options = options.iter();
    while let Some(option) = options.next() {
        match option.as_str() {
            "-4" | "-6" => {}
            "-p" | "-i" => {
                let value = options
                    .next()
                    .ok_or_else(|| format!("{option} needs a value after it"))?;
                if value.starts_with('-') || value.is_empty() {
                    return Err(format!("{option} needs a value, not {value:?}"));
                }
            }
            "-o" => {
                let value = options
                    .next()
                    .ok_or_else(|| "-o needs KEY=VALUE after it".to_string())?;
                let key = value.split(['=', ' ']).next().unwrap_or_default();
                if !SSH_O_OPTIONS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    return Err(format!(
                        "-o {key} is not allowed (one of {})",
                        SSH_O_OPTIONS.join(", ")
                    ));
                }
            }
            other => {
                return Err(format!(
                    "{other:?} is not allowed: use -p PORT, -i FILE, -4, -6 or -o KEY=VALUE"
                ));
            }
        }
    }
    Ok(())
}

/// The parts of `[backup] remote`: the SSH destination and the directory there.
pub fn remote_parts(remote: &str) -> Result<(&str, &str), String> {
    let (destination, dir) = remote
        .split_once(':')
        .ok_or_else(|| format!("\"{remote}\" is not user@host:/dir"))?;
    let (user, host) = match destination.split_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, destination),
    };
    let name_ok = |s: &str, extra: &str| {
        !s.is_empty()
            && !s.starts_with('-')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    if user.is_some_and(|u| !name_ok(u, "._-")) || !name_ok(host, ".-") {
        return Err(format!(
            "\"{destination}\" is not a user@host (letters, digits, '.', '_' and '-')"
        ));
    }
    let dir_ok = dir.starts_with('/')
        && !dir.split('/').any(|part| part == "..")
        && dir
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    if !dir_ok {
        return Err(format!(
            "\"{dir}\" is not an absolute directory of letters, digits, '.', '_', '-' and '/'"
        ));
    }
    Ok((destination, dir))
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            dir: String::new(),
            keep: 7,
            every_hours: 24,
            remote: String::new(),
            ssh_options: Vec::new(),
        }
    }
}

/// A backup in the backup directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFile {
    pub name: String,
    pub size: u64,
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
pub fn directory(clinic: &crate::clinic::Clinic) -> std::path::PathBuf {
    let configured = clinic.settings().backup.dir.clone();
    if configured.trim().is_empty() {
        clinic.dir().join("backups")
    } else {
        std::path::PathBuf::from(configured)
    }
}

/// Whether the scheduler should make a backup now: scheduled backups are on and the
/// newest in the directory is `every_hours` old (or there is none).
pub fn due(clinic: &crate::clinic::Clinic, now: chrono::DateTime<chrono::Utc>) -> bool {
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

pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let dir = backup_dir(ctx);
    let files = backup::list(&dir)
        .map_err(failed)?
        .into_iter()
        .filter_map(|name| {
            let size = std::fs::metadata(dir.join(&name)).ok()?.len();
            Some(BackupFile { name, size })
        })
        .collect::<Vec<_>>();
    let detail = format!("backups={}", files.len());
    Ok(Reply::new(Response::Backups(files)).detail(detail))
}

/// Records a copy off the machine: the file, where, its size and checksum, or why it
/// failed (as the copying command said it, shortened and made printable).
pub(crate) fn offsite(
    ctx: &Ctx<'_>,
    name: &str,
    target: &str,
    size: u64,
    sha256: &str,
    failure: Option<&str>,
) -> Result<Reply, ServiceError> {
    if !backup::list(&backup_dir(ctx))
        .map_err(failed)?
        .iter()
        .any(|n| n == name)
    {
        return Err(ServiceError::NotFound(format!("backup {name}")));
    }
    let expected = ctx.clinic.settings().backup.remote.clone();
    if target != expected {
        return Err(ServiceError::Invalid(text!(
            "msg.backup.not_the_target",
            target = target
        )));
    }
    let printable = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>()
    };
    let detail = match failure {
        None if sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("copied file={name} to={target} bytes={size} sha256={sha256}")
        }
        None => return Err(ServiceError::Invalid(text!("msg.backup.bad_checksum"))),
        Some(why) => format!("FAILED file={name} to={target}: {}", printable(why)),
    };
    Ok(Reply::new(Response::Done).detail(detail))
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
    Ok(
        Reply::new(Response::BackupPiece(crate::clinic::api::BackupPiece(
            piece,
        )))
        .detail(detail),
    )
}
