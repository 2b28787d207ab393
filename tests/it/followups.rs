//! Nurse follow-up through the service: plans and the scheduler (idempotent), the
//! queue (groups, filters, consent), claims under concurrent nurses, calls by the
//! protocol (retries, missed, controlled, readings kept), the standard's rules (the
//! target from 65, two uncontrolled visits in a row, danger signs, glucose 3.9), the
//! visit kind kept and exported, never call again.

use crate::common;
use caredesk::clinic::api::{FollowUpPlanAdded, FollowUpScheduled, PatientCreated};

use std::sync::Arc;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::client::{InProcess, Signed};
use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter, QueueGroup, QueueView};
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::consent::{Channel, Decision, Method, Purpose};
use caredesk::domain::followup::{
    CallInput, ItemStatus, Kind, Outcome, ReferralReason, VisitClass, VisitKind,
};
use caredesk::domain::patient::{IdType, PatientId};
use chrono::Days;

const DAY: i64 = 86_400;

pub(crate) type Session = Signed<InProcess>;

pub(crate) fn patient(t: &TestClinic, n: u32, consent: bool) -> PatientId {
    born(
        t,
        n,
        consent,
        chrono::NaiveDate::from_ymd_opt(1960, 3, 1).unwrap(),
    )
}

fn born(t: &TestClinic, n: u32, consent: bool, birth: chrono::NaiveDate) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient(
        &format!("Follow Patient {n}"),
        &format!("1370000{n:04}"),
        &format!("FU-{n}"),
    );
    p.id_type = IdType::Other;
    p.birth_date = Some(birth);
    let Response::PatientCreated(PatientCreated { id }) =
        desk.call(Request::PatientCreate { patient: p })
    else {
        panic!()
    };
    if consent {
        set_consent(&desk, id, Decision::Granted);
    }
    id
}

pub(crate) fn set_consent(who: &Session, id: PatientId, decision: Decision) {
    let reply = who.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision,
        method: Method::Verbal,
    });
    assert!(matches!(reply, Response::Consent(_)), "{reply:?}");
}

pub(crate) fn add_plan(
    who: &Session,
    id: PatientId,
    kind: Kind,
    first_due: chrono::NaiveDate,
) -> u32 {
    match who.call(Request::FollowUpPlanAdd {
        id,
        kind,
        interval_days: 30,
        first_due,
        assigned: "nurses".into(),
    }) {
        Response::FollowUpPlanAdded(FollowUpPlanAdded { plan }) => plan,
        other => panic!("{other:?}"),
    }
}

pub(crate) fn queue(who: &Session, filter: QueueFilter) -> QueueView {
    match who.call(Request::FollowUpQueue {
        filter,
        offset: 0,
        limit: 50,
    }) {
        Response::FollowUpQueue(view) => *view,
        other => panic!("{other:?}"),
    }
}

pub(crate) fn call(outcome: Outcome, readings: &[(&str, f64)]) -> CallInput {
    CallInput {
        outcome,
        visit: VisitKind::Phone,
        readings: readings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        adherence: None,
        ticked: Vec::new(),
        symptoms: String::new(),
        side_effects: String::new(),
        notes: "spoke with the patient".into(),
        form: Default::default(),
    }
}

