//! The health record screen: F4 on a patient opens it; Enter amends the selected
//! section (every save needs a reason and becomes an amendment), h shows the section's
//! history. The front desk sees and amends demographics only.

use super::action::Action;
use super::app::{App, Pending, RecordCall};
use super::field::Field;
use super::register::DEMOGRAPHIC_FIELDS;
use super::screens::{Form, HistoryView, REGISTER_FIELDS, RecordScreen, Screen, SectionEditor};
use crate::auth::Permission;
use crate::clinic::{Request, Response, ServiceError};
use crate::domain::amendment::{Demographics, MIN_REASON_CHARS, Section, SectionValue};
use crate::domain::patient::{IdType, PatientId, Sex};
use crate::domain::record_form::{self, Layout};

/// What the registration form accepts for each sex and ID type, to start an editor.
fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "F",
        Sex::Male => "M",
        Sex::Other => "O",
        Sex::Unknown => "?",
    }
}

fn id_type_code(id_type: IdType) -> &'static str {
    match id_type {
        IdType::ResidentId => "R",
        IdType::Passport => "P",
        IdType::Other => "O",
    }
}

/// The eight demographic fields as the registration form shows them.
pub(crate) fn demographic_rows(d: &Demographics) -> Vec<String> {
    vec![
        d.name.clone(),
        sex_code(d.sex).to_string(),
        d.birth_date.map(|b| b.to_string()).unwrap_or_default(),
        d.phone.clone().unwrap_or_default(),
        id_type_code(d.id_type).to_string(),
        d.id_number.clone().unwrap_or_default(),
        d.address.clone().unwrap_or_default(),
        d.emergency_contact.clone().unwrap_or_default(),
    ]
}

/// The section's current value on the screen.
fn current(screen: &RecordScreen, section: Section) -> Option<SectionValue> {
    match section {
        Section::Demographics => Some(SectionValue::Demographics(screen.patient.demographics())),
        _ => SectionValue::of(screen.health.as_ref()?, section),
    }
}

/// A list section always ends with one empty line to type a new entry into.
fn ensure_blank_row(editor: &mut SectionEditor) {
    if !matches!(record_form::layout(editor.section), Layout::Entries(_)) {
        return;
    }
    let reason = editor.reason_index();
    if reason == 0 || !editor.form.fields[reason - 1].value.trim().is_empty() {
        editor.form.fields.insert(reason, Field::default());
        editor.field_errors.insert(reason, None);
        if editor.form.focus >= reason {
            editor.form.focus += 1;
        }
    }
}

impl App {
    /// F4 on a patient: the record, with the sections this role may read.
    pub(crate) fn open_record(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let mut sections = vec![Section::Demographics];
        if view.health.is_some() {
            sections.extend(Section::ALL.into_iter().filter(|s| s.is_clinical()));
        }
        let screen = RecordScreen {
            id: view.id,
            patient: view.patient.clone(),
            health: view.health.clone(),
            sections,
            cursor: Default::default(),
            editor: None,
            history: None,
            notice: None,
            error: None,
        };
        self.push(Screen::Record(screen));
    }

