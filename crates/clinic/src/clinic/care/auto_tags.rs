//! Automatic tags: the rules in force (the clinic's `DIR/tag_rules.toml`, or the
//! shipped ones), evaluated on a patient's data. A rule file that does not read keeps
//! the previous rules in force and is reported with its line and reason.

use crate::clinic::api::AutoTagsView;
use std::sync::{Arc, RwLock};

use super::reevaluate::Chart;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::patient::PatientId;
use crate::domain::tag_rules::{AutoTag, Facts, Rules};
use crate::domain::value_sets::ValueSets;
use crate::store::Vault;
use crate::store::writes::WriteSet;

pub const FILE: &str = "tag_rules.toml";

/// A rule file a clinic may replace with its own in `DIR/`.
pub trait RuleFile: Sized {
    const FILE: &'static str;
    const BUILT_IN: &'static str;
    fn parse(text: &str) -> Result<Self, String>;
    /// What is in force when neither the clinic's file nor the shipped one reads.
    fn empty() -> Self;
}

impl RuleFile for Rules {
    const FILE: &'static str = FILE;
    const BUILT_IN: &'static str = crate::domain::tag_rules::BUILT_IN;
    fn parse(text: &str) -> Result<Self, String> {
        Rules::parse(text)
    }
    fn empty() -> Self {
        Rules { rules: Vec::new() }
    }
}

impl RuleFile for ValueSets {
    const FILE: &'static str = "value_sets.toml";
    const BUILT_IN: &'static str = crate::domain::value_sets::BUILT_IN;
    fn parse(text: &str) -> Result<Self, String> {
        ValueSets::parse(text)
    }
    fn empty() -> Self {
        ValueSets::built_in().clone()
    }
}

/// The last file of a kind that read cleanly, and the text it came from; and the
/// last refusal oversight was alerted to, so one bad file raises one alert.
pub struct InForce<T> {
    held: RwLock<Option<(String, Arc<T>)>>,
    alerted: std::sync::Mutex<Option<String>>,
}

impl<T> Default for InForce<T> {
    fn default() -> Self {
        InForce {
            held: RwLock::new(None),
            alerted: std::sync::Mutex::new(None),
        }
    }
}

pub type RulesInForce = InForce<Rules>;
pub type ValueSetsInForce = InForce<ValueSets>;

impl<T: RuleFile> InForce<T> {
    /// The file's content to use now, and what is wrong with the clinic's file if it
    /// is wrong (the previous content then stays in force).
    pub(crate) fn current(&self, dir: &std::path::Path) -> (Arc<T>, Option<String>) {
        let text = std::fs::read_to_string(dir.join(T::FILE)).ok();
        let mut held = self.held.write().unwrap_or_else(|p| p.into_inner());
        let wanted = text.unwrap_or_else(|| T::BUILT_IN.to_string());
        if let Some((source, content)) = held.as_ref()
            && *source == wanted
        {
            return (content.clone(), None);
        }
        match T::parse(&wanted) {
            Ok(content) => {
                let content = Arc::new(content);
                *held = Some((wanted, content.clone()));
                (content, None)
            }
            Err(e) => {
                let problem = format!("{} {e}; the previous rules stay in force", T::FILE);
                let content = match held.as_ref() {
                    Some((_, content)) => content.clone(),
                    None => Arc::new(T::parse(T::BUILT_IN).unwrap_or_else(|_| T::empty())),
                };
                (content, Some(problem))
            }
        }
    }

    /// `current`, and the first time a file's text is refused an alert for oversight
    /// (`rule_file_refused`, audited as `settings.rules_refused`): rules that stopped
    /// changing are never a silent state, even when no one is looking at a screen that
    /// shows the problem. The alert is its own transaction, after the caller's reads.
    pub(crate) fn current_alerting(
        &self,
        dir: &std::path::Path,
        vault: &Vault,
    ) -> (Arc<T>, Option<String>) {
        let (content, problem) = self.current(dir);
        if let Some(problem) = &problem {
            self.alert_once(vault, problem);
        }
        (content, problem)
    }

    fn alert_once(&self, vault: &Vault, problem: &str) {
        let mut alerted = self.alerted.lock().unwrap_or_else(|p| p.into_inner());
        if alerted.as_deref() == Some(problem) {
            return;
        }
        let store = vault.store();
        let mut writes = WriteSet::new();
        let staged = store.stage_alert(
            &mut writes,
            crate::store::alerts::AlertKind::RuleFileRefused,
            Vec::new(),
            crate::i18n::Text::verbatim(problem),
        );
        if staged.is_err() {
            return; // tried again on the next read of the rules
        }
        let event = crate::audit::AuditEvent::new(
            crate::audit::context::process_actor(),
            "settings.rules_refused",
            crate::audit::Outcome::Error,
        )
        .detail(format!("file={}", T::FILE));
        if vault.commit(event, writes).is_ok() {
            *alerted = Some(problem.to_string());
        }
    }
}

/// Evaluates the rules on the patient's data now; keeps the tags when they changed.
pub(crate) fn evaluate(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let chart = Chart::load(ctx.vault, id)?;
    let dir = ctx.clinic.dir();
    let (rules, problem) = ctx.clinic.tag_rules.current_alerting(dir, ctx.vault);
    let (sets, sets_problem) = ctx.clinic.value_sets.current_alerting(dir, ctx.vault);
    let problem = problem.or(sets_problem);
    let mut writes = WriteSet::new();
    let context = RuleContext {
        sets: &sets,
        utc_offset: ctx.clinic.utc_offset(ctx.now),
    };
    let refreshed = refresh(
        &rules,
        &context,
        ctx.vault,
        id,
        &chart,
        ctx.now,
        &mut writes,
    )?;
    let detail = format!(
        "tags={} changed={}",
        refreshed.tags.len(),
        u8::from(refreshed.changed)
    );
    let names = refreshed.tags.iter().map(|t| t.tag.clone()).collect();
    let mut reply = Reply::new(Response::AutoTags(AutoTagsView {
        tags: refreshed.tags,
        problem,
    }))
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
    Ok(Reply::new(Response::AutoTags(AutoTagsView {
        tags,
        problem: None,
    }))
    .subject(id.to_string())
    .detail(detail))
}

/// What rules read besides the chart: the value sets and the clinic's time zone.
pub(crate) struct RuleContext<'a> {
    pub sets: &'a ValueSets,
    pub utc_offset: i32,
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
    context: &RuleContext<'_>,
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
        today: chrono::DateTime::from_timestamp(now + i64::from(context.utc_offset), 0)
            .unwrap_or_default()
            .date_naive(),
        value_sets: context.sets,
        utc_offset: context.utc_offset,
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
