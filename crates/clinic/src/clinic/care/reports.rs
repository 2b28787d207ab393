//! What goes on paper: the health report of one patient and period, and the member
//! card. The service decides what the printing role may see and masks identifiers;
//! the client lays the data out (`crate::report`). Printing or writing a file is
//! audited as a disclosure naming the printer or file.

use crate::text;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::clinic::admin::settings::ReportSettings;
use crate::clinic::api::{PatientRef, ReportOutput, Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::advice::Approved;
use crate::domain::assessment::Assessment;
use crate::domain::card::{Card, CardStatus};
use crate::domain::followup::{Call, FollowUpPlan};
use crate::domain::indicators::UnitSystem;
use crate::domain::mask;
use crate::domain::observation::Observation;
use crate::domain::patient::{Patient, PatientId};
use crate::domain::plan::PlanView;
use crate::domain::questionnaire;
use crate::domain::summary::{Period, SummaryVersion};
use crate::domain::tag_rules::AutoTag;

/// The clinic as printed at the head of a report or on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letterhead {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// Everything one health report prints. `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    pub clinic: Letterhead,
    /// Paper, printer and fonts from the clinic's settings.
    pub layout: ReportSettings,
    pub printed_at: i64,
    pub printed_by: String,
    pub period: Period,
    pub patient_id: PatientId,
    /// ID and phone numbers masked unless the printer chose otherwise.
    pub patient: Patient,
    pub unmasked: bool,
    /// The active member card.
    pub card: Option<Card>,
    pub units: UnitSystem,
    /// Absent for a role that may not read clinical data: the report then holds the
    /// identity part only.
    pub clinical: Option<Box<ClinicalPart>>,
}

/// The clinical sections of a report.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicalPart {
    /// Results up to the period's end (earlier ones give "previous" and the trend).
    pub observations: Vec<Observation>,
    /// Questionnaires filled in the period, oldest first.
    pub questionnaires: Vec<questionnaire::Response>,
    /// Each model's latest assessment by the period's end.
    pub assessments: Vec<Assessment>,
    pub auto_tags: Vec<AutoTag>,
    /// Advice approved in the period.
    pub advice: Vec<Approved>,
    pub plan: Option<PlanView>,
    /// The latest stage summary that overlaps the period (a signed one first).
    pub summary: Option<SummaryVersion>,
    pub followup_plans: Vec<FollowUpPlan>,
    /// Follow-up calls in the period, oldest first.
    pub calls: Vec<Call>,
}

/// What a member card prints.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDocument {
    pub clinic: Letterhead,
    pub layout: ReportSettings,
    pub patient_name: String,
    pub card: Card,
    /// The 健康档案编号, printed small under the barcode when the patient has one.
    pub record_number: Option<String>,
}

/// A card number, an ID number or a phone number → the one patient it names.
pub(crate) fn resolve(ctx: &Ctx<'_>, patient: &PatientRef) -> Result<PatientId, ServiceError> {
    match patient {
        PatientRef::Id(id) => Ok(*id),
        PatientRef::Key(key) => crate::clinic::export::access::resolve(ctx, key.trim()),
    }
}

pub(crate) fn letterhead(ctx: &Ctx<'_>) -> Letterhead {
    let clinic = ctx.clinic.settings().clinic.clone();
    Letterhead {
        name: clinic.name,
        address: clinic.address,
        phone: clinic.phone,
    }
}

/// The year up to today unless dates are given; a period that ends before it starts
/// is refused.
fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Period, ServiceError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub_days(Days::new(365)).unwrap_or(to));
    if from > to {
        return Err(ServiceError::Invalid(text!(
            "msg.reports.period_reversed",
            from = from,
            to = to
        )));
    }
    Ok(Period { from, to })
}

fn active_card(cards: Vec<Card>, named: Option<&str>) -> Option<Card> {
    let active = |c: &Card| c.status == CardStatus::Active;
    if let Some(card) = cards
        .iter()
        .find(|c| Some(c.number.as_str()) == named && active(c))
    {
        return Some(card.clone());
    }
    cards.into_iter().rev().find(active)
}

pub(crate) fn audit_detail(what: &str, output: &ReportOutput, unmask: bool) -> String {
    let kind = match output {
        ReportOutput::Preview => "shown",
        _ => "disclosure",
    };
    let unmasked = if unmask { "; unmasked=true" } else { "" };
    format!("{kind}: {what} to {}{unmasked}", output.describe())
}

