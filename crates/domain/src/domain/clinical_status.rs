//! The statuses and categories that decide whether a record entry counts: a
//! condition's clinical and verification status, a medicine's status, and race by the
//! US OMB categories. Each speaks FHIR R4's codes, so an import keeps what the sender
//! said and an export hands it on unchanged.

use serde::{Deserialize, Serialize};

/// FHIR `condition-clinical`: whether the illness is present now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalStatus {
    Active,
    Recurrence,
    Relapse,
    Inactive,
    Remission,
    Resolved,
}

/// FHIR `condition-ver-status`: how sure the diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    Unconfirmed,
    Provisional,
    Differential,
    Confirmed,
    Refuted,
    EnteredInError,
}

/// FHIR `medication-statement-status` (a MedicationRequest's statuses map onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MedicationStatus {
    Active,
    Completed,
    EnteredInError,
    Intended,
    Stopped,
    OnHold,
    Unknown,
    NotTaken,
}

/// The US OMB race categories (US Core race extension, `ombCategory`), used by the
/// Pooled Cohort Equations when the record has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Race {
    AmericanIndianOrAlaskaNative,
    Asian,
    BlackOrAfricanAmerican,
    NativeHawaiianOrOtherPacificIslander,
    White,
}

/// The code system of the OMB race categories (CDC Race & Ethnicity).
pub const OMB_RACE_SYSTEM: &str = "urn:oid:2.16.840.1.113883.6.238";

/// One table per type: the FHIR code, then the words staff may type (en, zh).
macro_rules! coded {
    ($ty:ident { $($variant:ident => $code:literal [$($word:literal),*]),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The FHIR code.
            pub fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// A FHIR code, or a word staff type (English or Chinese).
            pub fn parse(text: &str) -> Option<$ty> {
                let text = text.trim().to_lowercase();
                match text.as_str() {
                    $($code $(| $word)* => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

coded!(ClinicalStatus {
    Active => "active" ["现患", "活动"],
    Recurrence => "recurrence" ["复发"],
    Relapse => "relapse" ["再发"],
    Inactive => "inactive" ["非活动"],
    Remission => "remission" ["缓解"],
    Resolved => "resolved" ["已愈", "治愈", "痊愈"],
});

coded!(Verification {
    Unconfirmed => "unconfirmed" ["未确诊"],
    Provisional => "provisional" ["初步诊断"],
    Differential => "differential" ["鉴别诊断"],
    Confirmed => "confirmed" ["确诊"],
    Refuted => "refuted" ["排除"],
    EnteredInError => "entered-in-error" ["录入错误"],
});

coded!(MedicationStatus {
    Active => "active" ["在用", "服用中"],
    Completed => "completed" ["已完成"],
    EnteredInError => "entered-in-error" ["录入错误"],
    Intended => "intended" ["拟用"],
    Stopped => "stopped" ["停用", "已停"],
    OnHold => "on-hold" ["暂停"],
    Unknown => "unknown" ["不详"],
    NotTaken => "not-taken" ["未服用"],
});

coded!(Race {
    AmericanIndianOrAlaskaNative => "1002-5" ["american indian or alaska native", "american indian", "美洲印第安人"],
    Asian => "2028-9" ["asian", "亚裔", "亚洲人"],
    BlackOrAfricanAmerican => "2054-5" ["black or african american", "black", "african american", "黑人", "非裔美国人"],
    NativeHawaiianOrOtherPacificIslander => "2076-8" ["native hawaiian or other pacific islander", "pacific islander", "太平洋岛民"],
    White => "2106-3" ["white", "白人"],
});

impl ClinicalStatus {
    /// Present now (active, recurrence, relapse).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ClinicalStatus::Active | ClinicalStatus::Recurrence | ClinicalStatus::Relapse
        )
    }
}

impl Race {
    /// The OMB display name.
    pub fn display(self) -> &'static str {
        match self {
            Race::AmericanIndianOrAlaskaNative => "American Indian or Alaska Native",
            Race::Asian => "Asian",
            Race::BlackOrAfricanAmerican => "Black or African American",
            Race::NativeHawaiianOrOtherPacificIslander => {
                "Native Hawaiian or Other Pacific Islander"
            }
            Race::White => "White",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_words_read_back() {
        for s in ClinicalStatus::ALL {
            assert_eq!(ClinicalStatus::parse(s.code()), Some(*s));
        }
        for s in Verification::ALL {
            assert_eq!(Verification::parse(s.code()), Some(*s));
        }
        for s in MedicationStatus::ALL {
            assert_eq!(MedicationStatus::parse(s.code()), Some(*s));
        }
        for r in Race::ALL {
            assert_eq!(Race::parse(r.code()), Some(*r));
            assert_eq!(Race::parse(r.display()), Some(*r));
        }
        assert_eq!(
            MedicationStatus::parse("停用"),
            Some(MedicationStatus::Stopped)
        );
        assert_eq!(
            Verification::parse(" Refuted "),
            Some(Verification::Refuted)
        );
        assert_eq!(ClinicalStatus::parse("gone"), None);
    }
}
