//! Disease risk models (疾病风险评估). Each says its name, version and source, checks
//! that the person is inside the ranges it was validated for, and refuses to guess:
//! a missing measured input is listed, an input outside the validated range is named.
//!
//! - 10-year ASCVD risk, 2013 ACC/AHA Pooled Cohort Equations (Goff et al., Circulation
//!   2014;129:S49–S73, Table A); "other" race uses the white equations.
//! - 10-year general cardiovascular risk, Framingham (D'Agostino et al., Circulation
//!   2008;117:743–753, Table 2, the lipid model).
//! - China-PAR is left out: its coefficients must come from the paper or its
//!   supplement, which this build could not consult.

use serde::{Deserialize, Serialize};

use super::patient::Sex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Race {
    White,
    AfricanAmerican,
    Other,
}

/// What a cardiovascular model needs; `None` for what the record does not hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CvInputs {
    pub age: Option<f64>,
    pub sex: Option<Sex>,
    pub race: Option<Race>,
    /// mg/dL.
    pub total_cholesterol: Option<f64>,
    /// mg/dL.
    pub hdl: Option<f64>,
    /// mm Hg.
    pub systolic: Option<f64>,
    pub treated_for_hypertension: bool,
    pub smoker: bool,
    pub diabetes: bool,
}

// Finite numbers only (read from results, checked against ranges): equality is total.
impl Eq for CvInputs {}
impl Eq for Refusal {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub key: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub source: &'static str,
}

pub const PCE: Model = Model {
    key: "ascvd_pce",
    name: "10-year ASCVD risk (Pooled Cohort Equations)",
    version: "2013 ACC/AHA",
    source: "Goff DC Jr et al. 2013 ACC/AHA guideline on the assessment of cardiovascular risk. Circulation 2014;129(25 Suppl 2):S49-S73, Table A",
};

pub const FRAMINGHAM: Model = Model {
    key: "framingham_cvd",
    name: "10-year general cardiovascular risk (Framingham)",
    version: "2008",
    source: "D'Agostino RB Sr et al. General cardiovascular risk profile for use in primary care. Circulation 2008;117:743-753, Table 2",
};

/// Why a model gives no number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Refusal {
    /// Measured inputs the record lacks (never assumed): their names.
    Missing(Vec<String>),
    /// An input outside the range the model was validated for: name, value, range.
    OutOfRange {
        input: String,
        value: f64,
        low: f64,
        high: f64,
    },
}

impl Refusal {
    /// Why there is no result, in the reader's language.
    pub fn text(&self) -> crate::i18n::Text {
        match self {
            Refusal::Missing(names) => crate::text!("msg.risk.missing")
                .arg_list("inputs", names.iter().map(|n| input_text(n)).collect()),
            Refusal::OutOfRange {
                input,
                value,
                low,
                high,
            } => crate::text!(
                "msg.risk.out_of_range",
                value = value,
                low = low,
                high = high
            )
            .arg_text("input", input_text(input)),
        }
    }
}

/// A model input by its stored (English) name, named in the reader's language.
fn input_text(name: &str) -> crate::i18n::Text {
    let key = match name {
        "age" => "msg.risk.input_age",
        "total cholesterol (mg/dL)" => "msg.risk.input_total_cholesterol",
        "HDL cholesterol (mg/dL)" => "msg.risk.input_hdl",
        "systolic blood pressure (mm Hg)" => "msg.risk.input_systolic",
        "sex" => "msg.risk.input_sex",
        "sex (female or male)" => "msg.risk.input_sex_binary",
        "a FINDRISC questionnaire" => "msg.risk.input_findrisc",
        _ => "",
    };
    crate::i18n::Text::known_or(key, name)
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().english())
    }
}

/// The inputs a model needs, present and in range.
struct Checked {
    age: f64,
    female: bool,
    tc: f64,
    hdl: f64,
    sbp: f64,
}

fn check(inputs: &CvInputs, ranges: &[(&str, Option<f64>, f64, f64)]) -> Result<(), Refusal> {
    let missing: Vec<String> = ranges
        .iter()
        .filter(|(_, v, _, _)| v.is_none())
        .map(|(n, _, _, _)| n.to_string())
        .chain(inputs.sex.is_none().then(|| "sex".to_string()))
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::Missing(missing));
    }
    for (name, value, low, high) in ranges {
        let v = value.unwrap_or_default();
        if v < *low || v > *high {
            return Err(Refusal::OutOfRange {
                input: name.to_string(),
                value: v,
                low: *low,
                high: *high,
            });
        }
    }
    Ok(())
}

