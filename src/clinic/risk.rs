//! Risk assessments from the chart: every model run on the patient's record and latest
//! results, stored with its inputs, assumptions and model version.

use super::api::{Response, ServiceError};
use super::cards::today;
use super::patients::readable;
use super::service::{Ctx, Reply};
use crate::domain::assessment::{self, Outcome};
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;

/// Runs every model now; keeps an assessment only when its inputs or result differ
/// from the model's last one (so looking at the risks recomputes them when their
/// inputs changed, without piling up copies).
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
    let fresh = assessment::assess_all(
        &patient,
        &record,
        &observations,
        findrisc,
        today(ctx),
        ctx.now,
    );
    let kept = ctx.vault.assessments(id)?;
    let mut writes = WriteSet::new();
    let mut assessments = Vec::new();
    let mut changed = 0;
    for a in fresh {
        let last = kept.iter().rev().find(|k| k.model == a.model);
        match last {
            Some(last)
                if last.inputs == a.inputs
                    && last.outcome == a.outcome
                    && last.assumptions == a.assumptions =>
            {
                assessments.push(last.clone());
            }
            _ => {
                ctx.vault.stage_assessment(&mut writes, id, &a)?;
                changed += 1;
                assessments.push(a);
            }
        }
    }
    let computed = assessments
        .iter()
        .filter(|a| !matches!(a.outcome, Outcome::Refused(_)))
        .count();
    Ok(Reply::new(Response::Risks(assessments))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("computed={computed} changed={changed}")))
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
