//! The demo's follow-ups: for each hypertension and diabetes patient a plan with its
//! past visits — at the clinic, at home and by phone — decided by the shipped
//! protocols as the service would have, and the next follow-up due a few days either
//! side of today (so the queue has overdue, today's and upcoming calls). An elderly
//! patient's 146/88 counts as controlled (target < 150/90 from 65); every third
//! hypertensive patient under 65 was not controlled at two visits in a row and was
//! referred.

use chrono::NaiveDate;

use crate::domain::followup::{
    Adherence, Call, CallInput, FollowUp, FollowUpPlan, History, ItemStatus, Kind, Outcome,
    PlanStatus, Protocols, VisitKind, decide,
};
use crate::domain::followup_form::StandardForm;
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

const DAY: i64 = 86_400;

/// One past visit: days before now, how it was made, the readings, the note.
type Visit = (i64, VisitKind, Vec<(&'static str, f64)>, &'static str);

/// The visits a plan of this kind had, by the patient's age, the demo seed and the
/// patient's place in the demo.
fn visits(kind: Kind, age: Option<u32>, (seed, index): (usize, usize)) -> Vec<Visit> {
    let bp = |s: f64, d: f64| vec![("systolic_bp", s), ("diastolic_bp", d)];
    match kind {
        Kind::Diabetes => vec![
            (
                180,
                VisitKind::Clinic,
                vec![("glucose_fasting", 6.8)],
                "空腹血糖控制尚可。",
            ),
            (
                90,
                if seed.is_multiple_of(2) {
                    VisitKind::Home
                } else {
                    VisitKind::Phone
                },
                vec![("glucose_fasting", 6.6)],
                "按时服药，每天步行30分钟。",
            ),
        ],
        _ if age.is_some_and(|a| a >= 65) => vec![
            (
                180,
                VisitKind::Clinic,
                bp(144.0, 86.0),
                "老年患者，目标150/90以下。",
            ),
            (90, VisitKind::Home, bp(146.0, 88.0), "入户随访，按时服药。"),
        ],
        // Not controlled twice in a row: referred, the referral followed up in 2 weeks.
        _ if index.is_multiple_of(3) => vec![
            (120, VisitKind::Clinic, bp(138.0, 86.0), "按时服药。"),
            (30, VisitKind::Phone, bp(152.0, 94.0), "近期漏服药物。"),
            (
                16,
                VisitKind::Clinic,
                bp(150.0, 92.0),
                "连续两次未控制，建议转诊。",
            ),
        ],
        _ => vec![
            (180, VisitKind::Clinic, bp(134.0, 84.0), "按时服药。"),
            (
                90,
                VisitKind::Phone,
                bp(136.0, 84.0),
                "按时服药，每天步行30分钟。",
            ),
        ],
    }
}

/// The rest of the 随访服务记录表 for a demo visit: all of it face to face, the
/// lifestyle and medicines by phone; a referral the doctor writes at the third visit
/// of a patient not controlled twice.
fn record_form(
    kind: Kind,
    visit: VisitKind,
    seq: u32,
    day: NaiveDate,
    seed: usize,
) -> StandardForm {
    use crate::domain::followup_form::{FootPulse, Grade, Hypoglycaemia, Medicine, Pair, Salt};
    fn pair<T>(now: T, target: T) -> Pair<T> {
        Pair {
            now: Some(now),
            target: Some(target),
        }
    }
    let smoker = seed.is_multiple_of(3);
    let face_to_face = visit != VisitKind::Phone;
    let mut form = StandardForm {
        cigarettes: if smoker { pair(10, 5) } else { pair(0, 0) },
        alcohol_liang: if seed.is_multiple_of(4) {
            pair(2.0, 1.0)
        } else {
            pair(0.0, 0.0)
        },
        exercise_per_week: pair(3, 5),
        exercise_minutes: pair(30, 30),
        psychology: Some(Grade::Good),
        compliance: Some(if seq == 2 { Grade::Fair } else { Grade::Good }),
        ..StandardForm::default()
    };
    if face_to_face {
        form.weight = pair(if kind == Kind::Diabetes { 68.5 } else { 74.0 }, 70.0);
    }
    match kind {
        Kind::Diabetes => {
            form.staple_grams = pair(300, 250);
            form.hypoglycaemia = Some(Hypoglycaemia::None);
            form.medicines = vec![Medicine {
                name: "二甲双胍片".into(),
                usage: "每日3次 每次0.5g".into(),
            }];
            if face_to_face {
                form.foot_pulse = Some(FootPulse::Normal);
                form.hba1c = day.pred_opt().map(|d| (7.1, d));
            }
        }
        _ => {
            form.salt = Pair {
                now: Some(Salt::Moderate),
                target: Some(Salt::Light),
            };
            form.medicines = vec![Medicine {
                name: "苯磺酸氨氯地平片".into(),
                usage: "每日1次 每次5mg".into(),
            }];
        }
    }
    form
}

/// Stages the plans (each kind with why it was made), their past visits and the next
/// follow-up due; returns the calls and the follow-ups.
pub fn stage(
    vault: &Vault,
    writes: &mut WriteSet,
    (id, birth): (&PatientId, Option<NaiveDate>),
    kinds: &[(Kind, String)],
    (seed, index): (usize, usize),
    (today, now): (NaiveDate, i64),
) -> Result<(Vec<Call>, Vec<FollowUp>), StoreError> {
    let protocols = Protocols::built_in();
    let mut staged = (Vec::new(), Vec::new());
    let date_of = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .unwrap_or_default()
            .date_naive()
    };
    for (number, (kind, source)) in (1u32..).zip(kinds) {
        let kind = *kind;
        let Some(protocol) = protocols.get(kind) else {
            continue;
        };
        // Spreads the visits, and so the next due date, around today.
        let offset = (seed % 7) as i64 - 3;
        let assigned = if seed.is_multiple_of(2) {
            "nurses"
        } else {
            "chen.jing"
        };
        let item = |seq: u32, status: ItemStatus, due: NaiveDate| FollowUp {
            patient: *id,
            plan: number,
            seq,
            kind,
            due,
            at_time: None,
            priority: protocol.priority,
            assigned: assigned.into(),
            status,
            tries: 0,
            claim: None,
            flag: None,
        };
        let age = birth.and_then(|b| today.years_since(b));
        let mut calls: Vec<Call> = Vec::new();
        let mut next_due = today;
        let mut last = None;
        for (seq, (days_ago, visit, readings, notes)) in
            (1u32..).zip(visits(kind, age, (seed, index)))
        {
            let at = now - (days_ago - offset) * DAY;
            let day = date_of(at);
            let done = item(seq, ItemStatus::Done, day);
            let mut form = record_form(kind, visit, seq, day, seed);
            if notes.contains("转诊") {
                form.referral_reason = "连续两次血压控制不满意".into();
                form.referral_to = "北京市朝阳医院 心血管内科".into();
            }
            let input = CallInput {
                outcome: Outcome::Reached,
                visit,
                readings: readings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                adherence: Some(Adherence::Regular),
                ticked: Vec::new(),
                symptoms: String::new(),
                side_effects: String::new(),
                notes: notes.into(),
                form,
            };
            let earlier: Vec<&Call> = calls.iter().rev().collect();
            let history = History {
                latest: &[],
                age,
                earlier: &earlier,
            };
            let decision = decide(protocol, &done, &input, &history, 90, day);
            next_due = decision.next_due.unwrap_or(today);
            let call = Call {
                plan: number,
                seq,
                kind,
                input,
                // The doctor sees the patients who come in; the nurse calls and visits.
                by: if visit == VisitKind::Clinic {
                    "dr.zhou"
                } else {
                    "chen.jing"
                }
                .into(),
                at,
                controlled: decision.controlled,
                referral: decision.referral,
                next_due: decision.next_due,
                class: decision.class,
                reasons: decision.reasons.clone(),
                suggested: decision.suggested,
            };
            vault.stage_followup(writes, &done)?;
            staged.1.push(done);
            calls.push(call);
            last = Some(decision);
        }
        let mut due = item(calls.len() as u32 + 1, ItemStatus::Due, next_due);
        if let Some(decision) = last.filter(|d| d.referral) {
            due.priority = 1;
            due.flag = decision.flag;
        }
        let plan = FollowUpPlan {
            number,
            kind,
            interval_days: 90,
            next_due,
            assigned: assigned.into(),
            status: PlanStatus::Active,
            source: source.clone(),
            created: now - 200 * DAY,
        };
        vault.stage_followup_plan(writes, id, &plan)?;
        vault.stage_followup(writes, &due)?;
        staged.1.push(due);
        for call in calls {
            vault.stage_call(writes, id, &call)?;
            staged.0.push(call);
        }
    }
    Ok(staged)
}
