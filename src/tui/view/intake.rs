//! The intake interview: one question a page, then the summary of every answer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::domain::intake::{Answer, Kind};
use crate::i18n::Lang;
use crate::tui::app::App;
use crate::tui::screens::IntakeScreen;

pub fn intake(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &IntakeScreen) {
    let chinese = app.locale.lang == Lang::ZhCn;
    let title = match &screen.intake {
        Some(i) => format!(
            " {} · {} ",
            i.name.get(crate::i18n::Lang::from_chinese(chinese)),
            screen.name
        ),
        None => format!(" {} ", screen.name),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(intake) = &screen.intake else {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    };
    let text = |en: &str, zh: &str| {
        if chinese {
            zh.to_string()
        } else {
            en.to_string()
        }
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cursor = None;
    match screen.current() {
        Some(q) => {
            lines.push(Line::styled(
                app.locale.tf(
                    "questionnaire.item",
                    &[
                        ("n", &(screen.question + 1).to_string()),
                        ("of", &intake.questions.len().to_string()),
                    ],
                ),
                app.theme.label(),
            ));
            lines.push(Line::styled(text(&q.en, &q.zh), app.theme.title()));
            lines.push(Line::from(""));
            match (q.kind, screen.answers.get(screen.question)) {
                (Kind::Text, _) => {
                    cursor = Some(lines.len());
                    lines.push(Line::from(vec![
                        Span::styled("▸ ", app.theme.focus()),
                        Span::raw(screen.field.shown()),
                    ]));
                    lines.push(Line::from(""));
                    lines.push(Line::styled(app.t("intake.text_keys"), app.theme.label()));
                }
                (_, answer) => {
                    for (i, option) in q.options.iter().enumerate() {
                        let ticked = match answer {
                            Some(Answer::Checklist(list)) if list.contains(&i) => "[x] ",
                            Some(Answer::Checklist(_)) => "[ ] ",
                            _ => "",
                        };
                        let label = format!("{ticked}{}", text(&option.en, &option.zh));
                        lines.push(if i == screen.cursor.selected {
                            Line::styled(format!("▸ {label}"), app.theme.selected())
                        } else {
                            Line::from(format!("  {label}"))
                        });
                    }
                    lines.push(Line::from(""));
                    let keys = if q.kind == Kind::Checklist {
                        "intake.checklist_keys"
                    } else {
                        "intake.choice_keys"
                    };
                    lines.push(Line::styled(app.t(keys), app.theme.label()));
                }
            }
        }
        None => {
            for (q, answer) in intake.questions.iter().zip(&screen.answers) {
                let shown = match answer {
                    Answer::Text(t) if t.is_empty() => "—".to_string(),
                    Answer::Text(t) => t.clone(),
                    Answer::Choice(Some(c)) => text(&q.options[*c].en, &q.options[*c].zh),
                    Answer::Choice(None) => "—".to_string(),
                    Answer::Checklist(list) if list.is_empty() => "—".to_string(),
                    Answer::Checklist(list) => list
                        .iter()
                        .map(|c| text(&q.options[*c].en, &q.options[*c].zh))
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{}: ", text(&q.en, &q.zh)), app.theme.label()),
                    Span::raw(shown),
                ]));
            }
            lines.push(Line::from(""));
            let hint = if screen.saved {
                "intake.done_keys"
            } else {
                "intake.save_keys"
            };
            lines.push(Line::styled(app.t(hint), app.theme.notice()));
        }
    }
    if let Some(message) = &screen.error {
        let style = if screen.saved {
            app.theme.notice()
        } else {
            app.theme.error()
        };
        lines.push(Line::styled(message.clone(), style));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some(row) = cursor {
        frame.set_cursor_position((
            inner.x + 2 + screen.field.cursor_columns(),
            inner.y + row as u16,
        ));
    }
}
