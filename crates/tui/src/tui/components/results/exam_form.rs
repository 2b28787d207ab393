//! The 健康体检表 screen (`e` on a patient): the patient's examinations, newest first,
//! with the selected one's answers below. `n` drafts a new form for today, filled from
//! the results; Enter edits the selected one (a new version); `p` prints it. The editor
//! walks the form's items in the printed order, each section headed, the coded lists
//! shown for the item in hand. `exams/view.rs` draws it.

mod view;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::auth::Permission;
use crate::clinic::ServiceError;
use crate::clinic::api::Request;
use crate::clinic::results::exam_form::{ExamDraft, ExamSaved};
use crate::domain::exam_form::{self, ExamForm, ExamVersion};
use crate::domain::patient::PatientId;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::desk::print::{PrintScreen, PrintWhat};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};

/// Rows before the form's items: the date, then the doctor.
pub const HEAD_ROWS: usize = 2;

/// Editing one examination form.
#[derive(Debug)]
pub struct ExamEditor {
    /// `None` for a new form.
    pub number: Option<u32>,
    /// How many versions the author saw.
    pub base: usize,
    pub form: Form,
    pub field_errors: Vec<Option<String>>,
    /// The items filled from results (named beside them while unchanged).
    pub filled: Vec<String>,
    pub discard: crate::tui::discard::DiscardGuard,
}

