//! The 健康档案编号 through the service: given at registration from the clinic's area,
//! never taken from what a desk sends, found by search, given by the scheduler to
//! patients filed before the area was set, and kept from a message that carries one.

use caredesk::auth::Role;
use caredesk::clinic::api::{KeyFileCreated, Registered, SearchResults};
use caredesk::clinic::{Request, Response};
use caredesk::domain::patient::{IdType, Patient, PatientId, Sex};

use crate::common::clinic::TestClinic;

const AREA: &str = "[clinic]\narea_code = \"110105001001\"\n";

fn person(n: u32) -> Patient {
    Patient {
        name: format!("档案 {n}"),
        sex: Sex::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1960, 1, n),
        phone: Some(format!("1391234{n:04}")),
        id_type: IdType::Other,
        id_number: Some(format!("E{n:08}")),
        // A desk (or a script) cannot choose the number.
        record_number: Some("11010500100199999".into()),
        ..Patient::default()
    }
}

fn register(t: &TestClinic, n: u32) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    match desk.call(Request::PatientRegister {
        patient: person(n),
        card_type: "basic".into(),
    }) {
        Response::Registered(Registered { id, .. }) => id,
        other => panic!("{other:?}"),
    }
}

fn number_of(t: &TestClinic, id: PatientId) -> Option<String> {
    let desk = t.sign_in(Role::FrontDesk);
    match desk.call(Request::PatientGet { id }) {
        Response::Patient(view) => view.patient.record_number,
        other => panic!("{other:?}"),
    }
}

#[test]
fn registration_numbers_records_in_the_clinic_s_area_and_search_finds_them() {
    let t = TestClinic::with_all_roles_and_settings(Some(AREA));
    let ids: Vec<PatientId> = (1..=3).map(|n| register(&t, n)).collect();
    let numbers: Vec<Option<String>> = ids.iter().map(|id| number_of(&t, *id)).collect();
    assert_eq!(
        numbers,
        [
            "11010500100100001",
            "11010500100100002",
            "11010500100100003"
        ]
        .map(|n| Some(n.to_string()))
    );
    let desk = t.sign_in(Role::FrontDesk);
    for query in ["11010500100100002", "110105 001 001 00002"] {
        let Response::SearchResults(SearchResults { rows, .. }) =
            desk.call(Request::PatientSearch {
                query: query.into(),
                limit: 10,
            })
        else {
            panic!()
        };
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[1]],
            "{query}"
        );
    }
    // Amending the demographics keeps the number.
    let Response::Patient(view) = desk.call(Request::PatientGet { id: ids[0] }) else {
        panic!()
    };
    let mut after = view.patient.demographics();
    after.address = Some("北京市朝阳区建外街道 1 号".into());
    let amended = desk.call(Request::PatientAmend {
        id: ids[0],
        before: view.patient.demographics(),
        after,
        reason: "moved house".into(),
    });
    assert_eq!(amended, Response::Done, "{amended:?}");
    assert_eq!(number_of(&t, ids[0]).as_deref(), Some("11010500100100001"));
}

#[test]
fn patients_filed_before_the_area_was_set_are_numbered_by_the_scheduler_once() {
    let t = TestClinic::with_all_roles();
    let early: Vec<PatientId> = (1..=2).map(|n| register(&t, n)).collect();
    assert_eq!(number_of(&t, early[0]), None, "no area, no number");
    std::fs::write(t.dir().join("settings.toml"), AREA).unwrap();
    let t = t.reopen();
    let later = register(&t, 3);
    assert_eq!(number_of(&t, later).as_deref(), Some("11010500100100001"));

    let admin = t.sign_in(Role::SecurityAdmin);
    let Response::KeyFileCreated(KeyFileCreated { key, .. }) = admin.call(Request::KeyFileAdd {
        label: "scheduler".into(),
    }) else {
        panic!()
    };
    let job = t.client();
    let signed = job.call(Request::LoginKeyFile {
        label: "scheduler".into(),
        key,
    });
    assert!(matches!(signed, Response::SignedIn(_)), "{signed:?}");
    for _ in 0..2 {
        let run = job.call(Request::SchedulerRun { retag: false });
        assert!(matches!(run, Response::FollowUpScheduled(_)), "{run:?}");
    }
    let mut numbers: Vec<String> = early.iter().filter_map(|id| number_of(&t, *id)).collect();
    numbers.sort();
    assert_eq!(numbers, ["11010500100100002", "11010500100100003"]);
    // The second run found nobody left: its audit record says so.
    let auditor = t.sign_in(Role::Auditor);
    let runs: Vec<String> = crate::common::clinic::audit_rows(&auditor)
        .into_iter()
        .filter(|r| r.action == "scheduler.run")
        .map(|r| r.detail)
        .collect();
    assert!(runs[0].contains("records_numbered=2"), "{runs:?}");
    assert!(runs[1].contains("records_numbered=0"), "{runs:?}");
}

#[test]
fn an_area_code_that_is_not_twelve_digits_is_refused_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.toml"),
        "[clinic]\narea_code = \"1101050010\"\n",
    )
    .unwrap();
    let error = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
    assert!(
        error.contains("area_code") && error.contains("12 digits") && error.contains("1101050010"),
        "{error}"
    );
}
