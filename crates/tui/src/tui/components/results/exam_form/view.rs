//! Drawing the examinations: the list, newest first, and under it the selected exam's
//! answers by section (scrolled with PgDn); or the editor, section headings between its
//! rows, the focused item's choices or range above them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{ExamEditor, ExamsScreen, HEAD_ROWS};
use crate::domain::exam_form::{self, ItemKind};
use crate::tui::app::App;
use crate::tui::view::{framed, headed_rows, wrap_lines};

/// The line above the editor's rows about the focused row: a coded item's codes, a
/// number's range, what a 无/有 item takes, or that the value came from the results.
fn focus_hint(app: &App, editor: &ExamEditor, width: u16) -> Option<Line<'static>> {
    let focus = editor.form.focus;
    if focus < HEAD_ROWS {
        return Some(Line::styled(
            app.t(if focus == 0 {
                "examform.date_hint"
            } else {
                "examform.doctor_hint"
            }),
            app.theme.notice(),
        ));
    }
    let (_, item) = exam_form::form().items().nth(focus - HEAD_ROWS)?;
    let typed = editor.form.fields.get(focus)?.value.as_str();
    let mut line = match item.kind {
        ItemKind::Coded => crate::tui::view::code_choices(app, item.code_set()?, typed, width),
        ItemKind::Number => Line::styled(
            app.locale
                .tf("examform.range_hint", &[("range", &item.range_text())]),
            app.theme.notice(),
        ),
        ItemKind::Declared => Line::styled(app.t("record.declared_hint"), app.theme.notice()),
        ItemKind::Text => return None,
    };
    if editor.filled.contains(&item.id) {
        line.spans.push(ratatui::text::Span::raw(format!(
            " · {}",
            app.t("examform.from_results")
        )));
    }
    Some(line)
}

fn editor(frame: &mut Frame<'_>, area: Rect, app: &App, editor: &ExamEditor) {
    let mut head = vec![Line::styled(
        app.t("examform.editor_intro"),
        app.theme.label(),
    )];
    if let Some(info) = &editor.form.info {
        head.push(Line::styled(info.clone(), app.theme.notice()));
    }
    if let Some(error) = &editor.form.error {
        head.push(Line::styled(error.clone(), app.theme.error()));
    }
    if editor.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    if let Some(hint) = focus_hint(app, editor, area.width) {
        head.push(hint);
    }
    let head = wrap_lines(head, area.width);
    let [top, body] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(head), top);
    let lang = app.locale.lang;
    let mut labels = vec![app.t("examform.date"), app.t("examform.doctor")];
    let mut headings = Vec::new();
    let mut row = HEAD_ROWS;
    for section in &exam_form::form().sections {
        headings.push((row, format!("— {} —", section.name(lang))));
        for item in &section.items {
            labels.push(item.label(lang));
            row += 1;
        }
    }
    headed_rows(
        frame,
        body,
        app,
        (&editor.form, &labels, &editor.field_errors),
        &headings,
    );
}

/// The selected exam's answers, by section, skipping what was not examined.
fn answers(app: &App, screen: &ExamsScreen) -> Vec<Line<'static>> {
    let Some((version, _)) = screen.selected() else {
        return Vec::new();
    };
    let lang = app.locale.lang;
    let mut lines = Vec::new();
    for section in &exam_form::form().sections {
        let answered: Vec<String> = section
            .items
            .iter()
            .filter_map(|item| {
                let answer = version.form.answers.get(&item.id)?;
                Some(format!("{}: {}", item.label(lang), item.show(answer, lang)))
            })
            .collect();
        if answered.is_empty() {
            continue;
        }
        lines.push(Line::styled(
            section.name(lang).to_string(),
            app.theme.title(),
        ));
        lines.extend(answered.into_iter().map(|a| Line::from(format!("  {a}"))));
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            app.t("examform.nothing_answered"),
            app.theme.label(),
        ));
    }
    lines
}

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ExamsScreen) {
    let title = app.locale.tf("examform.title", &[("name", &screen.name)]);
    let inner = framed(frame, area, app, title);
    if let Some(e) = &screen.editor {
        return editor(frame, inner, app, e);
    }
    let mut top: Vec<Line<'static>> = Vec::new();
    if let Some(n) = &screen.notice {
        top.push(Line::styled(n.clone(), app.theme.notice()));
    }
    if let Some(e) = &screen.error {
        top.push(Line::styled(e.clone(), app.theme.error()));
    }
    let exams = match &screen.exams {
        None => {
            top.push(Line::from(app.t("common.working")));
            frame.render_widget(Paragraph::new(wrap_lines(top, inner.width)), inner);
            return;
        }
        Some(exams) if exams.is_empty() => {
            top.push(Line::styled(app.t("examform.none"), app.theme.label()));
            frame.render_widget(Paragraph::new(wrap_lines(top, inner.width)), inner);
            return;
        }
        Some(exams) => exams,
    };
    // At most five exams in view; the list scrolls with the cursor.
    let shown = exams.len().min(5);
    let first = screen
        .cursor
        .selected
        .saturating_sub(shown.saturating_sub(1))
        .min(exams.len() - shown);
    for (i, (version, count)) in exams.iter().enumerate().skip(first).take(shown) {
        let evaluation = version
            .form
            .answers
            .get("evaluation")
            .and_then(|a| {
                exam_form::form()
                    .item("evaluation")
                    .map(|i| i.show(a, app.locale.lang))
            })
            .unwrap_or_default();
        let text = app.locale.tf(
            "examform.row",
            &[
                ("number", &version.number.to_string()),
                ("date", &version.form.date.to_string()),
                ("doctor", &version.form.doctor),
                ("evaluation", &evaluation),
                ("versions", &count.to_string()),
            ],
        );
        let selected = i == screen.cursor.selected;
        let text = format!("{}{text}", if selected { "▸ " } else { "  " });
        top.push(if selected {
            Line::styled(text, app.theme.selected())
        } else {
            Line::from(text)
        });
    }
    let top = wrap_lines(top, inner.width);
    let [list, _, detail] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(top), list);
    let mut lines = wrap_lines(answers(app, screen), detail.width);
    let height = usize::from(detail.height);
    screen.scroll_max.set(lines.len().saturating_sub(height));
    let skip = screen.scroll.min(screen.scroll_max.get());
    lines.drain(..skip);
    if lines.len() > height && height > 0 {
        lines.truncate(height - 1);
        lines.push(Line::styled(app.t("record.more"), app.theme.notice()));
    }
    frame.render_widget(Paragraph::new(lines), detail);
}
