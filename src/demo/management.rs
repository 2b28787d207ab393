//! Demo health management: risk assessments and automatic tags computed from the demo
//! results as the service would, approved advice for some patients, and for others an
//! intervention plan from the template their tags suggest, with monthly home blood
//! pressure readings since it began (so its goals show progress) and a stage summary
//! of the last full quarter (signed for half of them).

use crate::domain::advice::{Approved, Library};
use crate::domain::assessment::{self, Assessment};
use crate::domain::decimal::Decimal;
use crate::domain::health::HealthRecord;
use crate::domain::observation::Observation;
use crate::domain::patient::{Patient, PatientId};
use crate::domain::plan::PlanVersion;
use crate::domain::plan_template::Templates;
use crate::domain::questionnaire::Response;
use crate::domain::summary::{self, Period, Sources, SummaryVersion};
use crate::domain::tag_rules::{AutoTags, Facts, Rules};
use crate::domain::value_sets::ValueSets;
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

const DAY: i64 = 86_400;
/// How long before today the demo plans began.
const PLAN_DAYS: i64 = 170;

/// What the demo does for one patient beyond their results.
#[derive(Debug, Clone, Copy)]
pub struct Care {
    pub advised: bool,
    pub planned: bool,
    pub signed: bool,
}

/// Everything the models and rules read for one patient.
pub struct Chart<'a> {
    pub id: &'a PatientId,
    pub patient: &'a Patient,
    pub record: &'a HealthRecord,
    pub observations: &'a [Observation],
    pub questionnaires: &'a [Response],
}

fn assess(chart: &Chart<'_>, observations: &[Observation], now: i64) -> Vec<Assessment> {
    let findrisc = chart
        .questionnaires
        .iter()
        .filter(|r| r.at <= now)
        .find(|r| r.key == "findrisc")
        .map(|r| (r.scored.total, r.scored.band.clone()));
    let today = chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .date_naive();
    let seen: Vec<Observation> = observations
        .iter()
        .filter(|o| o.taken_at <= now)
        .cloned()
        .collect();
    assessment::assess_all(
        chart.patient,
        chart.record,
        &seen,
        findrisc,
        today,
        now,
        ValueSets::built_in(),
    )
}

fn tags(
    chart: &Chart<'_>,
    observations: &[Observation],
    (assessments, plans): (&[Assessment], &[PlanVersion]),
    now: i64,
) -> AutoTags {
    let rules =
        Rules::parse(crate::domain::tag_rules::BUILT_IN).unwrap_or(Rules { rules: Vec::new() });
    let facts = Facts {
        patient: chart.patient,
        record: chart.record,
        observations,
        questionnaires: chart.questionnaires,
        assessments,
        plans,
        now,
        today: chrono::DateTime::from_timestamp(now, 0)
            .unwrap_or_default()
            .date_naive(),
        value_sets: ValueSets::built_in(),
        // The demo clinic keeps the server's zone (no utc_offset in its settings);
        // the demo is built on UTC days.
        utc_offset: 0,
    };
    AutoTags::default().update(rules.evaluate(&facts), now)
}

/// Monthly home readings since the plan began, coming down from the last clinic
/// reading towards the goal.
fn home_readings(
    observations: &[Observation],
    start: i64,
    now: i64,
    seed: usize,
) -> Vec<Observation> {
    let latest = |code: &str, fallback: f64| {
        observations
            .iter()
            .filter(|o| o.code == code)
            .max_by_key(|o| o.taken_at)
            .and_then(|o| o.value.number())
            .map(|d| d.to_f64())
            .unwrap_or(fallback)
    };
    let (systolic, diastolic) = (
        latest("8480-6", 150.0).max(142.0),
        latest("8462-4", 92.0).max(88.0),
    );
    let mut out = Vec::new();
    let mut at = start + 14 * DAY;
    let mut month = 0.0;
    while at < now - 3 * DAY {
        let wobble = ((seed as f64 + month * 7.0) % 5.0) - 2.0;
        for (code, value, floor) in [
            ("8480-6", systolic - month * 3.0 + wobble, 110.0),
            ("8462-4", diastolic - month * 1.5 + wobble / 2.0, 70.0),
        ] {
            let value = Decimal::parse(&format!("{:.0}", value.max(floor))).unwrap_or(Decimal {
                digits: 120,
                scale: 0,
            });
            out.push(Observation::typed_in(code, value, "mm[Hg]", at));
        }
        at += 30 * DAY;
        month += 1.0;
    }
    out
}

