//! A one-line text field: value, cursor, whether to mask what is typed, and whether
//! its text is selected (a field reached with a value in it: typing replaces it,
//! as in every desktop form, instead of appending to it).

use unicode_width::UnicodeWidthStr;
use zeroize::Zeroize;

#[derive(Debug, Clone, Default)]
pub struct Field {
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    pub masked: bool,
    /// The whole value is selected: the next character typed replaces it, Backspace or
    /// Delete empties it, a cursor movement keeps it and puts the cursor there.
    pub selected: bool,
}

impl Drop for Field {
    fn drop(&mut self) {
        // Fields hold passwords, codes and search text: nothing stays in freed memory.
        self.value.zeroize();
    }
}

impl Field {
    pub fn masked() -> Self {
        let mut field = Self::default();
        field.masked = true;
        field
    }

    pub fn with(value: &str) -> Self {
        Self {
            value: value.to_string(),
            cursor: value.chars().count(),
            masked: false,
            selected: false,
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    /// Selects the whole value, if there is one (the field was just reached).
    pub fn select_all(&mut self) {
        self.selected = !self.value.is_empty();
        self.cursor = self.value.chars().count();
    }

    /// Takes the selection away: replaced when `replace`, else kept as text.
    fn take_selection(&mut self, replace: bool) -> bool {
        let was = std::mem::take(&mut self.selected);
        if was && replace {
            self.clear();
        }
        was
    }

    pub fn insert(&mut self, c: char) {
        self.take_selection(true);
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.take_selection(true) {
            return;
        }
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.value.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.take_selection(true) {
            return;
        }
        if self.cursor < self.value.chars().count() {
            let at = self.byte_at(self.cursor);
            self.value.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.take_selection(false);
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.take_selection(false);
        self.cursor = (self.cursor + 1).min(self.value.chars().count());
    }

    pub fn home(&mut self) {
        self.take_selection(false);
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.take_selection(false);
        self.cursor = self.value.chars().count();
    }

    pub fn clear(&mut self) {
        self.value.zeroize();
        self.value.clear();
        self.cursor = 0;
        self.selected = false;
    }

    /// What the screen shows: bullets for a masked field.
    pub fn shown(&self) -> String {
        if self.masked {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.clone()
        }
    }

    /// What the screen shows, reversed while selected (typing will replace it).
    pub fn span(&self) -> ratatui::text::Span<'static> {
        self.styled(self.shown())
    }

    /// `text` (the field, or the part of it a window shows) reversed while selected.
    pub fn styled(&self, text: String) -> ratatui::text::Span<'static> {
        let span = ratatui::text::Span::raw(text);
        if self.selected {
            span.style(
                ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
            )
        } else {
            span
        }
    }

    /// The text to show in `columns` columns with the cursor in view: the whole text
    /// when it fits before the cursor, else its tail from where the cursor fits; and
    /// the cursor's column within that.
    pub fn window(&self, columns: usize) -> (String, u16) {
        let shown = self.shown();
        let mut start = 0;
        let chars: Vec<char> = shown.chars().collect();
        let width_between = |a: usize, b: usize| -> usize {
            chars[a..b]
                .iter()
                .map(|c| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0))
                .sum()
        };
        let cursor = self.cursor.min(chars.len());
        // Leave a column for the cursor itself.
        while start < cursor && width_between(start, cursor) + 1 > columns.max(2) {
            start += 1;
        }
        let text: String = chars[start..].iter().collect();
        let column = width_between(start, cursor) as u16;
        (text, column)
    }

    /// Display columns before the cursor (CJK characters are two wide).
    pub fn cursor_columns(&self) -> u16 {
        let before: String = self.shown().chars().take(self.cursor).collect();
        before.width() as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_scrolls_to_keep_the_cursor_in_view() {
        let f = Field::with("abcdefghij");
        assert_eq!(f.window(20), ("abcdefghij".to_string(), 10));
        let (text, column) = f.window(5);
        assert_eq!((text.as_str(), column), ("ghij", 4));
        let wide = Field::with("张伟张伟");
        assert_eq!(wide.window(5), ("张伟".to_string(), 4));
    }

    #[test]
    fn editing_with_wide_characters() {
        let mut f = Field::default();
        for c in "张伟x".chars() {
            f.insert(c);
        }
        assert_eq!(f.cursor_columns(), 5);
        f.left();
        f.backspace();
        assert_eq!(f.value, "张x");
        f.home();
        f.delete();
        assert_eq!(f.value, "x");
        let mut p = Field::masked();
        p.insert('s');
        assert_eq!(p.shown(), "•");
    }

    #[test]
    fn a_selected_value_is_replaced_by_typing_and_kept_by_moving() {
        let mut f = Field::with("basic");
        f.select_all();
        f.insert('g');
        assert_eq!((f.value.as_str(), f.selected), ("g", false));
        let mut f = Field::with("R");
        f.select_all();
        f.backspace();
        assert_eq!(f.value, "");
        let mut f = Field::with("1980-01-01");
        f.select_all();
        f.left();
        f.insert('x');
        assert_eq!(f.value, "1980-01-0x1");
        let mut empty = Field::default();
        empty.select_all();
        assert!(!empty.selected, "nothing to select");
    }
}
