//! The stage summaries screen (`s` on a patient): each summary's latest version on the
//! left (period, signed or draft), the selected one's content on the right, scrolled a
//! page at a time; n drafts a new one for a period (the last full quarter offered), e
//! edits the selected one's narrative (a new version), s signs it.

mod content;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::clinic::api::SummarySaved;
use crate::clinic::{Reply, Request, ServiceError};
use crate::domain::patient::PatientId;
use crate::domain::summary::StageSummary;
use crate::domain::summary::{Period, SummaryVersion};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Cursor, Form, LineEditor, Navigation};

/// Writing a summary: first its period, then its narrative.
#[derive(Debug)]
pub struct SummaryEditor {
    /// `None` for a new summary.
    pub number: Option<u32>,
    /// How many versions of it the author saw.
    pub base: usize,
    /// While the period is being chosen: the from and to fields.
    pub period_form: Option<Form>,
    pub period: Option<Period>,
    pub text: LineEditor,
}

/// The stage summaries (健康阶段总结): each summary's latest version on the left, its
/// content on the right; the editor over it.
#[derive(Debug)]
pub struct SummariesScreen {
    pub id: PatientId,
    pub name: String,
    /// Every version, by number then oldest first; `None` while loading.
    pub versions: Option<Vec<SummaryVersion>>,
    /// Over the summaries, newest first.
    pub cursor: Cursor,
    /// The summary to select when the list comes back (the one just saved).
    pub select: Option<u32>,
    /// How far the selected summary's content is scrolled (PageUp/PageDown).
    pub scroll: u16,
    pub editor: Option<SummaryEditor>,
    /// The summary whose signing waits for a second s (signing makes it the summary
    /// of record: it is asked, not done on one key).
    pub confirm_sign: Option<u32>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl SummariesScreen {
    pub fn new(id: PatientId, name: String) -> Self {
        Self {
            id,
            name,
            versions: None,
            cursor: Cursor::default(),
            select: None,
            scroll: 0,
            editor: None,
            confirm_sign: None,
            notice: None,
            error: None,
        }
    }

    /// Each summary's latest version and how many versions it has, newest first.
    pub fn latest(&self) -> Vec<(&SummaryVersion, usize)> {
        let mut out: Vec<(&SummaryVersion, usize)> = Vec::new();
        for v in self.versions.iter().flatten() {
            match out.iter_mut().find(|(l, _)| l.number == v.number) {
                Some(entry) => *entry = (v, entry.1 + 1),
                None => out.push((v, 1)),
            }
        }
        out.sort_by_key(|(v, _)| std::cmp::Reverse(v.number));
        out
    }

    /// Every call this screen makes comes back to `on_reply`, its reply asked for as
    /// `T` and told apart by `reply`.
    fn send<T: Reply + 'static>(
        &self,
        desk: &mut Desk<'_>,
        request: Request,
        reply: fn(T) -> SummaryReply,
    ) {
        desk.ask::<_, T>(request, move |this: &mut Self, desk, answer| {
            this.on_reply(desk, answer.map(reply))
        });
    }

    fn reload(&self, desk: &mut Desk<'_>) {
        self.send(
            desk,
            Request::SummaryList { id: self.id },
            SummaryReply::List,
        );
    }

