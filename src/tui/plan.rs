//! The plan screen (`p` on a patient): the plan's goals with their progress and its
//! actions; Space ticks an action done, n starts a plan from a template, e edits it as
//! lines, x closes or reopens it. Every change is a new version through the service.

use super::action::Action;
use super::app::{App, Pending};
use super::screens::{LineEditor, Navigation, PlanScreen, Screen};
use crate::clinic::{Request, Response, ServiceError};
use crate::domain::plan::Plan;
use crate::domain::plan_form;

impl App {
    pub(crate) fn open_plan(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::Plan(PlanScreen {
            id,
            name: view.patient.name.clone(),
            view: None,
            cursor: Default::default(),
            templates: None,
            editor: None,
            notice: None,
            error: None,
        }));
        self.call(Pending::Plan(id), Request::PlanGet { id });
    }

    pub(crate) fn on_plan_action(&mut self, action: Action) {
        let lang = self.locale.lang;
        let Screen::Plan(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        if screen.editor.is_some() {
            return self.on_plan_editor_action(action);
        }
        if let Some((offers, cursor)) = &screen.templates {
            match action {
                Action::Open => {
                    if let Some(offer) = offers.get(cursor.selected) {
                        let template = offer.id.clone();
                        screen.templates = None;
                        self.call(Pending::Plan(id), Request::PlanDraft { id, template, lang });
                    }
                }
                Action::Back => screen.templates = None,
                _ => {}
            }
            return;
        }
        let current = screen
            .view
            .as_ref()
            .and_then(|v| v.as_ref())
            .map(|v| v.current.plan.clone());
        match action {
            Action::Back => self.back(),
            Action::New => {
                screen.notice = None;
                self.call(Pending::Plan(id), Request::PlanTemplates { id, lang });
            }
            Action::Edit => {
                let plan = current.unwrap_or(Plan {
                    title: String::new(),
                    goals: Vec::new(),
                    actions: Vec::new(),
                    active: true,
                });
                screen.notice = None;
                screen.editor = Some(editor_for(&plan));
            }
            Action::Toggle => {
                if let Some(mut plan) = current
                    && let Some(a) = plan.actions.get_mut(screen.cursor.selected)
                {
                    a.done = !a.done;
                    self.save_plan(plan);
                }
            }
            Action::ClosePlan => {
                if let Some(mut plan) = current {
                    plan.active = !plan.active;
                    self.save_plan(plan);
                }
            }
            _ => {}
        }
    }

    fn on_plan_editor_action(&mut self, action: Action) {
        let Screen::Plan(PlanScreen {
            editor: Some(editor),
            ..
        }) = &mut self.screen
        else {
            return;
        };
        match (editor.navigate(action), action) {
            (Navigation::Moved, _) => {}
            (Navigation::Save, _) => {
                let lines = editor.lines();
                let active = match &self.screen {
                    Screen::Plan(s) => s
                        .view
                        .as_ref()
                        .and_then(|v| v.as_ref())
                        .is_none_or(|v| v.current.plan.active),
                    _ => true,
                };
                let title = lines.first().cloned().unwrap_or_default();
                match plan_form::parse(&title, &lines[1..], active) {
                    Ok(plan) => self.save_plan(plan),
                    Err(problems) => {
                        if let Screen::Plan(PlanScreen {
                            editor: Some(editor),
                            ..
                        }) = &mut self.screen
                        {
                            editor.field_errors = vec![None; editor.form.fields.len()];
                            for (line, problem) in &problems {
                                editor.field_errors[line + 1] = Some(problem.clone());
                            }
                            editor.form.focus = problems[0].0 + 1;
                        }
                    }
                }
            }
            (Navigation::Other, Action::Back) => {
                if let Screen::Plan(screen) = &mut self.screen {
                    screen.editor = None;
                }
            }
            (Navigation::Other, _) => {}
        }
    }

    fn save_plan(&mut self, plan: Plan) {
        let Screen::Plan(screen) = &mut self.screen else {
            return;
        };
        let (id, base) = (screen.id, screen.base());
        screen.error = None;
        if let Some(editor) = &mut screen.editor {
            editor.form.busy = true;
            editor.form.error = None;
        }
        self.call(Pending::Plan(id), Request::PlanSet { id, plan, base });
    }

    pub(crate) fn on_plan_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let (saved, reloaded) = (self.t("plan.saved"), self.t("plan.reloaded"));
        let Screen::Plan(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        match response {
            Response::Plan(view) => {
                screen.view = Some(*view);
                let len = screen.action_count();
                screen.cursor.selected = screen.cursor.selected.min(len.saturating_sub(1));
            }
            Response::PlanTemplates(offers) => {
                screen.templates = Some((offers, Default::default()));
            }
            Response::PlanDraft(plan) => {
                screen.editor = Some(editor_for(&plan));
            }
            Response::Done => {
                screen.editor = None;
                screen.notice = Some(saved);
                self.call(Pending::Plan(id), Request::PlanGet { id });
            }
            Response::Error(ServiceError::Conflict(_)) => {
                // Keep what was typed; show the newer version under it.
                match &mut screen.editor {
                    Some(editor) => {
                        editor.form.busy = false;
                        editor.form.error = Some(reloaded);
                    }
                    None => screen.error = Some(reloaded),
                }
                self.call(Pending::Plan(id), Request::PlanGet { id });
            }
            _ => match &mut screen.editor {
                Some(editor) => {
                    editor.form.busy = false;
                    editor.form.error = text;
                }
                None => {
                    screen.error = text;
                    if screen.view.is_none() {
                        screen.view = Some(None);
                    }
                }
            },
        }
    }
}

fn editor_for(plan: &Plan) -> LineEditor {
    let mut lines = vec![plan.title.clone()];
    lines.extend(plan_form::lines(plan));
    LineEditor::with_lines(&lines)
}
