//! The notice (告知书) a patient is given before the separate PIPL consents:
//! `DIR/notice.toml`, written from the shipped template at `init`, with a version
//! every consent records. Read through the service (`Request::NoticeGet`) so that a
//! terminal prints it without reading the store's directory.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::clinic::admin::settings::Settings;
use crate::i18n::Lang;

/// The shipped template.
pub const BUILT_IN: &str = include_str!("../../../../../rules/notice.toml");
/// Its version (a test keeps the two the same).
pub const BUILT_IN_VERSION: &str = "2026-12";
pub const FILE: &str = "notice.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeText {
    pub title: String,
    pub body: String,
}

/// The notice in both languages, placeholders filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub version: String,
    #[serde(rename = "zh-CN")]
    pub zh: NoticeText,
    pub en: NoticeText,
}

impl Notice {
    pub fn text(&self, lang: Lang) -> &NoticeText {
        if lang.is_chinese() {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// What the desk prints: the notice, the clinic's name and its paper and fonts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDocument {
    pub notice: Notice,
    pub clinic: String,
    pub layout: crate::clinic::admin::settings::ReportSettings,
    /// Today in the clinic, the date printed on it.
    pub printed_on: String,
}

/// The clinic's notice (`DIR/notice.toml`, else the template), with the clinic's
/// name, address, telephone and officer filled in. A file that does not read is an
/// error naming its line, never silently the template.
pub fn load(dir: &Path, settings: &Settings) -> Result<Notice, String> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILT_IN.to_string(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut notice: Notice = toml::from_str(&text).map_err(|e| {
        let line = crate::domain::toml_line(&text, &e);
        format!("{} line {line}: {}", path.display(), e.message())
    })?;
    if notice.version.trim().is_empty() {
        return Err(format!(
            "{} has no version: add version = \"…\" so consents can name the text they were given under",
            path.display()
        ));
    }
    let officer = match settings.privacy.officer.trim() {
        "" => "—",
        officer => officer,
    };
    let fill = |t: &str| {
        t.replace("{clinic}", &settings.clinic.name)
            .replace("{address}", &settings.clinic.address)
            .replace("{phone}", &settings.clinic.phone)
            .replace("{officer}", officer)
    };
    for text in [&mut notice.zh, &mut notice.en] {
        text.title = fill(&text.title);
        text.body = fill(text.body.trim());
    }
    Ok(notice)
}

/// Writes the template to `DIR/notice.toml` unless the clinic has its own.
pub fn write_template(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(FILE);
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, BUILT_IN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_with_its_version_and_fills_the_clinic() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut settings = Settings::default();
        settings.clinic.name = "朝阳健康管理中心".into();
        settings.privacy.officer = "李敏 010-6588 0001".into();
        let notice = load(dir.path(), &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(notice.version, BUILT_IN_VERSION);
        assert!(notice.zh.body.contains("朝阳健康管理中心"));
        assert!(notice.en.body.contains("李敏 010-6588 0001"));
        assert!(!notice.zh.body.contains('{'), "every placeholder filled");
        write_template(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(FILE), "version = \"\"\n").unwrap_or_default();
        let error = load(dir.path(), &settings).unwrap_err();
        assert!(error.contains("notice.toml"), "{error}");
    }
}
