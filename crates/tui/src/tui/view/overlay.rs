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

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help) => {
            let context = app.top().component.context();
            let mut lines = Vec::new();
            if let Some(help) = field_help(app) {
                lines.push(Line::styled(help, app.theme.notice()));
                lines.push(Line::from(""));
            }
            for ctx in [context, Context::Global] {
                lines.push(Line::styled(
                    app.t(&format!("context.{}", ctx.name())),
                    app.theme.title(),
                ));
                let mut bindings = app.keymap.bindings(ctx).to_vec();
                bindings.sort_by_key(|(_, action)| *action);
                for (key, action) in bindings {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {:<12}", key.to_string()), app.theme.focus()),
                        Span::raw(app.t(&format!("action.{}", action.name()))),
                    ]));
                }
            }
            let height = (lines.len() as u16 + 2).min(area.height);
            let boxed = centered(area, 60, height);
            clear_around(frame, area, boxed);
            let block = Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} ", app.t("help.title")),
                app.theme.title(),
            ));
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
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
            let boxed = centered(area, 50, (entries.len() as u16 + 4).min(area.height));
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
            for (i, (_, label)) in entries.iter().enumerate() {
                let text = format!("  {label}");
                lines.push(if i == cursor.selected {
                    Line::styled(text, app.theme.selected())
                } else {
                    Line::from(text)
                });
            }
            frame.render_widget(Paragraph::new(lines), inner);
            frame.set_cursor_position((inner.x + 2 + query.cursor_columns(), inner.y));
        }
    }
}
