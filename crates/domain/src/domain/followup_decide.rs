//! What a call does to its follow-up, by the protocol: tried again, missed, or done
//! with the plan's next date; for a patient reached, the visit's class (控制满意 /
//! 不满意 / 不良反应 / 并发症) and any referral with its reasons: an emergency reading or
//! danger sign whatever else, two visits in a row not controlled or with an adverse
//! reaction, a new or worse complication. 国家基本公共卫生服务规范（第三版）.

use chrono::{Days, NaiveDate};

use super::followup::{Call, CallInput, FollowUp, ItemStatus, Outcome, ReferralReason, VisitClass};
use super::followup_flag::Flag;
use super::followup_protocol::{Protocol, SymptomEffect};
use crate::i18n::Lang;

/// What a call does to its follow-up, by the protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: ItemStatus,
    /// The item is tried again then (not answered, callback).
    pub retry: Option<(NaiveDate, Option<i64>)>,
    /// The next follow-up of the plan falls due then.
    pub next_due: Option<NaiveDate>,
    pub controlled: Option<bool>,
    pub class: Option<VisitClass>,
    /// The protocol's class, when the clinician chose another (`class` is theirs).
    pub suggested: Option<VisitClass>,
    pub referral: bool,
    /// Why it refers (empty: no referral).
    pub reasons: Vec<ReferralReason>,
    pub flag: Option<String>,
}

/// What the protocol needs to know beyond the call itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct History<'a> {
    /// The patient's latest readings on record (indicator → SI value), used for a
    /// reading the patient does not report.
    pub latest: &'a [(String, f64)],
    /// The patient's age in whole years today, when the date of birth is known.
    pub age: Option<u32>,
    /// The plan's earlier calls that reached the patient, newest first.
    pub earlier: &'a [&'a Call],
}

/// Applies the protocol to a call.
pub fn decide(
    protocol: &Protocol,
    item: &FollowUp,
    input: &CallInput,
    history: &History<'_>,
    interval_days: u32,
    today: NaiveDate,
) -> Decision {
    let after = |days: u32| today.checked_add_days(Days::new(u64::from(days)));
    let mut decision = Decision {
        status: ItemStatus::Done,
        retry: None,
        next_due: None,
        controlled: None,
        class: None,
        suggested: None,
        referral: false,
        reasons: Vec::new(),
        flag: None,
    };
    match &input.outcome {
        Outcome::NoAnswer | Outcome::Busy => {
            if item.tries + 1 < protocol.tries {
                decision.status = ItemStatus::Due;
                decision.retry = after(protocol.retry_days).map(|d| (d, None));
            } else {
                decision.status = ItemStatus::Missed;
                decision.flag = Some(
                    Flag::NotReached {
                        tries: protocol.tries,
                    }
                    .text(Lang::En),
                );
                decision.next_due = after(protocol.uncontrolled_days);
            }
        }
        Outcome::WrongNumber => {
            decision.status = ItemStatus::Missed;
            decision.flag = Some(Flag::WrongNumber.text(Lang::En));
            decision.next_due = after(protocol.uncontrolled_days);
        }
        Outcome::Callback(at) => {
            decision.status = ItemStatus::Due;
            let day = chrono::DateTime::from_timestamp(*at, 0)
                .map(|t| t.date_naive())
                .unwrap_or(today);
            decision.retry = Some((day.max(today), Some(*at)));
        }
        Outcome::Refused => {
            decision.next_due = after(interval_days.max(protocol.controlled_days));
        }
        Outcome::Reached => {
            reached(protocol, input, history, &mut decision);
            clinician_decides(input, &mut decision);
            let days = match decision.class {
                Some(VisitClass::Controlled) if !decision.referral => protocol.controlled_days,
                Some(_) => protocol.uncontrolled_days,
                None if decision.referral => protocol.uncontrolled_days,
                None => interval_days.max(1),
            };
            decision.next_due = after(days);
            // An emergency reason first: it is what the team must act on.
            decision.flag = decision
                .reasons
                .iter()
                .find(|r| r.emergency())
                .or(decision.reasons.first())
                .map(ReferralReason::flag);
        }
    }
    decision
}

