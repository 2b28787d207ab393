//! Stage summaries: each summary's latest version on the left (period, signed or
//! draft); the selected one's figures and narrative on the right; or the editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::domain::summary::{
    GoalOutcome, StageSummary, SummaryVersion, indicator_name, outcome_text, shown,
};
use crate::domain::time::format_time;
use crate::tui::app::App;
use crate::tui::screens::SummariesScreen;

fn chinese(app: &App) -> bool {
    app.locale.lang == crate::i18n::Lang::ZhCn
}

fn period_text(app: &App, s: &StageSummary) -> String {
    app.locale.tf(
        "summary.period",
        &[
            ("from", &s.period.from.to_string()),
            ("to", &s.period.to.to_string()),
        ],
    )
}

fn content(app: &App, version: &SummaryVersion, count: usize) -> Vec<Line<'static>> {
    let s = &version.summary;
    let zh = chinese(app);
    let status = match &version.signed {
        Some((by, at)) => app
            .locale
            .tf("summary.signed", &[("by", by), ("at", &format_time(*at))]),
        None => app.t("summary.draft"),
    };
    let mut lines = vec![
        Line::styled(period_text(app, s), app.theme.title()),
        Line::styled(
            format!(
                "{} · {status}",
                app.locale.tf(
                    "summary.version",
                    &[
                        ("number", &count.to_string()),
                        ("by", &version.by),
                        ("at", &format_time(version.at)),
                    ],
                )
            ),
            if version.signed.is_some() {
                app.theme.notice()
            } else {
                app.theme.warning()
            },
        ),
    ];
    lines.push(Line::styled(app.t("summary.text"), app.theme.title()));
    for paragraph in s.text.lines() {
        lines.push(Line::from(format!("  {paragraph}")));
    }
    if !s.indicators.is_empty() {
        lines.push(Line::styled(app.t("summary.indicators"), app.theme.title()));
        let names: Vec<String> = s
            .indicators
            .iter()
            .map(|c| indicator_name(&c.indicator, crate::i18n::Lang::from_chinese(zh)))
            .collect();
        let width = names
            .iter()
            .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
            .max()
            .unwrap_or(0);
        for (c, name) in s.indicators.iter().zip(&names) {
            let values = if c.count == 1 {
                shown(&c.indicator, c.end)
            } else {
                format!(
                    "{} → {}",
                    shown(&c.indicator, c.start),
                    shown(&c.indicator, c.end)
                )
            };
            lines.push(Line::from(format!(
                "  {}  {values} {}",
                super::pad(name, width),
                c.unit
            )));
        }
    }
    if !s.goals.is_empty() {
        lines.push(Line::styled(app.t("summary.goals"), app.theme.title()));
        for g in &s.goals {
            let (key, style) = match g.outcome {
                GoalOutcome::Met => ("summary.goal_met", app.theme.notice()),
                GoalOutcome::Missed => ("summary.goal_missed", app.theme.warning()),
                GoalOutcome::Open => ("summary.goal_open", app.theme.label()),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("  {} · ", super::plan::goal_text(app, &g.goal))),
                Span::styled(app.t(key), style),
            ]));
        }
    }
    if !s.risks.is_empty() {
        lines.push(Line::styled(app.t("summary.risks"), app.theme.title()));
        for r in &s.risks {
            let then = r
                .then
                .as_ref()
                .map(|o| outcome_text(o, crate::i18n::Lang::from_chinese(zh)))
                .unwrap_or_else(|| "—".into());
            let now = r
                .now
                .as_ref()
                .map(|o| outcome_text(o, crate::i18n::Lang::from_chinese(zh)))
                .unwrap_or_else(|| "—".into());
            let label = app.t(&format!("risk.model.{}", r.model));
            lines.push(Line::from(format!(
                "  {}  {then} → {now}",
                super::pad(&label, 20)
            )));
        }
    }
    if !s.questionnaires.is_empty() {
        lines.push(Line::styled(
            app.t("summary.questionnaires"),
            app.theme.title(),
        ));
        for q in &s.questionnaires {
            lines.push(Line::from(format!(
                "  {} {} ({}) · {}",
                q.key.to_uppercase(),
                q.total,
                q.band,
                format_time(q.at)
            )));
        }
    }
    if !s.advice.is_empty() {
        lines.push(Line::styled(
            app.locale
                .tf("summary.advice", &[("count", &s.advice.len().to_string())]),
            app.theme.title(),
        ));
    }
    // How the follow-ups were made, in brackets: "(2 by phone, 1 at home)".
    let zh = app.locale.lang == crate::i18n::Lang::ZhCn;
    let made =
        crate::domain::summary::visits_made(&s.follow_ups, crate::i18n::Lang::from_chinese(zh));
    let made = match (made.is_empty(), zh) {
        (true, _) => String::new(),
        (false, true) => format!("（{made}）"),
        (false, false) => format!(" ({made})"),
    };
    lines.push(Line::styled(
        app.locale.tf(
            "summary.follow_ups",
            &[
                ("done", &s.follow_ups.done.to_string()),
                ("made", &made),
                ("missed", &s.follow_ups.missed.to_string()),
            ],
        ),
        app.theme.title(),
    ));
    lines
}

