//! Indicator series over the years: a patient's results for one indicator in one unit,
//! the change since the previous and the first result, and whether the recent results
//! are rising or falling.

use super::indicators::{self, Indicator, UnitSystem};
use super::observation::Observation;
use super::patient::Sex;
use crate::i18n::Lang;

/// How many of the latest results the trend flag looks at.
pub const TREND_WINDOW: usize = 5;
/// A change over the window smaller than this share of the latest value is "stable".
pub const TREND_THRESHOLD: f64 = 0.05;

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub taken_at: i64,
    /// In the series' unit.
    pub value: f64,
    pub abnormal: bool,
    /// Preliminary or not yet verified (FHIR preliminary, OBX-11 P/R …).
    pub preliminary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Rising,
    Falling,
    Stable,
}

/// One indicator's numeric results, oldest first, in one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The catalogue entry, when the code is in it.
    pub indicator: Option<&'static Indicator>,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub points: Vec<Point>,
    /// Reference band in the series' unit.
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub decimals: u8,
    /// Results whose unit could not be converted (left out of the points).
    pub unconverted: usize,
    /// Results entered in error, cancelled or replaced by a correction (left out).
    pub withdrawn: usize,
}

impl Series {
    pub fn latest(&self) -> Option<&Point> {
        self.points.last()
    }

    pub fn change_since_previous(&self) -> Option<f64> {
        let n = self.points.len();
        (n >= 2).then(|| self.points[n - 1].value - self.points[n - 2].value)
    }

    pub fn change_since_first(&self) -> Option<f64> {
        let n = self.points.len();
        (n >= 2).then(|| self.points[n - 1].value - self.points[0].value)
    }

    /// Least-squares slope of the last results (per year), then whether that slope
    /// over the window's span moves the value by more than the threshold.
    pub fn trend(&self) -> Option<Trend> {
        let window = &self.points[self.points.len().saturating_sub(TREND_WINDOW)..];
        if window.len() < 3 {
            return None;
        }
        const YEAR: f64 = 365.25 * 86_400.0;
        let xs: Vec<f64> = window.iter().map(|p| p.taken_at as f64 / YEAR).collect();
        let ys: Vec<f64> = window.iter().map(|p| p.value).collect();
        let n = xs.len() as f64;
        let mean_x = xs.iter().sum::<f64>() / n;
        let mean_y = ys.iter().sum::<f64>() / n;
        let sxx: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
        if sxx == 0.0 {
            return None;
        }
        let sxy: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (x - mean_x) * (y - mean_y))
            .sum();
        let slope = sxy / sxx;
        let span = xs[xs.len() - 1] - xs[0];
        let moved = slope * span;
        let scale = ys[ys.len() - 1].abs().max(f64::EPSILON);
        Some(if moved / scale > TREND_THRESHOLD {
            Trend::Rising
        } else if moved / scale < -TREND_THRESHOLD {
            Trend::Falling
        } else {
            Trend::Stable
        })
    }
}

