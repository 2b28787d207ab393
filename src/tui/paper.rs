//! Paper from the terminal: `P` on a patient previews the health report as it will
//! print (d changes the period, u shows ID and phone numbers in full, an audited
//! choice); p chooses a printer from those CUPS reports, or a PDF file; c and `C` on a
//! patient print the member card, which is also offered after a card is issued.

use chrono::NaiveDate;

use super::action::Action;
use super::app::{App, Effect, Pending};
use super::field::Field;
use super::paper_screens::{PrintScreen, PrintWhat, ReportScreen};
use super::screens::{Form, Screen};
use crate::clinic::api::{PatientRef, ReportOutput};
use crate::clinic::{Request, Response};
use crate::domain::patient::PatientId;
use crate::report::output::Sent;

impl App {
    fn report_request(
        id: PatientId,
        screen_from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unmask: bool,
        output: ReportOutput,
    ) -> Request {
        Request::ReportCompose {
            patient: PatientRef::Id(id),
            from: screen_from,
            to,
            unmask,
            output,
        }
    }

    pub(crate) fn open_report(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let (id, name) = (view.id, view.patient.name.clone());
        self.push(Screen::Report(ReportScreen {
            id,
            name,
            from: None,
            to: None,
            unmask: false,
            data: None,
            scroll: 0,
            period: None,
            error: None,
        }));
        self.call(
            Pending::Report(id),
            Self::report_request(id, None, None, false, ReportOutput::Preview),
        );
    }

    /// The member card of the patient on screen, to a printer or file.
    pub(crate) fn open_card_print(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let (id, name) = (view.id, view.patient.name.clone());
        self.open_print(PrintWhat::Card { id }, name);
    }

    /// Where a document goes: asks CUPS for its printers.
    pub(crate) fn open_print(&mut self, what: PrintWhat, name: String) {
        self.push(Screen::Print(PrintScreen::new(what, name)));
        self.effects.push(Effect::Printers);
    }

