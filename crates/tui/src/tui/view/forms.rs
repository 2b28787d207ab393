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

/// The codes of a coded field that match what is typed (after the last separator of a
/// field that takes several), as many as fit on three lines of `width`.
pub(crate) fn code_choices(
    app: &App,
    set: &crate::domain::code_sets::CodeSet,
    typed: &str,
    width: u16,
) -> Line<'static> {
    let word = if set.multiple {
        typed.rsplit([',', '，', '、', '/']).next().unwrap_or("")
    } else {
        typed
    };
    let mut codes = set.matching(word);
    // A value as shown ("01 汉族") matches nothing: the whole list again.
    if codes.is_empty() {
        codes = set.matching("");
    }
    let lang = app.locale.lang;
    let budget = usize::from(width).saturating_mul(3).saturating_sub(2);
    let mut shown = String::new();
    for code in codes {
        // No break between a code and its name.
        let item = code.shown(lang).replacen(' ', "\u{a0}", 1);
        let sep = if shown.is_empty() { "" } else { " · " };
        if unicode_width::UnicodeWidthStr::width(format!("{shown}{sep}{item} …").as_str()) > budget
        {
            shown.push_str(" …");
            break;
        }
        shown.push_str(sep);
        shown.push_str(&item);
    }
    Line::styled(shown, app.theme.notice())
}
