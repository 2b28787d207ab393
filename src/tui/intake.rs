//! The intake interview (`i` on a patient): one question a page. A text answer is
//! typed and Enter moves on (Shift-Tab goes back); a choice is ↑↓ and Enter; a
//! checklist is ↑↓ and Space to tick, Enter to move on. The summary saves it into the
//! record.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{IntakeScreen, Screen};
use crate::clinic::{Request, Response};
use crate::domain::intake::{Answer, Kind};

impl App {
    pub(crate) fn open_intake(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::Intake(IntakeScreen {
            id,
            name: view.patient.name.clone(),
            intake: None,
            question: 0,
            answers: Vec::new(),
            field: Field::default(),
            cursor: Default::default(),
            saved: false,
            busy: false,
            error: None,
        }));
        self.call(Pending::Intake(id), Request::IntakeGet);
    }

    pub(crate) fn on_intake_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let saved = self.t("intake.saved");
        let Screen::Intake(screen) = &mut self.screen else {
            return;
        };
        screen.busy = false;
        match response {
            Response::Intake(intake) => {
                screen.answers = intake
                    .questions
                    .iter()
                    .map(|q| match q.kind {
                        Kind::Text => Answer::Text(String::new()),
                        Kind::Choice => Answer::Choice(None),
                        Kind::Checklist => Answer::Checklist(Vec::new()),
                    })
                    .collect();
                screen.intake = Some(*intake);
            }
            Response::Health(_) => {
                screen.saved = true;
                screen.error = Some(saved);
            }
            _ => screen.error = text,
        }
    }

    /// Shows question `to`, with its answer so far.
    fn intake_goto(screen: &mut IntakeScreen, to: usize) {
        screen.question = to;
        screen.cursor = Default::default();
        match screen.answers.get(to) {
            Some(Answer::Text(t)) => screen.field = Field::with(t),
            Some(Answer::Choice(Some(c))) => screen.cursor.selected = *c,
            _ => {}
        }
    }

    pub(crate) fn on_intake_action(&mut self, action: Action) {
        let Screen::Intake(screen) = &mut self.screen else {
            return;
        };
        let Some(count) = screen.intake.as_ref().map(|i| i.questions.len()) else {
            if action == Action::Back
                && let Some(previous) = self.stack.pop()
            {
                self.screen = previous;
            }
            return;
        };
        let at = screen.question;
        match action {
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            _ if screen.saved || screen.busy => {}
            Action::Toggle => {
                let i = screen.cursor.selected;
                if let Some(Answer::Checklist(list)) = screen.answers.get_mut(at) {
                    match list.iter().position(|c| *c == i) {
                        Some(p) => {
                            list.remove(p);
                        }
                        None => {
                            list.push(i);
                            list.sort_unstable();
                        }
                    }
                }
            }
            Action::Submit | Action::Open | Action::NextField if at < count => {
                let selected = screen.cursor.selected;
                match screen.answers.get_mut(at) {
                    Some(Answer::Text(t)) => *t = screen.field.value.trim().to_string(),
                    Some(Answer::Choice(c)) => *c = Some(selected),
                    _ => {}
                }
                Self::intake_goto(screen, at + 1);
            }
            Action::Submit | Action::Open => {
                let (id, answers) = (screen.id, screen.answers.clone());
                screen.busy = true;
                screen.error = None;
                self.call(Pending::Intake(id), Request::IntakeSubmit { id, answers });
            }
            Action::PrevField | Action::Earlier if at > 0 => {
                if let Some(Answer::Text(t)) = screen.answers.get_mut(at) {
                    *t = screen.field.value.trim().to_string();
                }
                Self::intake_goto(screen, at - 1);
            }
            _ => {}
        }
    }
}
