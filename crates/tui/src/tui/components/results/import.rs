//! Importing results from the terminal (Home → Import results): the file is read and
//! parsed here, in the terminal's process, like `caredesk import`; the service matches,
//! stores and audits. The screen then shows the counts and each rejection with its
//! place.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::clinic::api::ResultsSummary;
use crate::clinic::{Request, ServiceError};
use crate::ingest::files::Format;
use crate::ingest::pieces::{Source, read_in_batches};
use crate::ingest::{Parsed, Rejected};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;
use crate::tui::view::form_fields;

/// Importing a results file from the terminal: the file, the CSV mapping, whether to
/// create unknown patients; then what the import did.
#[derive(Debug)]
pub struct ImportScreen {
    pub form: Form,
    pub summary: Option<ResultsSummary>,
    /// Batches still to send (a request is one frame of at most 8 MiB; a large file
    /// goes in pieces, as `caredesk import` sends it), and whether to create patients.
    pub queued: VecDeque<Parsed>,
    pub create_patients: bool,
    /// What the importer could not read (file, place, reason).
    pub rejected: Vec<Rejected>,
    pub skipped: u64,
    /// FHIR resources not kept, by kind, for the summary.
    pub not_kept: BTreeMap<String, u64>,
}

impl Default for ImportScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ImportScreen {
    pub fn new() -> Self {
        Self {
            form: Form::new(vec![
                Field::default(),
                Field::with("synthea"),
                Field::with("n"),
            ]),
            summary: None,
            rejected: Vec::new(),
            skipped: 0,
            not_kept: BTreeMap::new(),
            queued: VecDeque::new(),
            create_patients: false,
        }
    }

    fn run(&mut self, desk: &mut Desk<'_>) {
        if self.form.busy {
            return;
        }
        let path = PathBuf::from(self.form.value(0).trim());
        let mapping = self.form.value(1).trim().to_string();
        let create = match self.form.value(2).trim().to_lowercase().as_str() {
            "y" | "yes" | "是" => true,
            "n" | "no" | "否" | "" => false,
            _ => {
                self.form.focus = 2;
                self.form.error = Some(desk.t("import.bad_create"));
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
        let mut batches = VecDeque::new();
        let read = read_in_batches(source, &files, &mut |batch| {
            batches.push_back(batch);
            Ok(())
        });
        match read {
            Err(e) => {
                self.form.focus = if e.to_string().contains("mapping") {
                    1
                } else {
                    0
                };
                // A file that cannot be read is said in the desk's language.
                self.form.error = Some(match e.downcast_ref::<crate::i18n::Text>() {
                    Some(text) => desk.text(text),
                    None => e.to_string(),
                });
            }
            Ok(()) => {
                self.form.error = None;
                self.rejected.clear();
                self.skipped = 0;
                self.not_kept.clear();
                self.summary = None;
                self.queued = batches;
                self.create_patients = create;
                self.send_next_batch(desk);
            }
        }
    }

    /// Sends the next batch of the import, if one is left (each once the one before
    /// is answered).
    fn send_next_batch(&mut self, desk: &mut Desk<'_>) {
        let Some(batch) = self.queued.pop_front() else {
            self.form.busy = false;
            return;
        };
        self.form.busy = true;
        let rejected = batch.rejected.len() as u64;
        self.rejected.extend(batch.rejected);
        self.skipped += batch.skipped;
        for (kind, count) in &batch.not_kept {
            *self.not_kept.entry(kind.clone()).or_default() += count;
        }
        let request = Request::ResultsImport {
            incoming: batch.incoming,
            rejected,
            create_patients: self.create_patients,
        };
        desk.ask::<_, ResultsSummary>(request, |this: &mut Self, desk, reply| {
            this.on_reply(desk, reply)
        });
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<ResultsSummary, ServiceError>) {
        match reply {
            Ok(part) => {
                self.summary.get_or_insert_with(Default::default).add(&part);
                self.send_next_batch(desk);
            }
            Err(e) => {
                // What was sent before stays imported (and counted); the rest is not sent.
                self.queued.clear();
                self.form.busy = false;
                self.form.error = Some(desk.error_text(&e));
            }
        }
    }
}

impl Component for ImportScreen {
    /// The form's keys: the screen is a form, as the other forms are.
    fn context(&self) -> Context {
        Context::Form
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        Some(self.form.focused())
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let count = self.form.fields.len();
        match action {
            Action::NextField => self.form.focus = (self.form.focus + 1) % count,
            Action::PrevField => self.form.focus = (self.form.focus + count - 1) % count,
            Action::Submit if self.form.focus + 1 < count => self.form.focus += 1,
            // Ctrl-S imports from any field, as every form saves.
            Action::Submit | Action::Save => self.run(desk),
            Action::Back => return Handled::Ignored,
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", app.t("menu.import")),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [intro, form_area, result] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(6),
            Constraint::Min(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("import.intro"), app.theme.label()))
                .wrap(Wrap { trim: true }),
            intro,
        );
        let labels = [
            app.t("import.file"),
            app.t("import.mapping"),
            app.t("import.create"),
        ];
        form_fields(frame, form_area, app, &self.form, &labels);
        let mut lines: Vec<Line<'static>> = Vec::new();
        if let Some(error) = &self.form.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        if self.form.busy {
            lines.push(Line::styled(app.t("common.working"), app.theme.label()));
        }
        if let Some(s) = &self.summary {
            lines.push(Line::styled(
                app.locale.tf(
                    "import.summary",
                    &[
                        ("messages", &(s.messages + s.rejected).to_string()),
                        ("imported", &s.imported.to_string()),
                        ("duplicates", &s.duplicates.to_string()),
                        ("unmatched", &s.unmatched.to_string()),
                        ("rejected", &s.rejected.to_string()),
                        ("created", &s.created.to_string()),
                        ("skipped", &self.skipped.to_string()),
                    ],
                ),
                app.theme.notice(),
            ));
            if s.unread > 0 {
                lines.push(Line::styled(
                    app.locale
                        .tf("import.unread", &[("unread", &s.unread.to_string())]),
                    app.theme.error(),
                ));
            }
            if !self.not_kept.is_empty() {
                let list = self
                    .not_kept
                    .iter()
                    .map(|(kind, n)| format!("{n} {kind}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push(Line::styled(
                    app.locale.tf("import.not_kept", &[("list", &list)]),
                    app.theme.label(),
                ));
            }
            let extra = u16::from(s.unread > 0) + u16::from(!self.not_kept.is_empty());
            let room = result.height.saturating_sub(2 + extra) as usize;
            for r in self.rejected.iter().take(room) {
                lines.push(Line::styled(app.locale.text(&r.text()), app.theme.error()));
            }
            if self.rejected.len() > room {
                lines.push(Line::styled(
                    app.locale.tf(
                        "import.more",
                        &[("count", &(self.rejected.len() - room).to_string())],
                    ),
                    app.theme.label(),
                ));
            }
        }
        frame.render_widget(crate::tui::view::wrapped(lines, result.width), result);
    }
}
