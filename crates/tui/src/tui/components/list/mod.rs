//! The list screens (Home → exam day, review, alerts, audit, users, who looked at a
//! patient, disclosures): one screen, its rows by the kind of list. What a kind does
//! beyond showing rows is in its own file: `exam_day.rs` (check in, no-show, cancel,
//! reschedule, another day), `review.rs` (match, create, reject unmatched results),
//! `alerts.rs` (acknowledge), `rights.rs` (whose record first); `table.rs` makes the
//! rows from the reply, `view.rs` draws them.

mod alerts;
mod exam_day;
mod retention;
mod review;
mod rights;
mod rights_log;
pub mod table;
mod view;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::table::Rows;
use crate::clinic::{Reply, Request, ServiceError};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Alerts,
    Audit,
    Users,
    ExamDay,
    /// Results that matched no patient.
    Review,
    /// Every access to one patient's record.
    PatientAccess,
    /// The disclosures of one patient's information.
    Disclosures,
    /// Patients' requests over their information, soonest due first.
    RightsLog,
    /// Records past their retention, oldest activity first.
    Retention,
}

/// What a list's one-line prompt is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PromptKind {
    /// The exam day: the new date of a booking.
    #[default]
    NewDate,
    /// The review list: the patient (card, ID or phone) the results belong to.
    MatchPatient,
    /// The review list: why the results are rejected.
    RejectReason,
    /// The alerts list: what was done about the alert.
    AcknowledgeNote,
    /// The patient-rights lists: whose record (card, ID or phone number).
    PatientKey,
    /// The rights log, logging a request: whose, which right, what was asked.
    RightsPatient,
    RightsKind,
    RightsAsked,
    /// The rights log, answering the selected request: how, and what was done.
    RightsOutcome,
    RightsNote,
    /// The retention review: "yes" keeps the selected record stored only.
    RetentionConfirm,
}

#[derive(Debug)]
pub struct List {
    pub kind: ListKind,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub cursor: Cursor,
    pub loading: bool,
    /// For the exam day: the booking behind each row (none for the summary rows).
    pub bookings: Vec<Option<crate::clinic::api::BookingKey>>,
    /// For the exam day: which day is shown.
    pub date: Option<chrono::NaiveDate>,
    /// For the exam day: the new date of the selected booking being rescheduled.
    pub prompt: Option<Form>,
    /// What the last change did, or why it was refused.
    pub message: Option<(bool, String)>,
    /// For the review list: the item behind each row.
    pub reviews: Vec<u64>,
    /// For the review list: each row's results that could not be read, shown under
    /// the list for the selected row.
    pub review_unread: Vec<Vec<crate::i18n::Text>>,
    /// What the prompt asks for on the review list.
    pub prompt_kind: PromptKind,
    /// For the alerts list: the alert behind each row.
    pub alerts: Vec<crate::clinic::oversight::alerts::AlertView>,
    /// For the rights log: each row's request number and whether it is answered.
    pub rights: Vec<(u64, bool)>,
    /// For the rights log: what the steps of the prompt have taken so far.
    pub rights_draft: Vec<String>,
    /// For the retention review: each row's patient and whether stored only already.
    pub retention: Vec<(crate::domain::patient::PatientId, bool)>,
}

