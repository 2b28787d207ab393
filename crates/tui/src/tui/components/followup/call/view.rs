//! The call screen's drawing: the patient, readings and trend, last call, goals,
//! script (or, while the checklist field has the focus, the checklist with what is
//! ticked) at the left; the form at the right, then where the follow-up went: class,
//! referral and why, next date.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{CALL_HEAD, CALL_TAIL, CallScreen};
use crate::domain::followup::SymptomEffect;
use crate::domain::summary::{indicator_name, shown};
use crate::domain::time::format_time;
use crate::tui::app::App;
use crate::tui::view;

fn chinese(app: &App) -> bool {
    app.locale.lang == crate::i18n::Lang::ZhCn
}

/// The checklist, numbered, with what the typed numbers tick; danger signs marked.
fn checklist_lines(
    app: &App,
    view: &crate::clinic::followup::api::CallView,
    typed: &str,
) -> Vec<Line<'static>> {
    let zh = chinese(app);
    let ticked = super::ticked_numbers(typed, view.checklist.len()).unwrap_or_default();
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

pub(super) fn render(screen: &CallScreen, frame: &mut Frame<'_>, area: Rect, app: &App) {
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
        let mut lines = view::followup_messages(app, &screen.error, &screen.notice);
        if lines.is_empty() {
            lines.push(Line::from(app.t("common.working")));
        }
        frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
        return;
    };
    let zh = chinese(app);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(inner);
    let checklist = super::checklist_field(view.asks.len());
    // Left: what the nurse needs to know; the checklist while it is being ticked.
    let ticking =
        screen.saved.is_none() && screen.form.focus == checklist && !view.checklist.is_empty();
    let mut info = vec![Line::from(vec![
        Span::styled(view::kind_text(app, view.item.kind), app.theme.title()),
        Span::raw(format!(
            " · {} · {}",
            view.age
                .map(|a| app.locale.tf("call.age", &[("age", &a.to_string())]))
                .unwrap_or_default(),
            view.phone.clone().unwrap_or_else(|| app.t("call.no_phone"))
        )),
    ])];
    if view.visits_per_year > 0 && !super::record_form::fields(view.item.kind).is_empty() {
        info.push(Line::styled(
            app.locale.tf(
                "call.face_to_face",
                &[
                    (
                        "done",
                        &(view.face_to_face + u32::from(screen.saved.is_some() && screen.counted))
                            .to_string(),
                    ),
                    ("of", &view.visits_per_year.to_string()),
                ],
            ),
            app.theme.label(),
        ));
    }
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
            crate::domain::ucum::human_in(&r.unit, app.locale.lang)
        )));
    }
    if let Some(last) = &view.last_call {
        info.push(Line::styled(
            app.locale.tf(
                "call.last",
                &[
                    ("at", &format_time(last.at)),
                    ("by", &last.by),
                    ("visit", &view::visit_text(app, last.input.visit)),
                    (
                        "outcome",
                        &app.t(&format!("call.outcome.{}", last.input.outcome.key())),
                    ),
                ],
            ),
            app.theme.label(),
        ));
        if !last.input.notes.is_empty() {
            // Three lines of the last note at most, so the script stays on screen; the
            // whole note is in the follow-up history (f).
            let quoted = format!("  “{}”", last.input.notes);
            let columns = left.width.saturating_sub(1) as usize;
            let mut lines = view::wrap_columns(&quoted, columns);
            if lines.len() > 3 {
                lines.truncate(3);
                if let Some(last_line) = lines.last_mut() {
                    while unicode_width::UnicodeWidthStr::width(last_line.as_str()) + 2 > columns
                        && last_line.pop().is_some()
                    {}
                    last_line.push_str(" …");
                }
            }
            info.extend(lines.into_iter().map(Line::from));
        }
    }
    if !view.goals.is_empty() {
        info.push(Line::styled(app.t("call.goals"), app.theme.label()));
        for goal in &view.goals {
            info.push(Line::from(format!(
                "  {}",
                app.locale.tf(
                    "call.goal",
                    &[
                        (
                            "goal",
                            &crate::tui::components::care::plan::goal_text(app, goal)
                        ),
                        ("by", &goal.by.to_string()),
                    ],
                )
            )));
        }
    }
    info.push(Line::styled(app.t("call.script"), app.theme.label()));
    let script = if zh { &view.script_zh } else { &view.script_en };
    for (i, line) in script.iter().enumerate() {
        info.push(Line::from(format!("{}. {line}", i + 1)));
    }
    if ticking {
        info = checklist_lines(app, view, screen.form.value(checklist));
    } else if screen.saved.is_none()
        && let Some(help) =
            super::record_key(view, screen.form.focus).and_then(|key| record_help(app, screen, key))
    {
        info = help;
    }
    // Wrapped by the one line breaker: no "1." alone, no line starting with "、".
    let info = view::wrap_lines(info, left.width.saturating_sub(1));
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
        if let Some(suggested) = saved.suggested {
            lines.push(Line::styled(
                app.locale.tf(
                    "call.class_suggested",
                    &[(
                        "class",
                        &app.t(&format!("call.class_name.{}", suggested.key())),
                    )],
                ),
                app.theme.label(),
            ));
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
            let days = (next - crate::domain::time::clinic_zone().today(app.now))
                .num_days()
                .max(0);
            lines.push(Line::from(app.locale.tf(
                "call.next_due",
                &[("date", &next.to_string()), ("days", &days.to_string())],
            )));
        }
        // A flag other than the referral (its reasons are listed above).
        if let Some(flag) = saved.flag.as_ref().filter(|_| saved.reasons.is_empty()) {
            lines.push(Line::styled(
                format!(
                    "⚑ {}",
                    crate::domain::followup_flag::flag_text(flag, app.locale.lang)
                ),
                app.theme.warning(),
            ));
        }
        lines.extend(view::followup_messages(app, &screen.error, &screen.notice));
        if let Some(form) = &screen.attach {
            lines.push(Line::from(""));
            lines.push(Line::styled(app.t("call.attach_intro"), app.theme.label()));
            if let Some(e) = &form.error {
                lines.push(Line::styled(e.clone(), app.theme.error()));
            }
            if form.busy {
                lines.push(Line::styled(app.t("common.working"), app.theme.label()));
            }
            // Counted after wrapping: a long error must push the field down, never
            // be drawn over by it.
            let lines = view::wrap_lines(lines, right.width);
            let height = (lines.len() as u16).min(right.height.saturating_sub(2));
            frame.render_widget(crate::tui::view::wrapped(lines, right.width), right);
            let field_area = Rect {
                y: right.y + height + 1,
                height: 1,
                ..right
            };
            view::form_fields(frame, field_area, app, form, &[app.t("call.file")]);
            return;
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("call.after_keys"), app.theme.label()));
        frame.render_widget(crate::tui::view::wrapped(lines, right.width), right);
        return;
    }
    let mut labels: Vec<String> = CALL_HEAD
        .iter()
        .map(|f| app.t(&format!("call.field.{f}")))
        .collect();
    labels.extend(view.asks.iter().map(|k| {
        let unit = crate::domain::indicators::by_key(k)
            .map(|i| crate::domain::ucum::human_in(i.unit, app.locale.lang))
            .unwrap_or_default();
        format!(
            "{} ({unit})",
            indicator_name(k, crate::i18n::Lang::from_chinese(zh))
        )
    }));
    labels.extend(CALL_TAIL.iter().map(|f| app.t(&format!("call.field.{f}"))));
    labels.extend(
        super::record_form::fields(view.item.kind)
            .iter()
            .map(|f| app.t(&format!("call.form.{f}"))),
    );
    let mut head = vec![Line::styled(app.t("call.form_intro"), app.theme.label())];
    head.extend(view::followup_messages(app, &screen.error, &screen.notice));
    if screen.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    // The intro wraps by the one line breaker: give it the lines it needs.
    let head = view::wrap_lines(head, right.width.max(1));
    let height = head.len();
    let [top, body] =
        Layout::vertical([Constraint::Length(height as u16 + 1), Constraint::Min(1)]).areas(right);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
    // Notes are typed at length: while they have the focus they get the whole width
    // of the screen at the bottom, wrapped, over the script; their row points there.
    let notes = super::notes_field(view.asks.len());
    let writing_notes = screen.form.focus == notes;
    let pointing;
    let form = if writing_notes {
        let mut fields = screen.form.fields.clone();
        fields[notes] = crate::tui::field::Field::with("↓");
        pointing = crate::tui::screens::Form {
            fields,
            focus: notes,
            ..Default::default()
        };
        &pointing
    } else {
        &screen.form
    };
    view::line_editor_rows(
        frame,
        body,
        app,
        (form, &labels, &screen.field_errors),
        None,
    );
    if writing_notes {
        let rows = (inner.height / 4).clamp(4, 10);
        let area = Rect {
            y: inner.y + inner.height.saturating_sub(rows),
            height: rows.min(inner.height),
            ..inner
        };
        let title = app
            .locale
            .tf("call.notes_title", &[("label", &labels[notes])]);
        view::note_area::render(frame, area, app, &screen.form.fields[notes], &title);
    }
}

/// What to type in the record form's field `key`, shown at the left while it has the
/// focus; for the class, the protocol's class offered as the default.
fn record_help(app: &App, screen: &CallScreen, key: &str) -> Option<Vec<Line<'static>>> {
    let help = super::record_form::help_key(key)?;
    let mut lines = vec![
        Line::styled(app.t(&format!("call.form.{key}")), app.theme.title()),
        Line::from(app.t(&help)),
    ];
    if key == "class" {
        let offered = screen
            .preview
            .as_ref()
            .and_then(|p| p.class)
            .map(|class| app.t(&format!("call.class_name.{}", class.key())));
        lines.push(Line::styled(
            match offered {
                Some(class) => app.locale.tf("call.class_offered", &[("class", &class)]),
                None => app.t("call.class_none_offered"),
            },
            app.theme.notice(),
        ));
    }
    Some(lines)
}
