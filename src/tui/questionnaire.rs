//! Filling a questionnaire (`q` on a patient): choose it, answer each item (↑↓ and
//! Enter, or the option's number), ← goes back an item, the summary shows the total
//! and band before saving. An urgent answer is said on screen at once.

use super::action::Action;
use super::app::{App, Pending};
use super::screens::{QuestionnaireScreen, Screen};
use crate::clinic::{Request, Response};
use crate::domain::patient::PatientId;

impl App {
    pub(crate) fn open_questionnaire(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        let screen = QuestionnaireScreen {
            id,
            name: view.patient.name.clone(),
            definitions: None,
            problems: Vec::new(),
            chosen: None,
            cursor: Default::default(),
            item: 0,
            answers: Vec::new(),
            scored: None,
            busy: false,
            error: None,
        };
        self.push(Screen::Questionnaire(screen));
        self.call(Pending::Questionnaires(id), Request::QuestionnaireList);
    }

    pub(crate) fn on_questionnaire_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Questionnaire(screen) = &mut self.screen else {
            return;
        };
        screen.busy = false;
        match response {
            Response::Questionnaires {
                definitions,
                problems,
            } => {
                screen.definitions = Some(definitions);
                screen.problems = problems;
            }
            Response::QuestionnaireScored(scored) => screen.scored = Some(scored),
            _ => {
                screen.error = text;
                if screen.definitions.is_none() {
                    screen.definitions = Some(Vec::new());
                }
            }
        }
    }

    /// A digit typed on an item page chooses that option (1 is the first).
    pub(crate) fn on_questionnaire_digit(&mut self, digit: u32) -> bool {
        let Screen::Questionnaire(screen) = &mut self.screen else {
            return false;
        };
        if screen.chosen.is_none() || screen.scored.is_some() {
            return false;
        }
        let len = screen.list_len();
        let Some(index) = (digit as usize).checked_sub(1).filter(|i| *i < len) else {
            return true;
        };
        screen.cursor.selected = index;
        self.on_questionnaire_action(Action::Open);
        true
    }

    pub(crate) fn on_questionnaire_action(&mut self, action: Action) {
        let Screen::Questionnaire(screen) = &mut self.screen else {
            return;
        };
        if screen.busy {
            return;
        }
        let items = screen.definition().map(|d| d.items.len());
        match (action, items) {
            (Action::Back, _) if screen.chosen.is_some() && screen.scored.is_none() => {
                // Leave the questionnaire unsaved, back to the list.
                screen.chosen = None;
                screen.cursor = Default::default();
            }
            (Action::Back, _) => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            (Action::Open, None) => {
                let count = screen.definitions.as_ref().map(Vec::len).unwrap_or(0);
                if screen.cursor.selected < count {
                    let chosen = screen.cursor.selected;
                    screen.chosen = Some(chosen);
                    let n = screen.definition().map(|d| d.items.len()).unwrap_or(0);
                    screen.answers = vec![None; n];
                    screen.item = 0;
                    screen.scored = None;
                    screen.error = None;
                    screen.cursor = Default::default();
                }
            }
            (Action::Open, Some(n)) if screen.scored.is_some() => {
                let _ = n;
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            (Action::Open, Some(n)) if screen.item < n => {
                screen.answers[screen.item] = Some(screen.cursor.selected);
                screen.item += 1;
                screen.cursor.selected = screen
                    .answers
                    .get(screen.item)
                    .copied()
                    .flatten()
                    .unwrap_or(0);
            }
            (Action::Open, Some(_)) => self.submit_questionnaire(),
            (Action::Earlier, Some(_)) if screen.item > 0 && screen.scored.is_none() => {
                screen.item -= 1;
                screen.cursor.selected = screen.answers[screen.item].unwrap_or(0);
            }
            _ => {}
        }
    }

    fn submit_questionnaire(&mut self) {
        let Screen::Questionnaire(screen) = &mut self.screen else {
            return;
        };
        let Some(definition) = screen.definition() else {
            return;
        };
        let key = definition.key.clone();
        let answers: Option<Vec<usize>> = screen.answers.iter().copied().collect();
        let Some(answers) = answers else {
            return;
        };
        let id: PatientId = screen.id;
        screen.busy = true;
        screen.error = None;
        self.call(
            Pending::Questionnaires(id),
            Request::QuestionnaireSubmit { id, key, answers },
        );
    }
}
