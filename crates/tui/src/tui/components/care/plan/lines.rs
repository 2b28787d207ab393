//! The plan as the plan screen draws it: its title and version, its goals with
//! progress bars, its actions (the selected one marked).

use ratatui::text::{Line, Span};

use crate::domain::plan::{Direction, Goal, PlanView, Progress};
use crate::domain::plan_form::kind_key;
use crate::domain::summary::{indicator_name, shown};
use crate::tui::app::App;

const BAR: usize = 10;

/// `Systolic blood pressure ≤ 130 mmHg`
pub fn goal_text(app: &App, goal: &Goal) -> String {
    let op = match goal.direction {
        Direction::AtMost => "≤",
        Direction::AtLeast => "≥",
    };
    let unit = crate::domain::indicators::by_key(&goal.indicator)
        .map(|i| crate::domain::ucum::human_in(i.unit, app.locale.lang))
        .unwrap_or_default();
    format!(
        "{} {op} {} {unit}",
        indicator_name(&goal.indicator, app.locale.lang),
        shown(&goal.indicator, goal.target)
    )
}

fn progress_span(app: &App, goal: &Goal, progress: Option<&Progress>) -> Vec<Span<'static>> {
    match progress {
        Some(Progress::Met { latest }) => vec![
            Span::styled(format!("[{}] ", "█".repeat(BAR)), app.theme.notice()),
            Span::styled(
                format!(
                    "{} · {}",
                    app.locale.tf(
                        "plan.latest",
                        &[("value", &shown(&goal.indicator, *latest))]
                    ),
                    app.t("plan.met")
                ),
                app.theme.notice(),
            ),
        ],
        Some(Progress::Moving {
            latest,
            fraction,
            overdue,
        }) => {
            let filled = (fraction.clamp(0.0, 1.0) * BAR as f64).round() as usize;
            let bar = format!("[{}{}] ", "█".repeat(filled), "░".repeat(BAR - filled));
            let mut text = app.locale.tf(
                "plan.latest",
                &[("value", &shown(&goal.indicator, *latest))],
            );
            if *overdue {
                text = format!("{text} · {}", app.t("plan.overdue"));
            }
            let style = if *overdue {
                app.theme.warning()
            } else {
                app.theme.label()
            };
            vec![Span::raw(bar), Span::styled(text, style)]
        }
        Some(Progress::NoData) | None => {
            vec![Span::styled(app.t("plan.no_data"), app.theme.label())]
        }
    }
}

pub(super) fn plan_lines(app: &App, view: &PlanView, selected: usize) -> Vec<Line<'static>> {
    let plan = &view.current.plan;
    let status = app.t(if plan.active {
        "plan.status_active"
    } else {
        "plan.status_closed"
    });
    let mut lines = vec![
        Line::styled(plan.title.clone(), app.theme.title()),
        Line::styled(
            app.locale.tf(
                "plan.version",
                &[
                    ("number", &view.number.to_string()),
                    ("by", &view.current.by),
                    ("at", &crate::domain::time::format_time(view.current.at)),
                    ("status", &status),
                ],
            ),
            app.theme.label(),
        ),
        Line::from(""),
        Line::styled(app.t("plan.goals"), app.theme.title()),
    ];
    if plan.goals.is_empty() {
        lines.push(Line::styled(
            format!("  {}", app.t("plan.no_goals")),
            app.theme.label(),
        ));
    }
    for (goal, progress) in plan.goals.iter().zip(
        view.progress
            .iter()
            .map(Some)
            .chain(std::iter::repeat(None)),
    ) {
        let due = app.locale.tf("plan.due", &[("date", &goal.by.to_string())]);
        let mut spans = vec![Span::raw(format!("  {} · {due}  ", goal_text(app, goal)))];
        spans.extend(progress_span(app, goal, progress));
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(app.t("plan.actions"), app.theme.title()));
    if plan.actions.is_empty() {
        lines.push(Line::styled(
            format!("  {}", app.t("plan.no_actions")),
            app.theme.label(),
        ));
    }
    for (i, action) in plan.actions.iter().enumerate() {
        let tick = if action.done { "[x]" } else { "[ ]" };
        let kind = app.t(&format!("plan.kind.{}", kind_key(action.kind)));
        let due = action
            .due
            .map(|d| {
                format!(
                    " · {}",
                    app.locale.tf("plan.due", &[("date", &d.to_string())])
                )
            })
            .unwrap_or_default();
        let text = format!(
            "{tick} {kind} · {} · {}{due}",
            action.description, action.owner
        );
        lines.push(if i == selected {
            Line::styled(format!("▸ {text}"), app.theme.selected())
        } else {
            Line::from(format!("  {text}"))
        });
    }
    lines
}
