//! The privacy officer's lists: who looked at a patient, and the disclosures of a
//! patient's information. Each asks for the patient (card, ID or phone number) first;
//! F3 asks again, for another patient.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Cursor, Form, List, ListKind, PromptKind, Screen};
use crate::clinic::Request;
use crate::clinic::api::PatientRef;

impl App {
    pub(crate) fn open_rights(&mut self, kind: ListKind) {
        self.push(Screen::List(List {
            kind,
            headers: Vec::new(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            loading: false,
            bookings: Vec::new(),
            date: None,
            prompt: Some(Form::new(vec![Field::default()])),
            message: None,
            reviews: Vec::new(),
            review_unread: Vec::new(),
            prompt_kind: PromptKind::PatientKey,
            alerts: Vec::new(),
        }));
    }

    /// Handles the action if the screen is one of these lists; returns whether it did.
    pub(crate) fn on_rights_action(&mut self, action: Action) -> bool {
        let Screen::List(list) = &mut self.screen else {
            return false;
        };
        if !matches!(list.kind, ListKind::PatientAccess | ListKind::Disclosures) {
            return false;
        }
        let kind = list.kind;
        if let Some(form) = &mut list.prompt {
            match action {
                Action::Submit => {
                    let key = form.value(0).trim().to_string();
                    if key.is_empty() {
                        return true;
                    }
                    list.prompt = None;
                    list.loading = true;
                    list.message = None;
                    let patient = PatientRef::Key(key);
                    let request = match kind {
                        ListKind::PatientAccess => Request::PatientAccessLog {
                            patient,
                            from: None,
                        },
                        _ => Request::Disclosures { patient },
                    };
                    self.call(Pending::List(kind), request);
                }
                Action::Back => {
                    list.prompt = None;
                    if list.rows.is_empty() {
                        self.back();
                    }
                }
                _ => {}
            }
            return true;
        }
        if action == Action::Search {
            list.prompt = Some(Form::new(vec![Field::default()]));
            return true;
        }
        false
    }
}
