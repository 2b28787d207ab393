//! Demo health records: plausible sections (ICD-10 coded illnesses, allergies with
//! reactions, medications with doses, family history, lifestyle, measurements) and a
//! few amendments, so the record screen and its history have content.

use chrono::{Datelike, NaiveDate};

use super::people::Generator;
use crate::auth::Role;
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::health::{
    Alcohol, Allergy, BloodGroup, BloodType, Condition, FamilyCondition, HealthRecord, Lifestyle,
    Measurements, Medication, Severity, Smoking, Surgery, Tenths,
};
use crate::domain::health::{ClinicalStatus, MedicationStatus, Race};
use crate::domain::patient::{Patient, Sex};

/// (name, ICD-10, the usual medicine for it: name, dose, frequency).
const CONDITIONS: [(&str, &str, (&str, &str, &str)); 6] = [
    (
        "Hypertension 高血压",
        "I10",
        ("Amlodipine", "5 mg", "once daily"),
    ),
    (
        "Type 2 diabetes 2型糖尿病",
        "E11.9",
        ("Metformin", "500 mg", "twice daily"),
    ),
    (
        "Hyperlipidaemia 高脂血症",
        "E78.5",
        ("Atorvastatin", "20 mg", "once nightly"),
    ),
    (
        "Gout 痛风",
        "M10.9",
        ("Allopurinol", "100 mg", "once daily"),
    ),
    ("Fatty liver 脂肪肝", "K76.0", ("", "", "")),
    (
        "Asthma 哮喘",
        "J45.9",
        ("Salbutamol inhaler", "100 µg", "as needed"),
    ),
];
const ALLERGIES: [(&str, &str); 5] = [
    ("Penicillin 青霉素", "rash"),
    ("Sulfonamides 磺胺类", "hives"),
    ("Peanuts 花生", "swelling of lips"),
    ("Latex 乳胶", "itching"),
    ("Seafood 海鲜", "hives"),
];
const SURGERIES: [(&str, &str); 4] = [
    ("Appendectomy 阑尾切除术", "no complications"),
    ("Cholecystectomy 胆囊切除术", "laparoscopic"),
    ("Caesarean section 剖宫产", ""),
    ("Cataract surgery 白内障手术", "right eye"),
];
const FAMILY: [(&str, &str); 5] = [
    ("father 父亲", "hypertension"),
    ("mother 母亲", "type 2 diabetes"),
    ("father 父亲", "stroke at 62"),
    ("sibling 兄弟姐妹", "hyperlipidaemia"),
    ("mother 母亲", "breast cancer"),
];
const DIETS: [&str; 4] = [
    "high salt, little vegetables 口味偏咸",
    "balanced 均衡",
    "frequent takeaway 常吃外卖",
    "vegetarian 素食",
];

