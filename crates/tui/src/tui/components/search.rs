//! Patient search: a name, pinyin, initials, card, ID or phone number; Enter asks,
//! Enter again on the same query opens the selected patient. Only the rows that fit
//! are drawn, so a hundred thousand results scroll as fast as ten.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::patient::PatientScreen;
use crate::clinic::api::SearchResults;
use crate::clinic::name_index::PatientRow;
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
    pub cursor: Cursor,
    /// The query the rows answer (Enter on an unchanged query opens the selection).
    pub answered: Option<String>,
    pub busy: bool,
    pub error: Option<String>,
}

impl Search {
    fn on_reply(
        &mut self,
        desk: &mut Desk<'_>,
        query: String,
        reply: Result<SearchResults, ServiceError>,
    ) {
        self.busy = false;
        match reply {
            Ok(SearchResults { rows, total }) => {
                self.rows = rows;
                self.total = total;
                self.answered = Some(query);
                self.cursor = Default::default();
                self.error = None;
            }
            Err(e) => self.error = Some(desk.error_text(&e)),
        }
    }
}

impl Component for Search {
    fn context(&self) -> Context {
        Context::Search
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.query)
    }

    fn help(&self) -> Option<String> {
        Some("help.search.0".to_string())
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        Some((&mut self.cursor, self.rows.len()))
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if action != Action::Open {
            return Handled::Ignored;
        }
        let query = self.query.value.trim().to_string();
        if self.answered.as_deref() == Some(query.as_str()) && !self.rows.is_empty() {
            if let Some(row) = self.rows.get(self.cursor.selected) {
                desk.push(PatientScreen::new(row.id));
            }
        } else if !query.is_empty() {
            self.busy = true;
            self.error = None;
            let request = Request::PatientSearch {
                query: query.clone(),
                limit: SEARCH_LIMIT,
            };
            desk.ask::<_, SearchResults>(request, move |this: &mut Self, desk, reply| {
                this.on_reply(desk, query, reply)
            });
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let search = self;
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", app.t("search.title")),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [input, status, results] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        let label = format!("{} ", app.t("search.label"));
        let label_width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, app.theme.focus()),
                Span::raw(search.query.shown()),
            ])),
            input,
        );
        frame.set_cursor_position((
            input.x + label_width + search.query.cursor_columns(),
            input.y,
        ));
        let status_text = if search.busy {
            Line::styled(app.t("common.working"), app.theme.label())
        } else if let Some(error) = &search.error {
            Line::styled(error.clone(), app.theme.error())
        } else if search.answered.is_some() {
            Line::styled(
                app.locale
                    .tf("search.count", &[("count", &search.total.to_string())]),
                app.theme.notice(),
            )
        } else {
            Line::styled(app.t("search.hint"), app.theme.label())
        };
        frame.render_widget(Paragraph::new(status_text), status);
        let headers = vec![
            app.t("search.name"),
            app.t("search.sex"),
            app.t("search.birth"),
            app.t("search.phone"),
        ];
        let widths = [
            Constraint::Min(16),
            Constraint::Length(6),
            Constraint::Length(11),
            Constraint::Length(12),
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
    let tags: Vec<&str> = row
        .tags
        .iter()
        .chain(&row.auto_tags)
        .map(String::as_str)
        .collect();
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", tags.join(", "))
    };
    vec![
        format!("{}{restricted}{tags}", row.name),
        sex_text(app, row.sex),
        row.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        row.phone.as_deref().map(masked_phone).unwrap_or_default(),
    ]
}
