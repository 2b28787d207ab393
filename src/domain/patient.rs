//! A patient and the opaque id that stands for them everywhere outside the record.

use std::fmt;

use chrono::NaiveDate;
use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};

use crate::crypto::random_array;

/// 128 random bits; carries nothing about the person, so it may appear in sled keys
/// and audit records.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PatientId(pub [u8; 16]);

impl PatientId {
    pub fn random() -> Self {
        Self(random_array())
    }

    pub fn parse(text: &str) -> Option<Self> {
        let bytes = HEXLOWER
            .decode(text.trim().to_ascii_lowercase().as_bytes())
            .ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Display for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PatientId({self})")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

/// Demographics. `Debug` redacts everything that identifies the person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub name: String,
    pub sex: Sex,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    /// Staff or VIP: reading needs break-glass outside normal permission.
    pub restricted: bool,
}

impl crate::store::codec::Versioned for Patient {
    const VERSION: u16 = 1;
}

impl fmt::Debug for Patient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patient")
            .field("name", &"<redacted>")
            .field("sex", &self.sex)
            .field("restricted", &self.restricted)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_identity() {
        let patient = Patient {
            name: "Zhang Wei".into(),
            sex: Sex::Male,
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 2),
            phone: Some("13912345678".into()),
            id_number: Some("110105197001020011".into()),
            restricted: false,
        };
        let shown = format!("{patient:?}");
        assert!(!shown.contains("Zhang") && !shown.contains("139") && !shown.contains("1970"));
    }

    #[test]
    fn id_round_trips() {
        let id = PatientId::random();
        assert_eq!(PatientId::parse(&id.to_string()), Some(id));
    }
}
