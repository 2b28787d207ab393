//! Printing through CUPS: the printers `lpstat` reports, and `lp` reading the PDF from
//! standard input (no temporary file; the job title names the document, never the
//! patient, since CUPS keeps job titles in its logs).

use std::io::Write;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    pub name: String,
    /// CUPS's default destination.
    pub default: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    #[error(
        "CUPS is not installed here ({0} not found): install it (Debian: apt-get install cups) or write the document to a file with --out"
    )]
    NoCups(&'static str),
    #[error("CUPS knows no printer called {0:?}: choose one of: {1}")]
    UnknownPrinter(String, String),
    #[error("CUPS has no printer: add one (lpadmin, or the CUPS web page) or write to a file")]
    NoPrinters,
    #[error("the printer refused the job: {0}")]
    Refused(String),
}

impl PrintError {
    /// The refusal in the reader's language.
    pub fn text(&self) -> crate::i18n::Text {
        match self {
            PrintError::NoCups(program) => crate::text!("msg.paper.no_cups", program = program),
            PrintError::UnknownPrinter(name, known) => {
                crate::text!("msg.paper.unknown_printer", name = name, known = known)
            }
            PrintError::NoPrinters => crate::text!("msg.paper.no_printers"),
            PrintError::Refused(detail) => crate::text!("msg.paper.refused", detail = detail),
        }
    }
}

fn run(program: &'static str, args: &[&str]) -> Result<std::process::Output, PrintError> {
    Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| PrintError::NoCups(program))
}

/// The printers CUPS offers, the default first.
pub fn printers() -> Result<Vec<Printer>, PrintError> {
    let list = run("lpstat", &["-e"])?;
    let default = run("lpstat", &["-d"])?;
    let default = String::from_utf8_lossy(&default.stdout)
        .split(':')
        .nth(1)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let mut printers: Vec<Printer> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer {
            name: name.to_string(),
            default: name == default,
        })
        .collect();
    printers.sort_by_key(|p| !p.default);
    Ok(printers)
}

/// Sends `pdf` to `printer`; returns CUPS's job id.
pub fn print(pdf: &[u8], printer: &str, job_title: &str) -> Result<String, PrintError> {
    let known = printers()?;
    if known.is_empty() {
        return Err(PrintError::NoPrinters);
    }
    if !known.iter().any(|p| p.name == printer) {
        let names: Vec<&str> = known.iter().map(|p| p.name.as_str()).collect();
        return Err(PrintError::UnknownPrinter(printer.into(), names.join(", ")));
    }
    let mut child = Command::new("lp")
        .args(["-d", printer, "-t", job_title, "-o", "fit-to-page", "-"])
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| PrintError::NoCups("lp"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let written = stdin.write_all(pdf);
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| PrintError::Refused(e.to_string()))?;
    if !output.status.success() || written.is_err() {
        return Err(PrintError::Refused(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    // "request id is office-12 (1 file(s))"
    let said = String::from_utf8_lossy(&output.stdout);
    Ok(said
        .split_whitespace()
        .nth(3)
        .unwrap_or(said.trim())
        .to_string())
}