pub fn summaries(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &SummariesScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale.tf("summary.title", &[("name", &screen.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(editor) = &screen.editor {
        match &editor.period_form {
            Some(form) => {
                let mut head = vec![
                    Line::styled(app.t("summary.period_intro"), app.theme.label()),
                    Line::from(""),
                ];
                if let Some(error) = &form.error {
                    head.push(Line::styled(error.clone(), app.theme.error()));
                }
                if form.busy {
                    head.push(Line::styled(app.t("common.working"), app.theme.label()));
                }
                let height = head.len() as u16 + 1;
                let [top, body] =
                    Layout::vertical([Constraint::Length(height), Constraint::Min(1)]).areas(inner);
                frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
                let labels = [app.t("summary.from"), app.t("summary.to")];
                super::forms::fields(frame, body, app, form, &labels);
            }
            None => {
                let intro = app.t("summary.intro");
                super::plan::line_editor(frame, inner, app, &editor.text, (&intro, None));
            }
        }
        return;
    }
    let Some(_) = &screen.versions else {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    };
    let latest = screen.latest();
    let mut top: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &screen.error {
        top.push(Line::styled(error.clone(), app.theme.error()));
    }
    if let Some(notice) = &screen.notice {
        top.push(Line::styled(notice.clone(), app.theme.notice()));
    }
    let [messages, main, keys] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(top), messages);
    frame.render_widget(
        Paragraph::new(Line::styled(app.t("summary.keys"), app.theme.label())),
        keys,
    );
    if latest.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("summary.none"), app.theme.label()))
                .wrap(Wrap { trim: false }),
            main,
        );
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Length(28), Constraint::Min(20)]).areas(main);
    // Only the rows that fit are drawn.
    let height = left.height as usize;
    let first = screen
        .cursor
        .selected
        .saturating_sub(height.saturating_sub(1));
    let rows: Vec<Line> = latest
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, (v, _))| {
            let mark = if v.signed.is_some() { "✓" } else { "·" };
            let text = format!(
                "{mark} {} {}–{}",
                v.number,
                v.summary.period.from.format("%Y-%m"),
                v.summary.period.to.format("%Y-%m")
            );
            if i == screen.cursor.selected {
                Line::styled(format!("▸{text}"), app.theme.selected())
            } else {
                Line::from(format!(" {text}"))
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(rows).block(Block::default().borders(Borders::RIGHT)),
        left,
    );
    let right = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    if let Some((version, count)) = latest.get(screen.cursor.selected) {
        frame.render_widget(
            Paragraph::new(content(app, version, *count))
                .wrap(Wrap { trim: false })
                .scroll((screen.scroll, 0)),
            right,
        );
    }
}
