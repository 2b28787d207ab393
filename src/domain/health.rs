//! The clinical summary of a patient. Front-desk responses never carry it.

use serde::{Deserialize, Serialize};

use crate::store::codec::Versioned;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub allergies: Vec<String>,
    pub conditions: Vec<String>,
    pub medications: Vec<String>,
}

impl Versioned for HealthSummary {
    const VERSION: u16 = 1;
}

impl std::fmt::Debug for HealthSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HealthSummary(<redacted>)")
    }
}
