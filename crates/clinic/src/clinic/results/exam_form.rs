//! The 健康体检表: a patient's annual examinations, each one dated form kept in
//! versions (a save made from an older version than the latest is refused as a
//! conflict). A new form is drafted from the patient's results; the values typed on it
//! that the results lack join them, so the trends and risks see the examination.
//! Printing it is audited as a disclosure naming the printer or file, as every print.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::import::stage_results;
use crate::clinic::admin::settings::ReportSettings;
use crate::clinic::api::{PatientRef, ReportOutput, Response, ServiceError};
use crate::clinic::care::reports::{Letterhead, audit_detail, letterhead, resolve};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::exam_form::{self, ExamForm, ExamVersion};
use crate::domain::observation::{Observation, Source, SourceKind};
use crate::domain::patient::{PatientId, Sex};
use crate::store::writes::WriteSet;
use crate::text;

/// A new form as drafted: the items filled from results named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamDraft {
    pub form: ExamForm,
    pub filled: Vec<String>,
}

/// What a save did: the exam's number and how many values joined the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamSaved {
    pub number: u32,
    pub results_added: u32,
}

/// Everything one printed 健康体检表 holds. `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamFormDocument {
    pub clinic: Letterhead,
    pub layout: ReportSettings,
    pub printed_at: i64,
    pub printed_by: String,
    pub patient_name: String,
    pub sex: Sex,
    pub record_number: Option<String>,
    pub exam: ExamVersion,
}

impl std::fmt::Debug for ExamFormDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExamFormDocument(..)")
    }
}

pub(crate) fn draft(ctx: &Ctx<'_>, id: &PatientId, date: NaiveDate) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    check_date(ctx, date)?;
    let (form, filled) = exam_form::draft(date, &ctx.vault.observations(id)?);
    Ok(
        Reply::new(Response::ExamDraft(Box::new(ExamDraft { form, filled })))
            .subject(id.to_string())
            .detail(format!("date={date}")),
    )
}

/// An examination is dated on or before today, and not before 1900.
fn check_date(ctx: &Ctx<'_>, date: NaiveDate) -> Result<(), ServiceError> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date > today(ctx) || date < earliest {
        return Err(ServiceError::Field {
            field: "date".into(),
            message: text!("msg.exams.bad_date"),
        });
    }
    Ok(())
}

fn versions_of(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: u32,
) -> Result<Vec<ExamVersion>, ServiceError> {
    Ok(ctx
        .vault
        .exams(id)?
        .into_iter()
        .filter(|v| v.number == number)
        .collect())
}

/// The values typed on the form that the results do not already hold for it, as
/// results taken on the examination's day (09:00 there, or now if earlier).
fn new_results(ctx: &Ctx<'_>, form: &ExamForm, observations: &[Observation]) -> Vec<Observation> {
    let (from_results, _) = exam_form::draft(form.date, observations);
    let zone = crate::domain::time::clinic_zone();
    let taken_at = form
        .date
        .and_hms_opt(9, 0, 0)
        .and_then(|at| zone.from_local(at))
        .unwrap_or(ctx.now)
        .min(ctx.now);
    form.indicator_values()
        .into_iter()
        .filter(|(key, _, value)| {
            // The item the value came from: unchanged from the results, nothing to add.
            !exam_form::form().items().any(|(_, item)| {
                item.indicator.as_deref() == Some(*key)
                    && from_results.answers.get(&item.id)
                        == Some(&exam_form::Answer::Number(*value))
            })
        })
        .filter_map(|(_, indicator, value)| {
            let code = indicator.codes.first()?;
            let mut observation = Observation::typed_in(code, value, indicator.unit, taken_at);
            observation.source = Source {
                kind: SourceKind::Manual,
                reference: ctx.session.user.clone(),
            };
            Some(observation)
        })
        .collect()
}

pub(crate) fn save(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: Option<u32>,
    base: usize,
    form: &ExamForm,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    crate::clinic::desk::consent::require_health_processing(ctx, id)?;
    check_date(ctx, form.date)?;
    if let Some(item) = form.invalid_item() {
        return Err(ServiceError::Field {
            field: item.clone(),
            message: text!("msg.exams.bad_answer", item = item),
        });
    }
    let number = match number {
        Some(n) => {
            let versions = versions_of(ctx, id, n)?;
            if versions.is_empty() {
                return Err(ServiceError::NotFound(format!("examination {n}")));
            }
            if versions.len() != base {
                return Err(ServiceError::Conflict(text!("msg.exams.stale")));
            }
            n
        }
        None => {
            ctx.vault
                .exams(id)?
                .iter()
                .map(|v| v.number)
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    let form = form.clone().with_bmi();
    let mut writes = WriteSet::new();
    let observations = ctx.vault.observations(id)?;
    let added = new_results(ctx, &form, &observations);
    let (stored, _) = stage_results(ctx, &mut writes, id, &added, &mut HashSet::new())?;
    ctx.vault.stage_exam(
        &mut writes,
        id,
        &ExamVersion {
            number,
            form,
            by: ctx.session.user.clone(),
            at: ctx.now,
        },
    )?;
    Ok(Reply::new(Response::ExamSaved(ExamSaved {
        number,
        results_added: stored as u32,
    }))
    .writes(writes)
    .subject(id.to_string())
    .detail(format!(
        "exam={number} version={} results={stored}",
        base + 1
    )))
}

pub(crate) fn list(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let all = ctx.vault.exams(id)?;
    let detail = format!("versions={}", all.len());
    Ok(Reply::new(Response::Exams(all))
        .subject(id.to_string())
        .detail(detail))
}

/// The form of examination `number` (the latest when not given), to print.
pub(crate) fn print(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    number: Option<u32>,
    output: &ReportOutput,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, patient)?;
    let person = readable(ctx, &id)?;
    let latest = exam_form::latest(&ctx.vault.exams(&id)?);
    let exam = match number {
        Some(n) => latest.into_iter().find(|(v, _)| v.number == n),
        None => latest.into_iter().next(),
    }
    .map(|(v, _)| v)
    .ok_or_else(|| {
        ServiceError::NotFound(match number {
            Some(n) => format!("examination {n}"),
            None => "an examination form for this patient".into(),
        })
    })?;
    let detail = format!(
        "{} exam={}",
        audit_detail("examination form", output, false),
        exam.number
    );
    let document = ExamFormDocument {
        clinic: letterhead(ctx),
        layout: ctx.clinic.settings().report.clone(),
        printed_at: ctx.now,
        printed_by: ctx.session.user.clone(),
        patient_name: person.name.clone(),
        sex: person.sex,
        record_number: person.record_number.clone(),
        exam,
    };
    Ok(Reply::new(Response::ExamForm(Box::new(document)))
        .subject(id.to_string())
        .detail(detail))
}
