//! `caredesk audit patient KEY` (who looked at this patient) and `caredesk disclosures
//! --patient KEY` (the accounting of disclosures), for the privacy officer.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::DataDir;
use super::report_cmd::{ask, patient_key};
use crate::clinic::Request;
use crate::clinic::api::PatientRef;
use crate::clinic::oversight::rights::{Access, DisclosureAccount};
use crate::i18n::Lang;

#[derive(Debug, Args)]
pub struct AccessArgs {
    /// The patient's card, record, ID or phone number ("-" reads it from standard input).
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// From this day on (YYYY-MM-DD, UTC); default: the whole log.
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// One JSON object per access instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DisclosuresArgs {
    /// The patient's card, record, ID or phone number ("-" reads it from standard input).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// Also write the accounting as a PDF to hand to the patient (a new file).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// The accounting as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run_access(args: AccessArgs) -> anyhow::Result<()> {
    let key = patient_key(&args.patient)?;
    let entries: Vec<Access> = ask(
        &args.data.path,
        Request::PatientAccessLog {
            patient: PatientRef::Key(key),
            from: args.from,
        },
    )?;
    for e in &entries {
        if args.json {
            say!("{}", serde_json::to_string(e)?);
        } else {
            say!(
                "{}  {:<14} {:<15} {:<22} {:<7} {}",
                e.time.get(..19).unwrap_or(&e.time).replace('T', " "),
                e.user,
                e.role,
                e.action,
                e.outcome,
                e.detail
            );
        }
    }
    if !args.json {
        eprintln!("{} accesses", entries.len());
    }
    Ok(())
}

pub fn run_disclosures(args: DisclosuresArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.out
        && out.exists()
    {
        anyhow::bail!("{} exists: give a new file", out.display());
    }
    let key = patient_key(&args.patient)?;
    let account: Box<DisclosureAccount> = ask(
        &args.data.path,
        Request::Disclosures {
            patient: PatientRef::Key(key),
        },
    )?;
    if args.json {
        say!("{}", serde_json::to_string(&account.disclosures)?);
    } else {
        say!(
            "Disclosures of {} from {} to {}: {}",
            account.patient_name,
            account.from,
            account.to,
            account.disclosures.len()
        );
        for d in &account.disclosures {
            say!(
                "{}  recipient: {}; {}; purpose: {}; by {}",
                d.date,
                d.recipient,
                d.description,
                d.purpose,
                d.by
            );
        }
    }
    if let Some(out) = &args.out {
        let pdf = crate::report::disclosures::pdf(&account, args.lang)?;
        crate::report::output::write_new(out, &pdf).map_err(anyhow::Error::msg)?;
        eprintln!("written to {}", out.display());
    }
    Ok(())
}
