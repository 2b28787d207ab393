//! The plan screen (`p` on a patient): the plan's goals with their progress and its
//! actions; Space ticks an action done, n starts a plan from a template, e edits it as
//! lines, x closes or reopens it. Every change is a new version through the service.

mod lines;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

pub(crate) use lines::goal_text;

use crate::clinic::{Reply, Request, ServiceError};
use crate::domain::patient::PatientId;
use crate::domain::plan::{Plan, PlanView};
use crate::domain::plan_form;
use crate::domain::plan_template::Offer;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, LineEditor, Navigation};

/// The intervention plan (健康干预计划): goals with progress, actions with who and
/// when; a template list or the editor over it.
#[derive(Debug)]
pub struct PlanScreen {
    pub id: PatientId,
    pub name: String,
    /// `None` while loading; `Some(None)` when the patient has no plan yet.
    pub view: Option<Option<PlanView>>,
    /// The selected action.
    pub cursor: Cursor,
    /// Choosing a template to start from.
    pub templates: Option<(Vec<Offer>, Cursor)>,
    /// Editing: the title on the first row, then goals and actions.
    pub editor: Option<LineEditor>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PlanScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            view: None,
            cursor: Cursor::default(),
            templates: None,
            editor: None,
            notice: None,
            error: None,
        }
    }

    /// The version the editor or a quick change starts from (0: no plan yet).
    pub fn base(&self) -> usize {
        self.current_view().map(|v| v.number).unwrap_or(0)
    }

    pub fn action_count(&self) -> usize {
        self.current_view()
            .map(|v| v.current.plan.actions.len())
            .unwrap_or(0)
    }

    fn current_view(&self) -> Option<&PlanView> {
        self.view.as_ref().and_then(|v| v.as_ref())
    }

    /// Every call this screen makes comes back to `on_reply`, its reply asked for as
    /// `T` and told apart by `reply`.
    fn send<T: Reply + 'static>(
        &self,
        desk: &mut Desk<'_>,
        request: Request,
        reply: fn(T) -> PlanReply,
    ) {
        desk.ask::<_, T>(request, move |this: &mut Self, desk, answer| {
            this.on_reply(desk, answer.map(reply))
        });
    }

    fn reload(&self, desk: &mut Desk<'_>) {
        self.send(desk, Request::PlanGet { id: self.id }, PlanReply::Plan);
    }

    fn on_templates_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some((offers, cursor)) = &self.templates else {
            return;
        };
        match action {
            Action::Open => {
                if let Some(offer) = offers.get(cursor.selected) {
                    let template = offer.id.clone();
                    self.templates = None;
                    let (id, lang) = (self.id, desk.locale.lang);
                    self.send(
                        desk,
                        Request::PlanDraft { id, template, lang },
                        PlanReply::Draft,
                    );
                }
            }
            Action::Back => self.templates = None,
            _ => {}
        }
    }

    fn on_plan_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let current = self.current_view().map(|v| v.current.plan.clone());
        match action {
            Action::New => {
                self.notice = None;
                let (id, lang) = (self.id, desk.locale.lang);
                self.send(
                    desk,
                    Request::PlanTemplates { id, lang },
                    PlanReply::Templates,
                );
            }
            Action::Edit => {
                let plan = current.unwrap_or(Plan {
                    title: String::new(),
                    goals: Vec::new(),
                    actions: Vec::new(),
                    active: true,
                });
                self.notice = None;
                self.editor = Some(editor_for(&plan));
            }
            Action::Toggle => {
                if let Some(mut plan) = current
                    && let Some(a) = plan.actions.get_mut(self.cursor.selected)
                {
                    a.done = !a.done;
                    self.save(desk, plan);
                }
            }
            Action::ClosePlan => {
                if let Some(mut plan) = current {
                    plan.active = !plan.active;
                    self.save(desk, plan);
                }
            }
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn on_editor_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let active = self.current_view().is_none_or(|v| v.current.plan.active);
        let Some(editor) = &mut self.editor else {
            return;
        };
        match (editor.navigate(action), action) {
            (Navigation::Moved, _) => {}
            (Navigation::Save, _) => {
                let lines = editor.lines();
                let title = lines.first().cloned().unwrap_or_default();
                match plan_form::parse(&title, &lines[1..], active) {
                    Ok(plan) => self.save(desk, plan),
                    Err(problems) => {
                        editor.field_errors = vec![None; editor.form.fields.len()];
                        for (line, problem) in &problems {
                            editor.field_errors[line + 1] = Some(problem.clone());
                        }
                        editor.form.focus = problems[0].0 + 1;
                    }
                }
            }
            (Navigation::Other, Action::Back) => self.editor = None,
            (Navigation::Other, _) => {}
        }
    }

    fn save(&mut self, desk: &mut Desk<'_>, plan: Plan) {
        let (id, base) = (self.id, self.base());
        self.error = None;
        if let Some(editor) = &mut self.editor {
            editor.form.busy = true;
            editor.form.error = None;
        }
        self.send(desk, Request::PlanSet { id, plan, base }, |()| {
            PlanReply::Saved
        });
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<PlanReply, ServiceError>) {
        match reply {
            Ok(PlanReply::Plan(view)) => {
                self.view = Some(*view);
                let len = self.action_count();
                self.cursor.selected = self.cursor.selected.min(len.saturating_sub(1));
            }
            Ok(PlanReply::Templates(offers)) => {
                self.templates = Some((offers, Cursor::default()));
            }
            Ok(PlanReply::Draft(plan)) => {
                self.editor = Some(editor_for(&plan));
            }
            Ok(PlanReply::Saved) => {
                self.editor = None;
                self.notice = Some(desk.t("plan.saved"));
                self.reload(desk);
            }
            Err(ServiceError::Conflict(_)) => {
                // Keep what was typed; show the newer version under it.
                let reloaded = desk.t("plan.reloaded");
                match &mut self.editor {
                    Some(editor) => {
                        editor.form.busy = false;
                        editor.form.error = Some(reloaded);
                    }
                    None => self.error = Some(reloaded),
                }
                self.reload(desk);
            }
            Err(error) => {
                let text = Some(desk.error_text(&error));
                match &mut self.editor {
                    Some(editor) => {
                        editor.form.busy = false;
                        editor.form.error = text;
                    }
                    None => {
                        self.error = text;
                        if self.view.is_none() {
                            self.view = Some(None);
                        }
                    }
                }
            }
        }
    }
}

