//! The accounting of disclosures (45 CFR 164.528) as a document to hand to the
//! patient: who received their information, when, what and why, over six years.

use super::ReportError;
use super::document::{Block, Cell, Column, Document, Table};
use crate::clinic::rights::DisclosureAccount;
use crate::tui::locale::{Lang, Locale};

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
                    [&d.date, &d.recipient, &d.description, &d.purpose, &d.by]
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
    super::pdf::document_pdf(&document, &fonts).map_err(ReportError::Render)
}
