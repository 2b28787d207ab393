//! The 规范's 随访服务记录表 on the call screen: for hypertension and diabetes, the
//! fields after the call's own, in the paper form's order (signs, lifestyle now and
//! target, tests, medicines, the class, a referral). Choices are typed as numbers;
//! while such a field has the focus the left side lists them.

use crate::domain::followup::{Kind, VisitClass};
use crate::domain::followup_form::{
    FootPulse, Grade, Hypoglycaemia, Salt, StandardForm, parse_hba1c, parse_medicines, parse_pair,
};
use crate::tui::screens::Form;

pub const HYPERTENSION: [&str; 14] = [
    "weight",
    "other_signs",
    "cigarettes",
    "alcohol",
    "exercise_per_week",
    "exercise_minutes",
    "salt",
    "psychology",
    "compliance",
    "other_tests",
    "medicines",
    "class",
    "referral_reason",
    "referral_to",
];

pub const DIABETES: [&str; 18] = [
    "weight",
    "foot_pulse",
    "other_signs",
    "cigarettes",
    "alcohol",
    "exercise_per_week",
    "exercise_minutes",
    "staple",
    "psychology",
    "compliance",
    "hba1c",
    "other_tests",
    "hypoglycaemia",
    "medicines",
    "insulin",
    "class",
    "referral_reason",
    "referral_to",
];

/// The record form's fields for a follow-up of `kind` (none for other kinds).
pub fn fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Hypertension => &HYPERTENSION,
        Kind::Diabetes => &DIABETES,
        _ => &[],
    }
}

/// The classes by the digit typed for them.
pub const CLASSES: [VisitClass; 4] = [
    VisitClass::Controlled,
    VisitClass::Uncontrolled,
    VisitClass::AdverseReaction,
    VisitClass::Complication,
];

fn choice<T: Copy>(text: &str, all: &[T]) -> Result<Option<T>, ()> {
    let text = crate::domain::followup_form::ascii_digits(text);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<usize>()
        .ok()
        .and_then(|n| all.get(n.wrapping_sub(1)))
        .copied()
        .map(Some)
        .ok_or(())
}

/// The record form as typed from field `base` on, or each wrong field's index and
/// the message key saying what to type.
pub fn parse(
    kind: Kind,
    form: &Form,
    base: usize,
    today: chrono::NaiveDate,
) -> Result<StandardForm, Vec<(usize, &'static str)>> {
    let mut out = StandardForm::default();
    let mut problems = Vec::new();
    let keys = fields(kind);
    for (i, key) in keys.iter().enumerate() {
        let at = base + i;
        let text = form.value(at).trim();
        let bad = match *key {
            "weight" => parse_pair(text).map(|p| out.weight = p).is_none(),
            "cigarettes" => parse_pair(text).map(|p| out.cigarettes = p).is_none(),
            "alcohol" => parse_pair(text).map(|p| out.alcohol_liang = p).is_none(),
            "exercise_per_week" => parse_pair(text)
                .map(|p| out.exercise_per_week = p)
                .is_none(),
            "exercise_minutes" => parse_pair(text).map(|p| out.exercise_minutes = p).is_none(),
            "staple" => parse_pair(text).map(|p| out.staple_grams = p).is_none(),
            "salt" => match parse_pair::<usize>(text) {
                Some(p) => {
                    let pick =
                        |n: Option<usize>| n.map(|n| Salt::ALL.get(n.wrapping_sub(1)).copied());
                    match (pick(p.now), pick(p.target)) {
                        (Some(None), _) | (_, Some(None)) => true,
                        (now, target) => {
                            out.salt.now = now.flatten();
                            out.salt.target = target.flatten();
                            false
                        }
                    }
                }
                None => true,
            },
            "foot_pulse" => choice(text, &FootPulse::ALL)
                .map(|c| out.foot_pulse = c)
                .is_err(),
            "psychology" => choice(text, &Grade::ALL)
                .map(|c| out.psychology = c)
                .is_err(),
            "compliance" => choice(text, &Grade::ALL)
                .map(|c| out.compliance = c)
                .is_err(),
            "hypoglycaemia" => choice(text, &Hypoglycaemia::ALL)
                .map(|c| out.hypoglycaemia = c)
                .is_err(),
            "class" => choice(text, &CLASSES).map(|c| out.class = c).is_err(),
            "hba1c" => parse_hba1c(text).map(|h| out.hba1c = h).is_none(),
            "medicines" => {
                out.medicines = parse_medicines(text);
                false
            }
            "other_signs" => {
                out.other_signs = text.to_string();
                false
            }
            "other_tests" => {
                out.other_tests = text.to_string();
                false
            }
            "insulin" => {
                out.insulin = text.to_string();
                false
            }
            "referral_reason" => {
                out.referral_reason = text.to_string();
                false
            }
            "referral_to" => {
                out.referral_to = text.to_string();
                false
            }
            _ => false,
        };
        if bad {
            problems.push((at, format_key(key)));
        }
    }
    // In range, as the service checks it: the message names what is allowed.
    if problems.is_empty()
        && let Some((label, allowed)) = out.problem(today)
        && let Some(i) = keys.iter().position(|k| label == format!("call.form.{k}"))
    {
        let message = match keys[i] {
            // A place without the reason: the reason is what is missing.
            "referral_reason" => "call.form_need_reason",
            "hba1c" if allowed.contains(" – ") => "call.form_hba1c_day",
            _ if allowed == "text" => "call.form_bad_text",
            _ => "call.form_out_of_range",
        };
        problems.push((base + i, message));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The message for a field that does not read: what its format is.
fn format_key(key: &str) -> &'static str {
    match key {
        "weight" | "cigarettes" | "alcohol" | "exercise_per_week" | "exercise_minutes"
        | "staple" | "salt" => "call.form_bad_pair",
        "hba1c" => "call.form_bad_hba1c",
        _ => "call.form_bad_choice",
    }
}

/// The help shown at the left while field `key` has the focus.
pub fn help_key(key: &str) -> Option<String> {
    let help = match key {
        "cigarettes" | "alcohol" | "exercise_per_week" | "exercise_minutes" | "staple" => "pair",
        "other_signs" | "other_tests" => return None,
        other => other,
    };
    Some(format!("call.form_help.{help}"))
}