pub(crate) fn save(
    who: &Session,
    key: FollowUpKey,
    input: CallInput,
) -> caredesk::clinic::followup::api::CallSaved {
    assert!(matches!(
        who.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed { .. }
    ));
    match who.call(Request::FollowUpCallSave { key, input }) {
        Response::FollowUpCallSaved(saved) => *saved,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_scheduler_makes_due_follow_ups_once_and_the_queue_groups_and_filters_them() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let today = t.today();
    let a = patient(&t, 1, true);
    let b = patient(&t, 2, true);
    let c = patient(&t, 3, true);
    add_plan(&nurse, a, Kind::Hypertension, today);
    add_plan(&nurse, b, Kind::Diabetes, today + Days::new(3));
    // Due in a month: not in the queue until it comes within two weeks.
    add_plan(&nurse, c, Kind::PostExam, today + Days::new(30));
    let view = queue(&nurse, QueueFilter::default());
    assert_eq!(
        (view.counts.today, view.counts.upcoming, view.total),
        (1, 1, 2)
    );
    assert_eq!(view.rows[0].name, "Follow Patient 1");
    assert_eq!(view.rows[0].not_callable, None);
    let scheduled = |who: &Session| match who.call(Request::FollowUpSchedule) {
        Response::FollowUpScheduled(FollowUpScheduled { created }) => created,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        scheduled(&nurse),
        0,
        "nothing due within the horizon is missing"
    );
    t.clock.advance_secs(20 * DAY);
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(scheduled(&nurse), 1);
    assert_eq!(scheduled(&nurse), 0, "running it again makes nothing new");
    let view = queue(&nurse, QueueFilter::default());
    assert_eq!(
        (view.counts.overdue, view.counts.today, view.counts.upcoming),
        (2, 0, 1)
    );
    let overdue = queue(
        &nurse,
        QueueFilter {
            group: Some(QueueGroup::Overdue),
            ..Default::default()
        },
    );
    assert_eq!(overdue.total, 2);
    let diabetes = queue(
        &nurse,
        QueueFilter {
            kind: Some(Kind::Diabetes),
            ..Default::default()
        },
    );
    assert_eq!(diabetes.total, 1);
    assert_eq!(diabetes.rows[0].item.patient, b);
    // By tag (manual or automatic).
    nurse.call(Request::PatientSetTags {
        id: a,
        tags: vec!["VIP".into()],
    });
    let vip = queue(
        &nurse,
        QueueFilter {
            tag: Some("VIP".into()),
            ..Default::default()
        },
    );
    assert_eq!(vip.total, 1);
    assert_eq!(vip.rows[0].item.patient, a);
    assert_eq!(view.teams, ["nurses"]);
    // The front desk has no queue.
    let desk = t.sign_in(Role::FrontDesk);
    assert!(matches!(
        desk.call(Request::FollowUpSchedule),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn no_phone_consent_is_not_callable_and_never_call_again_empties_every_list() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 4, false);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    let view = queue(&nurse, QueueFilter::default());
    let row = &view.rows[0];
    assert_eq!(
        row.not_callable,
        Some(caredesk::clinic::followup::api::NotCallable::NoConsent)
    );
    let key = FollowUpKey::of(&row.item);
    assert!(matches!(
        nurse.call(Request::FollowUpClaim { key }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("consent")
    ));
    let desk = t.sign_in(Role::FrontDesk);
    set_consent(&desk, id, Decision::Granted);
    assert_eq!(
        queue(&nurse, QueueFilter::default()).rows[0].not_callable,
        None
    );
    // The patient asks never to be called again: every plan closes, the queue empties.
    set_consent(&desk, id, Decision::Refused);
    assert_eq!(queue(&nurse, QueueFilter::default()).total, 0);
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    assert!(chart.plans.iter().all(|p| matches!(
        &p.status,
        caredesk::domain::followup::PlanStatus::Closed { reason, .. }
            if *reason == caredesk::domain::followup::CloseReason::RefusedContact
    )));
}

#[test]
fn two_nurses_never_hold_one_follow_up() {
    let t = TestClinic::with_all_roles();
    let nurse = Arc::new(t.sign_in(Role::Nurse));
    let manager = Arc::new(t.sign_in(Role::HealthManager));
    let id = patient(&t, 5, true);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    let key = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let who = if i % 2 == 0 {
                Arc::clone(&nurse)
            } else {
                Arc::clone(&manager)
            };
            std::thread::spawn(move || (i % 2, who.call(Request::FollowUpClaim { key })))
        })
        .collect();
    let results: Vec<(usize, Response)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: std::collections::BTreeSet<usize> = results
        .iter()
        .filter(|(_, r)| matches!(r, Response::FollowUpClaimed { .. }))
        .map(|(who, _)| *who)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let loser = if winners.contains(&0) {
        &manager
    } else {
        &nurse
    };
    assert!(matches!(
        loser.call(Request::FollowUpClaim { key }),
        Response::Error(ServiceError::Conflict(m)) if m.to_string().contains("is calling")
    ));
    // The claim lapses after 15 minutes.
    t.clock.advance_secs(16 * 60);
    let manager = t.sign_in(Role::HealthManager);
    assert!(matches!(
        manager.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed { .. }
    ));
}

#[test]
fn calls_follow_the_protocol_tries_misses_and_controlled_readings() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 6, true);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    let key = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    // Saving without a claim is refused.
    assert!(matches!(
        nurse.call(Request::FollowUpCallSave { key, input: call(Outcome::NoAnswer, &[]) }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("claim")
    ));
    // No answer: tried again tomorrow, three tries in all.
    let first = save(&nurse, key, call(Outcome::NoAnswer, &[]));
    assert_eq!(first.status, ItemStatus::Due);
    assert_eq!(first.retry, Some(t.today() + Days::new(1)));
    save(&nurse, key, call(Outcome::Busy, &[]));
    let third = save(&nurse, key, call(Outcome::NoAnswer, &[]));
    assert_eq!(third.status, ItemStatus::Missed);
    assert!(third.flag.unwrap().contains("3 tries"));
    // The next follow-up is due in two weeks: in the queue at once.
    assert_eq!(third.next_due, Some(t.today() + Days::new(14)));
    let view = queue(&nurse, QueueFilter::default());
    assert_eq!(view.total, 1);
    let next = FollowUpKey::of(&view.rows[0].item);
    assert_eq!(next.seq, 2);
    // Reached, controlled: the next in three months (not yet in the queue); the
    // readings join the results.
    let reached = save(
        &nurse,
        next,
        call(
            Outcome::Reached,
            &[("systolic_bp", 128.0), ("diastolic_bp", 82.0)],
        ),
    );
    assert_eq!(reached.status, ItemStatus::Done);
    assert_eq!(reached.next_due, Some(t.today() + Days::new(90)));
    assert_eq!(queue(&nurse, QueueFilter::default()).total, 0);
    let Response::Observations(results) = nurse.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert!(results.iter().any(|o| o.code == "8480-6"));
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    assert_eq!(chart.calls.len(), 4);
    assert_eq!(chart.calls[0].controlled, Some(true));
    assert_eq!(chart.plans[0].next_due, t.today() + Days::new(90));
    // A reading at the referral threshold: flagged, the next call in two weeks, urgent.
    let id2 = patient(&t, 7, true);
    add_plan(&nurse, id2, Kind::Hypertension, t.today());
    let key2 = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    let urgent = save(
        &nurse,
        key2,
        call(
            Outcome::Reached,
            &[("systolic_bp", 185.0), ("diastolic_bp", 100.0)],
        ),
    );
    assert!(urgent.referral);
    let view = queue(&nurse, QueueFilter::default());
    assert_eq!(view.rows[0].item.priority, 1);
}

