//! Automatic tags: the rules in force (the clinic's `DIR/tag_rules.toml`, or the
//! shipped ones), evaluated on a patient's data. A rule file that does not read keeps
//! the previous rules in force and is reported with its line and reason.

use std::sync::RwLock;

use super::api::{Response, ServiceError};
use super::patients::readable;
use super::reevaluate::Chart;
use super::service::{Ctx, Effect, Reply};
use crate::domain::patient::PatientId;
use crate::domain::tag_rules::{AutoTag, Facts, Rules};
use crate::store::Vault;
use crate::store::writes::WriteSet;

pub const FILE: &str = "tag_rules.toml";

/// The last rules that read cleanly, and the text they came from.
#[derive(Default)]
pub struct RulesInForce(RwLock<Option<(String, Rules)>>);

impl RulesInForce {
    /// The rules to use now, and what is wrong with the clinic's file if it is wrong.
    pub(crate) fn current(&self, dir: &std::path::Path) -> (Rules, Option<String>) {
        let text = std::fs::read_to_string(dir.join(FILE)).ok();
        let mut held = self.0.write().unwrap_or_else(|p| p.into_inner());
        let wanted = text.unwrap_or_else(|| crate::domain::tag_rules::BUILT_IN.to_string());
        if let Some((source, rules)) = held.as_ref()
            && *source == wanted
        {
            return (rules.clone(), None);
        }
        match Rules::parse(&wanted) {
            Ok(rules) => {
                *held = Some((wanted, rules.clone()));
                (rules, None)
            }
            Err(e) => {
                let problem = format!("{FILE} {e}; the previous rules stay in force");
                let rules = match held.as_ref() {
                    Some((_, rules)) => rules.clone(),
                    None => Rules::parse(crate::domain::tag_rules::BUILT_IN)
                        .unwrap_or(Rules { rules: Vec::new() }),
                };
                (rules, Some(problem))
            }
        }
    }
}

/// Evaluates the rules on the patient's data now; keeps the tags when they changed.
pub(crate) fn evaluate(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let chart = Chart::load(ctx.vault, id)?;
    let (rules, problem) = ctx.clinic.tag_rules.current(ctx.clinic.dir());
    let mut writes = WriteSet::new();
    let refreshed = refresh(&rules, ctx.vault, id, &chart, ctx.now, &mut writes)?;
    let detail = format!(
        "tags={} changed={}",
        refreshed.tags.len(),
        u8::from(refreshed.changed)
    );
    let names = refreshed.tags.iter().map(|t| t.tag.clone()).collect();
    let mut reply = Reply::new(Response::AutoTags {
        tags: refreshed.tags,
        problem,
    })
    .writes(writes)
    .subject(id.to_string())
    .detail(detail);
    if refreshed.changed {
        reply = reply.effect(Effect::Retag(vec![(*id, names)]));
    }
    Ok(reply)
}

/// The patient's automatic tags as kept.
pub(crate) fn get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let tags = ctx.vault.auto_tags(id)?.0;
    let detail = format!("tags={}", tags.len());
    Ok(Reply::new(Response::AutoTags {
        tags,
        problem: None,
    })
    .subject(id.to_string())
    .detail(detail))
}

/// The tags the rules give the patient now.
pub(crate) struct Refreshed {
    pub tags: Vec<AutoTag>,
    pub changed: bool,
}

/// Evaluates `rules` (those in force, read once by the caller) on the patient's data
/// at `now` (the chart's assessments may include ones staged but not yet committed);
/// stages the tags if they changed.
pub(crate) fn refresh(
    rules: &Rules,
    vault: &Vault,
    id: &PatientId,
    chart: &Chart,
    now: i64,
    writes: &mut WriteSet,
) -> Result<Refreshed, ServiceError> {
    let facts = Facts {
        patient: &chart.patient,
        record: &chart.record,
        observations: &chart.observations,
        questionnaires: &chart.questionnaires,
        assessments: &chart.assessments,
        plans: &chart.plans,
        now,
        today: chrono::DateTime::from_timestamp(now, 0)
            .unwrap_or_default()
            .date_naive(),
    };
    let before = vault.auto_tags(id)?;
    let after = before.update(rules.evaluate(&facts), now);
    let changed = after != before;
    if changed {
        vault.stage_auto_tags(writes, id, &after)?;
    }
    Ok(Refreshed {
        tags: after.0,
        changed,
    })
}
