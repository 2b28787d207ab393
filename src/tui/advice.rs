//! The advice screen (`a` on a patient): the draft from the library, Space ticks a
//! piece in or out, e edits its text, Enter approves the ticked ones; below, what was
//! given before.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{AdviceScreen, Screen};
use crate::clinic::{Request, Response};

impl App {
    pub(crate) fn open_advice(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        let lang = self.locale.lang;
        self.push(Screen::Advice(AdviceScreen {
            id,
            name: view.patient.name.clone(),
            draft: None,
            given: Vec::new(),
            cursor: Default::default(),
            editing: None,
            notice: None,
            error: None,
        }));
        self.call(Pending::Advice(id), Request::AdviceDraft { id, lang });
        self.call(Pending::Advice(id), Request::AdviceList { id });
    }

    pub(crate) fn on_advice_action(&mut self, action: Action) {
        let Screen::Advice(screen) = &mut self.screen else {
            return;
        };
        let at = screen.cursor.selected;
        if let Some(field) = &screen.editing {
            match action {
                Action::Submit => {
                    let text = field.value.trim().to_string();
                    if let Some((item, _)) = screen.draft.as_mut().and_then(|d| d.get_mut(at))
                        && !text.is_empty()
                    {
                        item.text = text;
                    }
                    screen.editing = None;
                }
                Action::Back => screen.editing = None,
                _ => {}
            }
            return;
        }
        match action {
            Action::Toggle => {
                if let Some((_, on)) = screen.draft.as_mut().and_then(|d| d.get_mut(at)) {
                    *on = !*on;
                }
            }
            Action::Edit => {
                if let Some((item, _)) = screen.draft.as_ref().and_then(|d| d.get(at)) {
                    screen.editing = Some(Field::with(&item.text));
                }
            }
            Action::Open => {
                let items: Vec<_> = screen
                    .draft
                    .iter()
                    .flatten()
                    .filter(|(_, on)| *on)
                    .map(|(item, _)| item.clone())
                    .collect();
                let id = screen.id;
                screen.error = None;
                self.call(Pending::Advice(id), Request::AdviceApprove { id, items });
            }
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            _ => {}
        }
    }

    pub(crate) fn on_advice_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let approved = self.t("advice.approved");
        let Screen::Advice(screen) = &mut self.screen else {
            return;
        };
        match response {
            Response::AdviceDraft(items) => {
                screen.draft = Some(items.into_iter().map(|i| (i, true)).collect())
            }
            Response::Advice(given) => screen.given = given,
            Response::Done => {
                screen.notice = Some(approved);
                let id = screen.id;
                self.call(Pending::Advice(id), Request::AdviceList { id });
            }
            _ => screen.error = text,
        }
    }
}
