//! Fonts for paper, chosen per run of text: a document prints with a chain of font
//! families (the configured `[report] font` first, then installed ones: a Latin font,
//! a CJK font, whatever else covers what they miss; `discover` builds it), and each
//! character is set in the first family that has a glyph for it. A line is split into
//! runs by that choice and each run drawn in its own font, so a Chinese clinic name and
//! a card number share a line, each in a font that prints it.
//!
//! Nothing prints as an empty box: every character drawn is looked up first, one with
//! no glyph in any family is not drawn but remembered, and `pdf::render` refuses the
//! document (naming the kind of text and the package to install) instead of handing
//! out a PDF with holes. The PDF embeds only the glyphs used (krilla subsets the font).

mod discover;
mod error;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::TextDirection;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider};

pub use discover::choose;
pub use error::{FontError, TextKind};

/// Font bytes shared by the faces of one file and handed to krilla without a copy.
type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// One face of a font file.
#[derive(Clone)]
pub struct Face {
    data: Bytes,
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
        let data: Bytes = Arc::new(std::fs::read(path).ok()?);
        let index = match FileRef::new((*data).as_ref()).ok()? {
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
        Face::new(data, index, path)
    }

    /// Face `index` of a file already read.
    fn new(data: Bytes, index: u32, path: &Path) -> Option<Face> {
        FontRef::from_index((*data).as_ref(), index).ok()?;
        let pdf = krilla::text::Font::new(krilla::Data::from(data.clone()), index)?;
        Some(Face {
            data,
            index,
            path: path.to_path_buf(),
            pdf,
        })
    }

    fn font(&self) -> Option<FontRef<'_>> {
        FontRef::from_index((*self.data).as_ref(), self.index).ok()
    }

    /// Whether this face has a real glyph (not .notdef) for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.font()
            .and_then(|font| font.charmap().map(c))
            .is_some_and(|glyph| glyph.to_u32() != 0)
    }

    /// The width of `text` set at `size` points (advances, without kerning).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let Some(font) = self.font() else {
            return text.chars().count() as f32 * size * 0.5;
        };
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

/// A family's regular face and its bold one (the regular one when it has none).
#[derive(Debug, Clone)]
pub struct Family {
    pub regular: Face,
    pub bold: Face,
}

/// The families a document prints with, first choice first, and the characters a
/// drawing met that none of them has (checked before the PDF is handed out).
#[derive(Debug, Clone)]
pub struct Fonts {
    families: Vec<Family>,
    unprinted: RefCell<BTreeSet<char>>,
}

/// Characters that draw nothing: they need no glyph and go with the run around them.
pub fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'))
}

impl Fonts {
    pub fn new(families: Vec<Family>) -> Fonts {
        Fonts {
            families,
            unprinted: RefCell::default(),
        }
    }

    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// The face `c` is set in: the first family that has it (its bold face when asked
    /// for and it has the glyph, else its regular one).
    pub fn face_for(&self, c: char, bold: bool) -> Option<&Face> {
        self.families.iter().find_map(|family| {
            if bold && family.bold.covers(c) {
                Some(&family.bold)
            } else if family.regular.covers(c) {
                Some(&family.regular)
            } else {
                None
            }
        })
    }

    /// `text` cut into runs that each print in one face. A character no face has gets
    /// `None`; characters that draw nothing (spaces) stay in the run they are in.
    pub fn runs<'t>(&self, text: &'t str, bold: bool) -> Vec<(Option<&Face>, &'t str)> {
        let mut runs: Vec<(Option<&Face>, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<Option<&Face>> = None;
        for (i, c) in text.char_indices() {
            let face = if needs_glyph(c) {
                self.face_for(c, bold)
            } else {
                match current {
                    Some(Some(face)) if face.covers(c) => Some(face),
                    // Leading spaces go with the next character that needs a glyph.
                    _ => text[i..]
                        .chars()
                        .find(|c| needs_glyph(*c))
                        .and_then(|next| self.face_for(next, bold))
                        .filter(|face| face.covers(c))
                        .or_else(|| self.face_for(c, bold)),
                }
            };
            if let Some(previous) = current
                && !same(previous, face)
            {
                runs.push((previous, &text[start..i]));
                start = i;
            }
            current = Some(face);
        }
        if let Some(face) = current {
            runs.push((face, &text[start..]));
        }
        runs
    }

    /// The width of `text` set at `size` points, each run in its own face.
    pub fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        self.runs(text, bold)
            .into_iter()
            .map(|(face, run)| match face {
                Some(face) => face.width(run, size),
                None => run.chars().count() as f32 * size * 0.5,
            })
            .sum()
    }

    /// Draws `text` with its baseline starting at `(x, y)`, run by run. A run no face
    /// has is left out and remembered for `check_drawn`.
    pub fn draw(
        &self,
        surface: &mut Surface<'_>,
        (x, y): (f32, f32),
        size: f32,
        bold: bool,
        text: &str,
    ) {
        let mut x = x;
        for (face, run) in self.runs(text, bold) {
            match face {
                Some(face) => {
                    surface.draw_text(
                        Point::from_xy(x, y),
                        face.pdf.clone(),
                        size,
                        run,
                        false,
                        TextDirection::Auto,
                    );
                    x += face.width(run, size);
                }
                None => {
                    self.unprinted
                        .borrow_mut()
                        .extend(run.chars().filter(|c| needs_glyph(*c)));
                    x += run.chars().count() as f32 * size * 0.5;
                }
            }
        }
    }

    /// The characters of `text` no family has a glyph for.
    pub fn missing(&self, text: &str) -> BTreeSet<char> {
        text.chars()
            .filter(|c| needs_glyph(*c) && self.face_for(*c, false).is_none())
            .collect()
    }

    /// Refuses `text` when a character of it has no glyph in any family.
    pub fn check(&self, text: &str) -> Result<(), FontError> {
        FontError::missing(&self.missing(text))
    }

    /// Refuses the document when something drawn had no glyph (see `draw`).
    pub fn check_drawn(&self) -> Result<(), FontError> {
        FontError::missing(&self.unprinted.borrow())
    }
}

fn same(a: Option<&Face>, b: Option<&Face>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Han, kana, hangul and CJK punctuation: what a Latin font cannot print.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
            | 0x20000..=0x2FA1F)
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
    fn spaces_and_joiners_need_no_glyph() {
        assert!(!needs_glyph(' '));
        assert!(!needs_glyph('\u{3000}'));
        assert!(!needs_glyph('\u{200B}'));
        assert!(needs_glyph('D'));
        assert!(needs_glyph('王'));
    }

    #[test]
    fn no_families_leaves_every_character_unprinted() {
        let fonts = Fonts::new(Vec::new());
        let runs = fonts.runs("ab 王", false);
        assert_eq!(runs.len(), 1);
        assert!(runs[0].0.is_none() && runs[0].1 == "ab 王");
        let missing = fonts.missing("ab 王");
        assert_eq!(missing.into_iter().collect::<String>(), "ab王");
        assert!(fonts.check("   ").is_ok());
        assert!(fonts.check("a").is_err());
    }
}
