//! A message as a value: a catalog key and its arguments, rendered by the locale of
//! whoever reads it. The service and the domain say what happened in `Text`; the desk
//! shows it in the user's language and a command prints it in English, so a Chinese
//! screen never shows an English sentence made on the server.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Lang, Locale};

/// A message: `key` names a catalog entry with `{name}` placeholders, `args` fill them.
/// An empty key is text that is not ours to translate (an operating-system error, a
/// file's own words), shown as written.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    key: String,
    args: Vec<(String, Arg)>,
}

/// One argument: data shown as written (a number, a code, a name), or a message of its
/// own rendered in the same language (a status, a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    Plain(String),
    Text(Text),
    /// Messages listed in the reader's way ("a, b" or "甲、乙").
    List(Vec<Text>),
}

impl Text {
    /// The catalog entry `key`; add its arguments with [`Text::arg`].
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// Words that are not ours to translate, shown as written in every language.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Self::new("").arg("text", text.into())
    }

    /// A name that carries its own two languages (an indicator, a value set).
    pub fn names(english: &str, chinese: &str) -> Self {
        Self::verbatim(english).arg("zh", chinese)
    }

    /// Fill `{name}` with data shown as written.
    pub fn arg(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.args
            .push((name.to_string(), Arg::Plain(value.to_string())));
        self
    }

    /// Fill `{name}` with a message rendered in the reader's language.
    pub fn arg_text(mut self, name: &str, value: Text) -> Self {
        self.args.push((name.to_string(), Arg::Text(value)));
        self
    }

    /// Fill `{name}` with messages listed in the reader's way.
    pub fn arg_list(mut self, name: &str, values: Vec<Text>) -> Self {
        self.args.push((name.to_string(), Arg::List(values)));
        self
    }

    /// The catalog entry `key` when the catalog has it, else `fallback` as written:
    /// for names a clinic may add to (a tag, a value set) beside the shipped ones.
    pub fn known_or(key: impl Into<String>, fallback: impl Into<String>) -> Self {
        Self::new(key).arg("text", fallback.into())
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Every catalog key this message and its nested messages use.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys = vec![self.key.as_str()];
        for (_, arg) in &self.args {
            match arg {
                Arg::Text(text) => keys.extend(text.keys()),
                Arg::List(texts) => keys.extend(texts.iter().flat_map(Text::keys)),
                Arg::Plain(_) => {}
            }
        }
        keys
    }

    /// The message in English, as commands and logs print it.
    pub fn english(&self) -> String {
        english().text(self)
    }
}

/// A message kept as text inside a sealed field (an alert's detail): a marker, then
/// the encoded message. Text without the marker (written before details were
/// messages) reads back as written.
const STORED_MARKER: char = '\u{1}';

impl crate::codec::Versioned for Text {
    const VERSION: u16 = 1;
}

impl Text {
    /// The message as a string for a sealed text field.
    pub fn to_stored(&self) -> String {
        let bytes = crate::codec::encode(self);
        format!(
            "{STORED_MARKER}{}",
            data_encoding::BASE64.encode(bytes.as_slice())
        )
    }

    /// A sealed text field read back: the message, or older plain text as written.
    pub fn from_stored(stored: &str) -> Text {
        stored
            .strip_prefix(STORED_MARKER)
            .and_then(|encoded| data_encoding::BASE64.decode(encoded.as_bytes()).ok())
            .and_then(|bytes| crate::codec::decode::<Text>(&bytes).ok())
            .unwrap_or_else(|| Text::verbatim(stored))
    }
}

/// One English catalog for the process: `Display` renders with it.
fn english() -> &'static Locale {
    static ENGLISH: OnceLock<Locale> = OnceLock::new();
    ENGLISH.get_or_init(|| Locale::new(Lang::En))
}

impl Locale {
    /// The message in this language.
    pub fn text(&self, text: &Text) -> String {
        let args: Vec<(&str, String)> = text
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Plain(value) => value.clone(),
                    Arg::Text(inner) => self.text(inner),
                    Arg::List(items) => {
                        let separator = if self.lang.is_chinese() { "、" } else { ", " };
                        let items: Vec<String> = items.iter().map(|t| self.text(t)).collect();
                        items.join(separator)
                    }
                };
                (name.as_str(), value)
            })
            .collect();
        // Verbatim text, or a name the catalog does not have: shown as written.
        if text.key.is_empty() || !self.texts.contains_key(&text.key) {
            let wanted = if self.lang.is_chinese() { "zh" } else { "text" };
            let find = |want: &str| args.iter().find(|(name, _)| *name == want);
            if let Some((_, value)) = find(wanted).or_else(|| find("text")) {
                return value.clone();
            }
        }
        let borrowed: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.tf(&text.key, &borrowed)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// The key and the argument names only: arguments can be a patient's data.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.args.iter().map(|(n, _)| n.as_str()).collect();
        write!(f, "Text({:?}, {names:?})", self.key)
    }
}

impl From<&Text> for Text {
    fn from(text: &Text) -> Self {
        text.clone()
    }
}

/// `text!("key", name = value, …)`: a message with its arguments shown as written.
#[macro_export]
macro_rules! text {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Text::new($key)$(.arg(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_renders_in_each_language_with_its_arguments() {
        let text = crate::text!("error.account_locked", minutes = 15);
        assert!(text.to_string().contains("15"));
        let zh = Locale::new(Lang::ZhCn).text(&text);
        assert!(zh.contains("15") && zh != text.to_string(), "{zh}");
    }

    #[test]
    fn verbatim_text_is_shown_as_written_and_debug_shows_no_arguments() {
        let text = Text::verbatim("Permission denied (os error 13)");
        assert_eq!(
            Locale::new(Lang::ZhCn).text(&text),
            "Permission denied (os error 13)"
        );
        let secret = crate::text!("error.detail", detail = "Zhang Wei 13912345678");
        assert!(!format!("{secret:?}").contains("Zhang"));
    }

    #[test]
    fn a_stored_message_reads_back_and_older_plain_text_reads_as_written() {
        let text = crate::text!("error.account_locked", minutes = 15);
        assert_eq!(Text::from_stored(&text.to_stored()), text);
        assert_eq!(
            Text::from_stored("5 failed sign-ins"),
            Text::verbatim("5 failed sign-ins")
        );
        assert_eq!(
            Text::from_stored("\u{1}not base64 at all"),
            Text::verbatim("\u{1}not base64 at all")
        );
    }

    #[test]
    fn lists_follow_the_language_and_unknown_names_show_as_written() {
        let zh = Locale::new(Lang::ZhCn);
        let en = Locale::new(Lang::En);
        let list = crate::text!("msg.common.with_detail", detail = "x").arg_list(
            "text",
            vec![
                Text::names("Diabetes", "糖尿病"),
                Text::names("Gout", "痛风"),
            ],
        );
        assert_eq!(en.text(&list), "Diabetes, Gout: x");
        assert_eq!(zh.text(&list), "糖尿病、痛风：x");
        let shipped = Text::known_or("tag.hypertension", "hypertension");
        assert_ne!(zh.text(&shipped), "hypertension");
        let own = Text::known_or("tag.night_shift", "night shift");
        assert_eq!(zh.text(&own), "night shift");
        assert_eq!(en.text(&Text::new("no.such.key")), "no.such.key");
    }
}
