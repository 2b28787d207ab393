//! The 规范's 高血压/2型糖尿病患者随访服务记录表 on paper: one patient's plan and
//! year, each visit that reached the patient a column. The service gathers the calls
//! with their record forms and the names of the checklist's signs; the client lays the
//! form out (`crate::report::followup_form`). Printing it is audited as a disclosure
//! naming the printer or file.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::plans::protocols;
use crate::clinic::admin::settings::ReportSettings;
use crate::clinic::api::{PatientRef, ReportOutput, Response, ServiceError};
use crate::clinic::care::reports::{Letterhead, audit_detail, letterhead, resolve};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::followup::{Call, Kind, Outcome};
use crate::domain::indicators;
use crate::domain::patient::Sex;
use crate::text;

/// A checklist sign's names, to print the symptoms ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignName {
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// Everything one printed record form holds. `Debug` shows none of it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpFormDocument {
    pub clinic: Letterhead,
    pub layout: ReportSettings,
    pub printed_at: i64,
    pub printed_by: String,
    pub patient_name: String,
    pub sex: Sex,
    pub record_number: Option<String>,
    pub kind: Kind,
    pub plan: u32,
    pub year: i32,
    /// The plan's visits in the year that reached the patient, oldest first.
    pub calls: Vec<Call>,
    /// How many of them were face to face, and how many the protocol asks a year.
    pub face_to_face: u32,
    pub visits_per_year: u32,
    /// The latest height on record (cm), for the body mass index.
    pub height_cm: Option<f64>,
    pub signs: Vec<SignName>,
}

// The height is a stored, finite reading: equality is total.
impl Eq for FollowUpFormDocument {}

impl std::fmt::Debug for FollowUpFormDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FollowUpFormDocument(..)")
    }
}

/// The hypertension or diabetes plan the form is for: the one named, or the patient's
/// only one.
fn pick_plan(
    plans: &[crate::domain::followup::FollowUpPlan],
    plan: Option<u32>,
) -> Result<(u32, Kind), ServiceError> {
    let standard = |k: Kind| matches!(k, Kind::Hypertension | Kind::Diabetes);
    if let Some(number) = plan {
        let found = plans
            .iter()
            .find(|p| p.number == number)
            .ok_or_else(|| ServiceError::NotFound(format!("follow-up plan {number}")))?;
        if !standard(found.kind) {
            return Err(ServiceError::Invalid(text!(
                "msg.followup_form.not_standard",
                plan = number
            )));
        }
        return Ok((number, found.kind));
    }
    let candidates: Vec<_> = plans.iter().filter(|p| standard(p.kind)).collect();
    match candidates.as_slice() {
        [only] => Ok((only.number, only.kind)),
        [] => Err(ServiceError::NotFound(
            "a hypertension or diabetes follow-up plan for this patient".into(),
        )),
        several => Err(ServiceError::Invalid(text!(
            "msg.followup_form.which_plan",
            plans = several
                .iter()
                .map(|p| format!("{} ({})", p.number, p.kind.key()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub(crate) fn print(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    plan: Option<u32>,
    year: Option<i32>,
    output: &ReportOutput,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, patient)?;
    let person = readable(ctx, &id)?;
    let (plan, kind) = pick_plan(&ctx.vault.followup_plans(&id)?, plan)?;
    let year = year.unwrap_or_else(|| today(ctx).year());
    let zone = crate::domain::time::clinic_zone();
    let mut calls: Vec<Call> = ctx
        .vault
        .calls(&id)?
        .into_iter()
        .filter(|c| c.plan == plan && c.input.outcome == Outcome::Reached)
        .filter(|c| zone.local(c.at).year() == year)
        .collect();
    calls.sort_by_key(|c| c.at);
    let protocols = protocols(ctx.clinic)?;
    let protocol = protocols.get(kind);
    // The latest measured height, else the record's.
    let height_cm = indicators::by_key("height")
        .and_then(|height| {
            let observations = ctx.vault.observations(&id).ok()?;
            height
                .values_si(&observations, |_| true)
                .last()
                .map(|(_, v)| *v)
        })
        .or(ctx
            .vault
            .health(&id)?
            .measurements
            .height_cm
            .map(|h| h.as_f64()));
    let document = FollowUpFormDocument {
        clinic: letterhead(ctx),
        layout: ctx.clinic.settings().report.clone(),
        printed_at: ctx.now,
        printed_by: ctx.session.user.clone(),
        patient_name: person.name.clone(),
        sex: person.sex,
        record_number: person.record_number.clone(),
        kind,
        plan,
        year,
        face_to_face: crate::domain::followup_form::face_to_face_in_year(&calls, plan, year),
        calls,
        visits_per_year: protocol.map_or(4, |p| p.visits_per_year),
        height_cm,
        signs: protocol
            .map(|p| {
                p.symptoms
                    .iter()
                    .map(|s| SignName {
                        key: s.key.clone(),
                        en: s.en.clone(),
                        zh: s.zh.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    Ok(Reply::new(Response::FollowUpForm(Box::new(document)))
        .subject(id.to_string())
        .detail(format!(
            "{} plan={plan} year={year}",
            audit_detail("follow-up record form", output, false)
        )))
}
