//! The argument types several requests share: which patient, which blind index a
//! lookup uses, where a document goes.

use serde::{Deserialize, Serialize};

use crate::domain::patient::PatientId;

/// Which blind index a lookup uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    Phone,
    IdNumber,
}

/// A patient, by id or by what staff type: a card, ID or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatientRef {
    Id(PatientId),
    Key(String),
}

/// Where a document goes: the screen, a CUPS printer or a file (the last two are
/// disclosures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportOutput {
    Preview,
    Printer(String),
    File(String),
}

impl ReportOutput {
    /// For the audit entry: which printer or file, never what was on it.
    pub fn describe(&self) -> String {
        match self {
            ReportOutput::Preview => "screen preview".into(),
            ReportOutput::Printer(name) => format!("printer={name}"),
            ReportOutput::File(path) => format!("file={path}"),
        }
    }
}
