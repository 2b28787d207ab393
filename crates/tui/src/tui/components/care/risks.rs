//! The risk screen (`k` on a patient): opening it recomputes the assessments (kept only
//! when their inputs changed), then evaluates the automatic tags, which may depend on
//! them; Enter recomputes on demand. The models are on the left with the tags under
//! them; the selected one's result, bands, inputs, assumptions and source on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::clinic::api::AutoTagsView;
use crate::clinic::{Request, ServiceError};
use crate::domain::assessment::{Assessment, Outcome};
use crate::domain::patient::PatientId;
use crate::domain::tag_rules::AutoTag;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

/// The patient's risk assessments: each model's result with its inputs, assumptions
/// and source.
#[derive(Debug)]
pub struct RiskScreen {
    pub id: PatientId,
    pub name: String,
    /// `None` while computing.
    pub risks: Option<Vec<Assessment>>,
    /// The automatic tags, evaluated once the risks are in.
    pub tags: Option<Vec<AutoTag>>,
    /// What is wrong with the clinic's tag rule file, if anything.
    pub tag_problem: Option<String>,
    pub cursor: Cursor,
    pub error: Option<String>,
}

impl RiskScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            risks: None,
            tags: None,
            tag_problem: None,
            cursor: Cursor::default(),
            error: None,
        }
    }

    fn assess(&mut self, desk: &mut Desk<'_>) {
        self.risks = None;
        desk.ask::<_, Vec<Assessment>>(
            Request::RiskAssess { id: self.id },
            |this: &mut Self, desk, reply| this.on_risks(desk, reply),
        );
    }

    fn on_risks(&mut self, desk: &mut Desk<'_>, reply: Result<Vec<Assessment>, ServiceError>) {
        match reply {
            Ok(risks) => {
                self.risks = Some(risks);
                // The tags may depend on the risks just computed.
                desk.ask::<_, AutoTagsView>(
                    Request::TagsEvaluate { id: self.id },
                    |this: &mut Self, desk, reply| this.on_tags(desk, reply),
                );
            }
            Err(e) => self.failed(desk, &e),
        }
    }

    fn on_tags(&mut self, desk: &mut Desk<'_>, reply: Result<AutoTagsView, ServiceError>) {
        match reply {
            Ok(AutoTagsView { tags, problem }) => {
                self.tags = Some(tags);
                self.tag_problem = problem;
            }
            Err(e) => self.failed(desk, &e),
        }
    }

    fn failed(&mut self, desk: &Desk<'_>, error: &ServiceError) {
        self.error = Some(desk.error_text(error));
        self.risks = Some(Vec::new());
    }
}

const HINTS: &[Action] = &[Action::Open, Action::Back, Action::Help];

impl Component for RiskScreen {
    fn context(&self) -> Context {
        Context::Risks
    }

