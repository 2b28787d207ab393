//! `caredesk retention`: the records past `[retention] record_years` since their last
//! activity, for the 个人信息保护负责人 to review, and putting one in the stored-only
//! state (PIPL 第47条). Erasing one is `caredesk erase` (two people).

use clap::{Args, Subcommand};

use super::DataDir;
use super::report_cmd::{ask, patient_key};
use crate::clinic::Request;
use crate::clinic::api::PatientRef;
use crate::clinic::oversight::retention::RetentionRow;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// The records past their retention, oldest activity first.
    Review(ReviewArgs),
    /// Keep a record past its retention stored only: nothing may be added to it and
    /// its follow-ups close.
    Restrict(RestrictArgs),
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// At most this many.
    #[arg(long, default_value_t = 500)]
    pub limit: u32,
    /// One JSON array: patient, name, record_number, last_activity, expired_on,
    /// stored_only.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestrictArgs {
    /// The patient: card, record, ID or phone number ("-" reads it from standard input).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
}

pub fn run(command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Review(args) => {
            let rows: Vec<RetentionRow> = ask(
                &args.data.path,
                Request::RetentionReview { limit: args.limit },
            )?;
            if args.json {
                let json: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "patient": r.patient.to_string(),
                            "name": r.name,
                            "record_number": r.record_number,
                            "last_activity": r.last_activity.to_string(),
                            "expired_on": r.expired_on.to_string(),
                            "stored_only": r.stored_only,
                        })
                    })
                    .collect();
                say!("{}", serde_json::Value::Array(json));
                return Ok(());
            }
            if rows.is_empty() {
                say!("no record is past its retention");
            }
            for r in &rows {
                say!(
                    "{}  {}  last activity {}  retention ended {}{}",
                    r.record_number.as_deref().unwrap_or("-"),
                    crate::domain::text::printable(&r.name),
                    r.last_activity,
                    r.expired_on,
                    if r.stored_only { "  stored only" } else { "" }
                );
            }
            Ok(())
        }
        RetentionCommand::Restrict(args) => {
            let key = patient_key(&args.patient)?;
            let () = ask(
                &args.data.path,
                Request::RetentionRestrict {
                    patient: PatientRef::Key(key),
                },
            )?;
            say!("the record is now stored only: nothing may be added to it");
            Ok(())
        }
    }
}
