//! The state of each screen. Views (`view/`) draw them; `app.rs` changes them.

use crate::auth::Permission;
use crate::clinic::PatientView;
use crate::clinic::api::HomeSummary;
use crate::clinic::name_index::PatientRow;
use crate::domain::card::Card;
use crate::domain::patient::PatientId;

use super::field::Field;
use super::keymap::Context;

pub use super::chart_screens::*;
pub use super::line_editor::{LineEditor, Navigation};

/// A form: fields, which one has the cursor, the last error.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub info: Option<String>,
    pub busy: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        Self {
            fields,
            ..Self::default()
        }
    }

    pub fn focused(&mut self) -> &mut Field {
        let i = self.focus.min(self.fields.len().saturating_sub(1));
        &mut self.fields[i]
    }

    pub fn value(&self, i: usize) -> &str {
        &self.fields[i].value
    }
}

/// A list's selection and scroll position; only the visible rows are ever drawn.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize + delta).clamp(0, len as isize - 1);
        self.selected = target as usize;
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Register,
    Search,
    ExamDay,
    Alerts,
    Audit,
    Users,
    Review,
    Import,
    FollowUps,
    /// Who looked at a patient (the privacy officer).
    PatientAccess,
    /// The accounting of disclosures of a patient.
    Disclosures,
}

impl MenuItem {
    pub const ALL: [MenuItem; 11] = [
        MenuItem::Register,
        MenuItem::Search,
        MenuItem::FollowUps,
        MenuItem::ExamDay,
        MenuItem::Review,
        MenuItem::Import,
        MenuItem::Alerts,
        MenuItem::Audit,
        MenuItem::PatientAccess,
        MenuItem::Disclosures,
        MenuItem::Users,
    ];

    pub fn permission(self) -> Permission {
        match self {
            MenuItem::Register => Permission::CardManage,
            MenuItem::Search => Permission::PatientSearch,
            MenuItem::ExamDay => Permission::AppointmentManage,
            MenuItem::Alerts => Permission::AlertsRead,
            MenuItem::Audit => Permission::AuditRead,
            MenuItem::Users => Permission::UserAdmin,
            MenuItem::Review => Permission::ResultsImport,
            MenuItem::Import => Permission::ResultsImport,
            MenuItem::FollowUps => Permission::FollowUpWork,
            MenuItem::PatientAccess | MenuItem::Disclosures => Permission::AuditRead,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            MenuItem::Register => "menu.register",
            MenuItem::Search => "menu.search",
            MenuItem::ExamDay => "menu.exam_day",
            MenuItem::Alerts => "menu.alerts",
            MenuItem::Audit => "menu.audit",
            MenuItem::Users => "menu.users",
            MenuItem::Review => "menu.review",
            MenuItem::Import => "menu.import",
            MenuItem::FollowUps => "menu.followups",
            MenuItem::PatientAccess => "menu.patient_access",
            MenuItem::Disclosures => "menu.disclosures",
        }
    }
}

#[derive(Debug, Default)]
pub struct Home {
    pub summary: Option<HomeSummary>,
    pub menu: Vec<MenuItem>,
    pub cursor: Cursor,
}

#[derive(Debug, Default)]
pub struct Search {
    pub query: Field,
    pub rows: Vec<PatientRow>,
    pub total: u64,
    pub cursor: Cursor,
    /// The query the rows answer (Enter on an unchanged query opens the selection).
    pub answered: Option<String>,
    pub busy: bool,
    pub error: Option<String>,
}

/// The registration form's fields, in order; their labels and help are in the
/// catalogs under `register.<name>` and `help.register.<name>`.
pub use crate::domain::patient::REGISTRATION_FIELDS as REGISTER_FIELDS;

#[derive(Debug)]
pub enum RegisterOutcome {
    Issued {
        id: PatientId,
        name: String,
        card: Card,
    },
    /// Already registered: open one of them instead.
    Duplicates {
        rows: Vec<PatientRow>,
        cursor: Cursor,
    },
}

#[derive(Debug)]
pub struct Register {
    pub form: Form,
    /// A message next to each field that is wrong.
    pub field_errors: Vec<Option<String>>,
    pub outcome: Option<RegisterOutcome>,
}

impl Register {
    pub fn new() -> Self {
        let mut fields: Vec<Field> = REGISTER_FIELDS.iter().map(|_| Field::default()).collect();
        fields[4] = Field::with("R");
        fields[8] = Field::with("basic");
        Self {
            form: Form::new(fields),
            field_errors: vec![None; REGISTER_FIELDS.len()],
            outcome: None,
        }
    }
}

