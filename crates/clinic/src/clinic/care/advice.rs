//! Advice: drafted from the library for the patient's tags and data, approved by staff
//! (as drafted or edited), kept with the record.

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::advice::{Approved, Item, Library};
use crate::domain::patient::PatientId;
use crate::domain::tag_rules::Facts;
use crate::i18n::Lang;
use crate::store::writes::WriteSet;
use crate::text;

const FILE: &str = "advice.toml";
const MAX_TEXT: usize = 2000;

fn library(ctx: &Ctx<'_>) -> Result<Library, ServiceError> {
    let path = ctx.clinic.dir().join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Library::parse(&text).map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.file.bad_rules",
                path = path.display(),
                detail = e
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Library::built_in()),
        Err(e) => Err(ServiceError::Unavailable(text!(
            "msg.file.unreadable",
            path = path.display(),
            detail = e
        ))),
    }
}

pub(crate) fn draft(ctx: &Ctx<'_>, id: &PatientId, lang: Lang) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, id)?;
    let record = ctx.vault.health(id)?;
    let observations = ctx.vault.observations(id)?;
    let questionnaires = ctx.vault.questionnaire_responses(id)?;
    let assessments = ctx.vault.assessments(id)?;
    let mut tags = patient.tags.clone();
    tags.extend(ctx.vault.auto_tags(id)?.0.into_iter().map(|t| t.tag));
    let facts = Facts {
        patient: &patient,
        record: &record,
        observations: &observations,
        questionnaires: &questionnaires,
        assessments: &assessments,
        plans: &[],
        now: ctx.now,
        today: today(ctx),
        value_sets: &ctx
            .clinic
            .value_sets
            .current_alerting(ctx.clinic.dir(), ctx.vault)
            .0,
        utc_offset: ctx.clinic.utc_offset(ctx.now),
    };
    let items = library(ctx)?.draft(&tags, &facts, lang);
    let detail = format!("drafted={}", items.len());
    Ok(Reply::new(Response::AdviceDraft(items))
        .subject(id.to_string())
        .detail(detail))
}

pub(crate) fn approve(
    ctx: &Ctx<'_>,
    id: &PatientId,
    items: &[Item],
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    if items.is_empty() {
        return Err(ServiceError::Invalid(text!("msg.advice.none_to_approve")));
    }
    let mut clean = Vec::new();
    for item in items {
        let text = item.text.trim();
        if text.is_empty() || text.chars().count() > MAX_TEXT {
            return Err(ServiceError::Invalid(text!(
                "msg.advice.text_length",
                max = MAX_TEXT
            )));
        }
        clean.push(Item {
            text: text.to_string(),
            ..item.clone()
        });
    }
    let mut writes = WriteSet::new();
    ctx.vault.stage_advice(
        &mut writes,
        id,
        &Approved {
            items: clean,
            by: ctx.session.user.clone(),
            at: ctx.now,
        },
    )?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("approved={}", items.len())))
}

pub(crate) fn list(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let mut all = ctx.vault.advice(id)?;
    all.reverse();
    let detail = format!("count={}", all.len());
    Ok(Reply::new(Response::Advice(all))
        .subject(id.to_string())
        .detail(detail))
}