/// Groups a patient's results into series: catalogue indicators by indicator (their
/// codes merged, values converted to the clinic's unit), other numeric results by
/// code. Text and coded results are not series. Ordered as the catalogue, then by name.
pub fn series(
    observations: &[Observation],
    units: UnitSystem,
    sex: Sex,
    lang: Lang,
) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    // Entered-in-error and cancelled results are shown in the results list, never in a
    // trend; a correction replaces the result it corrects.
    let in_force: std::collections::HashSet<*const Observation> =
        super::observation::in_force(observations)
            .into_iter()
            .map(|o| o as *const Observation)
            .collect();
    let mut sorted: Vec<&Observation> = observations.iter().collect();
    sorted.sort_by_key(|o| o.taken_at);
    for o in sorted {
        let Some(number) = o.value.number() else {
            continue;
        };
        let indicator = indicators::by_code(&o.code);
        let key = indicator
            .map(|i| i.key.to_string())
            .unwrap_or_else(|| o.code.clone());
        let slot = match out.iter().position(|s| {
            s.indicator
                .map(|i| i.key.to_string())
                .unwrap_or_else(|| s.code.clone())
                == key
        }) {
            Some(i) => i,
            None => {
                let (unit, low, high, decimals) = match indicator {
                    Some(i) => {
                        let unit = i.display_unit(units);
                        let (low, high) = i.range(sex);
                        let to = |v: Option<f64>| v.and_then(|v| i.convert(v, i.unit, unit));
                        (unit.to_string(), to(low), to(high), i.decimals_in(unit))
                    }
                    None => (
                        o.unit.clone().unwrap_or_default(),
                        o.range.low.map(|d| d.to_f64()),
                        o.range.high.map(|d| d.to_f64()),
                        number.scale.min(3),
                    ),
                };
                out.push(Series {
                    indicator,
                    code: o.code.clone(),
                    name: indicator
                        .map(|i| i.name(lang).to_string())
                        .or_else(|| o.display.clone())
                        .unwrap_or_else(|| o.code.clone()),
                    unit,
                    points: Vec::new(),
                    low,
                    high,
                    decimals,
                    unconverted: 0,
                    withdrawn: 0,
                });
                out.len() - 1
            }
        };
        let series = &mut out[slot];
        if !in_force.contains(&(o as *const Observation)) {
            series.withdrawn += 1;
            continue;
        }
        let value = match (series.indicator, o.unit.as_deref()) {
            (Some(i), Some(unit)) => i.convert(number.to_f64(), unit, &series.unit),
            (Some(_), None) => Some(number.to_f64()),
            (None, unit) => (unit.unwrap_or("") == series.unit).then(|| number.to_f64()),
        };
        match value {
            Some(value) => series.points.push(Point {
                taken_at: o.taken_at,
                value,
                abnormal: o.abnormal(),
                preliminary: o.standing() == super::observation::Standing::Preliminary,
            }),
            None => series.unconverted += 1,
        }
    }
    out.retain(|s| !s.points.is_empty());
    out.sort_by_key(|s| {
        (
            s.indicator
                .and_then(|i| indicators::INDICATORS.iter().position(|x| x.key == i.key))
                .unwrap_or(usize::MAX),
            s.name.clone(),
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;

    const YEAR: i64 = 31_557_600;

    fn obs(code: &str, value: &str, unit: &str, year: i64) -> Observation {
        let value = Decimal::parse(value).unwrap_or(Decimal {
            digits: 0,
            scale: 0,
        });
        Observation::typed_in(code, value, unit, 1_500_000_000 + year * YEAR)
    }

    #[test]
    fn glucose_in_both_units_becomes_one_series_in_the_clinic_s_unit() {
        let results = [
            obs("14771-0", "5.6", "mmol/L", 0),
            obs("1558-6", "108", "mg/dL", 1),
            obs("14771-0", "6.4", "mmol/L", 2),
            obs("8480-6", "128", "mm[Hg]", 0),
        ];
        let all = series(&results, UnitSystem::Si, Sex::Male, crate::i18n::Lang::En);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "Systolic blood pressure");
        let glucose = &all[1];
        assert_eq!(glucose.unit, "mmol/L");
        assert_eq!(glucose.points.len(), 3);
        assert!((glucose.points[1].value - 5.99).abs() < 0.01);
        assert!((glucose.change_since_first().unwrap_or_default() - 0.8).abs() < 1e-9);
        assert!((glucose.change_since_previous().unwrap_or_default() - 0.405).abs() < 0.01);
        assert_eq!((glucose.low, glucose.high), (Some(3.9), Some(6.1)));
        let us = series(
            &results,
            UnitSystem::Conventional,
            Sex::Male,
            crate::i18n::Lang::ZhCn,
        );
        assert_eq!(us[1].unit, "mg/dL");
        assert_eq!(us[1].name, "空腹血糖");
        assert!((us[1].points[0].value - 100.9).abs() < 0.1);
    }

    #[test]
    fn trend_flags_follow_the_last_results() {
        let rising: Vec<Observation> = ["120", "126", "131", "138", "145"]
            .iter()
            .enumerate()
            .map(|(i, v)| obs("8480-6", v, "mm[Hg]", i as i64))
            .collect();
        let s = &series(&rising, UnitSystem::Si, Sex::Female, crate::i18n::Lang::En)[0];
        assert_eq!(s.trend(), Some(Trend::Rising));
        let falling: Vec<Observation> = ["7.9", "7.4", "6.9", "6.6"]
            .iter()
            .enumerate()
            .map(|(i, v)| obs("4548-4", v, "%", i as i64))
            .collect();
        assert_eq!(
            series(&falling, UnitSystem::Si, Sex::Female, crate::i18n::Lang::En)[0].trend(),
            Some(Trend::Falling)
        );
        let flat: Vec<Observation> = ["70", "71", "69", "70"]
            .iter()
            .enumerate()
            .map(|(i, v)| obs("8867-4", v, "/min", i as i64))
            .collect();
        assert_eq!(
            series(&flat, UnitSystem::Si, Sex::Female, crate::i18n::Lang::En)[0].trend(),
            Some(Trend::Stable)
        );
        // Two results are not a trend.
        assert_eq!(
            series(
                &flat[..2],
                UnitSystem::Si,
                Sex::Female,
                crate::i18n::Lang::En
            )[0]
            .trend(),
            None
        );
    }

    #[test]
    fn results_in_a_unit_without_a_factor_are_counted_not_plotted() {
        let results = [
            obs("8480-6", "128", "mm[Hg]", 0),
            obs("8480-6", "17", "kPa", 1),
        ];
        let s = &series(&results, UnitSystem::Si, Sex::Male, crate::i18n::Lang::En)[0];
        assert_eq!((s.points.len(), s.unconverted), (1, 1));
    }

    #[test]
    fn withdrawn_results_are_counted_and_preliminary_ones_marked() {
        let mut results = [
            obs("8480-6", "128", "mm[Hg]", 0),
            obs("8480-6", "190", "mm[Hg]", 1),
            obs("8480-6", "131", "mm[Hg]", 2),
        ];
        results[1].status = Some("entered-in-error".into());
        results[2].status = Some("R".into());
        let s = &series(&results, UnitSystem::Si, Sex::Male, crate::i18n::Lang::En)[0];
        assert_eq!((s.points.len(), s.withdrawn), (2, 1));
        assert_eq!(
            s.points.iter().map(|p| p.preliminary).collect::<Vec<_>>(),
            [false, true]
        );
    }
}
