//! Amendments: the only way a record changes. Each keeps who, when, why, and the
//! section before and after, so a correction never loses what was there (the
//! patient's right to rectification, and the clinic's duty to keep the record).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic_info::BasicInfo;
use super::health::{
    Allergy, Condition, FamilyCondition, HealthRecord, Lifestyle, Measurements, Medication, Surgery,
};
use super::patient::{IdType, Patient, Sex};
use crate::codec::{CodecError, Versioned, decode_payload};
use crate::domain::role::Role;

/// A part of the record that is amended as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Name, sex, birth date, contact and identity: the front desk's part.
    Demographics,
    PastIllnesses,
    Surgeries,
    FamilyHistory,
    Allergies,
    Medications,
    Lifestyle,
    Measurements,
    /// The rest of the 个人基本信息表: coded social fields, histories, environment.
    BasicInfo,
}

impl Section {
    /// The order the record lists them in: the 个人基本信息表's remaining fields last,
    /// so the sections a nurse opens most stay where they were.
    pub const ALL: [Section; 9] = [
        Section::Demographics,
        Section::PastIllnesses,
        Section::Surgeries,
        Section::FamilyHistory,
        Section::Allergies,
        Section::Medications,
        Section::Lifestyle,
        Section::Measurements,
        Section::BasicInfo,
    ];

    /// Needs a clinical role to read or change.
    pub fn is_clinical(self) -> bool {
        self != Section::Demographics
    }

    /// The name in catalogs (`section.<name>`), audit details and exports.
    pub fn name(self) -> &'static str {
        match self {
            Section::Demographics => "demographics",
            Section::PastIllnesses => "past_illnesses",
            Section::Surgeries => "surgeries",
            Section::FamilyHistory => "family_history",
            Section::Allergies => "allergies",
            Section::Medications => "medications",
            Section::Lifestyle => "lifestyle",
            Section::Measurements => "measurements",
            Section::BasicInfo => "basic_info",
        }
    }
}

/// The demographic part of a patient, as the front desk amends it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    pub name: String,
    pub sex: Sex,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub id_type: IdType,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<String>,
}

impl std::fmt::Debug for Demographics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Demographics(<redacted>)")
    }
}

impl Patient {
    pub fn demographics(&self) -> Demographics {
        Demographics {
            name: self.name.clone(),
            sex: self.sex,
            birth_date: self.birth_date,
            phone: self.phone.clone(),
            id_type: self.id_type,
            id_number: self.id_number.clone(),
            address: self.address.clone(),
            emergency_contact: self.emergency_contact.clone(),
        }
    }

    /// The patient with these demographics; tags and restriction are kept.
    pub fn with_demographics(&self, d: Demographics) -> Patient {
        Patient {
            name: d.name,
            sex: d.sex,
            birth_date: d.birth_date,
            phone: d.phone,
            id_type: d.id_type,
            id_number: d.id_number,
            address: d.address,
            emergency_contact: d.emergency_contact,
            restricted: self.restricted,
            tags: self.tags.clone(),
            record_number: self.record_number.clone(),
        }
    }
}

/// One section's whole content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionValue {
    Demographics(Demographics),
    PastIllnesses(Vec<Condition>),
    Surgeries(Vec<Surgery>),
    FamilyHistory(Vec<FamilyCondition>),
    Allergies(Vec<Allergy>),
    Medications(Vec<Medication>),
    Lifestyle(Lifestyle),
    Measurements(Measurements),
    BasicInfo(BasicInfo),
}

impl SectionValue {
    pub fn section(&self) -> Section {
        match self {
            SectionValue::Demographics(_) => Section::Demographics,
            SectionValue::PastIllnesses(_) => Section::PastIllnesses,
            SectionValue::Surgeries(_) => Section::Surgeries,
            SectionValue::FamilyHistory(_) => Section::FamilyHistory,
            SectionValue::Allergies(_) => Section::Allergies,
            SectionValue::Medications(_) => Section::Medications,
            SectionValue::Lifestyle(_) => Section::Lifestyle,
            SectionValue::Measurements(_) => Section::Measurements,
            SectionValue::BasicInfo(_) => Section::BasicInfo,
        }
    }

    /// A clinical section's current value in the record (`None` for demographics).
    pub fn of(record: &HealthRecord, section: Section) -> Option<SectionValue> {
        Some(match section {
            Section::Demographics => return None,
            Section::PastIllnesses => SectionValue::PastIllnesses(record.past_illnesses.clone()),
            Section::Surgeries => SectionValue::Surgeries(record.surgeries.clone()),
            Section::FamilyHistory => SectionValue::FamilyHistory(record.family_history.clone()),
            Section::Allergies => SectionValue::Allergies(record.allergies.clone()),
            Section::Medications => SectionValue::Medications(record.medications.clone()),
            Section::Lifestyle => SectionValue::Lifestyle(record.lifestyle.clone()),
            Section::Measurements => SectionValue::Measurements(record.measurements.clone()),
            Section::BasicInfo => SectionValue::BasicInfo(record.basic.clone()),
        })
    }

    /// Writes a clinical section into the record; demographics belong to the patient.
    pub fn apply_to(self, record: &mut HealthRecord) {
        match self {
            SectionValue::Demographics(_) => {}
            SectionValue::PastIllnesses(v) => record.past_illnesses = v,
            SectionValue::Surgeries(v) => record.surgeries = v,
            SectionValue::FamilyHistory(v) => record.family_history = v,
            SectionValue::Allergies(v) => record.allergies = v,
            SectionValue::Medications(v) => record.medications = v,
            SectionValue::Lifestyle(v) => record.lifestyle = v,
            SectionValue::Measurements(v) => record.measurements = v,
            SectionValue::BasicInfo(v) => record.basic = v,
        }
    }
}

/// One change to one section.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// Unix seconds.
    pub at: i64,
    pub by: String,
    pub role: Role,
    /// Why the record changed, as staff typed it.
    pub reason: String,
    pub before: SectionValue,
    pub after: SectionValue,
}

impl Amendment {
    pub fn section(&self) -> Section {
        self.after.section()
    }
}

impl std::fmt::Debug for Amendment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Amendment({} by {} at {})",
            self.section().name(),
            self.by,
            self.at
        )
    }
}

impl Versioned for Amendment {
    const VERSION: u16 = 2;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => Ok(decode_payload::<super::health_v2::AmendmentV1>(payload)?.into()),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

/// Shortest reason for an amendment: enough to say why.
pub const MIN_REASON_CHARS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_through_the_record() {
        let mut record = HealthRecord::default();
        for section in Section::ALL.into_iter().filter(|s| s.is_clinical()) {
            let value = SectionValue::of(&record, section);
            assert_eq!(value.as_ref().map(SectionValue::section), Some(section));
        }
        SectionValue::Allergies(vec![Allergy {
            substance: "penicillin".into(),
            ..Allergy::default()
        }])
        .apply_to(&mut record);
        assert_eq!(record.allergies.len(), 1);
        assert_eq!(SectionValue::of(&record, Section::Demographics), None);
    }

    #[test]
    fn demographics_keep_tags_and_restriction() {
        let patient = Patient {
            name: "王芳".into(),
            restricted: true,
            tags: vec!["VIP".into()],
            ..Patient::default()
        };
        let mut d = patient.demographics();
        d.name = "王芳芳".into();
        let changed = patient.with_demographics(d);
        assert_eq!(changed.name, "王芳芳");
        assert!(changed.restricted);
        assert_eq!(changed.tags, vec!["VIP".to_string()]);
    }
}