pub fn stage(
    vault: &Vault,
    writes: &mut WriteSet,
    chart: &Chart<'_>,
    care: Care,
    (today, now): (chrono::NaiveDate, i64),
) -> Result<(), StoreError> {
    // Spreads the demo's due dates (the id is random, so the spread is too).
    let seed = usize::from(chart.id.0[0]);
    let id = chart.id;
    let mut observations = chart.observations.to_vec();
    let before = assess(chart, &observations, now);
    let mut tags = tags(chart, &observations, (&before, &[]), now);
    let mut assessments = before;
    let mut plan = None;
    if care.planned {
        let start = now - PLAN_DAYS * DAY;
        let names: Vec<String> = tags.0.iter().map(|t| t.tag.clone()).collect();
        let templates = Templates::built_in();
        let offer = templates
            .offers(&names, true)
            .into_iter()
            .find(|o| o.suggested);
        if let Some(template) = offer.and_then(|o| templates.get(&o.id)) {
            let start_day = chrono::DateTime::from_timestamp(start, 0)
                .unwrap_or_default()
                .date_naive();
            let mut made = template.instantiate(start_day, true);
            if let Some(first) = made.actions.first_mut() {
                first.done = true;
            }
            if template.id == "hypertension" {
                let readings = home_readings(
                    &observations,
                    start,
                    now,
                    chart.questionnaires.len() + names.len(),
                );
                for reading in &readings {
                    let key = vault.result_key(id, reading);
                    vault.stage_observation(writes, id, key, reading)?;
                }
                observations.extend(readings);
            }
            let version = PlanVersion {
                plan: made,
                by: "sun.hm".into(),
                at: start,
                started: start,
            };
            vault.stage_plan(writes, id, &version)?;
            // As the service would have kept them: the risks when the plan began, and
            // now (with the readings since).
            let then = assess(chart, &observations, start);
            for a in &then {
                vault.stage_assessment(writes, id, a)?;
            }
            assessments = assess(chart, &observations, now);
            let plans = std::slice::from_ref(&version);
            tags = self::tags(chart, &observations, (&assessments, plans), now);
            assessments = then.into_iter().chain(assessments).collect();
            plan = Some(version);
        }
    }
    for a in assessments.iter().filter(|a| a.at == now) {
        vault.stage_assessment(writes, id, a)?;
    }
    let mut followed = (Vec::new(), Vec::new());
    if !tags.0.is_empty() {
        vault.stage_auto_tags(writes, id, &tags)?;
        let names: Vec<String> = tags.0.iter().map(|t| t.tag.clone()).collect();
        followed = stage_followups(vault, writes, id, &names, seed, (today, now))?;
    }
    let mut advice = Vec::new();
    if care.advised || plan.is_some() {
        let mut all_tags = chart.patient.tags.clone();
        all_tags.extend(tags.0.iter().map(|t| t.tag.clone()));
        let facts = Facts {
            patient: chart.patient,
            record: chart.record,
            observations: &observations,
            questionnaires: chart.questionnaires,
            assessments: &assessments,
            plans: plan.as_slice(),
            now,
            today,
            value_sets: ValueSets::built_in(),
            utc_offset: 0,
        };
        let items = Library::built_in().draft(&all_tags, &facts, true);
        if !items.is_empty() {
            let approved = Approved {
                items,
                by: "dr.zhou".into(),
                // Within the last quarter, so the stage summary counts it.
                at: now - 86_400 * 60,
            };
            vault.stage_advice(writes, id, &approved)?;
            advice.push(approved);
        }
    }
    if let Some(plan) = plan {
        let period = Period::last_quarter(today);
        let plans = [plan];
        let sources = Sources {
            calls: &followed.0,
            follow_ups: &followed.1,
            observations: &observations,
            plans: &plans,
            assessments: &assessments,
            questionnaires: chart.questionnaires,
            advice: &advice,
        };
        let drafted = summary::draft(period, &sources, true);
        let written = now - 3 * DAY;
        vault.stage_summary(
            writes,
            id,
            &SummaryVersion {
                number: 1,
                summary: drafted,
                by: "dr.zhou".into(),
                at: written,
                signed: care.signed.then(|| ("dr.zhou".to_string(), written + 600)),
            },
        )?;
    }
    Ok(())
}