fn checked(
    inputs: &CvInputs,
    age: (f64, f64),
    tc: (f64, f64),
    hdl: (f64, f64),
    sbp: (f64, f64),
) -> Result<Checked, Refusal> {
    check(
        inputs,
        &[
            ("age", inputs.age, age.0, age.1),
            (
                "total cholesterol (mg/dL)",
                inputs.total_cholesterol,
                tc.0,
                tc.1,
            ),
            ("HDL cholesterol (mg/dL)", inputs.hdl, hdl.0, hdl.1),
            (
                "systolic blood pressure (mm Hg)",
                inputs.systolic,
                sbp.0,
                sbp.1,
            ),
        ],
    )?;
    let sex = inputs.sex.unwrap_or_default();
    if !matches!(sex, Sex::Female | Sex::Male) {
        return Err(Refusal::Missing(vec!["sex (female or male)".into()]));
    }
    Ok(Checked {
        age: inputs.age.unwrap_or_default(),
        female: sex == Sex::Female,
        tc: inputs.total_cholesterol.unwrap_or_default(),
        hdl: inputs.hdl.unwrap_or_default(),
        sbp: inputs.systolic.unwrap_or_default(),
    })
}

/// One Pooled Cohort equation (Goff et al., Table A).
struct Pce {
    ln_age: f64,
    ln_age_sq: f64,
    ln_tc: f64,
    ln_age_ln_tc: f64,
    ln_hdl: f64,
    ln_age_ln_hdl: f64,
    ln_treated_sbp: f64,
    ln_age_ln_treated_sbp: f64,
    ln_untreated_sbp: f64,
    ln_age_ln_untreated_sbp: f64,
    smoker: f64,
    ln_age_smoker: f64,
    diabetes: f64,
    baseline_survival: f64,
    mean: f64,
}

const PCE_WHITE_WOMEN: Pce = Pce {
    ln_age: -29.799,
    ln_age_sq: 4.884,
    ln_tc: 13.540,
    ln_age_ln_tc: -3.114,
    ln_hdl: -13.578,
    ln_age_ln_hdl: 3.149,
    ln_treated_sbp: 2.019,
    ln_age_ln_treated_sbp: 0.0,
    ln_untreated_sbp: 1.957,
    ln_age_ln_untreated_sbp: 0.0,
    smoker: 7.574,
    ln_age_smoker: -1.665,
    diabetes: 0.661,
    baseline_survival: 0.9665,
    mean: -29.18,
};

const PCE_AFRICAN_AMERICAN_WOMEN: Pce = Pce {
    ln_age: 17.114,
    ln_age_sq: 0.0,
    ln_tc: 0.940,
    ln_age_ln_tc: 0.0,
    ln_hdl: -18.920,
    ln_age_ln_hdl: 4.475,
    ln_treated_sbp: 29.291,
    ln_age_ln_treated_sbp: -6.432,
    ln_untreated_sbp: 27.820,
    ln_age_ln_untreated_sbp: -6.087,
    smoker: 0.691,
    ln_age_smoker: 0.0,
    diabetes: 0.874,
    baseline_survival: 0.9533,
    mean: 86.61,
};

const PCE_WHITE_MEN: Pce = Pce {
    ln_age: 12.344,
    ln_age_sq: 0.0,
    ln_tc: 11.853,
    ln_age_ln_tc: -2.664,
    ln_hdl: -7.990,
    ln_age_ln_hdl: 1.769,
    ln_treated_sbp: 1.797,
    ln_age_ln_treated_sbp: 0.0,
    ln_untreated_sbp: 1.764,
    ln_age_ln_untreated_sbp: 0.0,
    smoker: 7.837,
    ln_age_smoker: -1.795,
    diabetes: 0.658,
    baseline_survival: 0.9144,
    mean: 61.18,
};

const PCE_AFRICAN_AMERICAN_MEN: Pce = Pce {
    ln_age: 2.469,
    ln_age_sq: 0.0,
    ln_tc: 0.302,
    ln_age_ln_tc: 0.0,
    ln_hdl: -0.307,
    ln_age_ln_hdl: 0.0,
    ln_treated_sbp: 1.916,
    ln_age_ln_treated_sbp: 0.0,
    ln_untreated_sbp: 1.809,
    ln_age_ln_untreated_sbp: 0.0,
    smoker: 0.549,
    ln_age_smoker: 0.0,
    diabetes: 0.645,
    baseline_survival: 0.8954,
    mean: 19.54,
};

