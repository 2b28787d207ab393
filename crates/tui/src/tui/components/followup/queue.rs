//! The call queue (Home → Follow-up queue, 随访队列): due today, overdue and upcoming,
//! sorted by priority then due date; g, f and t cycle the group, kind and team
//! filters, # types a tag; Enter claims the selected follow-up and opens the call
//! screen, and the queue reads itself again when the call is left. Only a page around
//! the selection is fetched, so 100 000 due follow-ups stay instant.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::call::CallScreen;
use crate::clinic::api::FollowUpScheduled;
use crate::clinic::followup::api::{
    FollowUpKey, NotCallable, QueueFilter, QueueGroup, QueueRow, QueueView,
};
use crate::clinic::{Request, ServiceError};
use crate::domain::followup::Kind;
use crate::tui::action::Action;
use crate::tui::app::{App, move_cursor};
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form};
use crate::tui::view;

/// Rows fetched at a time.
const PAGE: u32 = 200;

fn next<T: Copy + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => {
            let at = all.iter().position(|x| *x == c).unwrap_or(all.len());
            all.get(at + 1).copied()
        }
    }
}

/// Why a row may not be called, in the screen's language.
pub fn not_callable_text(locale: &crate::i18n::Locale, why: &NotCallable) -> String {
    locale.text(&why.text())
}

/// The call queue: a page of rows around the selection, the counts, the filter.
#[derive(Debug, Default)]
pub struct QueueScreen {
    pub filter: QueueFilter,
    /// The last page the service sent (its `offset` says where it starts).
    pub view: Option<QueueView>,
    pub cursor: Cursor,
    /// A page is on its way.
    pub loading: bool,
    /// Typing a tag to filter by (empty: every tag).
    pub tag_prompt: Option<Form>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl QueueScreen {
    pub fn total(&self) -> usize {
        self.view.as_ref().map(|v| v.total as usize).unwrap_or(0)
    }

    /// The row at absolute position `i`, if the page holds it.
    pub fn row(&self, i: usize) -> Option<&QueueRow> {
        let view = self.view.as_ref()?;
        i.checked_sub(view.offset as usize)
            .and_then(|at| view.rows.get(at))
    }

    fn request_page(&mut self, desk: &mut Desk<'_>, offset: u32) {
        self.loading = true;
        let filter = self.filter.clone();
        desk.ask::<_, Box<QueueView>>(
            Request::FollowUpQueue {
                filter,
                offset,
                limit: PAGE,
            },
            |this: &mut Self, desk, reply| match reply {
                Ok(view) => {
                    this.loading = false;
                    let total = view.total as usize;
                    this.view = Some(*view);
                    this.cursor.selected = this.cursor.selected.min(total.saturating_sub(1));
                }
                Err(e) => this.failed(desk, &e),
            },
        );
    }

    /// After the cursor moved: fetch the page around it if the rows are not here.
    fn follow_cursor(&mut self, desk: &mut Desk<'_>) {
        let selected = self.cursor.selected;
        if self.loading || self.total() == 0 || self.row(selected).is_some() {
            return;
        }
        let offset = selected.saturating_sub(PAGE as usize / 4) as u32;
        self.request_page(desk, offset);
    }

    /// The filter changed (or a refresh): read the queue again from the top.
    fn reload(&mut self, desk: &mut Desk<'_>) {
        self.cursor = Cursor::default();
        self.notice = None;
        self.request_page(desk, 0);
    }

    fn on_tag_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let Some(form) = &mut self.tag_prompt else {
            return;
        };
        match action {
            Action::Submit => {
                // A tag's name in the desk's language finds it too (吸烟 is smoker).
                let tag = desk.locale.tag_key(form.value(0));
                self.filter.tag = (!tag.is_empty()).then_some(tag);
                self.tag_prompt = None;
                self.reload(desk);
            }
            Action::Back => self.tag_prompt = None,
            _ => {}
        }
    }

    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        self.loading = false;
        self.error = Some(desk.error_text(error));
    }
}

const HINTS: &[Action] = &[Action::Open, Action::FilterGroup, Action::Back];