#[test]
fn a_new_automatic_tag_starts_a_follow_up_plan_once() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 8, true);
    let reading = |value: &str, at: i64| {
        caredesk::domain::observation::Observation::typed_in(
            "8480-6",
            caredesk::domain::decimal::Decimal::parse(value).unwrap(),
            "mm[Hg]",
            at,
        )
    };
    let add = |o| {
        assert_eq!(
            nurse.call(Request::ObservationAdd { id, observation: o }),
            Response::Done
        )
    };
    // High on three days: the hypertension screening rule tags, and the tag starts a plan.
    add(reading("150", t.now() - 60 * DAY));
    add(reading("152", t.now() - 30 * DAY));
    add(reading("148", t.now()));
    let plans = |who: &Session| match who.call(Request::FollowUpChart { id }) {
        Response::FollowUpChart(chart) => chart.plans,
        other => panic!("{other:?}"),
    };
    let made = plans(&nurse);
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].kind, made[0].source.as_str()),
        (Kind::Hypertension, "tag hypertension")
    );
    let view = queue(&nurse, QueueFilter::default());
    assert_eq!(view.total, 1);
    assert_eq!(view.rows[0].item.due, t.today());
    // More data, the same tag: nothing new.
    add(reading("150", t.now() - DAY));
    assert_eq!(plans(&nurse).len(), 1);
}

