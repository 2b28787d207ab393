//! Booking an exam from the patient screen: F8 opens a two-field form (package, day),
//! Enter moves on and then books, Esc closes.

use chrono::{Days, NaiveDate};

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, Screen};
use crate::clinic::Request;

impl App {
    /// Handles the action if it belongs to the booking form; returns whether it did.
    pub(crate) fn on_booking_action(&mut self, action: Action) -> bool {
        let tomorrow = self.now.date_naive() + Days::new(1);
        let bad_date = self.t("exam.bad_date");
        let Screen::Patient(patient) = &mut self.screen else {
            return false;
        };
        let id = patient.id;
        let Some(form) = &mut patient.book_form else {
            if action == Action::BookExam && patient.view.is_some() {
                patient.notice = None;
                patient.book_form = Some(Form::new(vec![
                    Field::with("basic"),
                    Field::with(&tomorrow.to_string()),
                ]));
                return true;
            }
            return false;
        };
        let request = match action {
            Action::NextField | Action::PrevField => {
                form.focus = 1 - form.focus;
                None
            }
            Action::Submit if form.focus == 0 => {
                form.focus = 1;
                None
            }
            Action::Submit => match NaiveDate::parse_from_str(form.value(1).trim(), "%Y-%m-%d") {
                Ok(date) => {
                    form.busy = true;
                    form.error = None;
                    Some(Request::ExamBook {
                        id,
                        package: form.value(0).trim().to_string(),
                        date,
                    })
                }
                Err(_) => {
                    form.error = Some(bad_date);
                    None
                }
            },
            Action::Back => {
                patient.book_form = None;
                None
            }
            _ => None,
        };
        if let Some(request) = request {
            self.call(Pending::Book(id), request);
        }
        true
    }
}
