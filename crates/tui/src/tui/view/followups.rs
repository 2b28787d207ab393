//! Drawing pieces the follow-up screens share (the queue, a call, the history): a
//! kind's and a visit's names, the error and notice lines.

use ratatui::text::Line;

use crate::domain::followup::VisitKind;
use crate::tui::app::App;

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
