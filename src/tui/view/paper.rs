//! The paper screens: the report preview (the same blocks the PDF prints, as text,
//! only the visible lines built into widgets) and the printer choice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::report::{health_report, text};
use crate::tui::app::App;
use crate::tui::paper_screens::{PrintScreen, PrintWhat, ReportScreen};

fn framed(frame: &mut Frame<'_>, area: Rect, app: &App, title: String) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

fn form_with_intro(
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
    super::forms::fields(frame, body, app, form, labels);
}

pub fn report(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ReportScreen) {
    let (from, to) = match &screen.data {
        Some(d) => (d.period.from.to_string(), d.period.to.to_string()),
        None => (String::new(), String::new()),
    };
    let title = app.locale.tf(
        "paper.title",
        &[("name", &screen.name), ("from", &from), ("to", &to)],
    );
    let inner = framed(frame, area, app, title);
    if let Some(form) = &screen.period {
        let labels = [app.t("paper.from"), app.t("paper.to")];
        return form_with_intro(
            frame,
            inner,
            app,
            app.t("paper.period_intro"),
            form,
            &labels,
        );
    }
    let mut head: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &screen.error {
        head.push(Line::styled(e.clone(), app.theme.error()));
    }
    if screen.unmask {
        head.push(Line::styled(app.t("paper.unmasked"), app.theme.notice()));
    }
    head.push(Line::styled(app.t("paper.keys"), app.theme.label()));
    let [top, body] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(head), top);
    let Some(data) = &screen.data else {
        frame.render_widget(Paragraph::new(app.t("common.working")), body);
        return;
    };
    let document = health_report::build(data, app.locale.lang);
    let lines = text::lines(&document, body.width.saturating_sub(1).max(20) as usize);
    let height = body.height as usize;
    let start = screen.scroll.min(lines.len().saturating_sub(height));
    let visible: Vec<Line<'static>> = lines
        .into_iter()
        .skip(start)
        .take(height)
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(visible), body);
}

pub fn print(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &PrintScreen) {
    let what = match screen.what {
        PrintWhat::Report { .. } => app.t("paper.what_report"),
        PrintWhat::Card { .. } => app.t("paper.what_card"),
    };
    let title = app.locale.tf(
        "paper.print_title",
        &[("what", &what), ("name", &screen.name)],
    );
    let inner = framed(frame, area, app, title);
    if let Some(form) = &screen.file {
        let labels = [app.t("paper.file")];
        return form_with_intro(frame, inner, app, app.t("paper.file_intro"), form, &labels);
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &screen.error {
        lines.push(Line::styled(e.clone(), app.theme.error()));
    }
    if let Some(n) = &screen.notice {
        lines.push(Line::styled(n.clone(), app.theme.notice()));
    }
    if screen.busy {
        lines.push(Line::styled(app.t("paper.working"), app.theme.label()));
    }
    match &screen.printers {
        None => lines.push(Line::styled(app.t("paper.asking"), app.theme.label())),
        Some(Err(why)) => lines.push(Line::styled(why.clone(), app.theme.error())),
        Some(Ok(list)) if list.is_empty() => {
            lines.push(Line::styled(app.t("paper.no_printers"), app.theme.label()))
        }
        Some(Ok(_)) => {}
    }
    lines.push(Line::raw(""));
    let mut rows: Vec<String> = match &screen.printers {
        Some(Ok(list)) => list
            .iter()
            .map(|p| {
                let mut row = p.name.clone();
                if p.name == app.settings.printer {
                    row.push(' ');
                    row.push_str(&app.t("paper.configured"));
                }
                if p.default {
                    row.push(' ');
                    row.push_str(&app.t("paper.default"));
                }
                row
            })
            .collect(),
        _ => Vec::new(),
    };
    if screen.printers.is_some() {
        rows.push(app.t("paper.file_row"));
    }
    for (i, row) in rows.into_iter().enumerate() {
        let selected = i == screen.cursor.selected;
        let marker = if selected { "▶ " } else { "  " };
        let style = if selected {
            app.theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(format!("{marker}{row}"), style));
    }
    if screen.printers.is_some() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(app.t("paper.keys_print"), app.theme.label()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
