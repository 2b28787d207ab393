//! A form of labelled one-line rows (a record section, a plan, a summary's narrative):
//! a message under each wrong row, a blank line before `gap_before` (the reason of an
//! amendment), scrolled so the focused row stays on screen, the cursor in it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::tui::app::App;
use crate::tui::screens::{Form, LineEditor};

pub(crate) fn rows(
    frame: &mut Frame<'_>,
    body: Rect,
    app: &App,
    rows: (&Form, &[String], &[Option<String>]),
    gap_before: Option<usize>,
) {
    let gap: Vec<(usize, String)> = gap_before.map(|i| (i, String::new())).into_iter().collect();
    headed_rows(frame, body, app, rows, &gap);
}

/// As `rows`, with a heading line before each row named in `headings` (a blank line
/// for an empty heading): the sections of a long form.
pub(crate) fn headed_rows(
    frame: &mut Frame<'_>,
    body: Rect,
    app: &App,
    (form, labels, errors): (&Form, &[String], &[Option<String>]),
    headings: &[(usize, String)],
) {
    let width = labels.iter().map(|l| l.width()).max().unwrap_or(0) + 2;
    let room = (body.width as usize).saturating_sub(width + 2);
    let mut lines: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    for (i, (field, label)) in form.fields.iter().zip(labels).enumerate() {
        if let Some((_, heading)) = headings.iter().find(|(at, _)| *at == i) {
            lines.push((Line::styled(heading.clone(), app.theme.title()), None));
        }
        let focused = i == form.focus;
        // The focused row scrolls sideways to keep the cursor in view.
        let text = if focused {
            field.window(room).0
        } else {
            field.shown()
        };
        let marker = if focused { "▸ " } else { "  " };
        let style = if focused {
            app.theme.focus()
        } else {
            app.theme.label()
        };
        lines.push((
            Line::from(vec![
                Span::styled(super::pad(&format!("{marker}{label}"), width + 2), style),
                field.styled(text),
            ]),
            Some(i),
        ));
        if let Some(Some(message)) = errors.get(i) {
            for part in super::wrap_columns(message, room) {
                lines.push((
                    Line::styled(
                        format!("{}{part}", " ".repeat(width + 2)),
                        app.theme.error(),
                    ),
                    None,
                ));
            }
        }
    }
    let height = body.height as usize;
    let focus_line = lines
        .iter()
        .position(|(_, i)| *i == Some(form.focus))
        .unwrap_or(0);
    // The focused row and the message under it stay in view (the message would say
    // what to type), and one row more when there is room.
    let focus_end = focus_line
        + lines
            .get(focus_line + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|(_, row)| row.is_none())
            .count();
    let first = (focus_end + 2).saturating_sub(height).min(focus_line);
    for (y, (line, row)) in lines.iter().skip(first).take(height).enumerate() {
        let rect = Rect {
            y: body.y + y as u16,
            height: 1,
            ..body
        };
        frame.render_widget(Paragraph::new(line.clone()), rect);
        if *row == Some(form.focus) {
            let field = &form.fields[form.focus];
            let column = field.window(room).1;
            frame.set_cursor_position((rect.x + width as u16 + 2 + column, rect.y));
        }
    }
}

/// The editor's intro, messages and rows; `first_label` names the first row.
pub(crate) fn line_editor(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    editor: &LineEditor,
    (intro, first_label): (&str, Option<String>),
) {
    let mut head = vec![Line::styled(intro.to_string(), app.theme.label())];
    if let Some(error) = &editor.form.error {
        head.push(Line::styled(error.clone(), app.theme.error()));
    }
    if editor.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    // The intro wraps: give it the lines it needs.
    let wrapped: usize = head
        .iter()
        .map(|l| super::wrap_columns(&l.to_string(), area.width.max(1) as usize).len())
        .sum();
    let [top, body] =
        Layout::vertical([Constraint::Length(wrapped as u16 + 1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
    let numbered = usize::from(first_label.is_some());
    let mut labels: Vec<String> = first_label.into_iter().collect();
    labels.extend((1..=editor.form.fields.len() - numbered).map(|n| format!("{n:>2}.")));
    rows(
        frame,
        body,
        app,
        (&editor.form, &labels, &editor.field_errors),
        None,
    );
}