/// 10-year ASCVD risk (0–1) by the Pooled Cohort Equations: ages 40–79, total
/// cholesterol 130–320 mg/dL, HDL 20–100 mg/dL, systolic 90–200 mm Hg.
pub fn pce(inputs: &CvInputs) -> Result<f64, Refusal> {
    let c = checked(
        inputs,
        (40.0, 79.0),
        (130.0, 320.0),
        (20.0, 100.0),
        (90.0, 200.0),
    )?;
    let african_american = inputs.race == Some(Race::AfricanAmerican);
    let eq = match (c.female, african_american) {
        (true, false) => &PCE_WHITE_WOMEN,
        (true, true) => &PCE_AFRICAN_AMERICAN_WOMEN,
        (false, false) => &PCE_WHITE_MEN,
        (false, true) => &PCE_AFRICAN_AMERICAN_MEN,
    };
    let (la, lt, lh, ls) = (c.age.ln(), c.tc.ln(), c.hdl.ln(), c.sbp.ln());
    let mut sum = eq.ln_age * la
        + eq.ln_age_sq * la * la
        + eq.ln_tc * lt
        + eq.ln_age_ln_tc * la * lt
        + eq.ln_hdl * lh
        + eq.ln_age_ln_hdl * la * lh;
    sum += if inputs.treated_for_hypertension {
        eq.ln_treated_sbp * ls + eq.ln_age_ln_treated_sbp * la * ls
    } else {
        eq.ln_untreated_sbp * ls + eq.ln_age_ln_untreated_sbp * la * ls
    };
    if inputs.smoker {
        sum += eq.smoker + eq.ln_age_smoker * la;
    }
    if inputs.diabetes {
        sum += eq.diabetes;
    }
    Ok(1.0 - eq.baseline_survival.powf((sum - eq.mean).exp()))
}

/// 10-year general CVD risk (0–1) by Framingham 2008 (lipid model): ages 30–74, total
/// cholesterol 100–405 mg/dL, HDL 10–100 mg/dL, systolic 90–200 mm Hg.
pub fn framingham(inputs: &CvInputs) -> Result<f64, Refusal> {
    let c = checked(
        inputs,
        (30.0, 74.0),
        (100.0, 405.0),
        (10.0, 100.0),
        (90.0, 200.0),
    )?;
    // (ln age, ln TC, ln HDL, ln untreated SBP, ln treated SBP, smoker, diabetes,
    //  baseline survival, mean of the sum)
    let (b_age, b_tc, b_hdl, b_usbp, b_tsbp, b_smoke, b_dm, s0, mean) = if c.female {
        (
            2.32888, 1.20904, -0.70833, 2.76157, 2.82263, 0.52873, 0.69154, 0.95012, 26.1931,
        )
    } else {
        (
            3.06117, 1.12370, -0.93263, 1.93303, 1.99881, 0.65451, 0.57367, 0.88936, 23.9802,
        )
    };
    let sbp = if inputs.treated_for_hypertension {
        b_tsbp
    } else {
        b_usbp
    };
    let sum = b_age * c.age.ln()
        + b_tc * c.tc.ln()
        + b_hdl * c.hdl.ln()
        + sbp * c.sbp.ln()
        + if inputs.smoker { b_smoke } else { 0.0 }
        + if inputs.diabetes { b_dm } else { 0.0 };
    Ok(1.0 - f64::powf(s0, (sum - mean).exp()))
}

/// The ACC/AHA 2019 bands of the 10-year ASCVD risk.
pub fn pce_band(risk: f64) -> &'static str {
    match risk * 100.0 {
        r if r < 5.0 => "low",
        r if r < 7.5 => "borderline",
        r if r < 20.0 => "intermediate",
        _ => "high",
    }
}

/// The Chinese 2019 guideline's bands of a 10-year cardiovascular risk.
pub fn chinese_band(risk: f64) -> &'static str {
    match risk * 100.0 {
        r if r < 5.0 => "low",
        r if r < 10.0 => "intermediate",
        _ => "high",
    }
}

