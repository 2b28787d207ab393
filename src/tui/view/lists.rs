//! Home, patient search and the simple lists. Tables are windowed: only the rows that
//! fit are built, so a hundred thousand results scroll as fast as ten.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, Wrap,
};

use crate::clinic::name_index::PatientRow;
use crate::domain::patient::Sex;
use crate::tui::app::App;
use crate::tui::screens::{Cursor, Home, List, Search};

pub fn sex_text(app: &App, sex: Sex) -> String {
    app.t(match sex {
        Sex::Female => "sex.female",
        Sex::Male => "sex.male",
        Sex::Other => "sex.other",
        Sex::Unknown => "sex.unknown",
    })
}

/// `138****5678`: enough to confirm with the caller, not enough to read off a screen.
pub fn masked_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return phone.to_string();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Builds and draws only the rows inside the window around `cursor`.
pub(crate) fn windowed_table(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    columns: (Vec<String>, &[Constraint]),
    cursor: Cursor,
    (len, cells): (usize, &dyn Fn(usize) -> Vec<String>),
) {
    let (headers, widths) = columns;
    let height = area.height.saturating_sub(1) as usize;
    let mut cursor = cursor;
    cursor.scroll_into_view(height);
    let end = (cursor.offset + height).min(len);
    let visible: Vec<Row> = (cursor.offset..end)
        .map(|i| {
            let row = Row::new(cells(i));
            if i == cursor.selected {
                row.style(app.theme.selected())
            } else {
                row
            }
        })
        .collect();
    let table =
        Table::new(visible, widths.to_vec()).header(Row::new(headers).style(app.theme.label()));
    frame.render_widget(table, area);
    if len > height {
        let mut state = ScrollbarState::new(len).position(cursor.selected);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area,
            &mut state,
        );
    }
}

pub fn home(frame: &mut Frame<'_>, area: Rect, app: &App, home: &Home) {
    let Some(user) = &app.user else { return };
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " {} · {} ",
            app.t("home.title"),
            app.t(&format!("role.{}", user.role.as_str()))
        ),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [counts, menu] = Layout::vertical([Constraint::Length(5), Constraint::Min(1)]).areas(inner);
    let mut lines = Vec::new();
    if let Some(notice) = &app.notice {
        lines.push(Line::styled(notice.clone(), app.theme.notice()));
    }
    if let Some(summary) = &home.summary {
        if let Some(n) = summary.patients {
            lines.push(Line::from(
                app.locale.tf("home.patients", &[("count", &n.to_string())]),
            ));
        }
        if let Some(n) = summary.alerts_open.filter(|n| *n > 0) {
            lines.push(Line::styled(
                app.locale
                    .tf("home.alerts_open", &[("count", &n.to_string())]),
                app.theme.warning(),
            ));
        }
        if let Some(n) = summary.alerts_last_day {
            let style = if n > 0 {
                app.theme.warning()
            } else {
                app.theme.label()
            };
            lines.push(Line::styled(
                app.locale.tf("home.alerts", &[("count", &n.to_string())]),
                style,
            ));
        }
    } else {
        lines.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    frame.render_widget(Paragraph::new(lines), counts);
    let mut items = vec![Line::styled(app.t("home.menu"), app.theme.title())];
    for (i, item) in home.menu.iter().enumerate() {
        let text = format!("  {}", app.t(item.label_key()));
        items.push(if i == home.cursor.selected {
            Line::styled(text, app.theme.selected())
        } else {
            Line::from(text)
        });
    }
    if home.menu.is_empty() {
        items.push(Line::styled(app.t("home.nothing"), app.theme.label()));
    }
    frame.render_widget(Paragraph::new(items), menu);
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

pub fn search(frame: &mut Frame<'_>, area: Rect, app: &App, search: &Search) {
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

pub fn list(frame: &mut Frame<'_>, area: Rect, app: &App, list: &List) {
    let title = match list.date {
        Some(date) => app.locale.tf(
            "exam.day_title",
            &[
                ("date", &date.to_string()),
                ("weekday", &app.t(&format!("weekday.{}", date.format("%a")))),
            ],
        ),
        None => app.t(crate::tui::lists::title_key(list.kind)),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), app.theme.title()));
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    let review = matches!(
        list.kind,
        crate::tui::screens::ListKind::Review | crate::tui::screens::ListKind::Alerts
    );
    if list.prompt.is_some() || list.message.is_some() || review {
        // The selected message's unread results each get a line (a heading and the
        // keys around them), up to half the list: the clerk reads them to the lab.
        let unread = list
            .review_unread
            .get(list.cursor.selected)
            .map_or(0, Vec::len) as u16;
        let height = if unread > 0 && list.prompt.is_none() && list.message.is_none() {
            (unread + 2).min(inner.height / 2).max(1)
        } else {
            1
        };
        let [rest, bottom] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(inner);
        inner = rest;
        bottom_line(frame, bottom, app, list);
    }
    if list.loading {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    }
    if list.rows.is_empty() {
        frame.render_widget(Paragraph::new(app.t("list.empty")), inner);
        return;
    }
    let widths: Vec<Constraint> = match list.kind {
        // The detail says what happened: it gets the room.
        crate::tui::screens::ListKind::Alerts if list.headers.len() == 5 => vec![
            Constraint::Length(20),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(5),
            Constraint::Fill(2),
        ],
        crate::tui::screens::ListKind::PatientAccess if list.headers.len() == 6 => vec![
            Constraint::Length(19),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(3),
            Constraint::Length(7),
            Constraint::Fill(5),
        ],
        crate::tui::screens::ListKind::Disclosures if list.headers.len() == 5 => vec![
            Constraint::Length(10),
            Constraint::Fill(4),
            Constraint::Fill(5),
            Constraint::Fill(3),
            Constraint::Length(10),
        ],
        _ => list.headers.iter().map(|_| Constraint::Fill(1)).collect(),
    };
    let cells = |i: usize| list.rows[i].clone();
    windowed_table(
        frame,
        inner,
        app,
        (list.headers.clone(), &widths),
        list.cursor,
        (list.rows.len(), &cells),
    );
}

