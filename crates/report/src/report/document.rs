//! A document as blocks (headings, field lists, tables, charts …), independent of how
//! it is shown: `pdf` lays it out on pages, `text` renders the terminal preview, so
//! the preview shows exactly what will print.

use super::Paper;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Clinic name, then address and phone: the head of every page.
    pub letterhead: Vec<String>,
    /// The confidentiality line at the foot of every page.
    pub confidential: String,
    /// Who printed it and when, at the foot of every page.
    pub printed: String,
    /// "Page {page} of {pages}".
    pub page_label: String,
    pub paper: Paper,
    /// BCP 47 language of the text (the PDF's /Lang).
    pub lang: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    /// Label and value pairs, laid out in two columns.
    Fields(Vec<(String, String)>),
    Table(Table),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Small grey text (an explanation, an empty section).
    Note(String),
    /// Trend charts, two abreast.
    Charts(Vec<Chart>),
    /// Signature lines with their labels.
    Signature(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Share of the table's width.
    pub share: f32,
    pub align_right: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    /// Out of range or otherwise needing attention: printed bold in red.
    pub alert: bool,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            alert: false,
        }
    }

    pub fn alert(text: impl Into<String>, alert: bool) -> Cell {
        Cell {
            text: text.into(),
            alert,
        }
    }
}

/// One indicator over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub unit: String,
    /// (unix seconds, value), oldest first.
    pub points: Vec<(i64, f64)>,
    /// The reference band.
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub decimals: u8,
}

/// A form's letterhead: the clinic's name, then its address and phone on one line
/// (left out when it has neither).
pub fn letterhead_lines(clinic: &crate::clinic::care::reports::Letterhead) -> Vec<String> {
    let mut lines = vec![clinic.name.clone()];
    let contact: Vec<&str> = [clinic.address.as_str(), clinic.phone.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !contact.is_empty() {
        lines.push(contact.join(" · "));
    }
    lines
}

impl Document {
    /// Every character the document prints (to choose a font that has them all).
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        let mut add = |s: &str| {
            out.push_str(s);
            out.push('\n');
        };
        add(&self.title);
        self.letterhead.iter().for_each(|s| add(s));
        add(&self.confidential);
        add(&self.printed);
        add(&self.page_label);
        add("0123456789.-–—%()/:·, ");
        for block in &self.blocks {
            match block {
                Block::Heading(s) | Block::Paragraph(s) | Block::Note(s) => add(s),
                Block::Fields(fields) => fields.iter().for_each(|(k, v)| {
                    add(k);
                    add(v);
                }),
                Block::Table(t) => {
                    t.columns.iter().for_each(|c| add(&c.title));
                    t.rows.iter().flatten().for_each(|c| add(&c.text));
                }
                Block::Bullets(items) | Block::Signature(items) => {
                    items.iter().for_each(|s| add(s));
                    add("•_");
                }
                Block::Charts(charts) => charts.iter().for_each(|c| {
                    add(&c.title);
                    add(&c.unit);
                }),
            }
        }
        out
    }
}
