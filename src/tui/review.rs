//! The review list: results that matched no patient. m files the selected message
//! under a patient (typed as card, ID or phone number), p creates the patient the
//! message describes, d rejects it with a reason.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, ListKind, PromptKind, Screen};
use crate::clinic::{Request, Response};

impl App {
    /// Handles the action if the screen is the review list; returns whether it did.
    pub(crate) fn on_review_action(&mut self, action: Action) -> bool {
        let Screen::List(list) = &mut self.screen else {
            return false;
        };
        if list.kind != ListKind::Review {
            return false;
        }
        let selected = list.reviews.get(list.cursor.selected).copied();
        if let Some(form) = &mut list.prompt {
            match action {
                Action::Submit => {
                    let Some(number) = selected else {
                        list.prompt = None;
                        return true;
                    };
                    let text = form.value(0).trim().to_string();
                    form.busy = true;
                    form.error = None;
                    let (pending, request) = match list.prompt_kind {
                        PromptKind::MatchPatient => (
                            Pending::ReviewFind(number),
                            Request::PatientSearch {
                                query: text,
                                limit: 2,
                            },
                        ),
                        _ => (
                            Pending::ReviewChange,
                            Request::ReviewReject {
                                number,
                                reason: text,
                            },
                        ),
                    };
                    self.call(pending, request);
                }
                Action::Back => list.prompt = None,
                _ => {}
            }
            return true;
        }
        let Some(number) = selected else {
            return matches!(
                action,
                Action::MatchPatient | Action::CreatePatient | Action::RejectResults
            );
        };
        match action {
            Action::MatchPatient | Action::RejectResults => {
                list.prompt_kind = if action == Action::MatchPatient {
                    PromptKind::MatchPatient
                } else {
                    PromptKind::RejectReason
                };
                list.message = None;
                list.prompt = Some(Form::new(vec![Field::default()]));
            }
            Action::CreatePatient => {
                list.message = None;
                self.call(Pending::ReviewChange, Request::ReviewCreate { number });
            }
            _ => return false,
        }
        true
    }

    /// The typed key found patients: exactly one is the match.
    pub(crate) fn on_review_found(&mut self, number: u64, response: Response) {
        let reply = match &response {
            Response::SearchResults(crate::clinic::api::SearchResults { rows, .. })
                if rows.len() == 1 =>
            {
                Ok(rows[0].id)
            }
            Response::SearchResults(crate::clinic::api::SearchResults { rows, .. })
                if rows.is_empty() =>
            {
                Err(self.t("review.no_patient"))
            }
            Response::SearchResults { .. } => Err(self.t("review.several")),
            Response::Error(e) => Err(self.error_text(e)),
            _ => Err(self.t("review.no_patient")),
        };
        match reply {
            Ok(id) => self.call(Pending::ReviewChange, Request::ReviewMatch { number, id }),
            Err(text) => {
                if let Screen::List(list) = &mut self.screen
                    && let Some(form) = &mut list.prompt
                {
                    form.busy = false;
                    form.error = Some(text);
                }
            }
        }
    }

    /// A review item was filed, created or rejected (or refused): say so, reload.
    pub(crate) fn on_review_changed(&mut self, response: Response) {
        let message = match &response {
            Response::Error(e) => (false, self.error_text(e)),
            Response::PatientCreated { .. } => (true, self.t("review.created")),
            _ => (true, self.t("review.done")),
        };
        if let Screen::List(list) = &mut self.screen {
            if let (Some(form), false) = (&mut list.prompt, message.0) {
                form.busy = false;
                form.error = Some(message.1);
                return;
            }
            list.prompt = None;
            list.message = Some(message);
            list.loading = true;
        }
        self.call(Pending::List(ListKind::Review), Request::ReviewList);
    }
}
