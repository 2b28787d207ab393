//! The health record and its amendments: every change kept with who, when, why and
//! the value before; stale saves refused; values checked; the front desk amends
//! demographics only.

use crate::common;
use caredesk::clinic::api::{PatientCreated, SearchResults};

use crate::common::clinic::{TestClinic, role_user};
use crate::common::{entries, patient};
use caredesk::auth::Role;
use caredesk::clinic::{LookupKind, Request, Response, ServiceError};
use caredesk::domain::amendment::{Section, SectionValue};
use caredesk::domain::health::{Condition, Lifestyle, Smoking};
use caredesk::domain::patient::{IdType, PatientId};

fn registered(t: &TestClinic, name: &str, phone: &str, id_number: &str) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = patient(name, phone, id_number);
    p.id_type = IdType::Other;
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

fn amend(
    client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>,
    id: PatientId,
    before: SectionValue,
    after: SectionValue,
    reason: &str,
) -> Response {
    client.call(Request::HealthAmend {
        id,
        before,
        after,
        reason: reason.into(),
    })
}

#[test]
fn every_amendment_keeps_who_when_why_and_the_value_before() {
    let t = TestClinic::with_all_roles();
    let id = registered(&t, "Li Na", "13700000001", "P100");
    let nurse = t.sign_in(Role::Nurse);
    let doctor = t.sign_in(Role::Doctor);
    let first = entries(Section::Allergies, &["penicillin"]);
    assert!(matches!(
        amend(
            &nurse,
            id,
            entries(Section::Allergies, &[]),
            first.clone(),
            "intake interview"
        ),
        Response::Health(_)
    ));
    let second = entries(Section::Allergies, &["penicillin", "latex"]);
    let Response::Health(record) = amend(
        &doctor,
        id,
        first.clone(),
        second.clone(),
        "reaction at the last exam",
    ) else {
        panic!()
    };
    assert_eq!(record.allergies.len(), 2);

    let Response::History(history) = doctor.call(Request::RecordHistory {
        id,
        section: Some(Section::Allergies),
    }) else {
        panic!()
    };
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].by.as_str(), history[0].role),
        (role_user(Role::Nurse).as_str(), Role::Nurse)
    );
    assert_eq!(history[0].before, entries(Section::Allergies, &[]));
    assert_eq!(history[0].after, first);
    assert_eq!(history[1].reason, "reaction at the last exam");
    assert_eq!(history[1].before, first);
    assert_eq!(history[1].after, second);
    assert!(history[0].at <= history[1].at && history[0].at > 0);

    // Another section's history is separate; all sections together hold both.
    let Response::History(meds) = doctor.call(Request::RecordHistory {
        id,
        section: Some(Section::Medications),
    }) else {
        panic!()
    };
    assert!(meds.is_empty());

    // The audit says which section changed, never the values or the reason.
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    let amended: Vec<_> = rows.iter().filter(|r| r.action == "health.amend").collect();
    assert_eq!(amended.len(), 2);
    assert!(amended.iter().all(|r| r.detail == "section=allergies"));
    let log = serde_json::to_string(&rows).unwrap();
    assert!(!log.contains("latex") && !log.contains("last exam"));
}

#[test]
fn a_save_made_from_a_stale_view_is_refused_and_the_newer_value_kept() {
    let t = TestClinic::with_all_roles();
    let id = registered(&t, "Zhao Min", "13700000002", "P200");
    let nurse = t.sign_in(Role::Nurse);
    let doctor = t.sign_in(Role::Doctor);
    let empty = entries(Section::PastIllnesses, &[]);
    // Both opened the empty section; the nurse saves first.
    let nurse_value = entries(Section::PastIllnesses, &["asthma"]);
    assert!(matches!(
        amend(
            &nurse,
            id,
            empty.clone(),
            nurse_value.clone(),
            "told at intake"
        ),
        Response::Health(_)
    ));
    let doctor_value = entries(Section::PastIllnesses, &["gout"]);
    let stale = amend(
        &doctor,
        id,
        empty,
        doctor_value.clone(),
        "from the referral",
    );
    assert!(
        matches!(&stale, Response::Error(ServiceError::Conflict(m)) if m.to_string().contains("changed by someone else")),
        "{stale:?}"
    );
    let Response::Health(record) = doctor.call(Request::HealthGet { id }) else {
        panic!()
    };
    assert_eq!(record.past_illnesses[0].name, "asthma");
    // Having seen the newer value, the doctor saves over it.
    assert!(matches!(
        amend(&doctor, id, nurse_value, doctor_value, "from the referral"),
        Response::Health(_)
    ));
}

#[test]
fn many_desks_saving_the_same_section_at_once_lose_nothing() {
    let t = TestClinic::with_all_roles();
    let id = registered(&t, "Sun Li", "13700000003", "P300");
    // Signed in one after another (each needs a fresh code), then saving at once.
    let nurses: Vec<_> = (0..8).map(|_| t.sign_in(Role::Nurse)).collect();
    let threads: Vec<_> = nurses
        .into_iter()
        .enumerate()
        .map(|(i, nurse)| {
            std::thread::spawn(move || {
                amend(
                    &nurse,
                    id,
                    entries(Section::Medications, &[]),
                    entries(Section::Medications, &[&format!("medicine {i}")]),
                    "reconciled the list",
                )
            })
        })
        .collect();
    let results: Vec<Response> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    let saved = results
        .iter()
        .filter(|r| matches!(r, Response::Health(_)))
        .count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Response::Error(ServiceError::Conflict(_))))
        .count();
    assert_eq!((saved, refused), (1, 7), "{results:?}");
    let doctor = t.sign_in(Role::Doctor);
    let Response::History(history) = doctor.call(Request::RecordHistory { id, section: None })
    else {
        panic!()
    };
    assert_eq!(history.len(), 1);
}

