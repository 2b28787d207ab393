//! The call screen: claimed from the queue, it shows the patient, the readings the
//! protocol cares about with their trend, the last call, the plan's open goals and the
//! script; the form takes the outcome (a letter: r reached, n no answer, b busy,
//! w wrong number, x refused, c call back; or 1–6), how the follow-up is made
//! (1 phone, 2 clinic, 3 home; a call that reached nobody was by phone), the readings the patient reports, adherence, the checklist of
//! signs and symptoms (their numbers; the list shows at the left while the field has
//! the focus), other symptoms, side effects, notes and a callback time. Saving shows
//! where the follow-up went (the class, any referral and why, the next due date);
//! then a attaches a recording. Ctrl-S saves from any field: a call nobody answered
//! is the outcome's letter and Ctrl-S.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::clinic::api::FollowUpClaimed;
use crate::clinic::followup::api::{CallSaved, CallView, FollowUpKey};
use crate::clinic::{Request, ServiceError};
use crate::domain::followup::{Adherence, CallInput, Outcome, VisitKind};
use crate::tui::action::Action;
use crate::tui::app::{App, RecordingJob};
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;

pub mod record_form;
mod view;

/// The call form's first fields, before one field per reading the protocol asks for.
pub const CALL_HEAD: [&str; 2] = ["outcome", "visit"];

/// The call form's fields after the readings.
pub const CALL_TAIL: [&str; 6] = [
    "adherence",
    "checklist",
    "symptoms",
    "side_effects",
    "notes",
    "callback",
];

/// One call: what the nurse needs, the form, then where the follow-up went.
#[derive(Debug)]
pub struct CallScreen {
    pub key: FollowUpKey,
    pub view: Option<CallView>,
    pub form: Form,
    pub field_errors: Vec<Option<String>>,
    pub saved: Option<CallSaved>,
    /// Typing the path of a recording to attach.
    pub attach: Option<Form>,
    /// The fields of a call kept at an idle sign-out, put back once the form is made.
    pub restore: Option<Vec<String>>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// Esc with something typed asks before the call is thrown away.
    pub discard: crate::tui::discard::DiscardGuard,
    /// Where the call as typed would go (asked when the class field takes the focus):
    /// the protocol's class, offered as the default.
    pub preview: Option<CallSaved>,
    /// The saved call was face to face: it counts toward the year's visits shown.
    pub counted: bool,
}

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
pub(crate) fn checklist_field(asks: usize) -> usize {
    CALL_HEAD.len() + asks + 1
}

/// The notes field's place: after the checklist, other symptoms and side effects.
pub(crate) fn notes_field(asks: usize) -> usize {
    checklist_field(asks) + 3
}

/// The index of the record form's first field (after the call's own).
pub(crate) fn record_base(asks: usize) -> usize {
    CALL_HEAD.len() + asks + CALL_TAIL.len()
}

/// The record form's field key at form index `index`, if it is one.
pub(crate) fn record_key(view: &CallView, index: usize) -> Option<&'static str> {
    index
        .checked_sub(record_base(view.asks.len()))
        .and_then(|i| record_form::fields(view.item.kind).get(i).copied())
}

fn form_for(view: &CallView) -> Form {
    let count = record_base(view.asks.len()) + record_form::fields(view.item.kind).len();
    // The visit kind starts empty: each follow-up says how it was made.
    let mut form = Form::new((0..count).map(|_| Field::default()).collect());
    form.focus = 0;
    form
}

/// The checklist numbers typed (1-based, separated by spaces or commas), or `None`
/// when one is not a number on the list. "0" alone is 无症状 (none): the paper form
/// numbers it 1, while 1 here is the first danger sign, so 0 says "none" plainly.
pub fn ticked_numbers(text: &str, count: usize) -> Option<Vec<usize>> {
    let text = crate::domain::followup_form::ascii_digits(text);
    if text.trim() == "0" {
        return Some(Vec::new());
    }
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

/// The letter typed for each outcome (in `OUTCOMES` order): one key each, the word's
/// first letter where it is free (x for refused, c for call back).
pub const OUTCOME_LETTERS: [char; 6] = ['r', 'n', 'b', 'w', 'x', 'c'];

/// The outcome typed, by its letter or its number (1–6).
fn outcome_number(text: &str) -> Option<usize> {
    let text = text.trim().to_lowercase();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => {
            OUTCOME_LETTERS.iter().position(|l| *l == c).map(|i| i + 1)
        }
        _ => text.parse::<usize>().ok().filter(|n| (1..=6).contains(n)),
    }
}

