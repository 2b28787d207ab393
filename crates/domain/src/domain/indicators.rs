//! The built-in catalogue of the indicators a health-management clinic follows: LOINC
//! codes, English and Chinese names, the SI unit and the conventional (US) one with
//! the factor between them, and default adult reference ranges (Chinese clinical
//! practice; sex-specific where labs report them so).

use super::patient::Sex;
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    /// Every LOINC code that reports this indicator (mass and molar forms alike).
    pub codes: &'static [&'static str],
    /// The SI unit (UCUM), in which ranges are given.
    pub unit: &'static str,
    /// The conventional unit and the factor: conventional = SI × factor.
    pub conventional: Option<(&'static str, f64)>,
    /// Adult reference range in the SI unit (men, or everyone).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Women's range where it differs.
    pub female: Option<(Option<f64>, Option<f64>)>,
    /// Decimals to show in the SI unit.
    pub decimals: u8,
}

// One row of the table below; the arguments are its columns.
#[allow(clippy::too_many_arguments)]
const fn ind(
    key: &'static str,
    en: &'static str,
    zh: &'static str,
    codes: &'static [&'static str],
    unit: &'static str,
    conventional: Option<(&'static str, f64)>,
    (low, high): (Option<f64>, Option<f64>),
    female: Option<(Option<f64>, Option<f64>)>,
    decimals: u8,
) -> Indicator {
    Indicator {
        key,
        en,
        zh,
        codes,
        unit,
        conventional,
        low,
        high,
        female,
        decimals,
    }
}

#[rustfmt::skip]
pub const INDICATORS: &[Indicator] = &[
    ind("systolic_bp", "Systolic blood pressure", "收缩压", &["8480-6"], "mm[Hg]", None, (Some(90.0), Some(139.0)), None, 0),
    ind("diastolic_bp", "Diastolic blood pressure", "舒张压", &["8462-4"], "mm[Hg]", None, (Some(60.0), Some(89.0)), None, 0),
    ind("heart_rate", "Heart rate", "心率", &["8867-4"], "/min", None, (Some(60.0), Some(100.0)), None, 0),
    ind("height", "Body height", "身高", &["8302-2", "8306-3", "3137-7"], "cm", None, (None, None), None, 1),
    ind("weight", "Body weight", "体重", &["29463-7", "3141-9"], "kg", None, (None, None), None, 1),
    ind("bmi", "Body mass index", "体重指数", &["39156-5"], "kg/m2", None, (Some(18.5), Some(23.9)), None, 1),
    ind("waist", "Waist circumference", "腰围", &["8280-0", "56086-2", "56115-9"], "cm", None, (None, Some(89.9)), Some((None, Some(84.9))), 1),
    ind("glucose_fasting", "Fasting glucose", "空腹血糖", &["1558-6", "14771-0", "1554-5", "76629-5", "77145-1"], "mmol/L", Some(("mg/dL", 18.016)), (Some(3.9), Some(6.1)), None, 1),
    // Glucose with no fasting state in its code: never read as fasting glucose.
    ind("glucose_random", "Glucose (not fasting)", "随机血糖", &["2345-7", "2339-0", "14749-6", "15074-8", "41653-7", "32016-8"], "mmol/L", Some(("mg/dL", 18.016)), (Some(3.9), Some(7.8)), None, 1),
    ind("hba1c", "HbA1c", "糖化血红蛋白", &["4548-4", "17856-6", "41995-2"], "%", None, (Some(4.0), Some(6.0)), None, 1),
    ind("cholesterol_total", "Total cholesterol", "总胆固醇", &["2093-3", "14647-2"], "mmol/L", Some(("mg/dL", 38.67)), (None, Some(5.19)), None, 2),
    ind("hdl", "HDL cholesterol", "高密度脂蛋白胆固醇", &["2085-9", "14646-4"], "mmol/L", Some(("mg/dL", 38.67)), (Some(1.04), None), None, 2),
    ind("ldl", "LDL cholesterol", "低密度脂蛋白胆固醇", &["18262-6", "13457-7", "2089-1", "22748-8", "39469-2"], "mmol/L", Some(("mg/dL", 38.67)), (None, Some(3.39)), None, 2),
    ind("triglycerides", "Triglycerides", "甘油三酯", &["2571-8", "14927-8"], "mmol/L", Some(("mg/dL", 88.57)), (None, Some(1.69)), None, 2),
    ind("uric_acid", "Uric acid", "尿酸", &["3084-1", "14933-6"], "umol/L", Some(("mg/dL", 1.0 / 59.48)), (Some(150.0), Some(420.0)), Some((Some(90.0), Some(360.0))), 0),
    ind("creatinine", "Creatinine", "肌酐", &["2160-0", "14682-9", "38483-4", "59826-8"], "umol/L", Some(("mg/dL", 1.0 / 88.4)), (Some(57.0), Some(111.0)), Some((Some(41.0), Some(81.0))), 0),
    ind("egfr", "eGFR", "估算肾小球滤过率", &["33914-3", "62238-1", "98979-8", "48642-3", "48643-1", "50044-7", "69405-9"], "mL/min/{1.73_m2}", None, (Some(90.0), None), None, 0),
    ind("alt", "ALT", "丙氨酸氨基转移酶", &["1742-6", "1743-4", "76625-3"], "U/L", None, (Some(9.0), Some(50.0)), Some((Some(7.0), Some(40.0))), 0),
    ind("ast", "AST", "天门冬氨酸氨基转移酶", &["1920-8", "30239-8"], "U/L", None, (Some(15.0), Some(40.0)), Some((Some(13.0), Some(35.0))), 0),
    ind("haemoglobin", "Haemoglobin", "血红蛋白", &["718-7", "20509-6", "30313-1"], "g/L", Some(("g/dL", 0.1)), (Some(130.0), Some(175.0)), Some((Some(115.0), Some(150.0))), 0),
    // The 健康体检表's general status and auxiliary tests. Ranges: WS/T 404 (Chinese adult
    // reference intervals) where it gives them, else common Chinese lab practice.
    ind("body_temperature", "Body temperature", "体温", &["8310-5", "8331-1", "8328-7"], "Cel", None, (Some(36.0), Some(37.3)), None, 1),
    ind("respiratory_rate", "Breathing rate", "呼吸频率", &["9279-1"], "/min", None, (Some(12.0), Some(20.0)), None, 0),
    ind("wbc", "White blood cells", "白细胞", &["6690-2", "26464-8"], "10*9/L", Some(("10*3/uL", 1.0)), (Some(3.5), Some(9.5)), None, 1),
    ind("platelets", "Platelets", "血小板", &["777-3", "26515-7"], "10*9/L", Some(("10*3/uL", 1.0)), (Some(125.0), Some(350.0)), None, 0),
    ind("urine_microalbumin", "Urine microalbumin", "尿微量白蛋白", &["14957-5"], "mg/L", None, (None, Some(20.0)), None, 1),
    ind("albumin", "Albumin", "白蛋白", &["1751-7", "2862-1"], "g/L", Some(("g/dL", 0.1)), (Some(40.0), Some(55.0)), None, 1),
    ind("bilirubin_total", "Total bilirubin", "总胆红素", &["1975-2", "42719-5"], "umol/L", Some(("mg/dL", 1.0 / 17.1)), (None, Some(26.0)), Some((None, Some(21.0))), 1),
    ind("bilirubin_direct", "Direct bilirubin", "结合胆红素", &["1968-7", "15152-2"], "umol/L", Some(("mg/dL", 1.0 / 17.1)), (None, Some(8.0)), None, 1),
    // Urea in mmol/L; a urea nitrogen in mg/dL divides by 2.8 (mmol/L of urea = of its nitrogen pairs).
    ind("urea", "Urea", "尿素", &["22664-7", "3094-0", "6299-2"], "mmol/L", Some(("mg/dL", 2.8)), (Some(3.1), Some(8.0)), Some((Some(2.6), Some(7.5))), 1),
    ind("potassium", "Potassium", "血钾", &["2823-3", "6298-4"], "mmol/L", None, (Some(3.5), Some(5.3)), None, 1),
    ind("sodium", "Sodium", "血钠", &["2951-2", "2947-0"], "mmol/L", None, (Some(137.0), Some(147.0)), None, 0),
];

