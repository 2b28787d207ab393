//! What each service reply does to the screen that asked for it.

use super::app::{App, SignedInUser};
use super::field::Field;
use super::screens::{Form, ListKind, PatientScreen, Screen};
use crate::clinic::{Response, ServiceError, SignedIn};
use crate::domain::patient::PatientId;
use crate::domain::time::format_time;

#[derive(Debug, Clone)]
pub enum Purpose {
    Login,
    Activate,
    Confirm,
    Home,
    Search(String),
    Patient,
    Cards,
    Tags,
    Book,
    BookingChange,
    Register,
    BreakGlass,
    Record(super::app::RecordCall),
    ReviewFind(u64),
    ReviewChange,
    AlertAcknowledged,
    List(ListKind),
    Logout,
}

fn user_of(signed: &SignedIn) -> SignedInUser {
    SignedInUser {
        user: signed.user.clone(),
        role: signed.role,
        permissions: signed.permissions.clone(),
        notice: signed.notice,
    }
}

fn notice_text(app: &App, signed: &SignedIn) -> String {
    let last = signed
        .notice
        .previous_sign_on
        .map(format_time)
        .unwrap_or_else(|| app.t("home.never"));
    app.locale.tf(
        "home.notice",
        &[
            ("last", &last),
            ("failed", &signed.notice.failed_attempts_since.to_string()),
        ],
    )
}

fn form_error(app: &mut App, error: &ServiceError) {
    let text = app.error_text(error);
    let form = match app.screen_mut() {
        Screen::Login(form) | Screen::SetPassword { form, .. } | Screen::Enrol { form, .. } => form,
        Screen::Patient(PatientScreen {
            reason: Some(form), ..
        }) => form,
        _ => return,
    };
    form.busy = false;
    form.error = Some(text);
}

