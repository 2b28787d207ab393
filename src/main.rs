//! The `caredesk` binary: parses the command line and reports errors as one clear line.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use caredesk::cli::{self, Cli, Command, EXIT_FAILED};
use clap::Parser;

fn main() -> ExitCode {
    // Before anything can hold a key or a record: no core file may keep them.
    if let Err(e) = cli::core_dumps::forbid() {
        eprintln!("caredesk: cannot turn core dumps off ({e}); not starting");
        return ExitCode::from(EXIT_FAILED);
    }
    // A panic message could carry data from a record; print only where it happened.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "caredesk: internal error at {place}; please report it. Stored data stays consistent."
        );
    }));
    let cli = Cli::parse();
    cli::signin::set_mode(cli.connection_mode());
    let result = match cli.command {
        Some(Command::Serve(args)) => cli::run_serve(args).map(|()| ExitCode::SUCCESS),
        None => cli::run_tui(cli.tui).map(|()| ExitCode::SUCCESS),
        Some(Command::Init(args)) => cli::init_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Demo(args)) => cli::demo_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Audit(command)) => cli::audit_cmd::run(command),
        Some(Command::Export(command)) => cli::export_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Import(command)) => cli::import_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::User(command)) => cli::user_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Role(command)) => cli::role_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Key(command)) => cli::key_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Backup(args)) => cli::backup_cmd::run_backup(args),
        Some(Command::Restore(args)) => cli::backup_cmd::run_restore(args),
        Some(Command::Erase(command)) => cli::erase_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Disclosures(args)) => {
            cli::rights_cmd::run_disclosures(args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Report(args)) => {
            cli::report_cmd::run_report(args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Card(args)) => cli::report_cmd::run_card(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Retention(command)) => {
            cli::retention_cmd::run(command).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Rights(command)) => {
            cli::rights_log_cmd::run(command).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::FollowupForm(args)) => {
            cli::report_cmd::run_followup_form(args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::ExamForm(args)) => {
            cli::report_cmd::run_exam_form(args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Notice(args)) => {
            cli::report_cmd::run_notice(args).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A message may quote a file or a name: no control character reaches the
            // terminal.
            let message = format!("{e:#}");
            eprintln!("caredesk: {}", caredesk::domain::text::printable(&message));
            ExitCode::from(EXIT_FAILED)
        }
    }
}
