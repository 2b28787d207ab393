//! Keys while a layer is over the screen: help, the command palette, a confirmation.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::App;
use super::components::patient::PatientScreen;
use super::keymap::{Context, Key};
use super::screens::{Cursor, Overlay};
use crate::auth::Permission;

impl App {
    pub(crate) fn on_overlay_key(&mut self, event: KeyEvent, key: Key) {
        let action = self
            .keymap
            .lookup(Context::Overlay, key)
            .or_else(|| self.keymap.lookup(Context::Global, key));
        match self.overlay.as_mut() {
            Some(Overlay::Palette { query, cursor }) => {
                let plain = !event
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                match (event.code, action) {
                    (KeyCode::Char(c), _) if plain => {
                        query.insert(c);
                        *cursor = Cursor::default();
                    }
                    (KeyCode::Backspace, _) => {
                        query.backspace();
                        *cursor = Cursor::default();
                    }
                    (_, Some(Action::Up)) => cursor.move_by(-1, usize::MAX),
                    (_, Some(Action::Down)) => {
                        let len = self.palette_entries().len();
                        if let Some(Overlay::Palette { cursor, .. }) = self.overlay.as_mut() {
                            cursor.move_by(1, len);
                        }
                    }
                    (_, Some(Action::Open | Action::Submit)) => {
                        let chosen = self
                            .palette_entries()
                            .get(self.palette_selected())
                            .map(|(a, _)| *a);
                        self.overlay = None;
                        if let Some(action) = chosen {
                            self.on_action(action);
                        }
                    }
                    (_, Some(Action::Back | Action::Palette)) => self.overlay = None,
                    _ => {}
                }
            }
            Some(Overlay::Help) => {
                if matches!(action, Some(Action::Back | Action::Help | Action::Open)) {
                    self.overlay = None;
                }
            }
            Some(Overlay::ConfirmLost { number, .. }) => match action {
                Some(Action::Open | Action::Submit) => {
                    let number = number.clone();
                    self.overlay = None;
                    // The patient screen under the question asks, and takes the answer.
                    self.on_shown(|patient: &mut PatientScreen, desk| {
                        patient.report_lost(desk, number)
                    });
                }
                Some(Action::Back) => self.overlay = None,
                _ => {}
            },
            None => {}
        }
    }

    fn palette_selected(&self) -> usize {
        match &self.overlay {
            Some(Overlay::Palette { cursor, .. }) => cursor.selected,
            _ => 0,
        }
    }

    /// The palette's commands matching its query, in either language.
    pub fn palette_entries(&self) -> Vec<(Action, String)> {
        let query = match &self.overlay {
            Some(Overlay::Palette { query, .. }) => query.value.to_lowercase(),
            _ => String::new(),
        };
        let mut actions = vec![Action::Home];
        if self.allows(Permission::PatientSearch) {
            actions.push(Action::Search);
        }
        actions.extend([Action::Help, Action::Logout, Action::Quit]);
        if self.user.is_none() {
            actions = vec![Action::Help, Action::Quit];
        }
        actions
            .into_iter()
            .map(|a| (a, self.t(&format!("action.{}", a.name()))))
            .filter(|(a, label)| {
                let other = self.other_locale.t(&format!("action.{}", a.name()));
                query.is_empty()
                    || label.to_lowercase().contains(&query)
                    || other.to_lowercase().contains(&query)
                    || a.name().contains(&query)
            })
            .collect()
    }
}