    fn on_list_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let selected = self
            .latest()
            .get(self.cursor.selected)
            .map(|(v, count)| ((*v).clone(), *count));
        // Any other key than a second s keeps the summary a draft.
        let confirmed = self.confirm_sign.take();
        match action {
            Action::New => {
                let period =
                    Period::last_quarter(crate::domain::time::clinic_zone().today(desk.now));
                let mut form = Form::new(vec![
                    Field::with(&period.from.to_string()),
                    Field::with(&period.to.to_string()),
                ]);
                form.focus = 0;
                self.notice = None;
                self.editor = Some(SummaryEditor {
                    number: None,
                    base: 0,
                    period_form: Some(form),
                    period: None,
                    text: LineEditor::default(),
                });
            }
            Action::Edit => {
                if let Some((version, count)) = selected {
                    let lines: Vec<&str> = version.summary.text.lines().collect();
                    self.notice = None;
                    self.editor = Some(SummaryEditor {
                        number: Some(version.number),
                        base: count,
                        period_form: None,
                        period: Some(version.summary.period),
                        text: LineEditor::with_lines(&lines),
                    });
                }
            }
            Action::Sign if confirmed != selected.as_ref().map(|(v, _)| v.number) => {
                if let Some((version, _)) = &selected {
                    self.error = None;
                    self.confirm_sign = Some(version.number);
                    self.notice = Some(desk.t("summary.confirm_sign"));
                }
            }
            Action::Sign => {
                if let Some((version, count)) = selected {
                    self.error = None;
                    self.notice = None;
                    let request = Request::SummarySign {
                        id: self.id,
                        number: version.number,
                        base: count,
                    };
                    self.send(desk, request, SummaryReply::Saved);
                }
            }
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn on_editor_action(&mut self, desk: &mut Desk<'_>, action: Action) {
        let id = self.id;
        let Some(editor) = &mut self.editor else {
            return;
        };
        if let Some(form) = &mut editor.period_form {
            match action {
                Action::NextField | Action::PrevField => form.focus = 1 - form.focus.min(1),
                Action::Submit if form.focus == 0 => form.focus = 1,
                Action::Submit => {
                    let date = |i: usize| {
                        chrono::NaiveDate::parse_from_str(form.value(i).trim(), "%Y-%m-%d").ok()
                    };
                    match (date(0), date(1)) {
                        (Some(from), Some(to)) => {
                            let period = Period { from, to };
                            form.busy = true;
                            form.error = None;
                            editor.period = Some(period);
                            let lang = desk.locale.lang;
                            self.send(
                                desk,
                                Request::SummaryDraft { id, period, lang },
                                SummaryReply::Draft,
                            );
                        }
                        _ => form.error = Some(desk.t("summary.bad_dates")),
                    }
                }
                Action::Back => self.editor = None,
                _ => {}
            }
            return;
        }
        let text = &mut editor.text;
        match (text.navigate(action), action) {
            (Navigation::Moved, _) => {}
            (Navigation::Save, _) => {
                let narrative = text
                    .lines()
                    .into_iter()
                    .filter(|l| !l.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
                let Some(period) = editor.period else {
                    return;
                };
                text.form.busy = true;
                text.form.error = None;
                let request = Request::SummarySave {
                    id,
                    number: editor.number,
                    base: editor.base,
                    period,
                    text: narrative,
                };
                self.send(desk, request, SummaryReply::Saved);
            }
            (Navigation::Other, Action::Back) => self.editor = None,
            (Navigation::Other, _) => {}
        }
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<SummaryReply, ServiceError>) {
        match reply {
            Ok(SummaryReply::List(versions)) => {
                // An open editor builds on the newest version of its summary.
                if let Some(editor) = &mut self.editor
                    && let Some(number) = editor.number
                {
                    editor.base = versions.iter().filter(|v| v.number == number).count();
                }
                self.versions = Some(versions);
                let latest = self.latest();
                let wanted = self
                    .select
                    .and_then(|n| latest.iter().position(|(v, _)| v.number == n));
                let len = latest.len();
                self.cursor.selected = wanted
                    .unwrap_or(self.cursor.selected)
                    .min(len.saturating_sub(1));
                self.select = None;
            }
            Ok(SummaryReply::Draft(draft)) => {
                if let Some(editor) = &mut self.editor {
                    let lines: Vec<&str> = draft.text.lines().collect();
                    editor.period_form = None;
                    editor.text = LineEditor::with_lines(&lines);
                }
            }
            Ok(SummaryReply::Saved(SummarySaved { number })) => {
                let signing = self.editor.is_none();
                self.editor = None;
                self.notice = Some(desk.t(if signing {
                    "summary.signed_now"
                } else {
                    "summary.saved"
                }));
                self.select = Some(number);
                self.reload(desk);
            }
            Err(ServiceError::Conflict(_)) => {
                let reloaded = desk.t("summary.reloaded");
                match &mut self.editor {
                    Some(editor) => {
                        editor.text.form.busy = false;
                        editor.text.form.error = Some(reloaded);
                    }
                    None => self.error = Some(reloaded),
                }
                self.reload(desk);
            }
            Err(error) => {
                let text = Some(desk.error_text(&error));
                match &mut self.editor {
                    Some(editor) => {
                        let form = editor.period_form.as_mut().unwrap_or(&mut editor.text.form);
                        form.busy = false;
                        form.error = text;
                    }
                    None => {
                        self.error = text;
                        if self.versions.is_none() {
                            self.versions = Some(Vec::new());
                        }
                    }
                }
            }
        }
    }

    fn render_editor(&self, frame: &mut Frame<'_>, inner: Rect, app: &App, editor: &SummaryEditor) {
        match &editor.period_form {
            Some(form) => {
                let mut head = vec![
                    Line::styled(app.t("summary.period_intro"), app.theme.label()),
                    Line::from(""),
                ];
                if let Some(error) = &form.error {
                    head.push(Line::styled(error.clone(), app.theme.error()));
                }
                if form.busy {
                    head.push(Line::styled(app.t("common.working"), app.theme.label()));
                }
                let height = head.len() as u16 + 1;
                let [top, body] =
                    Layout::vertical([Constraint::Length(height), Constraint::Min(1)]).areas(inner);
                frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
                let labels = [app.t("summary.from"), app.t("summary.to")];
                crate::tui::view::form_fields(frame, body, app, form, &labels);
            }
            None => {
                let intro = app.t("summary.intro");
                crate::tui::view::line_editor(frame, inner, app, &editor.text, (&intro, None));
            }
        }
    }
}

/// The replies to the summaries screen's calls.
enum SummaryReply {
    /// Every version, by summary number then oldest first.
    List(Vec<SummaryVersion>),
    /// A draft for the period, to edit before saving.
    Draft(Box<StageSummary>),
    /// A version saved or signed.
    Saved(SummarySaved),
}

const HINTS: &[Action] = &[Action::New, Action::Edit, Action::Back];

impl Component for SummariesScreen {
    fn context(&self) -> Context {
        if self.editor.is_some() {
            Context::Form
        } else {
            Context::Summaries
        }
    }

    fn hints(&self) -> Option<&'static [Action]> {
        // The editor's keys are the form's.
        self.editor.is_none().then_some(HINTS)
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        let editor = self.editor.as_mut()?;
        Some(match &mut editor.period_form {
            Some(form) => form.focused(),
            None => editor.text.form.focused(),
        })
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        if self.editor.is_some() {
            return None;
        }
        let len = self.latest().len();
        Some((&mut self.cursor, len))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.reload(desk);
    }

    /// A summary is longer than the screen: the page keys scroll its content; the
    /// others move to another summary, shown from its top.
    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            return Handled::Ignored;
        }
        let page = u16::try_from(desk.page).unwrap_or(u16::MAX);
        match action {
            Action::PageDown => self.scroll = self.scroll.saturating_add(page),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            _ => {
                self.scroll = 0;
                return Handled::Ignored;
            }
        }
        Handled::Consumed
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.editor.is_some() {
            self.on_editor_action(desk, action);
            return Handled::Consumed;
        }
        self.on_list_action(desk, action)
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            app.locale.tf("summary.title", &[("name", &self.name)]),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(editor) = &self.editor {
            return self.render_editor(frame, inner, app, editor);
        }
        if self.versions.is_none() {
            frame.render_widget(Paragraph::new(app.t("common.working")), inner);
            return;
        }
        let latest = self.latest();
        let mut top: Vec<Line<'static>> = Vec::new();
        if let Some(error) = &self.error {
            top.push(Line::styled(error.clone(), app.theme.error()));
        }
        if let Some(notice) = &self.notice {
            top.push(Line::styled(notice.clone(), app.theme.notice()));
        }
        let [messages, main, keys] = Layout::vertical([
            Constraint::Length(top.len() as u16),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(top), messages);
        frame.render_widget(
            Paragraph::new(Line::styled(app.t("summary.keys"), app.theme.label())),
            keys,
        );
        if latest.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(app.t("summary.none"), app.theme.label()))
                    .wrap(Wrap { trim: false }),
                main,
            );
            return;
        }
        let [left, right] =
            Layout::horizontal([Constraint::Length(28), Constraint::Min(20)]).areas(main);
        // Only the rows that fit are drawn.
        let height = left.height as usize;
        let first = self
            .cursor
            .selected
            .saturating_sub(height.saturating_sub(1));
        let rows: Vec<Line> = latest
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, (v, _))| {
                let mark = if v.signed.is_some() { "✓" } else { "·" };
                let text = format!(
                    "{mark} {} {}–{}",
                    v.number,
                    v.summary.period.from.format("%Y-%m"),
                    v.summary.period.to.format("%Y-%m")
                );
                if i == self.cursor.selected {
                    Line::styled(format!("▸{text}"), app.theme.selected())
                } else {
                    Line::from(format!(" {text}"))
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(rows).block(Block::default().borders(Borders::RIGHT)),
            left,
        );
        let right = Rect {
            x: right.x + 1,
            width: right.width.saturating_sub(1),
            ..right
        };
        if let Some((version, count)) = latest.get(self.cursor.selected) {
            frame.render_widget(
                Paragraph::new(content::content(app, version, *count))
                    .wrap(Wrap { trim: false })
                    .scroll((self.scroll, 0)),
                right,
            );
        }
    }
}
