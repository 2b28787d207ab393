//! The patient screen's own forms: booking an exam (F8: package, day; Enter moves on
//! and then books, Esc closes), the tags (F7: one field, comma-separated) and the
//! break-glass reason for a restricted patient.

use chrono::{Days, NaiveDate};

use super::PatientScreen;
use crate::clinic::{Request, ServiceError};
use crate::domain::booking::Booking;
use crate::tui::action::Action;
use crate::tui::component::Desk;
use crate::tui::field::Field;
use crate::tui::screens::Form;

impl PatientScreen {
    /// Handles the action if it belongs to the booking form; returns whether it did.
    pub(super) fn on_booking_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let id = self.id;
        let Some(form) = &mut self.book_form else {
            if action == Action::BookExam && self.view.is_some() {
                let tomorrow = crate::domain::time::clinic_zone().today(desk.now) + Days::new(1);
                self.notice = None;
                self.book_form = Some(Form::new(vec![
                    Field::with("basic"),
                    Field::with(&tomorrow.to_string()),
                ]));
                return true;
            }
            return false;
        };
        match action {
            Action::NextField | Action::PrevField => form.focus = 1 - form.focus,
            Action::Submit if form.focus == 0 => form.focus = 1,
            // Enter on the day, or Ctrl-S from either field, books.
            Action::Submit | Action::Save => {
                match NaiveDate::parse_from_str(form.value(1).trim(), "%Y-%m-%d") {
                    Ok(date) => {
                        form.busy = true;
                        form.error = None;
                        let request = Request::ExamBook {
                            id,
                            package: form.value(0).trim().to_string(),
                            date,
                        };
                        desk.ask::<_, Booking>(request, |this: &mut Self, desk, reply| {
                            this.on_booked(desk, reply)
                        });
                    }
                    Err(_) => form.error = Some(desk.t("exam.bad_date")),
                }
            }
            Action::Back => self.book_form = None,
            _ => {}
        }
        true
    }

    fn on_booked(&mut self, desk: &mut Desk<'_>, reply: Result<Booking, ServiceError>) {
        let text = match reply {
            Ok(b) => Ok(desk.locale.tf(
                "exam.booked_notice",
                &[("package", &b.package), ("date", &b.date.to_string())],
            )),
            Err(e) => Err(desk.error_text(&e)),
        };
        let Some(form) = &mut self.book_form else {
            return;
        };
        match text {
            Ok(notice) => {
                self.book_form = None;
                self.notice = Some(notice);
            }
            Err(error) => {
                form.busy = false;
                form.error = Some(error);
            }
        }
    }

    /// The tags form, and F7 opening it; returns whether the action was its.
    pub(super) fn on_tags_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let id = self.id;
        let Some(form) = &mut self.tag_form else {
            if action == Action::EditTags {
                if let Some(view) = &self.view {
                    let mut form = Form::new(vec![Field::with(&view.patient.tags.join(", "))]);
                    form.focus = 0;
                    self.tag_form = Some(form);
                }
                return true;
            }
            return false;
        };
        match action {
            Action::Submit => {
                let tags = form
                    .value(0)
                    .split([',', '，'])
                    .map(|t| t.trim().to_string())
                    .collect();
                form.busy = true;
                desk.ask::<_, ()>(
                    Request::PatientSetTags { id, tags },
                    |this: &mut Self, desk, reply| this.on_tags_set(desk, reply),
                );
            }
            Action::Back => self.tag_form = None,
            _ => {}
        }
        true
    }

    fn on_tags_set(&mut self, desk: &mut Desk<'_>, reply: Result<(), ServiceError>) {
        match reply {
            Ok(()) => {
                self.tag_form = None;
                self.request_patient(desk);
            }
            Err(error) => {
                if let Some(form) = &mut self.tag_form {
                    form.busy = false;
                    form.error = Some(desk.error_text(&error));
                }
            }
        }
    }

    /// Break-glass: the reason typed, the patient opened for this session.
    pub(super) fn submit_reason(&mut self, desk: &mut Desk<'_>) {
        let Some(form) = &mut self.reason else {
            return;
        };
        let reason = form.value(0).trim().to_string();
        form.busy = true;
        desk.ask::<_, ()>(
            Request::BreakGlass {
                id: self.id,
                reason,
            },
            |this: &mut Self, desk, reply| match reply {
                Ok(()) => this.request_patient(desk),
                Err(error) => {
                    if let Some(form) = &mut this.reason {
                        form.busy = false;
                        form.error = Some(desk.error_text(&error));
                    }
                }
            },
        );
    }
}
