//! Pieces the list screens share: a windowed table (only the rows that fit are built,
//! so a hundred thousand results scroll as fast as ten; columns sized by what they
//! hold; a cut row written out in full under it), a sex's name, a masked phone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table};
use unicode_width::UnicodeWidthStr;

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

/// Free text with every phone number in it masked as `masked_phone` does (a run of 7
/// or more digits, spaces and dashes inside it allowed): an emergency contact's
/// number is shown as the patient's own is.
pub fn masked_phones_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single spaces or dashes between them.
        let mut end = i;
        let mut digits = String::new();
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits.push(chars[end]);
                end += 1;
            } else if matches!(chars[end], ' ' | '-')
                && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        if digits.len() >= 7 {
            out.push_str(&masked_phone(&digits));
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
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

/// Builds and draws only the rows inside the window around `cursor`. Columns are
/// sized by what they hold: a fixed-width column (a number, a date, a time: its
/// constraint is a `Length`) is widened to its longest visible text first, taking
/// room from the text columns; then room a column does not use goes to those still
/// cut. When the selected row is still cut anywhere, its whole text is written under
/// the table, so nothing on a list is ever out of reach.
pub(crate) fn windowed_table(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    columns: (Vec<String>, &[Constraint]),
    cursor: Cursor,
    (len, cells): (usize, &dyn Fn(usize) -> Vec<String>),
) {
    let (headers, widths) = columns;
    let full_height = area.height.saturating_sub(1) as usize;
    // A list longer than the area has a scrollbar in its last column: the table
    // keeps out of it, so no cell loses its last character to it.
    let scrolls = len > full_height.saturating_sub(3);
    let table_width = if scrolls {
        area.width.saturating_sub(1)
    } else {
        area.width
    };
    // The selected row's cells, to know whether the detail lines are needed.
    let selected_cells = (cursor.selected < len).then(|| cells(cursor.selected));
    let mut height = full_height;
    let mut sized = size_columns(table_width, widths, &headers, &[]);
    let mut detail = Vec::new();
    for _ in 0..2 {
        let mut window = cursor;
        window.scroll_into_view(height.max(1));
        let end = (window.offset + height.max(1)).min(len);
        let rows: Vec<Vec<String>> = (window.offset..end).map(cells).collect();
        sized = size_columns(table_width, widths, &headers, &rows);
        detail = selected_cells
            .as_ref()
            .map(|cells| detail_lines(&headers, cells, &sized, area.width))
            .unwrap_or_default();
        let wanted = full_height.saturating_sub(detail.len());
        if wanted == height {
            break;
        }
        height = wanted;
    }
    let height = height.max(1);
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
    let constraints: Vec<Constraint> = sized.iter().map(|w| Constraint::Length(*w)).collect();
    let table_area = Rect {
        height: (height as u16 + 1).min(area.height),
        ..area
    };
    let table = Table::new(visible, constraints).header(Row::new(headers).style(app.theme.label()));
    frame.render_widget(table, table_area);
    if len > height {
        let mut state = ScrollbarState::new(len).position(cursor.selected);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            table_area,
            &mut state,
        );
    }
    if !detail.is_empty() {
        let detail_area = Rect {
            y: table_area.y + table_area.height,
            height: area.height.saturating_sub(table_area.height),
            ..area
        };
        let lines: Vec<Line> = detail
            .into_iter()
            .map(|text| Line::styled(text, app.theme.notice()))
            .collect();
        frame.render_widget(Paragraph::new(lines), detail_area);
    }
}

