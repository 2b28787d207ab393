//! The consent grid: each channel and purpose with the decision in force, how and
//! when it was given, and by whom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::domain::consent::{Decision, Method};
use crate::domain::time::format_time;
use crate::tui::app::App;
use crate::tui::screens::{ConsentScreen, consent_rows};

pub fn consent(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ConsentScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} · {} ", app.t("consent.title"), screen.name),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [table_area, message] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(inner);
    let now = app.now.timestamp();
    let rows: Vec<Row> = consent_rows()
        .into_iter()
        .enumerate()
        .map(|(i, (channel, purpose))| {
            let current = screen
                .record
                .as_ref()
                .and_then(|r| r.current(channel, purpose, now));
            let decision = match current.map(|e| e.decision) {
                Some(Decision::Granted) => app.t("consent.granted"),
                Some(Decision::Refused) => app.t("consent.refused"),
                None => app.t("consent.none"),
            };
            let how = current
                .map(|e| match e.method {
                    Method::SignedForm => app.t("consent.signed_form"),
                    Method::Verbal => app.t("consent.verbal"),
                })
                .unwrap_or_default();
            let row = Row::new(vec![
                app.t(&format!("consent.{}", channel.name())),
                app.t(&format!("consent.{}", purpose.name())),
                decision,
                how,
                current
                    .map(|e| format_time(e.at)[..10].to_string())
                    .unwrap_or_default(),
                current.map(|e| e.recorded_by.clone()).unwrap_or_default(),
            ]);
            if i == screen.cursor.selected {
                row.style(app.theme.selected())
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(
        [
            "consent.channel",
            "consent.purpose",
            "consent.decision",
            "consent.how",
            "consent.when",
            "consent.by",
        ]
        .iter()
        .map(|k| app.t(k))
        .collect::<Vec<_>>(),
    )
    .style(app.theme.label());
    let widths = [
        Constraint::Length(13),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Min(8),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), table_area);
    let text = match &screen.error {
        Some(error) => Line::styled(error.clone(), app.theme.error()),
        None => Line::styled(app.t("consent.hint"), app.theme.label()),
    };
    frame.render_widget(Paragraph::new(text), message);
}
