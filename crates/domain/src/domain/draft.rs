//! A follow-up call a nurse was typing when her terminal signed itself out for being
//! idle: kept sealed with the patient's key for her alone, and offered back when she
//! signs in again within 12 hours (then dropped, used or not).

use serde::{Deserialize, Serialize};

use super::patient::PatientId;
use crate::codec::Versioned;

/// How long a kept call waits for its nurse.
pub const DRAFT_HOURS: i64 = 12;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallDraft {
    /// The follow-up the call is for.
    pub patient: PatientId,
    pub plan: u32,
    pub seq: u32,
    /// The call form's fields as they were typed.
    pub fields: Vec<String>,
    /// When it was kept (set by the service).
    pub saved_unix: i64,
}

impl Versioned for CallDraft {
    const VERSION: u16 = 1;
}

// Readings and notes about a patient: never in a log or a panic.
impl std::fmt::Debug for CallDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CallDraft(plan {}, seq {}, [redacted])",
            self.plan, self.seq
        )
    }
}

impl CallDraft {
    /// Still waiting for its nurse at `now`.
    pub fn fresh(&self, now: i64) -> bool {
        now - self.saved_unix < DRAFT_HOURS * 3600
    }
}