/// Column widths for `area_width` (one column of space between columns, as `Table`
/// draws them): the constraints' widths first, then fixed-width columns widened to
/// their text at the text columns' expense (down to their header or 8 columns), then
/// unused room handed to the columns still cut.
pub(crate) fn size_columns(
    area_width: u16,
    constraints: &[Constraint],
    headers: &[String],
    rows: &[Vec<String>],
) -> Vec<u16> {
    let count = constraints.len();
    if count == 0 {
        return Vec::new();
    }
    let spacing = count.saturating_sub(1) as u16;
    let room = area_width.saturating_sub(spacing);
    let base = Layout::horizontal(constraints.to_vec())
        .spacing(1)
        .split(Rect::new(0, 0, area_width, 1));
    let mut widths: Vec<u16> = base.iter().map(|r| r.width).collect();
    let need: Vec<u16> = (0..count)
        .map(|c| {
            let header = headers.get(c).map(|h| h.width()).unwrap_or(0);
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
                .max(header) as u16
        })
        .collect();
    let floor = |c: usize| -> u16 {
        let header = headers.get(c).map(|h| h.width()).unwrap_or(0) as u16;
        header.max(8).min(need[c].max(1))
    };
    // Identifying columns are kept whole: a fixed width, or text with no letters in
    // it (numbers, dates, times, masked numbers) on every visible row.
    let numeric = |c: usize| {
        !rows.is_empty()
            && rows.iter().all(|row| {
                row.get(c)
                    .is_some_and(|cell| !cell.chars().any(char::is_alphabetic))
            })
    };
    let fixed = |c: usize| matches!(constraints[c], Constraint::Length(_)) || numeric(c);
    // Fixed-width columns whole first, from the text columns' spare and then their text.
    for c in (0..count).filter(|&c| fixed(c)) {
        while widths[c] < need[c] {
            let donor = (0..count)
                .filter(|&d| !fixed(d) && widths[d] > floor(d))
                .max_by_key(|&d| widths[d] - floor(d));
            match donor {
                Some(d) => {
                    widths[d] -= 1;
                    widths[c] += 1;
                }
                None => break,
            }
        }
    }
    // Room a column does not use, to the columns still cut (the most cut first).
    loop {
        let donor = (0..count).find(|&d| widths[d] > need[d].max(floor(d)));
        // Identifying columns first, then the most cut.
        let taker = (0..count)
            .filter(|&t| widths[t] < need[t])
            .max_by_key(|&t| (fixed(t), need[t] - widths[t]));
        match (donor, taker) {
            (Some(d), Some(t)) if d != t => {
                widths[d] -= 1;
                widths[t] += 1;
            }
            _ => break,
        }
    }
    // Never wider than the area (rounding in the layout).
    let total: u16 = widths.iter().sum();
    if total > room
        && let Some(last) = widths.last_mut()
    {
        *last = last.saturating_sub(total - room);
    }
    widths
}

/// The selected row written out in full (header: text), wrapped to the area's width,
/// when any of its cells does not fit its column; nothing when all fit. At most four
/// lines: the rest of a very long note is on the screen the row opens.
fn detail_lines(headers: &[String], cells: &[String], widths: &[u16], width: u16) -> Vec<String> {
    let cut = cells
        .iter()
        .zip(widths)
        .any(|(cell, w)| cell.width() > *w as usize);
    if !cut {
        return Vec::new();
    }
    let text = cells
        .iter()
        .enumerate()
        .filter(|(_, cell)| !cell.trim().is_empty())
        .map(|(c, cell)| match headers.get(c).filter(|h| !h.is_empty()) {
            Some(header) => format!("{header}: {}", cell.trim()),
            None => cell.trim().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let mut lines = super::wrap_columns(&format!("▸ {text}"), width.saturating_sub(1) as usize);
    if lines.len() > 4 {
        lines.truncate(4);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_free_text_are_masked_and_other_numbers_kept() {
        assert_eq!(
            masked_phones_in("Tan Wei 13900001111"),
            "Tan Wei 139****1111"
        );
        assert_eq!(
            masked_phones_in("谭伟（儿子）139 0000 1111"),
            "谭伟（儿子）139****1111"
        );
        assert_eq!(masked_phones_in("Room 12, 2 sons"), "Room 12, 2 sons");
        assert_eq!(masked_phones_in(""), "");
    }
}