/// The call as typed, or each wrong field's index and what to do.
fn parse(view: &CallView, form: &Form) -> Result<CallInput, Vec<(usize, &'static str)>> {
    let mut problems = Vec::new();
    let outcome_digit = outcome_number(form.value(0));
    let visit_text = form.value(VISIT).trim();
    let visit = match visit_text
        .parse::<usize>()
        .ok()
        .and_then(|n| VisitKind::ALL.get(n.wrapping_sub(1)))
    {
        Some(v) => *v,
        // A call that did not reach the patient was a phone call.
        None if visit_text.is_empty() && outcome_digit.is_some_and(|n| n != 1) => VisitKind::Phone,
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
        // The time the nurse types is on the clinic's clock.
        Some(6) => match chrono::NaiveDateTime::parse_from_str(&callback_text, "%Y-%m-%d %H:%M")
            .ok()
            .and_then(|at| crate::domain::time::clinic_zone().from_local(at))
        {
            Some(at) => Some(Outcome::Callback(at)),
            None => {
                problems.push((callback, "call.bad_callback"));
                None
            }
        },
        _ => {
            problems.push((0, "call.bad_outcome"));
            None
        }
    };
    let today = crate::domain::time::clinic_zone().today(chrono::Utc::now());
    let record = match record_form::parse(view.item.kind, form, record_base(asks), today) {
        Ok(record) => record,
        Err(more) => {
            problems.extend(more);
            Default::default()
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
            form: record,
        }),
        _ => Err(problems),
    }
}

impl CallScreen {
    pub fn new(key: FollowUpKey) -> Self {
        Self {
            key,
            view: None,
            form: Form::default(),
            field_errors: Vec::new(),
            saved: None,
            attach: None,
            restore: None,
            notice: None,
            error: None,
            discard: Default::default(),
            preview: None,
            counted: false,
        }
    }

    /// The call kept at the last idle sign-out, claimed again and filled as it was.
    pub fn resume(draft: crate::domain::draft::CallDraft) -> Self {
        let key = FollowUpKey {
            patient: draft.patient,
            plan: draft.plan,
            seq: draft.seq,
        };
        let mut screen = Self::new(key);
        screen.restore = Some(draft.fields.clone());
        screen
    }

    /// What an idle sign-out keeps: the form as typed, when something is typed and
    /// not yet saved.
    pub fn draft(&self) -> Option<crate::domain::draft::CallDraft> {
        let typed = self.view.is_some()
            && self.saved.is_none()
            && self.form.fields.iter().any(|f| !f.value.trim().is_empty());
        typed.then(|| crate::domain::draft::CallDraft {
            patient: self.key.patient,
            plan: self.key.plan,
            seq: self.key.seq,
            fields: self.form.fields.iter().map(|f| f.value.clone()).collect(),
            saved_unix: 0,
        })
    }

