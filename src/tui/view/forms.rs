//! Sign-in, first sign-in (new password, TOTP enrolment), recovery codes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::centered;
use crate::tui::app::{App, DemoAccount};
use crate::tui::screens::Form;

/// Draws labelled fields, one per line, and places the cursor in the focused one.
pub(crate) fn fields(frame: &mut Frame<'_>, area: Rect, app: &App, form: &Form, labels: &[String]) {
    let theme = app.theme;
    let label_width = labels
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0) as u16
        + 2;
    for (i, (field, label)) in form.fields.iter().zip(labels).enumerate() {
        let y = area.y + i as u16 * 2;
        if y >= area.y + area.height {
            break;
        }
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let line = Line::from(vec![
            Span::styled(
                format!("{marker}{label}"),
                if focused {
                    theme.focus()
                } else {
                    theme.label()
                },
            ),
            Span::raw(" ".repeat((label_width + 2).saturating_sub(
                unicode_width::UnicodeWidthStr::width(format!("{marker}{label}").as_str()) as u16,
            ) as usize)),
            Span::raw(field.shown()),
        ]);
        let row = Rect {
            y,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(line), row);
        if focused {
            frame.set_cursor_position((area.x + label_width + 2 + field.cursor_columns(), y));
        }
    }
}

fn messages(form: &Form, app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(info) = &form.info {
        lines.push(Line::styled(info.clone(), app.theme.notice()));
    }
    if let Some(error) = &form.error {
        lines.push(Line::styled(error.clone(), app.theme.error()));
    }
    if form.busy {
        lines.push(Line::styled(app.t("common.working"), app.theme.label()));
    }
    lines
}

pub fn login(frame: &mut Frame<'_>, area: Rect, app: &App, form: &Form) {
    let banner_height = if app.settings.demo_accounts.is_some() {
        9
    } else {
        0
    };
    let [top, banner] =
        Layout::vertical([Constraint::Min(10), Constraint::Length(banner_height)]).areas(area);
    let boxed = centered(top, 64, 12);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} · {} ", app.settings.clinic_name, app.t("login.title")),
        app.theme.title(),
    ));
    let inner = block.inner(boxed);
    frame.render_widget(block, boxed);
    let [field_area, message_area] =
        Layout::vertical([Constraint::Length(6), Constraint::Min(1)]).areas(inner);
    let labels = [
        app.t("login.user"),
        app.t("login.password"),
        app.t("login.code"),
    ];
    let mut lines = messages(form, app);
    if lines.is_empty() {
        lines.push(Line::styled(app.t("login.hint"), app.theme.label()));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        message_area,
    );
    fields(frame, field_area, app, form, &labels);
    if let Some(accounts) = app.settings.demo_accounts {
        demo_banner(frame, banner, app, &accounts(app.now.timestamp()));
    }
}

/// Demo stores only: the demo users, their passwords and their codes right now.
fn demo_banner(frame: &mut Frame<'_>, area: Rect, app: &App, accounts: &[DemoAccount]) {
    let mut lines = vec![Line::styled(app.t("demo.banner"), app.theme.warning())];
    for account in accounts {
        lines.push(Line::from(format!(
            "{:<10} {} {:<29} {} ({:>2}s)",
            account.user,
            super::pad(&app.t(&format!("role.{}", account.role.as_str())), 15),
            account.password,
            account.code,
            account.seconds_left
        )));
    }
    let block = Block::default().borders(Borders::TOP);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn set_password(frame: &mut Frame<'_>, area: Rect, app: &App, user: &str, form: &Form) {
    let boxed = centered(area, 70, 12);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} · {user} ", app.t("first.title")),
        app.theme.title(),
    ));
    let inner = block.inner(boxed);
    frame.render_widget(block, boxed);
    let [field_area, message_area] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(inner);
    let labels = [app.t("first.new_password"), app.t("first.repeat")];
    let mut lines = messages(form, app);
    lines.push(Line::styled(app.t("first.rules"), app.theme.label()));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        message_area,
    );
    fields(frame, field_area, app, form, &labels);
}

pub fn enrol(frame: &mut Frame<'_>, area: Rect, app: &App, uri: &str, form: &Form) {
    let qr = super::super::qr::render_lines(uri, 2).unwrap_or_default();
    let qr_width = qr.first().map(|l| l.chars().count()).unwrap_or(0) as u16;
    let qr_height = qr.len() as u16;
    let fits = area.width >= qr_width + 30 && area.height >= qr_height;
    let [left, right] = if fits {
        Layout::horizontal([Constraint::Length(qr_width + 1), Constraint::Min(20)]).areas(area)
    } else {
        [Rect::default(), area]
    };
    if fits {
        let lines: Vec<Line> = qr.into_iter().map(Line::from).collect();
        frame.render_widget(Paragraph::new(lines), left);
    }
    let mut text = vec![
        Line::styled(app.t("enrol.title"), app.theme.title()),
        Line::from(""),
        Line::from(app.t(if fits {
            "enrol.scan"
        } else {
            "enrol.too_small"
        })),
        Line::from(""),
        Line::styled(uri.to_string(), app.theme.label()),
        Line::from(""),
    ];
    text.extend(messages(form, app));
    let [info, code] = Layout::vertical([Constraint::Min(4), Constraint::Length(2)]).areas(right);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), info);
    fields(frame, code, app, form, &[app.t("enrol.code")]);
}

pub fn recovery_codes(frame: &mut Frame<'_>, area: Rect, app: &App, codes: &[String]) {
    let boxed = centered(area, 60, (codes.len() as u16) + 8);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", app.t("codes.title")),
        app.theme.title(),
    ));
    let mut lines = vec![Line::from(app.t("codes.intro")), Line::from("")];
    lines.extend(codes.iter().map(|c| Line::from(format!("    {c}"))));
    lines.push(Line::from(""));
    lines.push(Line::styled(app.t("codes.continue"), app.theme.label()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        boxed,
    );
}

/// `area` in a bordered block titled `title`; the inside.
pub(crate) fn framed(frame: &mut Frame<'_>, area: Rect, app: &App, title: String) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A form under a wrapped introduction, its error and whether it is working.
pub(crate) fn form_with_intro(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    intro: String,
    form: &crate::tui::screens::Form,
    labels: &[String],
) {
    let mut lines = vec![Line::styled(intro, app.theme.label())];
    if let Some(e) = &form.error {
        lines.push(Line::styled(e.clone(), app.theme.error()));
    }
    if form.busy {
        lines.push(Line::styled(app.t("paper.working"), app.theme.label()));
    }
    let height: usize = lines
        .iter()
        .map(|l| super::wrap_columns(&l.to_string(), area.width.max(1) as usize).len())
        .sum();
    let [top, body] =
        Layout::vertical([Constraint::Length(height as u16 + 1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), top);
    fields(frame, body, app, form, labels);
}
