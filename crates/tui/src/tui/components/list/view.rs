//! Drawing a list: its title (the exam day's date), the table of the rows that fit,
//! and the last line: a prompt, what the last change did, the selected alert's
//! acknowledgement or the selected message's unread results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{List, ListKind, PromptKind};
use crate::tui::app::App;
use crate::tui::view::windowed_table;

pub(super) fn list(frame: &mut Frame<'_>, area: Rect, app: &App, list: &List) {
    let title = match list.date {
        Some(date) => app.locale.tf(
            "exam.day_title",
            &[
                ("date", &date.to_string()),
                ("weekday", &app.t(&format!("weekday.{}", date.format("%a")))),
            ],
        ),
        None => app.t(super::table::title_key(list.kind)),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), app.theme.title()));
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    let review = matches!(
        list.kind,
        ListKind::Review | ListKind::Alerts | ListKind::RightsLog | ListKind::Retention
    );
    if list.prompt.is_some() || list.message.is_some() || review {
        // The selected message's unread results each get a line (a heading and the
        // keys around them), up to half the list: the clerk reads them to the lab.
        let unread = list
            .review_unread
            .get(list.cursor.selected)
            .map_or(0, Vec::len) as u16;
        // A prompt's error and a message wrap on the lines they need (up to four).
        let wrapped = |text: &str| {
            crate::tui::view::wrap_columns(text, inner.width.max(1) as usize)
                .len()
                .clamp(1, 4) as u16
        };
        let prompt_error = list
            .prompt
            .as_ref()
            .and_then(|form| form.error.as_deref())
            .map_or(0, wrapped);
        let choices = prompt_choices(list).map_or(0, |key| wrapped(&app.t(key)));
        let height = if list.prompt.is_some() {
            1 + prompt_error + choices
        } else if let Some((_, text)) = &list.message {
            wrapped(text)
        } else if unread > 0 {
            (unread + 2).min(inner.height / 2).max(1)
        } else if list.kind == ListKind::Alerts && list.prompt.is_none() {
            // Who acknowledged it and why: wrapped on two lines, never cut.
            2
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
        ListKind::Alerts if list.headers.len() == 5 => vec![
            Constraint::Length(20),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(5),
            Constraint::Fill(2),
        ],
        ListKind::PatientAccess if list.headers.len() == 6 => vec![
            Constraint::Length(19),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(3),
            Constraint::Length(7),
            Constraint::Fill(5),
        ],
        ListKind::RightsLog if list.headers.len() == 7 => vec![
            Constraint::Length(6),
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Fill(2),
            Constraint::Fill(4),
        ],
        ListKind::Disclosures if list.headers.len() == 5 => vec![
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

/// The choices a prompt's number picks from, listed under it.
fn prompt_choices(list: &List) -> Option<&'static str> {
    list.prompt.as_ref()?;
    match list.prompt_kind {
        PromptKind::RightsKind => Some("rights_log.kinds"),
        PromptKind::RightsOutcome => Some("rights_log.outcomes"),
        _ => None,
    }
}

/// The exam day's last line: the reschedule prompt, or what the last change did.
fn bottom_line(frame: &mut Frame<'_>, area: Rect, app: &App, list: &List) {
    if let Some(form) = &list.prompt {
        let key = match list.prompt_kind {
            PromptKind::NewDate => "exam.new_date",
            PromptKind::MatchPatient => "review.patient",
            PromptKind::RejectReason => "review.reason",
            PromptKind::AcknowledgeNote => "alert.note",
            PromptKind::PatientKey | PromptKind::RightsPatient => "rights.patient",
            PromptKind::RightsKind => "rights_log.prompt_kind",
            PromptKind::RightsAsked => "rights_log.prompt_asked",
            PromptKind::RightsOutcome => "rights_log.prompt_outcome",
            PromptKind::RightsNote => "rights_log.prompt_note",
            PromptKind::RetentionConfirm => "retention.prompt",
        };
        let label = format!("▸ {} ", app.t(key));
        let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        // A long text scrolls sideways to keep the cursor in view; the error goes
        // under it, wrapped.
        let room = area.width.saturating_sub(width + 1) as usize;
        let field = &form.fields[0];
        let (shown, column) = field.window(room);
        let mut lines = vec![Line::from(vec![
            Span::styled(label, app.theme.focus()),
            field.styled(shown),
        ])];
        if let Some(error) = &form.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        if let Some(key) = prompt_choices(list) {
            lines.push(Line::styled(app.t(key), app.theme.label()));
        }
        frame.render_widget(crate::tui::view::wrapped(lines, area.width), area);
        frame.set_cursor_position((area.x + width + column, area.y));
    } else if let Some((ok, text)) = &list.message {
        let style = if *ok {
            app.theme.notice()
        } else {
            app.theme.error()
        };
        let line = Line::styled(text.clone(), style);
        frame.render_widget(crate::tui::view::wrapped(line, area.width), area);
    } else if matches!(list.kind, ListKind::RightsLog | ListKind::Retention) {
        let key = if list.kind == ListKind::RightsLog {
            "rights_log.hint"
        } else {
            "retention.hint"
        };
        let line = Line::styled(app.t(key), app.theme.label());
        frame.render_widget(crate::tui::view::wrapped(line, area.width), area);
    } else if list.kind == ListKind::Alerts {
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
                    app.locale
                        .tf("alert.hint", &[("detail", &app.locale.text(&alert.detail))]),
                    app.theme.label(),
                ),
            },
            None => Line::default(),
        };
        frame.render_widget(crate::tui::view::wrapped(line, area.width), area);
    } else {
        // The selected message's unread results, so the clerk can ask the lab.
        let lines = match list.review_unread.get(list.cursor.selected) {
            Some(unread) if !unread.is_empty() => {
                let mut lines = vec![Line::styled(app.t("review.unread_head"), app.theme.error())];
                lines.extend(
                    unread.iter().map(|u| {
                        Line::styled(format!("· {}", app.locale.text(u)), app.theme.error())
                    }),
                );
                lines.push(Line::styled(app.t("review.hint"), app.theme.label()));
                lines
            }
            _ => vec![Line::styled(app.t("review.hint"), app.theme.label())],
        };
        frame.render_widget(crate::tui::view::wrapped(lines, area.width), area);
    }
}
