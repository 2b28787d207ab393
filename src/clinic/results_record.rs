//! What a caredesk FHIR export made from the health record (smoking status, height,
//! weight, waist: `Reported::record`) read back into the record's lifestyle and
//! measurements on import, with the day they were measured; they are not results.

use crate::domain::health::{Measurements, Smoking, Tenths};
use crate::domain::observation::{ObsValue, Observation};

const HEIGHT: &str = "8302-2";
const WEIGHT: &str = "29463-7";
const WAIST: &str = "8280-0";

/// The latest smoking status among `observations` (results or the record's), with
/// its time.
pub(crate) fn latest_smoking<'a>(
    observations: impl IntoIterator<Item = &'a Observation>,
) -> Option<(i64, Smoking)> {
    observations
        .into_iter()
        .filter_map(|o| crate::ingest::fhir::smoking(o).map(|s| (o.taken_at, s)))
        .max_by_key(|(at, _)| *at)
}

/// A quantity in the unit the record keeps (cm or kg), to a tenth.
fn tenths(o: &Observation, unit: &str) -> Option<Tenths> {
    let ObsValue::Quantity {
        value,
        comparator: None,
    } = &o.value
    else {
        return None;
    };
    if o.unit.as_deref().map(str::trim) != Some(unit) {
        return None;
    }
    Tenths::parse(&value.to_string())
}

/// `current` with the height, weight and waist the record's observations give (each
/// the latest), and the day the latest was measured; unchanged when they are older
/// than what the record holds.
pub(crate) fn measurements(current: &Measurements, record: &[Observation]) -> Measurements {
    let mut out = current.clone();
    let mut latest: Option<i64> = None;
    for (code, unit) in [(HEIGHT, "cm"), (WEIGHT, "kg"), (WAIST, "cm")] {
        let Some((at, value)) = record
            .iter()
            .filter(|o| o.code == code)
            .filter_map(|o| tenths(o, unit).map(|v| (o.taken_at, v)))
            .max_by_key(|(at, _)| *at)
        else {
            continue;
        };
        let day = chrono::DateTime::from_timestamp(at, 0).map(|t| t.date_naive());
        if current.measured_on.is_some() && day < current.measured_on {
            continue;
        }
        match code {
            HEIGHT => out.height_cm = Some(value),
            WEIGHT => out.weight_kg = Some(value),
            _ => out.waist_cm = Some(value),
        }
        latest = latest.max(Some(at));
    }
    if let Some(at) = latest {
        out.measured_on = chrono::DateTime::from_timestamp(at, 0).map(|t| t.date_naive());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;

    fn at(day: &str) -> i64 {
        crate::ingest::fhir::parse_time(day).unwrap()
    }

    #[test]
    fn the_latest_of_each_with_its_day() {
        let reading = |code: &str, value: &str, unit: &str, day: &str| {
            Observation::typed_in(code, Decimal::parse(value).unwrap(), unit, at(day))
        };
        let record = [
            reading(HEIGHT, "172.5", "cm", "2030-01-05"),
            reading(WEIGHT, "70", "kg", "2029-01-05"),
            reading(WEIGHT, "68.4", "kg", "2030-01-05"),
            reading(WAIST, "80", "[in_i]", "2030-01-05"),
        ];
        let m = measurements(&Measurements::default(), &record);
        assert_eq!(m.height_cm, Some(Tenths(1725)));
        assert_eq!(m.weight_kg, Some(Tenths(684)));
        assert_eq!(m.waist_cm, None, "not in the record's unit");
        assert_eq!(
            m.measured_on.map(|d| d.to_string()).as_deref(),
            Some("2030-01-05")
        );
        // Older than what the record holds: left as it is.
        let newer = Measurements {
            weight_kg: Some(Tenths(600)),
            measured_on: chrono::NaiveDate::from_ymd_opt(2031, 1, 1),
            ..Measurements::default()
        };
        assert_eq!(measurements(&newer, &record), newer);
    }
}
