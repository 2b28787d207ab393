//! Filling a questionnaire (`q` on a patient): choose it, answer each item (↑↓ and
//! Enter, or the option's number), ← goes back an item, the summary shows the total
//! and band before saving. An urgent answer is said on screen at once. Drawn as the
//! list to choose from, one item at a time with its numbered options, the summary with
//! the total and band, the saved result.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::clinic::api::Questionnaires;
use crate::clinic::{Request, ServiceError};
use crate::domain::patient::PatientId;
use crate::domain::questionnaire::{Definition, Scored};
use crate::i18n::Lang;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

/// Filling a questionnaire with the patient: choose one, answer item by item, check
/// the summary, save.
#[derive(Debug)]
pub struct QuestionnaireScreen {
    pub id: PatientId,
    pub name: String,
    /// `None` while loading.
    pub definitions: Option<Vec<Definition>>,
    /// The clinic's own definitions that could not be used: (file, reason).
    pub problems: Vec<(String, String)>,
    /// The questionnaire being filled; `None` while choosing.
    pub chosen: Option<usize>,
    /// The list's or the item's options' selection.
    pub cursor: Cursor,
    /// The item shown; equal to the number of items on the summary page.
    pub item: usize,
    pub answers: Vec<Option<usize>>,
    /// What the service scored once saved.
    pub scored: Option<Scored>,
    pub busy: bool,
    pub error: Option<String>,
}

impl QuestionnaireScreen {
    pub fn definition(&self) -> Option<&Definition> {
        self.definitions.as_ref()?.get(self.chosen?)
    }

    /// How many rows the cursor moves over: questionnaires, or the item's options.
    pub fn list_len(&self) -> usize {
        match self.definition() {
            None => self.definitions.as_ref().map(Vec::len).unwrap_or(0),
            Some(d) => d
                .items
                .get(self.item)
                .map(|item| d.choices(item).len())
                .unwrap_or(0),
        }
    }

    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            definitions: None,
            problems: Vec::new(),
            chosen: None,
            cursor: Cursor::default(),
            item: 0,
            answers: Vec::new(),
            scored: None,
            busy: false,
            error: None,
        }
    }

    /// The list of questionnaires, or the score of the answers saved.
    fn on_list(&mut self, desk: &mut Desk<'_>, reply: Result<Questionnaires, ServiceError>) {
        self.busy = false;
        match reply {
            Ok(Questionnaires {
                definitions,
                problems,
            }) => {
                self.definitions = Some(definitions);
                self.problems = problems;
            }
            Err(e) => self.failed(desk, &e),
        }
    }

    fn on_scored(&mut self, desk: &mut Desk<'_>, reply: Result<Scored, ServiceError>) {
        self.busy = false;
        match reply {
            Ok(scored) => self.scored = Some(scored),
            Err(e) => self.failed(desk, &e),
        }
    }

    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        self.error = Some(desk.error_text(error));
        if self.definitions.is_none() {
            self.definitions = Some(Vec::new());
        }
    }

    fn submit(&mut self, desk: &mut Desk<'_>) {
        let Some(definition) = self.definition() else {
            return;
        };
        let key = definition.key.clone();
        let answers: Option<Vec<usize>> = self.answers.iter().copied().collect();
        let Some(answers) = answers else {
            return;
        };
        self.busy = true;
        self.error = None;
        desk.ask::<_, Scored>(
            Request::QuestionnaireSubmit {
                id: self.id,
                key,
                answers,
            },
            Self::on_scored,
        );
    }
}

impl Component for QuestionnaireScreen {
    fn context(&self) -> Context {
        Context::Questionnaire
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.scored.is_some() {
            return None;
        }
        let len = self.list_len();
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, Questionnaires>(Request::QuestionnaireList, Self::on_list);
    }

