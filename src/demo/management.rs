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
    /// The patient's place in the demo (0, 1, …): who has a hypertension follow-up
    /// plan a doctor started, and which story its visits tell.
    pub index: usize,
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
            .offers(&names, crate::i18n::Lang::ZhCn)
            .into_iter()
            .find(|o| o.suggested);
        if let Some(template) = offer.and_then(|o| templates.get(&o.id)) {
            let start_day = chrono::DateTime::from_timestamp(start, 0)
                .unwrap_or_default()
                .date_naive();
            let mut made = template.instantiate(start_day, crate::i18n::Lang::ZhCn);
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
    }
    // The plans the tags call for; and, since yearly checks alone seldom give two
    // raised readings within a year, every fourth patient is a known hypertensive a
    // doctor started follow-up for.
    use crate::domain::followup::Kind;
    let tagged = |tag: &str| tags.0.iter().any(|t| t.tag == tag);
    let mut kinds: Vec<(Kind, String)> = Vec::new();
    if tagged("hypertension") {
        kinds.push((Kind::Hypertension, "tag hypertension".into()));
    } else if care.index % 4 == 2 {
        kinds.push((Kind::Hypertension, "manual".into()));
    }
    if tagged("diabetes") {
        kinds.push((Kind::Diabetes, "tag diabetes".into()));
    }
    if !kinds.is_empty() {
        followed = super::followups::stage(
            vault,
            writes,
            (id, chart.patient.birth_date),
            &kinds,
            (seed, care.index),
            (today, now),
        )?;
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
        let items = Library::built_in().draft(&all_tags, &facts, crate::i18n::Lang::ZhCn);
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
        let drafted = summary::draft(period, &sources, crate::i18n::Lang::ZhCn);
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
