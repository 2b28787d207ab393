//! The health record screen: F4 on a patient opens it; Enter amends the selected
//! section (every save needs a reason and becomes an amendment), h shows the section's
//! history. The front desk sees and amends demographics only. `view.rs` draws it.

mod view;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::auth::Permission;
use crate::clinic::{PatientView, Request, ServiceError};
use crate::domain::amendment::{Amendment, Demographics, MIN_REASON_CHARS, Section, SectionValue};
use crate::domain::health::HealthRecord;
use crate::domain::patient::{IdType, Patient, PatientId, Sex};
use crate::domain::record_form::{self, Layout};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::desk::patient::PatientScreen;
use crate::tui::components::desk::register::{
    DEMOGRAPHIC_FIELDS, REGISTER_FIELDS, read_demographics,
};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

/// Editing one section: its rows (entry lines or fields) then the reason, last.
#[derive(Debug)]
pub struct SectionEditor {
    pub section: Section,
    /// The value the editor started from; the service refuses the save if it changed.
    pub before: SectionValue,
    pub form: Form,
    /// A message next to each wrong row (the reason included).
    pub field_errors: Vec<Option<String>>,
    /// Esc with something changed asks first.
    pub discard: crate::tui::discard::DiscardGuard,
}

impl SectionEditor {
    /// The row index of the reason field.
    pub fn reason_index(&self) -> usize {
        self.form.fields.len() - 1
    }
}

/// The amendments of one section, newest first, and the one selected.
#[derive(Debug)]
pub struct HistoryView {
    pub section: Section,
    pub entries: Vec<Amendment>,
    pub cursor: Cursor,
    /// Rows of the selected change's details scrolled past (PgDn); clamped when drawn.
    pub detail_scroll: usize,
    pub detail_max: std::cell::Cell<usize>,
}

/// The health record (健康档案): sections on the left, the selected one on the right;
/// an editor or the section's history over it.
#[derive(Debug)]
pub struct RecordScreen {
    pub id: PatientId,
    pub patient: Patient,
    /// `None` for roles without clinical permission: they see demographics only.
    pub health: Option<HealthRecord>,
    pub sections: Vec<Section>,
    pub cursor: Cursor,
    /// Rows of the selected section scrolled past (PgDn); clamped when drawn.
    pub scroll: usize,
    /// The most rows the last drawing could scroll past, so PgDn stops at the end.
    pub scroll_max: std::cell::Cell<usize>,
    pub editor: Option<SectionEditor>,
    pub history: Option<HistoryView>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl RecordScreen {
    pub fn selected(&self) -> Section {
        self.sections
            .get(self.cursor.selected)
            .copied()
            .unwrap_or(Section::Demographics)
    }
}

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
    id_type.form_code()
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

impl RecordScreen {
    /// The record of the patient shown, with the sections this role may read.
    pub fn of(view: &PatientView) -> Self {
        let mut sections = vec![Section::Demographics];
        if view.health.is_some() {
            sections.extend(Section::ALL.into_iter().filter(|s| s.is_clinical()));
        }
        RecordScreen {
            id: view.id,
            patient: view.patient.clone(),
            health: view.health.clone(),
            sections,
            cursor: Default::default(),
            scroll: 0,
            scroll_max: Default::default(),
            editor: None,
            history: None,
            notice: None,
            error: None,
        }
    }

    fn start_editor(&mut self, desk: &mut Desk<'_>) {
        let section = self.selected();
        let allowed = if section.is_clinical() {
            desk.allows(Permission::ClinicalWrite)
        } else {
            desk.allows(Permission::DemographicsWrite)
        };
        if !allowed {
            self.error = Some(desk.t("record.read_only"));
            return;
        }
        let Some(before) = current(self, section) else {
            return;
        };
        let rows = match &before {
            SectionValue::Demographics(d) => demographic_rows(d),
            other => record_form::rows_in(other, desk.locale.lang),
        };
        let mut fields: Vec<Field> = rows.iter().map(|r| Field::with(r)).collect();
        fields.push(Field::default());
        let count = fields.len();
        let form = Form::new(fields);
        let mut editor = SectionEditor {
            section,
            before,
            discard: crate::tui::discard::DiscardGuard::new(&form),
            form,
            field_errors: vec![None; count],
        };
        ensure_blank_row(&mut editor);
        // What "nothing changed" means: the rows as they start, the empty line included.
        editor.discard = crate::tui::discard::DiscardGuard::new(&editor.form);
        // The cursor starts on the first row, even when that is the new empty line.
        editor.form.focus = 0;
        self.notice = None;
        self.error = None;
        self.editor = Some(editor);
    }

