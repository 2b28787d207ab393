//! Importing results from the terminal (Home → Import results): the file is read and
//! parsed here, in the terminal's process, like `caredesk import`; the service matches,
//! stores and audits. The screen then shows the counts and each rejection.

use std::path::PathBuf;

use super::action::Action;
use super::app::{App, Pending};
use super::field::Field;
use super::screens::{Form, ImportScreen, Screen};
use crate::clinic::{Request, Response};
use crate::ingest::files::Format;
use crate::ingest::pieces::{Source, read_in_batches};

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
            not_kept: Default::default(),
            queued: Default::default(),
            create_patients: false,
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
        let source = if csv {
            Source::Csv(&mapping)
        } else {
            Source::Files(Format::of(&path))
        };
        let mut batches = std::collections::VecDeque::new();
        let read = read_in_batches(source, &files, &mut |batch| {
            batches.push_back(batch);
            Ok(())
        });
        match read {
            Err(e) => {
                import.form.focus = if e.to_string().contains("mapping") {
                    1
                } else {
                    0
                };
                import.form.error = Some(e.to_string());
            }
            Ok(()) => {
                import.form.error = None;
                import.rejected.clear();
                import.skipped = 0;
                import.not_kept.clear();
                import.summary = None;
                import.queued = batches;
                import.create_patients = create;
                self.send_next_import_batch();
            }
        }
    }

    /// Sends the next batch of the import, if one is left; false when none is.
    fn send_next_import_batch(&mut self) -> bool {
        let Screen::Import(import) = &mut self.screen else {
            return false;
        };
        let Some(batch) = import.queued.pop_front() else {
            import.form.busy = false;
            return false;
        };
        import.form.busy = true;
        let rejected = batch.rejected.len() as u64;
        import.rejected.extend(batch.rejected);
        import.skipped += batch.skipped;
        for (kind, count) in &batch.not_kept {
            *import.not_kept.entry(kind.clone()).or_default() += count;
        }
        let request = Request::ResultsImport {
            incoming: batch.incoming,
            rejected,
            create_patients: import.create_patients,
        };
        self.call(Pending::Import, request);
        true
    }

    pub(crate) fn on_import_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Import(import) = &mut self.screen else {
            return;
        };
        match response {
            Response::ResultsImported(part) => {
                import
                    .summary
                    .get_or_insert_with(Default::default)
                    .add(&part);
                self.send_next_import_batch();
            }
            _ => {
                // What was sent before stays imported (and counted); the rest is not sent.
                import.queued.clear();
                import.form.busy = false;
                import.form.error = text;
            }
        }
    }
}
