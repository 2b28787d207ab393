//! The privacy officer's retention review: the records past `[retention] record_years`
//! since their last activity, oldest first; Enter on one not yet stored only asks for
//! "yes" (是), then keeps it stored only (PIPL 第47条): nothing may be added to it and its
//! follow-ups close. Erasing one is the two-person erasure.

use super::{List, PromptKind};
use crate::clinic::api::PatientRef;
use crate::clinic::{Request, ServiceError};
use crate::tui::action::Action;
use crate::tui::component::Desk;

/// What confirms: yes, y, 是, 确认.
fn confirmed(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "yes" | "y" | "是" | "确认"
    )
}

impl List {
    /// Handles the action on the retention review; returns whether it did.
    pub(super) fn on_retention_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let selected = self.retention.get(self.cursor.selected).copied();
        if let Some(form) = &mut self.prompt {
            match action {
                Action::Submit => match selected {
                    Some((id, _)) if confirmed(form.value(0)) => {
                        form.busy = true;
                        form.error = None;
                        desk.ask::<_, ()>(
                            Request::RetentionRestrict {
                                patient: PatientRef::Id(id),
                            },
                            |this: &mut Self, desk, reply| this.on_restricted(desk, reply),
                        );
                    }
                    _ => self.prompt = None,
                },
                Action::Back => self.prompt = None,
                _ => {}
            }
            return true;
        }
        if action != Action::Open {
            return false;
        }
        match selected {
            Some((_, false)) => self.prompt(PromptKind::RetentionConfirm, ""),
            Some((_, true)) => {
                self.message = Some((false, desk.t("retention.already")));
            }
            None => {}
        }
        true
    }

    fn on_restricted(&mut self, desk: &mut Desk<'_>, reply: Result<(), ServiceError>) {
        let message = match reply {
            Err(e) => (false, desk.error_text(&e)),
            Ok(()) => (true, desk.t("retention.done")),
        };
        if self.settle(message) {
            self.loading = true;
            self.reload(desk);
        }
    }
}
