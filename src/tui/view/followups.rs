//! The follow-up screens: the call queue (counts, filter, a window of rows), the call
//! screen (the patient, readings and trend, last call, goals, script — or, while the
//! checklist field has the focus, the checklist with what is ticked — and the form;
//! then where the follow-up went: class, referral and why, next date). The
//! follow-up history draws its rows with `kind_text`, `visit_text` and `messages`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::clinic::followup_api::QueueGroup;
use crate::domain::followup::{SymptomEffect, VisitKind};
use crate::domain::summary::{indicator_name, shown};
use crate::domain::time::format_time;
use crate::tui::app::App;
use crate::tui::screens::{CALL_HEAD, CALL_TAIL, CallScreen, QueueScreen};

fn chinese(app: &App) -> bool {
    app.locale.lang == crate::i18n::Lang::ZhCn
}

pub(crate) fn kind_text(app: &App, kind: crate::domain::followup::Kind) -> String {
    app.t(&format!("followup.kind.{}", kind.key()))
}

pub(crate) fn visit_text(app: &App, visit: VisitKind) -> String {
    app.t(&format!("call.visit.{}", visit.key()))
}

/// The checklist, numbered, with what the typed numbers tick; danger signs marked.
fn checklist_lines(
    app: &App,
    view: &crate::clinic::followup_api::CallView,
    typed: &str,
) -> Vec<Line<'static>> {
    let zh = chinese(app);
    let ticked = crate::tui::call::ticked_numbers(typed, view.checklist.len()).unwrap_or_default();
    let mut lines = vec![Line::styled(
        app.t("call.checklist_title"),
        app.theme.title(),
    )];
    for (i, item) in view.checklist.iter().enumerate() {
        let tick = if ticked.contains(&(i + 1)) {
            "[x]"
        } else {
            "[ ]"
        };
        let mark = match item.effect {
            SymptomEffect::Emergency => "!",
            SymptomEffect::Complication => "+",
            SymptomEffect::Record => " ",
        };
        let text = format!(
            "{tick}{mark}{:>2} {}",
            i + 1,
            if zh { &item.zh } else { &item.en }
        );
        lines.push(if item.effect == SymptomEffect::Record {
            Line::from(text)
        } else {
            Line::styled(text, app.theme.warning())
        });
    }
    lines.push(Line::styled(
        app.t("call.checklist_legend"),
        app.theme.label(),
    ));
    lines
}

pub(crate) fn messages(
    app: &App,
    error: &Option<String>,
    notice: &Option<String>,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(e) = error {
        lines.push(Line::styled(e.clone(), app.theme.error()));
    }
    if let Some(n) = notice {
        lines.push(Line::styled(n.clone(), app.theme.notice()));
    }
    lines
}

