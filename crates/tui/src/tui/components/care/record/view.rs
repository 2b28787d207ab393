//! The health record: sections on the left; on the right the selected section, its
//! editor (rows, then the reason) or its history (who, when, why; before and after).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{HistoryView, RecordScreen, SectionEditor};
use crate::domain::amendment::{Demographics, Section, SectionValue};
use crate::domain::record_form::{self, Layout as FormLayout};
use crate::tui::app::App;
use crate::tui::components::desk::register::{DEMOGRAPHIC_FIELDS, REGISTER_FIELDS};
use crate::tui::view::{line_editor_rows, masked_id, masked_phone, pad, sex_text, windowed_table};

fn section_title(app: &App, section: Section) -> String {
    app.t(&format!("section.{}", section.name()))
}

/// "Label   value" with the label padded to `width` columns.
fn labelled(app: &App, label: String, value: String, width: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled(pad(&label, width), app.theme.label()),
        Span::raw(value),
    ])
}

/// The 健康档案编号 line, above the demographics (it is not one of them: it never
/// changes).
fn record_number_line(app: &App, number: Option<&str>) -> Line<'static> {
    let shown = match number {
        Some(n) => crate::domain::record_number::grouped(n),
        None => app.t("record.no_number"),
    };
    labelled(app, app.t("record.number"), shown, 16)
}

fn demographic_lines(app: &App, d: &Demographics, masked: bool) -> Vec<Line<'static>> {
    let id_type = d.id_type.name(app.locale.lang);
    let phone = d.phone.clone().unwrap_or_default();
    let id_number = d.id_number.clone().unwrap_or_default();
    let values = [
        d.name.clone(),
        sex_text(app, d.sex),
        d.birth_date.map(|b| b.to_string()).unwrap_or_default(),
        if masked { masked_phone(&phone) } else { phone },
        id_type,
        if masked {
            masked_id(&id_number)
        } else {
            id_number
        },
        d.address.clone().unwrap_or_default(),
        d.emergency_contact.clone().unwrap_or_default(),
    ];
    REGISTER_FIELDS[..DEMOGRAPHIC_FIELDS]
        .iter()
        .zip(values)
        .map(|(name, value)| labelled(app, app.t(&format!("register.{name}")), value, 16))
        .collect()
}

/// A section's content for reading.
/// A section's value as lines `columns` wide: a field's label and value side by side,
/// or, where the labels leave a value too little room (a history's half screen), the
/// value on its own line under its label.
fn value_lines(app: &App, value: &SectionValue, masked: bool, columns: u16) -> Vec<Line<'static>> {
    match value {
        SectionValue::Demographics(d) => demographic_lines(app, d, masked),
        other => match record_form::layout(other.section()) {
            FormLayout::Entries(_) => {
                let entries = record_form::entry_text_in(other, app.locale.lang);
                if entries.is_empty() {
                    vec![Line::styled(
                        app.t("patient.none_recorded"),
                        app.theme.label(),
                    )]
                } else {
                    entries
                        .into_iter()
                        .map(|e| Line::from(format!("• {e}")))
                        .collect()
                }
            }
            FormLayout::Fields(names) => {
                let labels: Vec<String> = names
                    .iter()
                    .map(|name| app.t(&format!("record.field.{name}")))
                    .collect();
                // The labels' own width, so a long one never runs into its value.
                let width = labels
                    .iter()
                    .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
                    .max()
                    .unwrap_or(0)
                    + 2;
                let mut rows: Vec<(String, String)> = labels
                    .into_iter()
                    .zip(record_form::rows_in(other, app.locale.lang))
                    .collect();
                if let SectionValue::Measurements(m) = other
                    && let Some(bmi) = m.bmi()
                {
                    rows.push((app.t("record.bmi"), format!("{bmi:.1}")));
                }
                let side_by_side = width + 12 <= columns as usize;
                let mut lines = Vec::new();
                for (label, value) in rows {
                    if side_by_side {
                        // A long value wraps under itself, not under the labels.
                        let mut parts =
                            crate::linebreak::wrap_columns(&value, usize::from(columns) - width)
                                .into_iter();
                        lines.push(labelled(
                            app,
                            label,
                            parts.next().unwrap_or_default(),
                            width,
                        ));
                        lines.extend(
                            parts.map(|rest| Line::from(format!("{}{rest}", " ".repeat(width)))),
                        );
                    } else {
                        lines.push(Line::styled(label, app.theme.label()));
                        let shown = if value.is_empty() {
                            "—".to_string()
                        } else {
                            value
                        };
                        lines.push(Line::from(format!("  {shown}")));
                    }
                }
                lines
            }
        },
    }
}

