//! The status bar: who, where, the context's three most useful keys, idle countdown,
//! clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::tui::action::Action;
use crate::tui::app::{App, COUNTDOWN_SECONDS};
use crate::tui::keymap::Context;

fn hints(app: &App) -> String {
    let context = app.context();
    // A screen that chooses its own hints (a component) names them; the others by
    // their context.
    let own = app
        .overlay
        .is_none()
        .then(|| app.top().component.hints())
        .flatten();
    let preferred: &[Action] = match own {
        Some(own) => own,
        None => match context {
            Context::Form => &[Action::Submit, Action::NextField, Action::Help],
            Context::List | Context::ExamDay | Context::Review | Context::Alerts => {
                &[Action::Open, Action::Back, Action::Help]
            }
            Context::Search => &[Action::Open, Action::Down, Action::Back],
            Context::View | Context::Patient => &[Action::Back, Action::Consent, Action::Help],
            Context::Record => &[Action::Edit, Action::History, Action::Back],
            Context::Questionnaire => &[Action::Open, Action::Earlier, Action::Back],
            Context::Overlay => &[Action::Open, Action::Back, Action::Up],
            // Global, and the contexts of components (which name their own).
            _ => &[Action::Help],
        },
    };
    preferred
        .iter()
        .filter_map(|a| {
            app.keymap
                .key_for(context, *a)
                .map(|k| format!("{k} {}", app.t(&format!("action.{}", a.name()))))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn status_bar(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let who = match &app.user {
        Some(u) => format!(
            " {} ({})",
            u.user,
            app.t(&format!("role.{}", u.role.as_str()))
        ),
        None => format!(" {}", app.t("status.signed_out")),
    };
    // What the role cannot do, said alone (it names the role) until the next key.
    let (left, left_style) = match &app.flash {
        Some(flash) => (format!(" {flash}"), app.theme.warning()),
        None => (
            format!(
                "{who} │ {} │ {} │ {}",
                hints(app),
                if app.settings.connection.is_empty() {
                    app.t("status.local")
                } else {
                    app.locale
                        .tf("status.server", &[("socket", &app.settings.connection)])
                },
                app.settings.clinic_name
            ),
            app.theme.status(),
        ),
    };
    let mut right = format!(
        "{} ",
        crate::domain::time::clinic_zone()
            .local(app.now.timestamp())
            .format("%H:%M")
    );
    let mut right_style = app.theme.status();
    if let Some(left_secs) = app.idle_left().filter(|s| *s <= COUNTDOWN_SECONDS) {
        right = format!(
            "{} {right}",
            app.locale
                .tf("status.idle", &[("seconds", &left_secs.max(0).to_string())])
        );
        right_style = app.theme.warning();
    }
    let width = area.width as usize;
    let right_width = right.width();
    let mut left_text = String::new();
    for c in left.chars() {
        if left_text.width()
            + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
            + right_width
            + 1
            > width
        {
            break;
        }
        left_text.push(c);
    }
    let pad = width.saturating_sub(left_text.width() + right_width);
    let line = Line::from(vec![
        Span::styled(left_text, left_style),
        Span::styled(" ".repeat(pad), app.theme.status()),
        Span::styled(right, right_style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
