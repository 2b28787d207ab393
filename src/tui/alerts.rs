//! The alerts list: `a` acknowledges the selected alert with a note of what was done;
//! the last line shows who acknowledged the selected one, when, and their note.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, ListKind, PromptKind, Screen};
use crate::auth::Permission;
use crate::clinic::{Request, Response};

impl App {
    /// The request that lists the alerts this user acts on.
    pub(crate) fn alerts_request(&self) -> Request {
        if self.allows(Permission::AlertsRead) {
            Request::AlertsList { limit: 1000 }
        } else {
            Request::UrgentAlerts { limit: 1000 }
        }
    }

    /// Handles the action if the screen is the alerts list; returns whether it did.
    pub(crate) fn on_alert_action(&mut self, action: Action) -> bool {
        let Screen::List(list) = &mut self.screen else {
            return false;
        };
        if list.kind != ListKind::Alerts {
            return false;
        }
        let selected = list
            .alerts
            .get(list.cursor.selected)
            .map(|a| (a.id, a.acknowledged.is_some()));
        if let Some(form) = &mut list.prompt {
            match action {
                Action::Submit => match selected {
                    Some((id, _)) => {
                        let note = form.value(0).trim().to_string();
                        form.busy = true;
                        form.error = None;
                        self.call(
                            Pending::AlertAcknowledged,
                            Request::AlertAcknowledge { id, note },
                        );
                    }
                    None => list.prompt = None,
                },
                Action::Back => list.prompt = None,
                _ => {}
            }
            return true;
        }
        if action != Action::AcknowledgeAlert {
            return false;
        }
        match selected {
            Some((_, false)) => {
                list.prompt_kind = PromptKind::AcknowledgeNote;
                list.message = None;
                list.prompt = Some(Form::new(vec![Field::default()]));
            }
            Some((_, true)) => {
                let text = self.t("alert.already");
                if let Screen::List(list) = &mut self.screen {
                    list.message = Some((false, text));
                }
            }
            None => {}
        }
        true
    }

    /// An acknowledgement was kept (or refused): say so, and reload the list.
    pub(crate) fn on_alert_acknowledged(&mut self, response: Response) {
        let message = match &response {
            Response::Error(e) => (false, self.error_text(e)),
            _ => (true, self.t("alert.done")),
        };
        let Screen::List(list) = &mut self.screen else {
            return;
        };
        if let (Some(form), false) = (&mut list.prompt, message.0) {
            form.busy = false;
            form.error = Some(message.1);
            return;
        }
        list.prompt = None;
        list.message = Some(message);
        list.loading = true;
        let request = self.alerts_request();
        self.call(Pending::List(ListKind::Alerts), request);
    }
}
