//! The consent screen (F5 on a patient). First the two separate consents PIPL asks
//! for: to process health information (第29条) and to provide it to others (第23条),
//! each given under a version of the notice and, for a child under 14, by a guardian
//! whom the screen asks for. Then permission to contact, per channel and purpose. For
//! each row: the decision in force, how and when it was given, and by whom. The keys
//! record a decision for the selected row (granted on a signed form, granted verbally,
//! refused or withdrawn).

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};

use crate::clinic::Request;
use crate::domain::consent::{
    Channel, ConsentRecord, Decision, GUARDIAN_UNDER_YEARS, Guardian, Method, Processing, Purpose,
};
use crate::domain::patient::PatientId;
use crate::domain::time::format_time;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

/// One row of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentRow {
    Separate(Processing),
    Contact(Channel, Purpose),
}

/// The rows: the separate consents, then contact channel by channel.
pub fn consent_rows() -> Vec<ConsentRow> {
    Processing::ALL
        .iter()
        .map(|p| ConsentRow::Separate(*p))
        .chain(Channel::ALL.iter().flat_map(|c| {
            Purpose::ALL
                .iter()
                .map(move |p| ConsentRow::Contact(*c, *p))
        }))
        .collect()
}

/// A grant of a separate consent for a child, waiting for the guardian's name and
/// relationship.
#[derive(Debug)]
pub struct GuardianForm {
    scope: Processing,
    method: Method,
    form: Form,
}

/// A patient's consent.
#[derive(Debug)]
pub struct ConsentScreen {
    pub id: PatientId,
    pub name: String,
    /// To know a child (under 14), whose consent a guardian gives.
    pub birth_date: Option<NaiveDate>,
    pub record: Option<ConsentRecord>,
    pub cursor: Cursor,
    pub guardian: Option<GuardianForm>,
    pub error: Option<String>,
}

impl ConsentScreen {
    pub fn new(id: PatientId, name: String, birth_date: Option<NaiveDate>) -> Self {
        Self {
            id,
            name,
            birth_date,
            record: None,
            cursor: Cursor::default(),
            guardian: None,
            error: None,
        }
    }

    fn send(&self, desk: &mut Desk<'_>, request: Request) {
        desk.ask::<_, ConsentRecord>(request, |this: &mut Self, desk, reply| match reply {
            Ok(record) => {
                this.record = Some(record);
                this.guardian = None;
                this.error = None;
            }
            Err(e) => this.error = Some(desk.error_text(&e)),
        });
    }

    fn is_child(&self, desk: &Desk<'_>) -> bool {
        let today = crate::domain::time::clinic_zone().today(desk.now);
        self.birth_date
            .and_then(|born| today.years_since(born))
            .is_some_and(|age| age < GUARDIAN_UNDER_YEARS)
    }

    /// Sends a separate consent, with the guardian the form holds (a child's).
    fn separate(&self, desk: &mut Desk<'_>, scope: Processing, decision: Decision, method: Method) {
        let guardian = self.guardian.as_ref().map(|g| Guardian {
            name: g.form.fields[0].value.trim().to_string(),
            relationship: g.form.fields[1].value.trim().to_string(),
        });
        self.send(
            desk,
            Request::ConsentProcessingSet {
                id: self.id,
                scope,
                decision,
                method,
                guardian,
            },
        );
    }

    fn on_guardian_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(guardian) = &mut self.guardian else {
            return;
        };
        match action {
            Action::Back => {
                self.guardian = None;
                self.error = None;
            }
            Action::NextField | Action::PrevField => guardian.form.focus = 1 - guardian.form.focus,
            Action::Submit | Action::Save if guardian.form.focus == 0 => guardian.form.focus = 1,
            Action::Submit | Action::Save => {
                let (scope, method) = (guardian.scope, guardian.method);
                self.separate(desk, scope, Decision::Granted, method);
            }
            _ => {}
        }
    }
}

const HINTS: &[Action] = &[Action::Grant, Action::Refuse, Action::Back];

