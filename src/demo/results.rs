//! Demo results: ten yearly health checks per patient, each indicator drifting the way
//! it does with age (blood pressure and glucose creeping up, some improving after
//! treatment), and the older years from a lab that reported in mg/dL, so the trend
//! screen has ten years to show and a unit conversion to make.

use chrono::{Datelike, NaiveDate};

use super::people::Generator;
use crate::domain::decimal::Decimal;
use crate::domain::indicators::{self, Indicator};
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{Patient, Sex};

pub const YEARS: i32 = 10;

/// (indicator key, typical start in SI, yearly drift, spread).
const PLAN: &[(&str, f64, f64, f64)] = &[
    ("systolic_bp", 122.0, 1.8, 6.0),
    ("diastolic_bp", 78.0, 0.8, 4.0),
    ("heart_rate", 72.0, 0.0, 5.0),
    ("weight", 66.0, 0.4, 1.0),
    ("bmi", 23.5, 0.15, 0.3),
    ("waist", 82.0, 0.5, 1.5),
    ("glucose_fasting", 5.2, 0.08, 0.3),
    ("hba1c", 5.4, 0.05, 0.2),
    ("cholesterol_total", 4.8, 0.04, 0.3),
    ("hdl", 1.3, -0.01, 0.08),
    ("ldl", 2.8, 0.04, 0.25),
    ("triglycerides", 1.4, 0.03, 0.25),
    ("uric_acid", 340.0, 3.0, 25.0),
    ("creatinine", 75.0, 0.8, 6.0),
    ("egfr", 98.0, -0.8, 4.0),
    ("alt", 24.0, 0.3, 6.0),
    ("ast", 22.0, 0.2, 4.0),
    ("haemoglobin", 142.0, -0.3, 5.0),
];

fn observation(
    indicator: &Indicator,
    value: f64,
    unit: &str,
    code: &str,
    at: i64,
    sex: Sex,
    year: i32,
) -> Observation {
    let decimals = indicator.decimals_in(unit);
    let value = Decimal::from_f64(value, decimals).unwrap_or(Decimal {
        digits: 0,
        scale: 0,
    });
    let (low, high) = indicator.range(sex);
    let convert = |v: Option<f64>| v.and_then(|v| indicator.convert(v, indicator.unit, unit));
    let range = RefRange {
        low: convert(low).and_then(|v| Decimal::from_f64(v, decimals)),
        high: convert(high).and_then(|v| Decimal::from_f64(v, decimals)),
        text: None,
    };
    let flag = match range.outside(value) {
        Some(true) if convert(high).is_some_and(|h| value.to_f64() > h) => vec!["H".to_string()],
        Some(true) => vec!["L".to_string()],
        _ => vec!["N".to_string()],
    };
    Observation {
        system: LOINC.into(),
        code: code.into(),
        display: Some(indicator.en.into()),
        value: ObsValue::Quantity {
            value,
            comparator: None,
        },
        unit: Some(unit.into()),
        range,
        flags: flag,
        taken_at: at,
        status: Some("F".into()),
        source: Source {
            kind: SourceKind::Hl7,
            reference: format!("demo exam centre {year}"),
        },
    }
}