    /// Claimed: the call's view, to fill the form from.
    fn claim(&self, desk: &mut Desk<'_>) {
        desk.ask::<_, FollowUpClaimed>(
            Request::FollowUpClaim { key: self.key },
            |this: &mut Self, desk, reply| match reply {
                Ok(_) => this.load(desk),
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    fn load(&self, desk: &mut Desk<'_>) {
        desk.ask::<_, Box<CallView>>(
            Request::FollowUpCallView { key: self.key },
            |this: &mut Self, desk, reply| match reply {
                Ok(view) => {
                    this.form = form_for(&view);
                    this.discard = crate::tui::discard::DiscardGuard::new(&this.form);
                    // A kept call goes back into the same form (one made for the same
                    // readings; otherwise it is dropped rather than misplaced).
                    if let Some(fields) = this.restore.take()
                        && fields.len() == this.form.fields.len()
                    {
                        for (field, value) in this.form.fields.iter_mut().zip(fields) {
                            *field = Field::with(&value);
                        }
                        this.notice = Some(desk.t("call.kept_back"));
                    }
                    this.field_errors = vec![None; this.form.fields.len()];
                    this.view = Some(*view);
                }
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    fn on_attach_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let key = self.key;
        let Some(form) = &mut self.attach else {
            return;
        };
        match action {
            Action::Submit => {
                let path = std::path::PathBuf::from(form.value(0).trim());
                form.busy = true;
                form.error = None;
                desk.recording(
                    RecordingJob::Attach { key, path },
                    |this: &mut Self, desk, outcome| match outcome {
                        Ok(()) => {
                            if this.attach.take().is_some() {
                                this.notice = Some(desk.t("call.attached"));
                            }
                        }
                        Err(e) => this.failed(desk, &e),
                    },
                );
            }
            Action::Back => self.attach = None,
            _ => {}
        }
    }

    /// On the class field: ask where the call as typed would go, to offer the
    /// protocol's class as the default (nothing is saved).
    fn ask_preview(&mut self, desk: &mut Desk<'_>) {
        let Some(view) = &self.view else {
            return;
        };
        if record_key(view, self.form.focus) != Some("class") {
            return;
        }
        let Ok(mut input) = parse(view, &self.form) else {
            return;
        };
        // The protocol's own class: the clinician's choice is what it is offered for.
        input.form.class = None;
        desk.ask::<_, Box<CallSaved>>(
            Request::FollowUpCallPreview {
                key: self.key,
                input,
            },
            |this: &mut Self, _desk, reply| {
                if let Ok(preview) = reply {
                    this.preview = Some(*preview);
                }
            },
        );
    }

    fn on_form_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let key = self.key;
        let count = self.form.fields.len();
        match action {
            Action::NextField => {
                self.form.focus = (self.form.focus + 1) % count;
                self.ask_preview(desk);
            }
            Action::PrevField => {
                self.form.focus = (self.form.focus + count - 1) % count;
                self.ask_preview(desk);
            }
            Action::Submit if self.form.focus + 1 < count => {
                self.form.focus += 1;
                self.ask_preview(desk);
            }
            Action::Submit | Action::Save => {
                let Some(view) = &self.view else {
                    return;
                };
                match parse(view, &self.form) {
                    Ok(input) => {
                        self.form.busy = true;
                        self.counted =
                            input.outcome == Outcome::Reached && input.visit != VisitKind::Phone;
                        self.field_errors = vec![None; count];
                        desk.ask::<_, Box<CallSaved>>(
                            Request::FollowUpCallSave { key, input },
                            |this: &mut Self, desk, reply| match reply {
                                Ok(saved) => {
                                    this.form.busy = false;
                                    // A refusal or a warning before this save no
                                    // longer holds.
                                    this.error = None;
                                    this.notice = None;
                                    this.saved = Some(*saved);
                                }
                                Err(e) => this.failed(desk, &e),
                            },
                        );
                    }
                    Err(problems) => {
                        self.field_errors = vec![None; count];
                        for (i, k) in &problems {
                            self.field_errors[*i] = Some(desk.t(k));
                        }
                        self.form.focus = problems[0].0;
                    }
                }
            }
            Action::Back if !self.discard.may_leave(&self.form) => {
                self.notice = Some(desk.t("common.discard_ask"));
            }
            Action::Back => {
                // Leaving without saving gives the follow-up back to the queue.
                desk.ask::<_, ()>(
                    Request::FollowUpRelease { key },
                    |this: &mut Self, desk, reply| {
                        if let Err(e) = reply {
                            this.failed(desk, &e);
                        }
                    },
                );
                desk.back();
            }
            _ => {}
        }
    }

    /// A call refused or failed: said in the attach form if it is open, else on the
    /// screen.
    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        let text = Some(desk.error_text(error));
        match &mut self.attach {
            Some(form) => {
                form.busy = false;
                form.error = text;
            }
            None => {
                self.form.busy = false;
                self.error = text;
            }
        }
    }

    /// Saved, or still loading: only attaching a recording and leaving.
    fn done_or_loading(&self) -> bool {
        self.saved.is_some() || self.view.is_none()
    }
}

const HINTS: &[Action] = &[Action::AttachRecording, Action::Back];

impl Component for CallScreen {
    fn context(&self) -> Context {
        if self.attach.is_none() && self.done_or_loading() {
            Context::Call
        } else {
            Context::Form
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        (self.context() == Context::Call).then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        if self.attach.is_some() {
            return self.attach.as_mut().map(|form| form.focused());
        }
        if self.done_or_loading() {
            return None;
        }
        Some(self.form.focused())
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.claim(desk);
    }

    fn on_edit(&mut self, desk: &mut Desk<'_>) {
        let _ = desk;
        self.discard.disarm();
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if action != Action::Back {
            self.discard.disarm();
        }
        if self.attach.is_some() {
            self.on_attach_action(desk, action);
        } else if self.done_or_loading() {
            match action {
                Action::AttachRecording if self.saved.is_some() => {
                    let mut form = Form::new(vec![Field::default()]);
                    form.focus = 0;
                    self.attach = Some(form);
                }
                Action::Back => desk.back(),
                _ => {}
            }
        } else {
            self.on_form_action(desk, action);
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::render(self, frame, area, app);
    }
}
