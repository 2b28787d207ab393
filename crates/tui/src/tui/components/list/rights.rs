//! The privacy officer's lists: who looked at a patient, and the disclosures of a
//! patient's information. Each asks for the patient (card, ID or phone number) first;
//! F3 asks again, for another patient.

use super::{List, ListKind};
use crate::clinic::Request;
use crate::clinic::api::PatientRef;
use crate::tui::action::Action;
use crate::tui::component::Desk;
use crate::tui::field::Field;
use crate::tui::screens::Form;

impl List {
    /// Handles the action on one of these lists; returns whether it did.
    pub(super) fn on_rights_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        if let Some(form) = &mut self.prompt {
            match action {
                Action::Submit => {
                    let key = form.value(0).trim().to_string();
                    if key.is_empty() {
                        return true;
                    }
                    self.prompt = None;
                    self.loading = true;
                    self.message = None;
                    let patient = PatientRef::Key(key);
                    let request = match self.kind {
                        ListKind::PatientAccess => Request::PatientAccessLog {
                            patient,
                            from: None,
                        },
                        _ => Request::Disclosures { patient },
                    };
                    self.ask(desk, request);
                }
                Action::Back => {
                    self.prompt = None;
                    if self.rows.is_empty() {
                        desk.back();
                    }
                }
                _ => {}
            }
            return true;
        }
        if action == Action::Search {
            self.prompt = Some(Form::new(vec![Field::default()]));
            return true;
        }
        false
    }
}
