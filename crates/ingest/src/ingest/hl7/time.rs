//! HL7 date/times (DTM, and the TS of older versions): YYYY[MM[DD[HH[MM[SS[.S+]]]]]]
//! [+/-ZZZZ]. A time with an offset is an instant; one without is the sender's wall
//! clock, which the parser cannot place (it does not know the clinic's time zone), so
//! it is read as if it were UTC and marked, and the service moves it into the
//! clinic's time zone (`Incoming::local_times`).

use chrono::{NaiveDate, TimeZone, Utc};

/// A time as read: unix seconds, and whether the text carried its UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub unix: i64,
    /// False: `unix` is the wall-clock time read as UTC.
    pub offset: bool,
}

/// Reads an HL7 DTM; `None` when it is not one. Offsets may be written +0800 or
/// +08:00 (some senders add the colon).
pub fn read(text: &str) -> Option<Stamp> {
    // A TS may carry its precision as a second component ("20260101^D").
    let text = text.split('^').next().unwrap_or("").trim();
    let (stamp, offset) = match text.find(['+', '-']) {
        Some(i) if i >= 4 => (&text[..i], Some(&text[i..])),
        _ => (text, None),
    };
    let stamp = stamp.split('.').next().unwrap_or("");
    if stamp.len() < 4 || !stamp.chars().all(|c| c.is_ascii_digit()) || stamp.len() % 2 != 0 {
        return None;
    }
    if stamp.len() > 14 {
        return None;
    }
    let part = |from: usize, to: usize, default: u32| -> Option<u32> {
        match stamp.get(from..to) {
            Some(s) => s.parse().ok(),
            None => Some(default),
        }
    };
    let year: i32 = stamp.get(0..4)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, part(4, 6, 1)?, part(6, 8, 1)?)?;
    let time = date.and_hms_opt(part(8, 10, 0)?, part(10, 12, 0)?, part(12, 14, 0)?)?;
    let seconds = time.and_utc().timestamp();
    match offset {
        None => Some(Stamp {
            unix: seconds,
            offset: false,
        }),
        Some(o) => {
            let o = o.replace(':', "");
            if o.len() != 5 || !o[1..].chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let hours: i64 = o.get(1..3)?.parse().ok()?;
            let minutes: i64 = o.get(3..5)?.parse().ok()?;
            if hours > 14 || minutes > 59 {
                return None;
            }
            Some(Stamp {
                unix: seconds - sign * (hours * 3600 + minutes * 60),
                offset: true,
            })
        }
    }
}

/// An HL7 DTM as unix seconds; a time without an offset is read as UTC (the service
/// moves such times into the clinic's zone; see `read`).
pub fn parse_time(text: &str) -> Option<i64> {
    read(text).map(|s| s.unix)
}

/// A time as an HL7 DTM in UTC, for messages this program writes (tests, demo).
pub fn format_time(unix: i64) -> String {
    Utc.timestamp_opt(unix, 0)
        .single()
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("20020215"), parse_time("200202150000"));
        assert_eq!(parse_time("200202150930+0100"), parse_time("200202150830"));
        assert_eq!(
            parse_time("20110529130917-04:00"),
            parse_time("20110529170917")
        );
        assert_eq!(parse_time("2002021509301.5"), None);
        assert_eq!(parse_time("20021315"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("220241021055726"), None);
        assert_eq!(parse_time("20020215+2500"), None);
        assert!(parse_time("20020215093012.345").is_some());
        assert_eq!(parse_time("20260101^D"), parse_time("20260101"));
        assert!(!read("20260101").unwrap().offset);
        assert!(read("20260101-0500").unwrap().offset);
    }
}
