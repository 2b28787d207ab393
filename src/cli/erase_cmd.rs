//! `caredesk erase request|list|approve`: erasing a patient takes two people.

use clap::{Args, Subcommand};

use super::report_cmd::{ask, patient_key};
use super::{DataDir, input};
use crate::clinic::Request;
use crate::clinic::api::ErasureRequested;
use crate::clinic::api::PatientRef;
use crate::clinic::oversight::erasure::ErasureRequest;

#[derive(Debug, Subcommand)]
pub enum EraseCommand {
    /// Ask for a patient's erasure, with the reason the law or policy allows it.
    Request(RequestArgs),
    /// The erasure requests waiting for a second person.
    List(ListArgs),
    /// Approve an erasure request (not your own): the patient's records become
    /// unreadable for good; the audit log keeps its entries.
    Approve(ApproveArgs),
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The patient's card, record, ID or phone number ("-" reads it from standard input).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    /// Why the erasure is allowed; "-" reads it from standard input (after the patient
    /// when that is "-" too), so a diagnosis never shows in the process list.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request's number, as `caredesk erase list` shows it.
    pub id: u64,
    #[command(flatten)]
    pub data: DataDir,
}

/// The reason as given, or the next line of standard input for "-".
fn reason(given: &str) -> anyhow::Result<String> {
    if given != "-" {
        return Ok(given.to_string());
    }
    if input::stdin_is_terminal() {
        eprint!("Reason for the erasure: ");
        std::io::Write::flush(&mut std::io::stderr())?;
    }
    let line = input::read_stdin_line("reason")?;
    Ok(line.trim().to_string())
}

pub fn run(command: EraseCommand) -> anyhow::Result<()> {
    match command {
        EraseCommand::Request(args) => {
            let key = patient_key(&args.patient)?;
            let reason = reason(&args.reason)?;
            let ErasureRequested { id } = ask(
                &args.data.path,
                Request::ErasureRequest {
                    patient: PatientRef::Key(key),
                    reason,
                },
            )?;
            say!("erasure request {id} waits for a second person: `caredesk erase approve {id}`");
        }
        EraseCommand::List(args) => {
            let requests: Vec<ErasureRequest> = ask(&args.data.path, Request::ErasureList)?;
            for r in requests {
                say!(
                    "{:>8}  patient {}  asked by {} at {}: {}",
                    r.id,
                    r.patient,
                    r.requested_by,
                    super::signin::format_time(r.requested_unix),
                    r.reason
                );
            }
        }
        EraseCommand::Approve(args) => {
            ask::<()>(&args.data.path, Request::ErasureApprove { id: args.id })?;
            say!(
                "erasure {} done: the patient's records can no longer be read",
                args.id
            );
        }
    }
    Ok(())
}
