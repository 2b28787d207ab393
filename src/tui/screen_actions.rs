//! What an action does on the current screen: each screen with its own handler, the
//! patient screen's forms and shortcuts, and the sign-in and list screens handled here.

use super::action::Action;
use super::app::{App, Pending, SEARCH_LIMIT, move_cursor};
use super::components::{
    advice, consent, followup_history, intake, plan, print, questionnaire, report, results, risks,
    summaries,
};
use super::field::Field;
use super::screens::{Form, Overlay, PatientScreen, Screen};
use crate::clinic::Request;

impl App {
    pub(crate) fn on_screen_action(&mut self, action: Action) {
        let height = self.list_height;
        // A component sees a movement first: a screen that scrolls takes it.
        if action.is_movement()
            && matches!(self.screen, Screen::Component(_))
            && self.on_component_movement(action)
        {
            return;
        }
        if action.is_movement() {
            if let Some((cursor, len)) = self.screen.list_cursor() {
                move_cursor(cursor, action, len, height);
            }
            return;
        }
        // Screens with their own handlers; the patient screen opens the chart's screens.
        match (&self.screen, action) {
            (Screen::Component(_), _) => return self.on_component_action(action),
            (Screen::Register(_), _) => return self.on_register_action(action),
            (Screen::Record(_), _) => return self.on_record_action(action),
            (Screen::Patient(_), Action::Report) => {
                return self.open_for_patient(report::ReportScreen::new);
            }
            (Screen::Patient(_), Action::PrintCard) => {
                return self.open_for_patient(|id, name| {
                    print::PrintScreen::new(print::PrintWhat::Card { id }, name)
                });
            }
            (Screen::Patient(_), Action::Record) => return self.open_record(),
            (Screen::Patient(patient), Action::Results) => {
                // The chart reads the reference band by the patient's sex.
                if let Some(view) = &patient.view {
                    let screen = results::ResultsScreen::new(
                        view.id,
                        view.patient.name.clone(),
                        view.patient.sex,
                    );
                    return self.open(screen);
                }
                return;
            }
            (Screen::Patient(_), Action::Advice) => {
                return self.open_for_patient(advice::AdviceScreen::new);
            }
            (Screen::Patient(_), Action::Risks) => {
                return self.open_for_patient(risks::RiskScreen::new);
            }
            (Screen::Patient(_), Action::Plan) => {
                return self.open_for_patient(plan::PlanScreen::new);
            }
            (Screen::Patient(_), Action::Summaries) => {
                return self.open_for_patient(summaries::SummariesScreen::new);
            }
            (Screen::Patient(_), Action::FollowUps) => {
                return self.open_for_patient(followup_history::FollowUpHistoryScreen::new);
            }
            (Screen::Patient(_), Action::Intake) => {
                return self.open_for_patient(intake::IntakeScreen::new);
            }
            (Screen::Patient(_), Action::Questionnaire) => {
                return self.open_for_patient(questionnaire::QuestionnaireScreen::new);
            }
            _ => {}
        }
        if self.on_booking_action(action)
            || self.on_exam_day_action(action)
            || self.on_review_action(action)
            || self.on_alert_action(action)
            || self.on_rights_action(action)
        {
            return;
        }
        if let Screen::Patient(patient) = &mut self.screen
            && let Some(form) = &mut patient.tag_form
        {
            match action {
                Action::Submit => {
                    let tags = form
                        .value(0)
                        .split([',', '，'])
                        .map(|t| t.trim().to_string())
                        .collect();
                    form.busy = true;
                    let id = patient.id;
                    self.call(Pending::Tags(id), Request::PatientSetTags { id, tags });
                }
                Action::Back => patient.tag_form = None,
                _ => {}
            }
            return;
        }
        if let (Screen::Patient(patient), Action::EditTags) = (&mut self.screen, action) {
            if let Some(view) = &patient.view {
                let mut form = Form::new(vec![Field::with(&view.patient.tags.join(", "))]);
                form.focus = 0;
                patient.tag_form = Some(form);
            }
            return;
        }
        if let (Screen::Patient(patient), Action::ReportLost) = (&self.screen, action) {
            let active = patient.cards.as_ref().and_then(|cards| {
                cards
                    .iter()
                    .rev()
                    .find(|c| c.status == crate::domain::card::CardStatus::Active)
            });
            if let Some(card) = active {
                self.overlay = Some(Overlay::ConfirmLost {
                    patient: patient.id,
                    number: card.number.clone(),
                });
            }
            return;
        }
        if let Screen::Patient(_) = self.screen
            && matches!(
                action,
                Action::Consent | Action::Grant | Action::GrantVerbal | Action::Refuse
            )
        {
            if action == Action::Consent {
                self.open_for_patient(consent::ConsentScreen::new);
            }
            return;
        }
        match (&mut self.screen, action) {
            (
                Screen::Login(form) | Screen::SetPassword { form, .. } | Screen::Enrol { form, .. },
                Action::NextField,
            ) => {
                form.focus = (form.focus + 1) % form.fields.len();
            }
            (
                Screen::Login(form) | Screen::SetPassword { form, .. } | Screen::Enrol { form, .. },
                Action::PrevField,
            ) => {
                form.focus = (form.focus + form.fields.len() - 1) % form.fields.len();
            }
            (Screen::Login(_), Action::Submit) => self.submit_login(),
            (Screen::SetPassword { .. }, Action::Submit) => self.submit_new_password(),
            (Screen::SetPassword { .. } | Screen::Enrol { .. }, Action::Back) => {
                self.sign_out(false)
            }
            (Screen::Enrol { .. }, Action::Submit) => self.submit_enrol_code(),
            (Screen::RecoveryCodes(_), Action::Open | Action::Back) => self.go_home(),
            (Screen::Home(home), Action::Open) => {
                if let Some(item) = home.menu.get(home.cursor.selected).copied() {
                    self.open_menu(item);
                }
            }
            (Screen::Search(search), Action::Open) => {
                let query = search.query.value.trim().to_string();
                if search.answered.as_deref() == Some(query.as_str()) && !search.rows.is_empty() {
                    if let Some(row) = search.rows.get(search.cursor.selected) {
                        let id = row.id;
                        self.open_patient(id);
                    }
                } else if !query.is_empty() {
                    search.busy = true;
                    search.error = None;
                    self.call(
                        Pending::Search(query.clone()),
                        Request::PatientSearch {
                            query,
                            limit: SEARCH_LIMIT,
                        },
                    );
                }
            }
            (
                Screen::Patient(PatientScreen {
                    reason: Some(form),
                    id,
                    ..
                }),
                Action::Submit,
            ) => {
                let reason = form.value(0).trim().to_string();
                let id = *id;
                form.busy = true;
                self.call(Pending::BreakGlass(id), Request::BreakGlass { id, reason });
            }
            (_, Action::Back) => self.back(),
            _ => {}
        }
    }
}
