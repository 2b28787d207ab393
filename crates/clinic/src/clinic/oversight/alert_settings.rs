//! `[alerts]` in settings.toml: the thresholds of the rules that watch staff activity.
//!
//! ```toml
//! [alerts]
//! distinct_patients_per_hour = 50   # 0 turns the rule off
//! exports_per_hour = 10             # exports and prints of patient data; 0: off
//! working_hours = "07:00-20:00"     # clinic time; "" turns the rule off
//! working_days = "mon-sat"          # or a list: "mon,tue,wed,thu,fri"
//! utc_offset = "+08:00"             # the clinic's time zone; "": the server's own
//! ```
//!
//! Repeated sign-in failures are `[lockout]`'s (the lock raises the alert); break-glass
//! and PHQ-9 item 9 always raise one.

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Offset, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    pub distinct_patients_per_hour: u32,
    pub exports_per_hour: u32,
    pub working_hours: String,
    pub working_days: String,
    pub utc_offset: String,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            distinct_patients_per_hour: 50,
            exports_per_hour: 10,
            working_hours: "07:00-20:00".into(),
            working_days: "mon-sat".into(),
            utc_offset: String::new(),
        }
    }
}

/// The settings checked and parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRules {
    pub distinct_patients_per_hour: u32,
    pub exports_per_hour: u32,
    pub working: Option<WorkingTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingTime {
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Monday first.
    pub days: [bool; 7],
    /// None: the server's local time zone.
    pub offset: Option<FixedOffset>,
    /// As written, for the alert's detail.
    pub label: String,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(name: &str) -> Result<usize, String> {
    DAYS.iter()
        .position(|d| name.trim().eq_ignore_ascii_case(d))
        .ok_or_else(|| {
            format!(
                "working_days: {:?} is not a day; write mon, tue, wed, thu, fri, sat or sun",
                name.trim()
            )
        })
}

pub(crate) fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day_index(part)?] = true,
        }
    }
    if !days.contains(&true) {
        return Err(
            "working_days is empty; write e.g. \"mon-sat\" (or working_hours = \"\" to turn the rule off)"
                .into(),
        );
    }
    Ok(days)
}

fn parse_offset(text: &str) -> Result<Option<FixedOffset>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad =
        || format!("utc_offset: {text:?} is not an offset; write e.g. \"+08:00\" or \"-05:00\"");
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        .map(Some)
        .ok_or_else(bad)
}

impl AlertSettings {
    /// `utc_offset` in seconds, when it is set and reads.
    pub fn fixed_offset(&self) -> Option<i32> {
        parse_offset(&self.utc_offset)
            .ok()
            .flatten()
            .map(|offset| offset.local_minus_utc())
    }

    /// Checks the settings; the error names the key and the form it wants.
    pub fn rules(&self) -> Result<AlertRules, String> {
        let working = if self.working_hours.trim().is_empty() {
            None
        } else {
            let bad = || {
                format!(
                    "working_hours: {:?} is not a time range; write e.g. \"07:00-20:00\"",
                    self.working_hours
                )
            };
            let (start, end) = self.working_hours.split_once('-').ok_or_else(bad)?;
            let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
            let (start, end) = (time(start)?, time(end)?);
            if start == end {
                return Err(bad());
            }
            Some(WorkingTime {
                start,
                end,
                days: parse_days(&self.working_days)?,
                offset: parse_offset(&self.utc_offset)?,
                label: format!("{} {}", self.working_hours.trim(), self.working_days.trim()),
            })
        };
        Ok(AlertRules {
            distinct_patients_per_hour: self.distinct_patients_per_hour,
            exports_per_hour: self.exports_per_hour,
            working,
        })
    }
}

impl WorkingTime {
    /// The clinic's wall-clock time at `unix`: `utc_offset` when it is set, else the
    /// clinic's clock (`[clinic] time_zone`), the one every screen shows.
    pub fn local(&self, unix: i64) -> DateTime<FixedOffset> {
        let utc = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default();
        let offset = self.offset.unwrap_or_else(|| {
            let seconds = crate::domain::time::clinic_zone().offset_at(unix);
            FixedOffset::east_opt(seconds).unwrap_or_else(|| utc.offset().fix())
        });
        utc.with_timezone(&offset)
    }

    /// Whether `unix` falls outside the working hours and days.
    pub fn is_outside(&self, unix: i64) -> bool {
        let local = self.local(unix);
        let time = local.time();
        let in_hours = if self.start < self.end {
            time >= self.start && time < self.end
        } else {
            // A night shift: "22:00-06:00".
            time >= self.start || time < self.end
        };
        let day = local.weekday().num_days_from_monday() as usize;
        !(in_hours && self.days[day])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(hours: &str, days: &str, offset: &str) -> Result<AlertRules, String> {
        AlertSettings {
            working_hours: hours.into(),
            working_days: days.into(),
            utc_offset: offset.into(),
            ..Default::default()
        }
        .rules()
    }

    #[test]
    fn working_time_in_the_clinics_zone() {
        let w = rules("07:00-20:00", "mon-sat", "+08:00")
            .unwrap()
            .working
            .unwrap();
        // 2026-11-23 is a Monday. 01:00 UTC = 09:00 in Beijing: inside.
        let monday_0900 = 1_795_395_600;
        assert!(!w.is_outside(monday_0900));
        // 13:30 UTC = 21:30 Beijing: outside.
        assert!(w.is_outside(monday_0900 + 12 * 3600 + 1800));
        // Sunday 10:00 Beijing: outside (not a working day).
        assert!(w.is_outside(monday_0900 - 23 * 3600));
        let night = rules("22:00-06:00", "mon-sun", "+00:00")
            .unwrap()
            .working
            .unwrap();
        assert!(!night.is_outside(1_795_395_600)); // 01:00
        assert!(night.is_outside(1_795_395_600 + 9 * 3600)); // 10:00
    }

    #[test]
    fn bad_settings_name_the_key_and_the_form() {
        let e = rules("7-20", "mon-fri", "").unwrap_err();
        assert!(
            e.contains("working_hours") && e.contains("07:00-20:00"),
            "{e}"
        );
        let e = rules("07:00-20:00", "mon-fri,holiday", "").unwrap_err();
        assert!(e.contains("holiday"), "{e}");
        let e = rules("07:00-20:00", "mon-fri", "8").unwrap_err();
        assert!(e.contains("utc_offset"), "{e}");
    }

    #[test]
    fn the_clinic_offset_places_wall_clock_times() {
        let beijing = AlertSettings {
            utc_offset: "+08:00".into(),
            ..AlertSettings::default()
        };
        assert_eq!(beijing.fixed_offset(), Some(8 * 3600));
        let new_york = AlertSettings {
            utc_offset: "-05:00".into(),
            ..AlertSettings::default()
        };
        assert_eq!(new_york.fixed_offset(), Some(-5 * 3600));
        assert_eq!(AlertSettings::default().fixed_offset(), None);
        assert_eq!(rules("", "", "").unwrap().working, None);
        let days = rules("07:00-20:00", "fri-mon", "")
            .unwrap()
            .working
            .unwrap()
            .days;
        assert_eq!(days, [true, false, false, false, true, true, true]);
    }
}