/// The class and the referral reasons of a visit that reached the patient.
fn reached(protocol: &Protocol, input: &CallInput, history: &History<'_>, decision: &mut Decision) {
    let value_of = |key: &str| {
        input
            .readings
            .iter()
            .chain(history.latest)
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    };
    let mut reasons = Vec::new();
    // Emergency readings, each indicator once (its first threshold met).
    for t in protocol.refer.iter().filter(|t| t.applies_to(history.age)) {
        if let Some(value) = value_of(&t.indicator).filter(|v| t.met_by(*v))
            && !reasons.iter().any(
                |r| matches!(r, ReferralReason::Reading { indicator, .. } if *indicator == t.indicator),
            )
        {
            reasons.push(ReferralReason::Reading {
                indicator: t.indicator.clone(),
                value,
            });
        }
    }
    let ticked = |effect: SymptomEffect| {
        protocol
            .symptoms
            .iter()
            .filter(move |s| s.effect == effect && input.ticked.contains(&s.key))
    };
    // Danger signs refer whatever the reading; one that needs a reading alongside
    // refers with it, or when no such reading is at hand.
    for sign in ticked(SymptomEffect::Emergency) {
        let values: Vec<bool> = sign
            .with
            .iter()
            .filter_map(|t| value_of(&t.indicator).map(|v| t.met_by(v)))
            .collect();
        if values.is_empty() || values.iter().any(|met| *met) {
            reasons.push(ReferralReason::Sign {
                key: sign.key.clone(),
                en: sign.en.clone(),
                zh: sign.zh.clone(),
            });
        }
    }
    let targets: Vec<_> = protocol
        .controlled
        .iter()
        .filter(|t| t.applies_to(history.age))
        .collect();
    let controlled = (!targets.is_empty()).then(|| {
        targets
            .iter()
            .all(|t| value_of(&t.indicator).is_some_and(|v| t.met_by(v)))
    });
    let adverse = !input.side_effects.trim().is_empty();
    let complication = ticked(SymptomEffect::Complication).next().is_some();
    let class = if complication {
        Some(VisitClass::Complication)
    } else {
        match controlled {
            Some(false) => Some(VisitClass::Uncontrolled),
            _ if adverse => Some(VisitClass::AdverseReaction),
            Some(true) => Some(VisitClass::Controlled),
            None => None,
        }
    };
    if complication {
        reasons.push(ReferralReason::Complication);
    }
    // Visits in a row not controlled, or with an adverse drug reaction, counting this
    // one: the standard refers at the second.
    if protocol.refer_after > 0 {
        let run = |this: bool, earlier: &dyn Fn(&Call) -> bool| {
            if !this {
                return 0;
            }
            1 + history.earlier.iter().take_while(|c| earlier(c)).count() as u32
        };
        let uncontrolled = run(controlled == Some(false), &|c| c.controlled == Some(false));
        if uncontrolled >= protocol.refer_after {
            reasons.push(ReferralReason::Uncontrolled {
                visits: uncontrolled,
            });
        }
        let reactions = run(adverse, &|c| !c.input.side_effects.trim().is_empty());
        if reactions >= protocol.refer_after {
            reasons.push(ReferralReason::AdverseReaction { visits: reactions });
        }
    }
    decision.controlled = controlled;
    decision.class = class;
    decision.referral = !reasons.is_empty();
    decision.reasons = reasons;
}

