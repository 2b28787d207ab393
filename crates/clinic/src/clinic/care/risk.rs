//! Risk assessments from the chart: every model run on the patient's record and latest
//! results, stored with its inputs, assumptions and model version.

use super::auto_tags::RuleContext;
use super::reevaluate::Chart;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::assessment::{self, Assessment, Outcome};
use crate::domain::patient::PatientId;
use crate::store::Vault;
use crate::store::writes::WriteSet;

/// Runs every model now; keeps an assessment only when its inputs or result differ
/// from the model's last one (so looking at the risks recomputes them when their
/// inputs changed, without piling up copies).
pub(crate) fn assess(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let chart = Chart::load(ctx.vault, id)?;
    let mut writes = WriteSet::new();
    let (sets, _) = ctx
        .clinic
        .value_sets
        .current_alerting(ctx.clinic.dir(), ctx.vault);
    let context = RuleContext {
        sets: &sets,
        utc_offset: ctx.clinic.utc_offset(ctx.now),
    };
    let (assessments, changed) = refresh(ctx.vault, id, &chart, ctx.now, &context, &mut writes)?;
    let computed = assessments
        .iter()
        .filter(|a| !matches!(a.outcome, Outcome::Refused(_)))
        .count();
    Ok(Reply::new(Response::Risks(assessments))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("computed={computed} changed={changed}")))
}

/// Every model's assessment of the patient's data at `now`, staging those whose
/// inputs, assumptions or result differ from the model's last kept one; returns the
/// current assessment per model and how many changed.
pub(crate) fn refresh(
    vault: &Vault,
    id: &PatientId,
    chart: &Chart,
    now: i64,
    context: &RuleContext<'_>,
    writes: &mut WriteSet,
) -> Result<(Vec<Assessment>, usize), ServiceError> {
    let findrisc = chart
        .questionnaires
        .iter()
        .filter(|r| r.key == "findrisc")
        .max_by_key(|r| r.at)
        .map(|r| (r.scored.total, r.scored.band.clone()));
    let today = chrono::DateTime::from_timestamp(now + i64::from(context.utc_offset), 0)
        .unwrap_or_default()
        .date_naive();
    let fresh = assessment::assess_all(
        &chart.patient,
        &chart.record,
        &chart.observations,
        findrisc,
        today,
        now,
        context.sets,
    );
    let kept = &chart.assessments;
    let mut assessments = Vec::new();
    let mut changed = 0;
    for a in fresh {
        let last = kept.iter().rev().find(|k| k.model == a.model);
        match last {
            Some(last)
                if last.inputs == a.inputs
                    && last.outcome == a.outcome
                    && last.assumptions == a.assumptions
                    && last.evidence == a.evidence =>
            {
                assessments.push(last.clone());
            }
            _ => {
                vault.stage_assessment(writes, id, &a)?;
                changed += 1;
                assessments.push(a);
            }
        }
    }
    Ok((assessments, changed))
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