/// The indicator a LOINC code reports, if it is in the catalogue.
pub fn by_code(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.codes.contains(&code))
}

/// What a person can measure at all, in the SI unit, for the readings typed by hand
/// (a call, the desk): outside it, a typing slip rather than a reading.
pub fn plausible(key: &str) -> Option<(f64, f64)> {
    Some(match key {
        "systolic_bp" => (50.0, 300.0),
        "diastolic_bp" => (30.0, 200.0),
        "heart_rate" => (20.0, 250.0),
        "height" => (40.0, 250.0),
        "weight" => (2.0, 400.0),
        "bmi" => (8.0, 90.0),
        "waist" => (30.0, 250.0),
        "glucose_fasting" | "glucose_random" => (0.5, 60.0),
        "hba1c" => (2.0, 25.0),
        "cholesterol_total" => (0.5, 30.0),
        "hdl" => (0.1, 10.0),
        "ldl" => (0.1, 20.0),
        "triglycerides" => (0.1, 60.0),
        "body_temperature" => (30.0, 45.0),
        "respiratory_rate" => (4.0, 80.0),
        _ => return None,
    })
}

pub fn by_key(key: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.key == key)
}

/// Units compared as labs write them: case-insensitive, µ and u alike, "mmHg" = "mm[Hg]".
pub fn same_unit(a: &str, b: &str) -> bool {
    fn norm(u: &str) -> String {
        u.trim()
            .to_lowercase()
            .replace(['µ', 'μ'], "u")
            .replace("[hg]", "hg")
            .replace("{beats}", "")
            .replace(' ', "")
    }
    norm(a) == norm(b)
}