/// Framingham 2008's own categories: < 10 % low, 10–20 % intermediate, > 20 % high.
pub fn framingham_band(risk: f64) -> &'static str {
    match risk * 100.0 {
        r if r < 10.0 => "low",
        r if r <= 20.0 => "intermediate",
        _ => "high",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(sex: Sex, race: Race) -> CvInputs {
        // The Pooled Cohort Equations' worked example (Goff et al., Table A).
        CvInputs {
            age: Some(55.0),
            sex: Some(sex),
            race: Some(race),
            total_cholesterol: Some(213.0),
            hdl: Some(50.0),
            systolic: Some(120.0),
            treated_for_hypertension: false,
            smoker: false,
            diabetes: false,
        }
    }

    fn percent(r: Result<f64, Refusal>) -> f64 {
        r.map(|r| r * 100.0).unwrap_or(f64::NAN)
    }

    #[test]
    fn pce_reproduces_the_published_worked_example() {
        // Published: 2.1 %, 3.0 %, 5.3 %, 6.1 %. The paper's table sums rounded logs
        // (white men: 60.69 where the exact sum is 60.70, 5.38 %), so the published
        // figures are matched within their stated precision of 0.1 point.
        for (sex, race, published) in [
            (Sex::Female, Race::White, 2.1),
            (Sex::Female, Race::AfricanAmerican, 3.0),
            (Sex::Male, Race::White, 5.3),
            (Sex::Male, Race::AfricanAmerican, 6.1),
        ] {
            let got = percent(pce(&example(sex, race)));
            assert!(
                (got - published).abs() <= 0.1,
                "{sex:?} {race:?}: {got:.2} % vs {published} %"
            );
        }
        // "Other" race uses the white equations.
        assert_eq!(
            pce(&example(Sex::Male, Race::Other)),
            pce(&example(Sex::Male, Race::White))
        );
    }

    #[test]
    fn framingham_reproduces_the_paper_s_example() {
        // D'Agostino et al. 2008: a 61-year-old woman, total cholesterol 180 mg/dL,
        // HDL 47, untreated systolic 124, smoker, no diabetes: 10.48 %.
        let woman = CvInputs {
            age: Some(61.0),
            sex: Some(Sex::Female),
            race: None,
            total_cholesterol: Some(180.0),
            hdl: Some(47.0),
            systolic: Some(124.0),
            treated_for_hypertension: false,
            smoker: true,
            diabetes: false,
        };
        let got = percent(framingham(&woman));
        assert!((got - 10.48).abs() < 0.01, "{got}");
        assert_eq!(framingham_band(got / 100.0), "intermediate");
    }

    #[test]
    fn risk_rises_with_each_factor() {
        let base = example(Sex::Male, Race::White);
        let r0 = pce(&base).unwrap_or_default();
        for change in [
            |i: &mut CvInputs| i.smoker = true,
            |i: &mut CvInputs| i.diabetes = true,
            |i: &mut CvInputs| i.systolic = Some(160.0),
            |i: &mut CvInputs| i.age = Some(65.0),
        ] {
            let mut i = base.clone();
            change(&mut i);
            assert!(pce(&i).unwrap_or_default() > r0);
            assert!(framingham(&i).unwrap_or_default() > framingham(&base).unwrap_or_default());
        }
    }

    #[test]
    fn missing_and_out_of_range_inputs_are_named_not_guessed() {
        let mut i = example(Sex::Female, Race::White);
        i.hdl = None;
        i.total_cholesterol = None;
        assert_eq!(
            pce(&i),
            Err(Refusal::Missing(vec![
                "total cholesterol (mg/dL)".into(),
                "HDL cholesterol (mg/dL)".into()
            ]))
        );
        let mut young = example(Sex::Female, Race::White);
        young.age = Some(35.0);
        let refusal = pce(&young).err().map(|r| r.to_string()).unwrap_or_default();
        assert!(refusal.contains("age 35 is outside the 40-79"), "{refusal}");
        assert!(framingham(&young).is_ok(), "Framingham covers 30-74");
        let mut unknown = example(Sex::Female, Race::White);
        unknown.sex = Some(Sex::Unknown);
        assert!(matches!(pce(&unknown), Err(Refusal::Missing(_))));
    }

    #[test]
    fn bands() {
        assert_eq!(pce_band(0.049), "low");
        assert_eq!(pce_band(0.06), "borderline");
        assert_eq!(pce_band(0.12), "intermediate");
        assert_eq!(pce_band(0.25), "high");
        assert_eq!(chinese_band(0.049), "low");
        assert_eq!(chinese_band(0.099), "intermediate");
        assert_eq!(chinese_band(0.10), "high");
    }
}
