//! The package's manual and completions, made from the command line's own definition:
//! a man page per command (clap_mangen) and completion scripts for bash, zsh and fish
//! (clap_complete). Built only with the `package-assets` feature, so the shipped
//! binary carries neither crate; `deploy/debian/build-deb.sh` runs
//! `cargo run --features package-assets --example package-assets -- DIR`.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

/// What [`write`] made, for the caller to list.
#[derive(Debug, Default)]
pub struct Written {
    pub man_pages: Vec<PathBuf>,
    pub completions: Vec<PathBuf>,
}

/// Writes `DIR/man/caredesk.1`, `DIR/man/caredesk-<command>.1` for every command and
/// subcommand, and `DIR/completions/{caredesk.bash,_caredesk,caredesk.fish}`.
pub fn write(dir: &Path) -> std::io::Result<Written> {
    let man = dir.join("man");
    let completions = dir.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    let mut command = super::Cli::command();
    command.build();
    let mut written = Written::default();
    write_pages(&command, &man, &mut written.man_pages)?;
    written.man_pages.sort();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        written.completions.push(clap_complete::generate_to(
            shell,
            &mut command,
            "caredesk",
            &completions,
        )?);
    }
    Ok(written)
}

/// The page of `command` (named by its display name, `caredesk-user-add`) and of each
/// of its commands, but for clap's `help` commands: `--help` is on every page.
fn write_pages(
    command: &clap::Command,
    dir: &Path,
    pages: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    let path = dir.join(man.get_filename());
    let mut file = std::fs::File::create(&path)?;
    man.render(&mut file)?;
    pages.push(path);
    for sub in command.get_subcommands() {
        if sub.get_name() != "help" && !sub.is_hide_set() {
            write_pages(sub, dir, pages)?;
        }
    }
    Ok(())
}
