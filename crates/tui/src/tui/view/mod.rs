//! Rendering: a pure function of the app's state. The shown screen draws itself (its
//! component's `render`), then the status bar and any layer over it. Every screen fits
//! 80x24; lists draw only their visible rows.

mod followups;
mod forms;
mod line_editor;
mod lists;
pub(crate) mod note_area;
mod overlay;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::app::App;

// Drawing pieces the screens share.
pub(crate) use followups::{kind_text, messages as followup_messages, visit_text};
pub(crate) use forms::{
    code_choices, fields as form_fields, form_with_intro, framed, messages as form_messages,
};
pub(crate) use line_editor::{headed_rows, line_editor, rows as line_editor_rows};
pub(crate) use lists::windowed_table;
pub use lists::{masked_id, masked_phone, masked_phones_in, sex_text};

pub fn render(frame: &mut Frame<'_>, app: &mut App) {
    let [body, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    app.list_height = body.height.saturating_sub(5) as usize;
    overlay::clamp_help_scroll(app, body);
    app.top().component.render(frame, body, app);
    status::status_bar(frame, status, app);
    overlay::render(frame, body, app);
}

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// `text` padded with spaces to `columns` display columns (CJK characters count two).
pub fn pad(text: &str, columns: usize) -> String {
    let width = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}

/// Lines of at most `columns` display columns: the one line breaker (UAX #14) that
/// paper uses too.
pub use crate::linebreak::wrap_columns;

/// Lines wrapped to `columns` by the one line breaker, each part keeping the styles of
/// its spans. ratatui's own wrapping breaks a Chinese run only at spaces (leaving "1."
/// alone on a line) and can put a wide character one column past the area, over a
/// border.
pub fn wrap_lines(
    lines: Vec<ratatui::text::Line<'static>>,
    columns: u16,
) -> Vec<ratatui::text::Line<'static>> {
    use ratatui::text::{Line, Span};
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= columns as usize {
            out.push(line);
            continue;
        }
        let text: String = line
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        for (start, part) in note_area::wrapped_with_starts(&text, columns as usize) {
            let end = start + part.chars().count();
            // The slice of each span that falls in [start, end), in its own style.
            let mut spans = Vec::new();
            let mut at = 0;
            for span in &line.spans {
                let count = span.content.chars().count();
                let (from, to) = (start.max(at), end.min(at + count));
                if from < to {
                    let piece: String = span
                        .content
                        .chars()
                        .skip(from - at)
                        .take(to - from)
                        .collect();
                    spans.push(Span::styled(piece, span.style));
                }
                at += count;
            }
            let mut part_line = Line::from(spans).style(line.style);
            part_line.alignment = line.alignment;
            out.push(part_line);
        }
    }
    out
}

/// A paragraph of `text` wrapped to `width` by the one line breaker (see `wrap_lines`).
pub fn wrapped<'a>(
    text: impl Into<ratatui::text::Text<'a>>,
    width: u16,
) -> ratatui::widgets::Paragraph<'static> {
    use ratatui::text::{Line, Span};
    let text = text.into();
    let owned: Vec<Line<'static>> = text
        .lines
        .into_iter()
        .map(|line| {
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .map(|span| Span::styled(span.content.into_owned(), span.style))
                .collect();
            let mut owned = Line::from(spans).style(line.style);
            owned.alignment = line.alignment;
            owned
        })
        .collect();
    ratatui::widgets::Paragraph::new(wrap_lines(owned, width))
        .style(text.style)
        .wrap(ratatui::widgets::Wrap { trim: false })
}