/// The codes the focused field of the 个人基本信息表 takes, narrowed by the word being
/// typed (after the last separator of a field that takes several), on as many lines
/// as they need up to three.
fn choices(app: &App, editor: &SectionEditor, width: u16) -> Option<Line<'static>> {
    if editor.section != Section::BasicInfo {
        return None;
    }
    let name = crate::domain::basic_info::FIELD_NAMES.get(editor.form.focus)?;
    if crate::domain::basic_info::kind(name) == Some(crate::domain::basic_info::FieldKind::Declared)
    {
        return Some(Line::styled(
            app.t("record.declared_hint"),
            app.theme.notice(),
        ));
    }
    let set = crate::domain::basic_info::code_set(name)?;
    let typed = editor.form.fields.get(editor.form.focus)?.value.as_str();
    Some(crate::tui::view::code_choices(app, set, typed, width))
}

/// The labels of an editor's rows, the reason's last.
fn editor_labels(app: &App, editor: &SectionEditor) -> Vec<String> {
    let rows = editor.reason_index();
    let mut labels: Vec<String> = match record_form::layout(editor.section) {
        _ if editor.section == Section::Demographics => REGISTER_FIELDS[..DEMOGRAPHIC_FIELDS]
            .iter()
            .map(|n| app.t(&format!("register.{n}")))
            .collect(),
        FormLayout::Entries(_) => (1..=rows).map(|n| format!("{n:>2}.")).collect(),
        FormLayout::Fields(names) => names
            .iter()
            .map(|n| app.t(&format!("record.field.{n}")))
            .collect(),
    };
    labels.push(app.t("record.reason"));
    labels
}

