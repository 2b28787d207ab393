//! The consent screen (`c` on a patient): each channel and purpose with the decision
//! in force, how and when it was given, and by whom; the keys record a decision for
//! the selected row (granted on a signed form, granted verbally, refused).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::clinic::Request;
use crate::domain::consent::{Channel, ConsentRecord, Decision, Method, Purpose};
use crate::domain::patient::PatientId;
use crate::domain::time::format_time;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

/// A patient's consent, one row per channel and purpose.
#[derive(Debug)]
pub struct ConsentScreen {
    pub id: PatientId,
    pub name: String,
    pub record: Option<ConsentRecord>,
    pub cursor: Cursor,
    pub error: Option<String>,
}

/// The rows of the consent grid, channel by channel.
pub fn consent_rows() -> Vec<(Channel, Purpose)> {
    Channel::ALL
        .iter()
        .flat_map(|c| Purpose::ALL.iter().map(move |p| (*c, *p)))
        .collect()
}

impl ConsentScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            record: None,
            cursor: Cursor::default(),
            error: None,
        }
    }

    fn send(&self, desk: &mut Desk<'_>, request: Request) {
        desk.ask::<_, ConsentRecord>(request, |this: &mut Self, desk, reply| match reply {
            Ok(record) => {
                this.record = Some(record);
                this.error = None;
            }
            Err(e) => this.error = Some(desk.error_text(&e)),
        });
    }
}

const HINTS: &[Action] = &[Action::Grant, Action::Refuse, Action::Back];

impl Component for ConsentScreen {
    fn context(&self) -> Context {
        Context::Consent
    }

    fn hints(&self) -> Option<&'static [Action]> {
        Some(HINTS)
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        Some((&mut self.cursor, Channel::ALL.len() * Purpose::ALL.len()))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.send(desk, Request::ConsentGet { id: self.id });
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let (decision, method) = match action {
            Action::Grant => (Decision::Granted, Method::SignedForm),
            Action::GrantVerbal => (Decision::Granted, Method::Verbal),
            Action::Refuse => (Decision::Refused, Method::Verbal),
            _ => return Handled::Ignored,
        };
        if let Some((channel, purpose)) = consent_rows().get(self.cursor.selected).copied() {
            let request = Request::ConsentSet {
                id: self.id,
                channel,
                purpose,
                decision,
                method,
            };
            self.send(desk, request);
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} · {} ", app.t("consent.title"), self.name),
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
                let current = self
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
                if i == self.cursor.selected {
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
        let text = match &self.error {
            Some(error) => Line::styled(error.clone(), app.theme.error()),
            None => Line::styled(app.t("consent.hint"), app.theme.label()),
        };
        frame.render_widget(Paragraph::new(text), message);
    }
}
