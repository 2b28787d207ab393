//! The line editor: lines of text typed one per row, as the plan and the stage
//! summaries are written (`components/plan.rs`, `components/summaries.rs`);
//! `view/line_editor.rs` draws it.

use super::field::Field;
use super::screens::Form;

/// Lines of text typed one per row, with a message under each wrong one. The last
/// row is always empty: typing into it adds a line, Enter on it saves.
#[derive(Debug, Default)]
pub struct LineEditor {
    pub form: Form,
    pub field_errors: Vec<Option<String>>,
}

impl LineEditor {
    pub fn with_lines<S: AsRef<str>>(lines: &[S]) -> Self {
        let mut fields: Vec<Field> = lines.iter().map(|l| Field::with(l.as_ref())).collect();
        fields.push(Field::default());
        let count = fields.len();
        Self {
            form: Form::new(fields),
            field_errors: vec![None; count],
        }
    }

    /// The typed lines (the empty last row left out).
    pub fn lines(&self) -> Vec<String> {
        self.form.fields.iter().map(|f| f.value.clone()).collect()
    }

    pub fn on_last_row(&self) -> bool {
        self.form.focus + 1 >= self.form.fields.len()
    }

    /// Tab and Shift-Tab move between rows (round), Enter moves down; what the
    /// action was, so the caller saves on `Save` (Enter on the last row).
    pub fn navigate(&mut self, action: super::action::Action) -> Navigation {
        use super::action::Action;
        let count = self.form.fields.len();
        match action {
            Action::NextField => {
                self.ensure_blank_row();
                self.form.focus = (self.form.focus + 1) % self.form.fields.len();
                Navigation::Moved
            }
            Action::PrevField => {
                self.form.focus = (self.form.focus + count - 1) % count;
                Navigation::Moved
            }
            Action::Submit if !self.on_last_row() => {
                self.ensure_blank_row();
                self.form.focus += 1;
                Navigation::Moved
            }
            Action::Submit => Navigation::Save,
            _ => Navigation::Other,
        }
    }

    /// Keeps one empty row at the end to type a new line into.
    pub fn ensure_blank_row(&mut self) {
        if self
            .form
            .fields
            .last()
            .is_none_or(|f| !f.value.trim().is_empty())
        {
            self.form.fields.push(Field::default());
            self.field_errors.push(None);
        }
    }
}

/// What a key did in a line editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Navigation {
    Moved,
    /// Enter on the last row: save.
    Save,
    /// Not a movement: the caller handles it (Esc).
    Other,
}
