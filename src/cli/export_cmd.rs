//! `caredesk export patient KEY|- --format json|fhir`: everything held on one patient.

use clap::{Args, Subcommand};

use super::{DataDir, signin};
use crate::clinic::Request;
use crate::clinic::export::access::{PatientExport, to_fhir};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Everything held on one patient (their right of access), machine-readable.
    ///
    /// KEY is a card number, an ID number or a phone number. The export is audited as a
    /// disclosure. Signs in like `caredesk user`.
    Patient(PatientArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// caredesk's own JSON.
    Json,
    /// A FHIR R4 Bundle.
    Fhir,
}

#[derive(Debug, Args)]
pub struct PatientArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Card, record (健康档案编号), ID or phone number; "-" reads it from standard input (its
    /// first line, before the sign-in lines), so it never shows in the process list.
    pub key: String,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Provide the copy to another processor (a referral hospital …), named here:
    /// refused unless the patient gave the separate consent to it (PIPL art. 23).
    /// Without it the copy is the patient's own (their right of access).
    #[arg(long, value_name = "RECIPIENT", requires = "purpose")]
    pub to: Option<String>,
    /// Why it is provided (with --to), as the accounting of disclosures will say.
    #[arg(long, requires = "to")]
    pub purpose: Option<String>,
}

pub fn run(command: ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::Patient(args) = command;
    let key = super::report_cmd::patient_key(&args.key)?;
    let session = signin::connect(&args.data.path)?;
    signin::sign_in(&session)?;
    let request = match (args.to, args.purpose) {
        (Some(recipient), Some(purpose)) => Request::PatientProvide {
            key,
            recipient,
            purpose,
        },
        _ => Request::PatientExport { key },
    };
    let export = session.ask(request);
    signin::sign_out(&session);
    let export: Box<PatientExport> = export.map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = match args.format {
        ExportFormat::Json => serde_json::to_string_pretty(&export)?,
        ExportFormat::Fhir => serde_json::to_string_pretty(&to_fhir(&export))?,
    };
    println!("{text}");
    Ok(())
}
