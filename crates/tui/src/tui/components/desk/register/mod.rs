//! The registration form (开卡): every field checked as it is typed would be, with the
//! message next to the field; the service checks again and looks for duplicates. The
//! card issued goes to the printer; duplicates found are offered instead
//! (`view.rs` draws the three states).

mod from_id;
mod view;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::clinic::desk::name_index::PatientRow;
use crate::clinic::{Registration, Request, ServiceError};
use crate::domain::amendment::Demographics;
use crate::domain::card::Card;
use crate::domain::demographics_form;
use crate::domain::patient::{Patient, PatientId};
use crate::i18n::Locale;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::desk::patient::PatientScreen;
use crate::tui::components::desk::print::{PrintScreen, PrintWhat};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

/// The registration form's fields, in order; their labels and help are in the
/// catalogs under `register.<name>` and `help.register.<name>`.
pub use crate::domain::patient::REGISTRATION_FIELDS as REGISTER_FIELDS;

/// The registration form's demographic fields come first; the card type follows.
pub(crate) const DEMOGRAPHIC_FIELDS: usize = demographics_form::Field::ALL.len();

/// The order the desk fills the form in (indexes into `REGISTER_FIELDS`): the ID
/// number straight after the name, since a resident ID fills in sex and birth date.
pub(crate) const ENTRY_ORDER: [usize; 9] = [0, 4, 5, 1, 2, 3, 6, 7, 8];
pub(crate) const SEX: usize = 1;
pub(crate) const BIRTH_DATE: usize = 2;
const PHONE: usize = 3;
pub(crate) const ID_TYPE: usize = 4;
pub(crate) const ID_NUMBER: usize = 5;

/// The eight demographic fields (registration order) as demographics, or the
/// message of each wrong field: the one check the service also makes
/// (`domain::demographics_form`). Shared by registration and amendment.
pub(crate) fn read_demographics(
    locale: &Locale,
    today: chrono::NaiveDate,
    values: &[&str],
) -> Result<Demographics, Vec<Option<String>>> {
    demographics_form::read(values, today).map_err(|problems| {
        let mut errors: Vec<Option<String>> = vec![None; DEMOGRAPHIC_FIELDS];
        for problem in problems {
            errors[problem.field.index()] = Some(problem.text(locale));
        }
        errors
    })
}

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
    /// The ID number is valid and sex and birth date agree with it (filled from it or
    /// typed): Enter on it goes past them to the mobile.
    pub filled_from_id: bool,
    /// Sex and birth date as the ID number filled them, not typed since: a changed
    /// number fills them again.
    pub auto_filled: (bool, bool),
    /// Esc with something typed asks before the registration is thrown away.
    pub discard: crate::tui::discard::DiscardGuard,
}

impl Register {
    pub fn new() -> Self {
        let mut fields: Vec<Field> = REGISTER_FIELDS.iter().map(|_| Field::default()).collect();
        fields[4] = Field::with("R");
        fields[8] = Field::with("basic");
        let form = Form::new(fields);
        Self {
            discard: crate::tui::discard::DiscardGuard::new(&form),
            form,
            field_errors: vec![None; REGISTER_FIELDS.len()],
            outcome: None,
            filled_from_id: false,
            auto_filled: (false, false),
        }
    }

    /// The form as a patient, or the message of each wrong field.
    fn read_form(&self, desk: &Desk<'_>) -> Result<(Patient, String), Vec<Option<String>>> {
        let values: Vec<&str> = (0..REGISTER_FIELDS.len())
            .map(|i| self.form.value(i))
            .collect();
        let demographics = read_demographics(
            desk.locale,
            crate::domain::time::clinic_zone().today(desk.now),
            &values,
        );
        let card_type = values[DEMOGRAPHIC_FIELDS].trim().to_string();
        let mut errors = match &demographics {
            Ok(_) => vec![None; DEMOGRAPHIC_FIELDS],
            Err(errors) => errors.clone(),
        };
        errors.push(
            card_type
                .is_empty()
                .then(|| desk.t("register.need_card_type")),
        );
        match demographics {
            Ok(d) if errors.iter().all(Option::is_none) => {
                Ok((Patient::default().with_demographics(d), card_type))
            }
            _ => Err(errors),
        }
    }

