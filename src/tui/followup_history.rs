//! The follow-up history in the chart (`f` on a patient): the plans and every call
//! with its outcome, notes, recording marker, who and when; l plays the selected
//! call's recording through the configured player, e exports it to a file (a
//! disclosure), n starts a plan, x closes the selected call's plan with a reason.

use super::action::Action;
use super::app::{App, Effect, Pending, RecordingJob};
use super::field::Field;
use super::screens::{FollowUpHistoryScreen, Form, HistoryPrompt, Screen};
use crate::clinic::{Request, Response};
use crate::domain::followup::{CloseReason, Kind, PlanStatus};

impl App {
    pub(crate) fn open_followup_history(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::FollowUpHistory(FollowUpHistoryScreen {
            id,
            name: view.patient.name.clone(),
            chart: None,
            cursor: Default::default(),
            prompt: None,
            notice: None,
            error: None,
        }));
        self.call(Pending::FollowUpHistory(id), Request::FollowUpChart { id });
    }

    pub(crate) fn on_followup_history_action(&mut self, action: Action) {
        let player = self.settings.player.clone();
        let playing = self.t("followup.playing");
        let none = self.t("followup.no_recording");
        let Screen::FollowUpHistory(screen) = &mut self.screen else {
            return;
        };
        if screen.prompt.is_some() {
            return self.on_history_prompt(action);
        }
        let today = self.now.date_naive();
        let selected_plan = screen.chart.as_ref().and_then(|c| {
            c.calls
                .get(screen.cursor.selected)
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
            Action::Back => self.back(),
            Action::New => {
                screen.prompt = prompt(
                    HistoryPrompt::NewPlan,
                    &["1".into(), "30".into(), today.to_string(), "nurses".into()],
                );
            }
            Action::ClosePlan => {
                if let Some(plan) = selected_plan {
                    screen.prompt = prompt(HistoryPrompt::ClosePlan(plan), &[String::new()]);
                }
            }
            Action::Export => {
                screen.prompt = prompt(HistoryPrompt::Export, &[String::new()]);
            }
            Action::Listen => {
                let Some(chart) = &screen.chart else {
                    return;
                };
                let Some(call) = chart.calls.get(screen.cursor.selected) else {
                    return;
                };
                let meta = chart.recordings.iter().find(|m| {
                    m.complete && m.plan == call.plan && m.seq == call.seq && m.call_at == call.at
                });
                let Some(meta) = meta else {
                    screen.error = Some(none);
                    return;
                };
                let job = RecordingJob::Play {
                    patient: screen.id,
                    meta: Box::new(meta.clone()),
                    player,
                };
                screen.error = None;
                screen.notice = Some(playing);
                let id = screen.id;
                let tag = self.next_tag(Pending::FollowUpHistory(id));
                self.effects.push(Effect::Recording { tag, job });
            }
            _ => {}
        }
    }

    fn on_history_prompt(&mut self, action: Action) {
        let bad = self.t("followup.bad_prompt");
        let no_recording = self.t("followup.no_recording");
        let Screen::FollowUpHistory(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        let Some((kind, form)) = &mut screen.prompt else {
            return;
        };
        let count = form.fields.len();
        match action {
            Action::Back => screen.prompt = None,
            Action::NextField => form.focus = (form.focus + 1) % count,
            Action::PrevField => form.focus = (form.focus + count - 1) % count,
            Action::Submit if form.focus + 1 < count => form.focus += 1,
            Action::Submit => match *kind {
                HistoryPrompt::NewPlan => {
                    let kind = form
                        .value(0)
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| Kind::ALL.get(n.wrapping_sub(1)).copied());
                    let interval = form.value(1).trim().parse::<u32>().ok();
                    let due =
                        chrono::NaiveDate::parse_from_str(form.value(2).trim(), "%Y-%m-%d").ok();
                    let assigned = form.value(3).trim().to_string();
                    match (kind, interval, due) {
                        (Some(kind), Some(interval_days), Some(first_due)) => {
                            form.busy = true;
                            self.call(
                                Pending::FollowUpHistory(id),
                                Request::FollowUpPlanAdd {
                                    id,
                                    kind,
                                    interval_days,
                                    first_due,
                                    assigned,
                                },
                            );
                        }
                        _ => form.error = Some(bad),
                    }
                }
                HistoryPrompt::ClosePlan(plan) => {
                    match form
                        .value(0)
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| CloseReason::ALL.get(n.wrapping_sub(1)).copied())
                    {
                        Some(reason) => {
                            form.busy = true;
                            self.call(
                                Pending::FollowUpHistory(id),
                                Request::FollowUpPlanClose { id, plan, reason },
                            );
                        }
                        None => form.error = Some(bad),
                    }
                }
                HistoryPrompt::Export => {
                    let path = std::path::PathBuf::from(form.value(0).trim());
                    let meta = screen.chart.as_ref().and_then(|c| {
                        let call = c.calls.get(screen.cursor.selected)?;
                        c.recordings
                            .iter()
                            .find(|m| {
                                m.complete
                                    && m.plan == call.plan
                                    && m.seq == call.seq
                                    && m.call_at == call.at
                            })
                            .cloned()
                    });
                    let Some(meta) = meta else {
                        form.error = Some(no_recording);
                        return;
                    };
                    form.busy = true;
                    let tag = self.next_tag(Pending::FollowUpHistory(id));
                    self.effects.push(Effect::Recording {
                        tag,
                        job: RecordingJob::Export {
                            patient: id,
                            meta: Box::new(meta),
                            path,
                        },
                    });
                }
            },
            _ => {}
        }
    }

    pub(crate) fn on_followup_history_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let exported = self.t("followup.exported");
        let Screen::FollowUpHistory(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        match response {
            Response::FollowUpChart(chart) => screen.chart = Some(*chart),
            Response::Done | Response::FollowUpPlanAdded { .. } => {
                let was_prompt = screen.prompt.take();
                screen.notice = match was_prompt {
                    Some((HistoryPrompt::Export, _)) => Some(exported),
                    _ => None,
                };
                self.call(Pending::FollowUpHistory(id), Request::FollowUpChart { id });
            }
            _ => match &mut screen.prompt {
                Some((_, form)) => {
                    form.busy = false;
                    form.error = text;
                }
                None => {
                    screen.notice = None;
                    screen.error = text;
                }
            },
        }
    }
}
