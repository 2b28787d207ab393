//! One stage summary's content as the summaries screen shows it on the right: period,
//! version and signature, narrative, indicators, goals, risks, questionnaires, advice
//! and follow-ups.

use ratatui::text::{Line, Span};

use crate::domain::summary::{
    GoalOutcome, StageSummary, SummaryVersion, indicator_name, outcome_text, shown,
};
use crate::domain::time::format_time;
use crate::tui::app::App;
use crate::tui::view::pad;

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

pub(super) fn content(app: &App, version: &SummaryVersion, count: usize) -> Vec<Line<'static>> {
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
                pad(name, width),
                crate::domain::ucum::human_in(&c.unit, app.locale.lang)
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
                Span::raw(format!(
                    "  {} · ",
                    crate::tui::components::care::plan::goal_text(app, &g.goal)
                )),
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
            lines.push(Line::from(format!("  {}  {then} → {now}", pad(&label, 20))));
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