/// The one follow-up due for this patient.
fn due_for(who: &Session, id: PatientId) -> FollowUpKey {
    let view = queue(who, QueueFilter::default());
    let row = view
        .rows
        .iter()
        .find(|r| r.item.patient == id)
        .expect("a follow-up due for the patient");
    FollowUpKey::of(&row.item)
}

#[test]
fn the_standard_s_rules_through_the_service() {
    use chrono::Datelike;
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let today = t.today();
    let sixty_five = today.with_year(today.year() - 65).unwrap();
    let bp = |visit: VisitKind, s: f64, d: f64| CallInput {
        visit,
        ..call(Outcome::Reached, &[("systolic_bp", s), ("diastolic_bp", d)])
    };
    // 65 today: 146/88 is under the elderly target (150/90); a day younger it is not.
    let elderly = born(&t, 11, true, sixty_five);
    let younger = born(&t, 12, true, sixty_five + Days::new(1));
    add_plan(&nurse, elderly, Kind::Hypertension, today);
    add_plan(&nurse, younger, Kind::Hypertension, today);
    let controlled = save(
        &nurse,
        due_for(&nurse, elderly),
        bp(VisitKind::Clinic, 146.0, 88.0),
    );
    assert_eq!(controlled.class, Some(VisitClass::Controlled));
    assert!(!controlled.referral && controlled.reasons.is_empty());
    assert_eq!(controlled.next_due, Some(today + Days::new(90)));
    let first = save(
        &nurse,
        due_for(&nurse, younger),
        bp(VisitKind::Phone, 146.0, 88.0),
    );
    assert_eq!(first.class, Some(VisitClass::Uncontrolled));
    assert!(
        !first.referral,
        "the first uncontrolled visit does not refer"
    );
    assert_eq!(first.next_due, Some(today + Days::new(14)));
    // Two weeks on, at home, still not controlled: referral, and the referral is
    // followed up in two weeks, urgently.
    t.clock.advance_secs(14 * DAY);
    let nurse = t.sign_in(Role::Nurse);
    let second = save(
        &nurse,
        due_for(&nurse, younger),
        bp(VisitKind::Home, 144.0, 92.0),
    );
    assert!(second.referral);
    assert_eq!(second.reasons, [ReferralReason::Uncontrolled { visits: 2 }]);
    assert_eq!(second.next_due, Some(t.today() + Days::new(14)));
    assert!(second.flag.unwrap().starts_with("referral"));
    let next = queue(&nurse, QueueFilter::default());
    let row = next
        .rows
        .iter()
        .find(|r| r.item.patient == younger)
        .unwrap();
    assert_eq!(row.item.priority, 1);
    // The chart keeps how each was made, the class and the reasons.
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id: younger }) else {
        panic!()
    };
    let kinds: Vec<VisitKind> = chart.calls.iter().map(|c| c.input.visit).collect();
    assert_eq!(kinds, [VisitKind::Home, VisitKind::Phone]);
    assert_eq!(chart.calls[0].reasons, second.reasons);
    assert_eq!(chart.calls[1].class, Some(VisitClass::Uncontrolled));

    // Diabetes: a danger sign ticked refers at a good glucose; 3.9 itself refers.
    let dm = born(&t, 13, true, sixty_five);
    add_plan(&nurse, dm, Kind::Diabetes, t.today());
    let view = || match nurse.call(Request::FollowUpCallView {
        key: due_for(&nurse, dm),
    }) {
        Response::FollowUpCall(view) => *view,
        other => panic!("{other:?}"),
    };
    let key = due_for(&nurse, dm);
    assert!(matches!(
        nurse.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed { .. }
    ));
    let shown = view();
    assert!(shown.checklist.iter().any(|c| c.key == "acetone_breath"));
    assert!(shown.asks.contains(&"heart_rate".to_string()));
    // A sign not on the checklist is refused, and nothing is saved.
    let unknown = CallInput {
        ticked: vec!["sneezing".into()],
        ..call(Outcome::Reached, &[("glucose_fasting", 6.0)])
    };
    assert!(matches!(
        nurse.call(Request::FollowUpCallSave { key, input: unknown }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("checklist")
    ));
    // A slip of the finger is not a reading: nothing saved, nothing referred.
    let slip = call(Outcome::Reached, &[("glucose_fasting", 66.0)]);
    let refused = nurse.call(Request::FollowUpCallSave { key, input: slip });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Invalid(m))
            if m.to_string() == "Fasting glucose 66 mmol/L is outside what can be measured (0.5–60): check the number"),
        "{refused:?}"
    );
    // Each possible alone, impossible together: typed the wrong way round.
    let swapped = call(
        Outcome::Reached,
        &[("systolic_bp", 90.0), ("diastolic_bp", 150.0)],
    );
    let refused = nurse.call(Request::FollowUpCallSave {
        key,
        input: swapped,
    });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Invalid(m))
            if m.to_string().starts_with("diastolic 150 mmHg is not below systolic 90 mmHg")),
        "{refused:?}"
    );
    let sign = save(
        &nurse,
        key,
        CallInput {
            visit: VisitKind::Clinic,
            ticked: vec!["acetone_breath".into()],
            ..call(Outcome::Reached, &[("glucose_fasting", 6.0)])
        },
    );
    assert_eq!(sign.class, Some(VisitClass::Controlled));
    assert!(sign.referral);
    assert!(sign.reasons[0].emergency());
    assert!(
        matches!(&sign.reasons[0], ReferralReason::Sign { key, .. } if key == "acetone_breath")
    );
    assert!(sign.flag.unwrap().starts_with("emergency referral"));
    t.clock.advance_secs(14 * DAY);
    let nurse = t.sign_in(Role::Nurse);
    let low = save(
        &nurse,
        due_for(&nurse, dm),
        call(Outcome::Reached, &[("glucose_fasting", 3.9)]),
    );
    assert_eq!(
        low.reasons,
        [ReferralReason::Reading {
            indicator: "glucose_fasting".into(),
            value: 3.9
        }]
    );

    // The patient's export carries the calls with how each was made.
    let doctor = t.sign_in(Role::Doctor);
    let Response::PatientExport(export) = doctor.call(Request::PatientExport {
        key: "13700000012".into(),
    }) else {
        panic!()
    };
    let visits: Vec<VisitKind> = export.calls.iter().map(|c| c.input.visit).collect();
    assert_eq!(visits, [VisitKind::Phone, VisitKind::Home]);
    assert_eq!(export.followup_plans.len(), 1);
    let json = serde_json::to_value(&export.calls[1]).unwrap();
    assert_eq!(json["input"]["visit"], "home");
}

