//! The state of the follow-up screens: the call queue, the call screen and the
//! follow-up history in the chart.

use super::screens::{Cursor, Form};
use crate::clinic::followup_api::{QueueFilter, QueueView};

/// The call queue (随访队列): a page of rows around the selection, the counts, the
/// filter.
#[derive(Debug, Default)]
pub struct QueueScreen {
    pub filter: QueueFilter,
    /// The last page the service sent (its `offset` says where it starts).
    pub view: Option<QueueView>,
    pub cursor: Cursor,
    /// A page is on its way.
    pub loading: bool,
    /// Typing a tag to filter by (empty: every tag).
    pub tag_prompt: Option<Form>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl QueueScreen {
    pub fn total(&self) -> usize {
        self.view.as_ref().map(|v| v.total as usize).unwrap_or(0)
    }

    /// The row at absolute position `i`, if the page holds it.
    pub fn row(&self, i: usize) -> Option<&crate::clinic::followup_api::QueueRow> {
        let view = self.view.as_ref()?;
        i.checked_sub(view.offset as usize)
            .and_then(|at| view.rows.get(at))
    }
}
