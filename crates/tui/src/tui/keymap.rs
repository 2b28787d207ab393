//! Key bindings from TOML files, by context. The built-in files are embedded; a user's
//! own file is merged over the chosen one per (context, key). Every problem is reported
//! with the file, the line and what is wrong.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

pub const DEFAULT: &str = include_str!("../../../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../../../keymaps/vim.toml");

/// Declares the contexts, one line each: the variant and its `[section]` name in the
/// keymap files (and `context.<name>` in the catalogs, for the help window).
macro_rules! contexts {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Context {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Context {
            pub const ALL: &[Context] = &[$(Context::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Context::$variant => $name,)*
                }
            }
        }
    };
}

contexts! {
    /// Everywhere, after the screen's own context.
    Global => "global",
    /// A form's fields (a screen's form while it is open).
    Form => "form",
    /// A plain list (home, audit, users, duplicates, a template to choose).
    List => "list",
    Search => "search",
    /// A screen that only shows (the recovery codes, a registration's card).
    View => "view",
    Overlay => "overlay",
    Consent => "consent",
    Record => "record",
    Results => "results",
    Questionnaire => "questionnaire",
    /// The follow-up queue.
    Queue => "queue",
    /// A call, while loading or once saved.
    Call => "call",
    /// The report preview and choosing a printer.
    Paper => "paper",
    /// The risk assessments.
    Risks => "risks",
    /// Drafting and approving advice.
    Advice => "advice",
    /// The intake interview.
    Intake => "intake",
    /// The stage summaries.
    Summaries => "summaries",
    /// The 健康体检表.
    Exams => "exams",
    /// The intervention plan.
    Plan => "plan",
    /// A patient's follow-up history.
    FollowUps => "followups",
    /// The patient screen (its keys open the chart's screens).
    Patient => "patient",
    /// The exam day's bookings.
    ExamDay => "exam_day",
    /// Results that matched no patient.
    Review => "review",
    /// The alerts list.
    Alerts => "alerts",
    /// The privacy officer's log of patients' requests.
    Rights => "rights",
}

impl Context {
    fn from_name(name: &str) -> Option<Context> {
        Context::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The contexts a `[section]` binds. A section named before a screen had its own
    /// context binds that screen's too, so a user's file written then still works:
    /// `[care]` the plan and the summaries, `[view]` the patient screen, `[list]` the
    /// exam day, review and alerts lists.
    fn of_section(name: &str) -> Vec<Context> {
        match name {
            "care" => vec![Context::Plan, Context::Summaries],
            "view" => vec![Context::View, Context::Patient],
            "list" => vec![
                Context::List,
                Context::ExamDay,
                Context::Review,
                Context::Alerts,
                Context::Rights,
            ],
            _ => Context::from_name(name).into_iter().collect(),
        }
    }
}

/// A key as the keymap sees it: shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Key {
        let mut mods =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods -= KeyModifiers::SHIFT;
        }
        let code = match event.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let named = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Some(KeyCode::Enter),
            "esc" | "escape" => Some(KeyCode::Esc),
            "tab" => Some(KeyCode::Tab),
            "backtab" | "shift-tab" => Some(KeyCode::BackTab),
            "backspace" => Some(KeyCode::Backspace),
            "up" => Some(KeyCode::Up),
            "down" => Some(KeyCode::Down),
            "left" => Some(KeyCode::Left),
            "right" => Some(KeyCode::Right),
            "pageup" => Some(KeyCode::PageUp),
            "pagedown" => Some(KeyCode::PageDown),
            "home" => Some(KeyCode::Home),
            "end" => Some(KeyCode::End),
            "delete" | "del" => Some(KeyCode::Delete),
            "space" => Some(KeyCode::Char(' ')),
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => Some(KeyCode::F(n)),
                    _ => None,
                }
            }
            _ => None,
        };
        let code = match named {
            Some(code) => code,
            None => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => {
                        KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        })
                    }
                    _ => return Err(format!("unknown key name {text:?}")),
                }
            }
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Delete => f.write_str("Del"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("keymap {file} line {line}: {problem}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: HashMap<Context, Vec<(Key, Action)>>,
}

/// The line of `key = …` inside `[section]`, for messages.
fn line_of(text: &str, section: &str, key: Option<&str>) -> usize {
    let mut current = String::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            current = name.trim().to_string();
            if key.is_none() && current == section {
                return number + 1;
            }
            continue;
        }
        if let Some(key) = key
            && current == section
        {
            let left = trimmed
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
                .trim_matches('\'');
            if left == key {
                return number + 1;
            }
        }
    }
    1
}