#[test]
fn the_call_screen_shows_the_last_visit_of_its_own_plan() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 21, true);
    // Followed for hypertension (plan 1) and diabetes (plan 2).
    let hypertension = add_plan(&nurse, id, Kind::Hypertension, t.today());
    add_plan(&nurse, id, Kind::Diabetes, t.today());
    let key_of = |who: &Session, kind: Kind| {
        let view = queue(who, QueueFilter::default());
        let row = view
            .rows
            .iter()
            .find(|r| r.item.patient == id && r.item.kind == kind)
            .expect("the plan's follow-up is due");
        FollowUpKey::of(&row.item)
    };
    let mut high = call(
        Outcome::Reached,
        &[("systolic_bp", 152.0), ("diastolic_bp", 96.0)],
    );
    high.notes = "hypertension visit".into();
    save(&nurse, key_of(&nurse, Kind::Hypertension), high);
    // A day later the diabetes call: later in time, higher in plan number.
    t.clock.advance_secs(86_400);
    let nurse = t.sign_in(Role::Nurse);
    let mut fine = call(Outcome::Reached, &[("glucose_fasting", 6.0)]);
    fine.notes = "diabetes visit".into();
    save(&nurse, key_of(&nurse, Kind::Diabetes), fine);
    // Two weeks on, the hypertension follow-up shows the hypertension visit.
    t.clock.advance_secs(14 * 86_400);
    let nurse = t.sign_in(Role::Nurse);
    let key = key_of(&nurse, Kind::Hypertension);
    assert!(matches!(
        nurse.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed { .. }
    ));
    let Response::FollowUpCall(view) = nurse.call(Request::FollowUpCallView { key }) else {
        panic!("a call view")
    };
    let last = view.last_call.expect("a last visit");
    assert_eq!(
        (last.plan, last.input.notes.as_str()),
        (hypertension, "hypertension visit")
    );
}

