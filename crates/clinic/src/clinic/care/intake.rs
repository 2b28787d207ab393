//! The intake interview: its definition, and filing a completed one into the record
//! (the complaint and symptoms as results; illnesses, allergies, medicines and smoking
//! as amendments with "intake interview" as the reason).

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::health::{Allergy, Condition, Medication, Smoking};
use crate::domain::intake::{Answer, Intake, IntakeResponse, Target, entries};
use crate::domain::observation::{LOINC, ObsValue, Observation};
use crate::domain::patient::PatientId;
use crate::domain::record_form;
use crate::store::writes::WriteSet;
use crate::text;

const CHIEF_COMPLAINT: &str = "10154-3";
const SYMPTOM: &str = "75325-1";

/// The clinic's own intake interview (`DIR/intake.toml`) when it has one, else the
/// built-in one. A bad file is an error naming it, not a silent fallback.
fn intake(ctx: &Ctx<'_>) -> Result<Intake, ServiceError> {
    let path = ctx.clinic.dir().join("intake.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Intake::parse(&text).map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.file.bad_rules",
                path = path.display(),
                detail = e
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Intake::built_in()),
        Err(e) => Err(ServiceError::Unavailable(text!(
            "msg.file.unreadable",
            path = path.display(),
            detail = e
        ))),
    }
}

pub(crate) fn get(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    Ok(Reply::new(Response::Intake(Box::new(intake(ctx)?))))
}

fn result(code: &str, value: ObsValue, at: i64) -> Observation {
    Observation::answered(LOINC, code, None, value, at, "intake".into())
}

pub(crate) fn submit(
    ctx: &Ctx<'_>,
    id: &PatientId,
    answers: &[Answer],
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    crate::clinic::desk::consent::require_health_processing(ctx, id)?;
    let intake = intake(ctx)?;
    intake.check(answers).map_err(ServiceError::Invalid)?;
    let mut writes = WriteSet::new();
    let mut record = ctx.vault.health(id)?;
    let mut amendments = Vec::new();
    let mut results = Vec::new();
    for (question, answer) in intake.questions.iter().zip(answers) {
        let Some(target) = question.record else {
            continue;
        };
        let before = match target {
            Target::PastIllnesses => SectionValue::PastIllnesses(record.past_illnesses.clone()),
            Target::Allergies => SectionValue::Allergies(record.allergies.clone()),
            Target::Medications => SectionValue::Medications(record.medications.clone()),
            Target::Smoking => SectionValue::Lifestyle(record.lifestyle.clone()),
            _ => SectionValue::Lifestyle(record.lifestyle.clone()),
        };
        let mut after = before.clone();
        match (target, answer) {
            (Target::ChiefComplaint, Answer::Text(t)) if !t.trim().is_empty() => {
                results.push(result(
                    CHIEF_COMPLAINT,
                    ObsValue::Text(t.trim().to_string()),
                    ctx.now,
                ));
            }
            (Target::Symptoms, Answer::Checklist(checked)) => {
                for &i in checked {
                    let option = &question.options[i];
                    results.push(result(
                        SYMPTOM,
                        ObsValue::Coded {
                            system: Some("urn:caredesk:intake:symptoms".into()),
                            code: option.en.clone(),
                            display: Some(format!("{} {}", option.en, option.zh)),
                        },
                        ctx.now,
                    ));
                }
            }
            (Target::PastIllnesses | Target::Allergies | Target::Medications, Answer::Text(t)) => {
                for entry in entries(t) {
                    let same = |a: &str| a.eq_ignore_ascii_case(&entry);
                    match &mut after {
                        SectionValue::PastIllnesses(v) if !v.iter().any(|c| same(&c.name)) => v
                            .push(Condition {
                                name: entry.clone(),
                                ..Condition::default()
                            }),
                        SectionValue::Allergies(v) if !v.iter().any(|a| same(&a.substance)) => v
                            .push(Allergy {
                                substance: entry.clone(),
                                ..Allergy::default()
                            }),
                        SectionValue::Medications(v) if !v.iter().any(|m| same(&m.name)) => {
                            v.push(Medication {
                                name: entry.clone(),
                                ..Medication::default()
                            })
                        }
                        _ => {}
                    }
                }
            }
            (Target::Smoking, Answer::Choice(Some(i))) => {
                if let (SectionValue::Lifestyle(l), Some(smoking)) = (
                    &mut after,
                    question.options[*i]
                        .value
                        .as_deref()
                        .and_then(Smoking::parse),
                ) {
                    l.smoking = Some(smoking);
                }
            }
            _ => {}
        }
        if after != before {
            let after =
                record_form::check(&after, today(ctx)).map_err(|p| ServiceError::Field {
                    field: question.id.clone(),
                    message: p.message(),
                })?;
            amendments.push(Amendment {
                at: ctx.now,
                by: ctx.session.user.clone(),
                role: ctx.session.role,
                reason: "intake interview".into(),
                before,
                after: after.clone(),
            });
            after.apply_to(&mut record);
        }
    }
    for observation in &results {
        let key = ctx.vault.result_key(id, observation);
        ctx.vault
            .stage_observation(&mut writes, id, key, observation)?;
    }
    if !amendments.is_empty() {
        ctx.vault.stage_health(&mut writes, id, &record)?;
        for amendment in &amendments {
            ctx.vault.stage_amendment(&mut writes, id, amendment)?;
        }
    }
    ctx.vault.stage_intake(
        &mut writes,
        id,
        &IntakeResponse {
            key: intake.key.clone(),
            version: intake.version.clone(),
            answers: answers.to_vec(),
            at: ctx.now,
            by: ctx.session.user.clone(),
        },
    )?;
    let detail = format!(
        "results={} record_changes={}",
        results.len(),
        amendments.len()
    );
    Ok(Reply::new(Response::Health(record))
        .writes(writes)
        .subject(id.to_string())
        .detail(detail))
}
