//! The patient: identity, card and contact; the health summary for clinical roles;
//! the break-glass reason form for a restricted patient.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::PatientScreen;
use crate::domain::amendment::{Section, SectionValue};
use crate::tui::app::App;
use crate::tui::view::{form_fields, masked_id, masked_phone, masked_phones_in, pad, sex_text};

/// A label padded to 14 columns (CJK characters count two), then the value.
fn row(app: &App, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(pad(&app.t(label), 14), app.theme.label()),
        Span::raw(value),
    ])
}

/// Explanation lines (plus the form's error), then one labelled text field.
fn one_field_form(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    (mut lines, text_rows): (Vec<Line<'static>>, u16),
    label_key: &str,
    form: &crate::tui::screens::Form,
) {
    if let Some(error) = &form.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    let [text, input] =
        Layout::vertical([Constraint::Length(text_rows), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text);
    let label = format!("▸ {} ", app.t(label_key));
    let width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label, app.theme.focus()),
            form.fields[0].span(),
        ])),
        input,
    );
    frame.set_cursor_position((input.x + width + form.fields[0].cursor_columns(), input.y));
}

/// The active card, or why there is none.
fn card_text(app: &App, screen: &PatientScreen) -> String {
    let Some(cards) = &screen.cards else {
        return app.t("common.working");
    };
    match cards
        .iter()
        .rev()
        .find(|c| c.status == crate::domain::card::CardStatus::Active)
    {
        Some(card) => app.locale.tf(
            "patient.card_active",
            &[
                ("number", &card.number),
                ("type", &card.card_type),
                ("until", &card.valid_until.to_string()),
            ],
        ),
        None if cards.is_empty() => app.t("patient.no_card"),
        None => app.t("patient.no_active_card"),
    }
}

pub(super) fn patient(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &PatientScreen) {
    let title = screen
        .view
        .as_ref()
        .map(|v| v.patient.name.clone())
        .unwrap_or_else(|| app.t("patient.title"));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(form) = &screen.reason {
        let lines = vec![
            Line::styled(app.t("error.break_glass_required"), app.theme.warning()),
            Line::from(app.t("patient.reason_intro")),
            Line::from(""),
        ];
        one_field_form(frame, inner, app, (lines, 5), "patient.reason", form);
        return;
    }
    if let Some(form) = &screen.book_form {
        let mut lines = vec![Line::from(app.t("exam.book_intro"))];
        if let Some(error) = &form.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        let [text, input] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text);
        form_fields(
            frame,
            input,
            app,
            form,
            &[app.t("exam.package"), app.t("exam.date")],
        );
        return;
    }
    if let Some(form) = &screen.tag_form {
        let lines = vec![Line::from(app.t("patient.tags_intro"))];
        one_field_form(frame, inner, app, (lines, 3), "patient.tags", form);
        return;
    }
    let Some(view) = &screen.view else {
        let text = screen
            .error
            .clone()
            .unwrap_or_else(|| app.t("common.working"));
        frame.render_widget(Paragraph::new(text), inner);
        return;
    };
    let p = &view.patient;
    let age = p.birth_date.map(|b| {
        crate::domain::time::clinic_zone()
            .today(app.now)
            .years_since(b)
            .unwrap_or(0)
    });
    let mut lines = Vec::new();
    if let Some(notice) = &screen.notice {
        lines.push(Line::styled(notice.clone(), app.theme.notice()));
    }
    lines.extend([
        Line::styled(app.t("patient.identity"), app.theme.title()),
        row(app, "patient.name", p.name.clone()),
        row(app, "patient.sex", sex_text(app, p.sex)),
        row(
            app,
            "patient.birth",
            match (p.birth_date, age) {
                (Some(b), Some(a)) => app.locale.tf(
                    "patient.birth_age",
                    &[("date", &b.to_string()), ("age", &a.to_string())],
                ),
                _ => String::new(),
            },
        ),
        row(
            app,
            "patient.id_number",
            p.id_number.as_deref().map(masked_id).unwrap_or_default(),
        ),
        row(app, "patient.card", card_text(app, screen)),
        row(
            app,
            "record.number",
            match &p.record_number {
                Some(n) => crate::domain::record_number::grouped(n),
                None => app.t("record.no_number"),
            },
        ),
        row(
            app,
            "patient.tags",
            // The staff's tags, then the rules' (as the search row lists them).
            {
                let automatic: Vec<String> = screen
                    .auto_tags
                    .iter()
                    .flatten()
                    .map(|tag| app.locale.tag(tag))
                    .collect();
                match (p.tags.is_empty(), automatic.is_empty()) {
                    (true, true) => app.t("patient.no_tags"),
                    (false, true) => p.tags.join(", "),
                    (true, false) => app
                        .locale
                        .tf("patient.auto_tags", &[("tags", &automatic.join(", "))]),
                    (false, false) => format!(
                        "{} · {}",
                        p.tags.join(", "),
                        app.locale
                            .tf("patient.auto_tags", &[("tags", &automatic.join(", "))])
                    ),
                }
            },
        ),
        Line::from(""),
        Line::styled(app.t("patient.contact"), app.theme.title()),
        row(
            app,
            "patient.phone",
            p.phone.as_deref().map(masked_phone).unwrap_or_default(),
        ),
        row(
            app,
            "patient.address",
            p.address.clone().unwrap_or_default(),
        ),
        row(
            app,
            "patient.emergency",
            p.emergency_contact
                .as_deref()
                .map(masked_phones_in)
                .unwrap_or_default(),
        ),
    ]);
    if p.restricted {
        lines.push(Line::styled(
            app.t("patient.restricted"),
            app.theme.warning(),
        ));
    }
    if let Some(health) = &view.health {
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("patient.health"), app.theme.title()));
        for (label, section) in [
            ("patient.allergies", Section::Allergies),
            ("patient.conditions", Section::PastIllnesses),
            ("patient.medications", Section::Medications),
        ] {
            let items = SectionValue::of(health, section)
                .map(|v| crate::domain::record_form::entry_text_in(&v, app.locale.lang))
                .unwrap_or_default();
            let text = if items.is_empty() {
                app.t("patient.none_recorded")
            } else {
                items.join(", ")
            };
            lines.push(row(app, label, text));
        }
    }
    frame.render_widget(crate::tui::view::wrapped(lines, inner.width), inner);
}
