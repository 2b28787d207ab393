//! Stage summaries: the system drafts one for a period from the patient's results,
//! plan, risks, questionnaires and advice; staff edit the narrative and save (each save
//! a new version, recomputed from the data as it stands) and sign. A save or signature
//! made from an older version than the latest is refused as a conflict.

use crate::clinic::api::SummarySaved;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::summary::{self, MAX_TEXT, Period, Sources, StageSummary, SummaryVersion};
use crate::i18n::Lang;
use crate::store::writes::WriteSet;
use crate::text;

fn drafted(
    ctx: &Ctx<'_>,
    id: &PatientId,
    period: Period,
    lang: Lang,
) -> Result<StageSummary, ServiceError> {
    period.check(today(ctx)).map_err(ServiceError::Invalid)?;
    let observations = ctx.vault.observations(id)?;
    let plans = ctx.vault.plans(id)?;
    let assessments = ctx.vault.assessments(id)?;
    let questionnaires = ctx.vault.questionnaire_responses(id)?;
    let advice = ctx.vault.advice(id)?;
    let calls = ctx.vault.calls(id)?;
    let follow_ups = ctx.vault.followups_of(id)?;
    let sources = Sources {
        calls: &calls,
        follow_ups: &follow_ups,
        observations: &observations,
        plans: &plans,
        assessments: &assessments,
        questionnaires: &questionnaires,
        advice: &advice,
    };
    Ok(summary::draft(period, &sources, lang))
}

pub(crate) fn draft(
    ctx: &Ctx<'_>,
    id: &PatientId,
    period: Period,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let drafted = drafted(ctx, id, period, lang)?;
    Ok(Reply::new(Response::SummaryDraft(Box::new(drafted)))
        .subject(id.to_string())
        .detail(format!("from={} to={}", period.from, period.to)))
}

/// The versions of summary `number`, oldest first.
fn versions_of(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: u32,
) -> Result<Vec<SummaryVersion>, ServiceError> {
    Ok(ctx
        .vault
        .summaries(id)?
        .into_iter()
        .filter(|v| v.number == number)
        .collect())
}

pub(crate) fn save(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: Option<u32>,
    base: usize,
    period: Period,
    text: &str,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(ServiceError::Invalid(text!(
            "msg.summaries.text_length",
            max = MAX_TEXT
        )));
    }
    let number = match number {
        Some(n) => {
            let versions = versions_of(ctx, id, n)?;
            if versions.is_empty() {
                return Err(ServiceError::NotFound(format!("summary {n}")));
            }
            if versions.len() != base {
                return Err(ServiceError::Conflict(text!("msg.summaries.stale")));
            }
            n
        }
        None => {
            ctx.vault
                .summaries(id)?
                .iter()
                .map(|v| v.number)
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    // The figures are recomputed here, never taken from the terminal: only the
    // narrative is the author's.
    let mut summary = drafted(ctx, id, period, crate::i18n::Lang::En)?;
    summary.text = text.to_string();
    let mut writes = WriteSet::new();
    ctx.vault.stage_summary(
        &mut writes,
        id,
        &SummaryVersion {
            number,
            summary,
            by: ctx.session.user.clone(),
            at: ctx.now,
            signed: None,
        },
    )?;
    Ok(Reply::new(Response::SummarySaved(SummarySaved { number }))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("summary={number} version={}", base + 1)))
}

pub(crate) fn sign(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: u32,
    base: usize,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let mut versions = versions_of(ctx, id, number)?;
    if versions.len() != base {
        return Err(ServiceError::Conflict(text!("msg.summaries.stale")));
    }
    let Some(latest) = versions.pop() else {
        return Err(ServiceError::NotFound(format!("summary {number}")));
    };
    if let Some((signer, _)) = &latest.signed {
        return Err(ServiceError::Invalid(text!(
            "msg.summaries.already_signed",
            user = signer
        )));
    }
    let mut writes = WriteSet::new();
    ctx.vault.stage_summary(
        &mut writes,
        id,
        &SummaryVersion {
            signed: Some((ctx.session.user.clone(), ctx.now)),
            by: ctx.session.user.clone(),
            at: ctx.now,
            ..latest
        },
    )?;
    Ok(Reply::new(Response::SummarySaved(SummarySaved { number }))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("summary={number} version={}", base + 1)))
}

pub(crate) fn list(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let all = ctx.vault.summaries(id)?;
    let detail = format!("versions={}", all.len());
    Ok(Reply::new(Response::Summaries(all))
        .subject(id.to_string())
        .detail(detail))
}
