//! Risk assessments from the chart: every model run on the patient's record and latest
//! results, stored with its inputs, assumptions and model version.

use super::api::{Response, ServiceError};
use super::cards::today;
use super::patients::readable;
use super::service::{Ctx, Reply};
use crate::domain::assessment::{self, Outcome};
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;

/// Runs every model now and keeps the results.
pub(crate) fn assess(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, id)?;
    let record = ctx.vault.health(id)?;
    let observations = ctx.vault.observations(id)?;
    let findrisc = ctx
        .vault
        .questionnaire_responses(id)?
        .into_iter()
        .filter(|r| r.key == "findrisc")
        .max_by_key(|r| r.at)
        .map(|r| (r.scored.total, r.scored.band));
    let assessments = assessment::assess_all(
        &patient,
        &record,
        &observations,
        findrisc,
        today(ctx),
        ctx.now,
    );
    let mut writes = WriteSet::new();
    for a in &assessments {
        ctx.vault.stage_assessment(&mut writes, id, a)?;
    }
    let computed = assessments
        .iter()
        .filter(|a| !matches!(a.outcome, Outcome::Refused(_)))
        .count();
    Ok(Reply::new(Response::Risks(assessments))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("computed={computed}")))
}

/// The patient's stored assessments, newest first.
pub(crate) fn list(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let mut all = ctx.vault.assessments(id)?;
    all.reverse();
    let detail = format!("count={}", all.len());
    Ok(Reply::new(Response::Risks(all))
        .subject(id.to_string())
        .detail(detail))
}