/// Which unit system the clinic reads results in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSystem {
    /// mmol/L, µmol/L, g/L (China's labs).
    #[default]
    Si,
    /// mg/dL, g/dL (US labs).
    Conventional,
}

impl Indicator {
    /// This indicator's numeric results among `observations` that `keep` accepts, as
    /// (time, value in the SI unit), oldest first; values that do not convert are left
    /// out.
    pub fn values_si(
        &self,
        observations: &[super::observation::Observation],
        keep: impl Fn(&super::observation::Observation) -> bool,
    ) -> Vec<(i64, f64)> {
        let mut values: Vec<(i64, f64)> = super::observation::in_force(observations)
            .into_iter()
            .filter(|o| self.codes.contains(&o.code.as_str()) && keep(o))
            .filter_map(|o| {
                let v = o.value.number()?.to_f64();
                let unit = o.unit.as_deref().unwrap_or(self.unit);
                Some((o.taken_at, self.convert(v, unit, self.unit)?))
            })
            .collect();
        values.sort_by_key(|(at, _)| *at);
        values
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        let chinese = lang.is_chinese();
        if chinese { self.zh } else { self.en }
    }

    /// The unit this clinic reads the indicator in.
    pub fn display_unit(&self, system: UnitSystem) -> &'static str {
        match (system, self.conventional) {
            (UnitSystem::Conventional, Some((unit, _))) => unit,
            _ => self.unit,
        }
    }

    /// A value from `unit` into `to`; `None` when the catalogue has no factor between them.
    pub fn convert(&self, value: f64, unit: &str, to: &str) -> Option<f64> {
        if same_unit(unit, to) {
            return Some(value);
        }
        let (conventional, factor) = self.conventional?;
        if same_unit(unit, self.unit) && same_unit(to, conventional) {
            Some(value * factor)
        } else if same_unit(unit, conventional) && same_unit(to, self.unit) {
            Some(value / factor)
        } else {
            None
        }
    }

    /// The default reference range for a sex, in the SI unit.
    pub fn range(&self, sex: Sex) -> (Option<f64>, Option<f64>) {
        match (sex, self.female) {
            (Sex::Female, Some(range)) => range,
            _ => (self.low, self.high),
        }
    }

    /// Decimals to show in a unit (the conventional unit of a small SI value needs fewer).
    pub fn decimals_in(&self, unit: &str) -> u8 {
        match self.conventional {
            Some((conventional, factor)) if same_unit(unit, conventional) => {
                if factor >= 10.0 {
                    0
                } else {
                    self.decimals + 1
                }
            }
            _ => self.decimals,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_required_indicator_is_there_with_both_names() {
        for key in [
            "systolic_bp",
            "diastolic_bp",
            "heart_rate",
            "height",
            "weight",
            "bmi",
            "waist",
            "glucose_fasting",
            "hba1c",
            "cholesterol_total",
            "hdl",
            "ldl",
            "triglycerides",
            "uric_acid",
            "creatinine",
            "egfr",
            "alt",
            "ast",
            "haemoglobin",
        ] {
            let i = by_key(key).unwrap_or_else(|| panic!("{key} missing"));
            assert!(!i.en.is_empty() && !i.zh.is_empty() && !i.codes.is_empty());
        }
        // No code belongs to two indicators.
        let mut codes: Vec<&str> = INDICATORS
            .iter()
            .flat_map(|i| i.codes.iter().copied())
            .collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn glucose_and_lipids_convert_both_ways() {
        let glucose = by_code("1558-6").unwrap();
        let mg = glucose.convert(5.6, "mmol/L", "mg/dL").unwrap();
        assert!((mg - 100.9).abs() < 0.1, "{mg}");
        let back = glucose.convert(182.0, "mg/dl", "mmol/l").unwrap();
        assert!((back - 10.1).abs() < 0.05, "{back}");
        let cholesterol = by_code("2093-3").unwrap();
        assert!((cholesterol.convert(200.0, "mg/dL", "mmol/L").unwrap() - 5.17).abs() < 0.01);
        let tg = by_code("2571-8").unwrap();
        assert!((tg.convert(1.7, "mmol/L", "mg/dL").unwrap() - 150.6).abs() < 0.1);
        assert_eq!(
            by_code("8480-6").unwrap().convert(120.0, "mmHg", "mm[Hg]"),
            Some(120.0)
        );
        assert_eq!(
            by_code("8480-6").unwrap().convert(120.0, "kPa", "mm[Hg]"),
            None
        );
    }

    #[test]
    fn ranges_by_sex() {
        let hb = by_key("haemoglobin").unwrap();
        assert_eq!(hb.range(Sex::Male), (Some(130.0), Some(175.0)));
        assert_eq!(hb.range(Sex::Female), (Some(115.0), Some(150.0)));
        assert_eq!(
            by_key("bmi").unwrap().range(Sex::Female),
            (Some(18.5), Some(23.9))
        );
    }
}
