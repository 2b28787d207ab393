//! `caredesk audit verify | export | checkpoint`.

use crate::clinic::api::AuditSealed;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{DataDir, EXIT_TAMPERED, audit_remote, input};
use crate::audit::checkpoint::Checkpoint;
use crate::audit::context::process_actor;
use crate::audit::export::{self, Format};
use crate::audit::log::{AUDIT_TREE, read_genesis};
use crate::audit::seal::SealState;
use crate::audit::verify::SealView;
use crate::audit::{AuditEvent, Outcome, Seed, VerifyOptions, verify};
use crate::store::{RawStore, Store, StoreOptions};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the chain, the seals and the head; name the first bad record.
    ///
    /// Exits 0 and prints the entry count when the log is intact, 3 when any record
    /// was altered, removed, reordered or inserted, or the tail was cut.
    Verify(VerifyArgs),
    /// Write audit events to standard output as JSON lines or CSV.
    Export(ExportArgs),
    /// Print the current head (sequence, hash, seal) as JSON, to keep off this machine.
    Checkpoint(CheckpointArgs),
    /// Every access to one patient's record: who, when, what and why (break-glass
    /// reasons included). For the privacy officer; signs in like `caredesk user`.
    Patient(super::rights_cmd::AccessArgs),
    /// Write the log's records before a date (from the genesis) to a file that
    /// verifies on its own, to keep off this machine. The log itself is not shortened.
    Archive(ArchiveArgs),
    /// Verify an archive written by `audit archive`, on its own. Exits 0 or 3.
    ArchiveVerify(ArchiveVerifyArgs),
    /// Rotate the sealing epoch now: close it and erase its key, so nothing logged so
    /// far can be forged even by someone who takes the machine (after a suspected
    /// compromise, before a disk or server changes hands). Signs in as an admin.
    RotateEpoch(RotateEpochArgs),
}

#[derive(Debug, Args)]
pub struct RotateEpochArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Why, for the log (5 to 200 characters; name no patient).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// The audit verification seed shown at init ("-" reads it from standard input).
    /// With it, every seal is checked: records forged or re-sealed later are caught.
    #[arg(long, value_name = "SEED")]
    pub seed: Option<String>,
    /// A checkpoint printed earlier by `audit checkpoint`: a log that is shorter than it,
    /// or differs from it, is refused (rollback to an old copy).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// First day to include (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last day to include (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum)]
    pub format: Format,
    /// Open the sealed details (reasons, file and printer names, notes): signs in like
    /// `caredesk user`, as a user who may read the audit log. Without it they show as
    /// "[sealed]".
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Records dated before this day (YYYY-MM-DD, UTC) go into the archive.
    #[arg(long, value_name = "DATE")]
    pub before: NaiveDate,
    /// The archive file (new; never replaces a file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ArchiveVerifyArgs {
    pub file: PathBuf,
    /// The audit verification seed ("-" reads it from standard input).
    #[arg(long, value_name = "SEED")]
    pub seed: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    pub data: DataDir,
}

pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => run_verify(args),
        AuditCommand::Export(args) => run_export(args),
        AuditCommand::Checkpoint(args) => run_checkpoint(args),
        AuditCommand::Archive(args) => super::audit_archive::run_archive(args),
        AuditCommand::ArchiveVerify(args) => super::audit_archive::run_verify(args),
        AuditCommand::RotateEpoch(args) => run_rotate_epoch(args),
        AuditCommand::Patient(args) => {
            super::rights_cmd::run_access(args).map(|()| ExitCode::SUCCESS)
        }
    }
}

fn run_rotate_epoch(args: RotateEpochArgs) -> anyhow::Result<ExitCode> {
    let request = crate::clinic::Request::AuditSealNow {
        reason: args.reason,
    };
    let AuditSealed { epoch, seq } = super::report_cmd::ask(&args.data.path, request)?;
    println!(
        "sealing epoch {} closed at record {seq} and its key erased; the log goes on in epoch {epoch}",
        epoch.saturating_sub(1)
    );
    Ok(ExitCode::SUCCESS)
}

/// The audit seed from `--seed` (or standard input for "-").
pub(super) fn read_seed(given: Option<&str>) -> anyhow::Result<Option<Seed>> {
    let Some(text) = given else {
        return Ok(None);
    };
    let text = if text == "-" {
        input::read_stdin_line("audit seed")?
    } else {
        zeroize::Zeroizing::new(text.to_string())
    };
    Ok(Some(Seed::parse(&text).ok_or_else(|| {
        anyhow::anyhow!("the audit seed is not valid: give the 52-character seed printed by `caredesk init` (dashes optional)")
    })?))
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let seed = read_seed(args.seed.as_deref())?;
    let checkpoint = match &args.checkpoint {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read the checkpoint {}: {e}", path.display())
            })?;
            Some(
                Checkpoint::from_json(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
            )
        }
    };
    // While the clinic server owns the store, the auditor reads the raw log through it
    // and verifies it here.
    if let Some(connection) =
        crate::server::connection::server_only(&args.data.path, &super::signin::mode())?
    {
        let outcome = audit_remote::verify(
            crate::clinic::Signed::new(connection),
            seed.as_ref(),
            checkpoint.as_ref(),
        )?;
        return Ok(print_verdict(outcome));
    }
    // Damaged database files hold the log too: a store that fails its checksums is a
    // log that cannot be shown intact (exit 3), not a command that failed.
    let opened = RawStore::open_for_scan(&args.data.path)
        .and_then(|raw| raw.tree(AUDIT_TREE).map(|tree| (raw, tree)));
    let (raw, tree) = match opened {
        Ok(opened) => opened,
        Err(e @ crate::store::StoreError::Corrupt { .. }) => {
            println!("audit log BROKEN: {e}");
            return Ok(ExitCode::from(EXIT_TAMPERED));
        }
        Err(e) => return Err(e.into()),
    };
    let seal = match SealState::open(&args.data.path) {
        Ok(seal) => seal,
        Err(e) => {
            println!(
                "audit log BROKEN: {e}; the sealing state is needed to tell whether the tail was cut"
            );
            return Ok(ExitCode::from(EXIT_TAMPERED));
        }
    };
    let options = VerifyOptions {
        seed: seed.as_ref(),
        checkpoint: checkpoint.as_ref(),
        seal: Some(SealView::of(seal.epoch, &seal.key)),
    };
    let verdict = verify(&tree, &options).and_then(|report| {
        check_sealed_head(&raw, &tree, &report)?;
        Ok(report)
    });
    Ok(print_verdict(verdict))
}