impl Component for ConsentScreen {
    fn context(&self) -> Context {
        if self.guardian.is_some() {
            Context::Form
        } else {
            Context::Consent
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        self.guardian.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.guardian.as_mut().map(|g| g.form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.guardian.is_some() {
            return None;
        }
        let rows = consent_rows().len();
        Some((&mut self.cursor, rows))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.send(desk, Request::ConsentGet { id: self.id });
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.guardian.is_some() {
            self.on_guardian_action(desk, action);
            return Handled::Consumed;
        }
        let (decision, method) = match action {
            Action::Grant => (Decision::Granted, Method::SignedForm),
            Action::GrantVerbal => (Decision::Granted, Method::Verbal),
            Action::Refuse => (Decision::Refused, Method::Verbal),
            _ => return Handled::Ignored,
        };
        match consent_rows().get(self.cursor.selected).copied() {
            Some(ConsentRow::Separate(scope)) => {
                if decision == Decision::Granted && self.is_child(desk) {
                    self.guardian = Some(GuardianForm {
                        scope,
                        method,
                        form: Form::new(vec![Field::default(), Field::default()]),
                    });
                    self.error = None;
                } else {
                    self.separate(desk, scope, decision, method);
                }
            }
            Some(ConsentRow::Contact(channel, purpose)) => {
                let request = Request::ConsentSet {
                    id: self.id,
                    channel,
                    purpose,
                    decision,
                    method,
                };
                self.send(desk, request);
            }
            None => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        render(frame, area, app, self);
    }
}

/// What a row shows: its two labels, the decision, how, when, by whom, and (for a
/// separate consent) the notice's version and the guardian.
pub(crate) struct RowView {
    pub labels: [String; 2],
    pub decision: Option<Decision>,
    pub method: Option<Method>,
    pub at: Option<i64>,
    pub by: String,
    pub detail: Option<String>,
}

impl ConsentScreen {
    pub(crate) fn row_view(&self, app: &App, row: ConsentRow) -> RowView {
        let now = app.now.timestamp();
        match row {
            ConsentRow::Separate(scope) => {
                let current = self
                    .record
                    .as_ref()
                    .and_then(|r| r.processing_current(scope, now));
                RowView {
                    labels: [
                        app.t("consent.separate"),
                        app.t(&format!("consent.{}", scope.name())),
                    ],
                    decision: current.map(|e| e.decision),
                    method: current.map(|e| e.method),
                    at: current.map(|e| e.at),
                    by: current.map(|e| e.recorded_by.clone()).unwrap_or_default(),
                    detail: current.map(|e| {
                        let notice = app
                            .locale
                            .tf("consent.notice_version", &[("version", &e.notice_version)]);
                        match &e.guardian {
                            Some(g) => format!(
                                "{notice} · {}",
                                app.locale.tf(
                                    "consent.by_guardian",
                                    &[("name", &g.name), ("relationship", &g.relationship)]
                                )
                            ),
                            None => notice,
                        }
                    }),
                }
            }
            ConsentRow::Contact(channel, purpose) => {
                let current = self
                    .record
                    .as_ref()
                    .and_then(|r| r.current(channel, purpose, now));
                RowView {
                    labels: [
                        app.t(&format!("consent.{}", channel.name())),
                        app.t(&format!("consent.{}", purpose.name())),
                    ],
                    decision: current.map(|e| e.decision),
                    method: current.map(|e| e.method),
                    at: current.map(|e| e.at),
                    by: current.map(|e| e.recorded_by.clone()).unwrap_or_default(),
                    detail: None,
                }
            }
        }
    }
}

/// The row's cells in the table's order.
fn cells(app: &App, view: &RowView) -> Vec<String> {
    let decision = match view.decision {
        Some(Decision::Granted) => app.t("consent.granted"),
        Some(Decision::Refused) => app.t("consent.refused"),
        None => app.t("consent.none"),
    };
    let how = view
        .method
        .map(|m| match m {
            Method::SignedForm => app.t("consent.signed_form"),
            Method::Verbal => app.t("consent.verbal"),
        })
        .unwrap_or_default();
    vec![
        view.labels[0].clone(),
        view.labels[1].clone(),
        decision,
        how,
        view.at
            .map(|at| format_time(at)[..10].to_string())
            .unwrap_or_default(),
        view.by.clone(),
    ]
}

fn render(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ConsentScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} · {} ", app.t("consent.title"), screen.name),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let selected = consent_rows()
        .get(screen.cursor.selected)
        .map(|row| screen.row_view(app, *row));
    // Under the table: the selected separate consent's notice and guardian, the
    // guardian form while it is open, then the error or the keys.
    let mut lines: Vec<Line> = Vec::new();
    if let Some(detail) = selected.as_ref().and_then(|v| v.detail.clone()) {
        lines.push(Line::from(detail));
    }
    let form_rows = if screen.guardian.is_some() { 3 } else { 0 };
    match &screen.error {
        Some(error) => lines.push(Line::styled(error.clone(), app.theme.error())),
        // The form says its own keys.
        None if screen.guardian.is_some() => {}
        None => lines.push(Line::styled(app.t("consent.hint"), app.theme.label())),
    }
    let lines = crate::tui::view::wrap_lines(lines, inner.width);
    let [table_area, form_area, message_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(form_rows),
        Constraint::Length(lines.len() as u16 + 1),
    ])
    .areas(inner);
    let rows: Vec<Row> = consent_rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let row = Row::new(cells(app, &screen.row_view(app, row)));
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
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Min(8),
    ];
    // The selection stays in view when the rows outnumber the screen's.
    let mut state = TableState::default().with_selected(Some(screen.cursor.selected));
    frame.render_stateful_widget(
        Table::new(rows, widths).header(header),
        table_area,
        &mut state,
    );
    if let Some(guardian) = &screen.guardian {
        let [intro, fields] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(form_area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                app.locale.tf(
                    "consent.guardian_intro",
                    &[("years", &GUARDIAN_UNDER_YEARS.to_string())],
                ),
                app.theme.notice(),
            )),
            intro,
        );
        let labels = vec![
            app.t("consent.guardian_name"),
            app.t("consent.guardian_relationship"),
        ];
        crate::tui::view::line_editor_rows(
            frame,
            fields,
            app,
            (&guardian.form, &labels, &[None, None]),
            None,
        );
    }
    frame.render_widget(Paragraph::new(lines), message_area);
}