impl Default for Register {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug)]
pub struct PatientScreen {
    pub id: PatientId,
    pub view: Option<PatientView>,
    /// The patient's cards, newest last.
    pub cards: Option<Vec<Card>>,
    /// Restricted: the reason form for break-glass.
    pub reason: Option<Form>,
    /// Editing the tags: one field, comma-separated.
    pub tag_form: Option<Form>,
    /// Booking an exam: package, date.
    pub book_form: Option<Form>,
    /// What the last action on this patient did (e.g. an exam booked).
    pub notice: Option<String>,
    pub error: Option<String>,
}

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
    pub review_unread: Vec<Vec<String>>,
    /// What the prompt asks for on the review list.
    pub prompt_kind: PromptKind,
    /// For the alerts list: the alert behind each row.
    pub alerts: Vec<crate::clinic::alerts::AlertView>,
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
}

// One screen exists at a time (plus a short stack), so boxing the larger variants
// would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Screen {
    /// User name, password, code.
    Login(Form),
    /// First sign-in: new password twice (the one-time password is kept for the call).
    SetPassword {
        user: String,
        one_time: Field,
        form: Form,
    },
    /// Scan the QR code, type the first code. After an activation the code confirms the
    /// enrolment through a normal sign-in; after a TOTP reset, through `pending`.
    Enrol {
        user: String,
        password: Field,
        uri: String,
        recovery_codes: Vec<String>,
        pending: Option<crate::clinic::SessionToken>,
        form: Form,
    },
    RecoveryCodes(Vec<String>),
    Home(Home),
    Search(Search),
    Patient(PatientScreen),
    List(List),
    Register(Register),
    Record(RecordScreen),
    /// A screen that owns its keys, replies and drawing (`component.rs`).
    Component(super::component::Mounted),
}

impl Screen {
    pub fn context(&self) -> Context {
        match self {
            Screen::Component(mounted) => mounted.component.context(),
            Screen::Login(_) | Screen::SetPassword { .. } | Screen::Enrol { .. } => Context::Form,
            Screen::RecoveryCodes(_) => Context::View,
            Screen::List(list) if list.prompt.is_some() => Context::Form,
            Screen::Home(_) | Screen::List(_) => Context::List,
            Screen::Record(r) if r.editor.is_some() => Context::Form,
            Screen::Record(_) => Context::Record,
            Screen::Search(_) => Context::Search,
            Screen::Patient(p)
                if p.reason.is_some() || p.tag_form.is_some() || p.book_form.is_some() =>
            {
                Context::Form
            }
            Screen::Patient(_) => Context::View,
            Screen::Register(r) => match r.outcome {
                None => Context::Form,
                Some(RegisterOutcome::Duplicates { .. }) => Context::List,
                Some(RegisterOutcome::Issued { .. }) => Context::View,
            },
        }
    }

    /// The actions the status bar names first, when the screen chooses them.
    pub fn hints(&self) -> Option<&'static [super::action::Action]> {
        match self {
            Screen::Component(mounted) => mounted.component.hints(),
            _ => None,
        }
    }

    /// The text field that takes typed characters, if any.
    pub fn text_field(&mut self) -> Option<&mut Field> {
        match self {
            Screen::Component(mounted) => mounted.component.text_field(),
            Screen::Login(form) | Screen::SetPassword { form, .. } | Screen::Enrol { form, .. } => {
                Some(form.focused())
            }
            Screen::Search(s) => Some(&mut s.query),
            Screen::Patient(PatientScreen {
                reason: Some(form), ..
            }) => Some(form.focused()),
            Screen::Patient(PatientScreen {
                tag_form: Some(form),
                ..
            }) => Some(form.focused()),
            Screen::Patient(PatientScreen {
                book_form: Some(form),
                ..
            }) => Some(form.focused()),
            Screen::Register(Register {
                form,
                outcome: None,
                ..
            }) => Some(form.focused()),
            Screen::Record(RecordScreen {
                editor: Some(editor),
                ..
            }) => Some(editor.form.focused()),
            Screen::List(List {
                prompt: Some(form), ..
            }) => Some(form.focused()),
            _ => None,
        }
    }

    /// The selection of a screen that is a list, and the list's length.
    pub fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        match self {
            Screen::Component(mounted) => mounted.component.list_cursor(),
            Screen::Home(home) => Some((&mut home.cursor, home.menu.len())),
            Screen::Search(search) => Some((&mut search.cursor, search.rows.len())),
            Screen::List(list) => Some((&mut list.cursor, list.rows.len())),
            Screen::Record(RecordScreen {
                history: Some(h), ..
            }) => Some((&mut h.cursor, h.entries.len())),
            Screen::Record(r) if r.editor.is_none() => Some((&mut r.cursor, r.sections.len())),
            Screen::Register(Register {
                outcome: Some(RegisterOutcome::Duplicates { rows, cursor }),
                ..
            }) => Some((cursor, rows.len())),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub enum Overlay {
    Help,
    Palette {
        query: Field,
        cursor: Cursor,
    },
    /// Enter confirms, Esc cancels.
    ConfirmLost {
        patient: PatientId,
        number: String,
    },
}
