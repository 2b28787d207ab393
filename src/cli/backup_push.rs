//! `caredesk backup push`: each backup the store's directory holds and the off-site
//! target (`[backup] remote`, over SSH) does not, copied there and checked by its
//! SHA-256, each copy (or failure) recorded in the audit log. The files are sealed
//! backups: the target holds ciphertext only. The daemon starts no program (its
//! sandbox forbids it), so this runs beside it, from a timer
//! (`deploy/caredesk-backup-push.timer`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Args;
use sha2::{Digest, Sha256};

use super::{DataDir, signin};
use crate::clinic::Request;
use crate::clinic::admin::backups::{BackupFile, PIECE_BYTES, remote_parts};
use crate::clinic::admin::settings::Settings;
use crate::clinic::api::{BackupPiece, SignedIn};

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Sign in with this key file (0600) as the `system` principal, for a timer;
    /// without it a user signs in (one who may run backups).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

/// `ssh` with the clinic's options (checked when the settings were read), never asking
/// a question (a timer has no one to answer it), and reading no configuration file:
/// one the service account could write (~/.ssh/config) could make it run a program.
fn ssh(options: &[String], destination: &str) -> Command {
    let mut command = Command::new("ssh");
    command
        .args(["-F", "/dev/null"])
        .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=20"])
        .args(options)
        .arg("--")
        .arg(destination);
    command
}

/// What ssh said on failure, on one line.
fn said(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The backups already in the remote directory.
fn remote_names(options: &[String], destination: &str, dir: &str) -> anyhow::Result<Vec<String>> {
    // The directory is checked to hold only safe characters (`remote_parts`).
    let out = ssh(options, destination)
        .arg(format!("mkdir -p '{dir}' && ls -1 '{dir}'"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run ssh: {e} (install openssh-client)"))?;
    anyhow::ensure!(
        out.status.success(),
        "ssh to {destination} failed: {} (give the caredesk account's key to {destination}, or set [backup] ssh_options)",
        said(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// Streams one backup from the service to the target and returns its SHA-256 as the
/// target computed it, after checking it against the bytes sent.
fn copy_one(
    session: &signin::Session,
    file: &BackupFile,
    (options, destination, dir): (&[String], &str, &str),
) -> anyhow::Result<String> {
    let part = format!("{dir}/.{}.part", file.name);
    let whole = format!("{dir}/{}", file.name);
    // Private to the target's account; written under a temporary name, then moved.
    let mut child = ssh(options, destination)
        .arg(format!(
            "umask 077 && cat > '{part}' && mv '{part}' '{whole}' && sha256sum '{whole}'"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run ssh: {e} (install openssh-client)"))?;
    let mut hasher = Sha256::new();
    let sent = (|| -> anyhow::Result<()> {
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| anyhow::anyhow!("ssh took no input"))?;
        let mut offset = 0u64;
        while offset < file.size {
            let BackupPiece(piece) = session
                .ask(Request::BackupRead {
                    name: file.name.clone(),
                    offset,
                    len: PIECE_BYTES,
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(!piece.is_empty(), "the backup ended early while being read");
            hasher.update(&piece);
            stdin.write_all(&piece)?;
            offset += piece.len() as u64;
        }
        Ok(())
    })();
    let out = child.wait_with_output()?;
    sent?;
    anyhow::ensure!(
        out.status.success(),
        "ssh to {destination} failed: {}",
        said(&out.stderr)
    );
    let ours = hex(&hasher.finalize());
    let theirs = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    if theirs != ours {
        // A copy that is not what was sent is not left to be mistaken for a backup.
        let _ = ssh(options, destination)
            .arg(format!("rm -f '{whole}'"))
            .stdin(Stdio::null())
            .output();
        anyhow::bail!(
            "the copy on {destination} does not match what was sent (sha256 {theirs}, sent {ours}); removed it"
        );
    }
    Ok(ours)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sign_in(data: &Path, key_file: Option<&Path>) -> anyhow::Result<signin::Session> {
    let session = signin::connect(data)?;
    match key_file {
        Some(path) => {
            let (label, key) = crate::server::key_file::read(path)?;
            let _: SignedIn = session
                .ask(Request::LoginKeyFile { label, key })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        None => {
            signin::sign_in(&session)?;
        }
    }
    Ok(session)
}

/// Copies what the target lacks; exits 1 when any copy failed (each failure said and
/// audited), 0 otherwise.
pub fn run_push(args: PushArgs) -> anyhow::Result<std::process::ExitCode> {
    let settings = Settings::load(&args.data.path).map_err(anyhow::Error::msg)?;
    let remote = settings.backup.remote.trim().to_string();
    anyhow::ensure!(
        !remote.is_empty(),
        "no off-site target: set [backup] remote = \"user@host:/dir\" in {}/settings.toml (a machine in China)",
        args.data.path.display()
    );
    let (destination, dir) = remote_parts(&remote).map_err(anyhow::Error::msg)?;
    let options = settings.backup.ssh_options.clone();
    let session = sign_in(&args.data.path, args.key_file.as_deref())?;
    let result = (|| -> anyhow::Result<bool> {
        let files: Vec<BackupFile> = session
            .ask(Request::BackupList)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let there = match remote_names(&options, destination, dir) {
            Ok(there) => there,
            Err(e) => {
                // Unreachable: recorded against the newest backup, the one at stake.
                if let Some(newest) = files.last() {
                    session
                        .ask::<()>(Request::BackupOffsite {
                            name: newest.name.clone(),
                            target: remote.clone(),
                            size: newest.size,
                            sha256: String::new(),
                            failure: Some(e.to_string()),
                        })
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                return Err(e);
            }
        };
        let mut all_copied = true;
        let mut already = 0;
        for file in files {
            if there.contains(&file.name) {
                already += 1;
                continue;
            }
            let copied = copy_one(&session, &file, (&options, destination, dir));
            let (sha256, failure) = match &copied {
                Ok(sum) => (sum.clone(), None),
                Err(e) => (String::new(), Some(e.to_string())),
            };
            session
                .ask::<()>(Request::BackupOffsite {
                    name: file.name.clone(),
                    target: remote.clone(),
                    size: file.size,
                    sha256,
                    failure,
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match copied {
                Ok(sum) => say!(
                    "copied {} to {remote} ({} bytes, sha256 {sum} checked there)",
                    file.name,
                    file.size
                ),
                Err(e) => {
                    eprintln!("caredesk: {} not copied: {e}", file.name);
                    all_copied = false;
                }
            }
        }
        if already > 0 {
            say!("{already} backup(s) already on {remote}");
        }
        Ok(all_copied)
    })();
    signin::sign_out(&session);
    Ok(if result? {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
