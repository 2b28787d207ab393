//! Why a document cannot be printed for want of a font, in the reader's language: the
//! kind of text no installed font can print and the Debian package that prints it.
//! The characters themselves are never named: they may be a patient's name.

use std::collections::BTreeSet;

use crate::i18n::{Lang, Locale};

/// What kind of text a missing glyph belongs to, and so which package prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TextKind {
    /// Letters, digits and punctuation of Latin script (card numbers, dates, values).
    Latin,
    /// Han, kana, hangul and CJK punctuation.
    Chinese,
    /// Anything else (symbols, other scripts).
    Other,
}

impl TextKind {
    pub fn of(c: char) -> TextKind {
        if super::is_cjk(c) {
            TextKind::Chinese
        } else if (c as u32) < 0x0250 || matches!(c as u32, 0x1E00..=0x1EFF | 0x2000..=0x206F) {
            TextKind::Latin
        } else {
            TextKind::Other
        }
    }

    /// The Debian package whose font prints this kind of text.
    pub fn package(self) -> &'static str {
        match self {
            TextKind::Latin => "fonts-dejavu-core",
            TextKind::Chinese => "fonts-noto-cjk",
            TextKind::Other => "fonts-noto-core",
        }
    }

    fn key(self) -> &'static str {
        match self {
            TextKind::Latin => "paper.font_kind_latin",
            TextKind::Chinese => "paper.font_kind_chinese",
            TextKind::Other => "paper.font_kind_other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontError {
    /// `[report] font` or `font_bold` names a file that is no font.
    Configured(String),
    /// Characters no font prints: their kinds, and how many characters.
    Missing { kinds: Vec<TextKind>, count: usize },
}

impl FontError {
    /// `Ok` when nothing is missing, else the refusal naming what is.
    pub fn missing(chars: &BTreeSet<char>) -> Result<(), FontError> {
        if chars.is_empty() {
            return Ok(());
        }
        let kinds: BTreeSet<TextKind> = chars.iter().map(|c| TextKind::of(*c)).collect();
        Err(FontError::Missing {
            kinds: kinds.into_iter().collect(),
            count: chars.len(),
        })
    }

    /// The packages to install, space-separated, as `apt-get install` takes them.
    pub fn packages(&self) -> String {
        match self {
            FontError::Configured(_) => String::new(),
            FontError::Missing { kinds, .. } => kinds
                .iter()
                .map(|k| k.package())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let loc = Locale::new(lang);
        match self {
            FontError::Configured(file) => loc.tf("paper.font_configured", &[("file", file)]),
            FontError::Missing { kinds, count } => {
                let what: Vec<String> = kinds.iter().map(|k| loc.t(k.key())).collect();
                loc.tf(
                    "paper.font_missing",
                    &[
                        ("what", &what.join(&loc.t("paper.font_kind_and"))),
                        ("count", &count.to_string()),
                        ("packages", &self.packages()),
                    ],
                )
            }
        }
    }
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for FontError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_their_package() {
        assert_eq!(TextKind::of('D'), TextKind::Latin);
        assert_eq!(TextKind::of('7'), TextKind::Latin);
        assert_eq!(TextKind::of('·'), TextKind::Latin);
        assert_eq!(TextKind::of('林'), TextKind::Chinese);
        assert_eq!(TextKind::of('✓'), TextKind::Other);
        let err = FontError::missing(&"林D7".chars().collect()).unwrap_err();
        assert_eq!(err.packages(), "fonts-dejavu-core fonts-noto-cjk");
        let en = err.to_string();
        assert!(
            en.contains("Latin letters") && en.contains("Chinese text"),
            "{en}"
        );
        assert!(
            en.contains("apt-get install fonts-dejavu-core fonts-noto-cjk"),
            "{en}"
        );
        assert!(!en.contains('林'), "the characters are not named: {en}");
        let zh = err.message(Lang::ZhCn);
        assert!(zh.contains("中文") && zh.contains("fonts-noto-cjk"), "{zh}");
        assert!(FontError::missing(&BTreeSet::new()).is_ok());
    }
}
