//! Importing results: the form, then the counts and each rejection with its place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::forms::fields;
use crate::tui::app::App;
use crate::tui::screens::ImportScreen;

pub fn import(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ImportScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", app.t("menu.import")),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [intro, form_area, result] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(6),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::styled(app.t("import.intro"), app.theme.label()))
            .wrap(Wrap { trim: true }),
        intro,
    );
    let labels = [
        app.t("import.file"),
        app.t("import.mapping"),
        app.t("import.create"),
    ];
    fields(frame, form_area, app, &screen.form, &labels);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &screen.form.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    if screen.form.busy {
        lines.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    if let Some(s) = &screen.summary {
        lines.push(Line::styled(
            app.locale.tf(
                "import.summary",
                &[
                    ("messages", &(s.messages + s.rejected).to_string()),
                    ("imported", &s.imported.to_string()),
                    ("duplicates", &s.duplicates.to_string()),
                    ("unmatched", &s.unmatched.to_string()),
                    ("rejected", &s.rejected.to_string()),
                    ("created", &s.created.to_string()),
                    ("skipped", &screen.skipped.to_string()),
                ],
            ),
            app.theme.notice(),
        ));
        if s.unread > 0 {
            lines.push(Line::styled(
                app.locale
                    .tf("import.unread", &[("unread", &s.unread.to_string())]),
                app.theme.error(),
            ));
        }
        if !screen.not_kept.is_empty() {
            let list = screen
                .not_kept
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(Line::styled(
                app.locale.tf("import.not_kept", &[("list", &list)]),
                app.theme.label(),
            ));
        }
        let extra = u16::from(s.unread > 0) + u16::from(!screen.not_kept.is_empty());
        let room = result.height.saturating_sub(2 + extra) as usize;
        for r in screen.rejected.iter().take(room) {
            lines.push(Line::styled(r.to_string(), app.theme.error()));
        }
        if screen.rejected.len() > room {
            lines.push(Line::styled(
                app.locale.tf(
                    "import.more",
                    &[("count", &(screen.rejected.len() - room).to_string())],
                ),
                app.theme.label(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), result);
}
