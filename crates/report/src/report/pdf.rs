//! A `Document` on paper: blocks flowed onto pages (tables repeat their header after a
//! page break, headings stay with what follows), then drawn with krilla. Every page
//! carries the letterhead, the confidentiality line, who printed it and "page n of N".

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::ReportError;
use super::document::{Block, Chart, Document, Table};
use super::fonts::Fonts;

const MARGIN_X: f32 = 48.0;
const MARGIN_TOP: f32 = 40.0;
const MARGIN_BOTTOM: f32 = 36.0;
/// Room the letterhead takes at the top of every page.
const HEAD: f32 = 46.0;
/// Room the footer takes at the bottom of every page.
const FOOT: f32 = 34.0;

pub type Rgb = (u8, u8, u8);
pub const INK: Rgb = (31, 41, 51);
pub const GREY: Rgb = (107, 114, 128);
pub const ACCENT: Rgb = (15, 118, 110);
pub const ALERT: Rgb = (185, 28, 28);
const RULE: Rgb = (203, 213, 225);
const HEADER_FILL: Rgb = (226, 232, 240);
const ZEBRA: Rgb = (246, 248, 250);

/// One thing drawn on a page, in points from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Chart {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        chart: Chart,
    },
}

/// Splits `text` into lines no wider than `width` points, with the one line breaker
/// (UAX #14) the terminal uses too.
pub fn wrap(fonts: &Fonts, bold: bool, text: &str, size: f32, width: f32) -> Vec<String> {
    crate::linebreak::wrap(text, width, |piece| fonts.width(piece, bold, size))
}