    fn on_editor_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        let count = editor.form.fields.len();
        if action != Action::Back {
            editor.discard.disarm();
        }
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
            // Ctrl-S saves from any row, as in every form.
            Action::Submit | Action::Save => self.save_editor(desk),
            Action::Back if !editor.discard.may_leave(&editor.form) => {
                editor.form.error = Some(desk.t("common.discard_ask"));
            }
            Action::Back => self.editor = None,
            _ => {}
        }
    }

    /// Checks the form as the service will, then sends the amendment.
    fn save_editor(&mut self, desk: &mut Desk<'_>) {
        let id = self.id;
        let Some(editor) = &mut self.editor else {
            return;
        };
        if editor.form.busy {
            return;
        }
        let reason_at = editor.reason_index();
        let rows: Vec<String> = editor.form.fields[..reason_at]
            .iter()
            .map(|f| f.value.clone())
            .collect();
        let reason = editor.form.fields[reason_at].value.trim().to_string();
        let mut errors: Vec<Option<String>> = vec![None; editor.form.fields.len()];
        let today = crate::domain::time::clinic_zone().today(desk.now);
        let parsed: Result<SectionValue, Vec<Option<String>>> = match editor.section {
            Section::Demographics => {
                let values: Vec<&str> = rows.iter().map(String::as_str).collect();
                read_demographics(desk.locale, today, &values).map(SectionValue::Demographics)
            }
            section => record_form::parse(section, &rows, today).map_err(|problems| {
                problems
                    .into_iter()
                    .map(|p| {
                        p.map(|p| {
                            let text = desk.t(&format!("record.problem.{}", p.key));
                            match p.detail {
                                Some(d) => format!("{text}: {d}"),
                                None => text,
                            }
                        })
                    })
                    .collect()
            }),
        };
        if let Err(row_errors) = &parsed {
            for (i, e) in row_errors.iter().enumerate().take(reason_at) {
                errors[i] = e.clone();
            }
        }
        if reason.chars().count() < MIN_REASON_CHARS {
            errors[reason_at] = Some(desk.t("record.need_reason"));
        }
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
        // Demographics are amended with nothing back (the patient is read again); a
        // health section gives the record as it now is.
        match (editor.before.clone(), after) {
            (SectionValue::Demographics(before), SectionValue::Demographics(after)) => desk
                .ask::<_, ()>(
                    Request::PatientAmend {
                        id,
                        before,
                        after,
                        reason,
                    },
                    |this: &mut Self, desk, reply| this.on_saved(desk, reply.map(|()| None)),
                ),
            (before, after) => desk.ask::<_, HealthRecord>(
                Request::HealthAmend {
                    id,
                    before,
                    after,
                    reason,
                },
                |this: &mut Self, desk, reply| this.on_saved(desk, reply.map(Some)),
            ),
        }
    }

    /// The patient reloaded (after a save, or a conflict).
    fn on_loaded(&mut self, desk: &mut Desk<'_>, reply: Result<PatientView, ServiceError>) {
        match reply {
            Ok(view) => {
                self.patient = view.patient;
                self.health = view.health;
                // After a conflict the editor keeps its text but now amends what is
                // current.
                if let Some(editor) = &mut self.editor {
                    let section = editor.section;
                    let now = match section {
                        Section::Demographics => {
                            Some(SectionValue::Demographics(self.patient.demographics()))
                        }
                        _ => self
                            .health
                            .as_ref()
                            .and_then(|h| SectionValue::of(h, section)),
                    };
                    if let Some(now) = now {
                        editor.before = now;
                    }
                }
            }
            Err(error) => self.error = Some(desk.error_text(&error)),
        }
    }

    fn reload(&mut self, desk: &mut Desk<'_>) {
        let id = self.id;
        desk.ask::<_, PatientView>(Request::PatientGet { id }, Self::on_loaded);
    }

    /// Saved: the record as it now is (a health section), or nothing (demographics:
    /// read again); or why not, said at the field it concerns.
    fn on_saved(&mut self, desk: &mut Desk<'_>, reply: Result<Option<HealthRecord>, ServiceError>) {
        match reply {
            Ok(Some(record)) => {
                self.health = Some(record);
                self.editor = None;
                self.notice = Some(desk.t("record.saved"));
            }
            Ok(None) => {
                self.editor = None;
                self.notice = Some(desk.t("record.saved"));
                self.reload(desk);
            }
            Err(error) => {
                let error_text = Some(desk.error_text(&error));
                let Some(editor) = &mut self.editor else {
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
                                editor.field_errors[i] = Some(desk.text(message));
                                editor.form.focus = i;
                            }
                            None => editor.form.error = error_text,
                        }
                    }
                    ServiceError::Conflict(_) => {
                        editor.form.error = error_text;
                        self.reload(desk);
                    }
                    _ => editor.form.error = error_text,
                }
            }
        }
    }

    fn on_history(&mut self, desk: &mut Desk<'_>, reply: Result<Vec<Amendment>, ServiceError>) {
        match reply {
            Ok(mut entries) => {
                entries.reverse();
                self.history = Some(HistoryView {
                    section: self.selected(),
                    entries,
                    cursor: Default::default(),
                    detail_scroll: 0,
                    detail_max: Default::default(),
                });
            }
            Err(error) => self.error = Some(desk.error_text(&error)),
        }
    }
}

