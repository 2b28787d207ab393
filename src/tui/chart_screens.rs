//! The state of the chart's screens not yet components (the record).
//! Views (`view/`) draw them; their controllers change them.

use super::screens::{Cursor, Form};
use crate::domain::amendment::{Amendment, Section, SectionValue};
use crate::domain::health::HealthRecord;
use crate::domain::patient::{Patient, PatientId};

/// Editing one section: its rows (entry lines or fields) then the reason, last.
#[derive(Debug)]
pub struct SectionEditor {
    pub section: Section,
    /// The value the editor started from; the service refuses the save if it changed.
    pub before: SectionValue,
    pub form: Form,
    /// A message next to each wrong row (the reason included).
    pub field_errors: Vec<Option<String>>,
}

impl SectionEditor {
    /// The row index of the reason field.
    pub fn reason_index(&self) -> usize {
        self.form.fields.len() - 1
    }
}

/// The amendments of one section, newest first, and the one selected.
#[derive(Debug)]
pub struct HistoryView {
    pub section: Section,
    pub entries: Vec<Amendment>,
    pub cursor: Cursor,
}

/// The health record (健康档案): sections on the left, the selected one on the right;
/// an editor or the section's history over it.
#[derive(Debug)]
pub struct RecordScreen {
    pub id: PatientId,
    pub patient: Patient,
    /// `None` for roles without clinical permission: they see demographics only.
    pub health: Option<HealthRecord>,
    pub sections: Vec<Section>,
    pub cursor: Cursor,
    pub editor: Option<SectionEditor>,
    pub history: Option<HistoryView>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl RecordScreen {
    pub fn selected(&self) -> Section {
        self.sections
            .get(self.cursor.selected)
            .copied()
            .unwrap_or(Section::Demographics)
    }
}
