//! `caredesk report` and `caredesk card`: a patient's health report or member card as
//! a PDF file or on a CUPS printer. Both are disclosures, audited with the printer or
//! file; both sign in like `caredesk user`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{DataDir, input, signin};
use crate::clinic::api::{PatientRef, ReportOutput};
use crate::clinic::care::reports::{CardDocument, ReportData};
use crate::clinic::{Reply, Request};
use crate::i18n::Lang;
use crate::report::{self, Paper, output};

/// Where the document goes: exactly one of a file and a printer.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Destination {
    /// Write the PDF to this new file.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
    /// Print on this CUPS printer (`lpstat -e` lists them).
    #[arg(long = "print", value_name = "PRINTER")]
    pub printer: Option<String>,
}

impl Destination {
    /// An existing output file is refused before the service records a disclosure.
    fn refuse_existing(&self) -> anyhow::Result<()> {
        if let Some(path) = &self.out {
            anyhow::ensure!(
                !path.exists(),
                "{} already exists: choose another file name",
                path.display()
            );
        }
        Ok(())
    }

    fn output(&self) -> ReportOutput {
        match (&self.out, &self.printer) {
            (Some(path), _) => ReportOutput::File(path.display().to_string()),
            (None, Some(printer)) => ReportOutput::Printer(printer.clone()),
            (None, None) => unreachable!("clap requires one"),
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The patient: card number, record number (健康档案编号), ID number or phone number; `-` reads it from the
    /// first line of standard input (before the sign-in lines), out of `ps`'s sight.
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// First day of the period (default: a year before --to).
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day of the period (default: today).
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Language of the report.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Paper size (default: [report] paper in settings.toml, else A4).
    #[arg(long, value_enum)]
    pub paper: Option<Paper>,
    /// Print ID and phone numbers in full instead of masked (recorded in the audit log).
    #[arg(long)]
    pub unmask: bool,
    #[command(flatten)]
    pub destination: Destination,
}

#[derive(Debug, Args)]
pub struct CardArgs {
    /// The patient: card number, record number (健康档案编号), ID number or phone number; `-` reads it from the
    /// first line of standard input (before the sign-in lines), out of `ps`'s sight.
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// Language of the card's labels.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    #[command(flatten)]
    pub destination: Destination,
}

#[derive(Debug, Args)]
pub struct NoticeArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Language of the notice.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Paper size (default: [report] paper in settings.toml, else A4).
    #[arg(long, value_enum)]
    pub paper: Option<Paper>,
    #[command(flatten)]
    pub destination: Destination,
}

#[derive(Debug, Args)]
pub struct ExamFormArgs {
    /// The patient: card number, record number (健康档案编号), ID number or phone number;
    /// `-` reads it from the first line of standard input (before the sign-in lines).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// The examination's number, as the desk lists them (default: the latest).
    #[arg(long, value_name = "N")]
    pub exam: Option<u32>,
    /// Language of the form.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Paper size (default: [report] paper in settings.toml, else A4).
    #[arg(long, value_enum)]
    pub paper: Option<Paper>,
    #[command(flatten)]
    pub destination: Destination,
}

#[derive(Debug, Args)]
pub struct FollowUpFormArgs {
    /// The patient: card number, record number (健康档案编号), ID number or phone number;
    /// `-` reads it from the first line of standard input (before the sign-in lines).
    #[arg(long, value_name = "KEY")]
    pub patient: String,
    #[command(flatten)]
    pub data: DataDir,
    /// The follow-up plan's number (default: the patient's only hypertension or
    /// diabetes plan).
    #[arg(long, value_name = "N")]
    pub plan: Option<u32>,
    /// The year whose visits are printed (default: this year).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Language of the form.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Paper size (default: [report] paper in settings.toml, else A4).
    #[arg(long, value_enum)]
    pub paper: Option<Paper>,
    #[command(flatten)]
    pub destination: Destination,
}

/// The patient's key: as given, or (`-`) from standard input, where other users of the
/// machine cannot read it in the process list.
pub(super) fn patient_key(given: &str) -> anyhow::Result<String> {
    if given != "-" {
        return Ok(given.to_string());
    }
    if input::stdin_is_terminal() {
        eprint!("Patient (card, record, ID or phone number): ");
        std::io::Write::flush(&mut std::io::stderr())?;
    }
    let key = input::read_stdin_line("patient's card, record, ID or phone number")?;
    Ok(key.trim().to_string())
}

/// Signs in once, lays the document out from a preview (audited as shown, not given
/// out) so a document no font can print fails before anything is disclosed, then asks
/// again for the real destination (the disclosure) and lays that out: the PDF.
fn checked_then_disclosed<T: Reply>(
    dir: &Path,
    preview: Request,
    disclose: Request,
    layout: impl Fn(T) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Vec<u8>> {
    let session = signin::connect(dir)?;
    signin::sign_in(&session)?;
    let result = (|| {
        let shown: T = session.ask(preview).map_err(|e| anyhow::anyhow!("{e}"))?;
        layout(shown)?;
        let given: T = session.ask(disclose).map_err(|e| anyhow::anyhow!("{e}"))?;
        layout(given)
    })();
    signin::sign_out(&session);
    result
}

/// Signs in, asks the service, signs out: the reply as `T` or the service's refusal.
pub(super) fn ask<T: Reply>(dir: &Path, request: Request) -> anyhow::Result<T> {
    let session = signin::connect(dir)?;
    signin::sign_in(&session)?;
    let reply = session.ask(request);
    signin::sign_out(&session);
    reply.map_err(|e| anyhow::anyhow!("{e}"))
}

fn deliver(destination: &Destination, pdf: &[u8], what: &str) -> anyhow::Result<()> {
    let sent = output::send(pdf, &destination.output(), what).map_err(anyhow::Error::msg)?;
    say!("{}", sent.describe(what));
    Ok(())
}

pub fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    args.destination.refuse_existing()?;
    let patient = PatientRef::Key(patient_key(&args.patient)?);
    let request = |output| Request::ReportCompose {
        patient: patient.clone(),
        from: args.from,
        to: args.to,
        unmask: args.unmask,
        output,
    };
    let pdf = checked_then_disclosed(
        &args.data.path,
        request(ReportOutput::Preview),
        request(args.destination.output()),
        |mut data: Box<ReportData>| {
            if let Some(paper) = args.paper {
                data.layout.paper = paper;
            }
            Ok(report::health_report_pdf(&data, args.lang)?)
        },
    )?;
    deliver(&args.destination, &pdf, "health report")
}

/// The clinic's notice (告知书, `DIR/notice.toml`) to hand to a patient for signing
/// before the separate consents.
pub fn run_notice(args: NoticeArgs) -> anyhow::Result<()> {
    args.destination.refuse_existing()?;
    let mut document: Box<crate::clinic::desk::notice::NoticeDocument> =
        ask(&args.data.path, Request::NoticeGet)?;
    if let Some(paper) = args.paper {
        document.layout.paper = paper;
    }
    let pdf = report::notice_pdf(&document, args.lang)?;
    deliver(&args.destination, &pdf, "notice")
}

/// A plan's 随访服务记录表 for a year.
pub fn run_followup_form(args: FollowUpFormArgs) -> anyhow::Result<()> {
    args.destination.refuse_existing()?;
    let patient = PatientRef::Key(patient_key(&args.patient)?);
    let request = |output| Request::FollowUpFormPrint {
        patient: patient.clone(),
        plan: args.plan,
        year: args.year,
        output,
    };
    let pdf = checked_then_disclosed(
        &args.data.path,
        request(ReportOutput::Preview),
        request(args.destination.output()),
        |mut document: Box<crate::clinic::followup::forms::FollowUpFormDocument>| {
            if let Some(paper) = args.paper {
                document.layout.paper = paper;
            }
            Ok(report::followup_form_pdf(&document, args.lang)?)
        },
    )?;
    deliver(&args.destination, &pdf, "follow-up record form")
}

/// One 健康体检表.
pub fn run_exam_form(args: ExamFormArgs) -> anyhow::Result<()> {
    args.destination.refuse_existing()?;
    let patient = PatientRef::Key(patient_key(&args.patient)?);
    let request = |output| Request::ExamFormPrint {
        patient: patient.clone(),
        number: args.exam,
        output,
    };
    let pdf = checked_then_disclosed(
        &args.data.path,
        request(ReportOutput::Preview),
        request(args.destination.output()),
        |mut document: Box<crate::clinic::results::exam_form::ExamFormDocument>| {
            if let Some(paper) = args.paper {
                document.layout.paper = paper;
            }
            Ok(report::exam_form_pdf(&document, args.lang)?)
        },
    )?;
    deliver(&args.destination, &pdf, "examination form")
}

pub fn run_card(args: CardArgs) -> anyhow::Result<()> {
    args.destination.refuse_existing()?;
    let patient = PatientRef::Key(patient_key(&args.patient)?);
    let request = |output| Request::CardPrint {
        patient: patient.clone(),
        output,
    };
    let pdf = checked_then_disclosed(
        &args.data.path,
        request(ReportOutput::Preview),
        request(args.destination.output()),
        |document: Box<CardDocument>| Ok(report::card_pdf(&document, args.lang)?),
    )?;
    deliver(&args.destination, &pdf, "member card")
}
