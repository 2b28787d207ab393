//! Stage summaries (健康阶段总结): for a period, the indicators at its start and end,
//! the plan's goals met or missed, risks then and now, questionnaires and the advice
//! given, with a narrative the system drafts and staff edit and sign. Every save is a
//! new version; a signed version is never changed, only followed by a newer one.

use crate::i18n::Lang;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::advice::Approved;
use super::assessment::{Assessment, Outcome};
use super::indicators::INDICATORS;
use super::observation::Observation;
use super::plan::{Goal, PlanVersion, Progress, progress};
use super::questionnaire::Response as Answered;

pub use super::summary_text::{
    indicator_name, model_label, narrative, outcome_text, shown, visits_made,
};

/// The longest narrative kept.
pub const MAX_TEXT: usize = 20_000;

/// The first and last day of a period, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Unix seconds of the period's first instant and of its last (UTC days, as the
    /// service reckons dates).
    pub fn bounds(&self) -> (i64, i64) {
        let start = self.from.and_hms_opt(0, 0, 0).unwrap_or_default();
        let end = self.to.and_hms_opt(23, 59, 59).unwrap_or_default();
        (start.and_utc().timestamp(), end.and_utc().timestamp())
    }

    pub fn check(&self, today: NaiveDate) -> Result<(), crate::i18n::Text> {
        if self.from > self.to {
            return Err(crate::text!(
                "msg.summaries.period_reversed",
                from = self.from,
                to = self.to
            ));
        }
        if self.to > today {
            return Err(crate::text!(
                "msg.summaries.period_future",
                to = self.to,
                today = today
            ));
        }
        Ok(())
    }

    /// The last full calendar quarter before `today`.
    pub fn last_quarter(today: NaiveDate) -> Period {
        use chrono::Datelike;
        let this_quarter_month = (today.month0() / 3) * 3 + 1;
        let this_start =
            NaiveDate::from_ymd_opt(today.year(), this_quarter_month, 1).unwrap_or(today);
        let to = this_start.pred_opt().unwrap_or(this_start);
        let from_month = (to.month0() / 3) * 3 + 1;
        let from = NaiveDate::from_ymd_opt(to.year(), from_month, 1).unwrap_or(to);
        Period { from, to }
    }
}

/// One indicator's first and last result in the period, in its SI unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorChange {
    pub indicator: String,
    pub unit: String,
    pub start: f64,
    pub start_at: i64,
    pub end: f64,
    pub end_at: i64,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalOutcome {
    Met,
    /// Its date passed within the period without reaching the target.
    Missed,
    /// Due after the period; not reached yet.
    Open,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalResult {
    pub goal: Goal,
    pub outcome: GoalOutcome,
    /// The latest result by the period's end, since the plan began.
    pub latest: Option<f64>,
}

/// A model's assessment before the period and its latest by the period's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskChange {
    pub model: String,
    pub name: String,
    pub then: Option<Outcome>,
    pub now: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireResult {
    pub key: String,
    pub at: i64,
    pub total: i32,
    pub band: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    pub period: Period,
    pub indicators: Vec<IndicatorChange>,
    pub goals: Vec<GoalResult>,
    pub risks: Vec<RiskChange>,
    pub questionnaires: Vec<QuestionnaireResult>,
    /// The texts of the advice approved in the period.
    pub advice: Vec<String>,
    /// The narrative: drafted by the system, edited by staff.
    pub text: String,
    /// Follow-up calls in the period.
    pub follow_ups: FollowUpCounts,
}

/// Follow-ups in a period: calls that reached the patient (and how each was made),
/// and follow-ups due in it that were missed (not reached after every try, wrong
/// number, lost to follow-up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpCounts {
    pub done: u32,
    pub missed: u32,
    /// Of those done: by phone, at the clinic, at home.
    pub phone: u32,
    pub clinic: u32,
    pub home: u32,
}

// The numbers come from checked results and risks (finite): equality is total.
impl Eq for IndicatorChange {}
impl Eq for GoalResult {}
impl Eq for RiskChange {}
impl Eq for StageSummary {}

/// A version of one summary: who saved it and when, and who signed it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryVersion {
    /// Which of the patient's summaries (1, 2, …).
    pub number: u32,
    pub summary: StageSummary,
    pub by: String,
    pub at: i64,
    /// The signer and when: a signed version is the document of record.
    pub signed: Option<(String, i64)>,
}

