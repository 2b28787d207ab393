//! The shapes of the follow-up requests and replies: which follow-up, the queue's
//! filter and page, and what the call screen and the chart show.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::followup::RecordingMeta;
use crate::domain::followup::{Call, FollowUp, FollowUpPlan, Kind};
use crate::domain::patient::PatientId;

/// One follow-up: the patient, the plan and its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FollowUpKey {
    pub patient: PatientId,
    pub plan: u32,
    pub seq: u32,
}

impl FollowUpKey {
    pub fn of(item: &FollowUp) -> Self {
        Self {
            patient: item.patient,
            plan: item.plan,
            seq: item.seq,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueGroup {
    Overdue,
    Today,
    Upcoming,
}

/// What the queue shows: everything due, or one group, kind, team or tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub group: Option<QueueGroup>,
    pub kind: Option<Kind>,
    /// The nurse or team assigned.
    pub team: Option<String>,
    /// A manual or automatic tag of the patient.
    pub tag: Option<String>,
}

/// A row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub item: FollowUp,
    pub name: String,
    pub age: Option<u32>,
    /// Why the patient may not be called now, or `None` when they may.
    pub not_callable: Option<NotCallable>,
}

/// Why a patient on the queue may not be called now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotCallable {
    /// Another nurse holds the follow-up until then (unix seconds).
    Calling {
        by: String,
        until: i64,
    },
    NoPhone,
    /// No decision on phone contact for care was ever recorded.
    NoConsent,
    /// Phone contact for care was refused or withdrawn.
    Refused,
}

impl NotCallable {
    /// Why the row may not be called, in the reader's language.
    pub fn text(&self) -> crate::i18n::Text {
        match self {
            NotCallable::Calling { by, until } => crate::text!(
                "queue.calling",
                by = by,
                until = crate::domain::time::format_clock(*until)
            ),
            NotCallable::NoPhone => crate::text!("queue.no_phone"),
            NotCallable::NoConsent => crate::text!("queue.no_consent"),
            NotCallable::Refused => crate::text!("queue.refused"),
        }
    }
}

impl std::fmt::Display for NotCallable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().english())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub overdue: u64,
    pub today: u64,
    pub upcoming: u64,
}

/// A page of the queue (sorted by priority, then due date) and the counts per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub counts: QueueCounts,
    /// Rows matching the filter in all.
    pub total: u64,
    pub offset: u32,
    pub rows: Vec<QueueRow>,
    /// The teams and nurses follow-ups are assigned to, for the filter.
    pub teams: Vec<String>,
}

/// One reading the call screen shows: the latest values, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingTrend {
    pub indicator: String,
    pub unit: String,
    pub values: Vec<(i64, f64)>,
}

impl Eq for ReadingTrend {}

/// What a nurse needs for one call, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub key: FollowUpKey,
    pub item: FollowUp,
    pub name: String,
    pub age: Option<u32>,
    pub phone: Option<String>,
    pub readings: Vec<ReadingTrend>,
    pub last_call: Option<Call>,
    /// The open goals of the patient's intervention plan (the terminal words them in
    /// its language).
    pub goals: Vec<crate::domain::plan::Goal>,
    /// The kind's call script, in English and Chinese.
    pub script_en: Vec<String>,
    pub script_zh: Vec<String>,
    /// The indicators the protocol asks the patient to report.
    pub asks: Vec<String>,
    /// The signs and symptoms the nurse ticks, numbered from 1 in this order.
    pub checklist: Vec<CheckItem>,
    pub claimed_until: i64,
    /// This plan's visits this year that were face to face (at the clinic or at
    /// home), and how many the protocol asks for a year (the standard's four).
    pub face_to_face: u32,
    pub visits_per_year: u32,
}

/// One line of the call's checklist of signs and symptoms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub key: String,
    pub en: String,
    pub zh: String,
    pub effect: crate::domain::followup::SymptomEffect,
}

/// A call saved: where the follow-up went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSaved {
    pub status: crate::domain::followup::ItemStatus,
    /// When this follow-up is tried again (no answer, callback).
    pub retry: Option<NaiveDate>,
    /// When the plan's next follow-up falls due.
    pub next_due: Option<NaiveDate>,
    pub referral: bool,
    pub flag: Option<String>,
    /// The visit's class, when the patient was reached.
    pub class: Option<crate::domain::followup::VisitClass>,
    /// Why it referred: shown to the nurse at once.
    pub reasons: Vec<crate::domain::followup::ReferralReason>,
    /// The protocol's class, when the clinician chose another.
    pub suggested: Option<crate::domain::followup::VisitClass>,
}

/// A patient's follow-up in the chart: plans, items, every call with its recordings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpChart {
    pub plans: Vec<FollowUpPlan>,
    pub items: Vec<FollowUp>,
    /// Newest first.
    pub calls: Vec<Call>,
    pub recordings: Vec<RecordingMeta>,
}
