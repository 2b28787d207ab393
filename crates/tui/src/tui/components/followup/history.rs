//! The follow-up history in the chart (`f` on a patient): the plans and every call
//! with its outcome, notes, recording marker, who and when; l plays the selected
//! call's recording through the configured player, e exports it to a file (a
//! disclosure), n starts a plan, x closes the selected call's plan with a reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::clinic::api::FollowUpPlanAdded;
use crate::clinic::followup::api::FollowUpChart;
use crate::clinic::{Request, ServiceError};
use crate::domain::followup::{CloseReason, Kind, PlanStatus, RecordingMeta};
use crate::domain::patient::PatientId;
use crate::domain::time::format_time;
use crate::tui::action::Action;
use crate::tui::app::{App, RecordingJob};
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};
use crate::tui::view;

/// What the history screen's prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPrompt {
    /// Kind (1–7), interval days, first due date, who is responsible.
    NewPlan,
    /// The reason (1–5) to close the plan of this number.
    ClosePlan(u32),
    /// The file to export the selected call's recording to.
    Export,
}

/// The follow-up history in the chart (`f` on a patient).
#[derive(Debug)]
pub struct FollowUpHistoryScreen {
    pub id: PatientId,
    pub name: String,
    pub chart: Option<FollowUpChart>,
    /// Over the calls, newest first.
    pub cursor: Cursor,
    pub prompt: Option<(HistoryPrompt, Form)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl FollowUpHistoryScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            chart: None,
            cursor: Cursor::default(),
            prompt: None,
            notice: None,
            error: None,
        }
    }

    fn reload(&self, desk: &mut Desk<'_>) {
        desk.ask::<_, Box<FollowUpChart>>(
            Request::FollowUpChart { id: self.id },
            |this: &mut Self, desk, reply| match reply {
                Ok(chart) => this.chart = Some(*chart),
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    /// The selected call's complete recording, if it has one.
    fn selected_recording(&self) -> Option<RecordingMeta> {
        let chart = self.chart.as_ref()?;
        let call = chart.calls.get(self.cursor.selected)?;
        chart
            .recordings
            .iter()
            .find(|m| {
                m.complete && m.plan == call.plan && m.seq == call.seq && m.call_at == call.at
            })
            .cloned()
    }

    fn on_list_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let selected_plan = self.chart.as_ref().and_then(|c| {
            c.calls
                .get(self.cursor.selected)
                .map(|call| call.plan)
                .or_else(|| {
                    c.plans
                        .iter()
                        .find(|p| p.status == PlanStatus::Active)
                        .map(|p| p.number)
                })
        });
        let prompt = |kind: HistoryPrompt, values: &[String]| {
            let mut form = Form::new(values.iter().map(|v| Field::with(v)).collect());
            form.focus = 0;
            Some((kind, form))
        };
        match action {
            Action::New => {
                let today = crate::domain::time::clinic_zone().today(desk.now);
                self.prompt = prompt(
                    HistoryPrompt::NewPlan,
                    &["1".into(), "30".into(), today.to_string(), "nurses".into()],
                );
            }
            Action::ClosePlan => {
                if let Some(plan) = selected_plan {
                    self.prompt = prompt(HistoryPrompt::ClosePlan(plan), &[String::new()]);
                }
            }
            Action::Export => {
                self.prompt = prompt(HistoryPrompt::Export, &[String::new()]);
            }
            Action::Listen => self.play(desk),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn play(&mut self, desk: &mut Desk<'_>) {
        let Some(chart) = &self.chart else {
            return;
        };
        if chart.calls.get(self.cursor.selected).is_none() {
            return;
        }
        let Some(meta) = self.selected_recording() else {
            self.error = Some(desk.t("followup.no_recording"));
            return;
        };
        let job = RecordingJob::Play {
            patient: self.id,
            meta: Box::new(meta),
            player: desk.settings.player.clone(),
        };
        self.error = None;
        self.notice = Some(desk.t("followup.playing"));
        desk.recording(job, Self::on_changed);
    }

    fn on_prompt_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let id = self.id;
        let recording = self.selected_recording();
        let Some((kind, form)) = &mut self.prompt else {
            return;
        };
        let count = form.fields.len();
        match action {
            Action::Back => self.prompt = None,
            Action::NextField => form.focus = (form.focus + 1) % count,
            Action::PrevField => form.focus = (form.focus + count - 1) % count,
            Action::Submit if form.focus + 1 < count => form.focus += 1,
            Action::Submit => {
                let request = match *kind {
                    HistoryPrompt::NewPlan => {
                        let kind = form
                            .value(0)
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| Kind::ALL.get(n.wrapping_sub(1)).copied());
                        let interval = form.value(1).trim().parse::<u32>().ok();
                        let due =
                            chrono::NaiveDate::parse_from_str(form.value(2).trim(), "%Y-%m-%d")
                                .ok();
                        let assigned = form.value(3).trim().to_string();
                        match (kind, interval, due) {
                            (Some(kind), Some(interval_days), Some(first_due)) => {
                                Request::FollowUpPlanAdd {
                                    id,
                                    kind,
                                    interval_days,
                                    first_due,
                                    assigned,
                                }
                            }
                            _ => return form.error = Some(desk.t("followup.bad_prompt")),
                        }
                    }
                    HistoryPrompt::ClosePlan(plan) => {
                        let reason = form
                            .value(0)
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| CloseReason::ALL.get(n.wrapping_sub(1)).copied());
                        match reason {
                            Some(reason) => Request::FollowUpPlanClose { id, plan, reason },
                            None => return form.error = Some(desk.t("followup.bad_prompt")),
                        }
                    }
                    HistoryPrompt::Export => {
                        let path = std::path::PathBuf::from(form.value(0).trim());
                        let Some(meta) = recording else {
                            return form.error = Some(desk.t("followup.no_recording"));
                        };
                        form.busy = true;
                        let job = RecordingJob::Export {
                            patient: id,
                            meta: Box::new(meta),
                            path,
                        };
                        return desk.recording(job, Self::on_changed);
                    }
                };
                form.busy = true;
                if matches!(request, Request::FollowUpPlanAdd { .. }) {
                    desk.ask::<_, FollowUpPlanAdded>(request, |this: &mut Self, desk, reply| {
                        this.on_changed(desk, reply.map(|_| ()))
                    });
                } else {
                    desk.ask::<_, ()>(request, Self::on_changed);
                }
            }
            _ => {}
        }
    }

    /// A plan added or closed, a recording played or exported (or why not): the chart
    /// read again.
    fn on_changed(&mut self, desk: &mut Desk<'_>, reply: Result<(), ServiceError>) {
        match reply {
            Ok(()) => {
                let was_prompt = self.prompt.take();
                self.notice = match was_prompt {
                    Some((HistoryPrompt::Export, _)) => Some(desk.t("followup.exported")),
                    _ => None,
                };
                self.reload(desk);
            }
            Err(e) => self.failed(desk, &e),
        }
    }

    /// Refused or failed: said in the prompt if one is open, else on the screen.
    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        let text = Some(desk.error_text(error));
        match &mut self.prompt {
            Some((_, form)) => {
                form.busy = false;
                form.error = text;
            }
            None => {
                self.notice = None;
                self.error = text;
            }
        }
    }

    fn render_prompt(
        &self,
        frame: &mut Frame<'_>,
        inner: Rect,
        app: &App,
        (kind, form): &(HistoryPrompt, Form),
    ) {
        let (intro, labels): (String, Vec<String>) = match kind {
            HistoryPrompt::NewPlan => (
                app.t("followup.new_plan_intro"),
                ["kind", "interval", "first_due", "assigned"]
                    .iter()
                    .map(|k| app.t(&format!("followup.prompt.{k}")))
                    .collect(),
            ),
            HistoryPrompt::ClosePlan(_) => (
                app.t("followup.close_intro"),
                vec![app.t("followup.prompt.reason")],
            ),
            HistoryPrompt::Export => (
                app.t("followup.export_intro"),
                vec![app.t("followup.prompt.file")],
            ),
        };
        let mut lines = vec![Line::styled(intro, app.theme.label())];
        if let Some(e) = &form.error {
            lines.push(Line::styled(e.clone(), app.theme.error()));
        }
        if form.busy {
            lines.push(Line::styled(app.t("common.working"), app.theme.label()));
        }
        let height: usize = lines
            .iter()
            .map(|l| view::wrap_columns(&l.to_string(), inner.width.max(1) as usize).len())
            .sum();
        let [top, body] =
            Layout::vertical([Constraint::Length(height as u16 + 1), Constraint::Min(1)])
                .areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), top);
        view::form_fields(frame, body, app, form, &labels);
    }
}

