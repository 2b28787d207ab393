//! Pieces the list screens share: a windowed table (only the rows that fit are built,
//! so a hundred thousand results scroll as fast as ten), a sex's name, a masked phone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table};

use crate::domain::patient::Sex;
use crate::tui::app::App;
use crate::tui::screens::Cursor;

pub fn sex_text(app: &App, sex: Sex) -> String {
    app.t(match sex {
        Sex::Female => "sex.female",
        Sex::Male => "sex.male",
        Sex::Other => "sex.other",
        Sex::Unknown => "sex.unknown",
    })
}

/// `138****5678`: enough to confirm with the caller, not enough to read off a screen.
pub fn masked_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return phone.to_string();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// `110105********002X`: region and check part only.
pub fn masked_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return id.to_string();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Builds and draws only the rows inside the window around `cursor`.
pub(crate) fn windowed_table(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    columns: (Vec<String>, &[Constraint]),
    cursor: Cursor,
    (len, cells): (usize, &dyn Fn(usize) -> Vec<String>),
) {
    let (headers, widths) = columns;
    let height = area.height.saturating_sub(1) as usize;
    let mut cursor = cursor;
    cursor.scroll_into_view(height);
    let end = (cursor.offset + height).min(len);
    let visible: Vec<Row> = (cursor.offset..end)
        .map(|i| {
            let row = Row::new(cells(i));
            if i == cursor.selected {
                row.style(app.theme.selected())
            } else {
                row
            }
        })
        .collect();
    let table =
        Table::new(visible, widths.to_vec()).header(Row::new(headers).style(app.theme.label()));
    frame.render_widget(table, area);
    if len > height {
        let mut state = ScrollbarState::new(len).position(cursor.selected);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area,
            &mut state,
        );
    }
}
