//! The intake interview (`i` on a patient): one question a page. A text answer is
//! typed and Enter moves on (Shift-Tab goes back); a choice is ↑↓ and Enter; a
//! checklist is ↑↓ and Space to tick, Enter to move on. The summary of every answer
//! saves it into the record.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::clinic::{Request, ServiceError};
use crate::domain::health::HealthRecord;
use crate::domain::intake::{Answer, Intake, Kind, Question};
use crate::domain::patient::PatientId;
use crate::i18n::Lang;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

/// The intake interview, one question a page, then a summary to save.
#[derive(Debug)]
pub struct IntakeScreen {
    pub id: PatientId,
    pub name: String,
    /// `None` while loading.
    pub intake: Option<Intake>,
    /// The question shown; equal to the number of questions on the summary page.
    pub question: usize,
    pub answers: Vec<Answer>,
    /// The text answer being typed.
    pub field: Field,
    pub cursor: Cursor,
    pub saved: bool,
    pub busy: bool,
    pub error: Option<String>,
}

impl IntakeScreen {
    pub fn current(&self) -> Option<&Question> {
        self.intake.as_ref()?.questions.get(self.question)
    }

    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            intake: None,
            question: 0,
            answers: Vec::new(),
            field: Field::default(),
            cursor: Cursor::default(),
            saved: false,
            busy: false,
            error: None,
        }
    }

    /// A text question is shown: typed keys go to its field.
    fn typing(&self) -> bool {
        self.current().is_some_and(|q| q.kind == Kind::Text)
    }

    /// The interview to take, or the record it was saved into.
    fn on_intake(&mut self, desk: &mut Desk<'_>, reply: Result<Box<Intake>, ServiceError>) {
        self.busy = false;
        match reply {
            Ok(intake) => {
                self.answers = intake
                    .questions
                    .iter()
                    .map(|q| match q.kind {
                        Kind::Text => Answer::Text(String::new()),
                        Kind::Choice => Answer::Choice(None),
                        Kind::Checklist => Answer::Checklist(Vec::new()),
                    })
                    .collect();
                self.intake = Some(*intake);
            }
            Err(e) => self.error = Some(desk.error_text(&e)),
        }
    }

    /// The answers filed into the record (the record as it now is is not shown here).
    fn on_submitted(&mut self, desk: &mut Desk<'_>, reply: Result<HealthRecord, ServiceError>) {
        self.busy = false;
        match reply {
            Ok(_) => {
                self.saved = true;
                self.error = Some(desk.t("intake.saved"));
            }
            Err(e) => self.error = Some(desk.error_text(&e)),
        }
    }

    /// Shows question `to`, with its answer so far.
    fn goto(&mut self, to: usize) {
        self.question = to;
        self.cursor = Cursor::default();
        match self.answers.get(to) {
            Some(Answer::Text(t)) => self.field = Field::with(t),
            Some(Answer::Choice(Some(c))) => self.cursor.selected = *c,
            _ => {}
        }
    }
}

const HINTS: &[Action] = &[Action::Open, Action::Earlier, Action::Back];