/// The record form's 此次随访分类 is the clinician's, the protocol's offered as the
/// default: a chosen class replaces it (and sets the next date), the protocol's kept
/// beside it. A chosen 并发症 refers, as the standard has it; a referral the clinician
/// writes refers too. Emergency reasons stay whatever is chosen.
fn clinician_decides(input: &CallInput, decision: &mut Decision) {
    let form = &input.form;
    if let Some(chosen) = form.class
        && decision.class != Some(chosen)
    {
        decision.suggested = decision.class;
        decision.class = Some(chosen);
        // The protocol's complication and run-of-visits reasons rested on its class
        // (emergency reasons are never among them).
        let reasons = &mut decision.reasons;
        match chosen {
            VisitClass::Complication => {
                if !reasons.contains(&ReferralReason::Complication) {
                    reasons.push(ReferralReason::Complication);
                }
            }
            VisitClass::Controlled => {
                decision.controlled = Some(true);
                reasons.retain(|r| {
                    !matches!(
                        r,
                        ReferralReason::Complication | ReferralReason::Uncontrolled { .. }
                    )
                });
            }
            VisitClass::Uncontrolled => {
                decision.controlled = Some(false);
                reasons.retain(|r| *r != ReferralReason::Complication);
            }
            VisitClass::AdverseReaction => reasons.retain(|r| *r != ReferralReason::Complication),
        }
    }
    let reason = form.referral_reason.trim();
    if !reason.is_empty() {
        decision.reasons.push(ReferralReason::Clinician {
            reason: reason.to_string(),
            to: form.referral_to.trim().to_string(),
        });
    }
    decision.referral = !decision.reasons.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::followup::{Adherence, Kind, Protocols, VisitKind};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(kind: Kind, tries: u32) -> FollowUp {
        FollowUp {
            patient: crate::domain::patient::PatientId([1; 16]),
            plan: 1,
            seq: 1,
            kind,
            due: day(2026, 11, 23),
            at_time: None,
            priority: 2,
            assigned: "nurses".into(),
            status: ItemStatus::Due,
            tries,
            claim: None,
            flag: None,
        }
    }

    fn call(outcome: Outcome, readings: &[(&str, f64)], side_effects: &str) -> CallInput {
        CallInput {
            outcome,
            visit: VisitKind::Clinic,
            readings: readings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            adherence: Some(Adherence::Regular),
            ticked: Vec::new(),
            symptoms: String::new(),
            side_effects: side_effects.into(),
            notes: String::new(),
            form: Default::default(),
        }
    }

    fn reached(readings: &[(&str, f64)], ticked: &[&str]) -> CallInput {
        CallInput {
            ticked: ticked.iter().map(|s| s.to_string()).collect(),
            ..call(Outcome::Reached, readings, "")
        }
    }

    /// An earlier call of the plan that reached the patient.
    fn earlier(controlled: bool, side_effects: &str) -> Call {
        Call {
            plan: 1,
            seq: 1,
            kind: Kind::Hypertension,
            input: call(Outcome::Reached, &[], side_effects),
            by: "chen.jing".into(),
            at: 1_790_000_000,
            controlled: Some(controlled),
            referral: false,
            next_due: None,
            class: None,
            reasons: Vec::new(),
            suggested: None,
        }
    }

    const IN_TWO_WEEKS: Option<NaiveDate> = NaiveDate::from_ymd_opt(2026, 12, 7);
    const IN_THREE_MONTHS: Option<NaiveDate> = NaiveDate::from_ymd_opt(2027, 2, 21);

    /// (protocol, tries so far, call) → (status, next due, retry, controlled, referral)
    type Case<'a> = (
        &'a Protocol,
        u32,
        CallInput,
        ItemStatus,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<bool>,
        bool,
    );

    #[test]
    fn outcomes_and_intervals() {
        let protocols = Protocols::built_in();
        assert_eq!(protocols.protocols.len(), Kind::ALL.len());
        let today = day(2026, 11, 23);
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let dm = protocols.get(Kind::Diabetes).unwrap();
        let bp_call = |s: f64, d: f64, side: &str| {
            call(
                Outcome::Reached,
                &[("systolic_bp", s), ("diastolic_bp", d)],
                side,
            )
        };
        #[rustfmt::skip]
        let cases: Vec<Case<'_>> = vec![
            // Controlled: 3 months.
            (bp, 0, bp_call(132.0, 84.0, ""), ItemStatus::Done, IN_THREE_MONTHS, None, Some(true), false),
            // Not controlled: 2 weeks.
            (bp, 0, bp_call(152.0, 84.0, ""), ItemStatus::Done, IN_TWO_WEEKS, None, Some(false), false),
            // Controlled but an adverse reaction: 2 weeks.
            (bp, 0, bp_call(128.0, 80.0, "ankle swelling"), ItemStatus::Done, IN_TWO_WEEKS, None, Some(true), false),
            // At the emergency threshold.
            (bp, 0, bp_call(182.0, 100.0, ""), ItemStatus::Done, IN_TWO_WEEKS, None, Some(false), true),
            (dm, 0, call(Outcome::Reached, &[("glucose_fasting", 6.4)], ""), ItemStatus::Done, IN_THREE_MONTHS, None, Some(true), false),
            (dm, 0, call(Outcome::Reached, &[("glucose_fasting", 3.5)], ""), ItemStatus::Done, IN_TWO_WEEKS, None, Some(true), true),
            // No answer: tried again tomorrow, three tries in all, then flagged.
            (bp, 0, call(Outcome::NoAnswer, &[], ""), ItemStatus::Due, None, Some(day(2026, 11, 24)), None, false),
            (bp, 1, call(Outcome::Busy, &[], ""), ItemStatus::Due, None, Some(day(2026, 11, 24)), None, false),
            (bp, 2, call(Outcome::NoAnswer, &[], ""), ItemStatus::Missed, IN_TWO_WEEKS, None, None, false),
            (bp, 0, call(Outcome::WrongNumber, &[], ""), ItemStatus::Missed, IN_TWO_WEEKS, None, None, false),
        ];
        for (i, (protocol, tries, input, status, next, retry, controlled, referral)) in
            cases.into_iter().enumerate()
        {
            let history = History {
                age: Some(58),
                ..History::default()
            };
            let d = decide(
                protocol,
                &item(protocol.kind, tries),
                &input,
                &history,
                90,
                today,
            );
            assert_eq!(d.status, status, "case {i}");
            assert_eq!(d.next_due, next, "case {i}");
            assert_eq!(d.retry.map(|r| r.0), retry, "case {i}");
            assert_eq!(d.controlled, controlled, "case {i}");
            assert_eq!(d.referral, referral, "case {i}");
            if input.outcome == Outcome::Reached {
                assert_eq!(d.referral, d.flag.is_some(), "case {i}");
            }
        }
        // At least four a year: controlled every 90 days.
        assert!(bp.controlled_days * bp.visits_per_year <= 366);
    }

    /// (what, protocol, age, earlier calls newest first, call) → (class, reasons,
    /// next due)
    type RuleCase<'a> = (
        &'a str,
        &'a Protocol,
        Option<u32>,
        Vec<&'a Call>,
        CallInput,
        Option<VisitClass>,
        Vec<ReferralReason>,
        Option<NaiveDate>,
    );

    #[test]
    fn the_standards_rules() {
        let protocols = Protocols::built_in();
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let dm = protocols.get(Kind::Diabetes).unwrap();
        let today = day(2026, 11, 23);
        let (was_uncontrolled, was_controlled, had_reaction) = (
            earlier(false, ""),
            earlier(true, ""),
            earlier(true, "cough"),
        );
        use ReferralReason as R;
        use VisitClass as C;
        let reading = |indicator: &str, value: f64| R::Reading {
            indicator: indicator.into(),
            value,
        };
        let sign = |p: &Protocol, key: &str| {
            let s = p.symptoms.iter().find(|s| s.key == key).unwrap();
            R::Sign {
                key: s.key.clone(),
                en: s.en.clone(),
                zh: s.zh.clone(),
            }
        };
        #[rustfmt::skip]
        let cases: Vec<RuleCase<'_>> = vec![
            ("64 at 146/88: over 140", bp, Some(64), vec![], reached(&[("systolic_bp", 146.0), ("diastolic_bp", 88.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("65 at 146/88: under 150", bp, Some(65), vec![], reached(&[("systolic_bp", 146.0), ("diastolic_bp", 88.0)], &[]), Some(C::Controlled), vec![], IN_THREE_MONTHS),
            ("65 at 150/88: 150 is not under 150", bp, Some(65), vec![], reached(&[("systolic_bp", 150.0), ("diastolic_bp", 88.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("65 at 146/90: diastolic 90 is not under 90", bp, Some(65), vec![], reached(&[("systolic_bp", 146.0), ("diastolic_bp", 90.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("64 at 139/89", bp, Some(64), vec![], reached(&[("systolic_bp", 139.0), ("diastolic_bp", 89.0)], &[]), Some(C::Controlled), vec![], IN_THREE_MONTHS),
            ("age unknown: the general target", bp, None, vec![], reached(&[("systolic_bp", 146.0), ("diastolic_bp", 88.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("second uncontrolled in a row refers", bp, Some(58), vec![&was_uncontrolled], reached(&[("systolic_bp", 150.0), ("diastolic_bp", 92.0)], &[]), Some(C::Uncontrolled), vec![R::Uncontrolled { visits: 2 }], IN_TWO_WEEKS),
            ("uncontrolled after controlled does not", bp, Some(58), vec![&was_controlled, &was_uncontrolled], reached(&[("systolic_bp", 150.0), ("diastolic_bp", 92.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("controlled after uncontrolled does not", bp, Some(58), vec![&was_uncontrolled], reached(&[("systolic_bp", 132.0), ("diastolic_bp", 82.0)], &[]), Some(C::Controlled), vec![], IN_THREE_MONTHS),
            ("elderly 146/88 twice is controlled twice", bp, Some(70), vec![&was_controlled], reached(&[("systolic_bp", 146.0), ("diastolic_bp", 88.0)], &[]), Some(C::Controlled), vec![], IN_THREE_MONTHS),
            ("symptom only refers at a good reading", bp, Some(58), vec![], reached(&[("systolic_bp", 128.0), ("diastolic_bp", 78.0)], &["headache"]),
                Some(C::Controlled),
                vec![sign(bp, "headache")],
                IN_TWO_WEEKS,
            ),
            ("a recorded symptom does not refer", bp, Some(58), vec![], reached(&[("systolic_bp", 128.0), ("diastolic_bp", 78.0)], &["numb_limbs"]),
                Some(C::Controlled),
                vec![],
                IN_THREE_MONTHS,
            ),
            ("systolic 180 refers", bp, Some(58), vec![], reached(&[("systolic_bp", 180.0), ("diastolic_bp", 95.0)], &[]), Some(C::Uncontrolled), vec![reading("systolic_bp", 180.0)], IN_TWO_WEEKS),
            ("systolic 179 does not", bp, Some(58), vec![], reached(&[("systolic_bp", 179.0), ("diastolic_bp", 95.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("diastolic 110 refers", bp, Some(70), vec![], reached(&[("systolic_bp", 148.0), ("diastolic_bp", 110.0)], &[]), Some(C::Uncontrolled), vec![reading("diastolic_bp", 110.0)], IN_TWO_WEEKS),
            ("heart rate 101 refers, 100 does not", bp, Some(58), vec![], reached(&[("systolic_bp", 130.0), ("diastolic_bp", 80.0), ("heart_rate", 101.0)], &[]),
                Some(C::Controlled),
                vec![reading("heart_rate", 101.0)],
                IN_TWO_WEEKS,
            ),
            ("heart rate 100", bp, Some(58), vec![], reached(&[("systolic_bp", 130.0), ("diastolic_bp", 80.0), ("heart_rate", 100.0)], &[]),
                Some(C::Controlled),
                vec![],
                IN_THREE_MONTHS,
            ),
            ("pregnant with high BP refers", bp, Some(30), vec![], reached(&[("systolic_bp", 142.0), ("diastolic_bp", 86.0)], &["pregnant"]),
                Some(C::Uncontrolled),
                vec![sign(bp, "pregnant")],
                IN_TWO_WEEKS,
            ),
            ("pregnant with normal BP does not", bp, Some(30), vec![], reached(&[("systolic_bp", 118.0), ("diastolic_bp", 76.0)], &["pregnant"]),
                Some(C::Controlled),
                vec![],
                IN_THREE_MONTHS,
            ),
            ("complication: class and referral", bp, Some(58), vec![], reached(&[("systolic_bp", 130.0), ("diastolic_bp", 80.0)], &["complication"]),
                Some(C::Complication),
                vec![R::Complication],
                IN_TWO_WEEKS,
            ),
            ("adverse reaction twice refers", bp, Some(58), vec![&had_reaction], call(Outcome::Reached, &[("systolic_bp", 130.0), ("diastolic_bp", 80.0)], "cough"),
                Some(C::AdverseReaction),
                vec![R::AdverseReaction { visits: 2 }],
                IN_TWO_WEEKS,
            ),
            ("glucose 3.9 refers (inclusive)", dm, Some(58), vec![], reached(&[("glucose_fasting", 3.9)], &[]), Some(C::Controlled), vec![reading("glucose_fasting", 3.9)], IN_TWO_WEEKS),
            ("glucose 4.0 does not", dm, Some(58), vec![], reached(&[("glucose_fasting", 4.0)], &[]), Some(C::Controlled), vec![], IN_THREE_MONTHS),
            ("glucose 16.7 refers", dm, Some(58), vec![], reached(&[("glucose_fasting", 16.7)], &[]), Some(C::Uncontrolled), vec![reading("glucose_fasting", 16.7)], IN_TWO_WEEKS),
            ("glucose 16.6 does not", dm, Some(58), vec![], reached(&[("glucose_fasting", 16.6)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("glucose 7.0 is not controlled", dm, Some(58), vec![], reached(&[("glucose_fasting", 7.0)], &[]), Some(C::Uncontrolled), vec![], IN_TWO_WEEKS),
            ("two fasting ≥ 7.0 in a row refer", dm, Some(58), vec![&was_uncontrolled], reached(&[("glucose_fasting", 8.2)], &[]), Some(C::Uncontrolled), vec![R::Uncontrolled { visits: 2 }], IN_TWO_WEEKS),
            ("ketoacidosis sign at a good glucose", dm, Some(58), vec![], reached(&[("glucose_fasting", 6.2)], &["acetone_breath", "deep_breathing"]),
                Some(C::Controlled),
                vec![sign(dm, "acetone_breath"), sign(dm, "deep_breathing")],
                IN_TWO_WEEKS,
            ),
            ("fever over 39", dm, Some(58), vec![], reached(&[("glucose_fasting", 6.2)], &["fever"]), Some(C::Controlled), vec![sign(dm, "fever")], IN_TWO_WEEKS),
            ("diabetes: systolic 180", dm, Some(58), vec![], reached(&[("glucose_fasting", 6.2), ("systolic_bp", 181.0)], &[]), Some(C::Controlled), vec![reading("systolic_bp", 181.0)], IN_TWO_WEEKS),
            ("pregnant, sugar unknown: the sign refers", dm, Some(30), vec![], reached(&[], &["pregnant"]), Some(C::Uncontrolled), vec![sign(dm, "pregnant")], IN_TWO_WEEKS),
        ];
        for (what, protocol, age, earlier, input, class, reasons, next) in cases {
            let history = History {
                latest: &[],
                age,
                earlier: &earlier,
            };
            let d = decide(
                protocol,
                &item(protocol.kind, 0),
                &input,
                &history,
                90,
                today,
            );
            assert_eq!(d.class, class, "{what}");
            assert_eq!(d.reasons, reasons, "{what}");
            assert_eq!(d.referral, !reasons.is_empty(), "{what}");
            assert_eq!(d.next_due, next, "{what}");
            if !reasons.is_empty() {
                let flag = d.flag.unwrap_or_default();
                let emergency = reasons.iter().any(|r| r.emergency());
                assert_eq!(flag.starts_with("emergency"), emergency, "{what}: {flag}");
                // The queue's flag names no reading and no sign.
                assert!(
                    !flag.contains(|c: char| c.is_ascii_digit()) || !emergency,
                    "{flag}"
                );
            }
        }
    }

    #[test]
    fn without_readings_the_latest_on_record_decide_and_a_callback_keeps_its_time() {
        let protocols = Protocols::built_in();
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let today = day(2026, 11, 23);
        let latest = vec![
            ("systolic_bp".to_string(), 128.0),
            ("diastolic_bp".to_string(), 82.0),
        ];
        let history = History {
            latest: &latest,
            ..History::default()
        };
        let d = decide(
            bp,
            &item(Kind::Hypertension, 0),
            &call(Outcome::Reached, &[], ""),
            &history,
            90,
            today,
        );
        assert_eq!(d.controlled, Some(true));
        let at = day(2026, 11, 25)
            .and_hms_opt(15, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let d = decide(
            bp,
            &item(Kind::Hypertension, 1),
            &call(Outcome::Callback(at), &[], ""),
            &History::default(),
            90,
            today,
        );
        assert_eq!(d.status, ItemStatus::Due);
        assert_eq!(d.retry, Some((day(2026, 11, 25), Some(at))));
    }

    #[test]
    fn the_clinician_chooses_the_class_and_the_protocols_is_kept_beside_it() {
        let protocols = Protocols::built_in();
        let bp = protocols.get(Kind::Hypertension).unwrap();
        let today = day(2026, 11, 23);
        let history = History {
            age: Some(60),
            ..History::default()
        };
        let decide_with = |class: Option<VisitClass>, reason: &str| {
            let mut input = reached(&[("systolic_bp", 146.0), ("diastolic_bp", 88.0)], &[]);
            input.form.class = class;
            input.form.referral_reason = reason.into();
            input.form.referral_to = if reason.is_empty() {
                ""
            } else {
                "市第一医院 心内科"
            }
            .into();
            decide(
                bp,
                &item(Kind::Hypertension, 0),
                &input,
                &history,
                90,
                today,
            )
        };
        // Left empty: the protocol's class.
        let d = decide_with(None, "");
        assert_eq!(
            (d.class, d.suggested),
            (Some(VisitClass::Uncontrolled), None)
        );
        // The clinician's differs: theirs decides the next date, the protocol's is kept.
        let d = decide_with(Some(VisitClass::Controlled), "");
        assert_eq!(d.class, Some(VisitClass::Controlled));
        assert_eq!(d.suggested, Some(VisitClass::Uncontrolled));
        assert_eq!((d.controlled, d.next_due), (Some(true), IN_THREE_MONTHS));
        assert!(!d.referral);
        // 并发症 chosen refers; a written referral refers with its words.
        let d = decide_with(Some(VisitClass::Complication), "");
        assert!(d.referral && d.reasons.contains(&ReferralReason::Complication));
        let d = decide_with(None, "血压波动大，需调整用药");
        assert!(d.referral);
        assert_eq!(
            d.reasons.last().unwrap().text(Lang::ZhCn),
            "血压波动大，需调整用药（转至市第一医院 心内科）"
        );
        assert_eq!(d.flag.as_deref(), Some("referral: the clinician refers"));
        // An emergency reading refers whatever class is chosen.
        let mut input = reached(&[("systolic_bp", 186.0), ("diastolic_bp", 96.0)], &[]);
        input.form.class = Some(VisitClass::Controlled);
        let d = decide(
            bp,
            &item(Kind::Hypertension, 0),
            &input,
            &history,
            90,
            today,
        );
        assert!(d.referral && d.reasons.iter().any(|r| r.emergency()));
    }
}
