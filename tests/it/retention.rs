//! Retention (PIPL 第19、47条): a record past `[retention] record_years` since its last
//! activity is listed for the privacy officer and kept stored only at their word
//! (nothing added, follow-ups closed, refused while still within its time); recordings
//! past `[retention] recording_years` are deleted by the scheduler, once a day.

use caredesk::auth::Role;
use caredesk::clinic::api::{KeyFileCreated, PatientRef};
use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter};
use caredesk::clinic::followup::recording_client;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::followup::{Kind, Outcome, PlanStatus};

use crate::common::clinic::{TestClinic, audit_rows};
use crate::followups::{call, queue};
use crate::recordings::{audio, followed_patient};

const YEAR: i64 = 365 * 86_400;
const SETTINGS: &str = "[retention]\nrecord_years = 15\nrecording_years = 3\n";

fn conflict_says(response: &Response, words: &str) -> bool {
    matches!(response, Response::Error(ServiceError::Conflict(m)) if m.to_string().contains(words))
}

#[test]
fn a_record_past_its_retention_is_reviewed_and_kept_stored_only() {
    let t = TestClinic::with_all_roles_and_settings(Some(SETTINGS));
    let old = followed_patient(&t, "Long Gone", "0101", Kind::Hypertension);
    // Sixteen years without a result, a call or a change to the record.
    t.clock.advance_secs(16 * YEAR);
    let recent = followed_patient(&t, "Still Here", "0102", Kind::Hypertension);
    let officer = t.sign_in(Role::PrivacyOfficer);
    assert!(matches!(
        t.sign_in(Role::Nurse)
            .call(Request::RetentionReview { limit: 10 }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let Response::RetentionDue(due) = officer.call(Request::RetentionReview { limit: 10 }) else {
        panic!()
    };
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].patient, due[0].stored_only), (old, false));
    assert_eq!(due[0].name, "Long Gone");

    // Still within its time: refused, with the dates.
    let early = officer.call(Request::RetentionRestrict {
        patient: PatientRef::Id(recent),
    });
    assert!(conflict_says(&early, "within its retention"), "{early:?}");
    assert_eq!(
        officer.call(Request::RetentionRestrict {
            patient: PatientRef::Id(old),
        }),
        Response::Done
    );
    assert!(conflict_says(
        &officer.call(Request::RetentionRestrict {
            patient: PatientRef::Id(old),
        }),
        "already"
    ));

    // Stored only: nothing is added, its follow-ups are closed; the other works on.
    let nurse = t.sign_in(Role::Nurse);
    let added = nurse.call(Request::ObservationAdd {
        id: old,
        observation: caredesk::domain::observation::Observation::typed_in(
            "8480-6",
            caredesk::domain::decimal::Decimal::parse("132").unwrap(),
            "mm[Hg]",
            t.now(),
        ),
    });
    assert!(conflict_says(&added, "stored only"), "{added:?}");
    let plan = nurse.call(Request::FollowUpPlanAdd {
        id: old,
        kind: Kind::Diabetes,
        interval_days: 30,
        first_due: t.today(),
        assigned: "nurses".into(),
    });
    assert!(conflict_says(&plan, "stored only"), "{plan:?}");
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id: old }) else {
        panic!()
    };
    assert!(
        chart
            .plans
            .iter()
            .all(|p| matches!(p.status, PlanStatus::Closed { .. }))
    );
    let rows = queue(&nurse, QueueFilter::default()).rows;
    assert!(rows.iter().all(|r| r.item.patient != old));
    assert!(rows.iter().any(|r| r.item.patient == recent));
    let Response::RetentionDue(due) = officer.call(Request::RetentionReview { limit: 10 }) else {
        panic!()
    };
    assert!(due[0].stored_only);
    let log = audit_rows(&t.sign_in(Role::Auditor));
    assert!(log.iter().any(|r| r.action == "retention.store_only"
        && r.outcome == "ok"
        && r.detail.contains("retention 15 years")));
}

#[test]
fn records_kept_for_good_are_not_reviewed() {
    let t = TestClinic::with_all_roles();
    let said = t
        .sign_in(Role::PrivacyOfficer)
        .call(Request::RetentionReview { limit: 10 });
    assert!(
        matches!(&said, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("record_years")),
        "{said:?}"
    );
}

#[test]
fn recordings_past_their_retention_are_deleted_by_the_scheduler() {
    let t = TestClinic::with_all_roles_and_settings(Some(SETTINGS));
    let id = followed_patient(&t, "Recorded Long Ago", "0103", Kind::Hypertension);
    let nurse = t.sign_in(Role::Nurse);
    let key = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    nurse.call(Request::FollowUpClaim { key });
    let saved = nurse.call(Request::FollowUpCallSave {
        key,
        input: call(Outcome::Reached, &[]),
    });
    assert!(matches!(saved, Response::FollowUpCallSaved(_)), "{saved:?}");
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("call.wav");
    std::fs::write(&file, audio()).unwrap();
    recording_client::attach(&nurse, key, &file).unwrap();

    let security = t.sign_in(Role::SecurityAdmin);
    let Response::KeyFileCreated(KeyFileCreated { key: secret, .. }) =
        security.call(Request::KeyFileAdd {
            label: "scheduler".into(),
        })
    else {
        panic!()
    };
    // The daemon's scheduler signs in with its key file for each run.
    let run = || {
        let job = t.client();
        assert!(matches!(
            job.call(Request::LoginKeyFile {
                label: "scheduler".into(),
                key: secret.clone(),
            }),
            Response::SignedIn(_)
        ));
        let ran = job.call(Request::SchedulerRun { retag: false });
        assert!(matches!(ran, Response::FollowUpScheduled(_)), "{ran:?}");
    };
    let recordings = || {
        let Response::FollowUpChart(chart) =
            t.sign_in(Role::Nurse).call(Request::FollowUpChart { id })
        else {
            panic!()
        };
        chart.recordings.len()
    };
    // Two years on: kept. Four: deleted, and the scheduler's audit record says so.
    t.clock.advance_secs(2 * YEAR);
    run();
    assert_eq!(recordings(), 1);
    t.clock.advance_secs(2 * YEAR);
    run();
    assert_eq!(recordings(), 0);
    let runs: Vec<String> = audit_rows(&t.sign_in(Role::Auditor))
        .into_iter()
        .filter(|r| r.action == "scheduler.run")
        .map(|r| r.detail)
        .collect();
    assert!(
        runs.iter()
            .any(|d| d.contains("recordings_past_retention_deleted=1")),
        "{runs:?}"
    );
    // The call itself is kept: only the recording's time ran out.
    let Response::FollowUpChart(chart) = t.sign_in(Role::Nurse).call(Request::FollowUpChart { id })
    else {
        panic!()
    };
    assert_eq!(chart.calls.len(), 1);
}