    fn hints(&self) -> Option<&'static [Action]> {
        Some(HINTS)
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        let len = self.risks.as_ref().map(Vec::len).unwrap_or(0);
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.assess(desk);
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        match action {
            Action::Open => self.assess(desk),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            app.locale.tf("risk.title", &[("name", &self.name)]),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(risks) = &self.risks else {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        };
        let [left, right] =
            Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(inner);
        let rows: Vec<Line> = risks
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let result = match &a.outcome {
                    Outcome::Risk { probability, .. } => format!("{:.1} %", probability * 100.0),
                    Outcome::Score { score, .. } => score.to_string(),
                    Outcome::Refused(_) => "—".into(),
                };
                let label = app.t(&format!("risk.model.{}", a.model));
                let text = format!("{} {result:>7}", crate::tui::view::pad(&label, 20));
                if i == self.cursor.selected {
                    Line::styled(format!("▸{text}"), app.theme.selected())
                } else {
                    Line::from(format!(" {text}"))
                }
            })
            .collect();
        let mut rows = rows;
        rows.push(Line::from(""));
        rows.push(Line::styled(
            format!(" {}", app.t("risk.tags")),
            app.theme.title(),
        ));
        match &self.tags {
            None => rows.push(Line::styled(
                format!(" {}", app.t("common.working")),
                app.theme.label(),
            )),
            Some(tags) if tags.is_empty() => rows.push(Line::styled(
                format!(" {}", app.t("risk.no_tags")),
                app.theme.label(),
            )),
            Some(tags) => {
                for t in tags {
                    let since = chrono::DateTime::from_timestamp(t.since, 0)
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default();
                    rows.push(Line::from(format!(" {} ({since})", app.locale.tag(&t.tag))));
                }
            }
        }
        if let Some(problem) = &self.tag_problem {
            rows.push(Line::styled(format!(" {problem}"), app.theme.error()));
        }
        frame.render_widget(
            Paragraph::new(rows)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::RIGHT)),
            left,
        );
        let right = Rect {
            x: right.x + 1,
            width: right.width.saturating_sub(1),
            ..right
        };
        let mut lines: Vec<Line<'static>> = Vec::new();
        if let Some(error) = &self.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        }
        if let Some(a) = risks.get(self.cursor.selected) {
            lines.push(Line::styled(
                format!("{} ({})", a.name, a.version),
                app.theme.title(),
            ));
            match &a.outcome {
                Outcome::Risk {
                    probability,
                    band,
                    chinese_band,
                } => {
                    lines.push(Line::from(app.locale.tf(
                        "risk.result",
                        &[
                            ("risk", &format!("{:.1} %", probability * 100.0)),
                            ("band", &app.t(&format!("risk.band.{band}"))),
                        ],
                    )));
                    if let Some(c) = chinese_band {
                        lines.push(Line::from(app.locale.tf(
                            "risk.chinese",
                            &[("band", &app.t(&format!("risk.band.{c}")))],
                        )));
                    }
                }
                Outcome::Score { score, band } => lines.push(Line::from(app.locale.tf(
                    "risk.score",
                    &[("score", &score.to_string()), ("band", band)],
                ))),
                Outcome::Refused(refusal) => lines.push(Line::styled(
                    app.locale.tf(
                        "risk.refused",
                        &[("why", &app.locale.text(&refusal.text()))],
                    ),
                    app.theme.warning(),
                )),
            }
            if a.model != "findrisc" {
                let i = &a.inputs;
                lines.push(Line::from(""));
                lines.push(Line::styled(app.t("risk.inputs"), app.theme.label()));
                lines.push(Line::from(app.locale.tf(
                    "risk.inputs_line",
                    &[
                        ("age", &number(i.age, app)),
                        ("tc", &number(i.total_cholesterol, app)),
                        ("hdl", &number(i.hdl, app)),
                        ("sbp", &number(i.systolic, app)),
                    ],
                )));
                lines.push(Line::from(app.locale.tf(
                    "risk.factors_line",
                    &[
                        ("treated", &yes_no(app, i.treated_for_hypertension)),
                        ("smoker", &yes_no(app, i.smoker)),
                        ("diabetes", &yes_no(app, i.diabetes)),
                    ],
                )));
                for assumption in &a.assumptions {
                    let assumption = app.locale.text(assumption);
                    lines.push(Line::styled(format!("· {assumption}"), app.theme.label()));
                }
                let e = &a.evidence;
                for (key, entries) in [
                    ("risk.counted", &e.counted),
                    ("risk.not_counted", &e.not_counted),
                    ("risk.unrecognised", &e.unrecognised),
                ] {
                    if !entries.is_empty() {
                        let separator = if app.locale.lang.is_chinese() {
                            "；"
                        } else {
                            "; "
                        };
                        let entries: Vec<String> =
                            entries.iter().map(|e| app.locale.text(e)).collect();
                        lines.push(Line::styled(
                            app.locale.tf(key, &[("entries", &entries.join(separator))]),
                            app.theme.label(),
                        ));
                    }
                }
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(a.source.clone(), app.theme.label()));
        }
        // The keys keep their own last line, so a long assessment never pushes them off.
        let [body, keys] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(right);
        frame.render_widget(crate::tui::view::wrapped(lines, body.width), body);
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("risk.keys"), app.theme.label())),
            keys,
        );
    }
}

fn yes_no(app: &App, v: bool) -> String {
    app.t(if v { "risk.yes" } else { "risk.no" })
}

fn number(v: Option<f64>, app: &App) -> String {
    v.map(|v| format!("{v:.0}"))
        .unwrap_or_else(|| app.t("risk.missing"))
}
