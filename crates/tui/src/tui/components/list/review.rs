//! The review list: results that matched no patient. m files the selected message
//! under a patient (typed as card, ID or phone number), p creates the patient the
//! message describes, d rejects it with a reason.

use super::{List, PromptKind};
use crate::clinic::api::{PatientCreated, SearchResults};
use crate::clinic::{Reply, Request, ServiceError};
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
                        PromptKind::MatchPatient => desk.ask::<_, SearchResults>(
                            Request::PatientSearch {
                                query: text,
                                limit: 2,
                            },
                            move |this: &mut Self, desk, reply| {
                                this.on_review_found(desk, number, reply)
                            },
                        ),
                        _ => Self::change_review::<()>(
                            desk,
                            Request::ReviewReject {
                                number,
                                reason: text,
                            },
                            "review.done",
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
                Self::change_review::<PatientCreated>(
                    desk,
                    Request::ReviewCreate { number },
                    "review.created",
                );
            }
            _ => return false,
        }
        true
    }

    /// Files, creates or rejects; `done` is the catalog key that says it was done.
    fn change_review<T: Reply + 'static>(
        desk: &mut Desk<'_>,
        request: Request,
        done: &'static str,
    ) {
        desk.ask::<_, T>(request, move |this: &mut Self, desk, reply| {
            this.on_review_changed(desk, reply.map(|_| done))
        });
    }

    /// The typed key found patients: exactly one is the match.
    fn on_review_found(
        &mut self,
        desk: &mut Desk<'_>,
        number: u64,
        reply: Result<SearchResults, ServiceError>,
    ) {
        let found = match reply {
            Ok(SearchResults { rows, .. }) if rows.len() == 1 => Ok(rows[0].id),
            Ok(SearchResults { rows, .. }) if rows.is_empty() => Err(desk.t("review.no_patient")),
            Ok(_) => Err(desk.t("review.several")),
            Err(e) => Err(desk.error_text(&e)),
        };
        match found {
            Ok(id) => {
                Self::change_review::<()>(desk, Request::ReviewMatch { number, id }, "review.done")
            }
            Err(text) => {
                if let Some(form) = &mut self.prompt {
                    form.busy = false;
                    form.error = Some(text);
                }
            }
        }
    }

    /// A review item was filed, created or rejected (or refused): say so, reload.
    fn on_review_changed(&mut self, desk: &mut Desk<'_>, reply: Result<&str, ServiceError>) {
        let message = match reply {
            Err(e) => (false, desk.error_text(&e)),
            Ok(done) => (true, desk.t(done)),
        };
        if self.settle(message) {
            self.loading = true;
            self.reload(desk);
        }
    }
}