impl std::fmt::Debug for SummaryVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SummaryVersion(#{} by {} signed={} <redacted>)",
            self.number,
            self.by,
            self.signed.is_some()
        )
    }
}

/// Everything a summary is drawn from.
pub struct Sources<'a> {
    pub observations: &'a [Observation],
    /// The plan's versions, oldest first.
    pub plans: &'a [PlanVersion],
    pub assessments: &'a [Assessment],
    pub questionnaires: &'a [Answered],
    pub advice: &'a [Approved],
    pub calls: &'a [crate::domain::followup::Call],
    pub follow_ups: &'a [crate::domain::followup::FollowUp],
}

/// The system's draft of a summary for `period`, with its narrative.
pub fn draft(period: Period, sources: &Sources<'_>, lang: Lang) -> StageSummary {
    let (start, end) = period.bounds();
    let in_period = |at: i64| at >= start && at <= end;
    let mut indicators = Vec::new();
    for indicator in INDICATORS {
        let values = indicator.values_si(sources.observations, |o| in_period(o.taken_at));
        if let (Some(&(start_at, first)), Some(&(end_at, last))) = (values.first(), values.last()) {
            indicators.push(IndicatorChange {
                indicator: indicator.key.to_string(),
                unit: indicator.unit.to_string(),
                start: first,
                start_at,
                end: last,
                end_at,
                count: values.len() as u32,
            });
        }
    }
    let up_to_end: Vec<Observation> = sources
        .observations
        .iter()
        .filter(|o| o.taken_at <= end)
        .cloned()
        .collect();
    let plan = sources.plans.iter().rev().find(|v| v.at <= end);
    let goals = plan
        .map(|version| {
            version
                .plan
                .goals
                .iter()
                .map(|goal| goal_result(goal, &up_to_end, version.started, period.to))
                .collect()
        })
        .unwrap_or_default();
    let mut models: Vec<(&str, &str)> = Vec::new();
    for a in sources.assessments {
        if !models.iter().any(|(m, _)| *m == a.model) {
            models.push((&a.model, &a.name));
        }
    }
    let risks = models
        .into_iter()
        .filter_map(|(model, name)| {
            let last_by = |t: i64| {
                sources
                    .assessments
                    .iter()
                    .filter(|a| a.model == model && a.at <= t)
                    .max_by_key(|a| a.at)
                    .map(|a| a.outcome.clone())
            };
            let then = last_by(start - 1);
            let now = last_by(end);
            // A model that could not assess the patient then or now says nothing.
            let says =
                |o: &Option<Outcome>| matches!(o, Some(o) if !matches!(o, Outcome::Refused(_)));
            (says(&then) || says(&now)).then(|| RiskChange {
                model: model.to_string(),
                name: name.to_string(),
                then,
                now,
            })
        })
        .collect();
    let mut questionnaires: Vec<QuestionnaireResult> = sources
        .questionnaires
        .iter()
        .filter(|r| in_period(r.at))
        .map(|r| QuestionnaireResult {
            key: r.key.clone(),
            at: r.at,
            total: r.scored.total,
            band: r.scored.band.clone(),
        })
        .collect();
    questionnaires.sort_by_key(|q| q.at);
    let advice = sources
        .advice
        .iter()
        .filter(|a| in_period(a.at))
        .flat_map(|a| a.items.iter().map(|i| i.text.clone()))
        .collect();
    use crate::domain::followup::{ItemStatus, Outcome as CallOutcome, VisitKind};
    let done: Vec<VisitKind> = sources
        .calls
        .iter()
        .filter(|c| in_period(c.at) && c.input.outcome == CallOutcome::Reached)
        .map(|c| c.input.visit)
        .collect();
    let made = |kind: VisitKind| done.iter().filter(|v| **v == kind).count() as u32;
    let follow_ups = FollowUpCounts {
        done: done.len() as u32,
        phone: made(VisitKind::Phone),
        clinic: made(VisitKind::Clinic),
        home: made(VisitKind::Home),
        missed: sources
            .follow_ups
            .iter()
            .filter(|i| {
                i.due >= period.from
                    && i.due <= period.to
                    && matches!(i.status, ItemStatus::Missed | ItemStatus::LostToFollowUp)
            })
            .count() as u32,
    };
    let mut summary = StageSummary {
        period,
        indicators,
        goals,
        risks,
        questionnaires,
        advice,
        text: String::new(),
        follow_ups,
    };
    summary.text = narrative(&summary, lang);
    summary
}

