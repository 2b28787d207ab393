//! Demo health records: plausible sections (ICD-10 coded illnesses, allergies with
//! reactions, medications with doses, family history, lifestyle, measurements) and a
//! few amendments, so the record screen and its history have content.

use chrono::{Datelike, NaiveDate};

use super::people::Generator;
use crate::auth::Role;
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::basic_info::{BasicInfo, Declared};
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
        record.basic = basic_info(patient, &record);
        record
    }
}

const WORKPLACES: [&str; 5] = [
    "北京市朝阳区建外街道社区卫生服务中心",
    "Beijing Kerry Centre 嘉里中心",
    "朝阳区第三小学",
    "China Railway Construction 中国铁建",
    "",
];

/// The 个人基本信息表 as the nurse filled it at registration. Drawn from the patient's
/// own numbers (not the generator), so adding it left the rest of the demo as it was;
/// the allergy, family and blood group boxes agree with the record's lists.
fn basic_info(patient: &Patient, record: &HealthRecord) -> BasicInfo {
    let seed: u64 = patient
        .id_number
        .as_deref()
        .unwrap_or_default()
        .bytes()
        .fold(17, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let pick =
        |salt: u64, n: u64| (seed.wrapping_mul(2_654_435_761).wrapping_add(salt * 97) >> 7) % n;
    let mut info = BasicInfo::default();
    let mut code = |field: &str, codes: &[&str]| {
        info.coded
            .insert(field.into(), codes.iter().map(|c| c.to_string()).collect());
    };
    code("residence", &[["1", "1", "1", "2"][pick(1, 4) as usize]]);
    code(
        "ethnicity",
        &[["01", "01", "01", "01", "01", "01", "03", "11", "10", "02"][pick(2, 10) as usize]],
    );
    if let Some(group) = record.measurements.blood_group {
        let abo = match group.abo {
            BloodType::A => "1",
            BloodType::B => "2",
            BloodType::O => "3",
            BloodType::AB => "4",
        };
        code("blood_abo", &[abo]);
        code("blood_rh", &[if group.rh_positive { "2" } else { "1" }]);
    }
    code(
        "education",
        &[["20", "30", "60", "70", "80", "10"][pick(3, 6) as usize]],
    );
    code(
        "occupation",
        &[["1", "2", "3", "5", "8", "8"][pick(4, 6) as usize]],
    );
    code(
        "marital",
        &[["20", "20", "20", "10", "30"][pick(5, 5) as usize]],
    );
    code(
        "payment",
        match pick(6, 4) {
            0 => &["1"][..],
            1 => &["2"],
            2 => &["1", "5"],
            _ => &["7"],
        },
    );
    let allergy: Vec<&str> = record
        .allergies
        .iter()
        .map(|a| {
            if a.substance.contains("青霉素") {
                "2"
            } else if a.substance.contains("磺胺") {
                "3"
            } else {
                "5"
            }
        })
        .collect();
    code(
        "drug_allergy",
        if allergy.is_empty() { &["1"] } else { &allergy },
    );
    code("exposure", &["1"]);
    code("disability", &["1"]);
    for (field, relative) in [
        ("family_father", "father"),
        ("family_mother", "mother"),
        ("family_siblings", "sibling"),
    ] {
        let mut codes: Vec<&str> = record
            .family_history
            .iter()
            .filter(|f| f.relative.starts_with(relative))
            .map(|f| match f.condition.as_str() {
                "hypertension" => "2",
                "type 2 diabetes" => "3",
                c if c.starts_with("stroke") => "7",
                c if c.contains("cancer") => "6",
                _ => "12",
            })
            .collect();
        codes.dedup();
        code(field, if codes.is_empty() { &["1"] } else { &codes });
    }
    code("kitchen_exhaust", &[["2", "2", "3"][pick(7, 3) as usize]]);
    code("fuel", &[["3", "3", "1"][pick(8, 3) as usize]]);
    code("water", &["1"]);
    code("toilet", &[["1", "3"][pick(9, 2) as usize]]);
    code("livestock", &["1"]);
    info.workplace = Some(WORKPLACES[pick(10, 5) as usize].to_string()).filter(|w| !w.is_empty());
    let declared = |none: bool, what: &str| {
        if none {
            Declared::None
        } else {
            Declared::Some(what.to_string())
        }
    };
    info.declared.insert(
        "trauma".into(),
        declared(pick(11, 8) != 0, "骨折 fracture 2012"),
    );
    info.declared.insert(
        "transfusion".into(),
        declared(pick(12, 12) != 0, "产后输血 after childbirth 2001"),
    );
    info.declared.insert("hereditary".into(), Declared::None);
    info.responsible_doctor = Some("dr.zhou 周医生".into());
    info
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