impl Generator {
    /// Ten yearly checks up to this year, on the patient's registration day each year.
    pub fn results(&mut self, patient: &Patient, today: NaiveDate) -> Vec<Observation> {
        let mut out = Vec::new();
        let sex = patient.sex;
        let day = (self.next() % 250) as u32 + 10;
        // Each patient starts somewhere and drifts at their own pace.
        let offsets: Vec<f64> = PLAN
            .iter()
            .map(|_| (self.next() % 1000) as f64 / 1000.0 - 0.5)
            .collect();
        let pace = 0.5 + (self.next() % 100) as f64 / 50.0;
        for year in 0..YEARS {
            let y = today.year() - YEARS + 1 + year;
            let Some(date) = NaiveDate::from_yo_opt(y, day.min(365)).filter(|d| *d <= today) else {
                continue;
            };
            let at = date
                .and_hms_opt(8, 30, 0)
                .map(|t| t.and_utc().timestamp())
                .unwrap_or(0);
            for ((key, start, drift, spread), offset) in PLAN.iter().zip(&offsets) {
                let Some(indicator) = indicators::by_key(key) else {
                    continue;
                };
                let noise = ((self.next() % 1000) as f64 / 1000.0 - 0.5) * spread;
                let sex_shift = match (sex, *key) {
                    (Sex::Female, "haemoglobin") => -15.0,
                    (Sex::Female, "uric_acid") => -60.0,
                    (Sex::Female, "creatinine") => -15.0,
                    (Sex::Female, "weight") => -10.0,
                    _ => 0.0,
                };
                let si = start
                    + sex_shift
                    + offset * spread * 3.0
                    + drift * pace * f64::from(year)
                    + noise;
                // Before the last four years the exam centre's lab reported mg/dL.
                let (unit, value, code) = match indicator.conventional {
                    Some((conventional, factor)) if year < YEARS - 4 && conventional == "mg/dL" => {
                        let code = match *key {
                            "glucose_fasting" => "1558-6",
                            "cholesterol_total" => "2093-3",
                            "hdl" => "2085-9",
                            "ldl" => "13457-7",
                            "triglycerides" => "2571-8",
                            "uric_acid" => "3084-1",
                            "creatinine" => "2160-0",
                            _ => indicator.codes[0],
                        };
                        (conventional, si * factor, code)
                    }
                    _ => (indicator.unit, si, indicator.codes[0]),
                };
                out.push(observation(indicator, value, unit, code, at, sex, y));
            }
        }
        out
    }
}

/// A filled questionnaire for a demo patient: its response and its score results, as
/// the service would file them.
pub fn questionnaire(
    generator: &mut Generator,
    key: &str,
    at: i64,
) -> Option<(crate::domain::questionnaire::Response, Vec<Observation>)> {
    let definition = crate::domain::questionnaire::built_in()
        .into_iter()
        .find(|d| d.key == key)?;
    let answers: Vec<usize> = definition
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let n = definition.choices(item).len() as u64;
            // Mostly low answers; never an urgent one in the demo.
            let pick = (generator.next() % (n * 2)).saturating_sub(n) as usize;
            if item.urgent_above.is_some() || i % 3 == 2 {
                0
            } else {
                pick.min(n as usize - 1)
            }
        })
        .collect();
    let scored = definition.score(&answers).ok()?;
    let results = definition.results(&scored, at);
    let response = crate::domain::questionnaire::Response {
        key: key.into(),
        version: definition.version.clone(),
        answers,
        scored,
        at,
        by: "chen.jing".into(),
    };
    Some((response, results))
}

/// Two lab messages for people the clinic does not know, for the review list.
pub const UNMATCHED_LAB: &str = "MSH|^~\\&|CITY LAB|LAB|CAREDESK|CLINIC|20261120083000||ORU^R01|CL-7731|P|2.5.1\r\
PID|||LAB-88231^^^CITY LAB^MR||LIU^YANG||19710304|F\r\
OBR|1|||24331-1^Lipid panel^LN|||20261120080000\r\
OBX|1|NM|2093-3^Cholesterol^LN||6.1|mmol/L|<5.2|H|||F\r\
OBX|2|NM|2571-8^Triglycerides^LN||2.3|mmol/L|<1.7|H|||F\r\
MSH|^~\\&|CITY LAB|LAB|CAREDESK|CLINIC|20261121090000||ORU^R01|CL-7790|P|2.5.1\r\
PID|||LAB-90412^^^CITY LAB^MR||ZHOU^MIN||19580911|M\r\
OBR|1|||4548-4^HbA1c^LN|||20261121083000\r\
OBX|1|NM|4548-4^HbA1c^LN||7.4|%|4.0-6.0|H|||F\r";
