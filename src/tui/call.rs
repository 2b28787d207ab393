//! The call screen: claimed from the queue, it shows the patient, the readings the
//! protocol cares about with their trend, the last call, the plan's open goals and the
//! script; the form takes the outcome (1–6), the readings the patient reports,
//! adherence, symptoms, side effects, notes and a callback time. Saving shows where
//! the follow-up went (the next due date); then a attaches a recording.

use super::action::Action;
use super::app::{App, Effect, Pending, RecordingJob};
use super::field::Field;
use super::screens::{CALL_TAIL, CallScreen, Form, Screen};
use crate::clinic::followup_api::{CallView, FollowUpKey};
use crate::clinic::{Request, Response};
use crate::domain::followup::{Adherence, CallInput, Outcome};

/// The outcomes by the digit typed for them.
pub const OUTCOMES: [&str; 6] = [
    "reached",
    "no_answer",
    "busy",
    "wrong_number",
    "refused",
    "callback",
];
pub const ADHERENCE: [Adherence; 4] = [
    Adherence::Regular,
    Adherence::Irregular,
    Adherence::Stopped,
    Adherence::NotApplicable,
];

fn form_for(view: &CallView) -> Form {
    let count = 1 + view.asks.len() + CALL_TAIL.len();
    let mut form = Form::new((0..count).map(|_| Field::default()).collect());
    form.focus = 0;
    form
}

/// The call as typed, or each wrong field's index and what to do.
fn parse(view: &CallView, form: &Form) -> Result<CallInput, Vec<(usize, &'static str)>> {
    let mut problems = Vec::new();
    let outcome_digit = form.value(0).trim().parse::<usize>().ok();
    let asks = view.asks.len();
    let mut readings = Vec::new();
    for (i, key) in view.asks.iter().enumerate() {
        let text = form.value(1 + i).trim();
        if text.is_empty() {
            continue;
        }
        match text.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => readings.push((key.clone(), v)),
            _ => problems.push((1 + i, "call.bad_number")),
        }
    }
    let tail = 1 + asks;
    let adherence = match form.value(tail).trim() {
        "" => None,
        t => match t
            .parse::<usize>()
            .ok()
            .and_then(|n| ADHERENCE.get(n.wrapping_sub(1)))
        {
            Some(a) => Some(*a),
            None => {
                problems.push((tail, "call.bad_adherence"));
                None
            }
        },
    };
    let callback_text = form.value(tail + 4).trim().to_string();
    let outcome = match outcome_digit {
        Some(1) => Some(Outcome::Reached),
        Some(2) => Some(Outcome::NoAnswer),
        Some(3) => Some(Outcome::Busy),
        Some(4) => Some(Outcome::WrongNumber),
        Some(5) => Some(Outcome::Refused),
        Some(6) => match chrono::NaiveDateTime::parse_from_str(&callback_text, "%Y-%m-%d %H:%M") {
            Ok(at) => Some(Outcome::Callback(at.and_utc().timestamp())),
            Err(_) => {
                problems.push((tail + 4, "call.bad_callback"));
                None
            }
        },
        _ => {
            problems.push((0, "call.bad_outcome"));
            None
        }
    };
    match outcome {
        Some(outcome) if problems.is_empty() => Ok(CallInput {
            outcome,
            readings,
            adherence,
            symptoms: form.value(tail + 1).trim().to_string(),
            side_effects: form.value(tail + 2).trim().to_string(),
            notes: form.value(tail + 3).trim().to_string(),
        }),
        _ => Err(problems),
    }
}

impl App {
    pub(crate) fn open_call(&mut self, key: FollowUpKey) {
        self.push(Screen::Call(CallScreen {
            key,
            view: None,
            form: Form::default(),
            field_errors: Vec::new(),
            saved: None,
            attach: None,
            notice: None,
            error: None,
        }));
        self.call(Pending::Call, Request::FollowUpClaim { key });
    }

    pub(crate) fn on_call_action(&mut self, action: Action) {
        let Screen::Call(screen) = &mut self.screen else {
            return;
        };
        let key = screen.key;
        if let Some(form) = &mut screen.attach {
            match action {
                Action::Submit => {
                    let path = std::path::PathBuf::from(form.value(0).trim());
                    form.busy = true;
                    form.error = None;
                    let tag = self.next_tag(Pending::Call);
                    self.effects.push(Effect::Recording {
                        tag,
                        job: RecordingJob::Attach { key, path },
                    });
                }
                Action::Back => screen.attach = None,
                _ => {}
            }
            return;
        }
        if screen.saved.is_some() || screen.view.is_none() {
            match action {
                Action::AttachRecording if screen.saved.is_some() => {
                    let mut form = Form::new(vec![Field::default()]);
                    form.focus = 0;
                    screen.attach = Some(form);
                }
                Action::Back => self.leave_call(),
                _ => {}
            }
            return;
        }
        let count = screen.form.fields.len();
        match action {
            Action::NextField => screen.form.focus = (screen.form.focus + 1) % count,
            Action::PrevField => screen.form.focus = (screen.form.focus + count - 1) % count,
            Action::Submit if screen.form.focus + 1 < count => screen.form.focus += 1,
            Action::Submit => {
                let Some(view) = &screen.view else {
                    return;
                };
                match parse(view, &screen.form) {
                    Ok(input) => {
                        screen.form.busy = true;
                        screen.field_errors = vec![None; count];
                        self.call(Pending::Call, Request::FollowUpCallSave { key, input });
                    }
                    Err(problems) => {
                        let texts: Vec<(usize, String)> =
                            problems.iter().map(|(i, k)| (*i, self.t(k))).collect();
                        if let Screen::Call(screen) = &mut self.screen {
                            screen.field_errors = vec![None; count];
                            for (i, text) in &texts {
                                screen.field_errors[*i] = Some(text.clone());
                            }
                            screen.form.focus = texts[0].0;
                        }
                    }
                }
            }
            Action::Back => {
                // Leaving without saving gives the follow-up back to the queue.
                self.call(Pending::Call, Request::FollowUpRelease { key });
                self.leave_call();
            }
            _ => {}
        }
    }

    /// Back to the queue, read again.
    fn leave_call(&mut self) {
        self.back();
        if let Screen::Queue(_) = &self.screen {
            self.on_queue_action(Action::Refresh);
        }
    }

    pub(crate) fn on_call_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let attached = self.t("call.attached");
        let Screen::Call(screen) = &mut self.screen else {
            return;
        };
        let key = screen.key;
        match response {
            Response::FollowUpClaimed { .. } => {
                self.call(Pending::Call, Request::FollowUpCallView { key });
            }
            Response::FollowUpCall(view) => {
                screen.form = form_for(&view);
                screen.field_errors = vec![None; screen.form.fields.len()];
                screen.view = Some(*view);
            }
            Response::FollowUpCallSaved(saved) => {
                screen.form.busy = false;
                screen.saved = Some(*saved);
            }
            Response::Done if screen.attach.is_some() => {
                screen.attach = None;
                screen.notice = Some(attached);
            }
            Response::Done => {}
            _ => match &mut screen.attach {
                Some(form) => {
                    form.busy = false;
                    form.error = text;
                }
                None => {
                    screen.form.busy = false;
                    screen.error = text;
                }
            },
        }
    }
}