    /// A digit typed on an item page chooses that option (1 is the first).
    fn on_char(&mut self, desk: &mut Desk<'_>, c: char) -> bool {
        let Some(digit) = c.to_digit(10) else {
            return false;
        };
        if self.chosen.is_none() || self.scored.is_some() {
            return false;
        }
        let len = self.list_len();
        let Some(index) = (digit as usize).checked_sub(1).filter(|i| *i < len) else {
            return true;
        };
        self.cursor.selected = index;
        self.on_action(desk, Action::Open);
        true
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        // While saving, every key waits (Esc too: the answers are on their way).
        if self.busy {
            return Handled::Consumed;
        }
        let items = self.definition().map(|d| d.items.len());
        match (action, items) {
            (Action::Back, _) if self.chosen.is_some() && self.scored.is_none() => {
                // Leave the questionnaire unsaved, back to the list.
                self.chosen = None;
                self.cursor = Cursor::default();
            }
            (Action::Back, _) => desk.back(),
            (Action::Open, None) => {
                let count = self.definitions.as_ref().map(Vec::len).unwrap_or(0);
                if self.cursor.selected < count {
                    self.chosen = Some(self.cursor.selected);
                    let n = self.definition().map(|d| d.items.len()).unwrap_or(0);
                    self.answers = vec![None; n];
                    self.item = 0;
                    self.scored = None;
                    self.error = None;
                    self.cursor = Cursor::default();
                }
            }
            (Action::Open, Some(_)) if self.scored.is_some() => desk.back(),
            (Action::Open, Some(n)) if self.item < n => {
                self.answers[self.item] = Some(self.cursor.selected);
                self.item += 1;
                self.cursor.selected = self.answers.get(self.item).copied().flatten().unwrap_or(0);
            }
            (Action::Open, Some(_)) => self.submit(desk),
            (Action::Earlier, Some(_)) if self.item > 0 && self.scored.is_none() => {
                self.item -= 1;
                self.cursor.selected = self.answers[self.item].unwrap_or(0);
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let chinese = app.locale.lang == Lang::ZhCn;
        let title = match self.definition() {
            Some(d) => format!(
                " {} · {} ",
                d.name.get(crate::i18n::Lang::from_chinese(chinese)),
                self.name
            ),
            None => app
                .locale
                .tf("questionnaire.title", &[("name", &self.name)]),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title, app.theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines: Vec<Line<'static>> = Vec::new();
        let Some(definitions) = &self.definitions else {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        };
        let selected = |i: usize, text: String| {
            if i == self.cursor.selected {
                Line::styled(format!("▸ {text}"), app.theme.selected())
            } else {
                Line::from(format!("  {text}"))
            }
        };
        match self.definition() {
            None => {
                lines.push(Line::styled(
                    app.t("questionnaire.choose"),
                    app.theme.label(),
                ));
                lines.push(Line::from(""));
                for (i, d) in definitions.iter().enumerate() {
                    lines.push(selected(
                        i,
                        format!(
                            "{} ({})",
                            d.name.get(crate::i18n::Lang::from_chinese(chinese)),
                            d.items.len()
                        ),
                    ));
                }
                for (file, problem) in &self.problems {
                    lines.push(Line::styled(
                        app.locale.tf(
                            "questionnaire.problem",
                            &[("file", file), ("problem", problem)],
                        ),
                        app.theme.error(),
                    ));
                }
            }
            Some(d) if self.item < d.items.len() => {
                let item = &d.items[self.item];
                lines.push(Line::styled(
                    d.intro
                        .get(crate::i18n::Lang::from_chinese(chinese))
                        .to_string(),
                    app.theme.label(),
                ));
                lines.push(Line::from(""));
                lines.push(Line::styled(
                    app.locale.tf(
                        "questionnaire.item",
                        &[
                            ("n", &(self.item + 1).to_string()),
                            ("of", &d.items.len().to_string()),
                        ],
                    ),
                    app.theme.label(),
                ));
                lines.push(Line::styled(
                    if chinese {
                        item.zh.clone()
                    } else {
                        item.en.clone()
                    },
                    app.theme.title(),
                ));
                lines.push(Line::from(""));
                for (i, choice) in d.choices(item).iter().enumerate() {
                    let text = if chinese { &choice.zh } else { &choice.en };
                    lines.push(selected(
                        i,
                        format!("{}  {text}  ({})", i + 1, choice.score),
                    ));
                }
                lines.push(Line::from(""));
                lines.push(Line::styled(app.t("questionnaire.keys"), app.theme.label()));
            }
            Some(d) => {
                let answers: Vec<usize> = self.answers.iter().map(|a| a.unwrap_or(0)).collect();
                let scored = self.scored.clone().or_else(|| d.score(&answers).ok());
                for (i, item) in d.items.iter().enumerate() {
                    let choice = d.choices(item).get(answers[i]);
                    let text = if chinese { &item.zh } else { &item.en };
                    let answer = choice
                        .map(|c| format!("{} ({})", if chinese { &c.zh } else { &c.en }, c.score))
                        .unwrap_or_default();
                    lines.push(Line::from(vec![
                        Span::styled(format!("{:>2}. ", i + 1), app.theme.label()),
                        Span::raw(format!("{text} — ")),
                        Span::styled(answer, app.theme.title()),
                    ]));
                }
                lines.push(Line::from(""));
                if let Some(s) = &scored {
                    let band = d
                        .band(s.total)
                        .map(|b| if chinese { b.zh.clone() } else { b.en.clone() })
                        .unwrap_or_default();
                    lines.push(Line::styled(
                        app.locale.tf(
                            "questionnaire.total",
                            &[("total", &s.total.to_string()), ("band", &band)],
                        ),
                        app.theme.title(),
                    ));
                    if !s.urgent.is_empty() {
                        let key = if self.scored.is_some() {
                            "questionnaire.urgent"
                        } else {
                            "questionnaire.urgent_preview"
                        };
                        lines.push(Line::styled(app.t(key), app.theme.error()));
                    }
                }
                let hint = if self.scored.is_some() {
                    app.t("questionnaire.saved")
                } else if self.busy {
                    app.t("common.working")
                } else {
                    app.t("questionnaire.save_hint")
                };
                lines.push(Line::styled(hint, app.theme.notice()));
            }
        }
        if let Some(error) = &self.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        let [body] = Layout::vertical([Constraint::Min(1)]).areas(inner);
        frame.render_widget(crate::tui::view::wrapped(lines, body.width), body);
    }
}