pub fn apply(app: &mut App, purpose: Purpose, patient: Option<PatientId>, response: Response) {
    match (purpose, response) {
        (Purpose::Logout, _) => {}
        (Purpose::Login, Response::SignedIn(signed)) => {
            let notice = notice_text(app, &signed);
            app.signed_in(user_of(&signed), notice);
        }
        (Purpose::Login, Response::Error(ServiceError::PasswordChangeRequired)) => {
            let Screen::Login(form) = app.screen_mut() else {
                return;
            };
            let user = form.value(0).trim().to_string();
            let mut one_time = Field::masked();
            one_time.value = std::mem::take(&mut form.fields[1].value);
            let mut next = Form::new(vec![Field::masked(), Field::masked()]);
            next.info = Some(app.t("first.intro"));
            *app.screen_mut() = Screen::SetPassword {
                user,
                one_time,
                form: next,
            };
        }
        (
            Purpose::Login,
            Response::TotpEnrolment(crate::clinic::api::TotpEnrolment {
                pending,
                otpauth_uri,
            }),
        ) => {
            let Screen::Login(form) = app.screen_mut() else {
                return;
            };
            let user = form.value(0).trim().to_string();
            *app.screen_mut() = Screen::Enrol {
                user,
                password: Field::masked(),
                uri: otpauth_uri.expose().to_string(),
                recovery_codes: Vec::new(),
                pending: Some(pending),
                form: Form::new(vec![Field::default()]),
            };
        }
        (Purpose::Login, Response::Error(error)) => {
            form_error(app, &error);
            if let Screen::Login(form) = app.screen_mut() {
                form.fields[1].clear();
                form.fields[2].clear();
                form.focus = if form.fields[0].value.is_empty() {
                    0
                } else {
                    1
                };
            }
        }
        (
            Purpose::Activate,
            Response::Activated(crate::clinic::api::Activated {
                otpauth_uri,
                recovery_codes,
            }),
        ) => {
            let Screen::SetPassword { user, form, .. } = app.screen_mut() else {
                return;
            };
            let user = user.clone();
            let mut password = Field::masked();
            password.value = std::mem::take(&mut form.fields[0].value);
            *app.screen_mut() = Screen::Enrol {
                user,
                password,
                uri: otpauth_uri.expose().to_string(),
                recovery_codes: recovery_codes
                    .iter()
                    .map(|c| c.expose().to_string())
                    .collect(),
                pending: None,
                form: Form::new(vec![Field::default()]),
            };
        }
        (Purpose::Confirm, Response::SignedIn(signed)) => {
            let mut codes = match app.screen_mut() {
                Screen::Enrol { recovery_codes, .. } => std::mem::take(recovery_codes),
                _ => Vec::new(),
            };
            if let Some(new) = &signed.new_recovery_codes {
                codes = new.iter().map(|c| c.expose().to_string()).collect();
            }
            let notice = notice_text(app, &signed);
            app.show_recovery_codes(user_of(&signed), codes, notice);
        }
        (Purpose::Activate | Purpose::Confirm, Response::Error(error)) => {
            form_error(app, &error);
            if let Screen::Enrol { form, .. } = app.screen_mut() {
                form.fields[0].clear();
            }
        }
        (Purpose::Home, Response::Home(summary)) => {
            if let Screen::Home(home) = app.screen_mut() {
                home.summary = Some(summary);
            }
        }
        (Purpose::Search(query), response) => {
            let text = response.error().map(|e| app.error_text(e));
            let Screen::Search(search) = app.screen_mut() else {
                return;
            };
            search.busy = false;
            match response {
                Response::SearchResults(crate::clinic::api::SearchResults { rows, total }) => {
                    search.rows = rows;
                    search.total = total;
                    search.answered = Some(query);
                    search.cursor = Default::default();
                    search.error = None;
                }
                _ => search.error = text,
            }
        }
        (Purpose::Patient, response) => {
            let text = response.error().map(|e| app.error_text(e));
            let Screen::Patient(screen) = app.screen_mut() else {
                return;
            };
            if Some(screen.id) != patient {
                return;
            }
            match response {
                Response::Patient(view) => {
                    screen.view = Some(view);
                    screen.reason = None;
                }
                Response::Error(ServiceError::BreakGlassRequired) => {
                    screen.reason = Some(Form::new(vec![Field::default()]));
                }
                _ => screen.error = text,
            }
        }
        (Purpose::Cards, Response::CardIssued(_)) => {
            // A replacement was issued: show the patient's cards as they are now, and
            // offer the new card to the printer.
            if let Some(id) = patient {
                app.request_cards(id);
                let name = match app.screen_mut() {
                    Screen::Patient(screen) => screen.view.as_ref().map(|v| v.patient.name.clone()),
                    _ => None,
                };
                if let Some(name) = name {
                    use crate::tui::components::print::{PrintScreen, PrintWhat};
                    app.open(PrintScreen::new(PrintWhat::Card { id }, name));
                }
            }
        }
        (Purpose::Cards, Response::Error(error)) => {
            let text = app.error_text(&error);
            if let Screen::Patient(screen) = app.screen_mut() {
                screen.error = Some(text);
            }
        }
        (Purpose::Cards, Response::Cards(cards)) => {
            if let Screen::Patient(screen) = app.screen_mut()
                && Some(screen.id) == patient
            {
                screen.cards = Some(cards);
            }
        }
        (Purpose::Register, response) => app.on_register_reply(response),
        (Purpose::Book, response) => {
            let text = match &response {
                Response::ExamBooked(b) => Ok(app.locale.tf(
                    "exam.booked_notice",
                    &[("package", &b.package), ("date", &b.date.to_string())],
                )),
                Response::Error(e) => Err(app.error_text(e)),
                _ => return,
            };
            if let Screen::Patient(screen) = app.screen_mut()
                && let Some(form) = &mut screen.book_form
            {
                match text {
                    Ok(notice) => {
                        screen.book_form = None;
                        screen.notice = Some(notice);
                    }
                    Err(error) => {
                        form.busy = false;
                        form.error = Some(error);
                    }
                }
            }
        }
        (Purpose::Tags, Response::Done) => {
            if let Some(id) = patient {
                if let Screen::Patient(screen) = app.screen_mut() {
                    screen.tag_form = None;
                }
                app.request_patient(id);
            }
        }
        (Purpose::Tags, Response::Error(error)) => {
            let text = app.error_text(&error);
            if let Screen::Patient(PatientScreen {
                tag_form: Some(form),
                ..
            }) = app.screen_mut()
            {
                form.busy = false;
                form.error = Some(text);
            }
        }
        (Purpose::BreakGlass, Response::Done) => {
            if let Some(id) = patient {
                app.request_patient(id);
            }
        }
        (Purpose::BreakGlass, Response::Error(error)) => form_error(app, &error),
        (Purpose::BookingChange, response) => app.on_booking_change_reply(response),
        (Purpose::ReviewFind(number), response) => app.on_review_found(number, response),
        (Purpose::ReviewChange, response) => app.on_review_changed(response),
        (Purpose::AlertAcknowledged, response) => app.on_alert_acknowledged(response),
        (Purpose::Record(call), response) => {
            if let Some(id) = patient {
                app.on_record_reply(id, call, response);
            }
        }
        (Purpose::List(kind), response) => {
            let bookings = match &response {
                Response::ExamDay(day) => std::iter::repeat_n(None, day.places.len())
                    .chain(day.bookings.iter().map(|(b, _)| {
                        Some(crate::clinic::api::BookingKey {
                            date: b.date,
                            id: b.id,
                        })
                    }))
                    .collect(),
                _ => Vec::new(),
            };
            let reviews: Vec<u64> = match &response {
                Response::Review(items) => items.iter().map(|i| i.number).collect(),
                _ => Vec::new(),
            };
            let review_unread: Vec<Vec<String>> = match &response {
                Response::Review(items) => items.iter().map(|i| i.unread.clone()).collect(),
                _ => Vec::new(),
            };
            let alerts = match &response {
                Response::Alerts(alerts) => alerts.clone(),
                _ => Vec::new(),
            };
            let (headers, rows) = super::lists::table(app, kind, &response);
            let Screen::List(list) = app.screen_mut() else {
                return;
            };
            if list.kind == kind {
                list.headers = headers;
                list.rows = rows;
                list.bookings = bookings;
                list.reviews = reviews;
                list.review_unread = review_unread;
                list.alerts = alerts;
                list.loading = false;
            }
        }
        _ => {}
    }
}

