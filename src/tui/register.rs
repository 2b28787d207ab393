//! The registration form (开卡): every field checked as it is typed would be, with the
//! message next to the field; the service checks again and looks for duplicates.

use super::action::Action;
use super::app::{App, Pending};
use super::screens::{REGISTER_FIELDS, Register, RegisterOutcome, Screen};
use crate::clinic::{Request, Response, ServiceError};
use crate::domain::amendment::Demographics;
use crate::domain::demographics_form;
use crate::domain::patient::Patient;

/// The registration form's demographic fields come first; the card type follows.
pub(crate) const DEMOGRAPHIC_FIELDS: usize = demographics_form::Field::ALL.len();

impl App {
    /// The eight demographic fields (registration order) as demographics, or the
    /// message of each wrong field: the one check the service also makes
    /// (`domain::demographics_form`). Shared by registration and amendment.
    pub(crate) fn read_demographics(
        &self,
        values: &[&str],
    ) -> Result<Demographics, Vec<Option<String>>> {
        demographics_form::read(values, self.now.date_naive()).map_err(|problems| {
            let mut errors: Vec<Option<String>> = vec![None; DEMOGRAPHIC_FIELDS];
            for problem in problems {
                errors[problem.field.index()] = Some(problem.text(&self.locale));
            }
            errors
        })
    }

    /// The form as a patient, or the message of each wrong field.
    fn read_register_form(
        &self,
        register: &Register,
    ) -> Result<(Patient, String), Vec<Option<String>>> {
        let values: Vec<&str> = (0..REGISTER_FIELDS.len())
            .map(|i| register.form.value(i))
            .collect();
        let demographics = self.read_demographics(&values);
        let card_type = values[DEMOGRAPHIC_FIELDS].trim().to_string();
        let mut errors = match &demographics {
            Ok(_) => vec![None; DEMOGRAPHIC_FIELDS],
            Err(errors) => errors.clone(),
        };
        errors.push(
            card_type
                .is_empty()
                .then(|| self.t("register.need_card_type")),
        );
        match demographics {
            Ok(d) if errors.iter().all(Option::is_none) => {
                Ok((Patient::default().with_demographics(d), card_type))
            }
            _ => Err(errors),
        }
    }

    pub(crate) fn on_register_action(&mut self, action: Action) {
        let Screen::Register(register) = &mut self.screen else {
            return;
        };
        let last = REGISTER_FIELDS.len() - 1;
        match (&mut register.outcome, action) {
            (None, Action::NextField) => {
                register.form.focus = (register.form.focus + 1) % REGISTER_FIELDS.len()
            }
            (None, Action::PrevField) => {
                register.form.focus = (register.form.focus + last) % REGISTER_FIELDS.len()
            }
            // Enter accepts the field (and its default) and moves on; on the last, saves.
            (None, Action::Submit) if register.form.focus < last => register.form.focus += 1,
            (None, Action::Submit) => self.submit_register(),
            (None, Action::Back) => self.back_from_register(),
            (Some(RegisterOutcome::Issued { id, .. }), Action::Open | Action::Submit) => {
                let id = *id;
                self.back_from_register();
                self.open_patient(id);
            }
            (Some(RegisterOutcome::Duplicates { rows, cursor }), Action::Open) => {
                if let Some(id) = rows.get(cursor.selected).map(|r| r.id) {
                    self.back_from_register();
                    self.open_patient(id);
                }
            }
            (Some(RegisterOutcome::Duplicates { .. }), Action::Back) => register.outcome = None,
            (Some(RegisterOutcome::Issued { .. }), Action::Back) => self.back_from_register(),
            _ => {}
        }
    }

    fn back_from_register(&mut self) {
        if let Some(previous) = self.stack.pop() {
            self.screen = previous;
        }
    }

    fn submit_register(&mut self) {
        let Screen::Register(register) = &self.screen else {
            return;
        };
        if register.form.busy {
            return;
        }
        let read = self.read_register_form(register);
        let Screen::Register(register) = &mut self.screen else {
            return;
        };
        match read {
            Err(errors) => {
                register.form.focus = errors.iter().position(Option::is_some).unwrap_or(0);
                register.field_errors = errors;
            }
            Ok((patient, card_type)) => {
                register.field_errors = vec![None; REGISTER_FIELDS.len()];
                register.form.busy = true;
                register.form.error = None;
                self.call(
                    Pending::Register,
                    Request::PatientRegister { patient, card_type },
                );
            }
        }
    }

    pub(crate) fn on_register_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Register(register) = &mut self.screen else {
            return;
        };
        register.form.busy = false;
        match response {
            Response::Registered(crate::clinic::api::Registered { id, card }) => {
                let name = register.form.value(0).trim().to_string();
                register.outcome = Some(RegisterOutcome::Issued {
                    id,
                    name: name.clone(),
                    card,
                });
                // The new member's card goes to the printer now (Esc: later, C on them).
                use super::components::print::{PrintScreen, PrintWhat};
                self.open(PrintScreen::new(PrintWhat::Card { id }, name));
            }
            Response::Duplicates(rows) => {
                register.outcome = Some(RegisterOutcome::Duplicates {
                    rows,
                    cursor: Default::default(),
                })
            }
            Response::Error(ServiceError::Field { field, message }) => {
                if let Some(i) = REGISTER_FIELDS.iter().position(|f| *f == field) {
                    register.field_errors[i] = Some(message);
                    register.form.focus = i;
                } else {
                    register.form.error = text;
                }
            }
            _ => register.form.error = text,
        }
    }
}
