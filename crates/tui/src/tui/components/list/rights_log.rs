//! The privacy officer's log of patients' requests over their information (PIPL 第50
//! 条): `n` logs one in three steps (whose record, which right, what was asked; its
//! answer falls due `[privacy] answer_working_days` working days later), Enter on an
//! open one answers it in two (granted, partly or refused; what was done or why not).

use super::{List, PromptKind};
use crate::clinic::api::PatientRef;
use crate::clinic::{Request, ServiceError};
use crate::domain::rights_request::{RightKind, RightOutcome};
use crate::tui::action::Action;
use crate::tui::component::Desk;

/// The outcomes by the digit typed for them.
const OUTCOMES: [RightOutcome; 3] = [
    RightOutcome::Granted,
    RightOutcome::PartlyGranted,
    RightOutcome::Refused,
];

fn pick<T: Copy>(text: &str, all: &[T]) -> Option<T> {
    text.trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| all.get(n.wrapping_sub(1)))
        .copied()
}

impl List {
    /// Handles the action on the rights log; returns whether it did.
    pub(super) fn on_rights_log_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        if self.prompt.is_some() {
            match action {
                Action::Submit => self.rights_step(desk),
                Action::Back => {
                    self.prompt = None;
                    self.rights_draft.clear();
                }
                _ => {}
            }
            return true;
        }
        match action {
            Action::New => {
                self.rights_draft.clear();
                self.prompt(PromptKind::RightsPatient, "");
                true
            }
            Action::Open => {
                match self.rights.get(self.cursor.selected) {
                    Some((_, false)) => {
                        self.rights_draft.clear();
                        self.prompt(PromptKind::RightsOutcome, "");
                    }
                    Some((_, true)) => {
                        self.message = Some((false, desk.t("rights_log.already_answered")));
                    }
                    None => {}
                }
                true
            }
            _ => false,
        }
    }

    /// The prompt's value taken: the next step, or the request sent.
    fn rights_step(&mut self, desk: &mut Desk<'_>) {
        let Some(form) = &mut self.prompt else {
            return;
        };
        let value = form.value(0).trim().to_string();
        let refuse = |form: &mut crate::tui::screens::Form, key: &str| {
            form.error = Some(desk.t(key));
        };
        match self.prompt_kind {
            PromptKind::RightsPatient if value.is_empty() => {
                refuse(form, "rights_log.need_patient")
            }
            PromptKind::RightsKind if pick(&value, &RightKind::ALL).is_none() => {
                refuse(form, "rights_log.bad_kind")
            }
            PromptKind::RightsOutcome if pick(&value, &OUTCOMES).is_none() => {
                refuse(form, "rights_log.bad_outcome")
            }
            PromptKind::RightsPatient => {
                self.rights_draft.push(value);
                self.prompt(PromptKind::RightsKind, "");
            }
            PromptKind::RightsKind => {
                self.rights_draft.push(value);
                self.prompt(PromptKind::RightsAsked, "");
            }
            PromptKind::RightsOutcome => {
                self.rights_draft.push(value);
                self.prompt(PromptKind::RightsNote, "");
            }
            PromptKind::RightsAsked => {
                let (Some(patient), Some(kind)) = (
                    self.rights_draft.first().cloned(),
                    self.rights_draft
                        .get(1)
                        .and_then(|k| pick(k, &RightKind::ALL)),
                ) else {
                    return;
                };
                form.busy = true;
                form.error = None;
                desk.ask::<_, Vec<crate::clinic::oversight::rights_requests::RightsRequestRow>>(
                    Request::RightsRequestAdd {
                        patient: PatientRef::Key(patient),
                        kind,
                        received_on: None,
                        asked: value,
                    },
                    |this: &mut Self, desk, reply| {
                        let reply = reply.map(|rows| {
                            rows.first()
                                .map(|r| r.request.due_on.to_string())
                                .unwrap_or_default()
                        });
                        this.on_rights_done(desk, reply, "rights_log.logged");
                    },
                );
            }
            PromptKind::RightsNote => {
                let (Some((id, _)), Some(outcome)) = (
                    self.rights.get(self.cursor.selected).copied(),
                    self.rights_draft.first().and_then(|o| pick(o, &OUTCOMES)),
                ) else {
                    return;
                };
                form.busy = true;
                form.error = None;
                desk.ask::<_, Vec<crate::clinic::oversight::rights_requests::RightsRequestRow>>(
                    Request::RightsRequestAnswer {
                        id,
                        outcome,
                        note: value,
                    },
                    |this: &mut Self, desk, reply| {
                        let reply = reply.map(|rows| {
                            rows.first()
                                .map(|r| r.request.id.to_string())
                                .unwrap_or_default()
                        });
                        this.on_rights_done(desk, reply, "rights_log.answered");
                    },
                );
            }
            _ => {}
        }
    }

    /// Logged or answered: said, and the log read again; a refusal stays in the
    /// prompt to be corrected (the steps before it kept).
    fn on_rights_done(
        &mut self,
        desk: &mut Desk<'_>,
        reply: Result<String, ServiceError>,
        done_key: &str,
    ) {
        let message = match reply {
            Err(e) => (false, desk.error_text(&e)),
            Ok(value) => (true, desk.locale.tf(done_key, &[("value", &value)])),
        };
        if self.settle(message) {
            self.rights_draft.clear();
            self.loading = true;
            self.reload(desk);
        }
    }
}