impl Component for QueueScreen {
    fn context(&self) -> Context {
        if self.tag_prompt.is_some() {
            Context::Form
        } else {
            Context::Queue
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        self.tag_prompt.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        self.tag_prompt.as_mut().map(|form| form.focused())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.tag_prompt.is_some() {
            return None;
        }
        let len = self.total();
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        // Today's follow-ups are made first (nothing is made twice).
        desk.ask::<_, FollowUpScheduled>(
            Request::FollowUpSchedule,
            |this: &mut Self, desk, reply| {
                if let Err(e) = reply {
                    this.failed(desk, &e);
                }
            },
        );
        self.request_page(desk, 0);
    }

    fn on_return(&mut self, desk: &mut Desk<'_>) {
        // Back from a call: the call changed the queue.
        self.reload(desk);
    }

    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.tag_prompt.is_some() {
            return Handled::Ignored;
        }
        let len = self.total();
        move_cursor(&mut self.cursor, action, len, desk.page);
        // Fetch the page the cursor moved into.
        self.follow_cursor(desk);
        Handled::Consumed
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.tag_prompt.is_some() {
            self.on_tag_action(desk, action);
            return Handled::Consumed;
        }
        match action {
            Action::FilterTag => {
                let mut form =
                    Form::new(vec![Field::with(self.filter.tag.as_deref().unwrap_or(""))]);
                form.focus = 0;
                self.tag_prompt = Some(form);
                return Handled::Consumed;
            }
            Action::Back => return Handled::Ignored,
            Action::Submit => {}
            Action::FilterGroup => {
                let groups = [QueueGroup::Overdue, QueueGroup::Today, QueueGroup::Upcoming];
                self.filter.group = next(&groups, self.filter.group);
            }
            Action::FilterKind => self.filter.kind = next(&Kind::ALL, self.filter.kind),
            Action::FilterTeam => {
                let teams = self
                    .view
                    .as_ref()
                    .map(|v| v.teams.clone())
                    .unwrap_or_default();
                self.filter.team = match &self.filter.team {
                    None => teams.first().cloned(),
                    Some(t) => {
                        let at = teams.iter().position(|x| x == t).unwrap_or(teams.len());
                        teams.get(at + 1).cloned()
                    }
                };
            }
            Action::Refresh => {}
            Action::Open => {
                let Some(row) = self.row(self.cursor.selected) else {
                    return Handled::Consumed;
                };
                if let Some(why) = &row.not_callable {
                    self.error = Some(not_callable_text(desk.locale, why));
                    return Handled::Consumed;
                }
                let key = FollowUpKey::of(&row.item);
                self.error = None;
                desk.push(CallScreen::new(key));
                return Handled::Consumed;
            }
            _ => return Handled::Consumed,
        }
        self.reload(desk);
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let screen = self;
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", app.t("queue.title")),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(view) = &screen.view else {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        };
        let all = app.t("queue.all");
        let group = match screen.filter.group {
            None => all.clone(),
            Some(QueueGroup::Overdue) => app.t("queue.overdue"),
            Some(QueueGroup::Today) => app.t("queue.today"),
            Some(QueueGroup::Upcoming) => app.t("queue.upcoming"),
        };
        let kind = screen
            .filter
            .kind
            .map(|k| view::kind_text(app, k))
            .unwrap_or_else(|| all.clone());
        let team = screen.filter.team.clone().unwrap_or_else(|| all.clone());
        let tag = screen
            .filter
            .tag
            .as_deref()
            .map(|t| app.locale.tag(t))
            .unwrap_or_else(|| all.clone());
        let mut head = vec![
            Line::from(app.locale.tf(
                "queue.counts",
                &[
                    ("overdue", &view.counts.overdue.to_string()),
                    ("today", &view.counts.today.to_string()),
                    ("upcoming", &view.counts.upcoming.to_string()),
                ],
            )),
            Line::styled(
                app.locale.tf(
                    "queue.filter",
                    &[
                        ("group", &group),
                        ("kind", &kind),
                        ("team", &team),
                        ("tag", &tag),
                    ],
                ),
                app.theme.label(),
            ),
        ];
        head.extend(view::followup_messages(app, &screen.error, &screen.notice));
        if screen.tag_prompt.is_some() {
            head.push(Line::styled(app.t("queue.tag_intro"), app.theme.label()));
        }
        // Wrapped within the box by the one line breaker: nothing of it is cut.
        let mut head = view::wrap_lines(head, inner.width);
        if let Some(form) = &screen.tag_prompt {
            let field = &form.fields[0];
            let label = format!("# {} ", app.t("action.filter_tag"));
            let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
            let (shown, column) = field.window(inner.width.saturating_sub(width + 1) as usize);
            head.push(Line::from(vec![
                Span::styled(label, app.theme.focus()),
                field.styled(shown),
            ]));
            let y = inner.y + head.len() as u16 - 1;
            frame.set_cursor_position((inner.x + width + column, y));
        }
        // The keys line wraps within the box: none of them is ever cut off.
        let key_lines: Vec<Line> = view::wrap_columns(&app.t("queue.keys"), inner.width as usize)
            .into_iter()
            .map(|line| Line::styled(line, app.theme.label()))
            .collect();
        let [top, table, keys] = Layout::vertical([
            Constraint::Length(head.len() as u16),
            Constraint::Min(1),
            Constraint::Length(key_lines.len() as u16),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), top);
        frame.render_widget(Paragraph::new(key_lines), keys);
        if view.total == 0 {
            frame.render_widget(
                Paragraph::new(Line::styled(app.t("queue.empty"), app.theme.label())),
                table,
            );
            return;
        }
        let headers = vec![
            app.t("queue.priority"),
            app.t("queue.due"),
            app.t("queue.patient"),
            app.t("queue.kind"),
            app.t("queue.team"),
            app.t("queue.state"),
        ];
        let widths = [
            Constraint::Length(3),
            Constraint::Length(11),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Fill(1),
        ];
        let today = crate::domain::time::clinic_zone().today(app.now);
        let cells = |i: usize| match screen.row(i) {
            Some(row) => {
                let item = &row.item;
                let due = if item.due < today {
                    format!("{}!", item.due.format("%m-%d"))
                } else {
                    item.due.format("%m-%d").to_string()
                };
                let state = match (&row.not_callable, &item.flag, item.tries) {
                    (Some(why), _, _) => {
                        format!("✗ {}", not_callable_text(&app.locale, why))
                    }
                    (None, Some(flag), _) => format!(
                        "⚑ {}",
                        crate::domain::followup_flag::flag_text(flag, app.locale.lang)
                    ),
                    (None, None, 0) => String::new(),
                    (None, None, n) => app.locale.tf("queue.tries", &[("n", &n.to_string())]),
                };
                let who = match row.age {
                    Some(age) => format!("{} {age}", row.name),
                    None => row.name.clone(),
                };
                vec![
                    format!("P{}", item.priority),
                    due,
                    who,
                    view::kind_text(app, item.kind),
                    item.assigned.clone(),
                    state,
                ]
            }
            None => vec!["…".into(); 6],
        };
        view::windowed_table(
            frame,
            table,
            app,
            (headers, &widths),
            screen.cursor,
            (screen.total(), &cells),
        );
    }
}
