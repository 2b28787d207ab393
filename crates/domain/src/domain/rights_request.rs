//! A patient's request to exercise a right over their personal information (PIPL
//! 第44–50条): what was asked, when it came in, when the answer is due, and how it was
//! answered. The 个人信息保护负责人 keeps the log (`clinic::oversight::rights_requests`).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::patient::PatientId;
use crate::codec::Versioned;

/// Which right the patient exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(clap::ValueEnum)]
pub enum RightKind {
    /// 查阅 (第45条).
    Access,
    /// 复制 (第45条).
    Copy,
    /// 转移 to another processor (第45条).
    Transfer,
    /// 更正、补充 (第46条).
    Correction,
    /// 删除 (第47条).
    Deletion,
    /// 解释说明: of the rules of processing, automated assessments included (第24、48条).
    Explanation,
    /// 撤回同意 (第15条).
    Withdrawal,
}

impl RightKind {
    pub const ALL: [RightKind; 7] = [
        RightKind::Access,
        RightKind::Copy,
        RightKind::Transfer,
        RightKind::Correction,
        RightKind::Deletion,
        RightKind::Explanation,
        RightKind::Withdrawal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RightKind::Access => "access",
            RightKind::Copy => "copy",
            RightKind::Transfer => "transfer",
            RightKind::Correction => "correction",
            RightKind::Deletion => "deletion",
            RightKind::Explanation => "explanation",
            RightKind::Withdrawal => "withdrawal",
        }
    }
}

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum RightOutcome {
    Granted,
    #[value(alias = "partly_granted")]
    PartlyGranted,
    /// Refused, with the reason the law allows (第18、47条 …) in the note.
    Refused,
}

impl RightOutcome {
    pub fn name(self) -> &'static str {
        match self {
            RightOutcome::Granted => "granted",
            RightOutcome::PartlyGranted => "partly_granted",
            RightOutcome::Refused => "refused",
        }
    }
}

/// The answer, once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightAnswer {
    pub on: NaiveDate,
    pub outcome: RightOutcome,
    /// What was done, or why not.
    pub note: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRequest {
    pub id: u64,
    pub patient: PatientId,
    pub kind: RightKind,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    /// What the patient asked, as taken down.
    pub asked: String,
    pub recorded_by: String,
    pub answer: Option<RightAnswer>,
}

impl RightsRequest {
    /// Open and past its due date on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.answer.is_none() && today > self.due_on
    }
}

impl Versioned for RightsRequest {
    const VERSION: u16 = 1;
}

/// The day `working_days` working days (Monday to Friday) after `received`.
pub fn due_date(received: NaiveDate, working_days: u32) -> NaiveDate {
    let mut day = received;
    let mut left = working_days;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_working_days_skip_weekends() {
        // Monday 2026-12-07 + 15 working days = Monday 2026-12-28.
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        assert_eq!(
            due_date(monday, 15),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap_or_default()
        );
        // Received on a Saturday: the count starts on Monday.
        let saturday = NaiveDate::from_ymd_opt(2026, 12, 12).unwrap_or_default();
        assert_eq!(
            due_date(saturday, 1),
            NaiveDate::from_ymd_opt(2026, 12, 14).unwrap_or_default()
        );
        assert_eq!(due_date(monday, 0), monday);
    }
}