    fn submit(&mut self, desk: &mut Desk<'_>) {
        if self.form.busy {
            return;
        }
        match self.read_form(desk) {
            Err(errors) => {
                self.form.focus = ENTRY_ORDER
                    .into_iter()
                    .find(|&i| errors[i].is_some())
                    .unwrap_or(0);
                self.field_errors = errors;
            }
            Ok((patient, card_type)) => {
                self.field_errors = vec![None; REGISTER_FIELDS.len()];
                self.form.busy = true;
                self.form.error = None;
                desk.ask::<_, Registration>(
                    Request::PatientRegister { patient, card_type },
                    |this: &mut Self, desk, reply| this.on_reply(desk, reply),
                );
            }
        }
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<Registration, ServiceError>) {
        self.form.busy = false;
        match reply {
            Ok(Registration::Registered(crate::clinic::api::Registered { id, card })) => {
                let name = self.form.value(0).trim().to_string();
                let number = card.number.clone();
                self.outcome = Some(RegisterOutcome::Issued {
                    id,
                    name: name.clone(),
                    card,
                });
                // The new member's card goes to the printer now (Esc: later, C on them).
                desk.push(PrintScreen::new(PrintWhat::Card { id }, name).with_card(&number));
            }
            Ok(Registration::Duplicates(rows)) => {
                self.outcome = Some(RegisterOutcome::Duplicates {
                    rows,
                    cursor: Default::default(),
                })
            }
            Err(error) => {
                let at = match &error {
                    ServiceError::Field { field, .. } => {
                        REGISTER_FIELDS.iter().position(|f| f == field)
                    }
                    _ => None,
                };
                match (at, error) {
                    (Some(i), ServiceError::Field { message, .. }) => {
                        self.field_errors[i] = Some(desk.text(&message));
                        self.form.focus = i;
                    }
                    (_, error) => self.form.error = Some(desk.error_text(&error)),
                }
            }
        }
    }
}

impl Register {
    /// Moves `by` places along the entry order, wrapping.
    fn step(&mut self, by: isize) {
        let at = ENTRY_ORDER
            .iter()
            .position(|&i| i == self.form.focus)
            .unwrap_or(0) as isize;
        let count = ENTRY_ORDER.len() as isize;
        self.form.focus = ENTRY_ORDER[(at + by).rem_euclid(count) as usize];
    }

    fn on_last_field(&self) -> bool {
        ENTRY_ORDER.last() == Some(&self.form.focus)
    }
}

impl Default for Register {
    fn default() -> Self {
        Self::new()
    }
}

impl Component for Register {
    fn context(&self) -> Context {
        match self.outcome {
            None => Context::Form,
            Some(RegisterOutcome::Duplicates { .. }) => Context::List,
            Some(RegisterOutcome::Issued { .. }) => Context::View,
        }
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        match self.outcome {
            None => Some(self.form.focused()),
            Some(_) => None,
        }
    }

    fn help(&self) -> Option<String> {
        self.outcome
            .is_none()
            .then(|| format!("help.register.{}", REGISTER_FIELDS[self.form.focus]))
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        match &mut self.outcome {
            Some(RegisterOutcome::Duplicates { rows, cursor }) => Some((cursor, rows.len())),
            _ => None,
        }
    }

    fn on_edit(&mut self, desk: &mut Desk<'_>) {
        self.discard.disarm();
        if self.outcome.is_none() {
            self.on_field_edited(desk, self.form.focus);
        }
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let last = self.on_last_field();
        if action != Action::Back {
            self.discard.disarm();
        }
        match (&mut self.outcome, action) {
            (None, Action::NextField) => self.step(1),
            (None, Action::PrevField) => self.step(-1),
            // Enter on an ID number that filled sex and birth date goes past them.
            (None, Action::Submit) if self.form.focus == ID_NUMBER && self.filled_from_id => {
                self.form.focus = PHONE;
            }
            // Enter accepts the field (and its default) and moves on; on the last, saves.
            (None, Action::Submit) if !last => self.step(1),
            (None, Action::Submit | Action::Save) => self.submit(desk),
            (None, Action::Back) if !self.discard.may_leave(&self.form) => {
                self.form.error = Some(desk.t("common.discard_ask"));
            }
            (None, Action::Back) => desk.back(),
            (Some(RegisterOutcome::Issued { id, .. }), Action::Open | Action::Submit) => {
                desk.replace(PatientScreen::new(*id));
            }
            (Some(RegisterOutcome::Duplicates { rows, cursor }), Action::Open) => {
                if let Some(id) = rows.get(cursor.selected).map(|r| r.id) {
                    desk.replace(PatientScreen::new(id));
                }
            }
            (Some(RegisterOutcome::Duplicates { .. }), Action::Back) => self.outcome = None,
            (Some(RegisterOutcome::Issued { .. }), Action::Back) => desk.back(),
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::register(frame, area, app, self);
    }
}