pub fn queue(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &QueueScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", app.t("queue.title")),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(view) = &screen.view else {
        frame.render_widget(Paragraph::new(app.t("common.working")), inner);
        return;
    };
    let all = app.t("queue.all");
    let group = match screen.filter.group {
        None => all.clone(),
        Some(QueueGroup::Overdue) => app.t("queue.overdue"),
        Some(QueueGroup::Today) => app.t("queue.today"),
        Some(QueueGroup::Upcoming) => app.t("queue.upcoming"),
    };
    let kind = screen
        .filter
        .kind
        .map(|k| kind_text(app, k))
        .unwrap_or_else(|| all.clone());
    let team = screen.filter.team.clone().unwrap_or_else(|| all.clone());
    let tag = screen.filter.tag.clone().unwrap_or_else(|| all.clone());
    let mut head = vec![
        Line::from(app.locale.tf(
            "queue.counts",
            &[
                ("overdue", &view.counts.overdue.to_string()),
                ("today", &view.counts.today.to_string()),
                ("upcoming", &view.counts.upcoming.to_string()),
            ],
        )),
        Line::styled(
            app.locale.tf(
                "queue.filter",
                &[
                    ("group", &group),
                    ("kind", &kind),
                    ("team", &team),
                    ("tag", &tag),
                ],
            ),
            app.theme.label(),
        ),
    ];
    head.extend(messages(app, &screen.error, &screen.notice));
    if let Some(form) = &screen.tag_prompt {
        head.push(Line::styled(app.t("queue.tag_intro"), app.theme.label()));
        let field = &form.fields[0];
        let label = format!("# {} ", app.t("action.filter_tag"));
        let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
        head.push(Line::from(vec![
            Span::styled(label, app.theme.focus()),
            Span::raw(field.shown()),
        ]));
        let y = inner.y + head.len() as u16 - 1;
        frame.set_cursor_position((inner.x + width + field.cursor_columns(), y));
    }
    let [top, table, keys] = Layout::vertical([
        Constraint::Length(head.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head), top);
    frame.render_widget(
        Paragraph::new(Line::styled(app.t("queue.keys"), app.theme.label())),
        keys,
    );
    if view.total == 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("queue.empty"), app.theme.label())),
            table,
        );
        return;
    }
    let headers = vec![
        app.t("queue.priority"),
        app.t("queue.due"),
        app.t("queue.patient"),
        app.t("queue.kind"),
        app.t("queue.team"),
        app.t("queue.state"),
    ];
    let widths = [
        Constraint::Length(3),
        Constraint::Length(11),
        Constraint::Length(16),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    let today = app.now.date_naive();
    let cells = |i: usize| match screen.row(i) {
        Some(row) => {
            let item = &row.item;
            let due = if item.due < today {
                format!("{}!", item.due.format("%m-%d"))
            } else {
                item.due.format("%m-%d").to_string()
            };
            let state = match (&row.not_callable, &item.flag, item.tries) {
                (Some(why), _, _) => {
                    format!(
                        "✗ {}",
                        crate::tui::queue::not_callable_text(&app.locale, why)
                    )
                }
                (None, Some(flag), _) => format!("⚑ {flag}"),
                (None, None, 0) => String::new(),
                (None, None, n) => app.locale.tf("queue.tries", &[("n", &n.to_string())]),
            };
            let who = match row.age {
                Some(age) => format!("{} {age}", row.name),
                None => row.name.clone(),
            };
            vec![
                format!("P{}", item.priority),
                due,
                who,
                kind_text(app, item.kind),
                item.assigned.clone(),
                state,
            ]
        }
        None => vec!["…".into(); 6],
    };
    super::lists::windowed_table(
        frame,
        table,
        app,
        (headers, &widths),
        screen.cursor,
        (screen.total(), &cells),
    );
}

