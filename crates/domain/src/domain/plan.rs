//! Intervention plans (健康干预 / 健康调养): goals with target values and dates, the
//! actions that serve them and who is responsible; progress computed from the results.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::indicators;
use super::observation::Observation;
use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Reach or go under the target (systolic under 130).
    AtMost,
    /// Reach or go over it (HDL over 1.0).
    AtLeast,
}

/// A measurable goal on a catalogue indicator, in its SI unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub indicator: String,
    pub direction: Direction,
    pub target: f64,
    pub by: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Diet,
    Exercise,
    MedicationReview,
    Education,
    FollowUpCall,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub description: String,
    /// The user or team responsible.
    pub owner: String,
    pub due: Option<NaiveDate>,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub title: String,
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub active: bool,
}

// Targets are finite numbers checked at the service: equality is total.
impl Eq for Goal {}
impl Eq for Plan {}
impl Eq for Progress {}

impl Versioned for Plan {
    const VERSION: u16 = 1;
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// The latest result meets the target.
    Met { latest: f64 },
    /// Not yet: how much of the way from the first result (at or after the plan's
    /// start) to the target the latest has come, 0–1 (negative when it went the wrong
    /// way); `overdue` once the date has passed.
    Moving {
        latest: f64,
        fraction: f64,
        overdue: bool,
    },
    /// No result since the plan began.
    NoData,
}

impl Plan {
    /// Checks the plan before it is kept: known indicators, finite targets, text.
    pub fn check(&self) -> Result<(), crate::i18n::Text> {
        if self.title.trim().is_empty() {
            return Err(crate::text!("msg.plans.no_title"));
        }
        for goal in &self.goals {
            if indicators::by_key(&goal.indicator).is_none() {
                return Err(crate::text!(
                    "msg.calls.no_indicator",
                    key = &goal.indicator
                ));
            }
            if !goal.target.is_finite() {
                return Err(crate::text!(
                    "msg.plans.target_not_number",
                    indicator = &goal.indicator
                ));
            }
        }
        if self
            .actions
            .iter()
            .any(|a| a.description.trim().is_empty() || a.owner.trim().is_empty())
        {
            return Err(crate::text!("msg.plans.action_incomplete"));
        }
        Ok(())
    }
}

/// A goal's progress from the patient's results taken since `start` (unix seconds).
pub fn progress(
    goal: &Goal,
    observations: &[Observation],
    start: i64,
    today: NaiveDate,
) -> Progress {
    let Some(indicator) = indicators::by_key(&goal.indicator) else {
        return Progress::NoData;
    };
    let values = indicator.values_si(observations, |o| o.taken_at >= start);
    let (Some(&(_, first)), Some(&(_, latest))) = (values.first(), values.last()) else {
        return Progress::NoData;
    };
    let met = match goal.direction {
        Direction::AtMost => latest <= goal.target,
        Direction::AtLeast => latest >= goal.target,
    };
    if met {
        return Progress::Met { latest };
    }
    let distance = goal.target - first;
    let fraction = if distance.abs() < f64::EPSILON {
        0.0
    } else {
        (latest - first) / distance
    };
    Progress::Moving {
        latest,
        fraction,
        overdue: today > goal.by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;

    fn sbp(value: &str, at: i64) -> Observation {
        let value = Decimal::parse(value).unwrap_or(Decimal {
            digits: 0,
            scale: 0,
        });
        Observation::typed_in("8480-6", value, "mm[Hg]", at)
    }

    fn goal() -> Goal {
        Goal {
            indicator: "systolic_bp".into(),
            direction: Direction::AtMost,
            target: 130.0,
            by: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default(),
        }
    }

    #[test]
    fn progress_from_the_first_result_towards_the_target() {
        let early = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let late = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        assert_eq!(progress(&goal(), &[], 0, early), Progress::NoData);
        // 150 → 140: half way to 130.
        let results = [sbp("150", 100), sbp("140", 200)];
        let Progress::Moving {
            fraction, overdue, ..
        } = progress(&goal(), &results, 0, early)
        else {
            panic!()
        };
        assert!((fraction - 0.5).abs() < 1e-9 && !overdue);
        assert!(matches!(
            progress(&goal(), &results, 0, late),
            Progress::Moving { overdue: true, .. }
        ));
        // Results before the plan began do not count.
        assert_eq!(progress(&goal(), &results, 300, early), Progress::NoData);
        let met = [sbp("150", 100), sbp("128", 200)];
        assert_eq!(
            progress(&goal(), &met, 0, early),
            Progress::Met { latest: 128.0 }
        );
        // Worse than at the start: a negative fraction.
        let worse = [sbp("140", 100), sbp("150", 200)];
        let Progress::Moving { fraction, .. } = progress(&goal(), &worse, 0, early) else {
            panic!()
        };
        assert!(fraction < 0.0);
    }

    #[test]
    fn plans_are_checked() {
        let mut plan = Plan {
            title: "Blood pressure".into(),
            goals: vec![goal()],
            actions: vec![Action {
                kind: ActionKind::FollowUpCall,
                description: "monthly call".into(),
                owner: "chen.jing".into(),
                due: None,
                done: false,
            }],
            active: true,
        };
        assert!(plan.check().is_ok());
        plan.goals[0].indicator = "mood".into();
        assert!(plan.check().is_err());
        plan.goals[0].indicator = "systolic_bp".into();
        plan.actions[0].owner = " ".into();
        assert!(plan.check().is_err());
    }
}

/// A plan as kept: each save is a new version with who and when; `started` is when
/// the first version was made (progress counts results from then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub plan: Plan,
    pub by: String,
    pub at: i64,
    pub started: i64,
}

impl Versioned for PlanVersion {
    const VERSION: u16 = 1;
}

/// The plan as the chart shows it: the latest version, its number (1 for the first;
/// a save names it to detect a conflicting save) and each goal's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub current: PlanVersion,
    pub number: usize,
    pub progress: Vec<Progress>,
}
