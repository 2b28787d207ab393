//! Where a document goes (p on the report, `C` on a patient, and after a card is
//! issued): a printer from those CUPS reports, or a PDF file. CUPS is asked, and the
//! document made and sent, off the event loop (`Effect::Printers`, `Effect::Paper`).

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::clinic::Request;
use crate::clinic::api::{PatientRef, ReportOutput};
use crate::domain::patient::PatientId;
use crate::report::output::Sent;
use crate::report::print::Printer;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled, PaperOutcome, Printers};
use crate::tui::components::care::report::report_request;
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};
use crate::tui::view::{form_with_intro, framed};

/// What is being printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintWhat {
    Report {
        id: PatientId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unmask: bool,
    },
    Card {
        id: PatientId,
    },
    /// A 健康体检表 by its number.
    Exam {
        id: PatientId,
        number: u32,
    },
}

/// Choosing a printer from those CUPS reports, or a file; then the outcome.
#[derive(Debug)]
pub struct PrintScreen {
    pub what: PrintWhat,
    pub name: String,
    /// `None` while CUPS is asked; an error when it cannot be.
    pub printers: Option<Result<Vec<Printer>, String>>,
    /// Over the printers, then the "save as a PDF file" row.
    pub cursor: Cursor,
    /// Typing the file's path.
    pub file: Option<Form>,
    pub busy: bool,
    /// The card about to be printed, when the screen that opened this one knows it
    /// (just issued, or the replacement of a lost card).
    pub card_number: Option<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PrintScreen {
    /// Names the card being printed, above the printers.
    pub fn with_card(mut self, number: &str) -> PrintScreen {
        self.card_number = Some(number.to_string());
        self
    }

    pub fn new(what: PrintWhat, name: String) -> PrintScreen {
        PrintScreen {
            what,
            name,
            printers: None,
            cursor: Cursor::default(),
            file: None,
            busy: false,
            card_number: None,
            notice: None,
            error: None,
        }
    }

    pub fn printer_count(&self) -> usize {
        match &self.printers {
            Some(Ok(list)) => list.len(),
            _ => 0,
        }
    }

    /// The printers and the file row.
    pub fn rows(&self) -> usize {
        self.printer_count() + 1
    }

    fn on_printers(&mut self, desk: &mut Desk<'_>, found: Printers) {
        // The clinic's printer first, then CUPS's default.
        let configured = &desk.settings.printer;
        let found = found.map(|mut list| {
            list.sort_by_key(|p| (&p.name != configured, !p.default));
            list
        });
        self.printers = Some(found);
        self.cursor = Cursor::default();
    }

    fn on_file_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(form) = &mut self.file else {
            return;
        };
        match action {
            Action::Back => self.file = None,
            Action::Submit => {
                let path = form.value(0).trim().to_string();
                if path.is_empty() {
                    return;
                }
                // Refused before the service records a disclosure that cannot happen.
                if std::path::Path::new(&path).exists() {
                    form.error = Some(desk.t("paper.exists").replace("{file}", &path));
                    return;
                }
                form.busy = true;
                self.send(desk, ReportOutput::File(path));
            }
            _ => {}
        }
    }

    /// Sends the document to `output`.
    fn send(&mut self, desk: &mut Desk<'_>, output: ReportOutput) {
        let request = match &self.what {
            PrintWhat::Report {
                id,
                from,
                to,
                unmask,
            } => report_request(*id, *from, *to, *unmask, output.clone()),
            PrintWhat::Card { id } => Request::CardPrint {
                patient: PatientRef::Id(*id),
                output: output.clone(),
            },
            PrintWhat::Exam { id, number } => Request::ExamFormPrint {
                patient: PatientRef::Id(*id),
                number: Some(*number),
                output: output.clone(),
            },
        };
        self.busy = true;
        self.error = None;
        self.notice = None;
        desk.paper(request, output, |this: &mut Self, desk, outcome| {
            this.on_paper_done(desk, outcome)
        });
    }

