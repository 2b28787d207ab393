//! Intervention plans: each save a new version (who, when); read back with each goal's
//! progress from the results since the plan began.

use super::api::{Response, ServiceError};
use super::cards::today;
use super::patients::readable;
use super::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::plan::{Plan, PlanVersion, progress};
use crate::store::writes::WriteSet;

pub(crate) fn set(ctx: &Ctx<'_>, id: &PatientId, plan: &Plan) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    plan.check().map_err(ServiceError::Invalid)?;
    let started = ctx
        .vault
        .plans(id)?
        .first()
        .map(|v| v.started)
        .unwrap_or(ctx.now);
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
            "goals={} actions={}",
            plan.goals.len(),
            plan.actions.len()
        )))
}

pub(crate) fn get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let latest = ctx.vault.plans(id)?.pop();
    let observations = ctx.vault.observations(id)?;
    let reply = latest.map(|version| {
        let progress = version
            .plan
            .goals
            .iter()
            .map(|g| progress(g, &observations, version.started, today(ctx)))
            .collect();
        (version, progress)
    });
    Ok(Reply::new(Response::Plan(Box::new(reply))).subject(id.to_string()))
}
