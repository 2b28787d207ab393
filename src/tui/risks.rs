//! The risk screen (`k` on a patient): opening it recomputes the assessments (kept only
//! when their inputs changed); Enter recomputes on demand.

use super::action::Action;
use super::app::{App, Pending};
use super::screens::{RiskScreen, Screen};
use crate::clinic::{Request, Response};

impl App {
    pub(crate) fn open_risks(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::Risks(RiskScreen {
            id,
            name: view.patient.name.clone(),
            risks: None,
            tags: None,
            tag_problem: None,
            cursor: Default::default(),
            error: None,
        }));
        self.call(Pending::Risks(id), Request::RiskAssess { id });
    }

    pub(crate) fn on_risks_action(&mut self, action: Action) {
        let Screen::Risks(screen) = &mut self.screen else {
            return;
        };
        match action {
            Action::Open => {
                let id = screen.id;
                screen.risks = None;
                self.call(Pending::Risks(id), Request::RiskAssess { id });
            }
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            _ => {}
        }
    }

    pub(crate) fn on_risks_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Risks(screen) = &mut self.screen else {
            return;
        };
        match response {
            Response::Risks(risks) => {
                screen.risks = Some(risks);
                // The tags may depend on the risks just computed.
                let id = screen.id;
                self.call(Pending::AutoTags(id), Request::TagsEvaluate { id });
            }
            Response::AutoTags { tags, problem } => {
                screen.tags = Some(tags);
                screen.tag_problem = problem;
            }
            _ => {
                screen.error = text;
                screen.risks = Some(Vec::new());
            }
        }
    }
}
