//! Intervention plans: each save a new version (who, when), refused when it was made
//! from an older version than the latest; read back with each goal's progress from
//! the results since the plan began; drafted from the condition templates.

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::plan::{Plan, PlanVersion, PlanView, progress};
use crate::domain::plan_template::Templates;
use crate::i18n::Lang;
use crate::store::writes::WriteSet;
use crate::text;

const TEMPLATES_FILE: &str = "plan_templates.toml";

pub(crate) fn set(
    ctx: &Ctx<'_>,
    id: &PatientId,
    plan: &Plan,
    base: usize,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    plan.check().map_err(ServiceError::Invalid)?;
    let versions = ctx.vault.plans(id)?;
    if base != versions.len() {
        return Err(ServiceError::Conflict(text!("msg.plans.stale")));
    }
    let started = versions.first().map(|v| v.started).unwrap_or(ctx.now);
    let mut writes = WriteSet::new();
    ctx.vault.stage_plan(
        &mut writes,
        id,
        &PlanVersion {
            plan: plan.clone(),
            by: ctx.session.user.clone(),
            at: ctx.now,
            started,
        },
    )?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!(
            "version={} goals={} actions={}",
            versions.len() + 1,
            plan.goals.len(),
            plan.actions.len()
        )))
}

pub(crate) fn get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let view = view(ctx, id)?;
    Ok(Reply::new(Response::Plan(Box::new(view))).subject(id.to_string()))
}

/// The current plan with each goal's progress, if the patient has one.
pub(crate) fn view(ctx: &Ctx<'_>, id: &PatientId) -> Result<Option<PlanView>, ServiceError> {
    let mut versions = ctx.vault.plans(id)?;
    let number = versions.len();
    let observations = ctx.vault.observations(id)?;
    let view = versions.pop().map(|current| {
        let progress = current
            .plan
            .goals
            .iter()
            .map(|g| progress(g, &observations, current.started, today(ctx)))
            .collect();
        PlanView {
            current,
            number,
            progress,
        }
    });
    Ok(view)
}

/// The clinic's templates (`DIR/plan_templates.toml`), or the shipped ones.
fn library(ctx: &Ctx<'_>) -> Result<Templates, ServiceError> {
    let path = ctx.clinic.dir().join(TEMPLATES_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Templates::parse(&text).map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.file.bad_rules",
                path = path.display(),
                detail = e
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Templates::built_in()),
        Err(e) => Err(ServiceError::Unavailable(text!(
            "msg.file.unreadable",
            path = path.display(),
            detail = e
        ))),
    }
}

pub(crate) fn templates(ctx: &Ctx<'_>, id: &PatientId, lang: Lang) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, id)?;
    let mut tags = patient.tags.clone();
    tags.extend(ctx.vault.auto_tags(id)?.0.into_iter().map(|t| t.tag));
    let offers = library(ctx)?.offers(&tags, lang);
    Ok(Reply::new(Response::PlanTemplates(offers)).subject(id.to_string()))
}

pub(crate) fn draft(
    ctx: &Ctx<'_>,
    id: &PatientId,
    template: &str,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let library = library(ctx)?;
    let template = library
        .get(template)
        .ok_or_else(|| ServiceError::NotFound(format!("plan template {template:?}")))?;
    let plan = template.instantiate(today(ctx), lang);
    let detail = format!("template={}", template.id);
    Ok(Reply::new(Response::PlanDraft(Box::new(plan)))
        .subject(id.to_string())
        .detail(detail))
}
