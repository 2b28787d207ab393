//! A stored risk assessment: the model (name, version, source), the inputs it used and
//! the assumptions it made, and its result or why it gave none, so a past assessment
//! can be explained later.

use serde::{Deserialize, Serialize};

use super::clinical_status::Race as OmbRace;
use super::health::{HealthRecord, Smoking};
use super::indicators;
use super::observation::Observation;
use super::patient::Patient;
use super::risk::{self, CvInputs, Model, Race, Refusal};
use super::value_sets::ValueSets;
use crate::codec::{CodecError, Versioned, decode_payload};
use crate::i18n::Text;
use crate::text;

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
    pub assumptions: Vec<Text>,
    pub outcome: Outcome,
    /// Which diagnoses and medicines counted, which did not, which were not recognised.
    pub evidence: Evidence,
}

// The numbers are finite (inputs are checked, risks are 0–1), so equality is total.
impl Eq for Outcome {}
impl Eq for Assessment {}

impl Versioned for Assessment {
    const VERSION: u16 = 3;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            // Format 1 had no evidence: read as format 2 with none.
            1 => {
                let old: AssessmentV1 = decode_payload(payload)?;
                Ok(AssessmentV2 {
                    model: old.model,
                    name: old.name,
                    version: old.version,
                    source: old.source,
                    at: old.at,
                    inputs: old.inputs,
                    assumptions: old.assumptions,
                    outcome: old.outcome,
                    evidence: EvidenceV2::default(),
                }
                .into_current())
            }
            2 => Ok(decode_payload::<AssessmentV2>(payload)?.into_current()),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

/// An assessment whose notes were English sentences.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct AssessmentV2 {
    model: String,
    name: String,
    version: String,
    source: String,
    at: i64,
    inputs: CvInputs,
    assumptions: Vec<String>,
    outcome: Outcome,
    evidence: EvidenceV2,
}

#[derive(Default, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct EvidenceV2 {
    counted: Vec<String>,
    not_counted: Vec<String>,
    unrecognised: Vec<String>,
}

impl AssessmentV2 {
    /// Notes written before they were messages stay as written (English).
    fn into_current(self) -> Assessment {
        let verbatim = |notes: Vec<String>| notes.into_iter().map(Text::verbatim).collect();
        Assessment {
            model: self.model,
            name: self.name,
            version: self.version,
            source: self.source,
            at: self.at,
            inputs: self.inputs,
            assumptions: verbatim(self.assumptions),
            outcome: self.outcome,
            evidence: Evidence {
                counted: verbatim(self.evidence.counted),
                not_counted: verbatim(self.evidence.not_counted),
                unrecognised: verbatim(self.evidence.unrecognised),
            },
        }
    }
}

/// An assessment before it listed the records it read.
#[derive(Deserialize)]
struct AssessmentV1 {
    model: String,
    name: String,
    version: String,
    source: String,
    at: i64,
    inputs: CvInputs,
    assumptions: Vec<String>,
    outcome: Outcome,
}

/// The record entries a model read: what counted, what did not count and why, and
/// what no value set recognised (kept and shown, so staff can code it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub counted: Vec<Text>,
    pub not_counted: Vec<Text>,
    pub unrecognised: Vec<Text>,
}

/// A diagnosis or medicine as the evidence names it: its name and code.
fn named(name: &str, code: &Option<String>, system: &Option<String>) -> String {
    match code {
        Some(_) => format!("{name} ({})", super::record_codes::code_text(code, system)),
        None => name.to_string(),
    }
}

/// The value sets an entry belongs to, by their names in both languages.
fn set_names<'a>(sets: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Text> {
    sets.map(|(en, zh)| Text::names(en, zh)).collect()
}

/// The latest value in force of a catalogue indicator, in `unit`.
fn latest(observations: &[Observation], key: &str, unit: &str) -> Option<(f64, i64)> {
    let indicator = indicators::by_key(key)?;
    super::observation::in_force(observations)
        .into_iter()
        .filter(|o| indicator.codes.contains(&o.code.as_str()))
        .filter_map(|o| {
            let v = o.value.number()?.to_f64();
            let from = o.unit.as_deref().unwrap_or(indicator.unit);
            indicator.convert(v, from, unit).map(|v| (v, o.taken_at))
        })
        .max_by_key(|(_, at)| *at)
}

