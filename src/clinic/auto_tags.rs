//! Automatic tags: the rules in force (the clinic's `DIR/tag_rules.toml`, or the
//! shipped ones), evaluated on a patient's data. A rule file that does not read keeps
//! the previous rules in force and is reported with its line and reason.

use std::sync::RwLock;

use super::api::{Response, ServiceError};
use super::cards::today;
use super::patients::readable;
use super::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::tag_rules::{Facts, Rules};
use crate::store::writes::WriteSet;

pub const FILE: &str = "tag_rules.toml";

/// The last rules that read cleanly, and the text they came from.
#[derive(Default)]
pub struct RulesInForce(RwLock<Option<(String, Rules)>>);

impl RulesInForce {
    /// The rules to use now, and what is wrong with the clinic's file if it is wrong.
    fn current(&self, dir: &std::path::Path) -> (Rules, Option<String>) {
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
    let patient = readable(ctx, id)?;
    let (rules, problem) = ctx.clinic.tag_rules.current(ctx.clinic.dir());
    let record = ctx.vault.health(id)?;
    let observations = ctx.vault.observations(id)?;
    let questionnaires = ctx.vault.questionnaire_responses(id)?;
    let assessments = ctx.vault.assessments(id)?;
    let facts = Facts {
        patient: &patient,
        record: &record,
        observations: &observations,
        questionnaires: &questionnaires,
        assessments: &assessments,
        now: ctx.now,
        today: today(ctx),
    };
    let before = ctx.vault.auto_tags(id)?;
    let after = before.update(rules.evaluate(&facts), ctx.now);
    let mut writes = WriteSet::new();
    if after != before {
        ctx.vault.stage_auto_tags(&mut writes, id, &after)?;
    }
    let detail = format!(
        "tags={} changed={}",
        after.0.len(),
        u8::from(after != before)
    );
    Ok(Reply::new(Response::AutoTags {
        tags: after.0,
        problem,
    })
    .writes(writes)
    .subject(id.to_string())
    .detail(detail))
}
