//! Pieces of forms the screens share: labelled fields with the cursor, a form's
//! messages, a framed area, a form under an introduction.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::screens::Form;

/// Draws labelled fields, one per line, and places the cursor in the focused one.
pub(crate) fn fields(frame: &mut Frame<'_>, area: Rect, app: &App, form: &Form, labels: &[String]) {
    let theme = app.theme;
    let label_width = labels
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0) as u16
        + 2;
    for (i, (field, label)) in form.fields.iter().zip(labels).enumerate() {
        let y = area.y + i as u16 * 2;
        if y >= area.y + area.height {
            break;
        }
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let line = Line::from(vec![
            Span::styled(
                format!("{marker}{label}"),
                if focused {
                    theme.focus()
                } else {
                    theme.label()
                },
            ),
            Span::raw(" ".repeat((label_width + 2).saturating_sub(
                unicode_width::UnicodeWidthStr::width(format!("{marker}{label}").as_str()) as u16,
            ) as usize)),
            field.span(),
        ]);
        let row = Rect {
            y,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(line), row);
        if focused {
            frame.set_cursor_position((area.x + label_width + 2 + field.cursor_columns(), y));
        }
    }
}

/// The form's notice, error and "working" lines.
pub(crate) fn messages(form: &Form, app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(info) = &form.info {
        lines.push(Line::styled(info.clone(), app.theme.notice()));
    }
    if let Some(error) = &form.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    if form.busy {
        lines.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    lines
}

/// `area` in a bordered block titled `title`; the inside.
pub(crate) fn framed(frame: &mut Frame<'_>, area: Rect, app: &App, title: String) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A form under a wrapped introduction, its error and whether it is working.
pub(crate) fn form_with_intro(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    intro: String,
    form: &crate::tui::screens::Form,
    labels: &[String],
) {
    let mut lines = vec![Line::styled(intro, app.theme.label())];
    if let Some(e) = &form.error {
        lines.push(Line::styled(e.clone(), app.theme.error()));
    }
    if form.busy {
        lines.push(Line::styled(app.t("paper.working"), app.theme.label()));
    }
    let height: usize = lines
        .iter()
        .map(|l| super::wrap_columns(&l.to_string(), area.width.max(1) as usize).len())
        .sum();
    let [top, body] =
        Layout::vertical([Constraint::Length(height as u16 + 1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), top);
    fields(frame, body, app, form, labels);
}
