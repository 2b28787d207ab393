//! Times as staff read them: in the clinic's time zone (`[clinic] time_zone`, an IANA
//! name; the server's own zone when it is not set). Each process sets the zone once,
//! when it has read the clinic's settings; a process that never does (a unit test)
//! reads and writes UTC and says so.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};

/// Where the clinic's wall clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClinicZone {
    /// An IANA zone, daylight saving included.
    Named(chrono_tz::Tz),
    /// A fixed offset from UTC, in seconds (the older `[alerts] utc_offset`).
    Fixed(i32),
    /// The server's own zone (its `/etc/localtime`).
    Server,
    /// Coordinated universal time, said on every time shown.
    Utc,
}

impl ClinicZone {
    /// `[clinic] time_zone`: an IANA name, or empty for the server's own zone.
    pub fn parse(name: &str) -> Result<ClinicZone, String> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(ClinicZone::Server);
        }
        name.parse::<chrono_tz::Tz>()
            .map(ClinicZone::Named)
            .map_err(|_| {
                format!(
                    "time_zone: {name:?} is not a time zone: write an IANA name such as \"Asia/Shanghai\", or nothing for the server's own"
                )
            })
    }

    /// The offset from UTC, in seconds, at the instant `unix`.
    pub fn offset_at(self, unix: i64) -> i32 {
        let at = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default();
        match self {
            ClinicZone::Named(tz) => at.with_timezone(&tz).offset().fix().local_minus_utc(),
            ClinicZone::Fixed(seconds) => seconds,
            ClinicZone::Server => at
                .with_timezone(&chrono::Local)
                .offset()
                .fix()
                .local_minus_utc(),
            ClinicZone::Utc => 0,
        }
    }

    /// The instant a wall-clock time of the clinic is (the earlier one when a clock
    /// change makes it twice; `None` when it never happens, in a spring-forward gap).
    pub fn from_local(self, wall: NaiveDateTime) -> Option<i64> {
        let instant = match self {
            ClinicZone::Named(tz) => tz.from_local_datetime(&wall).earliest()?.timestamp(),
            ClinicZone::Fixed(seconds) => wall.and_utc().timestamp() - i64::from(seconds),
            ClinicZone::Server => chrono::Local
                .from_local_datetime(&wall)
                .earliest()?
                .timestamp(),
            ClinicZone::Utc => wall.and_utc().timestamp(),
        };
        Some(instant)
    }

    /// The clinic's wall-clock time at `unix`.
    pub fn local(self, unix: i64) -> NaiveDateTime {
        let at = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default();
        at.naive_utc() + chrono::Duration::seconds(i64::from(self.offset_at(unix)))
    }

    /// The clinic's date at `now`: "today" at the desk.
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        self.local(now.timestamp()).date()
    }
}

static ZONE: OnceLock<ClinicZone> = OnceLock::new();

/// The process's clinic zone, set once from the settings it read (later calls are
/// ignored: one process serves one clinic).
pub fn set_clinic_zone(zone: ClinicZone) {
    let _ = ZONE.set(zone);
}

/// The clinic zone this process reads and shows times in.
pub fn clinic_zone() -> ClinicZone {
    ZONE.get().copied().unwrap_or(ClinicZone::Utc)
}

/// A stored time (unix seconds) for a screen, a command or a document, on the clinic's
/// clock (said to be UTC when no zone was set).
pub fn format_time(unix: i64) -> String {
    let zone = clinic_zone();
    if zone == ClinicZone::Utc {
        return DateTime::<Utc>::from_timestamp(unix, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
    }
    zone.local(unix).format("%Y-%m-%d %H:%M").to_string()
}

/// An audit record's time (RFC 3339, as the log keeps it in UTC) on the clinic's clock,
/// to the second; the text as written if it is not one.
pub fn format_logged(rfc3339: &str) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.get(..19).unwrap_or(rfc3339).replace('T', " ");
    };
    let zone = clinic_zone();
    let unix = at.timestamp();
    if zone == ClinicZone::Utc {
        return at
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string();
    }
    zone.local(unix).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The time of day at `unix` on the clinic's clock, "15:00" (said to be UTC when no
/// zone was set).
pub fn format_clock(unix: i64) -> String {
    let zone = clinic_zone();
    let clock = zone.local(unix).format("%H:%M").to_string();
    if zone == ClinicZone::Utc {
        format!("{clock} UTC")
    } else {
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_time_reads_on_the_clinic_clock_to_the_second() {
        // No zone set in this test process: the clinic's clock is UTC, and says so.
        assert_eq!(
            format_logged("2026-12-07T09:20:15.123456Z"),
            "2026-12-07 09:20:15 UTC"
        );
        assert_eq!(
            format_logged("2026-12-07T17:20:15+08:00"),
            "2026-12-07 09:20:15 UTC"
        );
        assert_eq!(format_logged("not a time at all"), "not a time at all");
    }

    #[test]
    fn a_named_zone_reads_its_wall_clock_both_ways() {
        let shanghai = ClinicZone::parse("Asia/Shanghai").unwrap();
        // 2026-12-06 23:30 UTC is 07:30 on the 7th in Beijing.
        let instant = 1_796_599_800;
        assert_eq!(shanghai.local(instant).to_string(), "2026-12-07 07:30:00");
        let now = DateTime::<Utc>::from_timestamp(instant, 0).unwrap();
        assert_eq!(shanghai.today(now).to_string(), "2026-12-07");
        assert_eq!(ClinicZone::Utc.today(now).to_string(), "2026-12-06");
        // A call-back typed for 15:00 Beijing time is 07:00 UTC.
        let wall = NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(15, 0, 0)
            .unwrap();
        let at = shanghai.from_local(wall).unwrap();
        assert_eq!(
            DateTime::<Utc>::from_timestamp(at, 0).unwrap().to_string(),
            "2026-12-07 07:00:00 UTC"
        );
    }

    #[test]
    fn daylight_saving_moves_the_offset_and_a_skipped_hour_is_no_time() {
        let london = ClinicZone::parse("Europe/London").unwrap();
        let winter = NaiveDate::from_ymd_opt(2026, 1, 15)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 15)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(london.offset_at(winter.and_utc().timestamp()), 0);
        assert_eq!(london.offset_at(summer.and_utc().timestamp()), 3600);
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(london.from_local(gap), None);
    }

    #[test]
    fn a_zone_that_is_not_iana_is_refused_with_what_to_write() {
        let refused = ClinicZone::parse("Beijing").unwrap_err();
        assert!(refused.contains("Asia/Shanghai"), "{refused}");
        assert_eq!(ClinicZone::parse("").unwrap(), ClinicZone::Server);
    }
}
