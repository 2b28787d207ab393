//! `caredesk demo`. The demo clinic is made in a hidden directory beside the one asked
//! for and renamed into place only when complete, so a demo that fails (a full disk)
//! or is killed leaves nothing that a later `demo` would take for a finished clinic;
//! the next run removes the unfinished one and starts again.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::{TuiArgs, TuiFlags};
use crate::store::StoreOptions;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo store lives.
    #[arg(long = "data", value_name = "DIR", default_value = "./caredesk-demo")]
    pub data: PathBuf,
    /// How many synthetic patients to create (first run only).
    #[arg(long, default_value_t = 500)]
    pub patients: usize,
    /// Create the store and stop, without opening the terminal app.
    #[arg(long)]
    pub no_tui: bool,
    /// The demo store's cryptographic suite (first run only): `standard` or `sm` (国密).
    #[arg(long, value_name = "SUITE", default_value = "standard", value_parser = super::init_cmd::parse_suite)]
    pub crypto_suite: crate::crypto::Suite,
    #[command(flatten)]
    pub flags: TuiFlags,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    if args.data.join("db").is_dir() {
        eprintln!("Using the demo clinic in {}.", args.data.display());
    } else {
        let started = Instant::now();
        eprintln!(
            "Creating the demo clinic in {} with {} patients…",
            args.data.display(),
            args.patients
        );
        let created = create(&args)?;
        eprintln!(
            "Created {created} patients in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
        eprintln!("Demo users (user name / password); the sign-in screen shows their codes:");
        for (user, role, password) in crate::demo::USERS {
            eprintln!("  {user:<10} {:<15} {password}", role.as_str());
        }
    }
    if args.no_tui {
        return Ok(());
    }
    super::run_tui(TuiArgs {
        data: Some(args.data),
        flags: args.flags,
    })
}

/// The unfinished demo beside `data`: `.NAME.unfinished`.
fn unfinished(data: &Path) -> anyhow::Result<PathBuf> {
    let name = data
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} names no directory", data.display()))?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(".unfinished");
    Ok(data.with_file_name(hidden))
}

/// Makes the demo clinic aside and moves it into place; on failure removes it.
fn create(args: &DemoArgs) -> anyhow::Result<usize> {
    let staging = unfinished(&args.data)?;
    if std::fs::read_dir(&args.data).is_ok_and(|mut entries| entries.next().is_some()) {
        anyhow::bail!(
            "{} holds something that is not a demo clinic: choose another --data",
            args.data.display()
        );
    }
    if staging.exists() {
        eprintln!("Removing an unfinished demo clinic left by an earlier run.");
        std::fs::remove_dir_all(&staging)?;
    }
    // The demo's history (last night's 22:41, this morning's calls) is written on
    // its clinic's clock, as everything this process shows.
    if let Ok(zone) = crate::domain::time::ClinicZone::parse(crate::demo::TIME_ZONE) {
        crate::domain::time::set_clinic_zone(zone);
    }
    let made = crate::demo::create(
        &staging,
        args.patients,
        StoreOptions {
            crypto_suite: Some(args.crypto_suite),
            ..StoreOptions::default()
        },
        &mut |done| {
            if done % 10_000 == 0 {
                eprintln!("  {done} patients");
            }
        },
    )
    .map_err(anyhow::Error::from)
    // An existing empty directory is replaced; anything else there is refused.
    .and_then(|created| {
        std::fs::rename(&staging, &args.data).map_err(|e| {
            anyhow::anyhow!(
                "cannot move the demo clinic to {} ({e}): is something else there?",
                args.data.display()
            )
        })?;
        Ok(created)
    });
    if made.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    made
}
