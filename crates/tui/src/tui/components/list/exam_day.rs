//! The exam day list: check in, no-show, cancel, reschedule the selected booking; the
//! day before or after.

use chrono::{Days, NaiveDate};

use super::{List, PromptKind};
use crate::clinic::{Request, ServiceError};
use crate::domain::booking::Booking;
use crate::tui::action::Action;
use crate::tui::component::Desk;

impl List {
    /// Handles the action if it is the exam day's; returns whether it did.
    pub(super) fn on_exam_day_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let selected = self.bookings.get(self.cursor.selected).copied().flatten();
        if let Some(form) = &mut self.prompt {
            match action {
                Action::Submit => {
                    let Some(booking) = selected else {
                        self.prompt = None;
                        return true;
                    };
                    match parse_day(form.value(0)) {
                        Some(date) => {
                            form.busy = true;
                            form.error = None;
                            self.change_booking(desk, Request::ExamReschedule { booking, date });
                        }
                        None => form.error = Some(desk.t("exam.bad_date")),
                    }
                }
                Action::Back => self.prompt = None,
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
                self.prompt(PromptKind::NewDate, &next.to_string());
                return true;
            }
            (Action::PrevDay | Action::NextDay, _) => {
                let day = self
                    .date
                    .unwrap_or(crate::domain::time::clinic_zone().today(desk.now));
                self.date = Some(if action == Action::PrevDay {
                    day - Days::new(1)
                } else {
                    day + Days::new(1)
                });
                self.message = None;
                self.loading = true;
                self.cursor = Default::default();
                self.reload(desk);
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
        self.change_booking(desk, request);
        true
    }

    fn change_booking(&mut self, desk: &mut Desk<'_>, request: Request) {
        desk.ask::<_, Booking>(request, |this: &mut Self, desk, reply| {
            this.on_booking_changed(desk, reply)
        });
    }

    /// A booking changed (or was refused): say so, close the prompt, reload the day.
    fn on_booking_changed(&mut self, desk: &mut Desk<'_>, reply: Result<Booking, ServiceError>) {
        let rescheduling = self.prompt.is_some();
        let message = match reply {
            Err(e) => (false, desk.error_text(&e)),
            Ok(b) if rescheduling => (
                true,
                desk.locale
                    .tf("exam.moved", &[("date", &b.date.to_string())]),
            ),
            Ok(_) => (true, desk.t("exam.changed")),
        };
        // A refused new date stays in the prompt to be corrected.
        if self.settle(message) {
            self.reload(desk);
        }
    }
}

/// YYYY-MM-DD, or a day as the date fields elsewhere accept it.
fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}
