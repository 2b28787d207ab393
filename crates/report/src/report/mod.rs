//! Paper: the health report and the member card as PDF files, their terminal preview,
//! and printing through CUPS. The service (`clinic::care::reports`) decides what may be
//! printed; this module only lays it out.

pub mod card;
mod care_sections;
pub mod chart;
pub mod disclosures;
pub mod document;
pub mod exam_form;
pub mod followup_form;
pub mod fonts;
pub mod health_report;
pub mod notice;
pub mod output;
pub mod pdf;
pub mod print;
pub mod text;

use crate::clinic::care::reports::{CardDocument, ReportData};
use crate::clinic::desk::notice::NoticeDocument;
use crate::i18n::Lang;

pub use crate::domain::paper::Paper;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Font(#[from] fonts::FontError),
    #[error("{0}")]
    Render(String),
}

/// The health report as a PDF file.
pub fn health_report_pdf(data: &ReportData, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let document = health_report::build(data, lang);
    let fonts = fonts::choose(&data.layout, &document.all_text())?;
    pdf::document_pdf(&document, &fonts)
}

/// The notice (告知书) as a PDF file, with lines to sign.
pub fn notice_pdf(doc: &NoticeDocument, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let document = notice::build(doc, lang);
    let fonts = fonts::choose(&doc.layout, &document.all_text())?;
    pdf::document_pdf(&document, &fonts)
}

/// The 随访服务记录表 of one plan and year as a PDF file.
pub fn followup_form_pdf(
    doc: &crate::clinic::followup::forms::FollowUpFormDocument,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let document = followup_form::build(doc, lang);
    let fonts = fonts::choose(&doc.layout, &document.all_text())?;
    pdf::document_pdf(&document, &fonts)
}

/// One 健康体检表 as a PDF file.
pub fn exam_form_pdf(
    doc: &crate::clinic::results::exam_form::ExamFormDocument,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let document = exam_form::build(doc, lang);
    let fonts = fonts::choose(&doc.layout, &document.all_text())?;
    pdf::document_pdf(&document, &fonts)
}

/// The member card as a PDF file.
pub fn card_pdf(doc: &CardDocument, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let text = card::texts(doc, lang).join("\n") + "0123456789·";
    let fonts = fonts::choose(&doc.layout, &text)?;
    card::pdf(doc, &fonts, lang)
}