fn editor(frame: &mut Frame<'_>, area: Rect, app: &App, editor: &SectionEditor) {
    let intro = match record_form::layout(editor.section) {
        FormLayout::Entries(parts) if editor.section != Section::Demographics => app.locale.tf(
            "record.entries_intro",
            &[(
                "parts",
                &parts
                    .iter()
                    .map(|p| app.t(&format!("record.part.{p}")))
                    .collect::<Vec<_>>()
                    .join("; "),
            )],
        ),
        _ => app.t("record.fields_intro"),
    };
    let mut head = vec![Line::styled(intro, app.theme.label())];
    if let Some(error) = &editor.form.error {
        head.push(Line::styled(error.clone(), app.theme.error()));
    }
    if editor.form.busy {
        head.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    let mut head_height = 2 + head.len() as u16;
    // The choices of a coded field, wrapped by the one line breaker, under the intro.
    if let Some(choices) = choices(app, editor, area.width) {
        let lines = crate::tui::view::wrap_lines(vec![choices], area.width);
        head_height += lines.len() as u16;
        head.splice(1..1, lines);
    }
    let [top, body] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(area);
    frame.render_widget(crate::tui::view::wrapped(head, area.width), top);

    let labels = editor_labels(app, editor);
    line_editor_rows(
        frame,
        body,
        app,
        (&editor.form, &labels, &editor.field_errors),
        Some(editor.reason_index()),
    );
}

/// The fields one change changed: each label, then its value before (−) and after (+),
/// wrapped to the width; the unchanged ones counted; a "more" row when it runs on.
fn field_changes(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    history: &HistoryView,
    (change, names): (&crate::domain::amendment::Amendment, &[&str]),
) {
    let lang = app.locale.lang;
    // "  − value", its continuation lines under the value, not under the mark.
    let columns = usize::from(area.width).saturating_sub(4).max(8);
    let marked = |mark: &str, value: String| -> Vec<Line<'static>> {
        let value = if value.is_empty() {
            "—".to_string()
        } else {
            value
        };
        crate::linebreak::wrap_columns(&value, columns)
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let lead = if i == 0 {
                    format!("  {mark} ")
                } else {
                    "    ".to_string()
                };
                Line::from(format!("{lead}{part}"))
            })
            .collect()
    };
    let before = record_form::rows_in(&change.before, lang);
    let after = record_form::rows_in(&change.after, lang);
    let mut lines = Vec::new();
    let mut unchanged = 0;
    for (i, name) in names.iter().enumerate() {
        let (old, new) = (
            before.get(i).cloned().unwrap_or_default(),
            after.get(i).cloned().unwrap_or_default(),
        );
        if old == new {
            unchanged += 1;
            continue;
        }
        lines.push(Line::styled(
            app.t(&format!("record.field.{name}")),
            app.theme.label(),
        ));
        lines.extend(marked("−", old));
        lines.extend(marked("+", new));
    }
    if unchanged > 0 {
        lines.push(Line::styled(
            app.locale.tf(
                "record.unchanged_fields",
                &[("count", &unchanged.to_string())],
            ),
            app.theme.label(),
        ));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(app.t("record.changes"), app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = crate::tui::view::wrap_lines(lines, inner.width);
    let height = usize::from(inner.height);
    history.detail_max.set(lines.len().saturating_sub(height));
    let top = history.detail_scroll.min(history.detail_max.get());
    lines.drain(..top);
    if lines.len() > height && height > 0 {
        lines.truncate(height - 1);
        lines.push(Line::styled(app.t("record.more"), app.theme.notice()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn history(frame: &mut Frame<'_>, area: Rect, app: &App, history: &HistoryView) {
    if history.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(app.t("record.no_history")).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let list_height = (history.entries.len() as u16 + 1)
        .min(area.height / 3)
        .max(2);
    let [list, details] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(1)]).areas(area);
    let headers = vec![
        app.t("record.when"),
        app.t("record.by"),
        app.t("record.reason"),
    ];
    let widths = [
        Constraint::Length(16),
        Constraint::Length(22),
        Constraint::Fill(1),
    ];
    let cells = |i: usize| {
        let a = &history.entries[i];
        vec![
            crate::domain::time::format_time(a.at),
            format!("{} ({})", a.by, app.t(&format!("role.{}", a.role.as_str()))),
            a.reason.clone(),
        ]
    };
    windowed_table(
        frame,
        list,
        app,
        (headers, &widths),
        history.cursor,
        (history.entries.len(), &cells),
    );
    let Some(selected) = history.entries.get(history.cursor.selected) else {
        return;
    };
    // A section of named fields (the 个人基本信息表's 26): only the fields that changed,
    // each before and after, the width of the screen, scrolled with PgDn.
    if let FormLayout::Fields(names) = record_form::layout(selected.section())
        && !names.is_empty()
    {
        field_changes(frame, details, app, history, (selected, names));
        return;
    }
    let [before, after] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
        .spacing(1)
        .areas(details);
    for (rect, key, value) in [
        (before, "record.before", &selected.before),
        (after, "record.after", &selected.after),
    ] {
        let block = Block::default()
            .borders(Borders::TOP)
            .title(Span::styled(app.t(key), app.theme.title()));
        frame.render_widget(
            crate::tui::view::wrapped(value_lines(app, value, false, rect.width), rect.width)
                .block(block)
                .wrap(Wrap { trim: false }),
            rect,
        );
    }
}

pub(super) fn record(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &RecordScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale
            .tf("record.title", &[("name", &screen.patient.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let message = match (&screen.error, &screen.notice) {
        (Some(e), _) => Some(Line::styled(e.clone(), app.theme.error())),
        (None, Some(n)) => Some(Line::styled(n.clone(), app.theme.notice())),
        _ => None,
    };
    let [main, bottom] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(message.is_some())),
    ])
    .areas(inner);
    if let Some(message) = message {
        frame.render_widget(Paragraph::new(message), bottom);
    }
    let [left, right] =
        Layout::horizontal([Constraint::Length(20), Constraint::Min(1)]).areas(main);
    let sections: Vec<Line> = screen
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == screen.cursor.selected {
                let text = pad(&format!("▸{}", section_title(app, *s)), 19);
                Line::styled(text, app.theme.selected())
            } else {
                Line::from(pad(&format!(" {}", section_title(app, *s)), 19))
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(sections).block(Block::default().borders(Borders::RIGHT)),
        left,
    );
    let right = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    let section = screen.selected();
    let heading = match (&screen.editor, &screen.history) {
        (Some(_), _) => app.locale.tf(
            "record.amending",
            &[("section", &section_title(app, section))],
        ),
        (None, Some(h)) => app.locale.tf(
            "record.history_of",
            &[("section", &section_title(app, h.section))],
        ),
        _ => section_title(app, section),
    };
    let [title, content] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(right);
    frame.render_widget(
        Paragraph::new(Line::styled(heading, app.theme.title())),
        title,
    );
    if let Some(e) = &screen.editor {
        editor(frame, content, app, e);
    } else if let Some(h) = &screen.history {
        history(frame, content, app, h);
    } else {
        let value = match section {
            Section::Demographics => {
                Some(SectionValue::Demographics(screen.patient.demographics()))
            }
            _ => screen
                .health
                .as_ref()
                .and_then(|h| SectionValue::of(h, section)),
        };
        let mut lines = value
            .map(|v| value_lines(app, &v, true, content.width))
            .unwrap_or_default();
        if section == Section::Demographics {
            lines.insert(
                0,
                record_number_line(app, screen.patient.record_number.as_deref()),
            );
        }
        // A section longer than the screen (the 个人基本信息表) scrolls with PgDn/PgUp;
        // the last row says when there is more.
        let mut lines = crate::tui::view::wrap_lines(lines, content.width);
        let height = usize::from(content.height);
        screen.scroll_max.set(lines.len().saturating_sub(height));
        let top = screen.scroll.min(screen.scroll_max.get());
        lines.drain(..top);
        if lines.len() > height && height > 0 {
            lines.truncate(height - 1);
            lines.push(Line::styled(app.t("record.more"), app.theme.notice()));
        }
        frame.render_widget(Paragraph::new(lines), content);
    }
}
