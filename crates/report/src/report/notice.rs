//! The notice (告知书) a patient reads before the separate PIPL consents, as a
//! document to hand over and sign: its paragraphs, its version, and lines for the
//! patient's (or a child's guardian's) signature and the date.

use super::document::{Block, Document};
use crate::clinic::desk::notice::NoticeDocument;
use crate::i18n::{Lang, Locale};

pub fn build(doc: &NoticeDocument, lang: Lang) -> Document {
    let loc = Locale::new(lang);
    let text = doc.notice.text(lang);
    let mut blocks: Vec<Block> = text
        .body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::Paragraph(p.to_string()))
        .collect();
    // Two lines of two: the patient and the date, then a child's guardian and how
    // they are related (each label has room for its line).
    blocks.push(Block::Signature(vec![
        loc.t("notice.sign_patient"),
        loc.t("notice.sign_date"),
    ]));
    blocks.push(Block::Signature(vec![
        loc.t("notice.sign_guardian"),
        loc.t("notice.sign_relationship"),
    ]));
    blocks.push(Block::Note(
        loc.tf("notice.version", &[("version", &doc.notice.version)]),
    ));
    Document {
        title: text.title.clone(),
        letterhead: vec![doc.clinic.clone()],
        confidential: String::new(),
        printed: loc.tf("notice.printed", &[("at", &doc.printed_on)]),
        page_label: loc.t("report.page"),
        paper: doc.layout.paper,
        lang: lang.code().to_string(),
        blocks,
    }
}