impl Keymap {
    pub fn parse(file: &str, text: &str) -> Result<Keymap, KeymapError> {
        let error = |line: usize, problem: String| KeymapError {
            file: file.to_string(),
            line,
            problem,
        };
        let tables: BTreeMap<String, BTreeMap<String, String>> =
            toml::from_str(text).map_err(|e| {
                let line = crate::domain::toml_line(text, &e);
                error(line, e.message().to_string())
            })?;
        let mut keymap = Keymap::default();
        // The sections binding several contexts first, so a screen's own section
        // decides a key both name.
        let mut sections: Vec<_> = tables.iter().collect();
        sections.sort_by_key(|(section, _)| Context::of_section(section).len() < 2);
        for (section, entries) in sections {
            let contexts = Context::of_section(section);
            if contexts.is_empty() {
                let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                return Err(error(
                    line_of(text, section, None),
                    format!(
                        "unknown context [{section}]; contexts are {}",
                        known.join(", ")
                    ),
                ));
            }
            let mut seen: Vec<(Key, &str)> = Vec::new();
            for (key_text, action_text) in entries {
                let line = line_of(text, section, Some(key_text));
                let key = Key::parse(key_text).map_err(|p| error(line, p))?;
                let action = Action::from_name(action_text)
                    .ok_or_else(|| error(line, format!("unknown action {action_text:?}")))?;
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    return Err(error(
                        line,
                        format!(
                            "{key_text:?} and {first:?} are the same key in [{section}]: keep one"
                        ),
                    ));
                }
                seen.push((key, key_text));
                for context in &contexts {
                    let bindings = keymap.bindings.entry(*context).or_default();
                    match bindings.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = action,
                        None => bindings.push((key, action)),
                    }
                }
            }
        }
        Ok(keymap)
    }

    /// The built-in keymap by name.
    pub fn builtin(name: &str) -> Result<Keymap, KeymapError> {
        match name {
            "default" => Keymap::parse("keymaps/default.toml", DEFAULT),
            "vim" => Keymap::parse("keymaps/vim.toml", VIM),
            other => Err(KeymapError {
                file: "--keymap".into(),
                line: 0,
                problem: format!("unknown keymap {other:?}: use default or vim"),
            }),
        }
    }

    /// `~/.config/caredesk/keymap.toml` (or under `XDG_CONFIG_HOME`).
    pub fn user_file() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("caredesk").join("keymap.toml"))
    }

    /// The chosen built-in keymap with the user's file (if it exists) merged over it.
    pub fn load(name: &str, user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::builtin(name)?;
        if let Some(path) = user_file
            && let Ok(text) = std::fs::read_to_string(path)
        {
            keymap.merge(Keymap::parse(&path.display().to_string(), &text)?);
        }
        Ok(keymap)
    }

    /// `other`'s bindings replace this one's for the same (context, key).
    pub fn merge(&mut self, other: Keymap) {
        for (context, bindings) in other.bindings {
            let mine = self.bindings.entry(context).or_default();
            for (key, action) in bindings {
                match mine.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = action,
                    None => mine.push((key, action)),
                }
            }
        }
    }

    pub fn lookup(&self, context: Context, key: Key) -> Option<Action> {
        self.bindings
            .get(&context)
            .and_then(|b| b.iter().find(|(k, _)| *k == key))
            .map(|(_, a)| *a)
    }

    pub fn bindings(&self, context: Context) -> &[(Key, Action)] {
        self.bindings
            .get(&context)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The first key bound to `action` in `context`, then in global.
    pub fn key_for(&self, context: Context, action: Action) -> Option<Key> {
        [context, Context::Global]
            .into_iter()
            .flat_map(|c| self.bindings(c).iter())
            .find(|(_, a)| *a == action)
            .map(|(k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_keymaps_parse_and_have_no_duplicates() {
        for name in ["default", "vim"] {
            let keymap = Keymap::builtin(name).unwrap();
            assert_eq!(
                keymap.lookup(Context::Global, Key::parse("F1").unwrap()),
                Some(Action::Help)
            );
        }
    }

    #[test]
    fn unknown_action_key_and_context_name_the_line() {
        let e = Keymap::parse("k.toml", "[global]\nF1 = \"help\"\nF2 = \"fly\"\n").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (3, "k.toml"));
        assert!(e.problem.contains("unknown action \"fly\""));
        let e = Keymap::parse("k.toml", "[list]\n\nHyper-x = \"up\"\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.problem.contains("unknown key name"));
        let e = Keymap::parse("k.toml", "[lists]\nUp = \"up\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.problem.contains("unknown context"));
        assert!(e.to_string().starts_with("keymap k.toml line 1:"));
    }

    #[test]
    fn an_old_care_section_binds_the_plan_and_the_summaries() {
        let keymap = Keymap::parse("k.toml", "[care]\nCtrl-e = \"edit\"\n").unwrap();
        let key = Key::parse("Ctrl-e").unwrap();
        assert_eq!(keymap.lookup(Context::Plan, key), Some(Action::Edit));
        assert_eq!(keymap.lookup(Context::Summaries, key), Some(Action::Edit));
    }

    #[test]
    fn old_view_and_list_sections_bind_the_screens_that_have_their_own_now() {
        // A user's file from before the patient screen and the lists had their own
        // sections: its keys still reach them.
        let keymap = Keymap::parse(
            "k.toml",
            "[view]\nCtrl-r = \"record\"\n[list]\nz = \"check_in\"\n",
        )
        .unwrap();
        let key = Key::parse("Ctrl-r").unwrap();
        assert_eq!(keymap.lookup(Context::Patient, key), Some(Action::Record));
        assert_eq!(keymap.lookup(Context::View, key), Some(Action::Record));
        let z = Key::parse("z").unwrap();
        for context in [
            Context::List,
            Context::ExamDay,
            Context::Review,
            Context::Alerts,
        ] {
            assert_eq!(
                keymap.lookup(context, z),
                Some(Action::CheckIn),
                "{context:?}"
            );
        }
        // Merged over the built-in map, as `Keymap::load` does.
        let mut merged = Keymap::builtin("default").unwrap();
        merged.merge(keymap);
        assert_eq!(merged.lookup(Context::Patient, key), Some(Action::Record));
        assert_eq!(merged.lookup(Context::ExamDay, z), Some(Action::CheckIn));
    }

    #[test]
    fn a_screens_own_section_decides_a_key_an_old_section_also_names() {
        let text = "[patient]\nx = \"consent\"\n[view]\nx = \"back\"\n";
        let keymap = Keymap::parse("k.toml", text).unwrap();
        let x = Key::parse("x").unwrap();
        assert_eq!(keymap.lookup(Context::Patient, x), Some(Action::Consent));
        assert_eq!(keymap.lookup(Context::View, x), Some(Action::Back));
        assert_eq!(keymap.bindings(Context::Patient).len(), 1, "no key twice");
    }

    #[test]
    fn each_list_has_its_own_keys_and_the_queue_only_what_it_does() {
        for name in ["default", "vim"] {
            let keymap = Keymap::builtin(name).unwrap();
            let has = |context, action| keymap.bindings(context).iter().any(|(_, a)| *a == action);
            assert!(has(Context::ExamDay, Action::CheckIn), "{name}");
            assert!(
                has(Context::ExamDay, Action::Open),
                "{name}: the list's keys too"
            );
            assert!(!has(Context::ExamDay, Action::MatchPatient), "{name}");
            assert!(has(Context::Review, Action::RejectResults), "{name}");
            assert!(has(Context::Alerts, Action::AcknowledgeAlert), "{name}");
            assert!(!has(Context::List, Action::CheckIn), "{name}");
            assert!(has(Context::Patient, Action::Record), "{name}");
            assert!(!has(Context::View, Action::Record), "{name}");
            for gone in [
                Action::AttachRecording,
                Action::Listen,
                Action::Export,
                Action::New,
                Action::ClosePlan,
            ] {
                assert!(!has(Context::Queue, gone), "{name}: {gone:?}");
            }
        }
    }

    #[test]
    fn every_context_is_named_for_the_help_window_in_both_languages() {
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::ZhCn] {
            let locale = crate::i18n::Locale::new(lang);
            for context in Context::ALL {
                let key = format!("context.{}", context.name());
                assert_ne!(locale.t(&key), key, "{lang:?}");
            }
        }
    }

    #[test]
    fn two_spellings_of_one_key_conflict() {
        let e = Keymap::parse("k.toml", "[list]\nEsc = \"back\"\nEscape = \"up\"\n").unwrap_err();
        assert!(e.problem.contains("same key"), "{}", e.problem);
        let e = Keymap::parse(
            "k.toml",
            "[global]\nCtrl-p = \"palette\"\nctrl-P = \"help\"\n",
        )
        .unwrap_err();
        assert!(e.problem.contains("same key"), "{}", e.problem);
    }

    #[test]
    fn a_user_file_overrides_per_context_and_key() {
        let mut keymap = Keymap::builtin("default").unwrap();
        keymap
            .merge(Keymap::parse("user.toml", "[list]\nEnter = \"back\"\nx = \"open\"\n").unwrap());
        assert_eq!(
            keymap.lookup(Context::List, Key::parse("Enter").unwrap()),
            Some(Action::Back)
        );
        assert_eq!(
            keymap.lookup(Context::List, Key::parse("x").unwrap()),
            Some(Action::Open)
        );
        assert_eq!(
            keymap.lookup(Context::List, Key::parse("Up").unwrap()),
            Some(Action::Up)
        );
    }

    #[test]
    fn events_fold_shift_into_characters() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::parse("G").unwrap());
        let event = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&event), Key::parse("Ctrl-p").unwrap());
        assert_eq!(Key::parse("Ctrl-p").unwrap().to_string(), "Ctrl-P");
    }
}