struct Flow<'a> {
    fonts: &'a Fonts,
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Flow<'_> {
    fn left(&self) -> f32 {
        MARGIN_X
    }

    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN_X
    }

    fn top(&self) -> f32 {
        MARGIN_TOP + HEAD
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM - FOOT
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top();
    }

    /// Starts a new page unless `height` more fits on this one.
    fn need(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > self.top() {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        if !text.is_empty() {
            self.op(Op::Text {
                x,
                y,
                size,
                bold,
                color,
                text: text.to_string(),
            });
        }
    }

    /// Wrapped text at `x`, `width` wide, from the current line down.
    fn lines(&mut self, x: f32, width: f32, size: f32, color: Rgb, text: &str) {
        let leading = size * 1.4;
        for line in wrap(self.fonts, false, text, size, width) {
            self.need(leading);
            self.y += leading;
            self.text(x, self.y - leading * 0.3, size, false, color, &line);
        }
    }

    fn heading(&mut self, text: &str) {
        // A heading never ends a page: keep room for a table's head and rows after it.
        self.need(110.0);
        self.y += 16.0;
        let (x, y) = (self.left(), self.y);
        self.op(Op::Rect {
            x,
            y: y - 10.5,
            w: 3.0,
            h: 13.0,
            color: ACCENT,
        });
        self.text(x + 8.0, y, 11.5, true, ACCENT, text);
        self.y += 7.0;
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let half = self.content_width() / 2.0;
        let label_width = 78.0;
        for pair in fields.chunks(2) {
            let wrapped: Vec<Vec<String>> = pair
                .iter()
                .map(|(_, v)| wrap(self.fonts, false, v, 9.5, half - label_width - 10.0))
                .collect();
            let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let height = rows as f32 * 13.0 + 2.0;
            self.need(height);
            let y = self.y + 11.0;
            for (i, ((label, _), lines)) in pair.iter().zip(&wrapped).enumerate() {
                let x = self.left() + i as f32 * half;
                self.text(x, y, 8.5, false, GREY, label);
                for (n, line) in lines.iter().enumerate() {
                    self.text(x + label_width, y + n as f32 * 13.0, 9.5, false, INK, line);
                }
            }
            self.y += height;
        }
    }

    fn table_header(&mut self, table: &Table, widths: &[f32]) {
        let height = 16.0;
        let (left, y) = (self.left(), self.y);
        self.op(Op::Rect {
            x: left,
            y,
            w: self.content_width(),
            h: height,
            color: HEADER_FILL,
        });
        let mut x = left;
        for (column, w) in table.columns.iter().zip(widths) {
            let tx = if column.align_right {
                x + w - 4.0 - self.fonts.width(&column.title, true, 8.0)
            } else {
                x + 4.0
            };
            self.text(tx, y + 11.0, 8.0, true, INK, &column.title);
            x += w;
        }
        self.y += height;
    }

    fn table(&mut self, table: &Table) {
        let total = self.content_width();
        let shares: f32 = table.columns.iter().map(|c| c.share).sum::<f32>().max(0.01);
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| c.share / shares * total)
            .collect();
        self.need(40.0);
        self.y += 4.0;
        self.table_header(table, &widths);
        for (n, row) in table.rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| wrap(self.fonts, cell.alert, &cell.text, 8.5, w - 8.0))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
            let height = lines as f32 * 11.0 + 5.0;
            if self.y + height > self.bottom() {
                self.new_page();
                self.table_header(table, &widths);
            }
            let (left, y) = (self.left(), self.y);
            if n % 2 == 1 {
                self.op(Op::Rect {
                    x: left,
                    y,
                    w: total,
                    h: height,
                    color: ZEBRA,
                });
            }
            let mut x = left;
            for ((cell, lines), (column, w)) in row
                .iter()
                .zip(&cells)
                .zip(table.columns.iter().zip(&widths))
            {
                let color = if cell.alert { ALERT } else { INK };
                for (i, line) in lines.iter().enumerate() {
                    let tx = if column.align_right {
                        x + w - 4.0 - self.fonts.width(line, cell.alert, 8.5)
                    } else {
                        x + 4.0
                    };
                    self.text(tx, y + 11.0 + i as f32 * 11.0, 8.5, cell.alert, color, line);
                }
                x += w;
            }
            self.y += height;
        }
        let y = self.y;
        self.op(Op::Line {
            from: (self.left(), y),
            to: (self.left() + total, y),
            width: 0.6,
            color: RULE,
        });
        self.y += 4.0;
    }

    fn charts(&mut self, charts: &[Chart]) {
        let gap = 14.0;
        let w = (self.content_width() - gap) / 2.0;
        let h = 150.0;
        for pair in charts.chunks(2) {
            self.need(h + 8.0);
            self.y += 6.0;
            for (i, chart) in pair.iter().enumerate() {
                let x = self.left() + i as f32 * (w + gap);
                let y = self.y;
                self.op(Op::Chart {
                    x,
                    y,
                    w,
                    h,
                    chart: chart.clone(),
                });
            }
            self.y += h;
        }
    }

    fn signature(&mut self, labels: &[String]) {
        self.need(60.0);
        self.y += 44.0;
        let slot = self.content_width() / labels.len().max(1) as f32;
        for (i, label) in labels.iter().enumerate() {
            let x = self.left() + i as f32 * slot;
            let y = self.y;
            self.text(x, y, 9.0, false, GREY, label);
            let start = x + self.fonts.width(label, false, 9.0) + 6.0;
            self.op(Op::Line {
                from: (start, y + 1.0),
                to: (x + slot - 18.0, y + 1.0),
                width: 0.7,
                color: INK,
            });
        }
        self.y += 10.0;
    }

    fn block(&mut self, block: &Block) {
        let (left, width) = (self.left(), self.content_width());
        match block {
            Block::Heading(text) => self.heading(text),
            Block::Fields(fields) => self.fields(fields),
            Block::Table(table) => self.table(table),
            Block::Paragraph(text) => {
                self.y += 2.0;
                self.lines(left, width, 9.5, INK, text);
            }
            Block::Bullets(items) => {
                for item in items {
                    self.need(14.0);
                    let y = self.y + 13.3 * 0.7;
                    self.text(left + 2.0, y, 9.5, false, ACCENT, "•");
                    self.lines(left + 12.0, width - 12.0, 9.5, INK, item);
                }
            }
            Block::Note(text) => self.lines(left, width, 8.0, GREY, text),
            Block::Charts(charts) => self.charts(charts),
            Block::Signature(labels) => self.signature(labels),
        }
    }
}

/// The document's pages as drawing operations, letterhead and footer included.
pub fn layout(document: &Document, fonts: &Fonts) -> Vec<Vec<Op>> {
    let (width, height) = document.paper.size();
    let mut flow = Flow {
        fonts,
        width,
        height,
        pages: Vec::new(),
        y: 0.0,
    };
    flow.new_page();
    for block in &document.blocks {
        flow.block(block);
    }
    let total = flow.pages.len();
    let mut pages = flow.pages;
    for (n, page) in pages.iter_mut().enumerate() {
        let mut frame = page_frame(document, fonts, width, height, n + 1, total);
        frame.append(page);
        *page = frame;
    }
    pages
}