#[test]
fn wrong_values_short_reasons_and_empty_changes_are_refused_with_the_reason() {
    let t = TestClinic::with_all_roles();
    let id = registered(&t, "Wu Qiang", "13700000004", "P400");
    let nurse = t.sign_in(Role::Nurse);
    let empty = entries(Section::PastIllnesses, &[]);
    let bad_code = SectionValue::PastIllnesses(vec![Condition {
        name: "hypertension".into(),
        code: Some("hypertension".into()),
        since: None,
        ..Default::default()
    }]);
    let refused = amend(&nurse, id, empty.clone(), bad_code, "intake interview");
    assert!(
        matches!(&refused, Response::Error(ServiceError::Field { field, message })
            if field == "past_illnesses" && message.to_string().contains("ICD-10")),
        "{refused:?}"
    );
    let smuggled = entries(Section::PastIllnesses, &["asthma; J45"]);
    assert!(matches!(
        amend(&nurse, id, empty.clone(), smuggled, "intake interview"),
        Response::Error(ServiceError::Field { .. })
    ));
    let short = amend(
        &nurse,
        id,
        empty.clone(),
        entries(Section::PastIllnesses, &["asthma"]),
        "ok",
    );
    assert!(
        matches!(&short, Response::Error(ServiceError::Field { field, .. }) if field == "reason"),
        "{short:?}"
    );
    assert!(matches!(
        amend(&nurse, id, empty.clone(), empty.clone(), "no change at all"),
        Response::Error(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        amend(
            &nurse,
            id,
            empty,
            entries(Section::Allergies, &["latex"]),
            "two different sections"
        ),
        Response::Error(ServiceError::Invalid(_))
    ));
    // Lifestyle is a fixed section: it round-trips through the same checks.
    let lifestyle = SectionValue::Lifestyle(Lifestyle {
        smoking: Some(Smoking::Current),
        cigarettes_per_day: Some(10),
        ..Lifestyle::default()
    });
    assert!(matches!(
        amend(
            &nurse,
            id,
            SectionValue::Lifestyle(Lifestyle::default()),
            lifestyle,
            "smoking history taken"
        ),
        Response::Health(r) if r.lifestyle.smoking == Some(Smoking::Current)
    ));
    // Nothing refused left a trace in the history.
    let Response::History(history) = nurse.call(Request::RecordHistory { id, section: None })
    else {
        panic!()
    };
    assert_eq!(history.len(), 1);
}

#[test]
fn the_front_desk_amends_demographics_and_the_indexes_follow() {
    let t = TestClinic::with_all_roles();
    let id = registered(&t, "Zhou Wen", "13700000005", "P500");
    let other = registered(&t, "Qian Yu", "13700000006", "P600");
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Patient(view) = desk.call(Request::PatientGet { id }) else {
        panic!()
    };
    let before = view.patient.demographics();
    let mut after = before.clone();
    after.name = "Zhou Wenwen".into();
    after.phone = Some("13900000007".into());
    after.address = Some("北京市海淀区中关村大街1号".into());

    // A wrong mobile is refused on its field; so is another patient's ID number.
    let mut wrong = after.clone();
    wrong.phone = Some("1234".into());
    let refused = desk.call(Request::PatientAmend {
        id,
        before: before.clone(),
        after: wrong,
        reason: "patient gave a new number".into(),
    });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Field { field, .. }) if field == "phone"),
        "{refused:?}"
    );
    let mut taken = after.clone();
    taken.id_number = Some("P600".into());
    let refused = desk.call(Request::PatientAmend {
        id,
        before: before.clone(),
        after: taken,
        reason: "copied the wrong passport".into(),
    });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Field { field, .. }) if field == "id_number"),
        "{refused:?}"
    );
    let _ = other;

    assert_eq!(
        desk.call(Request::PatientAmend {
            id,
            before: before.clone(),
            after: after.clone(),
            reason: "patient moved and changed number".into(),
        }),
        Response::Done
    );
    // Saved from the old view again: refused, nothing lost.
    assert!(matches!(
        desk.call(Request::PatientAmend {
            id,
            before,
            after: after.clone(),
            reason: "patient moved and changed number".into(),
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    // The blind indexes and the name index follow the change.
    let found = |value: &str| match desk.call(Request::PatientFind {
        kind: LookupKind::Phone,
        value: value.into(),
    }) {
        Response::Patients(ids) => ids,
        other => panic!("{other:?}"),
    };
    assert_eq!(found("13900000007"), vec![id]);
    assert!(found("13700000005").is_empty());
    let Response::SearchResults(SearchResults { rows, .. }) = desk.call(Request::PatientSearch {
        query: "Zhou Wenwen".into(),
        limit: 10,
    }) else {
        panic!()
    };
    assert!(rows.iter().any(|r| r.id == id));

    // The front desk reads the demographic history, not clinical sections, and cannot
    // amend them.
    let Response::History(history) = desk.call(Request::RecordHistory { id, section: None }) else {
        panic!()
    };
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].section(), Section::Demographics);
    let SectionValue::Demographics(old) = &history[0].before else {
        panic!()
    };
    assert_eq!(old.name, "Zhou Wen");
    assert!(matches!(
        amend(
            &desk,
            id,
            entries(Section::Allergies, &[]),
            entries(Section::Allergies, &["latex"]),
            "front desk should not"
        ),
        Response::Error(ServiceError::Denied { .. })
    ));
    // Demographics go through patient_amend only.
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        amend(
            &nurse,
            id,
            SectionValue::Demographics(after.clone()),
            SectionValue::Demographics(after),
            "wrong request kind"
        ),
        Response::Error(ServiceError::Invalid(_))
    ));
}
