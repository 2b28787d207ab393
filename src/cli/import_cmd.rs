//! `caredesk import patients FILE.csv`: migration from spreadsheets or an older system.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Deserialize;

use super::DataDir;
use super::signin;
use crate::clinic::Request;
use crate::clinic::api::{ImportRow, ImportSummary};

/// The fields a row may fill; the default header uses these names.
pub use crate::domain::patient::REGISTRATION_FIELDS as FIELDS;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Patients from a CSV file; each gets a member card.
    ///
    /// Default header: name,sex,birth_date,phone,id_number,address,card_type (also
    /// id_type and emergency_contact). UTF-8 with or without BOM, or GB18030 (detected,
    /// or chosen with --encoding). Every row is checked as the registration form does;
    /// bad rows are reported by line and skipped, duplicates (same ID number, or same
    /// mobile and birth date) are skipped and counted. Signs in like `caredesk user`.
    Patients(PatientsArgs),
    /// Results from HL7 v2 ORU^R01 files (segments separated by CR, LF or CRLF; several
    /// messages per file; MLLP framing tolerated).
    ///
    /// A message belongs to the patient whose card number, ID number or recorded
    /// external number equals a PID-3 identifier; others go to the review list (or
    /// create the patient with --create-patients). Re-importing creates no duplicates.
    /// Each result (OBX) is read on its own: one that cannot be read is printed as
    /// "not read" with its segment, field and reason and put on the review list (ask
    /// the lab to correct and resend it), and the message's other results are
    /// imported. A message that cannot be read at all (no MSH, PID or OBX, or bytes
    /// its MSH-18 character set cannot decode) is rejected whole. Times without an
    /// offset are the clinic's local time. Prints counts, never values.
    Hl7(super::results_cmd::ResultsArgs),
    /// Results from FHIR R4 JSON files: Bundles of any type (collection, transaction,
    /// batch, searchset) or single resources; a UTF-8 BOM is fine.
    ///
    /// Patients match when an identifier.value equals a card number, ID number or
    /// recorded external number. Observations (with components such as blood-pressure
    /// panels) become results; Conditions, MedicationStatements/Requests and the
    /// smoking-status observation (LOINC 72166-2) amend the record's past illnesses,
    /// medications and lifestyle. Unreadable resources are reported with their entry.
    Fhir(super::results_cmd::ResultsArgs),
    /// Results from CSV files through a column mapping (--mapping NAME or FILE).
    ///
    /// The mapping (TOML) names the columns for the patient key, code, value, unit and
    /// time, and optionally a patients file (names, birth dates, further numbers to match
    /// by), conditions and medications files found next to the results file. Built in:
    /// `synthea` for the Synthea CSV export (observations.csv).
    Csv(super::results_cmd::CsvArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    Gb18030,
}

#[derive(Debug, Args)]
pub struct PatientsArgs {
    #[command(flatten)]
    pub data: DataDir,
    pub file: PathBuf,
    /// A TOML file naming the file's column for each field: [columns] name = "姓名" …
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: Encoding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    columns: BTreeMap<String, String>,
}

/// The file as text: BOM dropped; GB18030 when it is not UTF-8 (or when asked).
pub fn decode(bytes: &[u8], encoding: Encoding) -> anyhow::Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let gb18030 = || {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| t.into_owned())
            .ok_or_else(|| {
                anyhow::anyhow!("the file is neither UTF-8 nor GB18030: save it as UTF-8 CSV")
            })
    };
    match encoding {
        Encoding::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|e| {
            anyhow::anyhow!(
                "the file is not UTF-8 (byte {}): try --encoding gb18030",
                e.utf8_error().valid_up_to()
            )
        }),
        Encoding::Gb18030 => gb18030(),
        Encoding::Auto => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => gb18030(),
        },
    }
}

/// Reads the rows, each with its line in the file, as cells by field name.
pub fn rows(text: &str, mapping: &BTreeMap<String, String>) -> anyhow::Result<Vec<ImportRow>> {
    let mut lines = crate::ingest::csv_file::LineCounter::new(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("the header line cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut columns: Vec<(&str, usize)> = Vec::new();
    for field in FIELDS {
        let header = mapping.get(field).map(String::as_str).unwrap_or(field);
        match headers.iter().position(|h| h == header) {
            Some(i) => columns.push((field, i)),
            None if mapping.contains_key(field) || field == "name" => {
                anyhow::bail!(
                    "the file has no column {header:?} (for {field}); its header is: {}",
                    headers.join(",")
                )
            }
            None => {}
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("the file cannot be read as CSV: {e}"))?;
        // The line an editor or a spreadsheet shows, Windows line ends or not.
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte()))
            .unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = columns
            .iter()
            .map(|(field, i)| (field.to_string(), record.get(*i).unwrap_or("").to_string()))
            .collect();
        out.push(ImportRow { line, cells });
    }
    Ok(out)
}

pub fn run(command: ImportCommand) -> anyhow::Result<()> {
    let args = match command {
        ImportCommand::Patients(args) => args,
        ImportCommand::Hl7(args) => {
            return super::results_cmd::run(super::results_cmd::Format::Hl7, args);
        }
        ImportCommand::Fhir(args) => {
            return super::results_cmd::run(super::results_cmd::Format::Fhir, args);
        }
        ImportCommand::Csv(args) => return super::results_cmd::run_csv(args),
    };
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let mapping = match &args.mapping {
        None => BTreeMap::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let mapping: Mapping = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
            if let Some(unknown) = mapping
                .columns
                .keys()
                .find(|k| !FIELDS.contains(&k.as_str()))
            {
                anyhow::bail!(
                    "{}: unknown field {unknown:?}; fields are {}",
                    path.display(),
                    FIELDS.join(", ")
                );
            }
            mapping.columns
        }
    };
    let text = decode(&bytes, args.encoding)?;
    let rows = rows(&text, &mapping)?;
    let session = signin::connect(&args.data.path)?;
    signin::sign_in(&session)?;
    let imported = session.ask(Request::PatientImport { rows });
    signin::sign_out(&session);
    let summary: ImportSummary = imported.map_err(|e| anyhow::anyhow!("{e}"))?;
    say!(
        "imported {}, duplicates {}, rejected {}",
        summary.imported,
        summary.duplicates,
        summary.rejected.len()
    );
    for (line, reason) in summary.rejected {
        say!("line {line}: {reason}");
    }
    Ok(())
}