impl Component for RecordScreen {
    fn context(&self) -> Context {
        if self.editor.is_some() {
            Context::Form
        } else {
            Context::Record
        }
    }

    fn on_edit(&mut self, _desk: &mut Desk<'_>) {
        if let Some(editor) = &mut self.editor {
            editor.discard.disarm();
        }
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.editor.as_mut().map(|editor| editor.form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if let Some(h) = &mut self.history {
            return Some((&mut h.cursor, h.entries.len()));
        }
        if self.editor.is_none() {
            return Some((&mut self.cursor, self.sections.len()));
        }
        None
    }

    /// PgDn/PgUp scroll a long section (or a change's details in the history); a move
    /// to another section or change starts at its top.
    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            return Handled::Ignored;
        }
        if let Some(history) = &mut self.history {
            let page = desk.page.max(1);
            match action {
                Action::PageDown => {
                    history.detail_scroll =
                        (history.detail_scroll + page).min(history.detail_max.get());
                }
                Action::PageUp => {
                    history.detail_scroll = history.detail_scroll.saturating_sub(page)
                }
                _ => {
                    history.detail_scroll = 0;
                    return Handled::Ignored;
                }
            }
            return Handled::Consumed;
        }
        let page = desk.page.max(1);
        match action {
            Action::PageDown => self.scroll = (self.scroll + page).min(self.scroll_max.get()),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            _ => {
                self.scroll = 0;
                return Handled::Ignored;
            }
        }
        Handled::Consumed
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            self.on_editor_action(desk, action);
            return Handled::Consumed;
        }
        let id = self.id;
        match action {
            Action::Back if self.history.is_some() => self.history = None,
            // The patient screen shows the record's summary: bring it up to date.
            Action::Back => desk.back_then(PatientScreen::request_patient),
            Action::Edit if self.history.is_none() => self.start_editor(desk),
            Action::History | Action::Open if self.history.is_none() => {
                let section = self.selected();
                self.error = None;
                let request = Request::RecordHistory {
                    id,
                    section: Some(section),
                };
                desk.ask::<_, Vec<Amendment>>(request, Self::on_history);
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::record(frame, area, app, self);
    }
}
