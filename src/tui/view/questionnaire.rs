//! Filling a questionnaire: the list to choose from, one item at a time with its
//! numbered options, the summary with the total and band, the saved result.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::i18n::Lang;
use crate::tui::app::App;
use crate::tui::screens::QuestionnaireScreen;

pub fn questionnaire(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &QuestionnaireScreen) {
    let chinese = app.locale.lang == Lang::ZhCn;
    let title = match screen.definition() {
        Some(d) => format!(
            " {} · {} ",
            d.name.get(crate::i18n::Lang::from_chinese(chinese)),
            screen.name
        ),
        None => app
            .locale
            .tf("questionnaire.title", &[("name", &screen.name)]),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let Some(definitions) = &screen.definitions else {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    };
    let selected = |i: usize, text: String| {
        if i == screen.cursor.selected {
            Line::styled(format!("▸ {text}"), app.theme.selected())
        } else {
            Line::from(format!("  {text}"))
        }
    };
    match screen.definition() {
        None => {
            lines.push(Line::styled(
                app.t("questionnaire.choose"),
                app.theme.label(),
            ));
            lines.push(Line::from(""));
            for (i, d) in definitions.iter().enumerate() {
                lines.push(selected(
                    i,
                    format!(
                        "{} ({})",
                        d.name.get(crate::i18n::Lang::from_chinese(chinese)),
                        d.items.len()
                    ),
                ));
            }
            for (file, problem) in &screen.problems {
                lines.push(Line::styled(
                    app.locale.tf(
                        "questionnaire.problem",
                        &[("file", file), ("problem", problem)],
                    ),
                    app.theme.error(),
                ));
            }
        }
        Some(d) if screen.item < d.items.len() => {
            let item = &d.items[screen.item];
            lines.push(Line::styled(
                d.intro
                    .get(crate::i18n::Lang::from_chinese(chinese))
                    .to_string(),
                app.theme.label(),
            ));
            lines.push(Line::from(""));
            lines.push(Line::styled(
                app.locale.tf(
                    "questionnaire.item",
                    &[
                        ("n", &(screen.item + 1).to_string()),
                        ("of", &d.items.len().to_string()),
                    ],
                ),
                app.theme.label(),
            ));
            lines.push(Line::styled(
                if chinese {
                    item.zh.clone()
                } else {
                    item.en.clone()
                },
                app.theme.title(),
            ));
            lines.push(Line::from(""));
            for (i, choice) in d.choices(item).iter().enumerate() {
                let text = if chinese { &choice.zh } else { &choice.en };
                lines.push(selected(
                    i,
                    format!("{}  {text}  ({})", i + 1, choice.score),
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("questionnaire.keys"), app.theme.label()));
        }
        Some(d) => {
            let answers: Vec<usize> = screen.answers.iter().map(|a| a.unwrap_or(0)).collect();
            let scored = screen.scored.clone().or_else(|| d.score(&answers).ok());
            for (i, item) in d.items.iter().enumerate() {
                let choice = d.choices(item).get(answers[i]);
                let text = if chinese { &item.zh } else { &item.en };
                let answer = choice
                    .map(|c| format!("{} ({})", if chinese { &c.zh } else { &c.en }, c.score))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>2}. ", i + 1), app.theme.label()),
                    Span::raw(format!("{text} — ")),
                    Span::styled(answer, app.theme.title()),
                ]));
            }
            lines.push(Line::from(""));
            if let Some(s) = &scored {
                let band = d
                    .band(s.total)
                    .map(|b| if chinese { b.zh.clone() } else { b.en.clone() })
                    .unwrap_or_default();
                lines.push(Line::styled(
                    app.locale.tf(
                        "questionnaire.total",
                        &[("total", &s.total.to_string()), ("band", &band)],
                    ),
                    app.theme.title(),
                ));
                if !s.urgent.is_empty() {
                    let key = if screen.scored.is_some() {
                        "questionnaire.urgent"
                    } else {
                        "questionnaire.urgent_preview"
                    };
                    lines.push(Line::styled(app.t(key), app.theme.error()));
                }
            }
            let hint = if screen.scored.is_some() {
                app.t("questionnaire.saved")
            } else if screen.busy {
                app.t("common.working")
            } else {
                app.t("questionnaire.save_hint")
            };
            lines.push(Line::styled(hint, app.theme.notice()));
        }
    }
    if let Some(error) = &screen.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    let [body] = Layout::vertical([Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}
