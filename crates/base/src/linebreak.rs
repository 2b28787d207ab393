//! One line breaker for the terminal and for paper: the Unicode line breaking
//! algorithm (UAX #14, through `unicode-linebreak`), so a line never starts with a
//! closing mark (、，。：）」), never breaks inside "1." or "≤ 7.0", breaks between
//! Chinese characters and at spaces between words. The width of a piece is measured by
//! the caller: display columns in a terminal, points in a PDF.

use unicode_linebreak::{BreakOpportunity, linebreaks};
use unicode_width::UnicodeWidthStr;

/// Splits `text` into lines no wider than `width` as `measure` counts, at the break
/// opportunities UAX #14 allows; each `\n` ends a line. A piece wider than a whole
/// line (a long number, a path) is broken between characters. Trailing spaces are
/// dropped; an empty paragraph is an empty line.
pub fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut start = 0;
        for (at, opportunity) in linebreaks(paragraph) {
            // A step's number, a comparison sign or a short label stays with what
            // follows it: "1. Ask", "≤ 130", "Team: nurses".
            if opportunity == BreakOpportunity::Allowed && glued(&paragraph[start..at]) {
                continue;
            }
            let piece = &paragraph[start..at];
            start = at;
            let candidate = format!("{line}{piece}");
            if line.is_empty() || measure(candidate.trim_end()) <= width {
                line = candidate;
            } else {
                lines.push(line.trim_end().to_string());
                line = piece.to_string();
            }
            // A piece wider than a line on its own: broken between characters.
            while measure(line.trim_end()) > width {
                let mut head = String::new();
                for c in line.chars() {
                    let mut next = head.clone();
                    next.push(c);
                    if !head.is_empty() && measure(&next) > width {
                        break;
                    }
                    head = next;
                }
                if head.len() >= line.len() {
                    break;
                }
                line = line[head.len()..].to_string();
                lines.push(head);
            }
            if opportunity == BreakOpportunity::Mandatory && at < paragraph.len() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// A piece never left at the end of a line (with the spaces after it): the number of
/// a step ("1.", "12、", "(3)"), a comparison sign ("≤"), a short label ("Team:").
fn glued(piece: &str) -> bool {
    let piece = piece.trim_end();
    let inner = piece.strip_prefix('(').unwrap_or(piece);
    let enumerator = inner
        .strip_suffix(['.', '、', ')', '）'])
        .is_some_and(|digits| {
            (1..=2).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
        });
    let comparison = matches!(piece, "≤" | "≥" | "<" | ">" | "=" | "<=" | ">=" | "≈" | "±");
    let label = piece.ends_with([':', '：']) && piece.chars().count() <= 12;
    enumerator || comparison || label
}

/// `wrap` in display columns (a CJK character is two), as a terminal shows text; no
/// lines at all for empty text.
pub fn wrap_columns(text: &str, columns: usize) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    wrap(text, columns.max(1) as f32, |piece| piece.width() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_break_at_spaces_and_chinese_between_characters() {
        assert_eq!(
            wrap_columns("say why it changes", 8),
            ["say why", "it", "changes"]
        );
        assert_eq!(
            wrap_columns("请说明修改原因", 6),
            ["请说明", "修改原", "因"]
        );
        assert_eq!(wrap_columns("", 5), Vec::<String>::new());
        assert_eq!(wrap_columns("a\nb", 5), ["a", "b"]);
    }

    #[test]
    fn no_line_starts_with_a_closing_mark_or_splits_a_numbered_step() {
        // 、 and 。 stay with the character before them.
        for line in wrap_columns("头痛、头晕、恶心、呕吐。胸闷、心悸。", 6) {
            assert!(!line.starts_with(['、', '。', '，']), "{line}");
        }
        // "1." never ends a line on its own when its step follows.
        let lines = wrap_columns("1. Introduce yourself; 2. Ask for the readings.", 12);
        assert!(
            lines
                .iter()
                .all(|l| !l.ends_with("1.") && !l.ends_with("2.")),
            "{lines:?}"
        );
        // A number with its decimal point stays whole, and with its sign.
        let lines = wrap_columns("fasting glucose ≤ 7.0 mmol/L by 19 Dec", 17);
        assert!(lines.iter().any(|l| l.contains("≤ 7.0")), "{lines:?}");
        // A short label stays with its value.
        let lines = wrap_columns("Kind: Hypertension · Team: nurses", 28);
        assert!(lines.iter().all(|l| !l.ends_with(':')), "{lines:?}");
    }

    #[test]
    fn a_piece_wider_than_the_line_is_broken_between_characters() {
        let lines = wrap_columns("/very/long/path/without/spaces/at/all", 10);
        assert!(lines.iter().all(|l| l.width() <= 10), "{lines:?}");
        assert_eq!(lines.concat(), "/very/long/path/without/spaces/at/all");
    }
}