/// Follow-up plans for the demo's hypertension and diabetes patients: a call made
/// three months ago, the next due within a few days either side of today (so the
/// queue has overdue, today's and upcoming calls).
pub fn stage_followups(
    vault: &Vault,
    writes: &mut WriteSet,
    id: &PatientId,
    tags: &[String],
    seed: usize,
    (today, now): (chrono::NaiveDate, i64),
) -> Result<
    (
        Vec<crate::domain::followup::Call>,
        Vec<crate::domain::followup::FollowUp>,
    ),
    StoreError,
> {
    let mut staged = (Vec::new(), Vec::new());
    use crate::domain::followup::{
        Call, CallInput, FollowUp, FollowUpPlan, ItemStatus, Kind, Outcome, PlanStatus,
    };
    let kinds: Vec<Kind> = [
        ("hypertension", Kind::Hypertension),
        ("diabetes", Kind::Diabetes),
    ]
    .into_iter()
    .filter(|(tag, _)| tags.iter().any(|t| t == tag))
    .map(|(_, kind)| kind)
    .collect();
    for (number, kind) in (1u32..).zip(kinds) {
        let offset = (seed % 7) as i64 - 3;
        let due = if offset < 0 {
            today - chrono::Days::new(offset.unsigned_abs())
        } else {
            today + chrono::Days::new(offset as u64)
        };
        let plan = FollowUpPlan {
            number,
            kind,
            interval_days: 90,
            next_due: due,
            assigned: if seed.is_multiple_of(2) {
                "nurses"
            } else {
                "chen.jing"
            }
            .into(),
            status: PlanStatus::Active,
            source: format!("tag {}", kind.key()),
            created: now - 200 * DAY,
        };
        vault.stage_followup_plan(writes, id, &plan)?;
        let called = now - 90 * DAY + offset * DAY;
        let item = |seq: u32, status: ItemStatus, due: chrono::NaiveDate| FollowUp {
            patient: *id,
            plan: number,
            seq,
            kind,
            due,
            at_time: None,
            priority: 2,
            assigned: plan.assigned.clone(),
            status,
            tries: 0,
            claim: None,
            flag: None,
        };
        let earlier = chrono::DateTime::from_timestamp(called, 0)
            .unwrap_or_default()
            .date_naive();
        for it in [
            item(1, ItemStatus::Done, earlier),
            item(2, ItemStatus::Due, due),
        ] {
            vault.stage_followup(writes, &it)?;
            staged.1.push(it);
        }
        let readings = match kind {
            Kind::Diabetes => vec![("glucose_fasting".to_string(), 6.6)],
            _ => vec![
                ("systolic_bp".to_string(), 136.0),
                ("diastolic_bp".to_string(), 84.0),
            ],
        };
        let call = Call {
            plan: number,
            seq: 1,
            kind,
            input: CallInput {
                outcome: Outcome::Reached,
                readings,
                adherence: Some(crate::domain::followup::Adherence::Regular),
                symptoms: String::new(),
                side_effects: String::new(),
                notes: "按时服药，每天步行30分钟。".into(),
            },
            by: "chen.jing".into(),
            at: called,
            controlled: Some(true),
            referral: false,
            next_due: Some(due),
        };
        vault.stage_call(writes, id, &call)?;
        staged.0.push(call);
    }
    Ok(staged)
}
