//! The state of the paper screens: the health report's preview, and choosing where a
//! report or member card goes (a CUPS printer or a PDF file).

use chrono::NaiveDate;

use super::screens::{Cursor, Form};
use crate::clinic::reports::ReportData;
use crate::domain::patient::PatientId;
use crate::report::print::Printer;

/// The health report as it will print (`P` on a patient), scrolled a page at a time.
#[derive(Debug)]
pub struct ReportScreen {
    pub id: PatientId,
    pub name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// ID and phone numbers in full (an audited choice).
    pub unmask: bool,
    pub data: Option<Box<ReportData>>,
    /// First preview line shown.
    pub scroll: usize,
    /// Typing the period: from, to.
    pub period: Option<Form>,
    pub error: Option<String>,
}

/// What is being printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintWhat {
    Report {
        id: PatientId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unmask: bool,
    },
    Card {
        id: PatientId,
    },
}

/// Choosing a printer from those CUPS reports, or a file; then the outcome.
#[derive(Debug)]
pub struct PrintScreen {
    pub what: PrintWhat,
    pub name: String,
    /// `None` while CUPS is asked; an error when it cannot be.
    pub printers: Option<Result<Vec<Printer>, String>>,
    /// Over the printers, then the "save as a PDF file" row.
    pub cursor: Cursor,
    /// Typing the file's path.
    pub file: Option<Form>,
    pub busy: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PrintScreen {
    pub fn new(what: PrintWhat, name: String) -> PrintScreen {
        PrintScreen {
            what,
            name,
            printers: None,
            cursor: Cursor::default(),
            file: None,
            busy: false,
            notice: None,
            error: None,
        }
    }

    pub fn printer_count(&self) -> usize {
        match &self.printers {
            Some(Ok(list)) => list.len(),
            _ => 0,
        }
    }

    /// The printers and the file row.
    pub fn rows(&self) -> usize {
        self.printer_count() + 1
    }
}
