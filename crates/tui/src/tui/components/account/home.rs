//! The home screen: the sign-on notice, the day's counts, and the menu of what this
//! role may do; Enter opens the selected item.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::auth::Permission;
use crate::clinic::Request;
use crate::clinic::api::HomeSummary;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::list::{List, ListKind};
use crate::tui::components::{
    desk::register::Register, desk::search::Search, followup::queue::QueueScreen,
    results::import::ImportScreen,
};
use crate::tui::keymap::Context;
use crate::tui::screens::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Register,
    Search,
    ExamDay,
    Alerts,
    Audit,
    Users,
    Review,
    Import,
    FollowUps,
    /// Who looked at a patient (the privacy officer).
    PatientAccess,
    /// The accounting of disclosures of a patient.
    Disclosures,
    /// Patients' requests over their information (the privacy officer's log).
    RightsLog,
    /// Records past their retention (the privacy officer's review).
    Retention,
}

impl MenuItem {
    pub const ALL: [MenuItem; 13] = [
        MenuItem::Register,
        MenuItem::Search,
        MenuItem::FollowUps,
        MenuItem::ExamDay,
        MenuItem::Review,
        MenuItem::Import,
        MenuItem::Alerts,
        MenuItem::Audit,
        MenuItem::PatientAccess,
        MenuItem::Disclosures,
        MenuItem::RightsLog,
        MenuItem::Retention,
        MenuItem::Users,
    ];

    pub fn permission(self) -> Permission {
        match self {
            MenuItem::Register => Permission::CardManage,
            MenuItem::Search => Permission::PatientSearch,
            MenuItem::ExamDay => Permission::AppointmentManage,
            MenuItem::Alerts => Permission::AlertsRead,
            MenuItem::Audit => Permission::AuditRead,
            MenuItem::Users => Permission::UserAdmin,
            MenuItem::Review => Permission::ResultsImport,
            MenuItem::Import => Permission::ResultsImport,
            MenuItem::FollowUps => Permission::FollowUpWork,
            MenuItem::PatientAccess | MenuItem::Disclosures => Permission::AuditRead,
            MenuItem::RightsLog | MenuItem::Retention => Permission::RightsManage,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            MenuItem::Register => "menu.register",
            MenuItem::Search => "menu.search",
            MenuItem::ExamDay => "menu.exam_day",
            MenuItem::Alerts => "menu.alerts",
            MenuItem::Audit => "menu.audit",
            MenuItem::Users => "menu.users",
            MenuItem::Review => "menu.review",
            MenuItem::Import => "menu.import",
            MenuItem::FollowUps => "menu.followups",
            MenuItem::PatientAccess => "menu.patient_access",
            MenuItem::RightsLog => "menu.rights_log",
            MenuItem::Retention => "menu.retention",
            MenuItem::Disclosures => "menu.disclosures",
        }
    }
}

#[derive(Debug, Default)]
pub struct Home {
    pub summary: Option<HomeSummary>,
    /// Why the counts could not be read (shown where they would be).
    pub error: Option<String>,
    pub menu: Vec<MenuItem>,
    pub cursor: Cursor,
}

impl Home {
    /// The menu items `allowed` permits; clinical roles see their care team's urgent
    /// alerts there too.
    pub fn for_user(allowed: impl Fn(Permission) -> bool, clinical: bool) -> Self {
        let menu = MenuItem::ALL
            .into_iter()
            .filter(|m| {
                allowed(m.permission())
                    || (*m == MenuItem::Alerts && clinical)
                    // The security administrator sees who holds which role.
                    || (*m == MenuItem::Users && allowed(Permission::RoleAdmin))
            })
            .collect();
        Self {
            menu,
            ..Self::default()
        }
    }

    /// Just signed in: a call kept at this user's last idle sign-out opens again.
    pub fn ask_kept_call(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, Option<crate::domain::draft::CallDraft>>(
            Request::CallDraftTake,
            |_: &mut Self, desk, reply| {
                if let Ok(Some(draft)) = reply {
                    desk.push(crate::tui::components::followup::call::CallScreen::resume(
                        draft,
                    ));
                }
            },
        );
    }

