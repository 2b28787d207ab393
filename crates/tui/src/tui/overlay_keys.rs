//! Keys while a layer is over the screen: help, the command palette, a confirmation.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::App;
use super::components::desk::patient::PatientScreen;
use super::keymap::{Context, Key};
use super::screens::{Cursor, Overlay};

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
                let control = event.modifiers.contains(KeyModifiers::CONTROL);
                match (event.code, action) {
                    // As in every text box: Ctrl-U empties it.
                    (KeyCode::Char('u'), _) if control => {
                        query.clear();
                        *cursor = Cursor::default();
                    }
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
                            .map(|entry| entry.command);
                        self.overlay = None;
                        if let Some(command) = chosen {
                            self.run_palette(command);
                        }
                    }
                    (_, Some(Action::Back | Action::Palette)) => self.overlay = None,
                    _ => {}
                }
            }
            Some(Overlay::Help { scroll }) => {
                let page = self.list_height.max(1) as u16;
                match action {
                    Some(Action::Back | Action::Help | Action::Open) => self.overlay = None,
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Action::Down) => *scroll = scroll.saturating_add(1),
                    Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
                    Some(Action::PageDown) => *scroll = scroll.saturating_add(page),
                    _ => match event.code {
                        KeyCode::Up => *scroll = scroll.saturating_sub(1),
                        KeyCode::Down => *scroll = scroll.saturating_add(1),
                        KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
                        KeyCode::PageDown => *scroll = scroll.saturating_add(page),
                        KeyCode::Home => *scroll = 0,
                        _ => {}
                    },
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
}
