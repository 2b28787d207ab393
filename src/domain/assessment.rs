//! A stored risk assessment: the model (name, version, source), the inputs it used and
//! the assumptions it made, and its result or why it gave none, so a past assessment
//! can be explained later.

use serde::{Deserialize, Serialize};

use super::health::{HealthRecord, Smoking};
use super::indicators;
use super::observation::Observation;
use super::patient::Patient;
use super::risk::{self, CvInputs, Model, Refusal};
use crate::store::codec::Versioned;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// Probability 0–1 and the bands the sources define.
    Risk {
        probability: f64,
        band: String,
        chinese_band: Option<String>,
    },
    /// A score with its band (FINDRISC).
    Score {
        score: i32,
        band: String,
    },
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub model: String,
    pub name: String,
    pub version: String,
    pub source: String,
    pub at: i64,
    pub inputs: CvInputs,
    /// What was taken as "no" for lack of a sign in the record, and similar notes.
    pub assumptions: Vec<String>,
    pub outcome: Outcome,
}

// The numbers are finite (inputs are checked, risks are 0–1), so equality is total.
impl Eq for Outcome {}
impl Eq for Assessment {}

impl Versioned for Assessment {
    const VERSION: u16 = 1;
}

/// Medicines that treat hypertension, by name (English and Chinese), for the "treated"
/// input; a list, so that what counts is plain to read.
const ANTIHYPERTENSIVES: &[&str] = &[
    "amlodipine",
    "nifedipine",
    "felodipine",
    "lacidipine",
    "pril",
    "sartan",
    "chlorthalidone",
    "hydrochlorothiazide",
    "indapamide",
    "metoprolol",
    "bisoprolol",
    "atenolol",
    "carvedilol",
    "spironolactone",
    "doxazosin",
    "地平",
    "普利",
    "沙坦",
    "氢氯噻嗪",
    "吲达帕胺",
    "洛尔",
];
const DIABETES_MEDICINES: &[&str] = &[
    "metformin",
    "insulin",
    "gliclazide",
    "glimepiride",
    "gliptin",
    "gliflozin",
    "acarbose",
    "pioglitazone",
    "二甲双胍",
    "胰岛素",
    "格列",
    "阿卡波糖",
];

fn mentions(text: &str, words: &[&str]) -> bool {
    let text = text.to_lowercase();
    words.iter().any(|w| text.contains(w))
}

/// The latest value of a catalogue indicator, in `unit`.
fn latest(observations: &[Observation], key: &str, unit: &str) -> Option<(f64, i64)> {
    let indicator = indicators::by_key(key)?;
    observations
        .iter()
        .filter(|o| indicator.codes.contains(&o.code.as_str()))
        .filter_map(|o| {
            let v = o.value.number()?.to_f64();
            let from = o.unit.as_deref().unwrap_or(indicator.unit);
            indicator.convert(v, from, unit).map(|v| (v, o.taken_at))
        })
        .max_by_key(|(_, at)| *at)
}

/// The cardiovascular models' inputs from the record and the latest results; what was
/// assumed is said.
pub fn cv_inputs(
    patient: &Patient,
    record: &HealthRecord,
    observations: &[Observation],
    today: chrono::NaiveDate,
) -> (CvInputs, Vec<String>) {
    let mut assumptions = Vec::new();
    let age = patient.birth_date.map(|b| {
        let years = today.years_since(b).unwrap_or(0);
        f64::from(years)
    });
    let treated = record
        .medications
        .iter()
        .any(|m| mentions(&m.name, ANTIHYPERTENSIVES));
    if !treated {
        assumptions.push("no antihypertensive medicine in the record: counted as untreated".into());
    }
    let diabetes = record.past_illnesses.iter().any(|c| {
        c.code.as_deref().is_some_and(|code| {
            ["E10", "E11", "E12", "E13", "E14"]
                .iter()
                .any(|p| code.starts_with(p))
        }) || mentions(&c.name, &["diabetes", "糖尿病"])
    }) || record
        .medications
        .iter()
        .any(|m| mentions(&m.name, DIABETES_MEDICINES));
    if !diabetes {
        assumptions
            .push("no diabetes diagnosis or medicine in the record: counted as no diabetes".into());
    }
    let smoker = record.lifestyle.smoking == Some(Smoking::Current);
    if record.lifestyle.smoking.is_none() {
        assumptions.push("smoking not recorded: counted as non-smoker".into());
    }
    assumptions.push("race not recorded: the equations for \"other\" (white) are used".into());
    let inputs = CvInputs {
        age,
        sex: Some(patient.sex),
        race: None,
        total_cholesterol: latest(observations, "cholesterol_total", "mg/dL").map(|v| v.0),
        hdl: latest(observations, "hdl", "mg/dL").map(|v| v.0),
        systolic: latest(observations, "systolic_bp", "mm[Hg]").map(|v| v.0),
        treated_for_hypertension: treated,
        smoker,
        diabetes,
    };
    (inputs, assumptions)
}

fn assess(
    model: &Model,
    at: i64,
    inputs: &CvInputs,
    assumptions: &[String],
    result: Result<f64, Refusal>,
    band: fn(f64) -> &'static str,
) -> Assessment {
    let outcome = match result {
        Ok(p) => Outcome::Risk {
            probability: p,
            band: band(p).to_string(),
            chinese_band: Some(risk::chinese_band(p).to_string()),
        },
        Err(refusal) => Outcome::Refused(refusal),
    };
    Assessment {
        model: model.key.into(),
        name: model.name.into(),
        version: model.version.into(),
        source: model.source.into(),
        at,
        inputs: inputs.clone(),
        assumptions: assumptions.to_vec(),
        outcome,
    }
}

/// Every model on the patient's current data.
pub fn assess_all(
    patient: &Patient,
    record: &HealthRecord,
    observations: &[Observation],
    findrisc: Option<(i32, String)>,
    today: chrono::NaiveDate,
    at: i64,
) -> Vec<Assessment> {
    let (inputs, assumptions) = cv_inputs(patient, record, observations, today);
    let mut out = vec![
        assess(
            &risk::PCE,
            at,
            &inputs,
            &assumptions,
            risk::pce(&inputs),
            risk::pce_band,
        ),
        assess(
            &risk::FRAMINGHAM,
            at,
            &inputs,
            &assumptions,
            risk::framingham(&inputs),
            risk::framingham_band,
        ),
    ];
    out.push(Assessment {
        model: "findrisc".into(),
        name: "Type 2 diabetes risk (FINDRISC)".into(),
        version: "2003".into(),
        source: "Lindström J, Tuomilehto J. The Diabetes Risk Score. Diabetes Care 2003;26:725-731"
            .into(),
        at,
        inputs: CvInputs::default(),
        assumptions: Vec::new(),
        outcome: match findrisc {
            Some((score, band)) => Outcome::Score { score, band },
            None => Outcome::Refused(Refusal::Missing(vec!["a FINDRISC questionnaire".into()])),
        },
    });
    out
}
