//! The call screen: claimed from the queue, it shows the patient, the readings the
//! protocol cares about with their trend, the last call, the plan's open goals and the
//! script; the form takes the outcome (1–6), how the follow-up is made (1 phone,
//! 2 clinic, 3 home), the readings the patient reports, adherence, the checklist of
//! signs and symptoms (their numbers; the list shows at the left while the field has
//! the focus), other symptoms, side effects, notes and a callback time. Saving shows
//! where the follow-up went (the class, any referral and why, the next due date);
//! then a attaches a recording.

use super::action::Action;
use super::app::{App, Effect, Pending, RecordingJob};
use super::field::Field;
use super::screens::{CALL_HEAD, CALL_TAIL, CallScreen, Form, Screen};
use crate::clinic::followup_api::{CallView, FollowUpKey};
use crate::clinic::{Request, Response};
use crate::domain::followup::{Adherence, CallInput, Outcome, VisitKind};

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

/// The form field where the visit kind is typed.
const VISIT: usize = 1;

/// The index of the checklist field in a call form with `asks` readings.
pub fn checklist_field(asks: usize) -> usize {
    CALL_HEAD.len() + asks + 1
}

fn form_for(view: &CallView) -> Form {
    let count = CALL_HEAD.len() + view.asks.len() + CALL_TAIL.len();
    // The visit kind starts empty: each follow-up says how it was made.
    let mut form = Form::new((0..count).map(|_| Field::default()).collect());
    form.focus = 0;
    form
}

/// The checklist numbers typed (1-based, separated by spaces or commas), or `None`
/// when one is not a number on the list.
pub fn ticked_numbers(text: &str, count: usize) -> Option<Vec<usize>> {
    let mut numbers = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match part.parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) => {
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
            _ => return None,
        }
    }
    numbers.sort_unstable();
    Some(numbers)
}

/// The call as typed, or each wrong field's index and what to do.
fn parse(view: &CallView, form: &Form) -> Result<CallInput, Vec<(usize, &'static str)>> {
    let mut problems = Vec::new();
    let outcome_digit = form.value(0).trim().parse::<usize>().ok();
    let visit = match form
        .value(VISIT)
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| VisitKind::ALL.get(n.wrapping_sub(1)))
    {
        Some(v) => *v,
        None => {
            problems.push((VISIT, "call.bad_visit"));
            VisitKind::Phone
        }
    };
    let asks = view.asks.len();
    let first = CALL_HEAD.len();
    let mut readings = Vec::new();
    for (i, key) in view.asks.iter().enumerate() {
        let text = form.value(first + i).trim();
        if text.is_empty() {
            continue;
        }
        match text.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => readings.push((key.clone(), v)),
            _ => problems.push((first + i, "call.bad_number")),
        }
    }
    let checklist = checklist_field(asks);
    let ticked = match ticked_numbers(form.value(checklist), view.checklist.len()) {
        Some(numbers) => numbers
            .into_iter()
            .filter_map(|n| view.checklist.get(n - 1).map(|c| c.key.clone()))
            .collect(),
        None => {
            problems.push((checklist, "call.bad_checklist"));
            Vec::new()
        }
    };
    let tail = first + asks;
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
    // After adherence and the checklist: symptoms, side effects, notes, callback.
    let (symptoms, side_effects, notes, callback) = (tail + 2, tail + 3, tail + 4, tail + 5);
    let callback_text = form.value(callback).trim().to_string();
    let outcome = match outcome_digit {
        Some(1) => Some(Outcome::Reached),
        Some(2) => Some(Outcome::NoAnswer),
        Some(3) => Some(Outcome::Busy),
        Some(4) => Some(Outcome::WrongNumber),
        Some(5) => Some(Outcome::Refused),
        Some(6) => match chrono::NaiveDateTime::parse_from_str(&callback_text, "%Y-%m-%d %H:%M") {
            Ok(at) => Some(Outcome::Callback(at.and_utc().timestamp())),
            Err(_) => {
                problems.push((callback, "call.bad_callback"));
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
            visit,
            readings,
            adherence,
            ticked,
            symptoms: form.value(symptoms).trim().to_string(),
            side_effects: form.value(side_effects).trim().to_string(),
            notes: form.value(notes).trim().to_string(),
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
