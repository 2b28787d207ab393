//! Layers over the screen: help (generated from the loaded keymap) and the palette.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::screens::Overlay;

/// The focused field's one-line help, for the help overlay.
fn field_help(app: &App) -> Option<String> {
    app.top().component.help().map(|key| app.t(&key))
}

/// Clears the box and one column either side: a double-width character straddling the
/// box's edge would otherwise hide the border.
fn clear_around(frame: &mut Frame<'_>, area: Rect, boxed: Rect) {
    let x = boxed.x.saturating_sub(1).max(area.x);
    let right = (boxed.x + boxed.width + 1).min(area.x + area.width);
    frame.render_widget(
        Clear,
        Rect {
            x,
            width: right - x,
            ..boxed
        },
    );
}

/// The help's lines: the focused field's help, then the keys of this screen and of
/// everywhere that the signed-in role may use (a front desk's help lists no clinical
/// keys).
fn help_lines(app: &App) -> Vec<Line<'static>> {
    let context = app.top().component.context();
    let mut lines = Vec::new();
    if let Some(help) = field_help(app) {
        lines.push(Line::styled(help, app.theme.notice()));
        lines.push(Line::from(""));
    }
    let allowed = |action: crate::tui::action::Action| {
        app.user
            .as_ref()
            .is_none_or(|user| action.allowed(&user.permissions))
    };
    for ctx in [context, Context::Global] {
        let mut bindings: Vec<_> = app
            .keymap
            .bindings(ctx)
            .iter()
            .filter(|(_, action)| allowed(*action))
            .cloned()
            .collect();
        if bindings.is_empty() {
            continue;
        }
        lines.push(Line::styled(
            app.t(&format!("context.{}", ctx.name())),
            app.theme.title(),
        ));
        bindings.sort_by_key(|(_, action)| *action);
        for (key, action) in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", key.to_string()), app.theme.focus()),
                Span::raw(app.t(&format!("action.{}", action.name()))),
            ]));
        }
    }
    lines
}

/// Keeps the help's scroll within its text, so Up answers at once after scrolling
/// past the end (the box as `render` draws it in `area`).
pub(super) fn clamp_help_scroll(app: &mut App, area: Rect) {
    if !matches!(app.overlay, Some(Overlay::Help { .. })) {
        return;
    }
    let (_, boxed, total) = help_box(app, area);
    let room = boxed.height.saturating_sub(2);
    if let Some(Overlay::Help { scroll }) = &mut app.overlay {
        *scroll = (*scroll).min(total.saturating_sub(room));
    }
}

/// The help's lines wrapped by the one line breaker to its box, the box, and how many
/// lines there are.
fn help_box(app: &App, area: Rect) -> (Vec<Line<'static>>, Rect, u16) {
    let width = 60.min(area.width);
    let lines = super::wrap_lines(help_lines(app), width.saturating_sub(2));
    let height = (lines.len() as u16 + 2).min(area.height);
    let boxed = centered(area, 60, height);
    let total = lines.len() as u16;
    (lines, boxed, total)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => {
            let (lines, boxed, total) = help_box(app, area);
            clear_around(frame, area, boxed);
            // Lines past the box: scrolled with ↑↓ PgUp PgDn, said in the title.
            let room = boxed.height.saturating_sub(2);
            let scroll = (*scroll).min(total.saturating_sub(room));
            let title = if total > room {
                app.locale.tf(
                    "help.title_scroll",
                    &[
                        ("from", &(scroll + 1).to_string()),
                        ("to", &(scroll + room).min(total).to_string()),
                        ("total", &total.to_string()),
                    ],
                )
            } else {
                app.t("help.title")
            };
            let block = Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(format!(" {title} "), app.theme.title()));
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false })
                    .scroll((scroll, 0)),
                boxed,
            );
        }
        Some(Overlay::ConfirmLost { number, .. }) => {
            let boxed = centered(area, 60, 6);
            clear_around(frame, area, boxed);
            let block = Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} ", app.t("card.report_lost_title")),
                app.theme.warning(),
            ));
            let lines = vec![
                Line::from(
                    app.locale
                        .tf("card.report_lost_question", &[("number", number)]),
                ),
                Line::from(""),
                Line::styled(app.t("card.report_lost_keys"), app.theme.label()),
            ];
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
                boxed,
            );
        }
        Some(Overlay::Palette { query, cursor }) => {
            let entries = app.palette_entries();
            let boxed = centered(area, 60, (entries.len() as u16 + 4).min(area.height));
            clear_around(frame, area, boxed);
            let block = Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} ", app.t("palette.title")),
                app.theme.title(),
            ));
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            let mut lines = vec![Line::from(vec![
                Span::styled("> ", app.theme.focus()),
                Span::raw(query.value.clone()),
            ])];
            // Only the rows that fit, the selected one among them.
            let rows = inner.height.saturating_sub(1).max(1) as usize;
            let mut window = *cursor;
            window.scroll_into_view(rows);
            let width = inner.width as usize;
            for (i, entry) in entries.iter().enumerate().skip(window.offset).take(rows) {
                let key = entry.key.clone().unwrap_or_default();
                let label = super::pad(
                    &format!("  {}", entry.label),
                    width.saturating_sub(key.len() + 1),
                );
                let text = format!("{label}{key}");
                lines.push(if i == cursor.selected {
                    Line::styled(text, app.theme.selected())
                } else {
                    Line::from(vec![Span::raw(label), Span::styled(key, app.theme.label())])
                });
            }
            if entries.is_empty() {
                lines.push(Line::styled(app.t("palette.none"), app.theme.label()));
            }
            frame.render_widget(Paragraph::new(lines), inner);
            frame.set_cursor_position((inner.x + 2 + query.cursor_columns(), inner.y));
        }
    }
}
