//! The call queue (Home → Follow-up queue): due today, overdue and upcoming, sorted by
//! priority then due date; g, f and t cycle the group, kind and team filters; Enter
//! claims the selected follow-up and opens the call screen. Only a page around the
//! selection is fetched, so 100 000 due follow-ups stay instant.

use super::action::Action;
use super::app::{App, Pending};
use super::components::call::CallScreen;
use super::field::Field;
use super::screens::{Form, QueueScreen, Screen};
use crate::clinic::followup_api::{FollowUpKey, NotCallable, QueueGroup};
use crate::clinic::{Request, Response};
use crate::domain::followup::Kind;

/// Rows fetched at a time.
const PAGE: u32 = 200;

fn next<T: Copy + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => {
            let at = all.iter().position(|x| *x == c).unwrap_or(all.len());
            all.get(at + 1).copied()
        }
    }
}

/// Why a row may not be called, in the screen's language.
pub fn not_callable_text(locale: &crate::i18n::Locale, why: &NotCallable) -> String {
    match why {
        NotCallable::Calling { by, until } => {
            let until = chrono::DateTime::from_timestamp(*until, 0)
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default();
            locale.tf("queue.calling", &[("by", by), ("until", &until)])
        }
        NotCallable::NoPhone => locale.t("queue.no_phone"),
        NotCallable::NoConsent => locale.t("queue.no_consent"),
        NotCallable::Refused => locale.t("queue.refused"),
    }
}

impl App {
    pub(crate) fn open_queue(&mut self) {
        self.push(Screen::Queue(QueueScreen::default()));
        // Today's follow-ups are made first (nothing is made twice).
        self.call(Pending::Queue, Request::FollowUpSchedule);
        self.request_queue_page(0);
    }

    fn request_queue_page(&mut self, offset: u32) {
        let Screen::Queue(screen) = &mut self.screen else {
            return;
        };
        screen.loading = true;
        let filter = screen.filter.clone();
        self.call(
            Pending::Queue,
            Request::FollowUpQueue {
                filter,
                offset,
                limit: PAGE,
            },
        );
    }

    /// After the cursor moved: fetch the page around it if the rows are not here.
    pub(crate) fn queue_follow_cursor(&mut self) {
        let Screen::Queue(screen) = &self.screen else {
            return;
        };
        let selected = screen.cursor.selected;
        if screen.loading || screen.total() == 0 || screen.row(selected).is_some() {
            return;
        }
        let offset = selected.saturating_sub(PAGE as usize / 4) as u32;
        self.request_queue_page(offset);
    }

    pub(crate) fn on_queue_action(&mut self, action: Action) {
        let Screen::Queue(screen) = &mut self.screen else {
            return;
        };
        if let Some(form) = &mut screen.tag_prompt {
            match action {
                Action::Submit => {
                    let tag = form.value(0).trim().to_string();
                    screen.filter.tag = (!tag.is_empty()).then_some(tag);
                    screen.tag_prompt = None;
                }
                Action::Back => {
                    screen.tag_prompt = None;
                    return;
                }
                _ => return,
            }
        } else if action == Action::FilterTag {
            let mut form = Form::new(vec![Field::with(
                screen.filter.tag.as_deref().unwrap_or(""),
            )]);
            form.focus = 0;
            screen.tag_prompt = Some(form);
            return;
        }
        let Screen::Queue(screen) = &mut self.screen else {
            return;
        };
        match action {
            Action::Submit => {}
            Action::Back => return self.back(),
            Action::FilterGroup => {
                let groups = [QueueGroup::Overdue, QueueGroup::Today, QueueGroup::Upcoming];
                screen.filter.group = next(&groups, screen.filter.group);
            }
            Action::FilterKind => screen.filter.kind = next(&Kind::ALL, screen.filter.kind),
            Action::FilterTeam => {
                let teams = screen
                    .view
                    .as_ref()
                    .map(|v| v.teams.clone())
                    .unwrap_or_default();
                screen.filter.team = match &screen.filter.team {
                    None => teams.first().cloned(),
                    Some(t) => {
                        let at = teams.iter().position(|x| x == t).unwrap_or(teams.len());
                        teams.get(at + 1).cloned()
                    }
                };
            }
            Action::Refresh => {}
            Action::Open => {
                let Some(row) = screen.row(screen.cursor.selected) else {
                    return;
                };
                if let Some(why) = &row.not_callable {
                    let text = not_callable_text(&self.locale, why);
                    if let Screen::Queue(screen) = &mut self.screen {
                        screen.error = Some(text);
                    }
                    return;
                }
                let key = FollowUpKey::of(&row.item);
                screen.error = None;
                return self.open(CallScreen::new(key));
            }
            _ => return,
        }
        screen.cursor = Default::default();
        screen.notice = None;
        self.request_queue_page(0);
    }

    pub(crate) fn on_queue_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::Queue(screen) = &mut self.screen else {
            return;
        };
        match response {
            Response::FollowUpQueue(view) => {
                screen.loading = false;
                let total = view.total as usize;
                screen.view = Some(*view);
                screen.cursor.selected = screen.cursor.selected.min(total.saturating_sub(1));
            }
            Response::FollowUpScheduled { .. } => {}
            _ => {
                screen.loading = false;
                screen.error = text;
            }
        }
    }
}
