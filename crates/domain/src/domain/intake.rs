//! The intake interview (问诊表), defined like questionnaires in TOML: free-text,
//! single-choice and checklist questions, each saying where its answer goes in the
//! record.

use serde::{Deserialize, Serialize};

use super::questionnaire::Text;
use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Choice,
    Checklist,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub en: String,
    pub zh: String,
    /// What the choice means to the record (e.g. "never" for smoking).
    #[serde(default)]
    pub value: Option<String>,
}

/// Where an answer goes in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    ChiefComplaint,
    Symptoms,
    PastIllnesses,
    Allergies,
    Medications,
    Smoking,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub kind: Kind,
    pub en: String,
    pub zh: String,
    #[serde(default)]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub record: Option<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    pub key: String,
    pub version: String,
    pub name: Text,
    pub questions: Vec<Question>,
}

pub const BUILT_IN: &str = include_str!("../../../../questionnaires/intake.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Text(String),
    Choice(Option<usize>),
    Checklist(Vec<usize>),
}

/// A completed intake, kept with the patient's record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeResponse {
    pub key: String,
    pub version: String,
    pub answers: Vec<Answer>,
    pub at: i64,
    pub by: String,
}

impl std::fmt::Debug for IntakeResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IntakeResponse({} by {} <redacted>)", self.key, self.by)
    }
}

impl Versioned for IntakeResponse {
    const VERSION: u16 = 1;
}

impl Intake {
    pub fn parse(text: &str) -> Result<Intake, String> {
        let intake: Intake = toml::from_str(text).map_err(|e| e.message().to_string())?;
        for q in &intake.questions {
            if q.kind != Kind::Text && q.options.len() < 2 {
                return Err(format!("question {:?} needs at least two options", q.id));
            }
            if q.record == Some(Target::Smoking)
                && q.options.iter().any(|o| {
                    o.value
                        .as_deref()
                        .and_then(super::health::Smoking::parse)
                        .is_none()
                })
            {
                return Err(format!(
                    "question {:?} goes to smoking: each option needs value = never, former or current",
                    q.id
                ));
            }
        }
        Ok(intake)
    }

    pub fn built_in() -> Intake {
        // The shipped file is checked by a test; an empty form is the safe fallback.
        Intake::parse(BUILT_IN).unwrap_or(Intake {
            key: "intake".into(),
            version: "0".into(),
            name: Text {
                en: "Intake interview".into(),
                zh: "问诊表".into(),
            },
            questions: Vec::new(),
        })
    }

    /// Checks that the answers fit the questions, one each, in order.
    pub fn check(&self, answers: &[Answer]) -> Result<(), crate::i18n::Text> {
        if answers.len() != self.questions.len() {
            return Err(crate::text!(
                "msg.intake.answer_count",
                answers = answers.len(),
                questions = self.questions.len()
            ));
        }
        for (q, a) in self.questions.iter().zip(answers) {
            let fits = match (q.kind, a) {
                (Kind::Text, Answer::Text(_)) => true,
                (Kind::Choice, Answer::Choice(c)) => c.is_none_or(|c| c < q.options.len()),
                (Kind::Checklist, Answer::Checklist(list)) => {
                    list.iter().all(|c| *c < q.options.len())
                }
                _ => false,
            };
            if !fits {
                return Err(crate::text!("msg.intake.answer_misfit", question = &q.id));
            }
        }
        Ok(())
    }
}

/// Splits a typed list ("hypertension, gout；asthma") into entries.
pub fn entries(text: &str) -> Vec<String> {
    text.split([',', '，', ';', '；', '、'])
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_intake_parses_and_answers_are_checked() {
        let intake = Intake::parse(BUILT_IN).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(intake.questions.len(), 6);
        let good = vec![
            Answer::Text("headache for two weeks".into()),
            Answer::Checklist(vec![0, 1]),
            Answer::Text("hypertension".into()),
            Answer::Text(String::new()),
            Answer::Text("amlodipine".into()),
            Answer::Choice(Some(2)),
        ];
        assert!(intake.check(&good).is_ok());
        let mut bad = good.clone();
        bad[1] = Answer::Checklist(vec![10]);
        assert!(intake.check(&bad).is_err());
        bad[1] = Answer::Text("x".into());
        assert!(intake.check(&bad).is_err());
        assert_eq!(
            entries("高血压，痛风; asthma ,"),
            ["高血压", "痛风", "asthma"]
        );
    }
}