pub fn call(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &CallScreen) {
    let title = screen
        .view
        .as_ref()
        .map(|v| app.locale.tf("call.title", &[("name", &v.name)]))
        .unwrap_or_else(|| app.t("call.title_loading"));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(view) = &screen.view else {
        let mut lines = messages(app, &screen.error, &screen.notice);
        if lines.is_empty() {
            lines.push(Line::from(app.t("common.working")));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    };
    let zh = chinese(app);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(inner);
    let checklist = crate::tui::call::checklist_field(view.asks.len());
    // Left: what the nurse needs to know; the checklist while it is being ticked.
    let ticking =
        screen.saved.is_none() && screen.form.focus == checklist && !view.checklist.is_empty();
    let mut info = vec![Line::from(vec![
        Span::styled(kind_text(app, view.item.kind), app.theme.title()),
        Span::raw(format!(
            " · {} · {}",
            view.age
                .map(|a| app.locale.tf("call.age", &[("age", &a.to_string())]))
                .unwrap_or_default(),
            view.phone.clone().unwrap_or_else(|| app.t("call.no_phone"))
        )),
    ])];
    for r in &view.readings {
        let values: Vec<String> = r
            .values
            .iter()
            .map(|(_, v)| shown(&r.indicator, *v))
            .collect();
        let trend = if values.is_empty() {
            app.t("call.no_readings")
        } else {
            values.join(" ← ")
        };
        info.push(Line::from(format!(
            "{} {trend} {}",
            indicator_name(&r.indicator, crate::i18n::Lang::from_chinese(zh)),
            r.unit
        )));
    }
    if let Some(last) = &view.last_call {
        info.push(Line::styled(
            app.locale.tf(
                "call.last",
                &[
                    ("at", &format_time(last.at)),
                    ("by", &last.by),
                    ("visit", &visit_text(app, last.input.visit)),
                    (
                        "outcome",
                        &app.t(&format!("call.outcome.{}", last.input.outcome.key())),
                    ),
                ],
            ),
            app.theme.label(),
        ));
        if !last.input.notes.is_empty() {
            info.push(Line::from(format!("  “{}”", last.input.notes)));
        }
    }
    if !view.goals.is_empty() {
        info.push(Line::styled(app.t("call.goals"), app.theme.label()));
        for g in &view.goals {
            info.push(Line::from(format!("  {g}")));
        }
    }
    info.push(Line::styled(app.t("call.script"), app.theme.label()));
    let script = if zh { &view.script_zh } else { &view.script_en };
    for (i, line) in script.iter().enumerate() {
        info.push(Line::from(format!("{}. {line}", i + 1)));
    }
    if ticking {
        info = checklist_lines(app, view, screen.form.value(checklist));
    }
    frame.render_widget(
        Paragraph::new(info)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::RIGHT)),
        left,
    );
    let right = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    // Right: the form, or where the follow-up went.
    if let Some(saved) = &screen.saved {
        let mut lines = vec![Line::styled(app.t("call.saved"), app.theme.notice())];
        if let Some(class) = saved.class {
            lines.push(Line::from(app.locale.tf(
                "call.class",
                &[("class", &app.t(&format!("call.class_name.{}", class.key())))],
            )));
        }
        if !saved.reasons.is_empty() {
            let key = if saved.reasons.iter().any(|r| r.emergency()) {
                "call.emergency"
            } else {
                "call.referral"
            };
            lines.push(Line::styled(app.t(key), app.theme.warning()));
            for reason in &saved.reasons {
                lines.push(Line::styled(
                    format!("  • {}", reason.text(crate::i18n::Lang::from_chinese(zh))),
                    app.theme.warning(),
                ));
            }
        }
        if let Some(retry) = saved.retry {
            lines.push(Line::from(
                app.locale.tf("call.retry", &[("date", &retry.to_string())]),
            ));
        }
        if let Some(next) = saved.next_due {
            let days = (next - app.now.date_naive()).num_days().max(0);
            lines.push(Line::from(app.locale.tf(
                "call.next_due",
                &[("date", &next.to_string()), ("days", &days.to_string())],
            )));
        }
        // A flag other than the referral (its reasons are listed above).
        if let Some(flag) = saved.flag.as_ref().filter(|_| saved.reasons.is_empty()) {
            lines.push(Line::styled(format!("⚑ {flag}"), app.theme.warning()));
        }
        lines.extend(messages(app, &screen.error, &screen.notice));
        if let Some(form) = &screen.attach {
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("call.attach_intro"), app.theme.label()));
            if let Some(e) = &form.error {
                lines.push(Line::styled(e.clone(), app.theme.error()));
            }
            if form.busy {
                lines.push(Line::styled(app.t("common.working"), app.theme.label()));
            }
            let height = lines.len() as u16;
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), right);
            let field_area = Rect {
                y: right.y + height + 1,
                height: 1,
                ..right
            };
            super::forms::fields(frame, field_area, app, form, &[app.t("call.file")]);
            return;
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("call.after_keys"), app.theme.label()));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), right);
        return;
    }
    let mut labels: Vec<String> = CALL_HEAD
        .iter()
        .map(|f| app.t(&format!("call.field.{f}")))
        .collect();
    labels.extend(view.asks.iter().map(|k| {
        let unit = crate::domain::indicators::by_key(k)
            .map(|i| i.unit)
            .unwrap_or("");
        format!(
            "{} ({unit})",
            indicator_name(k, crate::i18n::Lang::from_chinese(zh))
        )
    }));
    labels.extend(CALL_TAIL.iter().map(|f| app.t(&format!("call.field.{f}"))));
    let mut head = vec![Line::styled(app.t("call.form_intro"), app.theme.label())];
    head.extend(messages(app, &screen.error, &screen.notice));
    if screen.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    // The intro wraps: give it the lines it needs.
    let height: usize = head
        .iter()
        .map(|l| super::wrap_columns(&l.to_string(), right.width.max(1) as usize).len())
        .sum();
    let [top, body] =
        Layout::vertical([Constraint::Length(height as u16 + 1), Constraint::Min(1)]).areas(right);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
    super::line_editor::rows(
        frame,
        body,
        app,
        (&screen.form, &labels, &screen.field_errors),
        None,
    );
}