fn page_frame(
    document: &Document,
    fonts: &Fonts,
    width: f32,
    height: f32,
    page: usize,
    pages: usize,
) -> Vec<Op> {
    let mut ops = Vec::new();
    let right = width - MARGIN_X;
    let text = |x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str| Op::Text {
        x,
        y,
        size,
        bold,
        color,
        text: text.to_string(),
    };
    let mut y = MARGIN_TOP + 12.0;
    for (i, line) in document.letterhead.iter().enumerate() {
        let (size, bold, color) = if i == 0 {
            (12.5, true, INK)
        } else {
            (8.0, false, GREY)
        };
        ops.push(text(MARGIN_X, y, size, bold, color, line));
        y += 13.0;
    }
    // The title shrinks until it clears the clinic's name beside it.
    let name_width = document
        .letterhead
        .first()
        .map(|name| fonts.width(name, true, 12.5))
        .unwrap_or(0.0);
    let room = right - MARGIN_X - name_width - 12.0;
    let mut size = 16.0;
    while size > 9.0 && fonts.width(&document.title, true, size) > room {
        size -= 0.5;
    }
    let title_width = fonts.width(&document.title, true, size);
    ops.push(text(
        right - title_width,
        MARGIN_TOP + 14.0,
        size,
        true,
        ACCENT,
        &document.title,
    ));
    let rule_y = MARGIN_TOP + HEAD - 12.0;
    ops.push(Op::Line {
        from: (MARGIN_X, rule_y),
        to: (right, rule_y),
        width: 1.2,
        color: ACCENT,
    });
    let foot = height - MARGIN_BOTTOM - FOOT + 8.0;
    ops.push(Op::Line {
        from: (MARGIN_X, foot),
        to: (right, foot),
        width: 0.6,
        color: RULE,
    });
    ops.push(text(
        MARGIN_X,
        foot + 11.0,
        7.5,
        true,
        ALERT,
        &document.confidential,
    ));
    ops.push(text(
        MARGIN_X,
        foot + 22.0,
        7.5,
        false,
        GREY,
        &document.printed,
    ));
    let label = document
        .page_label
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string());
    let label_width = fonts.width(&label, false, 7.5);
    ops.push(text(
        right - label_width,
        foot + 22.0,
        7.5,
        false,
        GREY,
        &label,
    ));
    ops
}

pub(crate) fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Default::default()
    }
}

pub(crate) fn stroke(color: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        width,
        ..Default::default()
    }
}

/// Draws one operation.
pub(crate) fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) -> Result<(), String> {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            fonts.draw(surface, (*x, *y), *size, *bold, text);
        }
        Op::Line {
            from,
            to,
            width,
            color,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(*color, *width)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Rect { x, y, w, h, color } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
        Op::Chart { x, y, w, h, chart } => {
            super::chart::draw(surface, fonts, (*x, *y, *w, *h), chart)?;
        }
    }
    Ok(())
}

/// The PDF file of laid-out pages; refused when something drawn has no glyph in any
/// of the fonts (it would print as nothing, or as an empty box).
pub fn render(
    pages: &[Vec<Op>],
    fonts: &Fonts,
    size: (f32, f32),
    title: &str,
    lang: &str,
) -> Result<Vec<u8>, ReportError> {
    let mut pdf = krilla::Document::new();
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .language(lang.to_string())
            .creator("caredesk".to_string()),
    );
    let settings = PageSettings::from_wh(size.0, size.1)
        .ok_or_else(|| ReportError::Render("bad paper size".into()))?;
    for ops in pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op).map_err(ReportError::Render)?;
        }
        surface.finish();
        page.finish();
    }
    fonts.check_drawn()?;
    pdf.finish()
        .map_err(|e| ReportError::Render(format!("the PDF could not be written: {e:?}")))
}

/// The whole document as a PDF file.
pub fn document_pdf(document: &Document, fonts: &Fonts) -> Result<Vec<u8>, ReportError> {
    let pages = layout(document, fonts);
    render(
        &pages,
        fonts,
        document.paper.size(),
        &document.title,
        &document.lang,
    )
}
