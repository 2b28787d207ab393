//! The results screen (`r` or F11 on a patient): Up/Down choose an indicator,
//! Left/Right walk its results in time, Space puts indicators side by side, `a` types
//! in a result. results/charts.rs draws it.

mod charts;

use chrono::{NaiveDateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::clinic::{Request, ServiceError};
use crate::domain::decimal::Decimal;
use crate::domain::indicators;
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{PatientId, Sex};
use crate::domain::trend::{self, Series};
use crate::ingest::loinc_valid;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

/// Most indicators side by side.
pub const MAX_COMPARE: usize = 3;

/// A patient's results (历年指标趋势): indicators on the left; the selected one's chart
/// with its reference band and its values on the right, or several charts side by side.
#[derive(Debug)]
pub struct ResultsScreen {
    pub id: PatientId,
    pub name: String,
    pub sex: Sex,
    /// `None` while loading.
    pub observations: Option<Vec<Observation>>,
    pub series: Vec<Series>,
    /// Results that are not numbers (coded and text), newest first.
    pub other: Vec<Observation>,
    pub cursor: Cursor,
    /// The result selected in time within the selected series (None: the latest).
    pub point: Option<usize>,
    /// Series shown side by side (Space marks them).
    pub compare: Vec<usize>,
    /// Adding a result: indicator, value, unit, time.
    pub add_form: Option<Form>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl ResultsScreen {
    pub fn new(id: PatientId, name: String, sex: Sex) -> Self {
        Self {
            id,
            name,
            sex,
            observations: None,
            series: Vec::new(),
            other: Vec::new(),
            cursor: Cursor::default(),
            point: None,
            compare: Vec::new(),
            add_form: None,
            notice: None,
            error: None,
        }
    }

    fn load(&self, desk: &mut Desk<'_>) {
        let request = Request::Observations {
            id: self.id,
            code: None,
        };
        desk.ask::<_, Vec<Observation>>(request, |this: &mut Self, desk, reply| match reply {
            Ok(list) => this.show(desk, list),
            Err(error) => {
                this.error = Some(desk.error_text(&error));
                this.observations = Some(Vec::new());
            }
        });
    }

    /// Builds the series from the results, in the clinic's unit and this language.
    fn show(&mut self, desk: &Desk<'_>, observations: Vec<Observation>) {
        let chinese = desk.locale.lang == crate::i18n::Lang::ZhCn;
        self.series = trend::series(
            &observations,
            desk.settings.units,
            self.sex,
            crate::i18n::Lang::from_chinese(chinese),
        );
        let mut other: Vec<Observation> = observations
            .iter()
            .filter(|o| o.value.number().is_none())
            .cloned()
            .collect();
        other.sort_by_key(|o| std::cmp::Reverse(o.taken_at));
        self.other = other;
        self.observations = Some(observations);
        self.cursor.selected = self
            .cursor
            .selected
            .min(self.series.len().saturating_sub(1));
        self.compare.retain(|i| *i < self.series.len());
        self.point = None;
    }

    fn open_add_form(&mut self, desk: &Desk<'_>) {
        let (code, unit) = match self.series.get(self.cursor.selected) {
            Some(s) => (
                s.indicator
                    .map(|i| i.key.to_string())
                    .unwrap_or(s.code.clone()),
                s.unit.clone(),
            ),
            None => (String::new(), String::new()),
        };
        let zone = crate::domain::time::clinic_zone();
        let now = zone
            .local(desk.now.timestamp())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let mut form = Form::new(vec![
            Field::with(&code),
            Field::default(),
            Field::with(&unit),
            Field::with(&now),
        ]);
        form.focus = if code.is_empty() { 0 } else { 1 };
        self.notice = None;
        self.add_form = Some(form);
    }

    fn on_add_result_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(form) = &mut self.add_form else {
            return;
        };
        let count = form.fields.len();
        match action {
            Action::NextField => form.focus = (form.focus + 1) % count,
            Action::PrevField => form.focus = (form.focus + count - 1) % count,
            Action::Submit if form.focus + 1 < count => form.focus += 1,
            Action::Submit => self.submit_result(desk),
            Action::Back => self.add_form = None,
            _ => {}
        }
    }

    fn submit_result(&mut self, desk: &mut Desk<'_>) {
        let Some(form) = &mut self.add_form else {
            return;
        };
        if form.busy {
            return;
        }
        match read_result_form(desk, form) {
            Err((field, message)) => {
                form.focus = field;
                form.error = Some(message);
            }
            Ok(observation) => {
                form.busy = true;
                form.error = None;
                let request = Request::ObservationAdd {
                    id: self.id,
                    observation,
                };
                desk.ask::<_, ()>(request, |this: &mut Self, desk, reply| {
                    this.on_result_added(desk, reply)
                });
            }
        }
    }

    fn on_result_added(&mut self, desk: &mut Desk<'_>, reply: Result<(), ServiceError>) {
        match (reply, &mut self.add_form) {
            (Ok(()), _) => {
                self.add_form = None;
                self.notice = Some(desk.t("results.saved"));
                self.load(desk);
            }
            (Err(e), Some(form)) => {
                form.busy = false;
                form.error = Some(desk.error_text(&e));
            }
            (Err(e), None) => self.error = Some(desk.error_text(&e)),
        }
    }
}

/// Reads the form into a result, or says what is wrong with it.
fn read_result_form(desk: &Desk<'_>, form: &Form) -> Result<Observation, (usize, String)> {
    let indicator = form.value(0).trim();
    let (code, display) = match indicators::by_key(indicator) {
        Some(i) => (i.codes[0].to_string(), Some(i.en.to_string())),
        None if loinc_valid(indicator) => (indicator.to_string(), None),
        None => return Err((0, desk.t("results.bad_indicator"))),
    };
    let value = Decimal::parse(form.value(1)).ok_or_else(|| (1, desk.t("results.bad_value")))?;
    let unit = form.value(2).trim().to_string();
    if let Some(i) = indicators::by_code(&code)
        && !unit.is_empty()
        && i.convert(1.0, &unit, i.unit).is_none()
    {
        return Err((2, desk.locale.tf("results.bad_unit", &[("unit", i.unit)])));
    }
    // Typed on the clinic's clock.
    let when = NaiveDateTime::parse_from_str(form.value(3).trim(), "%Y-%m-%d %H:%M")
        .ok()
        .and_then(|wall| crate::domain::time::clinic_zone().from_local(wall))
        .and_then(|at| chrono::DateTime::<Utc>::from_timestamp(at, 0))
        .ok_or_else(|| (3, desk.t("results.bad_time")))?;
    if when > Utc::now() + chrono::Duration::hours(1) {
        return Err((3, desk.t("results.future_time")));
    }
    Ok(Observation {
        system: LOINC.into(),
        code,
        display,
        value: ObsValue::Quantity {
            value,
            comparator: None,
        },
        unit: (!unit.is_empty()).then_some(unit),
        range: RefRange::default(),
        flags: Vec::new(),
        taken_at: when.timestamp(),
        status: Some("F".into()),
        source: Source {
            kind: SourceKind::Manual,
            reference: String::new(),
        },
    })
}

const HINTS: &[Action] = &[Action::Earlier, Action::Compare, Action::AddResult];

impl Component for ResultsScreen {
    fn context(&self) -> Context {
        if self.add_form.is_some() {
            Context::Form
        } else {
            Context::Results
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        // The form has the form's keys.
        self.add_form.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.add_form.as_mut().map(|form| form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.add_form.is_some() {
            return None;
        }
        Some((&mut self.cursor, self.series.len()))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.load(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.add_form.is_some() {
            self.on_add_result_action(desk, action);
            return Handled::Consumed;
        }
        let len = self
            .series
            .get(self.cursor.selected)
            .map(|s| s.points.len())
            .unwrap_or(0);
        match action {
            Action::Earlier if len > 0 => {
                let at = self.point.unwrap_or(len - 1);
                self.point = Some(at.saturating_sub(1));
            }
            Action::Later if len > 0 => {
                let at = self.point.unwrap_or(len - 1);
                self.point = (at + 1 < len - 1).then_some(at + 1);
            }
            Action::Compare if !self.series.is_empty() => {
                let i = self.cursor.selected;
                if let Some(at) = self.compare.iter().position(|c| *c == i) {
                    self.compare.remove(at);
                } else if self.compare.len() < MAX_COMPARE {
                    self.compare.push(i);
                }
            }
            Action::AddResult => self.open_add_form(desk),
            Action::Back => return Handled::Ignored,
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        charts::results(frame, area, app, self);
    }
}
