//! `caredesk backup`, `caredesk backup verify FILE` and `caredesk restore FILE`.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use super::{DataDir, EXIT_TAMPERED, input, signin};
use crate::clinic::admin::backups::BackupMade;
use crate::clinic::admin::backups::PIECE_BYTES;
use crate::clinic::api::BackupPiece;
use crate::clinic::{Request, ServiceError};
use crate::crypto::keyslot::RecoveryKey;
use crate::store::StoreOptions;
use crate::store::backup::format::FormatError;
use crate::store::backup::{self, BackupError, BackupKey};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub check: Option<BackupCommand>,
    /// The store directory (or set CAREDESK_DATA).
    #[arg(long = "data", env = "CAREDESK_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The backup file to write (new; never replaces a file).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check a backup file: its checksums always (no key needed); with a key of the
    /// store, its authenticity and every entry too. Exits 0 when sound, 3 when not.
    Verify(VerifyArgs),
    /// Copy each backup the off-site target (`[backup] remote`, over SSH) lacks
    /// there, checked by its SHA-256 and audited. Exits 1 when a copy failed.
    Push(super::backup_push::PushArgs),
}

/// One of the store's keys: a backup opens with any key slot it carries.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The store's recovery key ("-" reads it from standard input).
    #[arg(long, value_name = "KEY")]
    pub recovery_key: Option<String>,
    /// A key file made by `caredesk key add-file` (0600).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// A user of the store; their password is asked (or read from standard input).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// The key material the person gave, held zeroised until used.
enum GivenKey {
    Recovery(RecoveryKey),
    KeyFile(String, RecoveryKey),
    Password(String, Zeroizing<String>),
}

impl KeyArgs {
    fn read(&self) -> anyhow::Result<Option<GivenKey>> {
        let given = [
            self.recovery_key.is_some(),
            self.key_file.is_some(),
            self.user.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            anyhow::bail!("give one key: --recovery-key, --key-file or --user");
        }
        if let Some(text) = &self.recovery_key {
            let text = if text == "-" {
                input::read_stdin_line("recovery key")?
            } else {
                Zeroizing::new(text.clone())
            };
            let key = RecoveryKey::parse(&text).ok_or_else(|| {
                anyhow::anyhow!("the recovery key is not valid: give the key printed by `caredesk init` (dashes optional)")
            })?;
            return Ok(Some(GivenKey::Recovery(key)));
        }
        if let Some(path) = &self.key_file {
            let (label, key) = crate::server::key_file::read(path)?;
            let key = RecoveryKey::parse(key.expose())
                .ok_or_else(|| anyhow::anyhow!("{} holds no valid key", path.display()))?;
            return Ok(Some(GivenKey::KeyFile(label, key)));
        }
        if let Some(user) = &self.user {
            let password = if input::stdin_is_terminal() {
                Zeroizing::new(rpassword::prompt_password(format!("Password of {user}: "))?)
            } else {
                input::read_stdin_line("password")?
            };
            return Ok(Some(GivenKey::Password(user.clone(), password)));
        }
        Ok(None)
    }
}

impl GivenKey {
    fn as_backup_key(&self) -> BackupKey<'_> {
        match self {
            GivenKey::Recovery(key) => BackupKey::Recovery(key),
            GivenKey::KeyFile(label, key) => BackupKey::KeyFile {
                label,
                key: key.bytes(),
            },
            GivenKey::Password(user, password) => BackupKey::Password {
                user,
                password: password.as_bytes(),
            },
        }
    }
}

pub fn run_backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    match args.check {
        Some(BackupCommand::Verify(v)) => run_verify(v),
        Some(BackupCommand::Push(p)) => super::backup_push::run_push(p),
        None => {
            let (Some(data), Some(out)) = (args.data, args.out) else {
                anyhow::bail!(
                    "give --data DIR and --out FILE (or `caredesk backup verify FILE` to check one)"
                );
            };
            run_create(&data, &out).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// Signs in (an admin), has the service write a backup, and copies it to `out`.
fn run_create(data: &Path, out: &Path) -> anyhow::Result<()> {
    // Refused before anything is made: a backup never replaces a file.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e} (give a new file)", out.display()))?;
    let copied = (|| -> anyhow::Result<BackupMade> {
        let session = signin::connect(data)?;
        signin::sign_in(&session)?;
        let refused = |e: ServiceError| {
            signin::sign_out(&session);
            anyhow::anyhow!("{e}")
        };
        let made: BackupMade = session.ask(Request::BackupCreate).map_err(refused)?;
        let mut offset = 0u64;
        while offset < made.size {
            let BackupPiece(piece) = session
                .ask(Request::BackupRead {
                    name: made.name.clone(),
                    offset,
                    len: PIECE_BYTES,
                })
                .map_err(refused)?;
            if piece.is_empty() {
                anyhow::bail!("the backup {} ended early while being copied", made.name);
            }
            file.write_all(&piece)?;
            offset += piece.len() as u64;
        }
        file.sync_all()?;
        signin::sign_out(&session);
        Ok(made)
    })();
    let made = match copied {
        Ok(made) => made,
        Err(e) => {
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
    };
    // The copy is checked like any backup before it is called done.
    backup::check(out, None)
        .map_err(|e| anyhow::anyhow!("the copy in {} is not sound: {e}", out.display()))?;
    say!(
        "backup {} written to {}: {} entries, audit log to record {}, {} bytes",
        made.name,
        out.display(),
        made.entries,
        made.audit_head,
        made.size
    );
    Ok(())
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let given = args.key.read()?;
    match backup::check(
        &args.file,
        given.as_ref().map(GivenKey::as_backup_key).as_ref(),
    ) {
        Ok(checked) => {
            let m = &checked.manifest;
            say!(
                "backup sound: {} entries in {} chunks, {} trees, files {}, audit log to record {}, made {}",
                m.entries,
                m.chunks.len(),
                m.trees,
                m.files.join(" "),
                m.audit_head_seq,
                m.created
            );
            if checked.authentic {
                say!("authentic: every chunk opened under the store's key");
            } else {
                say!(
                    "checksums only: give --recovery-key, --key-file or --user to prove it is authentic"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(BackupError::Format(FormatError::Io(e))) => {
            anyhow::bail!("cannot read {}: {e}", args.file.display())
        }
        Err(BackupError::Refused(why)) => anyhow::bail!("{why}"),
        Err(e) => {
            say!("backup BROKEN: {e}");
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
    }
}

pub fn run_restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let Some(given) = args.key.read()? else {
        anyhow::bail!(
            "give one of the store's keys: --recovery-key, --key-file or --user (the backup carries the store's key slots)"
        );
    };
    match backup::restore(
        &args.file,
        &given.as_backup_key(),
        &args.data.path,
        StoreOptions::default(),
    ) {
        Ok(restored) => {
            say!(
                "restored backup {} (made {}) into {}: {} entries; audit log verified, {} records",
                restored.manifest.backup_id,
                restored.manifest.created,
                args.data.path.display(),
                restored.manifest.entries,
                restored.audit_entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(BackupError::Format(FormatError::Io(e))) => {
            anyhow::bail!("cannot read {}: {e}", args.file.display())
        }
        Err(e @ BackupError::Format(_)) => {
            say!("backup BROKEN: {e}");
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
        Err(e) => anyhow::bail!("{e}"),
    }
}