fn goal_result(
    goal: &Goal,
    observations: &[Observation],
    started: i64,
    to: NaiveDate,
) -> GoalResult {
    let (outcome, latest) = match progress(goal, observations, started, to) {
        Progress::Met { latest } => (GoalOutcome::Met, Some(latest)),
        Progress::Moving {
            latest, overdue, ..
        } => (
            if overdue {
                GoalOutcome::Missed
            } else {
                GoalOutcome::Open
            },
            Some(latest),
        ),
        Progress::NoData if to > goal.by => (GoalOutcome::Missed, None),
        Progress::NoData => (GoalOutcome::Open, None),
    };
    GoalResult {
        goal: goal.clone(),
        outcome,
        latest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;
    use crate::domain::plan::{Direction, Plan};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(date: NaiveDate) -> i64 {
        date.and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp()
    }

    fn sbp(value: &str, date: NaiveDate) -> Observation {
        Observation::typed_in("8480-6", Decimal::parse(value).unwrap(), "mm[Hg]", at(date))
    }

    #[test]
    fn the_last_quarter_is_the_last_full_one() {
        let q = Period::last_quarter(day(2026, 11, 23));
        assert_eq!((q.from, q.to), (day(2026, 7, 1), day(2026, 9, 30)));
        let q = Period::last_quarter(day(2027, 2, 1));
        assert_eq!((q.from, q.to), (day(2026, 10, 1), day(2026, 12, 31)));
        assert!(
            Period {
                from: day(2026, 2, 1),
                to: day(2026, 1, 1)
            }
            .check(day(2026, 5, 1))
            .is_err()
        );
        assert!(
            Period {
                from: day(2026, 1, 1),
                to: day(2026, 6, 1)
            }
            .check(day(2026, 5, 1))
            .is_err()
        );
    }

    #[test]
    fn a_summary_holds_the_period_s_start_and_end_goals_and_risks() {
        use crate::domain::followup::{
            Call, CallInput, FollowUp, ItemStatus, Kind, Outcome as O, VisitKind as V,
        };
        let call = |d: NaiveDate, outcome: O, visit: V| Call {
            plan: 1,
            seq: 1,
            kind: Kind::Hypertension,
            input: CallInput {
                outcome,
                visit,
                readings: vec![],
                adherence: None,
                ticked: vec![],
                symptoms: String::new(),
                side_effects: String::new(),
                notes: String::new(),
                form: Default::default(),
            },
            by: "nurse".into(),
            at: at(d),
            controlled: None,
            referral: false,
            next_due: None,
            class: None,
            reasons: vec![],
            suggested: None,
        };
        // Four follow-ups reached in the period (one before it): two by phone, one at
        // the clinic, one at home; one follow-up missed in it.
        let calls = [
            call(day(2026, 6, 1), O::Reached, V::Clinic),
            call(day(2026, 7, 15), O::Reached, V::Phone),
            call(day(2026, 8, 1), O::Reached, V::Clinic),
            call(day(2026, 8, 15), O::NoAnswer, V::Phone),
            call(day(2026, 8, 20), O::Reached, V::Home),
            call(day(2026, 9, 15), O::Reached, V::Phone),
        ];
        let item = |d: NaiveDate, status: ItemStatus| FollowUp {
            patient: crate::domain::patient::PatientId([1; 16]),
            plan: 1,
            seq: 1,
            kind: Kind::Hypertension,
            due: d,
            at_time: None,
            priority: 2,
            assigned: "nurses".into(),
            status,
            tries: 3,
            claim: None,
            flag: None,
        };
        let items = [
            item(day(2026, 8, 15), ItemStatus::Missed),
            item(day(2026, 9, 15), ItemStatus::Done),
        ];
        let observations = [
            sbp("160", day(2026, 6, 20)), // before the period
            sbp("150", day(2026, 7, 10)),
            sbp("142", day(2026, 8, 10)),
            sbp("128", day(2026, 9, 20)),
            sbp("120", day(2026, 10, 5)), // after it
        ];
        let goal = |target: f64, by: NaiveDate| Goal {
            indicator: "systolic_bp".into(),
            direction: Direction::AtMost,
            target,
            by,
        };
        let plans = [PlanVersion {
            plan: Plan {
                title: "BP".into(),
                goals: vec![
                    goal(130.0, day(2026, 9, 1)),
                    goal(125.0, day(2026, 9, 15)),
                    goal(110.0, day(2027, 3, 1)),
                ],
                actions: vec![],
                active: true,
            },
            by: "dr".into(),
            at: at(day(2026, 7, 1)),
            started: at(day(2026, 7, 1)),
        }];
        let risk = |p: f64, date| Assessment {
            model: "ascvd_pce".into(),
            name: "Pooled Cohort Equations".into(),
            version: "2013".into(),
            source: String::new(),
            at: at(date),
            inputs: Default::default(),
            assumptions: vec![],
            evidence: Default::default(),
            outcome: Outcome::Risk {
                probability: p,
                band: "intermediate".into(),
                chinese_band: None,
            },
        };
        let refused = Assessment {
            model: "findrisc".into(),
            outcome: Outcome::Refused(crate::domain::risk::Refusal::Missing(vec![
                "FINDRISC".into(),
            ])),
            ..risk(0.0, day(2026, 8, 1))
        };
        let assessments = [
            risk(0.12, day(2026, 6, 20)),
            risk(0.09, day(2026, 9, 20)),
            refused,
        ];
        let sources = Sources {
            calls: &calls,
            follow_ups: &items,
            observations: &observations,
            plans: &plans,
            assessments: &assessments,
            questionnaires: &[],
            advice: &[],
        };
        let period = Period {
            from: day(2026, 7, 1),
            to: day(2026, 9, 30),
        };
        let s = draft(period, &sources, crate::i18n::Lang::En);
        assert_eq!(s.indicators.len(), 1);
        let c = &s.indicators[0];
        assert_eq!((c.start, c.end, c.count), (150.0, 128.0, 3));
        // 128 by the end meets ≤ 130 and ≤ 125 is missed; ≤ 110 is still open.
        let outcomes: Vec<GoalOutcome> = s.goals.iter().map(|g| g.outcome).collect();
        assert_eq!(
            outcomes,
            [GoalOutcome::Met, GoalOutcome::Missed, GoalOutcome::Open]
        );
        assert_eq!(
            s.risks.len(),
            1,
            "a model that could not assess says nothing"
        );
        assert!(
            matches!(s.risks[0].then, Some(Outcome::Risk { probability, .. }) if probability == 0.12)
        );
        assert!(
            matches!(s.risks[0].now, Some(Outcome::Risk { probability, .. }) if probability == 0.09)
        );
        assert!(
            s.text.contains("Systolic blood pressure 150 → 128 mm[Hg]"),
            "{}",
            s.text
        );
        assert!(s.text.contains("12.0 % → 9.0 %"), "{}", s.text);
        assert_eq!(
            s.follow_ups,
            FollowUpCounts {
                done: 4,
                missed: 1,
                phone: 2,
                clinic: 1,
                home: 1
            }
        );
        assert!(
            s.text
                .contains("Follow-ups: 4 done (2 by phone, 1 at the clinic, 1 at home), 1 missed."),
            "{}",
            s.text
        );
        let zh = draft(period, &sources, crate::i18n::Lang::ZhCn);
        assert!(
            zh.text
                .contains("随访：完成4次（电话2次，门诊1次，家庭1次），失访1次。"),
            "{}",
            zh.text
        );
        assert!(zh.text.contains("收缩压 150 → 128"), "{}", zh.text);
        assert!(zh.text.contains("已达成"));
        assert!(
            zh.text.contains("10年ASCVD风险（PCE） 12.0 % → 9.0 %"),
            "{}",
            zh.text
        );
        // A period with nothing in it says so.
        let empty = draft(
            Period {
                from: day(2025, 1, 1),
                to: day(2025, 3, 31),
            },
            &sources,
            crate::i18n::Lang::En,
        );
        assert!(empty.indicators.is_empty() && empty.goals.is_empty());
        assert!(empty.text.contains("No results"));
    }
}
