//! Handing a document out: the PDF from the service's reply, then to a new file or to
//! a CUPS printer. Shared by the command line and the terminal app.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::clinic::api::ReportOutput;
use crate::clinic::care::reports::{CardDocument, ReportData};
use crate::clinic::reply::Reply;
use crate::clinic::{Client, Request, Response, Signed};
use crate::i18n::Lang;
use crate::i18n::Text;
use crate::text;

/// What a paper request gives: a health report or a member card (public so the
/// terminal can refuse a request that gives neither before it sends it).
pub enum Paper {
    Report(Box<ReportData>),
    Card(Box<CardDocument>),
    Exam(Box<crate::clinic::results::exam_form::ExamFormDocument>),
}

impl Reply for Paper {
    const KINDS: &'static [&'static str] = &["Report", "CardDocument", "ExamForm"];

    fn read(response: Response) -> Result<Self, Response> {
        match response {
            Response::Report(data) => Ok(Paper::Report(data)),
            Response::CardDocument(doc) => Ok(Paper::Card(doc)),
            Response::ExamForm(doc) => Ok(Paper::Exam(doc)),
            other => Err(other),
        }
    }
}

impl Paper {
    fn pdf(&self, lang: Lang) -> Result<Vec<u8>, Text> {
        match self {
            Paper::Report(data) => super::health_report_pdf(data, lang),
            Paper::Card(doc) => super::card_pdf(doc, lang),
            Paper::Exam(doc) => super::exam_form_pdf(doc, lang),
        }
        .map_err(|e| match e {
            // Shown on the print screen: in the reader's language.
            super::ReportError::Font(font) => Text::verbatim(font.message(lang)),
            other => Text::verbatim(other.to_string()),
        })
    }
}

/// Asks for a report (`ReportCompose`) or a card (`CardPrint`) and makes its PDF. A
/// printer or file is a disclosure, audited when the service answers: the document is
/// first laid out from a preview (audited as shown), so one that no installed font can
/// print is refused before anything is recorded as given out.
pub fn request_pdf<C: Client>(
    session: &Signed<C>,
    request: Request,
    lang: Lang,
) -> Result<Vec<u8>, Text> {
    let ask = |request: Request| -> Result<Vec<u8>, Text> {
        let paper = match request {
            Request::CardPrint { .. } => session.ask(request).map(Paper::Card),
            Request::ExamFormPrint { .. } => session.ask(request).map(Paper::Exam),
            _ => session.ask(request).map(Paper::Report),
        };
        paper.map_err(|e| e.text())?.pdf(lang)
    };
    if let Some(preview) = as_preview(&request) {
        ask(preview)?;
    }
    ask(request)
}

/// The same request shown on screen instead of given out, when it gives something out.
fn as_preview(request: &Request) -> Option<Request> {
    let mut preview = request.clone();
    let output = match &mut preview {
        Request::ReportCompose { output, .. }
        | Request::CardPrint { output, .. }
        | Request::ExamFormPrint { output, .. } => output,
        _ => return None,
    };
    if *output == ReportOutput::Preview {
        return None;
    }
    *output = ReportOutput::Preview;
    Some(preview)
}

/// Writes a new file readable by its owner only; never replaces one.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Text> {
    let mut file = create_new(path)?;
    write_into(&mut file, path, bytes)
}

/// A new, empty file readable by its owner only; never one that exists.
fn create_new(path: &Path) -> Result<std::fs::File, Text> {
    if path.is_dir() {
        return Err(text!(
            "msg.paper.folder",
            path = path.display(),
            example = path.join("card.pdf").display()
        ));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => text!("msg.paper.exists", path = path.display()),
            std::io::ErrorKind::NotFound => text!("msg.paper.no_folder", path = path.display()),
            std::io::ErrorKind::PermissionDenied => {
                text!("msg.paper.denied", path = path.display())
            }
            _ => text!("msg.paper.cannot_create", path = path.display(), detail = e),
        })
}

fn write_into(file: &mut std::fs::File, path: &Path, bytes: &[u8]) -> Result<(), Text> {
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| text!("msg.paper.cannot_write", path = path.display(), detail = e))
}

/// Asks for the document and sends it where `output` says. A file is made first,
/// empty: a place that cannot be written is refused before the service hands anything
/// out (and audits it as a disclosure); the file is removed if nothing could be put in.
pub fn deliver<C: Client>(
    session: &Signed<C>,
    request: Request,
    lang: Lang,
    output: &ReportOutput,
    what: &str,
) -> Result<Sent, Text> {
    let ReportOutput::File(path) = output else {
        let pdf = request_pdf(session, request, lang)?;
        return send(&pdf, output, what);
    };
    let path = Path::new(path);
    // In full: the clerk is told, and the accounting of disclosures records, where
    // it went (a path relative to this terminal's folder says nothing later).
    let shown = std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string());
    let request = match request {
        Request::CardPrint { patient, .. } => Request::CardPrint {
            patient,
            output: ReportOutput::File(shown.clone()),
        },
        Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            ..
        } => Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            output: ReportOutput::File(shown.clone()),
        },
        other => other,
    };
    let mut file = create_new(path)?;
    let written =
        request_pdf(session, request, lang).and_then(|pdf| write_into(&mut file, path, &pdf));
    match written {
        Ok(()) => Ok(Sent::File(shown)),
        Err(why) => {
            drop(file);
            let _ = std::fs::remove_file(path);
            Err(why)
        }
    }
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
pub fn send(pdf: &[u8], output: &ReportOutput, what: &str) -> Result<Sent, Text> {
    match output {
        ReportOutput::File(path) => {
            write_new(Path::new(path), pdf)?;
            Ok(Sent::File(path.clone()))
        }
        ReportOutput::Printer(printer) => {
            let job = super::print::print(pdf, printer, &format!("caredesk {what}"))
                .map_err(|e| e.text())?;
            Ok(Sent::Printer {
                printer: printer.clone(),
                job,
            })
        }
        ReportOutput::Preview => Err(text!("msg.paper.preview")),
    }
}
