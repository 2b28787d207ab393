//! Text catalogs: every word a user reads, on screen, on paper or from a command,
//! comes from `locales/<lang>.toml`. A leaf: the TUI, reports and commands share it.

use std::collections::HashMap;

mod text;
pub use text::{Arg, Text};

pub const EN: &str = include_str!("locales/en.toml");
pub const ZH_CN: &str = include_str!("locales/zh-CN.toml");

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Lang {
    #[default]
    #[value(name = "en")]
    En,
    #[value(name = "zh-CN", alias = "zh")]
    ZhCn,
}

impl Lang {
    /// The BCP 47 code, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Whether texts are to be in Chinese (the libraries hold `en` and `zh` pairs).
    pub fn is_chinese(self) -> bool {
        self == Lang::ZhCn
    }

    pub fn from_chinese(chinese: bool) -> Lang {
        if chinese { Lang::ZhCn } else { Lang::En }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "en" => Some(Lang::En),
            "zh-CN" | "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language a POSIX locale names (`zh_CN.UTF-8`, `en_GB.UTF-8`), as an SSH
    /// session passes it in `LC_ALL`, `LC_MESSAGES` or `LANG`; `None` for "C", "POSIX"
    /// or a language caredesk does not speak.
    pub fn from_posix_locale(value: &str) -> Option<Lang> {
        let language = value.split(['_', '.', '@', '-']).next().unwrap_or_default();
        match language.to_ascii_lowercase().as_str() {
            "zh" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of this session's environment, looked up as POSIX does: the first
    /// of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides.
    pub fn from_environment(get: impl Fn(&str) -> Option<String>) -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| get(name).filter(|v| !v.is_empty()))
            .next()
            .and_then(|value| Lang::from_posix_locale(&value))
    }
}

#[derive(Debug, Clone)]
pub struct Locale {
    pub lang: Lang,
    texts: HashMap<String, String>,
}

/// Flattens `[section] key = "text"` into `section.key`.
pub fn flatten(source: &str) -> HashMap<String, String> {
    let table: toml::Table = toml::from_str(source).unwrap_or_default();
    let mut out = HashMap::new();
    fn walk(prefix: &str, value: &toml::Value, out: &mut HashMap<String, String>) {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            toml::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            _ => {}
        }
    }
    walk("", &toml::Value::Table(table), &mut out);
    out
}

impl Locale {
    pub fn new(lang: Lang) -> Self {
        let source = match lang {
            Lang::En => EN,
            Lang::ZhCn => ZH_CN,
        };
        Self {
            lang,
            texts: flatten(source),
        }
    }

    /// The text for `key`; the key itself when missing (a test keeps catalogs complete).
    pub fn t(&self, key: &str) -> String {
        self.texts
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The text with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A tag as this language names it: the shipped rules' tags have names in the
    /// catalogs (`[tag]`); a clinic's own tag is shown as written.
    pub fn tag(&self, tag: &str) -> String {
        self.texts
            .get(&format!("tag.{tag}"))
            .cloned()
            .unwrap_or_else(|| tag.to_string())
    }

    /// The tag a name typed in this language stands for: a shipped tag's name (吸烟 →
    /// smoker), else the text as typed (a clinic's own tag, or the tag itself).
    pub fn tag_key(&self, typed: &str) -> String {
        let typed = typed.trim();
        self.texts
            .iter()
            .find(|(key, text)| key.starts_with("tag.") && text.eq_ignore_ascii_case(typed))
            .map(|(key, _)| key["tag.".len()..].to_string())
            .unwrap_or_else(|| typed.to_string())
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.texts.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let en: BTreeSet<_> = Locale::new(Lang::En).keys().cloned().collect();
        let zh: BTreeSet<_> = Locale::new(Lang::ZhCn).keys().cloned().collect();
        assert!(en.len() > 50);
        assert_eq!(
            en.difference(&zh).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in zh-CN"
        );
        assert_eq!(
            zh.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in en"
        );
    }

    #[test]
    fn a_tag_s_name_in_either_language_finds_the_tag() {
        let zh = Locale::new(Lang::ZhCn);
        let smoker = zh.tag("smoker");
        assert_ne!(smoker, "smoker");
        assert_eq!(zh.tag_key(&smoker), "smoker");
        assert_eq!(zh.tag_key("smoker"), "smoker");
        assert_eq!(zh.tag_key(" night shift "), "night shift");
    }

    #[test]
    fn placeholders_are_filled() {
        let l = Locale::new(Lang::En);
        assert!(
            l.tf("error.account_locked", &[("minutes", "15")])
                .contains("15")
        );
    }

    #[test]
    fn a_session_s_locale_chooses_the_language() {
        assert_eq!(Lang::from_posix_locale("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_posix_locale("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_posix_locale("C.UTF-8"), None);
        assert_eq!(Lang::from_posix_locale("de_DE.UTF-8"), None);
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        // LC_ALL first; an empty one is not set.
        assert_eq!(
            Lang::from_environment(env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")])),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_environment(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_environment(env(&[])), None);
    }
}