/// The exam day's last line: the reschedule prompt, or what the last change did.
fn bottom_line(frame: &mut Frame<'_>, area: Rect, app: &App, list: &List) {
    if let Some(form) = &list.prompt {
        let key = match list.prompt_kind {
            crate::tui::screens::PromptKind::NewDate => "exam.new_date",
            crate::tui::screens::PromptKind::MatchPatient => "review.patient",
            crate::tui::screens::PromptKind::RejectReason => "review.reason",
            crate::tui::screens::PromptKind::AcknowledgeNote => "alert.note",
            crate::tui::screens::PromptKind::PatientKey => "rights.patient",
        };
        let label = format!("▸ {} ", app.t(key));
        let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        let mut spans = vec![
            Span::styled(label, app.theme.focus()),
            Span::raw(form.fields[0].shown()),
        ];
        if let Some(error) = &form.error {
            spans.push(Span::styled(format!("  {error}"), app.theme.error()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        frame.set_cursor_position((area.x + width + form.fields[0].cursor_columns(), area.y));
    } else if let Some((ok, text)) = &list.message {
        let style = if *ok {
            app.theme.notice()
        } else {
            app.theme.error()
        };
        frame.render_widget(Paragraph::new(Line::styled(text.clone(), style)), area);
    } else if list.kind == crate::tui::screens::ListKind::Alerts {
        let line = match list.alerts.get(list.cursor.selected) {
            Some(alert) => match &alert.acknowledged {
                Some(ack) => Line::styled(
                    app.locale.tf(
                        "alert.acknowledged_by",
                        &[
                            ("user", &ack.by),
                            ("time", &crate::domain::time::format_time(ack.time_unix)),
                            ("note", &ack.note.replace('\n', " ")),
                        ],
                    ),
                    app.theme.notice(),
                ),
                None => Line::styled(
                    app.locale.tf("alert.hint", &[("detail", &alert.detail)]),
                    app.theme.label(),
                ),
            },
            None => Line::default(),
        };
        frame.render_widget(Paragraph::new(line), area);
    } else {
        // The selected message's unread results, so the clerk can ask the lab.
        let lines = match list.review_unread.get(list.cursor.selected) {
            Some(unread) if !unread.is_empty() => {
                let mut lines = vec![Line::styled(app.t("review.unread_head"), app.theme.error())];
                lines.extend(
                    unread
                        .iter()
                        .map(|u| Line::styled(format!("· {u}"), app.theme.error())),
                );
                lines.push(Line::styled(app.t("review.hint"), app.theme.label()));
                lines
            }
            _ => vec![Line::styled(app.t("review.hint"), app.theme.label())],
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}
