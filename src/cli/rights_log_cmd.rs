//! `caredesk rights`: the 个人信息保护负责人's log of patients' requests over their
//! information (PIPL 第50条): log one, answer one, list them with their due dates.

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::DataDir;
use super::report_cmd::{ask, patient_key};
use crate::clinic::Request;
use crate::clinic::api::PatientRef;
use crate::clinic::oversight::rights_requests::RightsRequestRow;
use crate::domain::rights_request::{RightKind, RightOutcome};

#[derive(Debug, Subcommand)]
pub enum RightsCommand {
    /// Log a request; prints its number and the day its answer is due.
    Add(AddArgs),
    /// Record the answer to request N.
    Answer(AnswerArgs),
    /// The log, soonest due first; late ones marked.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The patient: card, record, ID or phone number ("-" reads it from standard input).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// Which right: access, copy, transfer, correction, deletion, explanation,
    /// withdrawal.
    #[arg(long, value_enum)]
    pub kind: RightKind,
    /// What the patient asked, as taken down (at most 500 characters).
    #[arg(long, value_name = "TEXT")]
    pub asked: String,
    /// The day it came in (default: today).
    #[arg(long, value_name = "DATE")]
    pub received: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The request's number, as `add` and `list` print it.
    pub id: u64,
    #[command(flatten)]
    pub data: DataDir,
    #[arg(long, value_enum)]
    pub outcome: RightOutcome,
    /// What was done, or why not (at most 500 characters).
    #[arg(long, value_name = "TEXT")]
    pub note: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Only those not yet answered.
    #[arg(long)]
    pub open: bool,
    #[arg(long)]
    pub json: bool,
}

fn print(rows: &[RightsRequestRow], json: bool) -> anyhow::Result<()> {
    for row in rows {
        if json {
            say!("{}", serde_json::to_string(row)?);
            continue;
        }
        let r = &row.request;
        let state = match &r.answer {
            Some(a) => format!("answered {} ({})", a.on, a.outcome.name()),
            None if row.overdue => "OVERDUE".to_string(),
            None => "open".to_string(),
        };
        say!(
            "{:>6}  {}  {:<11}  received {}  due {}  {}  — {}",
            r.id,
            row.patient_name,
            r.kind.name(),
            r.received_on,
            r.due_on,
            state,
            r.asked.replace('\n', " ")
        );
    }
    Ok(())
}

pub fn run(command: RightsCommand) -> anyhow::Result<()> {
    match command {
        RightsCommand::Add(args) => {
            let key = patient_key(&args.patient)?;
            let rows: Vec<RightsRequestRow> = ask(
                &args.data.path,
                Request::RightsRequestAdd {
                    patient: PatientRef::Key(key),
                    kind: args.kind,
                    received_on: args.received,
                    asked: args.asked,
                },
            )?;
            print(&rows, args.json)
        }
        RightsCommand::Answer(args) => {
            let rows: Vec<RightsRequestRow> = ask(
                &args.data.path,
                Request::RightsRequestAnswer {
                    id: args.id,
                    outcome: args.outcome,
                    note: args.note,
                },
            )?;
            print(&rows, args.json)
        }
        RightsCommand::List(args) => {
            let rows: Vec<RightsRequestRow> = ask(
                &args.data.path,
                Request::RightsRequestList {
                    open_only: args.open,
                },
            )?;
            print(&rows, args.json)
        }
    }
}
