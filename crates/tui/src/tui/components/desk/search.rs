//! Patient search: a name, pinyin, initials, card, ID or phone number, or a phone's
//! last four digits, answered as it is typed. One question is out at a time: what is
//! typed meanwhile is asked when the answer comes, and an answer to an older text is
//! dropped, so a fast typist waits for one round trip, never for a queue of them.
//! Enter opens the selected patient (at once, or as soon as the answer to what is
//! typed arrives); Esc and Ctrl-U empty the box. Only the rows that fit are drawn,
//! so a hundred thousand results scroll as fast as ten.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::patient::PatientScreen;
use crate::clinic::api::SearchResults;
use crate::clinic::desk::name_index::PatientRow;
use crate::clinic::{Request, ServiceError};
use crate::tui::action::Action;
use crate::tui::app::{App, SEARCH_LIMIT};
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;
use crate::tui::view::{masked_phone, sex_text, windowed_table};

#[derive(Debug, Default)]
pub struct Search {
    pub query: Field,
    pub rows: Vec<PatientRow>,
    pub total: u64,
    /// The server is still indexing names: (indexed, in all).
    pub indexing: Option<(u64, u64)>,
    pub cursor: Cursor,
    /// The query the rows answer.
    pub answered: Option<String>,
    /// A question is out (for `asked`); what is typed meanwhile waits for its answer.
    pub busy: bool,
    pub asked: Option<String>,
    /// Enter was pressed before the answer to what is typed came: open on arrival.
    pub open_on_answer: bool,
    /// Tab moved from the box to the list: letters are keys again (vim's j and k).
    pub browsing: bool,
    pub error: Option<String>,
}

impl Search {
    fn current(&self) -> String {
        self.query.value.trim().to_string()
    }

    /// Asks for what is typed, unless a question is out (its answer asks again) or the
    /// rows already answer it.
    fn ask(&mut self, desk: &mut Desk<'_>) {
        let query = self.current();
        if self.busy || self.answered.as_deref() == Some(query.as_str()) {
            return;
        }
        if query.is_empty() {
            self.rows.clear();
            self.total = 0;
            self.indexing = None;
            self.answered = None;
            self.error = None;
            self.open_on_answer = false;
            return;
        }
        self.busy = true;
        self.asked = Some(query.clone());
        let request = Request::PatientSearch {
            query: query.clone(),
            limit: SEARCH_LIMIT,
        };
        desk.ask::<_, SearchResults>(request, move |this: &mut Self, desk, reply| {
            this.on_reply(desk, query, reply)
        });
    }

    fn on_reply(
        &mut self,
        desk: &mut Desk<'_>,
        query: String,
        reply: Result<SearchResults, ServiceError>,
    ) {
        self.busy = false;
        self.asked = None;
        if query != self.current() {
            // Typed on meanwhile: this answer is to an older text.
            self.ask(desk);
            return;
        }
        match reply {
            Ok(SearchResults {
                rows,
                total,
                indexing,
            }) => {
                self.rows = rows;
                self.total = total;
                self.indexing = indexing;
                self.answered = Some(query);
                self.cursor = Default::default();
                self.error = None;
                if std::mem::take(&mut self.open_on_answer) {
                    self.open_selected(desk);
                }
            }
            Err(e) => {
                self.rows.clear();
                self.total = 0;
                self.indexing = None;
                self.answered = Some(query);
                self.open_on_answer = false;
                self.error = Some(desk.error_text(&e));
            }
        }
    }

    fn open_selected(&mut self, desk: &mut Desk<'_>) {
        if let Some(row) = self.rows.get(self.cursor.selected) {
            desk.push(PatientScreen::new(row.id));
        }
    }

    /// Empties the box and the list (Esc, Ctrl-U, F3 again).
    pub fn clear(&mut self) {
        self.query.clear();
        self.rows.clear();
        self.total = 0;
        self.indexing = None;
        self.answered = None;
        self.error = None;
        self.open_on_answer = false;
        self.cursor = Default::default();
    }
}

impl Component for Search {
    fn context(&self) -> Context {
        Context::Search
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        (!self.browsing).then_some(&mut self.query)
    }

    fn help(&self) -> Option<String> {
        Some("help.search.0".to_string())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        Some((&mut self.cursor, self.rows.len()))
    }