/// The patient's examinations and the one selected.
#[derive(Debug)]
pub struct ExamsScreen {
    pub id: PatientId,
    pub name: String,
    /// The latest version of each exam with its count, newest first; `None` loading.
    pub exams: Option<Vec<(ExamVersion, usize)>>,
    pub cursor: Cursor,
    /// Rows of the selected exam's answers scrolled past (PgDn).
    pub scroll: usize,
    pub scroll_max: std::cell::Cell<usize>,
    pub editor: Option<ExamEditor>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl ExamsScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            exams: None,
            cursor: Cursor::default(),
            scroll: 0,
            scroll_max: Default::default(),
            editor: None,
            notice: None,
            error: None,
        }
    }

    pub fn selected(&self) -> Option<&(ExamVersion, usize)> {
        self.exams.as_ref()?.get(self.cursor.selected)
    }

    fn load(&self, desk: &mut Desk<'_>) {
        desk.ask::<_, Vec<ExamVersion>>(
            Request::ExamList { id: self.id },
            |this: &mut Self, desk, reply| match reply {
                Ok(all) => this.exams = Some(exam_form::latest(&all)),
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        self.error = Some(desk.error_text(error));
    }

    fn open_editor(
        &mut self,
        desk: &Desk<'_>,
        number: Option<u32>,
        base: usize,
        form: &ExamForm,
        filled: Vec<String>,
    ) {
        let lang = desk.locale.lang;
        let mut fields = vec![
            Field::with(&form.date.to_string()),
            Field::with(&form.doctor),
        ];
        fields.extend(form.rows(lang).iter().map(|r| Field::with(r)));
        let count = fields.len();
        let mut form = Form::new(fields);
        if !filled.is_empty() {
            form.info = Some(
                desk.locale
                    .tf("examform.filled", &[("count", &filled.len().to_string())]),
            );
        }
        self.editor = Some(ExamEditor {
            number,
            base,
            discard: crate::tui::discard::DiscardGuard::new(&form),
            form,
            field_errors: vec![None; count],
            filled,
        });
        self.notice = None;
        self.error = None;
    }

    fn start_new(&mut self, desk: &mut Desk<'_>) {
        if !desk.allows(Permission::ClinicalWrite) {
            self.error = Some(desk.t("examform.read_only"));
            return;
        }
        let date = crate::domain::time::clinic_zone().today(desk.now);
        desk.ask::<_, Box<ExamDraft>>(
            Request::ExamDraft { id: self.id, date },
            |this: &mut Self, desk, reply| match reply {
                Ok(draft) => this.open_editor(desk, None, 0, &draft.form, draft.filled),
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    fn edit_selected(&mut self, desk: &mut Desk<'_>) {
        if !desk.allows(Permission::ClinicalWrite) {
            self.error = Some(desk.t("examform.read_only"));
            return;
        }
        if let Some((version, count)) = self.selected().cloned() {
            self.open_editor(desk, Some(version.number), count, &version.form, Vec::new());
        }
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
            Action::NextField => editor.form.focus = (editor.form.focus + 1) % count,
            Action::PrevField => editor.form.focus = (editor.form.focus + count - 1) % count,
            Action::Submit if editor.form.focus + 1 < count => editor.form.focus += 1,
            // Ctrl-S saves from any row, as in every form.
            Action::Submit | Action::Save => self.save(desk),
            Action::Back if !editor.discard.may_leave(&editor.form) => {
                editor.form.error = Some(desk.t("common.discard_ask"));
            }
            Action::Back => self.editor = None,
            _ => {}
        }
    }

    /// Checks the form as the service will, then saves it.
    fn save(&mut self, desk: &mut Desk<'_>) {
        let id = self.id;
        let Some(editor) = &mut self.editor else {
            return;
        };
        if editor.form.busy {
            return;
        }
        let mut errors: Vec<Option<String>> = vec![None; editor.form.fields.len()];
        let today = crate::domain::time::clinic_zone().today(desk.now);
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        let date = crate::domain::identity::parse_date(editor.form.value(0), today)
            .ok()
            .filter(|d| *d <= today && *d >= earliest);
        if date.is_none() {
            errors[0] = Some(desk.t("record.problem.bad_date"));
        }
        let doctor = editor.form.value(1).trim().to_string();
        if doctor.chars().count() > exam_form::MAX_TEXT {
            errors[1] = Some(desk.t("record.problem.too_long"));
        }
        let rows: Vec<String> = editor.form.fields[HEAD_ROWS..]
            .iter()
            .map(|f| f.value.clone())
            .collect();
        let answers = match ExamForm::read_rows(&rows) {
            Ok(answers) => Some(answers),
            Err(problems) => {
                for (i, problem) in problems {
                    let text = desk.t(&format!("record.problem.{}", problem.key));
                    errors[HEAD_ROWS + i] = Some(match problem.detail {
                        Some(d) => format!("{text}: {d}"),
                        None => text,
                    });
                }
                None
            }
        };
        editor.form.error = None;
        if let Some(first) = errors.iter().position(Option::is_some) {
            editor.form.focus = first;
            editor.field_errors = errors;
            return;
        }
        editor.field_errors = errors;
        let (Some(date), Some(answers)) = (date, answers) else {
            return;
        };
        editor.form.busy = true;
        let request = Request::ExamSave {
            id,
            number: editor.number,
            base: editor.base,
            form: ExamForm {
                date,
                doctor,
                answers,
            },
        };
        desk.ask::<_, ExamSaved>(request, |this: &mut Self, desk, reply| match reply {
            Ok(saved) => {
                this.editor = None;
                this.notice = Some(desk.locale.tf(
                    "examform.saved",
                    &[
                        ("number", &saved.number.to_string()),
                        ("results", &saved.results_added.to_string()),
                    ],
                ));
                this.load(desk);
            }
            Err(e) => {
                let text = desk.error_text(&e);
                match &mut this.editor {
                    Some(editor) => {
                        editor.form.busy = false;
                        editor.form.error = Some(text);
                    }
                    None => this.error = Some(text),
                }
            }
        });
    }
}

const HINTS: &[Action] = &[Action::New, Action::Edit, Action::Print, Action::Back];

impl Component for ExamsScreen {
    fn context(&self) -> Context {
        if self.editor.is_some() {
            Context::Form
        } else {
            Context::Exams
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        self.editor.is_none().then_some(HINTS)
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
        if self.editor.is_some() {
            return None;
        }
        let len = self.exams.as_ref().map_or(0, Vec::len);
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.load(desk);
    }

    /// PgDn/PgUp scroll the selected exam's answers; a move to another starts at its top.
    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            return Handled::Ignored;
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
        match action {
            Action::New => self.start_new(desk),
            Action::Edit | Action::Open => self.edit_selected(desk),
            Action::Print => {
                if let Some((version, _)) = self.selected() {
                    let what = PrintWhat::Exam {
                        id: self.id,
                        number: version.number,
                    };
                    desk.push(PrintScreen::new(what, self.name.clone()));
                }
            }
            Action::Back => desk.back(),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::render(frame, area, app, self);
    }
}
