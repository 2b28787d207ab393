//! The intervention plan: its goals with progress bars, its actions (the selected one
//! marked); or the template list, or the line editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::domain::plan::{Direction, Goal, PlanView, Progress};
use crate::domain::plan_form::kind_key;
use crate::domain::summary::{indicator_name, shown};
use crate::tui::app::App;
use crate::tui::screens::{LineEditor, PlanScreen};

const BAR: usize = 10;

/// `Systolic blood pressure ≤ 130 mm[Hg]`
pub(crate) fn goal_text(app: &App, goal: &Goal) -> String {
    let op = match goal.direction {
        Direction::AtMost => "≤",
        Direction::AtLeast => "≥",
    };
    let unit = crate::domain::indicators::by_key(&goal.indicator)
        .map(|i| i.unit)
        .unwrap_or("");
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

fn plan_lines(app: &App, view: &PlanView, selected: usize) -> Vec<Line<'static>> {
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

/// The editor's intro, messages and rows; `first_label` names the first row.
pub(crate) fn line_editor(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    editor: &LineEditor,
    (intro, first_label): (&str, Option<String>),
) {
    let mut head = vec![Line::styled(intro.to_string(), app.theme.label())];
    if let Some(error) = &editor.form.error {
        head.push(Line::styled(error.clone(), app.theme.error()));
    }
    if editor.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    // The intro wraps: give it the lines it needs.
    let wrapped: usize = head
        .iter()
        .map(|l| super::wrap_columns(&l.to_string(), area.width.max(1) as usize).len())
        .sum();
    let [top, body] =
        Layout::vertical([Constraint::Length(wrapped as u16 + 1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
    let numbered = usize::from(first_label.is_some());
    let mut labels: Vec<String> = first_label.into_iter().collect();
    labels.extend((1..=editor.form.fields.len() - numbered).map(|n| format!("{n:>2}.")));
    super::line_editor::rows(
        frame,
        body,
        app,
        (&editor.form, &labels, &editor.field_errors),
        None,
    );
}

pub fn plan(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &PlanScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale.tf("plan.title", &[("name", &screen.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(editor) = &screen.editor {
        let intro = app.t("plan.intro");
        line_editor(
            frame,
            inner,
            app,
            editor,
            (&intro, Some(app.t("plan.title_label"))),
        );
        return;
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &screen.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    if let Some(notice) = &screen.notice {
        lines.push(Line::styled(notice.clone(), app.theme.notice()));
    }
    if let Some((offers, cursor)) = &screen.templates {
        lines.push(Line::styled(app.t("plan.templates"), app.theme.label()));
        lines.push(Line::from(""));
        for (i, offer) in offers.iter().enumerate() {
            let star = if offer.suggested {
                app.t("plan.suggested")
            } else {
                " ".into()
            };
            let text = format!("{star} {}", offer.title);
            lines.push(if i == cursor.selected {
                Line::styled(format!("▸ {text}"), app.theme.selected())
            } else {
                Line::from(format!("  {text}"))
            });
        }
    } else {
        match &screen.view {
            None => lines.push(Line::from(app.t("common.working"))),
            Some(None) => lines.push(Line::styled(app.t("plan.none"), app.theme.label())),
            Some(Some(view)) => lines.extend(plan_lines(app, view, screen.cursor.selected)),
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("plan.keys"), app.theme.label()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