pub(crate) fn compose(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    unmask: bool,
    output: &ReportOutput,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, patient)?;
    let mut person = readable(ctx, &id)?;
    let period = period(from, to, today(ctx))?;
    if !unmask {
        person.id_number = person.id_number.as_deref().map(mask::id_number);
        person.phone = person.phone.as_deref().map(mask::phone);
    }
    let settings = ctx.clinic.settings();
    let named = match patient {
        PatientRef::Key(key) => Some(key.trim()),
        PatientRef::Id(_) => None,
    };
    let clinical = if ctx.sees_clinical() {
        Some(Box::new(clinical_part(ctx, &id, &period)?))
    } else {
        None
    };
    let data = ReportData {
        clinic: letterhead(ctx),
        layout: settings.report.clone(),
        printed_at: ctx.now,
        printed_by: ctx.session.user.clone(),
        period,
        patient_id: id,
        patient: person,
        unmasked: unmask,
        card: active_card(ctx.vault.cards(&id)?, named),
        units: settings.clinic.units,
        clinical,
    };
    Ok(Reply::new(Response::Report(Box::new(data)))
        .subject(id.to_string())
        .detail(audit_detail("health report", output, unmask)))
}

fn clinical_part(
    ctx: &Ctx<'_>,
    id: &PatientId,
    period: &Period,
) -> Result<ClinicalPart, ServiceError> {
    let (start, end) = period.bounds();
    let within = |at: i64| (start..=end).contains(&at);
    let mut observations = ctx.vault.observations(id)?;
    observations.retain(|o| o.taken_at <= end);
    let mut questionnaires = ctx.vault.questionnaire_responses(id)?;
    questionnaires.retain(|q| within(q.at));
    let mut assessments: Vec<Assessment> = Vec::new();
    for a in ctx.vault.assessments(id)? {
        if a.at > end {
            continue;
        }
        match assessments.iter_mut().find(|b| b.model == a.model) {
            Some(b) if b.at <= a.at => *b = a,
            Some(_) => {}
            None => assessments.push(a),
        }
    }
    let mut advice = ctx.vault.advice(id)?;
    advice.retain(|a| within(a.at));
    let plan = match super::plans::view(ctx, id)? {
        Some(view) if view.current.started <= end => Some(view),
        _ => None,
    };
    let summary = ctx
        .vault
        .summaries(id)?
        .into_iter()
        .filter(|s| s.summary.period.from <= period.to && s.summary.period.to >= period.from)
        .max_by_key(|s| (s.summary.period.to, s.signed.is_some(), s.at));
    let mut calls = ctx.vault.calls(id)?;
    calls.retain(|c| within(c.at));
    calls.sort_by_key(|c| c.at);
    Ok(ClinicalPart {
        observations,
        questionnaires,
        assessments,
        auto_tags: ctx.vault.auto_tags(id)?.0,
        advice,
        plan,
        summary,
        followup_plans: ctx.vault.followup_plans(id)?,
        calls,
    })
}

pub(crate) fn card(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    output: &ReportOutput,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, patient)?;
    let person = readable(ctx, &id)?;
    let named = match patient {
        PatientRef::Key(key) => Some(key.trim()),
        PatientRef::Id(_) => None,
    };
    let card = active_card(ctx.vault.cards(&id)?, named).ok_or_else(|| {
        ServiceError::NotFound(
            "an active member card for this patient: issue one first (F3 on the patient)".into(),
        )
    })?;
    let document = CardDocument {
        clinic: letterhead(ctx),
        layout: ctx.clinic.settings().report.clone(),
        patient_name: person.name,
        card,
        record_number: person.record_number,
    };
    Ok(Reply::new(Response::CardDocument(Box::new(document)))
        .subject(id.to_string())
        .detail(audit_detail("member card", output, false)))
}

/// Reports carry a patient's whole record: their `Debug` names the kind only.
macro_rules! redacted_debug {
    ($($type:ty),+) => {$(
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($type), "(..)"))
            }
        }
    )+};
}
redacted_debug!(ReportData, ClinicalPart, CardDocument);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_defaults_to_the_year_before_and_refuses_a_reversed_one() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let p = period(None, None, today).unwrap();
        assert_eq!(p.to, today);
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2025, 11, 23).unwrap());
        let err = period(Some(today), NaiveDate::from_ymd_opt(2026, 1, 1), today).unwrap_err();
        assert!(err.to_string().contains("swap the dates"), "{err}");
    }

    #[test]
    fn the_audit_names_the_destination_never_the_content() {
        let d = audit_detail("health report", &ReportOutput::Printer("desk".into()), true);
        assert_eq!(
            d,
            "disclosure: health report to printer=desk; unmasked=true"
        );
        let d = audit_detail("member card", &ReportOutput::Preview, false);
        assert_eq!(d, "shown: member card to screen preview");
    }
}
