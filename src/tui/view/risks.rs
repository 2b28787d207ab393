//! Risk assessments: the models on the left; the selected one's result, bands,
//! inputs, assumptions and source on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::domain::assessment::Outcome;
use crate::tui::app::App;
use crate::tui::screens::RiskScreen;

fn yes_no(app: &App, v: bool) -> String {
    app.t(if v { "risk.yes" } else { "risk.no" })
}

fn number(v: Option<f64>, app: &App) -> String {
    v.map(|v| format!("{v:.0}"))
        .unwrap_or_else(|| app.t("risk.missing"))
}

pub fn risks(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &RiskScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale.tf("risk.title", &[("name", &screen.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(risks) = &screen.risks else {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(inner);
    let rows: Vec<Line> = risks
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let result = match &a.outcome {
                Outcome::Risk { probability, .. } => format!("{:.1} %", probability * 100.0),
                Outcome::Score { score, .. } => score.to_string(),
                Outcome::Refused(_) => "—".into(),
            };
            let label = app.t(&format!("risk.model.{}", a.model));
            let text = format!("{} {result:>7}", super::pad(&label, 20));
            if i == screen.cursor.selected {
                Line::styled(format!("▸{text}"), app.theme.selected())
            } else {
                Line::from(format!(" {text}"))
            }
        })
        .collect();
    let mut rows = rows;
    rows.push(Line::from(""));
    rows.push(Line::styled(
        format!(" {}", app.t("risk.tags")),
        app.theme.title(),
    ));
    match &screen.tags {
        None => rows.push(Line::styled(
            format!(" {}", app.t("common.working")),
            app.theme.label(),
        )),
        Some(tags) if tags.is_empty() => rows.push(Line::styled(
            format!(" {}", app.t("risk.no_tags")),
            app.theme.label(),
        )),
        Some(tags) => {
            for t in tags {
                let since = chrono::DateTime::from_timestamp(t.since, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                rows.push(Line::from(format!(" {} ({since})", t.tag)));
            }
        }
    }
    if let Some(problem) = &screen.tag_problem {
        rows.push(Line::styled(format!(" {problem}"), app.theme.error()));
    }
    frame.render_widget(
        Paragraph::new(rows)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::RIGHT)),
        left,
    );
    let right = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &screen.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    if let Some(a) = risks.get(screen.cursor.selected) {
        lines.push(Line::styled(
            format!("{} ({})", a.name, a.version),
            app.theme.title(),
        ));
        match &a.outcome {
            Outcome::Risk {
                probability,
                band,
                chinese_band,
            } => {
                lines.push(Line::from(app.locale.tf(
                    "risk.result",
                    &[
                        ("risk", &format!("{:.1} %", probability * 100.0)),
                        ("band", &app.t(&format!("risk.band.{band}"))),
                    ],
                )));
                if let Some(c) = chinese_band {
                    lines.push(Line::from(app.locale.tf(
                        "risk.chinese",
                        &[("band", &app.t(&format!("risk.band.{c}")))],
                    )));
                }
            }
            Outcome::Score { score, band } => lines.push(Line::from(app.locale.tf(
                "risk.score",
                &[("score", &score.to_string()), ("band", band)],
            ))),
            Outcome::Refused(refusal) => lines.push(Line::styled(
                app.locale
                    .tf("risk.refused", &[("why", &refusal.to_string())]),
                app.theme.warning(),
            )),
        }
        if a.model != "findrisc" {
            let i = &a.inputs;
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("risk.inputs"), app.theme.label()));
            lines.push(Line::from(app.locale.tf(
                "risk.inputs_line",
                &[
                    ("age", &number(i.age, app)),
                    ("tc", &number(i.total_cholesterol, app)),
                    ("hdl", &number(i.hdl, app)),
                    ("sbp", &number(i.systolic, app)),
                ],
            )));
            lines.push(Line::from(app.locale.tf(
                "risk.factors_line",
                &[
                    ("treated", &yes_no(app, i.treated_for_hypertension)),
                    ("smoker", &yes_no(app, i.smoker)),
                    ("diabetes", &yes_no(app, i.diabetes)),
                ],
            )));
            for assumption in &a.assumptions {
                lines.push(Line::styled(format!("· {assumption}"), app.theme.label()));
            }
            let e = &a.evidence;
            for (key, entries) in [
                ("risk.counted", &e.counted),
                ("risk.not_counted", &e.not_counted),
                ("risk.unrecognised", &e.unrecognised),
            ] {
                if !entries.is_empty() {
                    lines.push(Line::styled(
                        app.locale.tf(key, &[("entries", &entries.join("; "))]),
                        app.theme.label(),
                    ));
                }
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(a.source.clone(), app.theme.label()));
    }
    // The keys keep their own last line, so a long assessment never pushes them off.
    let [body, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(right);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    frame.render_widget(
        Paragraph::new(Line::styled(app.t("risk.keys"), app.theme.label())),
        keys,
    );
}
