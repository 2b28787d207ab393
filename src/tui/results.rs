//! The results screen: `r` (or F11) on a patient. Up/Down choose an indicator,
//! Left/Right walk its results in time, Space puts indicators side by side, `a` types
//! in a result.

use chrono::{NaiveDateTime, Utc};

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, ResultsScreen, Screen};
use crate::clinic::{Request, Response};
use crate::domain::decimal::Decimal;
use crate::domain::indicators;
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::PatientId;
use crate::domain::trend;
use crate::ingest::loinc_valid;

/// Most indicators side by side.
pub const MAX_COMPARE: usize = 3;

impl App {
    pub(crate) fn open_results(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        let screen = ResultsScreen {
            id,
            name: view.patient.name.clone(),
            sex: view.patient.sex,
            observations: None,
            series: Vec::new(),
            other: Vec::new(),
            cursor: Default::default(),
            point: None,
            compare: Vec::new(),
            add_form: None,
            notice: None,
            error: None,
        };
        self.push(Screen::Results(screen));
        self.call(
            Pending::Results(id),
            Request::Observations { id, code: None },
        );
    }

    /// Builds the series from the results, in the clinic's unit and this language.
    pub(crate) fn show_results(&mut self, id: PatientId, observations: Vec<Observation>) {
        let units = self.settings.units;
        let chinese = self.locale.lang == crate::i18n::Lang::ZhCn;
        let Screen::Results(screen) = &mut self.screen else {
            return;
        };
        if screen.id != id {
            return;
        }
        screen.series = trend::series(
            &observations,
            units,
            screen.sex,
            crate::i18n::Lang::from_chinese(chinese),
        );
        let mut other: Vec<Observation> = observations
            .iter()
            .filter(|o| o.value.number().is_none())
            .cloned()
            .collect();
        other.sort_by_key(|o| std::cmp::Reverse(o.taken_at));
        screen.other = other;
        screen.observations = Some(observations);
        screen.cursor.selected = screen
            .cursor
            .selected
            .min(screen.series.len().saturating_sub(1));
        screen.compare.retain(|i| *i < screen.series.len());
        screen.point = None;
    }

    pub(crate) fn on_results_action(&mut self, action: Action) {
        let Screen::Results(screen) = &mut self.screen else {
            return;
        };
        if screen.add_form.is_some() {
            return self.on_add_result_action(action);
        }
        let len = screen
            .series
            .get(screen.cursor.selected)
            .map(|s| s.points.len())
            .unwrap_or(0);
        match action {
            Action::Earlier if len > 0 => {
                let at = screen.point.unwrap_or(len - 1);
                screen.point = Some(at.saturating_sub(1));
            }
            Action::Later if len > 0 => {
                let at = screen.point.unwrap_or(len - 1);
                screen.point = (at + 1 < len - 1).then_some(at + 1);
            }
            Action::Compare if !screen.series.is_empty() => {
                let i = screen.cursor.selected;
                if let Some(at) = screen.compare.iter().position(|c| *c == i) {
                    screen.compare.remove(at);
                } else if screen.compare.len() < MAX_COMPARE {
                    screen.compare.push(i);
                }
            }
            Action::AddResult => {
                let (code, unit) = match screen.series.get(screen.cursor.selected) {
                    Some(s) => (
                        s.indicator
                            .map(|i| i.key.to_string())
                            .unwrap_or(s.code.clone()),
                        s.unit.clone(),
                    ),
                    None => (String::new(), String::new()),
                };
                let now = self.now.format("%Y-%m-%d %H:%M").to_string();
                let mut form = Form::new(vec![
                    Field::with(&code),
                    Field::default(),
                    Field::with(&unit),
                    Field::with(&now),
                ]);
                form.focus = if code.is_empty() { 0 } else { 1 };
                screen.notice = None;
                screen.add_form = Some(form);
            }
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            _ => {}
        }
    }

    fn on_add_result_action(&mut self, action: Action) {
        let Screen::Results(screen) = &mut self.screen else {
            return;
        };
        let Some(form) = &mut screen.add_form else {
            return;
        };
        let count = form.fields.len();
        match action {
            Action::NextField => form.focus = (form.focus + 1) % count,
            Action::PrevField => form.focus = (form.focus + count - 1) % count,
            Action::Submit if form.focus + 1 < count => form.focus += 1,
            Action::Submit => self.submit_result(),
            Action::Back => screen.add_form = None,
            _ => {}
        }
    }

    /// Reads the form into a result, or says what is wrong with it.
    fn read_result_form(&self, form: &Form) -> Result<Observation, (usize, String)> {
        let indicator = form.value(0).trim();
        let (code, display) = match indicators::by_key(indicator) {
            Some(i) => (i.codes[0].to_string(), Some(i.en.to_string())),
            None if loinc_valid(indicator) => (indicator.to_string(), None),
            None => return Err((0, self.t("results.bad_indicator"))),
        };
        let value =
            Decimal::parse(form.value(1)).ok_or_else(|| (1, self.t("results.bad_value")))?;
        let unit = form.value(2).trim().to_string();
        if let Some(i) = indicators::by_code(&code)
            && !unit.is_empty()
            && i.convert(1.0, &unit, i.unit).is_none()
        {
            return Err((2, self.locale.tf("results.bad_unit", &[("unit", i.unit)])));
        }
        let when = NaiveDateTime::parse_from_str(form.value(3).trim(), "%Y-%m-%d %H:%M")
            .map_err(|_| (3, self.t("results.bad_time")))?
            .and_utc();
        if when > Utc::now() + chrono::Duration::hours(1) {
            return Err((3, self.t("results.future_time")));
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

    fn submit_result(&mut self) {
        let Screen::Results(screen) = &self.screen else {
            return;
        };
        let Some(form) = &screen.add_form else {
            return;
        };
        if form.busy {
            return;
        }
        let read = self.read_result_form(form);
        let id = screen.id;
        let Screen::Results(ResultsScreen {
            add_form: Some(form),
            ..
        }) = &mut self.screen
        else {
            return;
        };
        match read {
            Err((field, message)) => {
                form.focus = field;
                form.error = Some(message);
            }
            Ok(observation) => {
                form.busy = true;
                form.error = None;
                self.call(
                    Pending::ResultAdded(id),
                    Request::ObservationAdd { id, observation },
                );
            }
        }
    }

    pub(crate) fn on_result_added(&mut self, id: PatientId, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let saved = self.t("results.saved");
        let Screen::Results(screen) = &mut self.screen else {
            return;
        };
        match (response, &mut screen.add_form) {
            (Response::Done, _) => {
                screen.add_form = None;
                screen.notice = Some(saved);
                self.call(
                    Pending::Results(id),
                    Request::Observations { id, code: None },
                );
            }
            (_, Some(form)) => {
                form.busy = false;
                form.error = text;
            }
            _ => screen.error = text,
        }
    }
}
