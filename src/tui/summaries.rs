//! The stage summaries screen (`s` on a patient): each summary's latest version and
//! its content; n drafts a new one for a period (the last full quarter offered), e
//! edits the selected one's narrative (a new version), s signs it.

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, LineEditor, Navigation, Screen, SummariesScreen, SummaryEditor};
use crate::clinic::{Request, Response, ServiceError};
use crate::domain::summary::Period;

impl App {
    pub(crate) fn open_summaries(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::Summaries(SummariesScreen {
            id,
            name: view.patient.name.clone(),
            versions: None,
            cursor: Default::default(),
            select: None,
            scroll: 0,
            editor: None,
            notice: None,
            error: None,
        }));
        self.call(Pending::Summaries(id), Request::SummaryList { id });
    }

    pub(crate) fn on_summaries_action(&mut self, action: Action) {
        let today = self.now.date_naive();
        let Screen::Summaries(screen) = &mut self.screen else {
            return;
        };
        if screen.editor.is_some() {
            return self.on_summary_editor_action(action);
        }
        let id = screen.id;
        let selected = screen
            .latest()
            .get(screen.cursor.selected)
            .map(|(v, count)| ((*v).clone(), *count));
        match action {
            Action::Back => self.back(),
            Action::New => {
                let period = Period::last_quarter(today);
                let mut form = Form::new(vec![
                    Field::with(&period.from.to_string()),
                    Field::with(&period.to.to_string()),
                ]);
                form.focus = 0;
                screen.notice = None;
                screen.editor = Some(SummaryEditor {
                    number: None,
                    base: 0,
                    period_form: Some(form),
                    period: None,
                    text: LineEditor::default(),
                });
            }
            Action::Edit => {
                if let Some((version, count)) = selected {
                    let lines: Vec<&str> = version.summary.text.lines().collect();
                    screen.notice = None;
                    screen.editor = Some(SummaryEditor {
                        number: Some(version.number),
                        base: count,
                        period_form: None,
                        period: Some(version.summary.period),
                        text: LineEditor::with_lines(&lines),
                    });
                }
            }
            Action::Sign => {
                if let Some((version, count)) = selected {
                    screen.error = None;
                    screen.notice = None;
                    self.call(
                        Pending::Summaries(id),
                        Request::SummarySign {
                            id,
                            number: version.number,
                            base: count,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn on_summary_editor_action(&mut self, action: Action) {
        let lang = self.locale.lang;
        let bad_dates = self.t("summary.bad_dates");
        let Screen::Summaries(SummariesScreen {
            id,
            editor: Some(editor),
            ..
        }) = &mut self.screen
        else {
            return;
        };
        let id = *id;
        if let Some(form) = &mut editor.period_form {
            match action {
                Action::NextField | Action::PrevField => form.focus = 1 - form.focus.min(1),
                Action::Submit if form.focus == 0 => form.focus = 1,
                Action::Submit => {
                    let date = |i: usize| {
                        chrono::NaiveDate::parse_from_str(form.value(i).trim(), "%Y-%m-%d").ok()
                    };
                    match (date(0), date(1)) {
                        (Some(from), Some(to)) => {
                            let period = Period { from, to };
                            form.busy = true;
                            form.error = None;
                            editor.period = Some(period);
                            self.call(
                                Pending::Summaries(id),
                                Request::SummaryDraft { id, period, lang },
                            );
                        }
                        _ => form.error = Some(bad_dates),
                    }
                }
                Action::Back => self.close_summary_editor(),
                _ => {}
            }
            return;
        }
        let text = &mut editor.text;
        match (text.navigate(action), action) {
            (Navigation::Moved, _) => {}
            (Navigation::Save, _) => {
                let narrative = text
                    .lines()
                    .into_iter()
                    .filter(|l| !l.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
                let Some(period) = editor.period else {
                    return;
                };
                text.form.busy = true;
                text.form.error = None;
                let request = Request::SummarySave {
                    id,
                    number: editor.number,
                    base: editor.base,
                    period,
                    text: narrative,
                };
                self.call(Pending::Summaries(id), request);
            }
            (Navigation::Other, Action::Back) => self.close_summary_editor(),
            (Navigation::Other, _) => {}
        }
    }

    fn close_summary_editor(&mut self) {
        if let Screen::Summaries(screen) = &mut self.screen {
            screen.editor = None;
        }
    }

    pub(crate) fn on_summaries_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let (saved, signed, reloaded) = (
            self.t("summary.saved"),
            self.t("summary.signed_now"),
            self.t("summary.reloaded"),
        );
        let Screen::Summaries(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        match response {
            Response::Summaries(versions) => {
                // An open editor builds on the newest version of its summary.
                if let Some(editor) = &mut screen.editor
                    && let Some(number) = editor.number
                {
                    editor.base = versions.iter().filter(|v| v.number == number).count();
                }
                screen.versions = Some(versions);
                let latest = screen.latest();
                let wanted = screen
                    .select
                    .and_then(|n| latest.iter().position(|(v, _)| v.number == n));
                let len = latest.len();
                screen.cursor.selected = wanted
                    .unwrap_or(screen.cursor.selected)
                    .min(len.saturating_sub(1));
                screen.select = None;
            }
            Response::SummaryDraft(draft) => {
                if let Some(editor) = &mut screen.editor {
                    let lines: Vec<&str> = draft.text.lines().collect();
                    editor.period_form = None;
                    editor.text = LineEditor::with_lines(&lines);
                }
            }
            Response::SummarySaved { number } => {
                let signing = screen.editor.is_none();
                screen.editor = None;
                screen.notice = Some(if signing { signed } else { saved });
                screen.select = Some(number);
                self.call(Pending::Summaries(id), Request::SummaryList { id });
            }
            Response::Error(ServiceError::Conflict(_)) => {
                match &mut screen.editor {
                    Some(editor) => {
                        editor.text.form.busy = false;
                        editor.text.form.error = Some(reloaded);
                    }
                    None => screen.error = Some(reloaded),
                }
                self.call(Pending::Summaries(id), Request::SummaryList { id });
            }
            _ => match &mut screen.editor {
                Some(editor) => {
                    let form = editor.period_form.as_mut().unwrap_or(&mut editor.text.form);
                    form.busy = false;
                    form.error = text;
                }
                None => {
                    screen.error = text;
                    if screen.versions.is_none() {
                        screen.versions = Some(Vec::new());
                    }
                }
            },
        }
    }
}
