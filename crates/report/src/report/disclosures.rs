//! The accounting of disclosures (45 CFR 164.528) as a document to hand to the
//! patient: who received their information, when, what and why, over six years.

use super::ReportError;
use super::document::{Block, Cell, Column, Document, Table};
use crate::clinic::oversight::rights::{Disclosure, DisclosureAccount, DisclosureKind};
use crate::i18n::{Lang, Locale};

/// A disclosure's recipient, description and purpose in the reader's language.
pub fn worded(d: &Disclosure, loc: &Locale) -> [String; 3] {
    let report = || {
        (
            loc.t("disclosures.report_description"),
            loc.t("disclosures.report_purpose"),
        )
    };
    let (recipient, (description, purpose)) = match &d.kind {
        DisclosureKind::Export => (
            loc.t("disclosures.export_recipient"),
            (
                loc.t("disclosures.export_description"),
                loc.t("disclosures.export_purpose"),
            ),
        ),
        DisclosureKind::Printed { printer } => (
            loc.tf("disclosures.printed_recipient", &[("printer", printer)]),
            report(),
        ),
        DisclosureKind::File { path } => (
            loc.tf("disclosures.file_recipient", &[("path", path)]),
            report(),
        ),
        DisclosureKind::Provided { recipient, purpose } => (
            recipient.clone(),
            (loc.t("disclosures.export_description"), purpose.clone()),
        ),
        DisclosureKind::Recorded => (
            loc.t("disclosures.recorded_recipient"),
            (d.description.clone(), loc.t("disclosures.recorded_purpose")),
        ),
    };
    [recipient, description, purpose]
}

pub fn build(account: &DisclosureAccount, lang: Lang) -> Document {
    let loc = Locale::new(lang);
    let column = |key: &str, share: f32| Column {
        title: loc.t(key),
        share,
        align_right: false,
    };
    let mut blocks = vec![
        Block::Fields(vec![
            (loc.t("disclosures.patient"), account.patient_name.clone()),
            (
                loc.t("disclosures.period"),
                format!("{} – {}", account.from, account.to),
            ),
        ]),
        Block::Paragraph(loc.t("disclosures.intro")),
    ];
    if account.disclosures.is_empty() {
        blocks.push(Block::Note(loc.t("disclosures.none")));
    } else {
        blocks.push(Block::Table(Table {
            columns: vec![
                column("disclosures.date", 0.14),
                column("disclosures.recipient", 0.26),
                column("disclosures.description", 0.3),
                column("disclosures.purpose", 0.2),
                column("disclosures.by", 0.1),
            ],
            rows: account
                .disclosures
                .iter()
                .map(|d| {
                    let [recipient, description, purpose] = worded(d, &loc);
                    [&d.date, &recipient, &description, &purpose, &d.by]
                        .into_iter()
                        .map(|t| Cell::plain(t.as_str()))
                        .collect()
                })
                .collect(),
        }));
    }
    Document {
        title: loc.t("disclosures.title"),
        letterhead: vec![account.clinic.clone()],
        confidential: loc.t("report.confidential"),
        printed: loc.tf(
            "report.printed",
            &[("at", &account.to), ("by", &account.prepared_by)],
        ),
        page_label: loc.t("report.page"),
        paper: account.layout.paper,
        lang: if lang == Lang::ZhCn {
            "zh-CN".into()
        } else {
            "en".into()
        },
        blocks,
    }
}

pub fn pdf(account: &DisclosureAccount, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let document = build(account, lang);
    let fonts = super::fonts::choose(&account.layout, &document.all_text())?;
    super::pdf::document_pdf(&document, &fonts)
}
