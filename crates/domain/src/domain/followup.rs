//! Nurse follow-up (随访): plans per patient and kind, the due items the scheduler makes
//! from them, calls (by phone, at the clinic or at home) with their outcome, and the
//! protocol (TOML) that says when the next one falls due and when to refer. Hypertension
//! and diabetes follow China's National Basic Public Health Service standard; see
//! `rules/followup_protocols.toml` and `followup_decide`.

use crate::i18n::Lang;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codec::{CodecError, Versioned};

pub use super::followup_decide::{Decision, History, decide};
pub use super::followup_protocol::{
    BUILT_IN, Protocol, Protocols, Symptom, SymptomEffect, Threshold,
};

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

/// How a follow-up was made (随访方式). The standard's visits are face-to-face, so
/// each call says which it was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    #[default]
    Phone,
    /// At the clinic (门诊).
    Clinic,
    /// At the patient's home (家庭).
    Home,
}

impl VisitKind {
    /// In the order the call form numbers them (1, 2, 3).
    pub const ALL: [VisitKind; 3] = [VisitKind::Phone, VisitKind::Clinic, VisitKind::Home];

    pub fn key(self) -> &'static str {
        match self {
            VisitKind::Phone => "phone",
            VisitKind::Clinic => "clinic",
            VisitKind::Home => "home",
        }
    }
}

/// The visit's class as the standard's record form has it (此次随访分类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitClass {
    /// 控制满意
    Controlled,
    /// 控制不满意
    Uncontrolled,
    /// 不良反应
    AdverseReaction,
    /// 并发症
    Complication,
}

impl VisitClass {
    pub fn key(self) -> &'static str {
        match self {
            VisitClass::Controlled => "controlled",
            VisitClass::Uncontrolled => "uncontrolled",
            VisitClass::AdverseReaction => "adverse_reaction",
            VisitClass::Complication => "complication",
        }
    }
}

/// Why a call referred the patient (转诊).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReferralReason {
    /// A reading at an emergency threshold: the indicator and the value.
    Reading { indicator: String, value: f64 },
    /// A danger sign the nurse ticked, with its text as the protocol had it.
    Sign { key: String, en: String, zh: String },
    /// Not controlled at this many visits in a row.
    Uncontrolled { visits: u32 },
    /// An adverse drug reaction at this many visits in a row.
    AdverseReaction { visits: u32 },
    /// A new complication, or an existing one worse.
    Complication,
    /// The clinician refers, for this reason (转诊原因), to this place (机构及科别).
    Clinician { reason: String, to: String },
}

// Readings are checked finite before they are decided on: equality is total.
impl Eq for ReferralReason {}

impl ReferralReason {
    /// An emergency referral (紧急转诊): refer today, after first aid.
    pub fn emergency(&self) -> bool {
        matches!(
            self,
            ReferralReason::Reading { .. } | ReferralReason::Sign { .. }
        )
    }

    /// The follow-up's flag for the queue: why, without the reading or the sign (the
    /// call keeps those).
    pub fn flag(&self) -> String {
        super::followup_flag::Flag::of_referral(self).text(crate::i18n::Lang::En)
    }

    pub fn text(&self, lang: Lang) -> String {
        let chinese = lang.is_chinese();
        use super::summary::{indicator_name, shown};
        match (self, chinese) {
            (ReferralReason::Reading { indicator, value }, _) => {
                let unit = super::indicators::by_key(indicator)
                    .map(|i| super::ucum::human_in(i.unit, lang))
                    .unwrap_or_default();
                format!(
                    "{} {} {unit}",
                    indicator_name(indicator, lang),
                    shown(indicator, *value)
                )
            }
            (ReferralReason::Sign { zh, .. }, true) => zh.clone(),
            (ReferralReason::Sign { en, .. }, false) => en.clone(),
            (ReferralReason::Uncontrolled { visits }, true) => format!("连续{visits}次控制不满意"),
            (ReferralReason::Uncontrolled { visits }, false) => {
                format!("not controlled at {visits} visits in a row")
            }
            (ReferralReason::AdverseReaction { visits }, true) => {
                format!("连续{visits}次药物不良反应")
            }
            (ReferralReason::AdverseReaction { visits }, false) => {
                format!("adverse drug reaction at {visits} visits in a row")
            }
            (ReferralReason::Complication, true) => "新发并发症或原有并发症加重".into(),
            (ReferralReason::Complication, false) => {
                "a new complication, or an existing one worse".into()
            }
            (ReferralReason::Clinician { reason, to }, _) if to.is_empty() => reason.clone(),
            (ReferralReason::Clinician { reason, to }, true) => format!("{reason}（转至{to}）"),
            (ReferralReason::Clinician { reason, to }, false) => format!("{reason} (to {to})"),
        }
    }
}

/// What the nurse records for a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInput {
    pub outcome: Outcome,
    /// By phone, at the clinic or at home.
    pub visit: VisitKind,
    /// Readings the patient reports: (indicator, value in its SI unit).
    pub readings: Vec<(String, f64)>,
    pub adherence: Option<Adherence>,
    /// The keys of the protocol's checklist signs and symptoms ticked.
    pub ticked: Vec<String>,
    /// Other symptoms, as told.
    pub symptoms: String,
    pub side_effects: String,
    pub notes: String,
    /// The rest of the 规范's record form (hypertension and diabetes).
    pub form: super::followup_form::StandardForm,
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
    /// The visit's class (控制满意 / 不满意 / 不良反应 / 并发症), when the patient was
    /// reached on a protocol that has one.
    pub class: Option<VisitClass>,
    /// Why it referred (empty: no referral).
    pub reasons: Vec<ReferralReason>,
    /// The class the protocol gave, when the clinician chose another (`class` is
    /// theirs): kept so a review sees both.
    pub suggested: Option<VisitClass>,
}

impl Versioned for Call {
    const VERSION: u16 = 3;

    /// Format 1 had no visit kind, checklist, class or reasons; format 2 no record
    /// form and no protocol's class beside the clinician's (`followup_old`).
    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        super::followup_old::migrate(version, payload)
    }
}

/// What is known of a recording without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordingMeta {
    pub id: [u8; 16],
    /// The call it belongs to: its follow-up (plan, sequence) and time.
    pub plan: u32,
    pub seq: u32,
    pub call_at: i64,
    /// The file's extension (wav, mp3, amr, m4a …), for the player.
    pub extension: String,
    pub size: u64,
    pub chunks: u32,
    /// SHA-256 of the whole file, checked when it is read back.
    pub sha256: [u8; 32],
    pub by: String,
    pub at: i64,
    /// Filled in once every chunk is stored and the checksum matched.
    pub complete: bool,
}

impl crate::codec::Versioned for RecordingMeta {
    const VERSION: u16 = 1;
}
