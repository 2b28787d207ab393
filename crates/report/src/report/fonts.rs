//! Fonts for paper: the one configured in `[report] font`, else the first of the
//! usual system fonts that covers every character the document prints. Chinese needs
//! a CJK font; when none is installed the message says which package to install.
//! The PDF embeds only the glyphs used (krilla subsets the font).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider};

use crate::clinic::settings::ReportSettings;

/// Fonts that cover Latin text, best first, with their bold face.
const LATIN: &[(&str, &str)] = &[
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
];

/// Fonts that also cover Chinese (and Latin), best first.
const CJK: &[(&str, &str)] = &[
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ""),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", ""),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "",
    ),
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FontError {
    #[error(
        "the configured font {0} cannot be read or is not a TrueType/OpenType font: fix [report] font in settings.toml"
    )]
    Configured(String),
    #[error(
        "this document holds Chinese text and no installed font covers it: install a CJK font (Debian: apt-get install fonts-noto-cjk) or set [report] font = \"/path/to/font.ttc\" in settings.toml"
    )]
    NoCjk,
    #[error(
        "no usable font is installed: install one (Debian: apt-get install fonts-dejavu-core fonts-noto-cjk) or set [report] font in settings.toml"
    )]
    None,
}

/// One face of a font file.
#[derive(Clone)]
pub struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    pub path: PathBuf,
    pub pdf: krilla::text::Font,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} #{})", self.path.display(), self.index)
    }
}

impl Face {
    /// The face of `path` to print with: in a collection, the Simplified Chinese one
    /// when there is one (Noto CJK holds JP, KR, SC, TC, HK), else the first.
    pub fn load(path: &Path) -> Option<Face> {
        let data = Arc::new(std::fs::read(path).ok()?);
        let index = match FileRef::new(&data).ok()? {
            FileRef::Font(_) => 0,
            FileRef::Collection(c) => (0..c.len())
                .find(|&i| {
                    c.get(i).ok().is_some_and(|f| {
                        f.localized_strings(skrifa::string::StringId::FAMILY_NAME)
                            .english_or_first()
                            .is_some_and(|n| n.to_string().contains(" SC"))
                    })
                })
                .unwrap_or(0),
        };
        FontRef::from_index(&data, index).ok()?;
        let pdf = krilla::text::Font::new(krilla::Data::from(data.clone()), index)?;
        Some(Face {
            data,
            index,
            path: path.to_path_buf(),
            pdf,
        })
    }

    fn font(&self) -> FontRef<'_> {
        FontRef::from_index(&self.data, self.index).expect("checked when loaded")
    }

    /// Characters of `text` this face has no glyph for (spaces and controls aside).
    pub fn missing(&self, text: &str) -> Vec<char> {
        let font = self.font();
        let charmap = font.charmap();
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && charmap.map(*c).is_none())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The width of `text` set at `size` points (advances, without kerning).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let font = self.font();
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(size * 0.5)
            })
            .sum()
    }
}

/// The regular and bold faces a document prints with.
#[derive(Debug, Clone)]
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    pub fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// Han, kana, hangul and CJK punctuation: what a Latin font cannot print.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
            | 0x20000..=0x2FA1F)
}

/// The fonts for a document whose every character is in `text`.
pub fn choose(settings: &ReportSettings, text: &str) -> Result<Fonts, FontError> {
    if !settings.font.is_empty() {
        let regular = Face::load(Path::new(&settings.font))
            .ok_or_else(|| FontError::Configured(settings.font.clone()))?;
        if regular.missing(text).into_iter().any(is_cjk) {
            return Err(FontError::NoCjk);
        }
        let bold = if settings.font_bold.is_empty() {
            regular.clone()
        } else {
            Face::load(Path::new(&settings.font_bold))
                .ok_or_else(|| FontError::Configured(settings.font_bold.clone()))?
        };
        return Ok(Fonts { regular, bold });
    }
    let needs_cjk = text.chars().any(is_cjk);
    let candidates: Vec<&(&str, &str)> = if needs_cjk {
        CJK.iter().collect()
    } else {
        LATIN.iter().chain(CJK).collect()
    };
    // The first face that prints everything; failing that, the one that misses least.
    let mut best: Option<(usize, Face, &str)> = None;
    for (regular, bold) in candidates {
        let Some(face) = Face::load(Path::new(regular)) else {
            continue;
        };
        let missing = face.missing(text);
        if missing.iter().any(|c| is_cjk(*c)) {
            continue;
        }
        if best.as_ref().is_none_or(|(n, _, _)| missing.len() < *n) {
            let done = missing.is_empty();
            best = Some((missing.len(), face, bold));
            if done {
                break;
            }
        }
    }
    let Some((_, regular, bold_path)) = best else {
        return Err(if needs_cjk {
            FontError::NoCjk
        } else {
            FontError::None
        });
    };
    let bold = Face::load(Path::new(bold_path)).unwrap_or_else(|| regular.clone());
    Ok(Fonts { regular, bold })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_told_from_latin() {
        assert!(is_cjk('王'));
        assert!(is_cjk('，'));
        assert!(!is_cjk('é'));
        assert!(!is_cjk('—'));
    }

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
}
