//! The follow-up queue (counts, filter, a window of rows); the call screen and the
//! follow-up history draw with `kind_text`, `visit_text` and `messages`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::clinic::followup_api::QueueGroup;
use crate::domain::followup::VisitKind;
use crate::tui::app::App;
use crate::tui::screens::QueueScreen;

pub(crate) fn kind_text(app: &App, kind: crate::domain::followup::Kind) -> String {
    app.t(&format!("followup.kind.{}", kind.key()))
}

pub(crate) fn visit_text(app: &App, visit: VisitKind) -> String {
    app.t(&format!("call.visit.{}", visit.key()))
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
