//! Text from the store or from outside (names, reasons, file contents, claimed
//! addresses) on its way to a terminal: control characters could move the cursor,
//! rewrite the screen or set a window title, and bidirectional overrides could make
//! one text read as another. Both are replaced by a visible mark; tabs and line breaks
//! stay. The terminal (ratatui) and every command that prints use this one filter.

use std::borrow::Cow;

/// What stands in for a character that must not reach a terminal.
pub const REPLACEMENT: char = '\u{FFFD}';

fn unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Whether `text` is one line a terminal shows as it is: no control character (tab
/// and line feed included) and no bidirectional override. The service refuses text
/// that is not, where it takes one line (a recipient, a guardian's name).
pub fn is_plain_line(text: &str) -> bool {
    !text
        .chars()
        .any(|c| unsafe_for_terminal(c) || c == '\n' || c == '\t')
}

/// Whether `text` (which may hold line breaks and tabs) is free of what `printable`
/// would replace.
pub fn is_printable(text: &str) -> bool {
    !text.chars().any(unsafe_for_terminal)
}

/// `text` with every control character (but tab and line feed) and every
/// bidirectional override replaced by U+FFFD; borrowed when there was none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(unsafe_for_terminal) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if unsafe_for_terminal(c) {
                        REPLACEMENT
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c1_controls_and_overrides_are_replaced_and_plain_text_is_borrowed() {
        assert_eq!(printable("Zhang \u{1b}[2JWei"), "Zhang \u{FFFD}[2JWei");
        assert_eq!(printable("a\u{9b}31mb\u{7f}"), "a\u{FFFD}31mb\u{FFFD}");
        assert_eq!(printable("txt.\u{202E}fdp"), "txt.\u{FFFD}fdp");
        assert_eq!(printable("a\rb"), "a\u{FFFD}b");
        assert!(matches!(printable("王丽\tline\nnext"), Cow::Borrowed(_)));
    }
}
