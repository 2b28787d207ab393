//! Which fonts a document prints with: `[report] font` (and `font_bold`) first, then
//! the faces installed in `[report] font_dirs` (empty: the system's font directories),
//! found by fontdb. Known good families come first — Latin ones, then CJK ones — and
//! any other installed family after them; a family joins the chain only when it prints
//! a character of the document that the ones before it cannot.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fontdb::{Database, Family as Named, Query, Stretch, Style, Weight};

use super::{Bytes, Face, Family, FontError, Fonts, needs_glyph};
use crate::clinic::admin::settings::ReportSettings;

/// Families tried first, best first: Latin sans-serifs (their Latin is better than a
/// CJK font's), then CJK fonts, Droid Sans Fallback (no Latin letters) last.
const PREFERRED: &[&str] = &[
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
];

/// The fonts for a document whose every character is in `text`: refused with the
/// kind of text and the package to install when no installed font prints some of it.
pub fn choose(settings: &ReportSettings, text: &str) -> Result<Fonts, FontError> {
    let mut families = Vec::new();
    if !settings.font.is_empty() {
        let regular = Face::load(Path::new(&settings.font))
            .ok_or_else(|| FontError::Configured(settings.font.clone()))?;
        let bold = if settings.font_bold.is_empty() {
            regular.clone()
        } else {
            Face::load(Path::new(&settings.font_bold))
                .ok_or_else(|| FontError::Configured(settings.font_bold.clone()))?
        };
        families.push(Family { regular, bold });
    }
    let mut needed: BTreeSet<char> = text.chars().filter(|c| needs_glyph(*c)).collect();
    needed.retain(|c| !families.iter().any(|f| f.regular.covers(*c)));
    if !needed.is_empty() {
        let installed = Installed::new(&settings.font_dirs);
        for name in installed.family_names() {
            let Some(regular) = installed.face(&name, Weight::NORMAL) else {
                continue;
            };
            let before = needed.len();
            needed.retain(|c| !regular.covers(*c));
            if needed.len() < before {
                let bold = installed
                    .face(&name, Weight::BOLD)
                    .filter(|b| b.path != regular.path || b.index != regular.index)
                    .unwrap_or_else(|| regular.clone());
                families.push(Family { regular, bold });
            }
            if needed.is_empty() {
                break;
            }
        }
    }
    FontError::missing(&needed)?;
    Ok(Fonts::new(families))
}

/// The installed faces, and the files already read (a collection's faces share one).
struct Installed {
    db: Database,
    files: std::cell::RefCell<HashMap<PathBuf, Bytes>>,
}

impl Installed {
    fn new(dirs: &[String]) -> Installed {
        let mut db = Database::new();
        if dirs.is_empty() {
            db.load_system_fonts();
        } else {
            for dir in dirs {
                db.load_fonts_dir(dir);
            }
        }
        Installed {
            db,
            files: Default::default(),
        }
    }

    /// Every installed family once: the preferred ones in their order, then the rest
    /// by name (upright, normal-width faces; monospaced families after the others).
    fn family_names(&self) -> Vec<String> {
        let mut others: BTreeSet<(bool, String)> = BTreeSet::new();
        for face in self.db.faces() {
            if face.style != Style::Normal || face.stretch != Stretch::Normal {
                continue;
            }
            if let Some((name, _)) = face.families.first()
                && !PREFERRED.contains(&name.as_str())
            {
                others.insert((face.monospaced, name.clone()));
            }
        }
        let preferred = PREFERRED.iter().map(|n| n.to_string()).filter(|name| {
            self.db
                .faces()
                .any(|f| f.families.iter().any(|(n, _)| n == name))
        });
        preferred
            .chain(others.into_iter().map(|(_, n)| n))
            .collect()
    }

    /// The upright, normal-width face of `family` nearest `weight`; for bold, only a
    /// face that is bold.
    fn face(&self, family: &str, weight: Weight) -> Option<Face> {
        let id = self.db.query(&Query {
            families: &[Named::Name(family)],
            weight,
            stretch: Stretch::Normal,
            style: Style::Normal,
        })?;
        let info = self.db.face(id)?;
        if weight >= Weight::SEMIBOLD && info.weight < Weight::SEMIBOLD {
            return None;
        }
        let (source, index) = self.db.face_source(id)?;
        let (path, data) = match source {
            fontdb::Source::File(path) => {
                let data = self.read(&path)?;
                (path, data)
            }
            fontdb::Source::SharedFile(path, data) => (path, data),
            fontdb::Source::Binary(data) => (PathBuf::new(), data),
        };
        Face::new(data, index, &path)
    }

    fn read(&self, path: &Path) -> Option<Bytes> {
        let mut files = self.files.borrow_mut();
        if let Some(data) = files.get(path) {
            return Some(data.clone());
        }
        let data: Bytes = Arc::new(std::fs::read(path).ok()?);
        files.insert(path.to_path_buf(), data.clone());
        Some(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_font_that_is_not_a_font_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-font.ttf");
        std::fs::write(&path, b"hello").unwrap();
        let settings = ReportSettings {
            font: path.display().to_string(),
            ..Default::default()
        };
        let err = choose(&settings, "Report").unwrap_err();
        assert!(err.to_string().contains("not-a-font.ttf"), "{err}");
    }

    #[test]
    fn an_empty_font_directory_refuses_with_the_packages() {
        let dir = tempfile::tempdir().unwrap();
        let settings = ReportSettings {
            font_dirs: vec![dir.path().display().to_string()],
            ..Default::default()
        };
        let err = choose(&settings, "王 8860").unwrap_err();
        assert_eq!(err.packages(), "fonts-dejavu-core fonts-noto-cjk");
        // Nothing to print needs no font.
        assert!(choose(&settings, "  ").is_ok());
    }
}