    pub(crate) fn on_report_action(&mut self, action: Action) {
        let bad = self.t("paper.bad_dates");
        let Screen::Report(screen) = &mut self.screen else {
            return;
        };
        let id = screen.id;
        if let Some(form) = &mut screen.period {
            match action {
                Action::Back => screen.period = None,
                Action::NextField | Action::PrevField => form.focus = 1 - form.focus.min(1),
                Action::Submit if form.focus == 0 => form.focus = 1,
                Action::Submit => {
                    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
                    match (date(form.value(0)), date(form.value(1))) {
                        (Some(from), Some(to)) if from <= to => {
                            screen.from = Some(from);
                            screen.to = Some(to);
                            screen.period = None;
                            screen.scroll = 0;
                            let unmask = screen.unmask;
                            self.call(
                                Pending::Report(id),
                                Self::report_request(
                                    id,
                                    Some(from),
                                    Some(to),
                                    unmask,
                                    ReportOutput::Preview,
                                ),
                            );
                        }
                        _ => form.error = Some(bad),
                    }
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::Back => self.back(),
            Action::Period => {
                let (from, to) = match &screen.data {
                    Some(d) => (d.period.from.to_string(), d.period.to.to_string()),
                    None => (String::new(), String::new()),
                };
                let mut form = Form::new(vec![Field::with(&from), Field::with(&to)]);
                form.focus = 0;
                screen.period = Some(form);
            }
            Action::Unmask => {
                screen.unmask = !screen.unmask;
                let (from, to, unmask) = (screen.from, screen.to, screen.unmask);
                self.call(
                    Pending::Report(id),
                    Self::report_request(id, from, to, unmask, ReportOutput::Preview),
                );
            }
            Action::Print | Action::Open => {
                let what = PrintWhat::Report {
                    id,
                    from: screen.from,
                    to: screen.to,
                    unmask: screen.unmask,
                };
                let name = screen.name.clone();
                self.open_print(what, name);
            }
            Action::PrintCard => {
                let name = screen.name.clone();
                self.open_print(PrintWhat::Card { id }, name);
            }
            _ => {}
        }
    }

    pub(crate) fn on_report_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Report(screen) = &mut self.screen else {
            return;
        };
        match response {
            Response::Report(data) => {
                screen.data = Some(data);
                screen.error = None;
            }
            _ => screen.error = text,
        }
    }

    pub(crate) fn on_printers(
        &mut self,
        found: Result<Vec<crate::report::print::Printer>, String>,
    ) {
        let configured = self.settings.printer.clone();
        let Screen::Print(screen) = &mut self.screen else {
            return;
        };
        // The clinic's printer first, then CUPS's default.
        let found = found.map(|mut list| {
            list.sort_by_key(|p| (p.name != configured, !p.default));
            list
        });
        screen.printers = Some(found);
        screen.cursor = Default::default();
    }

    pub(crate) fn on_print_action(&mut self, action: Action) {
        let lang = self.locale.lang;
        let exists = self.t("paper.exists");
        let Screen::Print(screen) = &mut self.screen else {
            return;
        };
        if let Some(form) = &mut screen.file {
            match action {
                Action::Back => screen.file = None,
                Action::Submit => {
                    let path = form.value(0).trim().to_string();
                    if path.is_empty() {
                        return;
                    }
                    // Refused before the service records a disclosure that cannot happen.
                    if std::path::Path::new(&path).exists() {
                        form.error = Some(exists.replace("{file}", &path));
                        return;
                    }
                    form.busy = true;
                    self.start_paper(ReportOutput::File(path), lang);
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::Back => {
                self.back();
                // A card issued meanwhile shows on the patient screen underneath.
                if let Screen::Patient(patient) = &self.screen {
                    let id = patient.id;
                    self.request_cards(id);
                }
            }
            // Nothing to choose until CUPS has answered.
            Action::Open | Action::Submit | Action::Print
                if !screen.busy && screen.printers.is_some() =>
            {
                let selected = screen.cursor.selected;
                let printer = match &screen.printers {
                    Some(Ok(list)) => list.get(selected).map(|p| p.name.clone()),
                    _ => None,
                };
                match printer {
                    Some(name) => self.start_paper(ReportOutput::Printer(name), lang),
                    None => {
                        let mut form = Form::new(vec![Field::default()]);
                        form.focus = 0;
                        screen.file = Some(form);
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends the print screen's document to `output`.
    fn start_paper(&mut self, output: ReportOutput, lang: crate::i18n::Lang) {
        let Screen::Print(screen) = &mut self.screen else {
            return;
        };
        let request = match &screen.what {
            PrintWhat::Report {
                id,
                from,
                to,
                unmask,
            } => Self::report_request(*id, *from, *to, *unmask, output.clone()),
            PrintWhat::Card { id } => Request::CardPrint {
                patient: PatientRef::Id(*id),
                output: output.clone(),
            },
        };
        screen.busy = true;
        screen.error = None;
        screen.notice = None;
        let tag = self.next_tag(Pending::Paper);
        self.effects.push(Effect::Paper {
            tag,
            request: Box::new(request),
            lang,
            output,
        });
    }

    pub(crate) fn on_paper_done(&mut self, outcome: Result<Sent, String>) {
        let outcome = outcome.map(|sent| match sent {
            Sent::File(path) => self.locale.tf("paper.sent_file", &[("file", &path)]),
            Sent::Printer { printer, job } => self.locale.tf(
                "paper.sent_printer",
                &[("printer", &printer), ("job", &job)],
            ),
        });
        let Screen::Print(screen) = &mut self.screen else {
            return;
        };
        screen.busy = false;
        match outcome {
            Ok(said) => {
                screen.file = None;
                screen.notice = Some(said);
                screen.error = None;
            }
            Err(why) => match &mut screen.file {
                Some(form) => {
                    form.busy = false;
                    form.error = Some(why);
                }
                None => screen.error = Some(why),
            },
        }
    }
}
