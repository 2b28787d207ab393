//! The care sections of the health report: the intervention plan with each goal's
//! progress and the actions, the stage summary that covers the period, and the
//! follow-up plans and calls.

use super::document::{Block, Cell, Table};
use super::health_report::{col, date_of, unit_text};
use crate::clinic::care::reports::ClinicalPart;
use crate::domain::followup::{CallInput, Outcome, PlanStatus};
use crate::domain::plan::{ActionKind, Direction, Progress};
use crate::domain::summary_text::{indicator_name, shown};
use crate::i18n::Locale;

fn action_kind(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Diet => "plan.kind.diet",
        ActionKind::Exercise => "plan.kind.exercise",
        ActionKind::MedicationReview => "plan.kind.medication_review",
        ActionKind::Education => "plan.kind.education",
        ActionKind::FollowUpCall => "plan.kind.follow_up_call",
        ActionKind::Other => "plan.kind.other",
    }
}

pub(super) fn plan(c: &ClinicalPart, loc: &Locale, zh: bool, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(loc.t("report.plan")));
    let Some(view) = &c.plan else {
        blocks.push(Block::Note(loc.t("report.no_plan")));
        return;
    };
    let plan = &view.current.plan;
    let status = if plan.active {
        loc.t("report.plan_active")
    } else {
        loc.t("report.plan_closed")
    };
    blocks.push(Block::Paragraph(loc.tf(
        "report.plan_line",
        &[
            ("title", &plan.title),
            ("status", &status),
            ("since", &date_of(view.current.started)),
        ],
    )));
    let rows = plan
        .goals
        .iter()
        .zip(&view.progress)
        .map(|(g, p)| {
            let op = match g.direction {
                Direction::AtMost => "≤",
                Direction::AtLeast => "≥",
            };
            let shown_value = |v: f64| shown(&g.indicator, v);
            let (text, alert) = match p {
                Progress::Met { latest } => (
                    loc.tf("report.met", &[("latest", &shown_value(*latest))]),
                    false,
                ),
                Progress::Moving {
                    latest,
                    fraction,
                    overdue,
                } => {
                    let percent = format!("{:.0}", (fraction * 100.0).clamp(0.0, 100.0));
                    let key = if *overdue {
                        "report.moving_overdue"
                    } else {
                        "report.moving"
                    };
                    (
                        loc.tf(
                            key,
                            &[("percent", &percent), ("latest", &shown_value(*latest))],
                        ),
                        *overdue,
                    )
                }
                Progress::NoData => (loc.t("report.no_data"), false),
            };
            vec![
                Cell::plain(indicator_name(
                    &g.indicator,
                    crate::i18n::Lang::from_chinese(zh),
                )),
                Cell::plain(format!("{op} {}", shown_value(g.target))),
                Cell::plain(g.by.to_string()),
                Cell::alert(text, alert),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: vec![
            col(loc, "report.goal", 0.3, false),
            col(loc, "report.target", 0.14, true),
            col(loc, "report.by_date", 0.16, false),
            col(loc, "report.progress", 0.4, false),
        ],
        rows,
    }));
    if !plan.actions.is_empty() {
        blocks.push(Block::Paragraph(loc.t("report.actions")));
        blocks.push(Block::Bullets(
            plan.actions
                .iter()
                .map(|a| {
                    let state = if a.done {
                        loc.t("report.action_done")
                    } else {
                        loc.t("report.action_open")
                    };
                    let due = a.due.map(|d| format!(" · {d}")).unwrap_or_default();
                    format!(
                        "{}: {} ({}{due}) — {state}",
                        loc.t(action_kind(a.kind)),
                        a.description,
                        a.owner
                    )
                })
                .collect(),
        ));
    }
}

pub(super) fn summary(c: &ClinicalPart, loc: &Locale, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(loc.t("report.summary")));
    let Some(version) = &c.summary else {
        blocks.push(Block::Note(loc.t("report.no_summary")));
        return;
    };
    let status = match &version.signed {
        Some((by, at)) => loc.tf(
            "report.summary_signed",
            &[("by", by), ("date", &date_of(*at))],
        ),
        None => loc.t("report.summary_draft"),
    };
    let period = &version.summary.period;
    blocks.push(Block::Note(loc.tf(
        "report.summary_line",
        &[
            ("from", &period.from.to_string()),
            ("to", &period.to.to_string()),
            ("status", &status),
        ],
    )));
    for paragraph in version
        .summary
        .text
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        blocks.push(Block::Paragraph(paragraph.to_string()));
    }
}

fn readings(input: &CallInput, zh: bool) -> String {
    input
        .readings
        .iter()
        .map(|(key, value)| {
            let unit = crate::domain::indicators::by_key(key)
                .map(|i| format!(" {}", unit_text(i.unit)))
                .unwrap_or_default();
            format!(
                "{} {}{unit}",
                indicator_name(key, crate::i18n::Lang::from_chinese(zh)),
                shown(key, *value)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn followups(c: &ClinicalPart, loc: &Locale, zh: bool, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(loc.t("report.followups")));
    if !c.followup_plans.is_empty() {
        blocks.push(Block::Bullets(
            c.followup_plans
                .iter()
                .map(|p| {
                    let kind = loc.t(&format!("followup.kind.{}", p.kind.key()));
                    let state = match &p.status {
                        PlanStatus::Active => loc.tf(
                            "report.every_days",
                            &[
                                ("days", &p.interval_days.to_string()),
                                ("date", &p.next_due.to_string()),
                            ],
                        ),
                        PlanStatus::Closed { .. } => loc.t("report.closed_plan"),
                    };
                    format!("{kind}: {state}")
                })
                .collect(),
        ));
    }
    if c.calls.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_followups")));
        return;
    }
    let rows = c
        .calls
        .iter()
        .map(|call| {
            let mut outcome = format!(
                "{} ({})",
                loc.t(&format!("call.outcome.{}", call.input.outcome.key())),
                loc.t(&format!("call.visit.{}", call.input.visit.key()))
            );
            // A referral names its reasons.
            if !call.reasons.is_empty() {
                let reasons: Vec<String> = call
                    .reasons
                    .iter()
                    .map(|r| r.text(crate::i18n::Lang::from_chinese(zh)))
                    .collect();
                outcome = format!("{outcome}: {}", reasons.join("; "));
            }
            vec![
                Cell::plain(date_of(call.at)),
                Cell::plain(loc.t(&format!("followup.kind.{}", call.kind.key()))),
                Cell::alert(
                    outcome,
                    call.referral || call.input.outcome == Outcome::WrongNumber,
                ),
                Cell::plain(readings(&call.input, zh)),
                Cell::plain(call.by.clone()),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: vec![
            col(loc, "report.date", 0.16, false),
            col(loc, "report.followup", 0.18, false),
            col(loc, "report.outcome", 0.16, false),
            col(loc, "report.readings", 0.36, false),
            col(loc, "report.staff", 0.14, false),
        ],
        rows,
    }));
}
