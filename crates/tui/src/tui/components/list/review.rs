//! The review list: results that matched no patient. m files the selected message
//! under a patient (typed as card, ID or phone number), p creates the patient the
//! message describes, d rejects it with a reason.

use super::{List, PromptKind};
use crate::clinic::{Request, Response};
use crate::tui::action::Action;
use crate::tui::component::Desk;

impl List {
    /// Handles the action if it is the review list's; returns whether it did.
    pub(super) fn on_review_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let selected = self.reviews.get(self.cursor.selected).copied();
        if let Some(form) = &mut self.prompt {
            match action {
                Action::Submit => {
                    let Some(number) = selected else {
                        self.prompt = None;
                        return true;
                    };
                    let text = form.value(0).trim().to_string();
                    form.busy = true;
                    form.error = None;
                    match self.prompt_kind {
                        PromptKind::MatchPatient => desk.call(
                            Request::PatientSearch {
                                query: text,
                                limit: 2,
                            },
                            move |this: &mut Self, desk, response| {
                                this.on_review_found(desk, number, response)
                            },
                        ),
                        _ => self.change_review(
                            desk,
                            Request::ReviewReject {
                                number,
                                reason: text,
                            },
                        ),
                    }
                }
                Action::Back => self.prompt = None,
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
            Action::MatchPatient => self.prompt(PromptKind::MatchPatient, ""),
            Action::RejectResults => self.prompt(PromptKind::RejectReason, ""),
            Action::CreatePatient => {
                self.message = None;
                self.change_review(desk, Request::ReviewCreate { number });
            }
            _ => return false,
        }
        true
    }

    fn change_review(&mut self, desk: &mut Desk<'_>, request: Request) {
        desk.call(request, |this: &mut Self, desk, response| {
            this.on_review_changed(desk, response)
        });
    }

    /// The typed key found patients: exactly one is the match.
    fn on_review_found(&mut self, desk: &mut Desk<'_>, number: u64, response: Response) {
        let reply = match &response {
            Response::SearchResults(crate::clinic::api::SearchResults { rows, .. })
                if rows.len() == 1 =>
            {
                Ok(rows[0].id)
            }
            Response::SearchResults(crate::clinic::api::SearchResults { rows, .. })
                if rows.is_empty() =>
            {
                Err(desk.t("review.no_patient"))
            }
            Response::SearchResults { .. } => Err(desk.t("review.several")),
            Response::Error(e) => Err(desk.error_text(e)),
            _ => Err(desk.t("review.no_patient")),
        };
        match reply {
            Ok(id) => self.change_review(desk, Request::ReviewMatch { number, id }),
            Err(text) => {
                if let Some(form) = &mut self.prompt {
                    form.busy = false;
                    form.error = Some(text);
                }
            }
        }
    }

    /// A review item was filed, created or rejected (or refused): say so, reload.
    fn on_review_changed(&mut self, desk: &mut Desk<'_>, response: Response) {
        let message = match &response {
            Response::Error(e) => (false, desk.error_text(e)),
            Response::PatientCreated { .. } => (true, desk.t("review.created")),
            _ => (true, desk.t("review.done")),
        };
        if self.settle(message) {
            self.loading = true;
            self.reload(desk);
        }
    }
}
