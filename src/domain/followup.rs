//! Nurse follow-up (随访): plans per patient and kind, the due items the scheduler makes
//! from them, calls with their outcome, and the protocol (TOML) that says when the next
//! one falls due. Hypertension and diabetes follow China's National Basic Public
//! Health Service standard; see `rules/followup_protocols.toml`.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::store::codec::Versioned;

pub use super::followup_protocol::{BUILT_IN, Protocol, Protocols, Threshold};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Hypertension,
    Diabetes,
    AbnormalResult,
    PostExam,
    QuestionnaireRecheck,
    InterventionPlan,
    Custom,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Hypertension,
        Kind::Diabetes,
        Kind::AbnormalResult,
        Kind::PostExam,
        Kind::QuestionnaireRecheck,
        Kind::InterventionPlan,
        Kind::Custom,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Hypertension => "hypertension",
            Kind::Diabetes => "diabetes",
            Kind::AbnormalResult => "abnormal_result",
            Kind::PostExam => "post_exam",
            Kind::QuestionnaireRecheck => "questionnaire_recheck",
            Kind::InterventionPlan => "intervention_plan",
            Kind::Custom => "custom",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    GoalMet,
    Died,
    MovedAway,
    Transferred,
    RefusedContact,
}

impl CloseReason {
    pub const ALL: [CloseReason; 5] = [
        CloseReason::GoalMet,
        CloseReason::Died,
        CloseReason::MovedAway,
        CloseReason::Transferred,
        CloseReason::RefusedContact,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CloseReason::GoalMet => "goal_met",
            CloseReason::Died => "died",
            CloseReason::MovedAway => "moved_away",
            CloseReason::Transferred => "transferred",
            CloseReason::RefusedContact => "refused_contact",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    Active,
    Closed {
        reason: CloseReason,
        by: String,
        at: i64,
    },
}

/// A patient's follow-up plan of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpPlan {
    /// The patient's plans are numbered 1, 2, …
    pub number: u32,
    pub kind: Kind,
    /// Days between follow-ups when no protocol rule applies (custom plans).
    pub interval_days: u32,
    pub next_due: NaiveDate,
    /// The nurse (user name) or team responsible.
    pub assigned: String,
    pub status: PlanStatus,
    /// Why it was made: "manual" or the event (e.g. "tag hypertension").
    pub source: String,
    pub created: i64,
}

impl Versioned for FollowUpPlan {
    const VERSION: u16 = 1;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Waiting to be called (overdue once its date has passed).
    Due,
    Done,
    /// Not reached after every try, or a wrong number.
    Missed,
    /// Several missed in a row: the team must find the patient.
    LostToFollowUp,
    Closed,
}

/// One follow-up to make: what the queue lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub patient: crate::domain::patient::PatientId,
    pub plan: u32,
    /// The plan's follow-ups are numbered 1, 2, …
    pub seq: u32,
    pub kind: Kind,
    pub due: NaiveDate,
    /// A callback time agreed with the patient.
    pub at_time: Option<i64>,
    /// 1 urgent … 3 low.
    pub priority: u8,
    pub assigned: String,
    pub status: ItemStatus,
    /// Calls made without reaching the patient.
    pub tries: u32,
    /// Who is calling now and until when (a claim expires).
    pub claim: Option<(String, i64)>,
    /// Why the team must look at it (not reached after every try, wrong number …).
    pub flag: Option<String>,
}

impl Versioned for FollowUp {
    const VERSION: u16 = 1;
}

impl FollowUp {
    pub fn claimed_by_other(&self, user: &str, now: i64) -> Option<&(String, i64)> {
        self.claim
            .as_ref()
            .filter(|(by, until)| by != user && *until > now)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adherence {
    Regular,
    Irregular,
    Stopped,
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Reached,
    NoAnswer,
    Busy,
    WrongNumber,
    Refused,
    /// The patient asked to be called back then (unix seconds).
    Callback(i64),
}

impl Outcome {
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::WrongNumber => "wrong_number",
            Outcome::Refused => "refused",
            Outcome::Callback(_) => "callback",
        }
    }
}

/// What the nurse records for a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInput {
    pub outcome: Outcome,
    /// Readings the patient reports: (indicator, value in its SI unit).
    pub readings: Vec<(String, f64)>,
    pub adherence: Option<Adherence>,
    pub symptoms: String,
    pub side_effects: String,
    pub notes: String,
}

impl Eq for CallInput {}