/// The replies to the plan screen's calls.
enum PlanReply {
    /// The plan as it is, if the patient has one.
    Plan(Box<Option<PlanView>>),
    Templates(Vec<Offer>),
    /// A plan drafted from a template, to edit before saving.
    Draft(Box<Plan>),
    Saved,
}

fn editor_for(plan: &Plan) -> LineEditor {
    let mut lines = vec![plan.title.clone()];
    lines.extend(plan_form::lines(plan));
    LineEditor::with_lines(&lines)
}

const HINTS: &[Action] = &[Action::New, Action::Edit, Action::Back];

impl Component for PlanScreen {
    fn context(&self) -> Context {
        if self.editor.is_some() {
            Context::Form
        } else if self.templates.is_some() {
            Context::List
        } else {
            Context::Plan
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        // The editor and the template list have the form's and the list's keys.
        (self.editor.is_none() && self.templates.is_none()).then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.editor.as_mut().map(|editor| editor.form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        // The template list when choosing; the plan's actions unless editing.
        if self.editor.is_some() && self.templates.is_none() {
            return None;
        }
        let len = self.action_count();
        match &mut self.templates {
            Some((offers, cursor)) => Some((cursor, offers.len())),
            None => Some((&mut self.cursor, len)),
        }
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.reload(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            self.on_editor_action(desk, action);
        } else if self.templates.is_some() {
            self.on_templates_action(desk, action);
        } else {
            return self.on_plan_action(desk, action);
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            app.locale.tf("plan.title", &[("name", &self.name)]),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(editor) = &self.editor {
            let intro = app.t("plan.intro");
            crate::tui::view::line_editor(
                frame,
                inner,
                app,
                editor,
                (&intro, Some(app.t("plan.title_label"))),
            );
            return;
        }
        let mut lines: Vec<Line<'static>> = Vec::new();
        if let Some(error) = &self.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        if let Some(notice) = &self.notice {
            lines.push(Line::styled(notice.clone(), app.theme.notice()));
        }
        if let Some((offers, cursor)) = &self.templates {
            lines.push(Line::styled(app.t("plan.templates"), app.theme.label()));
            lines.push(Line::from(""));
            for (i, offer) in offers.iter().enumerate() {
                let star = if offer.suggested {
                    app.t("plan.suggested")
                } else {
                    " ".into()
                };
                let text = format!("{star} {}", offer.title);
                lines.push(if i == cursor.selected {
                    Line::styled(format!("▸ {text}"), app.theme.selected())
                } else {
                    Line::from(format!("  {text}"))
                });
            }
        } else {
            match &self.view {
                None => lines.push(Line::from(app.t("common.working"))),
                Some(None) => lines.push(Line::styled(app.t("plan.none"), app.theme.label())),
                Some(Some(view)) => {
                    lines.extend(lines::plan_lines(app, view, self.cursor.selected))
                }
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("plan.keys"), app.theme.label()));
        }
        frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
    }
}