    pub(crate) fn on_record_action(&mut self, action: Action) {
        let Screen::Record(screen) = &mut self.screen else {
            return;
        };
        if screen.editor.is_some() {
            return self.on_editor_action(action);
        }
        let id = screen.id;
        match action {
            Action::Back if screen.history.is_some() => screen.history = None,
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
                // The patient screen shows the record's summary: bring it up to date.
                self.request_patient(id);
            }
            Action::Edit if screen.history.is_none() => self.start_editor(),
            Action::History | Action::Open if screen.history.is_none() => {
                let section = screen.selected();
                screen.error = None;
                self.call(
                    Pending::Record(id, RecordCall::History),
                    Request::RecordHistory {
                        id,
                        section: Some(section),
                    },
                );
            }
            _ => {}
        }
    }

    fn start_editor(&mut self) {
        let read_only = self.t("record.read_only");
        let may_clinical = self.allows(Permission::ClinicalWrite);
        let may_demographics = self.allows(Permission::DemographicsWrite);
        let Screen::Record(screen) = &mut self.screen else {
            return;
        };
        let section = screen.selected();
        let allowed = if section.is_clinical() {
            may_clinical
        } else {
            may_demographics
        };
        if !allowed {
            screen.error = Some(read_only);
            return;
        }
        let Some(before) = current(screen, section) else {
            return;
        };
        let rows = match &before {
            SectionValue::Demographics(d) => demographic_rows(d),
            other => record_form::rows(other),
        };
        let mut fields: Vec<Field> = rows.iter().map(|r| Field::with(r)).collect();
        fields.push(Field::default());
        let count = fields.len();
        let mut editor = SectionEditor {
            section,
            before,
            form: Form::new(fields),
            field_errors: vec![None; count],
        };
        ensure_blank_row(&mut editor);
        // The cursor starts on the first row, even when that is the new empty line.
        editor.form.focus = 0;
        screen.notice = None;
        screen.error = None;
        screen.editor = Some(editor);
    }

    fn on_editor_action(&mut self, action: Action) {
        let Screen::Record(RecordScreen {
            editor: Some(editor),
            ..
        }) = &mut self.screen
        else {
            return;
        };
        let count = editor.form.fields.len();
        match action {
            Action::NextField => {
                ensure_blank_row(editor);
                let count = editor.form.fields.len();
                editor.form.focus = (editor.form.focus + 1) % count;
            }
            Action::PrevField => editor.form.focus = (editor.form.focus + count - 1) % count,
            Action::Submit if editor.form.focus < editor.reason_index() => {
                ensure_blank_row(editor);
                editor.form.focus += 1;
            }
            Action::Submit => self.save_editor(),
            Action::Back => {
                if let Screen::Record(screen) = &mut self.screen {
                    screen.editor = None;
                }
            }
            _ => {}
        }
    }

    /// Checks the form as the service will, then sends the amendment.
    fn save_editor(&mut self) {
        let Screen::Record(screen) = &self.screen else {
            return;
        };
        let Some(editor) = &screen.editor else {
            return;
        };
        if editor.form.busy {
            return;
        }
        let id = screen.id;
        let reason_at = editor.reason_index();
        let rows: Vec<String> = editor.form.fields[..reason_at]
            .iter()
            .map(|f| f.value.clone())
            .collect();
        let reason = editor.form.fields[reason_at].value.trim().to_string();
        let mut errors: Vec<Option<String>> = vec![None; editor.form.fields.len()];
        let parsed: Result<SectionValue, Vec<Option<String>>> = match editor.section {
            Section::Demographics => {
                let values: Vec<&str> = rows.iter().map(String::as_str).collect();
                self.read_demographics(&values)
                    .map(SectionValue::Demographics)
            }
            section => {
                record_form::parse(section, &rows, self.now.date_naive()).map_err(|problems| {
                    problems
                        .into_iter()
                        .map(|p| {
                            p.map(|p| {
                                let text = self.t(&format!("record.problem.{}", p.key));
                                match p.detail {
                                    Some(d) => format!("{text}: {d}"),
                                    None => text,
                                }
                            })
                        })
                        .collect()
                })
            }
        };
        if let Err(row_errors) = &parsed {
            for (i, e) in row_errors.iter().enumerate().take(reason_at) {
                errors[i] = e.clone();
            }
        }
        if reason.chars().count() < MIN_REASON_CHARS {
            errors[reason_at] = Some(self.t("record.need_reason"));
        }
        let before = editor.before.clone();
        let Screen::Record(RecordScreen {
            editor: Some(editor),
            ..
        }) = &mut self.screen
        else {
            return;
        };
        editor.form.error = None;
        if let Some(first) = errors.iter().position(Option::is_some) {
            editor.form.focus = first;
            editor.field_errors = errors;
            return;
        }
        editor.field_errors = errors;
        let Ok(after) = parsed else {
            return;
        };
        editor.form.busy = true;
        let request = match (before, after) {
            (SectionValue::Demographics(before), SectionValue::Demographics(after)) => {
                Request::PatientAmend {
                    id,
                    before,
                    after,
                    reason,
                }
            }
            (before, after) => Request::HealthAmend {
                id,
                before,
                after,
                reason,
            },
        };
        self.call(Pending::Record(id, RecordCall::Save), request);
    }

    pub(crate) fn on_record_reply(&mut self, id: PatientId, call: RecordCall, response: Response) {
        let error_text = response.error().map(|e| self.error_text(e));
        let saved = self.t("record.saved");
        let Screen::Record(screen) = &mut self.screen else {
            return;
        };
        if screen.id != id {
            return;
        }
        match (call, response) {
            (RecordCall::Load, Response::Patient(view)) => {
                screen.patient = view.patient;
                screen.health = view.health;
                // After a conflict the editor keeps its text but now amends what is current.
                if let Some(editor) = &mut screen.editor {
                    let section = editor.section;
                    let now = match section {
                        Section::Demographics => {
                            Some(SectionValue::Demographics(screen.patient.demographics()))
                        }
                        _ => screen
                            .health
                            .as_ref()
                            .and_then(|h| SectionValue::of(h, section)),
                    };
                    if let Some(now) = now {
                        editor.before = now;
                    }
                }
            }
            (RecordCall::Save, Response::Health(record)) => {
                screen.health = Some(record);
                screen.editor = None;
                screen.notice = Some(saved);
            }
            (RecordCall::Save, Response::Done) => {
                screen.editor = None;
                screen.notice = Some(saved);
                self.call(
                    Pending::Record(id, RecordCall::Load),
                    Request::PatientGet { id },
                );
            }
            (RecordCall::Save, Response::Error(error)) => {
                let Some(editor) = &mut screen.editor else {
                    return;
                };
                editor.form.busy = false;
                let reason_at = editor.reason_index();
                match &error {
                    ServiceError::Field { field, message } => {
                        let at = if field == "reason" {
                            Some(reason_at)
                        } else if editor.section == Section::Demographics {
                            REGISTER_FIELDS[..DEMOGRAPHIC_FIELDS]
                                .iter()
                                .position(|f| f == field)
                        } else {
                            None
                        };
                        match at {
                            Some(i) => {
                                editor.field_errors[i] = Some(message.clone());
                                editor.form.focus = i;
                            }
                            None => editor.form.error = error_text,
                        }
                    }
                    ServiceError::Conflict(_) => {
                        editor.form.error = error_text;
                        self.call(
                            Pending::Record(id, RecordCall::Load),
                            Request::PatientGet { id },
                        );
                    }
                    _ => editor.form.error = error_text,
                }
            }
            (RecordCall::History, Response::History(mut entries)) => {
                entries.reverse();
                screen.history = Some(HistoryView {
                    section: screen.selected(),
                    entries,
                    cursor: Default::default(),
                });
            }
            (_, Response::Error(_)) => screen.error = error_text,
            _ => {}
        }
    }
}
