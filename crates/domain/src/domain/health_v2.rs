//! The record's earlier shapes: before conditions, medicines and allergies carried codes
//! and statuses (health record format 2, amendment format 1, review item format 1), and
//! before the record held the 个人基本信息表 (health record format 3). Kept only so that
//! stored values of those formats still read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::amendment::{Amendment, Demographics, SectionValue};
use super::health::{
    Allergy, BloodGroup, Condition, FamilyCondition, HealthRecord, Lifestyle, Measurements,
    Medication, Severity, Surgery, Tenths,
};
use crate::domain::role::Role;

#[derive(Serialize, Deserialize)]
pub struct ConditionV2 {
    name: String,
    code: Option<String>,
    since: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct FamilyConditionV2 {
    relative: String,
    condition: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AllergyV2 {
    substance: String,
    reaction: Option<String>,
    severity: Option<Severity>,
}

#[derive(Serialize, Deserialize)]
pub struct MedicationV2 {
    name: String,
    dose: Option<String>,
    frequency: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct MeasurementsV2 {
    height_cm: Option<Tenths>,
    weight_kg: Option<Tenths>,
    waist_cm: Option<Tenths>,
    blood_group: Option<BloodGroup>,
    measured_on: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct HealthRecordV2 {
    past_illnesses: Vec<ConditionV2>,
    surgeries: Vec<Surgery>,
    family_history: Vec<FamilyConditionV2>,
    allergies: Vec<AllergyV2>,
    medications: Vec<MedicationV2>,
    lifestyle: Lifestyle,
    measurements: MeasurementsV2,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum SectionValueV1 {
    Demographics(Demographics),
    PastIllnesses(Vec<ConditionV2>),
    Surgeries(Vec<Surgery>),
    FamilyHistory(Vec<FamilyConditionV2>),
    Allergies(Vec<AllergyV2>),
    Medications(Vec<MedicationV2>),
    Lifestyle(Lifestyle),
    Measurements(MeasurementsV2),
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AmendmentV1 {
    at: i64,
    by: String,
    role: Role,
    reason: String,
    before: SectionValueV1,
    after: SectionValueV1,
}

impl From<ConditionV2> for Condition {
    fn from(c: ConditionV2) -> Self {
        Condition {
            name: c.name,
            code: c.code,
            since: c.since,
            ..Condition::default()
        }
    }
}

impl From<FamilyConditionV2> for FamilyCondition {
    fn from(c: FamilyConditionV2) -> Self {
        FamilyCondition {
            relative: c.relative,
            condition: c.condition,
            ..FamilyCondition::default()
        }
    }
}

impl From<AllergyV2> for Allergy {
    fn from(a: AllergyV2) -> Self {
        Allergy {
            substance: a.substance,
            reaction: a.reaction,
            severity: a.severity,
            ..Allergy::default()
        }
    }
}

impl From<MedicationV2> for Medication {
    fn from(m: MedicationV2) -> Self {
        Medication {
            name: m.name,
            dose: m.dose,
            frequency: m.frequency,
            ..Medication::default()
        }
    }
}

impl From<MeasurementsV2> for Measurements {
    fn from(m: MeasurementsV2) -> Self {
        Measurements {
            height_cm: m.height_cm,
            weight_kg: m.weight_kg,
            waist_cm: m.waist_cm,
            blood_group: m.blood_group,
            measured_on: m.measured_on,
            race: Vec::new(),
        }
    }
}

fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
}

impl From<HealthRecordV2> for HealthRecord {
    fn from(r: HealthRecordV2) -> Self {
        HealthRecord {
            past_illnesses: all(r.past_illnesses),
            surgeries: r.surgeries,
            family_history: all(r.family_history),
            allergies: all(r.allergies),
            medications: all(r.medications),
            lifestyle: r.lifestyle,
            measurements: r.measurements.into(),
            basic: Default::default(),
        }
    }
}

/// Format 3: before the record held the rest of the 个人基本信息表.
#[derive(Serialize, Deserialize)]
pub(crate) struct HealthRecordV3 {
    past_illnesses: Vec<Condition>,
    surgeries: Vec<Surgery>,
    family_history: Vec<FamilyCondition>,
    allergies: Vec<Allergy>,
    medications: Vec<Medication>,
    lifestyle: Lifestyle,
    measurements: Measurements,
}

impl From<HealthRecordV3> for HealthRecord {
    fn from(r: HealthRecordV3) -> Self {
        HealthRecord {
            past_illnesses: r.past_illnesses,
            surgeries: r.surgeries,
            family_history: r.family_history,
            allergies: r.allergies,
            medications: r.medications,
            lifestyle: r.lifestyle,
            measurements: r.measurements,
            basic: Default::default(),
        }
    }
}

impl From<SectionValueV1> for SectionValue {
    fn from(v: SectionValueV1) -> Self {
        match v {
            SectionValueV1::Demographics(d) => SectionValue::Demographics(d),
            SectionValueV1::PastIllnesses(v) => SectionValue::PastIllnesses(all(v)),
            SectionValueV1::Surgeries(v) => SectionValue::Surgeries(v),
            SectionValueV1::FamilyHistory(v) => SectionValue::FamilyHistory(all(v)),
            SectionValueV1::Allergies(v) => SectionValue::Allergies(all(v)),
            SectionValueV1::Medications(v) => SectionValue::Medications(all(v)),
            SectionValueV1::Lifestyle(l) => SectionValue::Lifestyle(l),
            SectionValueV1::Measurements(m) => SectionValue::Measurements(m.into()),
        }
    }
}

impl From<AmendmentV1> for Amendment {
    fn from(a: AmendmentV1) -> Self {
        Amendment {
            at: a.at,
            by: a.by,
            role: a.role,
            reason: a.reason,
            before: a.before.into(),
            after: a.after.into(),
        }
    }
}

/// Turns old conditions and medicines (as a review item of format 1 holds them).
pub fn conditions(v: Vec<ConditionV2>) -> Vec<Condition> {
    all(v)
}

pub fn medications(v: Vec<MedicationV2>) -> Vec<Medication> {
    all(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    fn stored<T: Serialize>(version: u16, value: &T) -> Vec<u8> {
        crate::codec::encode_as(version, value)
    }

    #[test]
    fn format_3_records_read_with_the_basic_form_not_asked() {
        let old = HealthRecordV3 {
            past_illnesses: Vec::new(),
            surgeries: vec![Surgery {
                name: "appendectomy".into(),
                year: Some("2009".into()),
                note: None,
            }],
            family_history: Vec::new(),
            allergies: Vec::new(),
            medications: Vec::new(),
            lifestyle: Lifestyle::default(),
            measurements: Measurements::default(),
        };
        let record: HealthRecord = codec::decode(&stored(3, &old)).unwrap_or_default();
        assert_eq!(record.surgeries[0].name, "appendectomy");
        assert!(record.basic.is_empty());
    }

    #[test]
    fn format_2_records_read_with_no_statuses() {
        let old = HealthRecordV2 {
            past_illnesses: vec![ConditionV2 {
                name: "高血压".into(),
                code: Some("I10".into()),
                since: Some("2019".into()),
            }],
            surgeries: Vec::new(),
            family_history: vec![FamilyConditionV2 {
                relative: "father".into(),
                condition: "stroke".into(),
            }],
            allergies: Vec::new(),
            medications: vec![MedicationV2 {
                name: "amlodipine".into(),
                dose: Some("5 mg".into()),
                frequency: None,
            }],
            lifestyle: Lifestyle::default(),
            measurements: MeasurementsV2 {
                height_cm: Some(Tenths(1700)),
                weight_kg: None,
                waist_cm: None,
                blood_group: None,
                measured_on: None,
            },
        };
        let record: HealthRecord = codec::decode(&stored(2, &old)).unwrap_or_default();
        assert_eq!(record.past_illnesses[0].code.as_deref(), Some("I10"));
        assert_eq!(record.past_illnesses[0].clinical_status, None);
        assert!(record.past_illnesses[0].current());
        assert_eq!(record.medications[0].dose.as_deref(), Some("5 mg"));
        assert_eq!(record.family_history[0].condition, "stroke");
        assert_eq!(record.measurements.height_cm, Some(Tenths(1700)));
        assert!(record.measurements.race.is_empty());
    }

    #[test]
    fn format_1_amendments_read() {
        let old = AmendmentV1 {
            at: 7,
            by: "dr.zhou".into(),
            role: Role::Doctor,
            reason: "patient told us".into(),
            before: SectionValueV1::Medications(Vec::new()),
            after: SectionValueV1::Medications(vec![MedicationV2 {
                name: "metformin".into(),
                dose: None,
                frequency: None,
            }]),
        };
        let amendment: Amendment = codec::decode(&stored(1, &old))
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let SectionValue::Medications(after) = amendment.after else {
            panic!("medications expected");
        };
        assert_eq!(after[0].name, "metformin");
        assert_eq!(amendment.by, "dr.zhou");
    }
}
