//! Advice: the drafted pieces (ticked to give, editable) and the advice given before.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::screens::AdviceScreen;

pub fn advice(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &AdviceScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale.tf("advice.title", &[("name", &screen.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line<'static>> = Vec::new();
    // The text being edited sits on the first line, so the cursor's place is exact
    // whatever wraps below it.
    if let Some(field) = &screen.editing {
        let label = format!("✎ {} ", app.t("advice.editing"));
        let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        lines.push(Line::from(vec![
            Span::styled(label, app.theme.focus()),
            Span::raw(field.shown()),
        ]));
        frame.set_cursor_position((inner.x + width + field.cursor_columns(), inner.y));
    }
    match &screen.draft {
        None => lines.push(Line::from(app.t("common.working"))),
        Some(draft) if draft.is_empty() => {
            lines.push(Line::styled(app.t("advice.none"), app.theme.label()))
        }
        Some(draft) => {
            lines.push(Line::styled(app.t("advice.draft"), app.theme.title()));
            for (i, (item, on)) in draft.iter().enumerate() {
                let tick = if *on { "[x]" } else { "[ ]" };
                let topic = app.t(&format!("advice.topic.{:?}", item.topic).to_lowercase());
                let selected = i == screen.cursor.selected;
                let text = item.text.clone();
                let line = format!(
                    "{} {tick} {topic}: {text}",
                    if selected { "▸" } else { " " }
                );
                lines.push(if selected {
                    Line::styled(line, app.theme.selected())
                } else {
                    Line::from(line)
                });
            }
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(app.t("advice.keys"), app.theme.label()));
    if let Some(n) = &screen.notice {
        lines.push(Line::styled(n.clone(), app.theme.notice()));
    }
    if let Some(e) = &screen.error {
        lines.push(Line::styled(e.clone(), app.theme.error()));
    }
    if !screen.given.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("advice.given"), app.theme.title()));
        for approved in screen.given.iter().take(3) {
            lines.push(Line::styled(
                format!(
                    "{} · {}",
                    crate::domain::time::format_time(approved.at),
                    approved.by
                ),
                app.theme.label(),
            ));
            for item in &approved.items {
                lines.push(Line::from(format!("  • {}", item.text)));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
