//! The command palette (Ctrl-P): every screen and action the signed-in role may use
//! from here, found by a fuzzy match (helix's matcher) on its name in either language
//! or its keymap name: `reg`, `card`, `follow`, `挂失`, `随访`. Each entry names its
//! key, so the palette also teaches the keys.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::action::Action;
use super::app::App;
use super::components::account::home::{Home, MenuItem};
use super::keymap::Context;
use super::screens::Overlay;
use crate::auth::Permission;

/// What a palette entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// An action, as its key would ask for it here.
    Action(Action),
    /// A screen of the home menu, opened from the home screen.
    Menu(MenuItem),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub command: Command,
    pub label: String,
    /// The key that does the same here, if one does.
    pub key: Option<String>,
}

/// Actions a palette leaves out: moving, confirming and typing belong to keys.
fn listed(action: Action) -> bool {
    !action.is_movement()
        && !matches!(
            action,
            Action::Back
                | Action::Submit
                | Action::Open
                | Action::NextField
                | Action::PrevField
                | Action::Palette
                | Action::Toggle
        )
}

impl App {
    /// The keymap context of the screen under any layer.
    fn screen_context(&self) -> Context {
        self.top().component.context()
    }

    /// Every command the role may use here, in the order they are offered when
    /// nothing is typed: this screen's actions, the home menu's screens, then
    /// everywhere's.
    fn palette_commands(&self) -> Vec<Command> {
        let Some(user) = &self.user else {
            return [Action::Language, Action::Help, Action::Quit]
                .map(Command::Action)
                .to_vec();
        };
        let allowed = |action: Action| action.allowed(&user.permissions);
        let mut commands: Vec<Command> = Vec::new();
        // The screen under the palette: its keys are what the palette offers first.
        for (_, action) in self.keymap.bindings(self.screen_context()) {
            let command = Command::Action(*action);
            if listed(*action) && allowed(*action) && !commands.contains(&command) {
                commands.push(command);
            }
        }
        let home = Home::for_user(
            |p| user.permissions.contains(&p),
            user.permissions.contains(&Permission::ClinicalRead),
        );
        commands.extend(home.menu.into_iter().map(Command::Menu));
        for action in [
            Action::Home,
            Action::Language,
            Action::Help,
            Action::Logout,
            Action::Quit,
        ] {
            if !commands.contains(&Command::Action(action)) {
                commands.push(Command::Action(action));
            }
        }
        commands
    }

    fn palette_label(&self, command: Command, locale: &crate::i18n::Locale) -> String {
        match command {
            Command::Action(action) => locale.t(&format!("action.{}", action.name())),
            Command::Menu(item) => locale.t(item.label_key()),
        }
    }

    /// The palette's commands matching its query, best first.
    pub fn palette_entries(&self) -> Vec<Entry> {
        let query = match &self.overlay {
            Some(Overlay::Palette { query, .. }) => query.value.trim().to_string(),
            _ => String::new(),
        };
        let context = self.screen_context();
        let entries = self.palette_commands().into_iter().map(|command| Entry {
            command,
            label: self.palette_label(command, &self.locale),
            key: match command {
                Command::Action(action) => Some(action),
                // The search has its own key everywhere.
                Command::Menu(MenuItem::Search) => Some(Action::Search),
                Command::Menu(_) => None,
            }
            .and_then(|action| self.keymap.key_for(context, action))
            .map(|key| key.to_string()),
        });
        if query.is_empty() {
            return entries.collect();
        }
        let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut scored: Vec<(u32, Entry)> = entries
            .filter_map(|entry| {
                // Found by its name in either language, or its keymap name.
                let name = match entry.command {
                    Command::Action(action) => action.name().replace('_', " "),
                    Command::Menu(item) => item
                        .label_key()
                        .trim_start_matches("menu.")
                        .replace('_', " "),
                };
                let haystack = format!(
                    "{} {} {name}",
                    entry.label,
                    self.palette_label(entry.command, &self.other_locale)
                );
                let score = pattern.score(Utf32Str::new(&haystack, &mut buffer), &mut matcher)?;
                Some((score, entry))
            })
            .collect();
        // Best first; equal scores keep the order they are offered in.
        scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
        scored.into_iter().map(|(_, entry)| entry).collect()
    }

    /// Does what the chosen entry says.
    pub(crate) fn run_palette(&mut self, command: Command) {
        match command {
            Command::Action(action) => self.on_action(action),
            Command::Menu(item) => {
                self.go_home();
                self.on_shown(|_: &mut Home, desk| Home::open_item(desk, item));
            }
        }
    }
}
