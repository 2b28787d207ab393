//! Retention (PIPL 第19、47条; 医疗机构病历管理规定): how long each kind of record is
//! kept after the patient's last activity, and the "stored only" state a record past
//! its time is put in by the 个人信息保护负责人 (kept, never added to or worked on)
//! until it is erased or the law's period ends.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codec::Versioned;

/// Why a patient's record is stored only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionBasis {
    /// Past `[retention] record_years` since the last activity.
    RetentionExpired,
}

/// A record put in the stored-only state: when, by whom, and the last activity then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub since: i64,
    pub by: String,
    pub basis: RestrictionBasis,
    pub last_activity: NaiveDate,
}

impl Versioned for Restriction {
    const VERSION: u16 = 1;
}

/// The day a record whose last activity was `last` reaches the end of `years` of
/// retention (29 February moves to 28 February in a common year).
pub fn expires_on(last: NaiveDate, years: u32) -> NaiveDate {
    last.checked_add_months(chrono::Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_expires_the_same_day_years_later() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(expires_on(day(2010, 3, 1), 15), day(2025, 3, 1));
        assert_eq!(expires_on(day(2012, 2, 29), 1), day(2013, 2, 28));
        assert_eq!(expires_on(day(2012, 2, 29), u32::MAX), NaiveDate::MAX);
    }
}
