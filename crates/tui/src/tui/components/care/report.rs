//! The health report's preview (`P` on a patient), as it will print, scrolled a page
//! at a time: d changes the period, u shows ID and phone numbers in full (an audited
//! choice), p chooses where it goes (`print.rs`), c prints the member card.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::clinic::Request;
use crate::clinic::api::{PatientRef, ReportOutput};
use crate::clinic::care::reports::ReportData;
use crate::domain::patient::PatientId;
use crate::report::{health_report, text};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::desk::print::{PrintScreen, PrintWhat};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;
use crate::tui::view::{form_with_intro, framed};

/// The health report as it will print, scrolled a page at a time.
#[derive(Debug)]
pub struct ReportScreen {
    pub id: PatientId,
    pub name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// ID and phone numbers in full (an audited choice).
    pub unmask: bool,
    pub data: Option<Box<ReportData>>,
    /// First preview line shown.
    pub scroll: usize,
    /// Typing the period: from, to.
    pub period: Option<Form>,
    pub error: Option<String>,
}

/// The request for a patient's report over a period, to the screen or to paper.
pub(crate) fn report_request(
    id: PatientId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    unmask: bool,
    output: ReportOutput,
) -> Request {
    Request::ReportCompose {
        patient: PatientRef::Id(id),
        from,
        to,
        unmask,
        output,
    }
}

impl ReportScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            from: None,
            to: None,
            unmask: false,
            data: None,
            scroll: 0,
            period: None,
            error: None,
        }
    }

    /// Asks for the preview of the period and masking chosen.
    fn load(&self, desk: &mut Desk<'_>) {
        let request = report_request(
            self.id,
            self.from,
            self.to,
            self.unmask,
            ReportOutput::Preview,
        );
        desk.ask::<_, Box<ReportData>>(request, |this: &mut Self, desk, reply| match reply {
            Ok(data) => {
                this.data = Some(data);
                this.error = None;
            }
            Err(e) => this.error = Some(desk.error_text(&e)),
        });
    }

    fn on_period_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(form) = &mut self.period else {
            return;
        };
        match action {
            Action::Back => self.period = None,
            Action::NextField | Action::PrevField => form.focus = 1 - form.focus.min(1),
            Action::Submit if form.focus == 0 => form.focus = 1,
            Action::Submit => {
                let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
                match (date(form.value(0)), date(form.value(1))) {
                    (Some(from), Some(to)) if from <= to => {
                        self.from = Some(from);
                        self.to = Some(to);
                        self.period = None;
                        self.scroll = 0;
                        self.load(desk);
                    }
                    _ => form.error = Some(desk.t("paper.bad_dates")),
                }
            }
            _ => {}
        }
    }
}

const HINTS: &[Action] = &[Action::Print, Action::Period, Action::Back];

impl Component for ReportScreen {
    fn context(&self) -> Context {
        if self.period.is_some() {
            Context::Form
        } else {
            Context::Paper
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        // The period form has the form's keys.
        self.period.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.period.as_mut().map(|form| form.focused())
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.load(desk);
    }

    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.period.is_some() {
            return Handled::Ignored;
        }
        // The preview scrolls; the drawing keeps the last page full.
        let page = desk.page;
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll + 1,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll + page,
            Action::Top => 0,
            _ => usize::MAX / 2,
        };
        Handled::Consumed
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.period.is_some() {
            self.on_period_action(desk, action);
            return Handled::Consumed;
        }
        match action {
            Action::Back => return Handled::Ignored,
            Action::Period => {
                let (from, to) = match &self.data {
                    Some(d) => (d.period.from.to_string(), d.period.to.to_string()),
                    None => (String::new(), String::new()),
                };
                let mut form = Form::new(vec![Field::with(&from), Field::with(&to)]);
                form.focus = 0;
                self.period = Some(form);
            }
            Action::Unmask => {
                self.unmask = !self.unmask;
                self.load(desk);
            }
            Action::Print | Action::Open => {
                let what = PrintWhat::Report {
                    id: self.id,
                    from: self.from,
                    to: self.to,
                    unmask: self.unmask,
                };
                desk.push(PrintScreen::new(what, self.name.clone()));
            }
            Action::PrintCard => {
                let what = PrintWhat::Card { id: self.id };
                desk.push(PrintScreen::new(what, self.name.clone()));
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let (from, to) = match &self.data {
            Some(d) => (d.period.from.to_string(), d.period.to.to_string()),
            None => (String::new(), String::new()),
        };
        let title = app.locale.tf(
            "paper.title",
            &[("name", &self.name), ("from", &from), ("to", &to)],
        );
        let inner = framed(frame, area, app, title);
        if let Some(form) = &self.period {
            let labels = [app.t("paper.from"), app.t("paper.to")];
            return form_with_intro(
                frame,
                inner,
                app,
                app.t("paper.period_intro"),
                form,
                &labels,
            );
        }
        let mut head: Vec<Line<'static>> = Vec::new();
        if let Some(e) = &self.error {
            head.push(Line::styled(e.clone(), app.theme.error()));
        }
        if self.unmask {
            head.push(Line::styled(app.t("paper.unmasked"), app.theme.notice()));
        }
        head.push(Line::styled(app.t("paper.keys"), app.theme.label()));
        let [top, body] =
            Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)])
                .areas(inner);
        frame.render_widget(Paragraph::new(head), top);
        let Some(data) = &self.data else {
            frame.render_widget(Paragraph::new(app.t("common.working")), body);
            return;
        };
        let document = health_report::build(data, app.locale.lang);
        let lines = text::lines(&document, body.width.saturating_sub(1).max(20) as usize);
        let height = body.height as usize;
        let start = self.scroll.min(lines.len().saturating_sub(height));
        let visible: Vec<Line<'static>> = lines
            .into_iter()
            .skip(start)
            .take(height)
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(visible), body);
    }
}