    pub(crate) fn open_item(desk: &mut Desk<'_>, item: MenuItem) {
        match item {
            MenuItem::Search => desk.push(Search::default()),
            MenuItem::Register => desk.push(Register::default()),
            MenuItem::Import => desk.push(ImportScreen::new()),
            MenuItem::FollowUps => desk.push(QueueScreen::default()),
            MenuItem::Alerts => desk.push(List::new(ListKind::Alerts, desk.now)),
            MenuItem::Audit => desk.push(List::new(ListKind::Audit, desk.now)),
            MenuItem::Users => desk.push(List::new(ListKind::Users, desk.now)),
            MenuItem::ExamDay => desk.push(List::new(ListKind::ExamDay, desk.now)),
            MenuItem::Review => desk.push(List::new(ListKind::Review, desk.now)),
            MenuItem::PatientAccess => desk.push(List::new(ListKind::PatientAccess, desk.now)),
            MenuItem::Retention => desk.push(List::new(ListKind::Retention, desk.now)),
            MenuItem::Disclosures => desk.push(List::new(ListKind::Disclosures, desk.now)),
            MenuItem::RightsLog => desk.push(List::new(ListKind::RightsLog, desk.now)),
        }
    }
}

impl Component for Home {
    fn context(&self) -> Context {
        Context::List
    }

    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        Some((&mut self.cursor, self.menu.len()))
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, HomeSummary>(
            Request::HomeSummary,
            |this: &mut Self, desk, reply| match reply {
                Ok(summary) => this.summary = Some(summary),
                Err(e) => this.error = Some(desk.error_text(&e)),
            },
        );
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if action == Action::Open
            && let Some(item) = self.menu.get(self.cursor.selected).copied()
        {
            Self::open_item(desk, item);
        }
        // Nothing under the home screen: Back stays here.
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let home = self;
        let Some(user) = &app.user else { return };
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(
                " {} · {} ",
                app.t("home.title"),
                app.t(&format!("role.{}", user.role.as_str()))
            ),
            app.theme.title(),
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [counts, menu] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(1)]).areas(inner);
        let mut lines = Vec::new();
        if let Some(notice) = &app.notice {
            lines.push(Line::styled(notice.clone(), app.theme.notice()));
        }
        if let Some(summary) = &home.summary {
            if let Some(n) = summary.patients {
                lines.push(Line::from(
                    app.locale.tf("home.patients", &[("count", &n.to_string())]),
                ));
            }
            if let Some(n) = summary.alerts_open.filter(|n| *n > 0) {
                lines.push(Line::styled(
                    app.locale
                        .tf("home.alerts_open", &[("count", &n.to_string())]),
                    app.theme.warning(),
                ));
            }
            let late = summary.rights_late.unwrap_or(0);
            let soon = summary.rights_due_soon.unwrap_or(0);
            if late + soon > 0 {
                lines.push(Line::styled(
                    app.locale.tf(
                        "home.rights_due",
                        &[("late", &late.to_string()), ("soon", &soon.to_string())],
                    ),
                    app.theme.warning(),
                ));
            }
            if let Some(n) = summary.alerts_last_day {
                let style = if n > 0 {
                    app.theme.warning()
                } else {
                    app.theme.label()
                };
                lines.push(Line::styled(
                    app.locale.tf("home.alerts", &[("count", &n.to_string())]),
                    style,
                ));
            }
        } else if let Some(error) = &home.error {
            lines.push(Line::styled(error.clone(), app.theme.error()));
        } else {
            lines.push(Line::styled(app.t("common.working"), app.theme.label()));
        }
        frame.render_widget(Paragraph::new(lines), counts);
        let mut items = vec![Line::styled(app.t("home.menu"), app.theme.title())];
        for (i, item) in home.menu.iter().enumerate() {
            let text = format!("  {}", app.t(item.label_key()));
            items.push(if i == home.cursor.selected {
                Line::styled(text, app.theme.selected())
            } else {
                Line::from(text)
            });
        }
        if home.menu.is_empty() {
            items.push(Line::styled(app.t("home.nothing"), app.theme.label()));
        }
        frame.render_widget(Paragraph::new(items), menu);
    }
}
