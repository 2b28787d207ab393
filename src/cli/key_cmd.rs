//! `caredesk key …`: key slots listed and removed, a new recovery key, the data key
//! rotated with progress, and `key add-file LABEL --out FILE`: a key file for
//! unattended jobs (result imports from the lab's drop folder, the daemon). The file
//! opens the store as the `system` principal; it is written 0600 and must stay readable
//! only by the service account.

use crate::clinic::api::{KeyFileCreated, RecoveryKeyCreated};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::DataDir;
use super::signin;
use crate::clinic::admin::keys::SlotSummary;
use crate::clinic::wire::KeyRotation;
use crate::clinic::{Reply, Request};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key-file slot and write its key to FILE (0600; never overwritten).
    AddFile(AddFileArgs),
    /// Create a key slot whose key only a PKCS#11 token (an HSM, a 密码机) decrypts: the
    /// token makes its AES key KEY if it has none. `caredesk serve --pkcs11-module PATH
    /// --token-pin-file FILE` opens the store with it.
    AddToken(AddTokenArgs),
    /// List the key slots: id, kind (password, recovery, key-file, token), user or label;
    /// and the store's crypto suite.
    List(DataOnly),
    /// Remove a key-file or recovery slot by id (never the last recovery key).
    Remove(RemoveArgs),
    /// Make a new recovery key, printed once; the old one works until removed.
    AddRecovery(DataOnly),
    /// Rotate the data key: re-seal everything under a new one, with progress. Safe to
    /// stop: run it again and it goes on where it stopped. Staff notice nothing; each
    /// key slot takes up the new key at its next use.
    Rotate(RotateArgs),
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Values re-sealed per step (the clinic's requests wait for each step).
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub batch: u32,
}

#[derive(Debug, Args)]
pub struct DataOnly {
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// The slot's id, as `caredesk key list` shows it.
    pub id: u64,
}

#[derive(Debug, Args)]
pub struct AddTokenArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// A name for the slot, e.g. hsm.
    pub label: String,
    /// The token's label (as `softhsm2-util --show-slots` or the vendor's tool shows it).
    #[arg(long, value_name = "LABEL")]
    pub token: String,
    /// The label of the token's AES key that wraps the slot's key.
    #[arg(long, value_name = "LABEL", default_value = "caredesk-kek")]
    pub key: String,
    /// A file (0600) holding the token's user PIN: never on the command line.
    #[arg(long, value_name = "FILE")]
    pub pin_file: PathBuf,
    /// The token's PKCS#11 library, when no server runs (root's own); a running server
    /// uses the one it was started with (`serve --pkcs11-module`).
    #[arg(long, value_name = "PATH")]
    pub module: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddFileArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// A name for the slot, e.g. lab-import.
    pub label: String,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(command: KeyCommand) -> anyhow::Result<()> {
    let args = match command {
        KeyCommand::AddFile(args) => args,
        KeyCommand::AddToken(args) => return add_token(&args),
        KeyCommand::List(args) => return list(&args.data),
        KeyCommand::Remove(args) => return remove(&args),
        KeyCommand::AddRecovery(args) => return add_recovery(&args.data),
        KeyCommand::Rotate(args) => return rotate(&args),
    };
    // The file first: a slot whose key could not be written would be a slot nobody
    // can use, left behind.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&args.out)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create {}: {e} (it is never overwritten)",
                args.out.display()
            )
        })?;
    let created = signin::connect(&args.data.path).and_then(|session| {
        signin::sign_in(&session)?;
        let created = session.ask(Request::KeyFileAdd {
            label: args.label.clone(),
        });
        signin::sign_out(&session);
        created.map_err(|e| anyhow::anyhow!("{e}"))
    });
    let KeyFileCreated { label, key } = match created {
        Ok(created) => created,
        Err(e) => {
            let _ = std::fs::remove_file(&args.out);
            return Err(e);
        }
    };
    let text = crate::server::key_file::contents(&label, &key);
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    say!(
        "key file for {label} written to {}; keep it readable only by the account that runs the job",
        args.out.display()
    );
    Ok(())
}

