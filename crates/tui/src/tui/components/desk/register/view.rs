//! The registration form, the issued card, or the duplicates found.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{ENTRY_ORDER, REGISTER_FIELDS, Register, RegisterOutcome};
use crate::tui::app::App;
use crate::tui::view::{masked_phone, pad, wrap_columns};

pub(super) fn register(frame: &mut Frame<'_>, area: Rect, app: &App, register: &Register) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", app.t("register.title")),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &register.outcome {
        Some(RegisterOutcome::Issued { name, card, .. }) => {
            let lines = vec![
                Line::styled(app.t("register.issued"), app.theme.notice()),
                Line::from(""),
                Line::from(format!("{}{name}", pad(&app.t("register.name"), 16))),
                Line::from(format!(
                    "{}{}",
                    pad(&app.t("register.card_number"), 16),
                    card.number
                )),
                Line::from(format!(
                    "{}{}",
                    pad(&app.t("register.card_type"), 16),
                    card.card_type
                )),
                Line::from(format!(
                    "{}{}",
                    pad(&app.t("register.valid_until"), 16),
                    card.valid_until
                )),
                Line::from(""),
                Line::styled(app.t("register.issued_hint"), app.theme.label()),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Some(RegisterOutcome::Duplicates { rows, cursor }) => {
            let mut lines = vec![
                Line::styled(app.t("register.duplicates"), app.theme.warning()),
                Line::styled(app.t("register.duplicates_hint"), app.theme.label()),
                Line::from(""),
            ];
            for (i, row) in rows.iter().enumerate() {
                let text = format!(
                    "{}{}  {}",
                    pad(&row.name, 20),
                    row.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                    row.phone.as_deref().map(masked_phone).unwrap_or_default()
                );
                lines.push(if i == cursor.selected {
                    Line::styled(text, app.theme.selected())
                } else {
                    Line::from(text)
                });
            }
            // The warning and its hint wrap within the box.
            frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
        }
        None => form(frame, inner, app, register),
    }
}

fn form(frame: &mut Frame<'_>, area: Rect, app: &App, register: &Register) {
    const LABEL: usize = 16;
    let mut lines = Vec::new();
    let mut cursor = None;
    for i in ENTRY_ORDER {
        let name = REGISTER_FIELDS[i];
        let field = &register.form.fields[i];
        let focused = i == register.form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let label = pad(
            &format!("{marker}{}", app.t(&format!("register.{name}"))),
            LABEL,
        );
        let hint = app.t(&format!("register.{name}_hint"));
        if focused {
            cursor = Some((
                area.x + LABEL as u16 + field.cursor_columns(),
                area.y + lines.len() as u16,
            ));
        }
        let mut spans = vec![
            Span::styled(
                label,
                if focused {
                    app.theme.focus()
                } else {
                    app.theme.label()
                },
            ),
            field.span(),
        ];
        if field.value.is_empty() && !hint.is_empty() {
            spans.push(Span::styled(format!("({hint})"), app.theme.label()));
        }
        lines.push(Line::from(spans));
        if let Some(error) = &register.field_errors[i] {
            // Wrapped under the field's value, never back to the first column.
            let room = (area.width as usize).saturating_sub(LABEL + 2);
            for (n, part) in wrap_columns(error, room).into_iter().enumerate() {
                let mark = if n == 0 { "✗ " } else { "  " };
                lines.push(Line::styled(
                    format!("{}{mark}{part}", " ".repeat(LABEL)),
                    app.theme.error(),
                ));
            }
        }
    }
    lines.push(Line::from(""));
    if let Some(info) = &register.form.info {
        lines.push(Line::styled(info.clone(), app.theme.notice()));
    }
    if let Some(error) = &register.form.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    } else if register.form.busy {
        lines.push(Line::styled(app.t("common.working"), app.theme.label()));
    } else {
        lines.push(Line::styled(app.t("register.hint"), app.theme.label()));
    }
    frame.render_widget(crate::tui::view::wrapped(lines, area.width), area);
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