/// What the cardiovascular models read from the chart.
pub struct ChartReading {
    pub inputs: CvInputs,
    /// Said of both models.
    pub assumptions: Vec<Text>,
    /// Said of the Pooled Cohort Equations alone (race).
    pub pce_assumptions: Vec<Text>,
    pub evidence: Evidence,
}

/// The cardiovascular models' inputs from the record (by the value sets, counting only
/// current diagnoses and medicines) and the latest results in force; what was assumed
/// is said, and which records counted.
pub fn cv_inputs(
    patient: &Patient,
    record: &HealthRecord,
    observations: &[Observation],
    today: chrono::NaiveDate,
    sets: &ValueSets,
) -> ChartReading {
    let mut assumptions = Vec::new();
    let mut evidence = Evidence::default();
    let age = patient.birth_date.map(|b| {
        let years = today.years_since(b).unwrap_or(0);
        f64::from(years)
    });
    let mut diabetes = false;
    for c in &record.past_illnesses {
        let found = sets.condition_sets(c);
        let name = named(&c.name, &c.code, &c.system);
        let sets = set_names(found.iter().map(|s| (s.en.as_str(), s.zh.as_str())));
        if found.is_empty() {
            evidence
                .unrecognised
                .push(text!("msg.risk.unrecognised_diagnosis", name = name));
        } else if !c.current() {
            let status =
                super::record_codes::condition_status_text(c.clinical_status, c.verification);
            evidence.not_counted.push(text!(
                "msg.risk.not_counted_status",
                name = name,
                status = status
            ));
        } else if found.iter().any(|s| s.id == "diabetes") {
            diabetes = true;
            let diabetes_sets = found.iter().filter(|s| s.id == "diabetes");
            evidence
                .counted
                .push(text!("msg.risk.counted_as", name = name).arg_list(
                    "sets",
                    set_names(diabetes_sets.map(|s| (s.en.as_str(), s.zh.as_str()))),
                ));
        } else {
            // Recognised, current, and no model input: say so rather than list it as
            // counted (prediabetes is not diabetes; treatment is read from medicines).
            evidence
                .not_counted
                .push(text!("msg.risk.not_model_input", name = name).arg_list("sets", sets));
        }
    }
    let mut treated = false;
    for m in &record.medications {
        let found = sets.medicine_sets(m);
        let name = named(&m.name, &m.code, &m.system);
        if found.is_empty() {
            evidence
                .unrecognised
                .push(text!("msg.risk.unrecognised_medicine", name = name));
        } else if !m.current(today) {
            let status = m.status.map(|s| s.code()).unwrap_or("active");
            evidence.not_counted.push(match m.ended.as_deref() {
                Some(ended) => text!(
                    "msg.risk.not_counted_ended",
                    name = name,
                    status = status,
                    ended = ended
                ),
                None => text!("msg.risk.not_counted_status", name = name, status = status),
            });
        } else {
            treated |= found.iter().any(|s| s.id == "antihypertensive");
            diabetes |= found.iter().any(|s| s.id == "diabetes_medicine");
            let sets = set_names(found.iter().map(|s| (s.en.as_str(), s.zh.as_str())));
            evidence
                .counted
                .push(text!("msg.risk.counted_as", name = name).arg_list("sets", sets));
        }
    }
    if !treated {
        assumptions.push(text!("msg.risk.untreated"));
    }
    if !diabetes {
        assumptions.push(text!("msg.risk.no_diabetes"));
    }
    let smoker = record.lifestyle.smoking == Some(Smoking::Current);
    match record.lifestyle.smoking {
        None => assumptions.push(text!("msg.risk.smoking_unrecorded")),
        Some(Smoking::Unknown) => assumptions.push(text!("msg.risk.smoking_unknown")),
        Some(_) => {}
    }
    let race_recorded = &record.measurements.race;
    let race = if race_recorded.contains(&OmbRace::BlackOrAfricanAmerican) {
        Some(Race::AfricanAmerican)
    } else if race_recorded.contains(&OmbRace::White) {
        Some(Race::White)
    } else if race_recorded.is_empty() {
        None
    } else {
        Some(Race::Other)
    };
    let mut pce_assumptions = Vec::new();
    if !race_recorded.is_empty() {
        let equations = match race {
            Some(Race::AfricanAmerican) => "msg.risk.equations_african_american",
            _ => "msg.risk.equations_white",
        };
        evidence.counted.push(
            text!(
                "msg.risk.race_counted",
                race = super::record_codes::race_text(race_recorded)
            )
            .arg_text("equations", Text::new(equations)),
        );
    }
    match race {
        None => pce_assumptions.push(text!("msg.risk.race_unrecorded")),
        Some(Race::Other) => pce_assumptions.push(text!(
            "msg.risk.race_other",
            race = super::record_codes::race_text(race_recorded)
        )),
        Some(_) => {}
    }
    let inputs = CvInputs {
        age,
        sex: Some(patient.sex),
        race,
        total_cholesterol: latest(observations, "cholesterol_total", "mg/dL").map(|v| v.0),
        hdl: latest(observations, "hdl", "mg/dL").map(|v| v.0),
        systolic: latest(observations, "systolic_bp", "mm[Hg]").map(|v| v.0),
        treated_for_hypertension: treated,
        smoker,
        diabetes,
    };
    ChartReading {
        inputs,
        assumptions,
        pce_assumptions,
        evidence,
    }
}

