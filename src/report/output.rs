//! Handing a document out: the PDF from the service's reply, then to a new file or to
//! a CUPS printer. Shared by the command line and the terminal app.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::clinic::Response;
use crate::clinic::api::ReportOutput;
use crate::i18n::Lang;

/// The PDF of a `Report` or `CardDocument` reply.
pub fn produce(response: Response, lang: Lang) -> Result<Vec<u8>, String> {
    match response {
        Response::Report(data) => super::health_report_pdf(&data, lang).map_err(|e| e.to_string()),
        Response::CardDocument(doc) => super::card_pdf(&doc, lang).map_err(|e| e.to_string()),
        Response::Error(e) => Err(e.to_string()),
        other => Err(other.unexpected().to_string()),
    }
}

/// Writes a new file readable by its owner only; never replaces one.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} already exists: choose another file name (nothing was replaced)",
                path.display()
            ),
            _ => format!("cannot create {}: {e}", path.display()),
        })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Where a document went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    File(String),
    Printer { printer: String, job: String },
}

impl Sent {
    /// For the command line.
    pub fn describe(&self, what: &str) -> String {
        match self {
            Sent::File(path) => format!("{what} written to {path}"),
            Sent::Printer { printer, job } => {
                format!("{what} sent to printer {printer} (job {job})")
            }
        }
    }
}

/// Sends `pdf` where `output` says.
pub fn send(pdf: &[u8], output: &ReportOutput, what: &str) -> Result<Sent, String> {
    match output {
        ReportOutput::File(path) => {
            write_new(Path::new(path), pdf)?;
            Ok(Sent::File(path.clone()))
        }
        ReportOutput::Printer(printer) => {
            let job = super::print::print(pdf, printer, &format!("caredesk {what}"))
                .map_err(|e| e.to_string())?;
            Ok(Sent::Printer {
                printer: printer.clone(),
                job,
            })
        }
        ReportOutput::Preview => Err("a preview is not handed out".into()),
    }
}
