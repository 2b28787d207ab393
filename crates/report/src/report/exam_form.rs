//! The 健康体检表 as the 规范 prints it: the patient's head (name, record number, the
//! examination's date and doctor), then every section of the form in its order with
//! every item, answered or left blank as on paper.

use super::document::{Block, Cell, Column, Document, Table};
use crate::clinic::results::exam_form::ExamFormDocument;
use crate::domain::exam_form::{self, Answer, ItemDef};
use crate::i18n::{Lang, Locale};

/// An answer as the paper form carries it: the names ticked (without their codes), a
/// number (its unit is in the label), the words written.
fn printed(item: &ItemDef, answer: &Answer, lang: Lang) -> String {
    let text = match answer {
        Answer::Codes(codes) => {
            let joiner = if lang.is_chinese() { "、" } else { ", " };
            codes
                .iter()
                .map(|code| {
                    item.code_set()
                        .and_then(|set| set.get(code))
                        .map_or_else(|| code.clone(), |c| c.name(lang).to_string())
                })
                .collect::<Vec<_>>()
                .join(joiner)
        }
        // The label carries the unit.
        Answer::Number(value) => value.to_string(),
        other => item.show(other, lang),
    };
    crate::domain::text::printable(&text).into_owned()
}

pub fn build(doc: &ExamFormDocument, lang: Lang) -> Document {
    let loc = Locale::new(lang);
    let letterhead = super::document::letterhead_lines(&doc.clinic);
    let exam = &doc.exam;
    let mut blocks = vec![Block::Fields(vec![
        (loc.t("examform.print.name"), doc.patient_name.clone()),
        (
            loc.t("examform.print.record_number"),
            doc.record_number
                .as_deref()
                .map(crate::domain::record_number::grouped)
                .unwrap_or_default(),
        ),
        (loc.t("examform.print.date"), exam.form.date.to_string()),
        (
            loc.t("examform.print.doctor"),
            crate::domain::text::printable(&exam.form.doctor).into_owned(),
        ),
    ])];
    // Each section a grid of two items a row, as on the paper form: a long label or
    // answer wraps in its cell instead of running into the next.
    let column = |title: String, share: f32| Column {
        title,
        share,
        align_right: false,
    };
    for section in &exam_form::form().sections {
        blocks.push(Block::Heading(section.name(lang).to_string()));
        let cells: Vec<(String, String)> = section
            .items
            .iter()
            .map(|item| {
                let value = exam
                    .form
                    .answers
                    .get(&item.id)
                    .map(|a| printed(item, a, lang))
                    .unwrap_or_default();
                (item.label(lang), value)
            })
            .collect();
        let rows = cells
            .chunks(2)
            .map(|pair| {
                let mut row: Vec<Cell> = pair
                    .iter()
                    .flat_map(|(label, value)| {
                        [Cell::plain(label.clone()), Cell::plain(value.clone())]
                    })
                    .collect();
                row.resize(4, Cell::default());
                row
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec![
                column(loc.t("examform.print.item"), 0.3),
                column(loc.t("examform.print.result"), 0.2),
                column(loc.t("examform.print.item"), 0.3),
                column(loc.t("examform.print.result"), 0.2),
            ],
            rows,
        }));
    }
    blocks.push(Block::Note(loc.t("examform.print.legend")));
    blocks.push(Block::Signature(vec![
        loc.t("examform.print.sign_doctor"),
        loc.t("examform.print.sign_patient"),
    ]));
    Document {
        title: loc.t("examform.print.title"),
        letterhead,
        confidential: loc.t("report.confidential"),
        printed: loc.tf(
            "report.printed",
            &[
                ("at", &crate::domain::time::format_time(doc.printed_at)),
                ("by", &doc.printed_by),
            ],
        ),
        page_label: loc.t("report.page"),
        paper: doc.layout.paper,
        lang: lang.code().to_string(),
        blocks,
    }
}
