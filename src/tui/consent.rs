//! The consent screen's actions: open it from a patient, record a decision.

use super::action::Action;
use super::app::{App, Pending};
use super::screens::{ConsentScreen, Cursor, Screen, consent_rows};
use crate::clinic::Request;
use crate::domain::consent::{Decision, Method};

impl App {
    pub(crate) fn on_consent_action(&mut self, action: Action) {
        match (&self.screen, action) {
            (Screen::Patient(patient), Action::Consent) => {
                let Some(view) = &patient.view else { return };
                let (id, name) = (patient.id, view.patient.name.clone());
                self.push(Screen::Consent(ConsentScreen {
                    id,
                    name,
                    record: None,
                    cursor: Cursor::default(),
                    error: None,
                }));
                self.call(Pending::Consent(id), Request::ConsentGet { id });
            }
            (Screen::Consent(screen), Action::Grant | Action::GrantVerbal | Action::Refuse) => {
                let Some((channel, purpose)) = consent_rows().get(screen.cursor.selected).copied()
                else {
                    return;
                };
                let (decision, method) = match action {
                    Action::Grant => (Decision::Granted, Method::SignedForm),
                    Action::GrantVerbal => (Decision::Granted, Method::Verbal),
                    _ => (Decision::Refused, Method::Verbal),
                };
                let id = screen.id;
                self.call(
                    Pending::Consent(id),
                    Request::ConsentSet {
                        id,
                        channel,
                        purpose,
                        decision,
                        method,
                    },
                );
            }
            _ => {}
        }
    }
}
