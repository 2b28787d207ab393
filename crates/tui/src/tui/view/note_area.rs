//! A note typed at length (a call's notes): the field's text wrapped by the one line
//! breaker over the whole width of the screen, scrolled to keep the cursor in view,
//! the cursor where the next character goes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::tui::app::App;
use crate::tui::field::Field;

/// The wrapped lines of `text` in `columns`, each with the index (in characters) of
/// its first character in `text`. The breaker drops only the spaces at a break, so a
/// line's start is where the previous one ended, past those spaces.
pub fn wrapped_with_starts(text: &str, columns: usize) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let mut out = Vec::new();
    for line in super::wrap_columns(text, columns) {
        while at < chars.len() && matches!(chars[at], ' ' | '\n') && !line.starts_with(' ') {
            at += 1;
        }
        out.push((at, line.clone()));
        at += line.chars().count();
    }
    out
}

/// The cursor's line and column among `lines` (from `wrapped_with_starts`).
pub fn cursor_place(lines: &[(usize, String)], text: &str, cursor: usize) -> (usize, u16) {
    let Some(row) = lines.iter().rposition(|(start, _)| *start <= cursor) else {
        return (0, 0);
    };
    let start = lines[row].0;
    let before: String = text.chars().skip(start).take(cursor - start).collect();
    (row, before.width() as u16)
}

/// Draws the note over the bottom `area` (cleared first): a title line, then the
/// wrapped text; sets the cursor when `focused`.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, field: &Field, title: &str) {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(title.to_string(), app.theme.focus()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    // One column kept free, so the cursor after a full line is still inside.
    let columns = inner.width.saturating_sub(1).max(1) as usize;
    let text = field.shown();
    let lines = wrapped_with_starts(&text, columns);
    let (row, column) = cursor_place(&lines, &text, field.cursor);
    let first = (row + 1).saturating_sub(inner.height as usize);
    let shown: Vec<Line<'static>> = lines
        .iter()
        .skip(first)
        .take(inner.height as usize)
        .map(|(_, line)| Line::from(field.styled(line.clone())))
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
    let column = column.min(inner.width.saturating_sub(1));
    frame.set_cursor_position((inner.x + column, inner.y + (row - first) as u16));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_knows_where_it_starts_and_the_cursor_finds_its_place() {
        let text = "Feels well; walks daily after dinner";
        let lines = wrapped_with_starts(text, 12);
        let rebuilt: Vec<String> = lines.iter().map(|(_, l)| l.clone()).collect();
        assert_eq!(rebuilt.concat().replace(' ', ""), text.replace(' ', ""));
        for (start, line) in &lines {
            let from: String = text.chars().skip(*start).collect();
            assert!(from.starts_with(line.as_str()), "{start} {line:?}");
        }
        // At the very end: the last line, after its last character.
        let end = text.chars().count();
        let (row, column) = cursor_place(&lines, text, end);
        assert_eq!(row, lines.len() - 1);
        assert_eq!(column as usize, lines[row].1.width());
        // Chinese wraps between characters; a character is two columns.
        let zh = "血压控制良好，每天散步半小时，饮食清淡";
        let lines = wrapped_with_starts(zh, 10);
        assert!(lines.len() >= 4, "{lines:?}");
        assert_eq!(cursor_place(&lines, zh, 1), (0, 2));
        assert_eq!(cursor_place(&lines, zh, 0), (0, 0));
        assert!(cursor_place(&[], "", 0) == (0, 0));
    }
}