fn some(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

impl Generator {
    pub fn health(&mut self, patient: &Patient, today: NaiveDate) -> HealthRecord {
        let mut record = HealthRecord::default();
        for _ in 0..(self.next() % 3) {
            let (name, code, medicine) = CONDITIONS[(self.next() % 6) as usize];
            if record.past_illnesses.iter().any(|c| c.name == name) {
                continue;
            }
            let since = 2005 + (self.next() % 20) as i32;
            // Some diabetes diagnoses are prediabetes instead (never counted as
            // diabetes), so the risk screen shows the difference a code makes. Drawn
            // from numbers already drawn, so the rest of the demo stays as it was.
            if code == "E11.9" && since % 3 == 0 {
                record.past_illnesses.push(Condition {
                    name: "Prediabetes 糖尿病前期".into(),
                    code: Some("R73.0".into()),
                    since: Some(since.to_string()),
                    clinical_status: Some(ClinicalStatus::Active),
                    ..Condition::default()
                });
                continue;
            }
            record.past_illnesses.push(Condition {
                name: name.into(),
                code: Some(code.into()),
                since: Some(since.to_string()),
                ..Condition::default()
            });
            // An earlier medicine, stopped: kept in the record, not counted as treatment.
            if code == "I10" && since < 2015 {
                record.medications.push(Medication {
                    name: "Nifedipine 硝苯地平".into(),
                    dose: some("10 mg"),
                    frequency: some("three times daily"),
                    status: Some(MedicationStatus::Stopped),
                    started: Some(since.to_string()),
                    ended: Some((since + 2).to_string()),
                    code: Some("C08CA05".into()),
                    system: Some(crate::domain::record_codes::ATC.into()),
                });
            }
            if !medicine.0.is_empty() {
                record.medications.push(Medication {
                    name: medicine.0.into(),
                    dose: some(medicine.1),
                    frequency: some(medicine.2),
                    ..Medication::default()
                });
            }
        }
        if self.next().is_multiple_of(3) {
            let (substance, reaction) = ALLERGIES[(self.next() % 5) as usize];
            record.allergies.push(Allergy {
                substance: substance.into(),
                reaction: Some(reaction.into()),
                severity: Some(Severity::ALL[(self.next() % 3) as usize]),
                ..Allergy::default()
            });
        }
        if self.next().is_multiple_of(4) {
            let (name, note) = SURGERIES[(self.next() % 4) as usize];
            if !(name.starts_with("Caesarean") && patient.sex != Sex::Female) {
                record.surgeries.push(Surgery {
                    name: name.into(),
                    year: Some((1995 + self.next() % 30).to_string()),
                    note: some(note),
                });
            }
        }
        for _ in 0..(self.next() % 3) {
            let (relative, condition) = FAMILY[(self.next() % 5) as usize];
            record.family_history.push(FamilyCondition {
                relative: relative.into(),
                condition: condition.into(),
                ..FamilyCondition::default()
            });
        }
        let smoking = Smoking::ALL[(self.next() % 3) as usize];
        record.lifestyle = Lifestyle {
            smoking: Some(smoking),
            cigarettes_per_day: (smoking == Smoking::Current)
                .then(|| 5 + (self.next() % 20) as u32),
            alcohol: Some(Alcohol::ALL[(self.next() % 4) as usize]),
            exercise_minutes_per_week: Some((self.next() % 7) as u32 * 30),
            diet: Some(self.pick(&DIETS).into()),
            sleep_hours: Some(Tenths(55 + (self.next() % 30) as u32)),
        };
        let (base_height, base_weight) = match patient.sex {
            Sex::Male => (1680, 650),
            _ => (1560, 530),
        };
        record.measurements = Measurements {
            height_cm: Some(Tenths(base_height + (self.next() % 150) as u32)),
            weight_kg: Some(Tenths(base_weight + (self.next() % 300) as u32)),
            waist_cm: Some(Tenths(680 + (self.next() % 300) as u32)),
            blood_group: Some(BloodGroup {
                abo: [BloodType::A, BloodType::B, BloodType::AB, BloodType::O]
                    [(self.next() % 4) as usize],
                rh_positive: !self.next().is_multiple_of(100),
            }),
            measured_on: today.checked_sub_days(chrono::Days::new(self.next() % 200)),
            // Recorded for about half the demo's patients, as a clinic asks it.
            race: if patient.birth_date.is_some_and(|b| b.ordinal() % 2 == 0) {
                vec![Race::Asian]
            } else {
                Vec::new()
            },
        };
        record
    }
}

/// The record's first version as it was recorded at registration, one amendment per
/// section filled (from empty), so every part of the record has a time (the FHIR
/// export dates smoking status and measurements by it).
pub fn at_registration(record: &HealthRecord, at: i64) -> Vec<Amendment> {
    use crate::domain::amendment::Section;
    let empty = HealthRecord::default();
    // `SectionValue::of` has no value for demographics: the clinical sections only.
    Section::ALL
        .into_iter()
        .filter_map(|section| {
            let before = SectionValue::of(&empty, section)?;
            let after = SectionValue::of(record, section)?;
            (before != after).then(|| Amendment {
                at,
                by: "chen.jing".into(),
                role: Role::Nurse,
                reason: "recorded at registration 建档时记录".into(),
                before,
                after,
            })
        })
        .collect()
}

/// Two amendments on a demo record: the nurse added an allergy the patient recalled,
/// and the front desk corrected the address. Returns the record after them.
pub fn amendments(
    patient: &Patient,
    record: &HealthRecord,
    at: i64,
) -> (Vec<Amendment>, Patient, HealthRecord) {
    let mut after = record.clone();
    after.allergies.push(Allergy {
        substance: "Aspirin 阿司匹林".into(),
        reaction: Some("wheezing".into()),
        severity: Some(Severity::Moderate),
        ..Allergy::default()
    });
    let allergy = Amendment {
        at: at - 86_400 * 20,
        by: "chen.jing".into(),
        role: Role::Nurse,
        reason: "patient recalled a reaction at the last exam 体检时回忆起".into(),
        before: SectionValue::Allergies(record.allergies.clone()),
        after: SectionValue::Allergies(after.allergies.clone()),
    };
    let mut moved = patient.demographics();
    moved.address = Some("北京市朝阳区建国路88号".into());
    let address = Amendment {
        at: at - 86_400 * 3,
        by: "wang.li".into(),
        role: Role::FrontDesk,
        reason: "patient moved house 搬家".into(),
        before: SectionValue::Demographics(patient.demographics()),
        after: SectionValue::Demographics(moved.clone()),
    };
    (
        vec![allergy, address],
        patient.with_demographics(moved),
        after,
    )
}