    fn on_paper_done(&mut self, desk: &mut Desk<'_>, outcome: PaperOutcome) {
        let outcome = outcome.map(|sent| match sent {
            Sent::File(path) => desk.locale.tf("paper.sent_file", &[("file", &path)]),
            Sent::Printer { printer, job } => desk.locale.tf(
                "paper.sent_printer",
                &[("printer", &printer), ("job", &job)],
            ),
        });
        self.busy = false;
        match outcome {
            Ok(said) => {
                self.file = None;
                self.notice = Some(said);
                self.error = None;
            }
            Err(why) => {
                let why = desk.text(&why);
                match &mut self.file {
                    Some(form) => {
                        form.busy = false;
                        form.error = Some(why);
                    }
                    None => self.error = Some(why),
                }
            }
        }
    }
}

const HINTS: &[Action] = &[Action::Print, Action::Period, Action::Back];

impl Component for PrintScreen {
    fn context(&self) -> Context {
        if self.file.is_some() {
            Context::Form
        } else {
            Context::Paper
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        // The file form has the form's keys.
        self.file.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.file.as_mut().map(|form| form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.file.is_some() || self.printers.is_none() {
            return None;
        }
        let len = self.rows();
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        desk.printers(|this: &mut Self, desk, found| this.on_printers(desk, found));
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.file.is_some() {
            self.on_file_action(desk, action);
            return Handled::Consumed;
        }
        match action {
            // A card issued meanwhile shows on the patient screen underneath.
            Action::Back => desk.back_then(super::patient::PatientScreen::request_cards),
            // Nothing to choose until CUPS has answered.
            Action::Open | Action::Submit | Action::Print
                if !self.busy && self.printers.is_some() =>
            {
                let printer = match &self.printers {
                    Some(Ok(list)) => list.get(self.cursor.selected).map(|p| p.name.clone()),
                    _ => None,
                };
                match printer {
                    Some(name) => self.send(desk, ReportOutput::Printer(name)),
                    None => {
                        let mut form = Form::new(vec![Field::default()]);
                        form.focus = 0;
                        self.file = Some(form);
                    }
                }
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let what = match self.what {
            PrintWhat::Report { .. } => app.t("paper.what_report"),
            PrintWhat::Card { .. } => app.t("paper.what_card"),
            PrintWhat::Exam { .. } => app.t("paper.what_exam"),
        };
        let title = app.locale.tf(
            "paper.print_title",
            &[("what", &what), ("name", &self.name)],
        );
        let inner = framed(frame, area, app, title);
        if let Some(form) = &self.file {
            let labels = [app.t("paper.file")];
            return form_with_intro(frame, inner, app, app.t("paper.file_intro"), form, &labels);
        }
        let mut lines: Vec<Line<'static>> = Vec::new();
        if let Some(number) = &self.card_number {
            lines.push(Line::styled(
                app.locale.tf("paper.card_number", &[("number", number)]),
                app.theme.title(),
            ));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), app.theme.error()));
        }
        if let Some(n) = &self.notice {
            lines.push(Line::styled(n.clone(), app.theme.notice()));
        }
        if self.busy {
            lines.push(Line::styled(app.t("paper.working"), app.theme.label()));
        }
        match &self.printers {
            None => lines.push(Line::styled(app.t("paper.asking"), app.theme.label())),
            // Said for the desk (the command-line advice is for `caredesk report`).
            Some(Err(_)) => lines.push(Line::styled(app.t("paper.no_cups"), app.theme.error())),
            Some(Ok(list)) if list.is_empty() => {
                lines.push(Line::styled(app.t("paper.no_printers"), app.theme.label()))
            }
            Some(Ok(_)) => {}
        }
        lines.push(Line::raw(""));
        let mut rows: Vec<String> = match &self.printers {
            Some(Ok(list)) => list
                .iter()
                .map(|p| {
                    let mut row = p.name.clone();
                    if p.name == app.settings.printer {
                        row.push(' ');
                        row.push_str(&app.t("paper.configured"));
                    }
                    if p.default {
                        row.push(' ');
                        row.push_str(&app.t("paper.default"));
                    }
                    row
                })
                .collect(),
            _ => Vec::new(),
        };
        if self.printers.is_some() {
            rows.push(app.t("paper.file_row"));
        }
        for (i, row) in rows.into_iter().enumerate() {
            let selected = i == self.cursor.selected;
            let marker = if selected { "▶ " } else { "  " };
            let style = if selected {
                app.theme.selected()
            } else {
                ratatui::style::Style::default()
            };
            lines.push(Line::styled(format!("{marker}{row}"), style));
        }
        if self.printers.is_some() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(app.t("paper.keys_print"), app.theme.label()));
        }
        frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
    }
}