impl Component for IntakeScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Form
        } else {
            Context::Intake
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        (!self.typing()).then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        if self.typing() {
            Some(&mut self.field)
        } else {
            None
        }
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        let len = self.current()?.options.len();
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, Box<Intake>>(Request::IntakeGet, Self::on_intake);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let Some(count) = self.intake.as_ref().map(|i| i.questions.len()) else {
            return Handled::Ignored;
        };
        let at = self.question;
        match action {
            Action::Back => return Handled::Ignored,
            _ if self.saved || self.busy => {}
            Action::Toggle => {
                let i = self.cursor.selected;
                if let Some(Answer::Checklist(list)) = self.answers.get_mut(at) {
                    match list.iter().position(|c| *c == i) {
                        Some(p) => {
                            list.remove(p);
                        }
                        None => {
                            list.push(i);
                            list.sort_unstable();
                        }
                    }
                }
            }
            Action::Submit | Action::Open | Action::NextField if at < count => {
                let selected = self.cursor.selected;
                match self.answers.get_mut(at) {
                    Some(Answer::Text(t)) => *t = self.field.value.trim().to_string(),
                    Some(Answer::Choice(c)) => *c = Some(selected),
                    _ => {}
                }
                self.goto(at + 1);
            }
            Action::Submit | Action::Open => {
                let (id, answers) = (self.id, self.answers.clone());
                self.busy = true;
                self.error = None;
                desk.ask::<_, HealthRecord>(
                    Request::IntakeSubmit { id, answers },
                    Self::on_submitted,
                );
            }
            Action::PrevField | Action::Earlier if at > 0 => {
                if let Some(Answer::Text(t)) = self.answers.get_mut(at) {
                    *t = self.field.value.trim().to_string();
                }
                self.goto(at - 1);
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let chinese = app.locale.lang == Lang::ZhCn;
        let title = match &self.intake {
            Some(i) => format!(
                " {} · {} ",
                i.name.get(crate::i18n::Lang::from_chinese(chinese)),
                self.name
            ),
            None => format!(" {} ", self.name),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title, app.theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(intake) = &self.intake else {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        };
        let text = |en: &str, zh: &str| {
            if chinese {
                zh.to_string()
            } else {
                en.to_string()
            }
        };
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut cursor = None;
        match self.current() {
            Some(q) => {
                lines.push(Line::styled(
                    app.locale.tf(
                        "questionnaire.item",
                        &[
                            ("n", &(self.question + 1).to_string()),
                            ("of", &intake.questions.len().to_string()),
                        ],
                    ),
                    app.theme.label(),
                ));
                lines.push(Line::styled(text(&q.en, &q.zh), app.theme.title()));
                lines.push(Line::from(""));
                match (q.kind, self.answers.get(self.question)) {
                    (Kind::Text, _) => {
                        cursor = Some(lines.len());
                        lines.push(Line::from(vec![
                            Span::styled("▸ ", app.theme.focus()),
                            self.field.span(),
                        ]));
                        lines.push(Line::from(""));
                        lines.push(Line::styled(app.t("intake.text_keys"), app.theme.label()));
                    }
                    (_, answer) => {
                        for (i, option) in q.options.iter().enumerate() {
                            let ticked = match answer {
                                Some(Answer::Checklist(list)) if list.contains(&i) => "[x] ",
                                Some(Answer::Checklist(_)) => "[ ] ",
                                _ => "",
                            };
                            let label = format!("{ticked}{}", text(&option.en, &option.zh));
                            lines.push(if i == self.cursor.selected {
                                Line::styled(format!("▸ {label}"), app.theme.selected())
                            } else {
                                Line::from(format!("  {label}"))
                            });
                        }
                        lines.push(Line::from(""));
                        let keys = if q.kind == Kind::Checklist {
                            "intake.checklist_keys"
                        } else {
                            "intake.choice_keys"
                        };
                        lines.push(Line::styled(app.t(keys), app.theme.label()));
                    }
                }
            }
            None => {
                for (q, answer) in intake.questions.iter().zip(&self.answers) {
                    let shown = match answer {
                        Answer::Text(t) if t.is_empty() => "—".to_string(),
                        Answer::Text(t) => t.clone(),
                        Answer::Choice(Some(c)) => text(&q.options[*c].en, &q.options[*c].zh),
                        Answer::Choice(None) => "—".to_string(),
                        Answer::Checklist(list) if list.is_empty() => "—".to_string(),
                        Answer::Checklist(list) => list
                            .iter()
                            .map(|c| text(&q.options[*c].en, &q.options[*c].zh))
                            .collect::<Vec<_>>()
                            .join(", "),
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{}: ", text(&q.en, &q.zh)), app.theme.label()),
                        Span::raw(shown),
                    ]));
                }
                lines.push(Line::from(""));
                let hint = if self.saved {
                    "intake.done_keys"
                } else {
                    "intake.save_keys"
                };
                lines.push(Line::styled(app.t(hint), app.theme.notice()));
            }
        }
        if let Some(message) = &self.error {
            let style = if self.saved {
                app.theme.notice()
            } else {
                app.theme.error()
            };
            lines.push(Line::styled(message.clone(), style));
        }
        frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
        if let Some(row) = cursor {
            frame.set_cursor_position((
                inner.x + 2 + self.field.cursor_columns(),
                inner.y + row as u16,
            ));
        }
    }
}
