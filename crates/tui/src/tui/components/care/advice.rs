//! The advice screen (`a` on a patient): the draft from the library, Space ticks a
//! piece in or out, e edits its text, Enter approves the ticked ones; below, what was
//! given before.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::clinic::{Request, ServiceError};
use crate::domain::advice::{Approved, Item};
use crate::domain::patient::PatientId;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

/// Advice for the patient: the draft from the library (each piece ticked to give,
/// editable), approved as a whole; and what was given before.
#[derive(Debug)]
pub struct AdviceScreen {
    pub id: PatientId,
    pub name: String,
    /// The drafted pieces and whether each is to be given; `None` while loading.
    pub draft: Option<Vec<(Item, bool)>>,
    pub given: Vec<Approved>,
    pub cursor: Cursor,
    /// Editing the selected piece's text.
    pub editing: Option<Field>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl AdviceScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            draft: None,
            given: Vec::new(),
            cursor: Cursor::default(),
            editing: None,
            notice: None,
            error: None,
        }
    }

    fn list_given(&self, desk: &mut Desk<'_>) {
        desk.ask::<_, Vec<Approved>>(
            Request::AdviceList { id: self.id },
            |this: &mut Self, desk, reply| match reply {
                Ok(given) => this.given = given,
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        self.error = Some(desk.error_text(error));
    }

    /// Keys while a piece's text is edited: Enter keeps it, Esc drops it.
    fn on_edit_action(&mut self, action: Action) {
        let Some(field) = &self.editing else {
            return;
        };
        match action {
            Action::Submit => {
                let text = field.value.trim().to_string();
                let at = self.cursor.selected;
                if let Some((item, _)) = self.draft.as_mut().and_then(|d| d.get_mut(at))
                    && !text.is_empty()
                {
                    item.text = text;
                }
                self.editing = None;
            }
            Action::Back => self.editing = None,
            _ => {}
        }
    }

    fn approve(&mut self, desk: &mut Desk<'_>) {
        let items: Vec<Item> = self
            .draft
            .iter()
            .flatten()
            .filter(|(_, on)| *on)
            .map(|(item, _)| item.clone())
            .collect();
        self.error = None;
        desk.ask::<_, ()>(
            Request::AdviceApprove { id: self.id, items },
            |this: &mut Self, desk, reply| match reply {
                Ok(()) => {
                    this.notice = Some(desk.t("advice.approved"));
                    this.list_given(desk);
                }
                Err(e) => this.failed(desk, &e),
            },
        );
    }
}

const HINTS: &[Action] = &[Action::Toggle, Action::Open, Action::Back];

impl Component for AdviceScreen {
    fn context(&self) -> Context {
        if self.editing.is_some() {
            Context::Form
        } else {
            Context::Advice
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        self.editing.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.editing.as_mut()
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.editing.is_some() {
            return None;
        }
        let len = self.draft.as_ref().map(Vec::len).unwrap_or(0);
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        let lang = desk.locale.lang;
        desk.ask::<_, Vec<Item>>(
            Request::AdviceDraft { id: self.id, lang },
            |this: &mut Self, desk, reply| match reply {
                Ok(items) => this.draft = Some(items.into_iter().map(|i| (i, true)).collect()),
                Err(e) => this.failed(desk, &e),
            },
        );
        self.list_given(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editing.is_some() {
            self.on_edit_action(action);
            return Handled::Consumed;
        }
        let at = self.cursor.selected;
        match action {
            Action::Toggle => {
                if let Some((_, on)) = self.draft.as_mut().and_then(|d| d.get_mut(at)) {
                    *on = !*on;
                }
            }
            Action::Edit => {
                if let Some((item, _)) = self.draft.as_ref().and_then(|d| d.get(at)) {
                    self.editing = Some(Field::with(&item.text));
                }
            }
            Action::Open => self.approve(desk),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            app.locale.tf("advice.title", &[("name", &self.name)]),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines: Vec<Line<'static>> = Vec::new();
        // The text being edited sits on the first line, so the cursor's place is exact
        // whatever wraps below it.
        if let Some(field) = &self.editing {
            let label = format!("✎ {} ", app.t("advice.editing"));
            let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
            lines.push(Line::from(vec![
                Span::styled(label, app.theme.focus()),
                field.span(),
            ]));
            frame.set_cursor_position((inner.x + width + field.cursor_columns(), inner.y));
        }
        match &self.draft {
            None => lines.push(Line::from(app.t("common.working"))),
            Some(draft) if draft.is_empty() => {
                lines.push(Line::styled(app.t("advice.none"), app.theme.label()))
            }
            Some(draft) => {
                lines.push(Line::styled(app.t("advice.draft"), app.theme.title()));
                for (i, (item, on)) in draft.iter().enumerate() {
                    let tick = if *on { "[x]" } else { "[ ]" };
                    let topic = app.t(&format!("advice.topic.{:?}", item.topic).to_lowercase());
                    let selected = i == self.cursor.selected;
                    let text = item.text.clone();
                    let line = format!(
                        "{} {tick} {topic}: {text}",
                        if selected { "▸" } else { " " }
                    );
                    lines.push(if selected {
                        Line::styled(line, app.theme.selected())
                    } else {
                        Line::from(line)
                    });
                }
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("advice.keys"), app.theme.label()));
        if let Some(n) = &self.notice {
            lines.push(Line::styled(n.clone(), app.theme.notice()));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), app.theme.error()));
        }
        if !self.given.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("advice.given"), app.theme.title()));
            for approved in self.given.iter().take(3) {
                lines.push(Line::styled(
                    format!(
                        "{} · {}",
                        crate::domain::time::format_time(approved.at),
                        approved.by
                    ),
                    app.theme.label(),
                ));
                for item in &approved.items {
                    lines.push(Line::from(format!("  • {}", item.text)));
                }
            }
        }
        frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
    }
}
