//! `caredesk demo`.

use std::path::PathBuf;
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
        let created = crate::demo::create(
            &args.data,
            args.patients,
            StoreOptions::default(),
            &mut |done| {
                if done % 10_000 == 0 {
                    eprintln!("  {done} patients");
                }
            },
        )?;
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
