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

impl App {
    /// The exam day list: check in, no-show, cancel, reschedule the selected booking;
    /// the day before or after. Returns whether the action was the exam day's.
    pub(crate) fn on_exam_day_action(&mut self, action: Action) -> bool {
        let bad_date = self.t("exam.bad_date");
        let Screen::List(list) = &mut self.screen else {
            return false;
        };
        if list.kind != super::screens::ListKind::ExamDay {
            return false;
        }
        let selected = list.bookings.get(list.cursor.selected).copied().flatten();
        if let Some(form) = &mut list.prompt {
            match action {
                Action::Submit => {
                    let Some(booking) = selected else {
                        list.prompt = None;
                        return true;
                    };
                    match parse_day(form.value(0)) {
                        Some(date) => {
                            form.busy = true;
                            form.error = None;
                            self.call(
                                Pending::BookingChange,
                                Request::ExamReschedule { booking, date },
                            );
                        }
                        None => form.error = Some(bad_date),
                    }
                }
                Action::Back => list.prompt = None,
                _ => {}
            }
            return true;
        }
        let request = match (action, selected) {
            (Action::CheckIn, Some(booking)) => Request::ExamCheckIn { booking },
            (Action::NoShow, Some(booking)) => Request::ExamNoShow { booking },
            (Action::CancelBooking, Some(booking)) => Request::ExamCancel { booking },
            (Action::Reschedule, Some(booking)) => {
                let next = booking.date + Days::new(1);
                list.message = None;
                list.prompt = Some(Form::new(vec![Field::with(&next.to_string())]));
                return true;
            }
            (Action::PrevDay | Action::NextDay, _) => {
                let day = list.date.unwrap_or(self.now.date_naive());
                list.date = Some(if action == Action::PrevDay {
                    day - Days::new(1)
                } else {
                    day + Days::new(1)
                });
                list.message = None;
                list.loading = true;
                list.cursor = Default::default();
                self.refresh_exam_day();
                return true;
            }
            (
                Action::CheckIn | Action::NoShow | Action::CancelBooking | Action::Reschedule,
                None,
            ) => {
                return true;
            }
            _ => return false,
        };
        self.call(Pending::BookingChange, request);
        true
    }

    /// A booking changed (or was refused): say so, close the prompt, reload the day.
    pub(crate) fn on_booking_change_reply(&mut self, response: crate::clinic::Response) {
        let rescheduling = matches!(&self.screen, Screen::List(l) if l.prompt.is_some());
        let message = match &response {
            crate::clinic::Response::Error(e) => (false, self.error_text(e)),
            crate::clinic::Response::ExamBooked(b) if rescheduling => (
                true,
                self.locale
                    .tf("exam.moved", &[("date", &b.date.to_string())]),
            ),
            _ => (true, self.t("exam.changed")),
        };
        if let Screen::List(list) = &mut self.screen {
            match (&mut list.prompt, message.0) {
                // A refused new date stays in the prompt to be corrected.
                (Some(form), false) => {
                    form.busy = false;
                    form.error = Some(message.1);
                    return;
                }
                _ => {
                    list.prompt = None;
                    list.message = Some(message);
                }
            }
        }
        self.refresh_exam_day();
    }
}

/// YYYY-MM-DD, or a day as the date fields elsewhere accept it.
fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}