/// What a pending request was for, as the reply handlers name it.
pub(crate) fn purpose_name(p: &super::app::Pending) -> Purpose {
    use super::app::Pending;
    match p {
        Pending::Login => Purpose::Login,
        Pending::Activate => Purpose::Activate,
        Pending::Confirm => Purpose::Confirm,
        Pending::Home => Purpose::Home,
        Pending::Search(q) => Purpose::Search(q.clone()),
        Pending::Patient(_) => Purpose::Patient,
        Pending::Cards(_) => Purpose::Cards,
        Pending::Tags(_) => Purpose::Tags,
        Pending::Book(_) => Purpose::Book,
        Pending::BookingChange => Purpose::BookingChange,
        Pending::Register => Purpose::Register,
        Pending::BreakGlass(_) => Purpose::BreakGlass,
        Pending::Record(_, call) => Purpose::Record(*call),
        Pending::ReviewFind(number) => Purpose::ReviewFind(*number),
        Pending::ReviewChange => Purpose::ReviewChange,
        Pending::AlertAcknowledged => Purpose::AlertAcknowledged,
        Pending::List(kind) => Purpose::List(*kind),
        Pending::Logout => Purpose::Logout,
    }
}

/// The patient a pending request was about.
pub(crate) fn purpose_patient(p: &super::app::Pending) -> Option<PatientId> {
    use super::app::Pending;
    match p {
        Pending::Patient(id)
        | Pending::Cards(id)
        | Pending::Tags(id)
        | Pending::Book(id)
        | Pending::BreakGlass(id)
        | Pending::Record(id, _) => Some(*id),
        _ => None,
    }
}
