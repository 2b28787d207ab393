//! `caredesk key add-file LABEL --out FILE`: a key file for unattended jobs (result
//! imports from the lab's drop folder, the daemon). The file opens the store as the
//! `system` principal; it is written 0600 and must stay readable only by the service
//! account.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use super::DataDir;
use super::signin;
use crate::clinic::{Request, Response, Secret};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key-file slot and write its key to FILE (0600; never overwritten).
    AddFile(AddFileArgs),
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

const HEADER: &str = "caredesk-key-file v1";

pub fn run(command: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::AddFile(args) = command;
    let session = signin::connect(&args.data.path)?;
    signin::sign_in(&session)?;
    let response = session.call(Request::KeyFileAdd {
        label: args.label.clone(),
    });
    signin::sign_out(&session);
    let Response::KeyFileCreated { label, key } = response else {
        match response {
            Response::Error(e) => anyhow::bail!("{e}"),
            other => anyhow::bail!("unexpected reply: {other:?}"),
        }
    };
    let text = Zeroizing::new(format!(
        "{HEADER}\nlabel = {label}\nkey = {}\n",
        key.expose()
    ));
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
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    println!(
        "key file for {label} written to {}; keep it readable only by the account that runs the job",
        args.out.display()
    );
    Ok(())
}

/// Reads a key file: (label, key). Refused when others may read it.
pub fn read(path: &Path) -> anyhow::Result<(String, Secret)> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read the key file {}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        anyhow::bail!(
            "the key file {} may be read by others: chmod 600 it (and keep it with the service account)",
            path.display()
        );
    }
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        anyhow::bail!("{} is not a caredesk key file", path.display());
    }
    let mut label = None;
    let mut key = None;
    for line in lines {
        if let Some(v) = line.strip_prefix("label = ") {
            label = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("key = ") {
            key = Some(Secret::new(v.trim()));
        }
    }
    match (label, key) {
        (Some(label), Some(key)) => Ok((label, key)),
        _ => anyhow::bail!("{} lacks its label or key line", path.display()),
    }
}
