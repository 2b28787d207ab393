//! The alerts list: `a` acknowledges the selected alert with a note of what was done;
//! the last line shows who acknowledged the selected one, when, and their note.

use super::{List, PromptKind};
use crate::auth::Permission;
use crate::clinic::{Request, ServiceError};
use crate::tui::action::Action;
use crate::tui::component::Desk;

/// The request that lists the alerts this user acts on.
pub(super) fn request(desk: &Desk<'_>) -> Request {
    if desk.allows(Permission::AlertsRead) {
        Request::AlertsList { limit: 1000 }
    } else {
        Request::UrgentAlerts { limit: 1000 }
    }
}

impl List {
    /// Handles the action if it is the alerts list's; returns whether it did.
    pub(super) fn on_alert_action(&mut self, desk: &mut Desk<'_>, action: Action) -> bool {
        let selected = self
            .alerts
            .get(self.cursor.selected)
            .map(|a| (a.id, a.acknowledged.is_some()));
        if let Some(form) = &mut self.prompt {
            match action {
                Action::Submit => match selected {
                    Some((id, _)) => {
                        let note = form.value(0).trim().to_string();
                        form.busy = true;
                        form.error = None;
                        desk.ask::<_, ()>(
                            Request::AlertAcknowledge { id, note },
                            |this: &mut Self, desk, reply| this.on_acknowledged(desk, reply),
                        );
                    }
                    None => self.prompt = None,
                },
                Action::Back => self.prompt = None,
                _ => {}
            }
            return true;
        }
        if action != Action::AcknowledgeAlert {
            return false;
        }
        match selected {
            Some((_, false)) => self.prompt(PromptKind::AcknowledgeNote, ""),
            Some((_, true)) => self.message = Some((false, desk.t("alert.already"))),
            None => {}
        }
        true
    }

    /// An acknowledgement was kept (or refused): say so, and reload the list.
    fn on_acknowledged(&mut self, desk: &mut Desk<'_>, reply: Result<(), ServiceError>) {
        let message = match reply {
            Err(e) => (false, desk.error_text(&e)),
            Ok(()) => (true, desk.t("alert.done")),
        };
        if self.settle(message) {
            self.loading = true;
            self.reload(desk);
        }
    }
}
