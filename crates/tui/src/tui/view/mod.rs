//! Rendering: a pure function of the app's state. The shown screen draws itself (its
//! component's `render`), then the status bar and any layer over it. Every screen fits
//! 80x24; lists draw only their visible rows.

mod followups;
mod forms;
mod line_editor;
mod lists;
mod overlay;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::app::App;

// Drawing pieces the screens share.
pub(crate) use followups::{kind_text, messages as followup_messages, visit_text};
pub(crate) use forms::{fields as form_fields, form_with_intro, framed, messages as form_messages};
pub(crate) use line_editor::{line_editor, rows as line_editor_rows};
pub(crate) use lists::windowed_table;
pub use lists::{masked_id, masked_phone, sex_text};

pub fn render(frame: &mut Frame<'_>, app: &mut App) {
    let [body, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    app.list_height = body.height.saturating_sub(5) as usize;
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

/// Splits `text` into lines of at most `columns` display columns, at spaces where it
/// can and anywhere in a run of CJK text (which has no spaces).
pub fn wrap_columns(text: &str, columns: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0;
    let mut last_space: Option<usize> = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > columns {
            match last_space {
                Some(at) if at > 0 => {
                    let rest = line.split_off(at);
                    lines.push(line.trim_end().to_string());
                    line = rest.trim_start().to_string();
                }
                _ => lines.push(std::mem::take(&mut line)),
            }
            width = unicode_width::UnicodeWidthStr::width(line.as_str());
            last_space = None;
        }
        if c == ' ' {
            last_space = Some(line.len());
        }
        line.push(c);
        width += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap_columns;

    #[test]
    fn wraps_at_spaces_and_inside_cjk() {
        assert_eq!(
            wrap_columns("say why it changes", 8),
            ["say why", "it", "changes"]
        );
        assert_eq!(
            wrap_columns("请说明修改原因", 6),
            ["请说明", "修改原", "因"]
        );
        assert_eq!(wrap_columns("", 5), Vec::<String>::new());
    }
}