const HINTS: &[Action] = &[Action::Listen, Action::New, Action::Back];

impl Component for FollowUpHistoryScreen {
    fn context(&self) -> Context {
        if self.prompt.is_some() {
            Context::Form
        } else {
            Context::FollowUps
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        self.prompt.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.prompt.as_mut().map(|(_, form)| form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.prompt.is_some() {
            return None;
        }
        let len = self.chart.as_ref().map(|c| c.calls.len()).unwrap_or(0);
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.reload(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.prompt.is_some() {
            self.on_prompt_action(desk, action);
            return Handled::Consumed;
        }
        self.on_list_action(desk, action)
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            app.locale.tf("followup.title", &[("name", &self.name)]),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(chart) = &self.chart else {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        };
        if let Some(prompt) = &self.prompt {
            return self.render_prompt(frame, inner, app, prompt);
        }
        let mut head = view::followup_messages(app, &self.error, &self.notice);
        for plan in &chart.plans {
            let status = match &plan.status {
                PlanStatus::Active => app.locale.tf(
                    "followup.plan_active",
                    &[("date", &plan.next_due.to_string())],
                ),
                PlanStatus::Closed { reason, .. } => app.locale.tf(
                    "followup.plan_closed",
                    &[(
                        "reason",
                        &app.t(&format!("followup.close.{}", reason.key())),
                    )],
                ),
            };
            head.push(Line::from(format!(
                "{} · {} · {status}",
                view::kind_text(app, plan.kind),
                plan.assigned
            )));
        }
        if chart.plans.is_empty() {
            head.push(Line::styled(app.t("followup.no_plans"), app.theme.label()));
        }
        let [top, table, keys] = Layout::vertical([
            Constraint::Length(head.len() as u16 + 1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), top);
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("followup.keys"), app.theme.label())),
            keys,
        );
        let headers = vec![
            app.t("followup.when"),
            app.t("followup.by"),
            app.t("queue.kind"),
            app.t("followup.visit"),
            app.t("followup.outcome"),
            app.t("followup.notes"),
        ];
        let widths = [
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Length(6),
            Constraint::Length(12),
            Constraint::Fill(1),
        ];
        let lang = app.locale.lang;
        let cells = |i: usize| {
            let call = &chart.calls[i];
            let recorded = chart.recordings.iter().any(|m| {
                m.complete && m.plan == call.plan && m.seq == call.seq && m.call_at == call.at
            });
            let mut notes = call.input.notes.clone();
            // A referral leads the notes, with its first reason.
            if let Some(reason) = call.reasons.first() {
                notes = format!("⚑ {} · {notes}", reason.text(lang));
            }
            if let Some(next) = call.next_due {
                notes = format!("{notes} → {next}");
            }
            vec![
                format_time(call.at).trim_end_matches(" UTC").to_string(),
                call.by.clone(),
                view::kind_text(app, call.kind),
                view::visit_text(app, call.input.visit),
                format!(
                    "{}{}",
                    if recorded { "🎙 " } else { "" },
                    app.t(&format!("call.outcome.{}", call.input.outcome.key()))
                ),
                notes,
            ]
        };
        view::windowed_table(
            frame,
            table,
            app,
            (headers, &widths),
            self.cursor,
            (chart.calls.len(), &cells),
        );
    }
}