impl List {
    /// A list of `kind` as it opens: loading, or (whose record?) asking first.
    pub fn new(kind: ListKind, now: DateTime<Utc>) -> Self {
        let asks_first = matches!(kind, ListKind::PatientAccess | ListKind::Disclosures);
        Self {
            kind,
            headers: Vec::new(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            loading: !asks_first,
            bookings: Vec::new(),
            date: (kind == ListKind::ExamDay)
                .then(|| crate::domain::time::clinic_zone().today(now)),
            prompt: asks_first.then(|| Form::new(vec![Field::default()])),
            message: None,
            reviews: Vec::new(),
            review_unread: Vec::new(),
            prompt_kind: if asks_first {
                PromptKind::PatientKey
            } else {
                PromptKind::default()
            },
            alerts: Vec::new(),
            rights: Vec::new(),
            rights_draft: Vec::new(),
            retention: Vec::new(),
        }
    }

    /// Asks for the rows again (the request this kind of list shows).
    pub(crate) fn reload(&mut self, desk: &mut Desk<'_>) {
        let request = match self.kind {
            ListKind::Alerts => alerts::request(desk),
            ListKind::Audit => Request::AuditEvents {
                from: None,
                to: None,
                limit: 100_000,
                after: None,
            },
            ListKind::Users => Request::UserList,
            ListKind::RightsLog => Request::RightsRequestList { open_only: false },
            ListKind::Retention => Request::RetentionReview { limit: 1000 },
            ListKind::Review => Request::ReviewList,
            ListKind::ExamDay => Request::ExamDay {
                date: self
                    .date
                    .unwrap_or(crate::domain::time::clinic_zone().today(desk.now)),
            },
            // Asked for a patient first (`rights.rs`).
            ListKind::PatientAccess | ListKind::Disclosures => return,
        };
        self.ask(desk, request);
    }

    /// Sends the request whose reply is the list's rows, asked for as this kind of
    /// list's reply type.
    fn ask(&mut self, desk: &mut Desk<'_>, request: Request) {
        match self.kind {
            ListKind::Alerts => Self::ask_rows(desk, request, Rows::Alerts),
            ListKind::Audit => Self::ask_rows(desk, request, Rows::Audit),
            ListKind::Users => Self::ask_rows(desk, request, Rows::Users),
            ListKind::ExamDay => Self::ask_rows(desk, request, Rows::ExamDay),
            ListKind::Review => Self::ask_rows(desk, request, Rows::Review),
            ListKind::PatientAccess => Self::ask_rows(desk, request, Rows::Access),
            ListKind::Disclosures => Self::ask_rows(desk, request, Rows::Disclosures),
            ListKind::Retention => Self::ask_rows(desk, request, Rows::Retention),
            ListKind::RightsLog => Self::ask_rows(desk, request, Rows::RightsLog),
        }
    }

    fn ask_rows<T: Reply + 'static>(desk: &mut Desk<'_>, request: Request, rows: fn(T) -> Rows) {
        desk.ask::<_, T>(request, move |this: &mut Self, desk, reply| {
            this.on_rows(desk, reply.map(rows))
        });
    }

    fn on_rows(&mut self, desk: &mut Desk<'_>, rows: Result<Rows, ServiceError>) {
        self.bookings = match &rows {
            Ok(Rows::ExamDay(day)) => std::iter::repeat_n(None, day.places.len())
                .chain(day.bookings.iter().map(|(b, _)| {
                    Some(crate::clinic::api::BookingKey {
                        date: b.date,
                        id: b.id,
                    })
                }))
                .collect(),
            _ => Vec::new(),
        };
        (self.reviews, self.review_unread) = match &rows {
            Ok(Rows::Review(items)) => items.iter().map(|i| (i.number, i.unread.clone())).unzip(),
            _ => (Vec::new(), Vec::new()),
        };
        self.alerts = match &rows {
            Ok(Rows::Alerts(alerts)) => alerts.clone(),
            _ => Vec::new(),
        };
        self.rights = match &rows {
            Ok(Rows::RightsLog(requests)) => requests
                .iter()
                .map(|r| (r.request.id, r.request.answer.is_some()))
                .collect(),
            _ => Vec::new(),
        };
        self.retention = match &rows {
            Ok(Rows::Retention(due)) => due.iter().map(|r| (r.patient, r.stored_only)).collect(),
            _ => Vec::new(),
        };
        (self.headers, self.rows) = table::table(desk.locale, &rows);
        self.loading = false;
    }

    /// A one-line prompt for `kind` under the list.
    fn prompt(&mut self, kind: PromptKind, value: &str) {
        self.prompt_kind = kind;
        self.message = None;
        self.prompt = Some(Form::new(vec![Field::with(value)]));
    }

    /// A change answered: a refusal stays in the prompt to be corrected; otherwise the
    /// prompt closes and the message says what happened. False if it stayed.
    fn settle(&mut self, message: (bool, String)) -> bool {
        if let (Some(form), false) = (&mut self.prompt, message.0) {
            form.busy = false;
            form.error = Some(message.1);
            return false;
        }
        self.prompt = None;
        self.message = Some(message);
        true
    }
}

impl Component for List {
    fn context(&self) -> Context {
        if self.prompt.is_some() {
            return Context::Form;
        }
        match self.kind {
            ListKind::ExamDay => Context::ExamDay,
            ListKind::Review => Context::Review,
            ListKind::Alerts => Context::Alerts,
            ListKind::RightsLog => Context::Rights,
            _ => Context::List,
        }
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.prompt.as_mut().map(|form| form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        Some((&mut self.cursor, self.rows.len()))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.reload(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let taken = match self.kind {
            ListKind::ExamDay => self.on_exam_day_action(desk, action),
            ListKind::Review => self.on_review_action(desk, action),
            ListKind::Alerts => self.on_alert_action(desk, action),
            ListKind::PatientAccess | ListKind::Disclosures => self.on_rights_action(desk, action),
            ListKind::RightsLog => self.on_rights_log_action(desk, action),
            ListKind::Retention => self.on_retention_action(desk, action),
            ListKind::Audit | ListKind::Users => false,
        };
        if taken {
            Handled::Consumed
        } else {
            Handled::Ignored
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::list(frame, area, app, self);
    }
}