fn assess(
    model: &Model,
    at: i64,
    reading: &ChartReading,
    assumptions: Vec<Text>,
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
        inputs: reading.inputs.clone(),
        assumptions,
        outcome,
        evidence: reading.evidence.clone(),
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
    sets: &ValueSets,
) -> Vec<Assessment> {
    let reading = cv_inputs(patient, record, observations, today, sets);
    let mut pce_assumptions = reading.assumptions.clone();
    pce_assumptions.extend(reading.pce_assumptions.iter().cloned());
    let mut out = vec![
        assess(
            &risk::PCE,
            at,
            &reading,
            pce_assumptions,
            risk::pce(&reading.inputs),
            risk::pce_band,
        ),
        assess(
            &risk::FRAMINGHAM,
            at,
            &reading,
            reading.assumptions.clone(),
            risk::framingham(&reading.inputs),
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
        evidence: Evidence::default(),
        outcome: match findrisc {
            Some((score, band)) => Outcome::Score { score, band },
            None => Outcome::Refused(Refusal::Missing(vec!["a FINDRISC questionnaire".into()])),
        },
    });
    out
}

#[cfg(test)]
mod format_tests {
    use super::*;

    impl Versioned for AssessmentV2 {
        const VERSION: u16 = 2;
    }

    #[test]
    fn an_assessment_of_format_2_keeps_its_english_notes_as_written() {
        let old = AssessmentV2 {
            model: "ascvd_pce".into(),
            name: "ASCVD".into(),
            version: "2013".into(),
            source: "Goff".into(),
            at: 1,
            inputs: CvInputs::default(),
            assumptions: vec!["smoking not recorded: counted as non-smoker".into()],
            outcome: Outcome::Refused(Refusal::Missing(vec!["age".into()])),
            evidence: EvidenceV2 {
                counted: vec!["amlodipine → antihypertensive".into()],
                not_counted: Vec::new(),
                unrecognised: vec!["diagnosis gout".into()],
            },
        };
        let read: Assessment = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        let zh = crate::i18n::Locale::new(crate::i18n::Lang::ZhCn);
        assert_eq!(
            zh.text(&read.assumptions[0]),
            "smoking not recorded: counted as non-smoker"
        );
        assert_eq!(
            read.evidence.counted,
            vec![Text::verbatim("amlodipine → antihypertensive")]
        );
        assert_eq!(read.evidence.unrecognised.len(), 1);
        // A refusal names its inputs in the reader's language.
        let Outcome::Refused(refusal) = &read.outcome else {
            panic!()
        };
        assert_eq!(zh.text(&refusal.text()), "缺少：年龄");
    }
}