#[test]
fn a_call_typed_at_an_idle_sign_out_is_kept_for_its_nurse_alone_for_twelve_hours() {
    use caredesk::domain::draft::CallDraft;
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 6, true);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    let key = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    assert!(matches!(
        nurse.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed { .. }
    ));
    let typed = CallDraft {
        patient: key.patient,
        plan: key.plan,
        seq: key.seq,
        fields: vec!["r".into(), "1".into(), "146".into(), "Feels dizzy".into()],
        saved_unix: 0,
    };
    let kept = nurse.call(Request::LogoutIdle {
        draft: Some(typed.clone()),
    });
    assert_eq!(kept, Response::Done);
    // The session is over.
    assert!(matches!(
        nurse.call(Request::CallDraftTake),
        Response::Error(ServiceError::NotSignedIn | ServiceError::SessionExpired)
    ));
    // Another nurse (the health manager works follow-ups too) gets nothing of it.
    let other = t.sign_in(Role::HealthManager);
    assert_eq!(other.call(Request::CallDraftTake), Response::KeptCall(None));
    // She gets it back once, as typed.
    let again = t.sign_in(Role::Nurse);
    let Response::KeptCall(Some(back)) = again.call(Request::CallDraftTake) else {
        panic!("the kept call")
    };
    assert_eq!(back.fields, typed.fields);
    assert_eq!(
        (back.patient, back.plan, back.seq),
        (key.patient, key.plan, key.seq)
    );
    assert_eq!(again.call(Request::CallDraftTake), Response::KeptCall(None));
    // Kept again, it is gone after twelve hours.
    assert_eq!(
        again.call(Request::LogoutIdle {
            draft: Some(typed.clone())
        }),
        Response::Done
    );
    t.clock.advance_secs(12 * 3600 + 1);
    let late = t.sign_in(Role::Nurse);
    assert_eq!(late.call(Request::CallDraftTake), Response::KeptCall(None));
    // Audited with the patient as subject; the text never in the log.
    let auditor = t.sign_in(Role::Auditor);
    let log = crate::common::clinic::audit_rows(&auditor);
    assert!(
        log.iter()
            .any(|e| e.action == "logout.idle" && e.subjects.contains(&key.patient.to_string()))
    );
    assert!(log.iter().any(
        |e| e.action == "followup.draft_take" && e.subjects.contains(&key.patient.to_string())
    ));
    assert!(!log.iter().any(|e| e.detail.contains("dizzy")));
}