/// The log must reach the head kept in `audit.head` (a log that ends before it lost
/// acknowledged records, however well its chain verifies).
fn check_sealed_head(
    raw: &RawStore,
    tree: &sled::Tree,
    report: &crate::audit::Report,
) -> Result<(), crate::audit::Break> {
    use crate::audit::head_file::{self, HEAD_FILE_FLAG, HeadFile, HeadFileError};
    let broken = |reason: String| crate::audit::Break {
        seq: report.head.seq + 1,
        reason,
    };
    match HeadFile::read(&raw.dir) {
        Ok(sealed) => head_file::check(report.head.seq, &report.head.hash, sealed, |seq| {
            let bytes = tree.get(crate::audit::log::record_key(seq)).ok()??;
            crate::audit::AuditRecord::decode(&bytes)
                .ok()
                .map(|r| r.hash)
        })
        .map_err(|e| broken(e.to_string())),
        Err(HeadFileError::Missing(path)) => {
            let required = raw
                .tree(crate::store::meta::META_TREE)
                .ok()
                .and_then(|meta| meta.get(HEAD_FILE_FLAG).ok().flatten())
                .is_some();
            if required {
                Err(broken(format!("the audit head file {path} is missing")))
            } else {
                Ok(())
            }
        }
        Err(e) => Err(broken(e.to_string())),
    }
}

/// Prints the verdict; exit 0 when intact, 3 when broken.
pub(super) fn print_verdict(
    outcome: Result<crate::audit::Report, crate::audit::Break>,
) -> ExitCode {
    match outcome {
        Ok(report) => {
            println!(
                "audit log intact: {} entries ({} events, {} epoch seals), head at record {}",
                report.entries, report.events, report.epoch_seals, report.head.seq
            );
            if report.seals_checked {
                println!("seals checked against the verification seed: authentic");
            } else {
                println!(
                    "seals not checked: give --seed to prove no record was forged or re-sealed"
                );
            }
            if report.checkpoint_matched {
                println!("matches the kept checkpoint");
            }
            ExitCode::SUCCESS
        }
        Err(broken) => {
            println!(
                "audit log BROKEN at record {}: {}",
                broken.seq, broken.reason
            );
            ExitCode::from(EXIT_TAMPERED)
        }
    }
}

fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        anyhow::bail!("--from {from} is after --to {to}: give the earlier date first");
    }
    // While the clinic server owns the store, the auditor signs in and reads through it.
    if let Some(connection) =
        crate::server::connection::server_only(&args.data.path, &super::signin::mode())?
    {
        return audit_remote::export(crate::clinic::Signed::new(connection), &args);
    }
    if args.open {
        return audit_remote::export(super::signin::connect(&args.data.path)?, &args);
    }
    let store = Store::open(&args.data.path, StoreOptions::default())?;
    let range = format!(
        "from {} to {} as {}",
        args.from
            .map(|d| d.to_string())
            .unwrap_or_else(|| "start".into()),
        args.to
            .map(|d| d.to_string())
            .unwrap_or_else(|| "end".into()),
        match args.format {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    );
    // Exporting the log is a disclosure: it is recorded before anything is written.
    store
        .audit()
        .append(AuditEvent::new(process_actor(), "audit.export", Outcome::Ok).detail(range))?;
    let mut out = std::io::stdout().lock();
    export::export(
        store.audit().tree(),
        &crate::audit::detail::NoKeys,
        args.from,
        args.to,
        args.format,
        &mut out,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn run_checkpoint(args: CheckpointArgs) -> anyhow::Result<ExitCode> {
    if let Some(connection) =
        crate::server::connection::server_only(&args.data.path, &super::signin::mode())?
    {
        let checkpoint = audit_remote::checkpoint(crate::clinic::Signed::new(connection))?;
        println!("{}", checkpoint.to_json());
        return Ok(ExitCode::SUCCESS);
    }
    let store = Store::open(&args.data.path, StoreOptions::default())?;
    store.audit().seal_elapsed()?;
    store.audit().append(AuditEvent::new(
        process_actor(),
        "audit.checkpoint",
        Outcome::Ok,
    ))?;
    let tree = store.audit().tree();
    let (_, store_id) = read_genesis(tree)?;
    let checkpoint = Checkpoint::of_head(tree, store_id, store.audit().head())?;
    println!("{}", checkpoint.to_json());
    Ok(ExitCode::SUCCESS)
}