/// A call as kept with the patient's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub plan: u32,
    pub seq: u32,
    pub kind: Kind,
    pub input: CallInput,
    pub by: String,
    pub at: i64,
    /// What the protocol made of it.
    pub controlled: Option<bool>,
    pub referral: bool,
    pub next_due: Option<NaiveDate>,
}

impl Versioned for Call {
    const VERSION: u16 = 1;
}

/// What a call does to its follow-up, by the protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: ItemStatus,
    /// The item is tried again then (not answered, callback).
    pub retry: Option<(NaiveDate, Option<i64>)>,
    /// The next follow-up of the plan falls due then.
    pub next_due: Option<NaiveDate>,
    pub controlled: Option<bool>,
    pub referral: bool,
    pub flag: Option<String>,
}

/// Applies the protocol to a call. `latest` are the patient's latest readings on
/// record (indicator → SI value), used when the patient reports none.
pub fn decide(
    protocol: &Protocol,
    item: &FollowUp,
    input: &CallInput,
    latest: &[(String, f64)],
    interval_days: u32,
    today: NaiveDate,
) -> Decision {
    let after = |days: u32| today.checked_add_days(Days::new(u64::from(days)));
    let mut decision = Decision {
        status: ItemStatus::Done,
        retry: None,
        next_due: None,
        controlled: None,
        referral: false,
        flag: None,
    };
    match &input.outcome {
        Outcome::NoAnswer | Outcome::Busy => {
            if item.tries + 1 < protocol.tries {
                decision.status = ItemStatus::Due;
                decision.retry = after(protocol.retry_days).map(|d| (d, None));
            } else {
                decision.status = ItemStatus::Missed;
                decision.flag = Some(format!("not reached after {} tries", protocol.tries));
                decision.next_due = after(protocol.uncontrolled_days);
            }
        }
        Outcome::WrongNumber => {
            decision.status = ItemStatus::Missed;
            decision.flag = Some("wrong number: check the phone number".into());
            decision.next_due = after(protocol.uncontrolled_days);
        }
        Outcome::Callback(at) => {
            decision.status = ItemStatus::Due;
            let day = chrono::DateTime::from_timestamp(*at, 0)
                .map(|t| t.date_naive())
                .unwrap_or(today);
            decision.retry = Some((day.max(today), Some(*at)));
        }
        Outcome::Refused => {
            decision.next_due = after(interval_days.max(protocol.controlled_days));
        }
        Outcome::Reached => {
            let value_of = |key: &str| {
                input
                    .readings
                    .iter()
                    .chain(latest)
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| *v)
            };
            decision.referral = protocol
                .refer
                .iter()
                .any(|t| value_of(&t.indicator).is_some_and(|v| t.met_by(v)));
            let adverse = !input.side_effects.trim().is_empty();
            let controlled = if protocol.controlled.is_empty() {
                None
            } else {
                Some(
                    protocol
                        .controlled
                        .iter()
                        .all(|t| value_of(&t.indicator).is_some_and(|v| t.met_by(v))),
                )
            };
            decision.controlled = controlled;
            let days = match controlled {
                Some(true) if !adverse && !decision.referral => protocol.controlled_days,
                Some(_) => protocol.uncontrolled_days,
                None if adverse => protocol.uncontrolled_days,
                None => interval_days.max(1),
            };
            decision.next_due = after(days);
            if decision.referral {
                decision.flag = Some("referral: a reading at the protocol's threshold".into());
            }
        }
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(kind: Kind, tries: u32) -> FollowUp {
        FollowUp {
            patient: crate::domain::patient::PatientId([1; 16]),
            plan: 1,
            seq: 1,
            kind,
            due: day(2026, 11, 23),
            at_time: None,
            priority: 2,
            assigned: "nurses".into(),
            status: ItemStatus::Due,
            tries,
            claim: None,
            flag: None,
        }
    }

    fn call(outcome: Outcome, readings: &[(&str, f64)], side_effects: &str) -> CallInput {
        CallInput {
            outcome,
            readings: readings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            adherence: Some(Adherence::Regular),
            symptoms: String::new(),
            side_effects: side_effects.into(),
            notes: String::new(),
        }
    }

    /// (protocol, tries so far, call) → (status, next due, retry, controlled, referral)
    type Case<'a> = (
        &'a Protocol,
        u32,
        CallInput,
        ItemStatus,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<bool>,
        bool,
    );

    #[test]
    fn the_protocols_table() {
        let protocols = Protocols::built_in();
        assert_eq!(protocols.protocols.len(), Kind::ALL.len());
        let today = day(2026, 11, 23);
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let dm = protocols.get(Kind::Diabetes).unwrap();
        // (protocol, tries so far, call) → (status, next due, retry, controlled, referral)
        let cases: Vec<Case<'_>> = vec![
            // Controlled: 3 months.
            (
                bp,
                0,
                call(
                    Outcome::Reached,
                    &[("systolic_bp", 132.0), ("diastolic_bp", 84.0)],
                    "",
                ),
                ItemStatus::Done,
                Some(day(2027, 2, 21)),
                None,
                Some(true),
                false,
            ),
            // Not controlled: 2 weeks.
            (
                bp,
                0,
                call(
                    Outcome::Reached,
                    &[("systolic_bp", 152.0), ("diastolic_bp", 84.0)],
                    "",
                ),
                ItemStatus::Done,
                Some(day(2026, 12, 7)),
                None,
                Some(false),
                false,
            ),
            // Controlled but an adverse reaction: 2 weeks.
            (
                bp,
                0,
                call(
                    Outcome::Reached,
                    &[("systolic_bp", 128.0), ("diastolic_bp", 80.0)],
                    "ankle swelling",
                ),
                ItemStatus::Done,
                Some(day(2026, 12, 7)),
                None,
                Some(true),
                false,
            ),
            // At the referral threshold.
            (
                bp,
                0,
                call(
                    Outcome::Reached,
                    &[("systolic_bp", 182.0), ("diastolic_bp", 100.0)],
                    "",
                ),
                ItemStatus::Done,
                Some(day(2026, 12, 7)),
                None,
                Some(false),
                true,
            ),
            (
                dm,
                0,
                call(Outcome::Reached, &[("glucose_fasting", 6.4)], ""),
                ItemStatus::Done,
                Some(day(2027, 2, 21)),
                None,
                Some(true),
                false,
            ),
            (
                dm,
                0,
                call(Outcome::Reached, &[("glucose_fasting", 3.5)], ""),
                ItemStatus::Done,
                Some(day(2026, 12, 7)),
                None,
                Some(true),
                true,
            ),
            // No answer: tried again tomorrow, three tries in all, then flagged.
            (
                bp,
                0,
                call(Outcome::NoAnswer, &[], ""),
                ItemStatus::Due,
                None,
                Some(day(2026, 11, 24)),
                None,
                false,
            ),
            (
                bp,
                1,
                call(Outcome::Busy, &[], ""),
                ItemStatus::Due,
                None,
                Some(day(2026, 11, 24)),
                None,
                false,
            ),
            (
                bp,
                2,
                call(Outcome::NoAnswer, &[], ""),
                ItemStatus::Missed,
                Some(day(2026, 12, 7)),
                None,
                None,
                false,
            ),
            (
                bp,
                0,
                call(Outcome::WrongNumber, &[], ""),
                ItemStatus::Missed,
                Some(day(2026, 12, 7)),
                None,
                None,
                false,
            ),
        ];
        for (i, (protocol, tries, input, status, next, retry, controlled, referral)) in
            cases.into_iter().enumerate()
        {
            let d = decide(
                protocol,
                &item(protocol.kind, tries),
                &input,
                &[],
                90,
                today,
            );
            assert_eq!(d.status, status, "case {i}");
            assert_eq!(d.next_due, next, "case {i}");
            assert_eq!(d.retry.map(|r| r.0), retry, "case {i}");
            assert_eq!(d.controlled, controlled, "case {i}");
            assert_eq!(d.referral, referral, "case {i}");
        }
        // At least four a year: controlled every 90 days.
        assert!(bp.controlled_days * bp.visits_per_year <= 366);
    }

    #[test]
    fn without_readings_the_latest_on_record_decide_and_a_callback_keeps_its_time() {
        let protocols = Protocols::built_in();
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let today = day(2026, 11, 23);
        let latest = vec![
            ("systolic_bp".to_string(), 128.0),
            ("diastolic_bp".to_string(), 82.0),
        ];
        let d = decide(
            bp,
            &item(Kind::Hypertension, 0),
            &call(Outcome::Reached, &[], ""),
            &latest,
            90,
            today,
        );
        assert_eq!(d.controlled, Some(true));
        let at = day(2026, 11, 25)
            .and_hms_opt(15, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let d = decide(
            bp,
            &item(Kind::Hypertension, 1),
            &call(Outcome::Callback(at), &[], ""),
            &[],
            90,
            today,
        );
        assert_eq!(d.status, ItemStatus::Due);
        assert_eq!(d.retry, Some((day(2026, 11, 25), Some(at))));
    }
}