    fn on_edit(&mut self, desk: &mut Desk<'_>) {
        if self.current().is_empty() {
            self.clear();
        }
        self.ask(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        match action {
            Action::Open => {
                let query = self.current();
                if self.answered.as_deref() == Some(query.as_str()) {
                    self.open_selected(desk);
                } else if !query.is_empty() {
                    self.open_on_answer = true;
                    self.ask(desk);
                }
                Handled::Consumed
            }
            // Tab: from the box to the list of answers and back.
            Action::NextField | Action::PrevField => {
                self.browsing = !self.browsing && !self.rows.is_empty();
                Handled::Consumed
            }
            // From the list, Esc and / (vim) go back to the box as it was.
            Action::Back | Action::Search if self.browsing => {
                self.browsing = false;
                Handled::Consumed
            }
            // Esc empties a box with text in it; an empty one leaves.
            Action::Back if !self.query.value.is_empty() => {
                self.clear();
                Handled::Consumed
            }
            // F3 on the search screen: a new search.
            Action::Search => {
                self.clear();
                Handled::Consumed
            }
            _ => Handled::Ignored,
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let search = self;
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", app.t("search.title")),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // What the box says under it, wrapped within the box (never cut).
        let (status_text, status_style) = if search.busy {
            (app.t("common.working"), app.theme.label())
        } else if let Some(error) = &search.error {
            (error.clone(), app.theme.error())
        } else if let (Some(_), Some((done, all))) = (&search.answered, search.indexing) {
            // Still indexing after the server started: what is found so far.
            let percent = (done * 100).checked_div(all).unwrap_or(100).min(99);
            (
                app.locale.tf(
                    "search.count_indexing",
                    &[
                        ("count", &search.total.to_string()),
                        ("percent", &percent.to_string()),
                    ],
                ),
                app.theme.notice(),
            )
        } else if search.answered.is_some() && search.total == 0 && digits_only(&search.current()) {
            // A number that is not whole finds nothing: say what does.
            (app.t("search.partial_number"), app.theme.label())
        } else if search.answered.is_some() && search.total == 0 {
            (app.t("search.none"), app.theme.label())
        } else if search.answered.is_some() && search.browsing {
            (
                app.locale.tf(
                    "search.count_browsing",
                    &[("count", &search.total.to_string())],
                ),
                app.theme.notice(),
            )
        } else if search.answered.is_some() {
            (
                app.locale
                    .tf("search.count", &[("count", &search.total.to_string())]),
                app.theme.notice(),
            )
        } else {
            (app.t("search.hint"), app.theme.label())
        };
        let status_lines: Vec<Line> =
            crate::tui::view::wrap_columns(&status_text, inner.width as usize)
                .into_iter()
                // A long message gets the lines it needs, up to a third of the screen.
                .take((inner.height as usize / 3).max(3))
                .map(|line| Line::styled(line, status_style))
                .collect();
        let [input, status, results] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(status_lines.len().max(1) as u16),
            Constraint::Min(1),
        ])
        .areas(inner);
        let label = format!("{} ", app.t("search.label"));
        let label_width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        // A long text scrolls sideways to keep the cursor in view.
        let room = inner.width.saturating_sub(label_width + 1) as usize;
        let (shown, column) = search.query.window(room);
        let shown_span = search.query.styled(shown);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, app.theme.focus()),
                shown_span,
            ])),
            input,
        );
        if !search.browsing {
            frame.set_cursor_position((input.x + label_width + column, input.y));
        }
        frame.render_widget(Paragraph::new(status_lines), status);
        let headers = vec![
            app.t("search.name"),
            app.t("search.card"),
            app.t("search.sex"),
            app.t("search.age"),
            app.t("search.birth"),
            app.t("search.phone"),
        ];
        // Namesakes told apart by card, sex, age and phone; the name takes the rest.
        let widths = [
            Constraint::Min(12),
            Constraint::Length(12),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(10),
            Constraint::Length(11),
        ];
        let cells = |i: usize| patient_cells(app, &search.rows[i]);
        windowed_table(
            frame,
            results,
            app,
            (headers, &widths),
            search.cursor,
            (search.rows.len(), &cells),
        );
    }
}

fn patient_cells(app: &App, row: &PatientRow) -> Vec<String> {
    let restricted = if row.restricted {
        format!(" [{}]", app.t("patient.restricted_short"))
    } else {
        String::new()
    };
    let tags: Vec<String> = row
        .tags
        .iter()
        .chain(&row.auto_tags)
        .map(|tag| app.locale.tag(tag))
        .collect();
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", tags.join(", "))
    };
    let today = crate::domain::time::clinic_zone().today(app.now);
    vec![
        format!("{}{restricted}{tags}", row.name),
        row.card.as_deref().map(masked_card).unwrap_or_default(),
        sex_text(app, row.sex),
        row.birth_date
            .and_then(|birth| today.years_since(birth))
            .map(|age| age.to_string())
            .unwrap_or_default(),
        row.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        row.phone.as_deref().map(masked_phone).unwrap_or_default(),
    ]
}

/// `8860****5016`: the card's issuer and last four, as a member reads them out.
fn masked_card(card: &str) -> String {
    let chars: Vec<char> = card.chars().collect();
    if chars.len() < 9 {
        return card.to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn digits_only(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
}