fn add_token(args: &AddTokenArgs) -> anyhow::Result<()> {
    if let Some(module) = &args.module {
        crate::crypto::token::set_module(module)?;
    }
    let pin = crate::server::key_file::read_pin(&args.pin_file)?;
    let () = admin_call(
        &args.data,
        Request::KeyTokenAdd {
            label: args.label.clone(),
            token: args.token.clone(),
            key: args.key.clone(),
            pin: crate::clinic::api::Secret(pin.to_string()),
        },
    )?;
    say!(
        "token slot {} added: the token {}'s key {} holds its key; start the server with --token-pin-file",
        args.label,
        args.token,
        args.key
    );
    Ok(())
}

/// Signs in (an admin), makes one request, signs out.
fn admin_call<T: Reply>(data: &DataDir, request: Request) -> anyhow::Result<T> {
    super::report_cmd::ask(&data.path, request)
}

fn list(data: &DataDir) -> anyhow::Result<()> {
    let slots: Vec<SlotSummary> = admin_call(data, Request::KeySlots)?;
    say!(
        "{:>6}  {:<9} {:<20} {:<22} created",
        "id",
        "kind",
        "user or label",
        "data key"
    );
    for s in slots {
        let key = if s.grant_waiting {
            format!("g{}, new key waiting", s.generation)
        } else {
            format!("g{}", s.generation)
        };
        say!(
            "{:>6}  {:<9} {:<20} {:<22} {}",
            s.id,
            s.kind,
            s.name,
            key,
            super::signin::format_time(s.created_unix)
        );
    }
    // This process works under the store's suite now (from the store or the server).
    let suite = crate::crypto::suite::current();
    say!("crypto suite: {} ({})", suite.name(), suite.describe());
    Ok(())
}

fn remove(args: &RemoveArgs) -> anyhow::Result<()> {
    admin_call::<()>(&args.data, Request::KeySlotRemove { id: args.id })?;
    say!(
        "key slot {} removed; the secret that opened it opens nothing now",
        args.id
    );
    Ok(())
}

fn add_recovery(data: &DataDir) -> anyhow::Result<()> {
    let RecoveryKeyCreated { slot, key } = admin_call(data, Request::RecoveryKeyAdd)?;
    say!(
        "new recovery key (slot {slot}), shown once: write it down and keep it safe, off this machine:"
    );
    say!("   {}", key.expose());
    say!("then remove the old one with `caredesk key remove ID` (see `caredesk key list`)");
    Ok(())
}

fn rotate(args: &RotateArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let session = signin::connect(&args.data.path)?;
    signin::sign_in(&session)?;
    let on_terminal = std::io::stderr().is_terminal();
    let mut last_tenth = None;
    let outcome = loop {
        let progress: KeyRotation = match session.ask(Request::KeyRotate { batch: args.batch }) {
            Ok(progress) => progress,
            Err(e) => break Err(anyhow::anyhow!("{e}")),
        };
        if progress.finished {
            break Ok(progress);
        }
        let percent = (progress.scanned * 100)
            .checked_div(progress.total)
            .unwrap_or(100)
            .min(100);
        let line = format!(
            "rotating the data key (generation {} to {}): {} of about {} values looked at ({percent}%), {} re-sealed",
            progress.from, progress.to, progress.scanned, progress.total, progress.resealed
        );
        if on_terminal {
            eprint!("\r{line}");
        } else if last_tenth != Some(percent / 10) {
            eprintln!("{line}");
            last_tenth = Some(percent / 10);
        }
    };
    signin::sign_out(&session);
    if on_terminal {
        eprintln!();
    }
    let progress = outcome?;
    say!(
        "data key rotated: generation {} to {}; {} values re-sealed; the old data key is gone",
        progress.from,
        progress.to,
        progress.resealed
    );
    say!(
        "{} key slots take up the new key at their next use (see `caredesk key list`)",
        progress.granted
    );
    if !progress.left_out.is_empty() {
        say!(
            "left out (their slots predate key rotation; reset them): {}",
            progress.left_out.join(", ")
        );
    }
    Ok(())
}
