//! Importing results from the terminal (Home → Import results): the file is read and
//! parsed here, in the terminal's process, like `caredesk import`; the service matches,
//! stores and audits. The screen then shows the counts and each rejection.

use std::path::PathBuf;

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, ImportScreen, Screen};
use crate::clinic::{Request, Response};
use crate::ingest::files::{Format, parse_csv_files, parse_files};

impl App {
    pub(crate) fn open_import(&mut self) {
        let form = Form::new(vec![
            Field::default(),
            Field::with("synthea"),
            Field::with("n"),
        ]);
        self.push(Screen::Import(ImportScreen {
            form,
            summary: None,
            rejected: Vec::new(),
            skipped: 0,
        }));
    }

    pub(crate) fn on_import_action(&mut self, action: Action) {
        let Screen::Import(import) = &mut self.screen else {
            return;
        };
        let count = import.form.fields.len();
        match action {
            Action::NextField => import.form.focus = (import.form.focus + 1) % count,
            Action::PrevField => import.form.focus = (import.form.focus + count - 1) % count,
            Action::Submit if import.form.focus + 1 < count => import.form.focus += 1,
            Action::Submit => self.run_import(),
            Action::Back => {
                if let Some(previous) = self.stack.pop() {
                    self.screen = previous;
                }
            }
            _ => {}
        }
    }

    fn run_import(&mut self) {
        let bad_create = self.t("import.bad_create");
        let Screen::Import(import) = &mut self.screen else {
            return;
        };
        if import.form.busy {
            return;
        }
        let path = PathBuf::from(import.form.value(0).trim());
        let mapping = import.form.value(1).trim().to_string();
        let create = match import.form.value(2).trim().to_lowercase().as_str() {
            "y" | "yes" | "是" => true,
            "n" | "no" | "否" | "" => false,
            _ => {
                import.form.focus = 2;
                import.form.error = Some(bad_create);
                return;
            }
        };
        let files = vec![path.clone()];
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let parsed = if csv {
            parse_csv_files(&mapping, &files)
        } else {
            parse_files(Format::of(&path), &files)
        };
        match parsed {
            Err(e) => {
                import.form.focus = if e.to_string().contains("mapping") {
                    1
                } else {
                    0
                };
                import.form.error = Some(e.to_string());
            }
            Ok(parsed) => {
                import.form.error = None;
                import.form.busy = true;
                import.rejected = parsed.rejected;
                import.skipped = parsed.skipped;
                let rejected = import.rejected.len() as u64;
                self.call(
                    Pending::Import,
                    Request::ResultsImport {
                        incoming: parsed.incoming,
                        rejected,
                        create_patients: create,
                    },
                );
            }
        }
    }

    pub(crate) fn on_import_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Import(import) = &mut self.screen else {
            return;
        };
        import.form.busy = false;
        match response {
            Response::ResultsImported(summary) => import.summary = Some(summary),
            _ => import.form.error = text,
        }
    }
}
