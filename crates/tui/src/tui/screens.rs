//! What the screens share: a form, a list's cursor, the layers over the screen. Each
//! screen's own state is in its component (`components/`).

use crate::domain::patient::PatientId;

use super::field::Field;

pub use super::line_editor::{LineEditor, Navigation};

/// A form: fields, which one has the cursor, the last error.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub info: Option<String>,
    pub busy: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        Self {
            fields,
            ..Self::default()
        }
    }

    pub fn focused(&mut self) -> &mut Field {
        let i = self.focus.min(self.fields.len().saturating_sub(1));
        &mut self.fields[i]
    }

    pub fn value(&self, i: usize) -> &str {
        &self.fields[i].value
    }
}

/// A list's selection and scroll position; only the visible rows are ever drawn.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize + delta).clamp(0, len as isize - 1);
        self.selected = target as usize;
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

#[derive(Debug)]
pub enum Overlay {
    /// The keys of this screen and everywhere, those the role may use; scrolled by
    /// this many lines.
    Help {
        scroll: u16,
    },
    Palette {
        query: Field,
        cursor: Cursor,
    },
    /// Enter confirms, Esc cancels.
    ConfirmLost {
        patient: PatientId,
        number: String,
    },
}
