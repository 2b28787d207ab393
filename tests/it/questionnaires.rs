//! Questionnaires through the service: scored by the published rules, stored as the
//! patient's results, PHQ-9 item 9 raising an urgent alert; the clinic's own
//! definitions loaded after checks, bad ones reported.

use crate::common;
use caredesk::clinic::api::{PatientCreated, Questionnaires};

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::patient::{IdType, PatientId};

fn patient(t: &TestClinic) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient("Zhao Lei", "13700000031", "Q-1");
    p.id_type = IdType::Other;
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn phq9_is_scored_stored_and_item_9_raises_an_alert() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    let nurse = t.sign_in(Role::Nurse);
    let Response::Questionnaires(Questionnaires {
        definitions,
        problems,
    }) = nurse.call(Request::QuestionnaireList)
    else {
        panic!()
    };
    let keys: Vec<&str> = definitions.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["phq9", "gad7", "findrisc"]);
    assert!(problems.is_empty());

    let Response::QuestionnaireScored(scored) = nurse.call(Request::QuestionnaireSubmit {
        id,
        key: "phq9".into(),
        answers: vec![2, 2, 1, 2, 1, 1, 2, 1, 1],
    }) else {
        panic!()
    };
    assert_eq!((scored.total, scored.band.as_str()), (13, "moderate"));
    assert_eq!(scored.urgent, ["9"]);
    let Response::Observations(results) = nurse.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    let total = results.iter().find(|o| o.code == "44261-6").unwrap();
    assert_eq!(total.value.text(), "13");
    assert!(
        results
            .iter()
            .any(|o| o.code == "phq9-band" && o.value.text() == "moderate")
    );

    let admin = t.sign_in(Role::SecurityAdmin);
    let Response::Alerts(alerts) = admin.call(Request::AlertsList { limit: 10 }) else {
        panic!()
    };
    let urgent = alerts
        .iter()
        .find(|a| a.kind == caredesk::store::alerts::AlertKind::UrgentAnswer)
        .expect("an urgent alert");
    assert!(urgent.subjects.contains(&id.to_string()));
    assert_eq!(
        urgent.detail.to_string(),
        "questionnaire phq9: urgent answer to item(s) 9"
    );
    // The care team sees it too (urgent clinical alerts only).
    let doctor = t.sign_in(Role::Doctor);
    let Response::Alerts(for_team) = doctor.call(Request::UrgentAlerts { limit: 10 }) else {
        panic!()
    };
    assert_eq!(for_team.len(), 1);
    assert!(matches!(
        doctor.call(Request::AlertsList { limit: 10 }),
        Response::Error(ServiceError::Denied { .. })
    ));

    // Wrong answers are refused with the reason; the front desk may not fill one.
    assert!(matches!(
        nurse.call(Request::QuestionnaireSubmit { id, key: "phq9".into(), answers: vec![0; 8] }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("answer every item")
    ));
    let desk = t.sign_in(Role::FrontDesk);
    assert!(matches!(
        desk.call(Request::QuestionnaireSubmit {
            id,
            key: "gad7".into(),
            answers: vec![0; 7]
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn the_clinic_s_own_questionnaires_load_and_bad_ones_are_reported() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    let dir = t.dir().join("questionnaires");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sleep.toml"),
        r#"key = "sleep"
version = "1"
name = { en = "Sleep check", zh = "睡眠自评" }
intro = { en = "In the last month:", zh = "最近一个月：" }
options = [
  { en = "Never", zh = "从不", score = 0 },
  { en = "Often", zh = "经常", score = 2 },
]
[[items]]
id = "wake"
en = "Waking at night"
zh = "夜间醒来"
[[items]]
id = "early"
en = "Waking too early"
zh = "早醒"
[[bands]]
min = 0
max = 1
en = "good"
zh = "良好"
[[bands]]
min = 2
max = 4
en = "poor"
zh = "较差"
"#,
    )
    .unwrap();
    std::fs::write(dir.join("broken.toml"), "key = \"broken\"\nitems = 3\n").unwrap();
    let nurse = t.sign_in(Role::Nurse);
    let Response::Questionnaires(Questionnaires {
        definitions,
        problems,
    }) = nurse.call(Request::QuestionnaireList)
    else {
        panic!()
    };
    assert!(definitions.iter().any(|d| d.key == "sleep"));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "broken.toml");
    assert!(problems[0].1.starts_with("line "), "{}", problems[0].1);
    let Response::QuestionnaireScored(scored) = nurse.call(Request::QuestionnaireSubmit {
        id,
        key: "sleep".into(),
        answers: vec![1, 1],
    }) else {
        panic!()
    };
    assert_eq!((scored.total, scored.band.as_str()), (4, "poor"));
}

#[test]
fn an_intake_interview_goes_into_the_record() {
    use caredesk::domain::intake::Answer;
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    let nurse = t.sign_in(Role::Nurse);
    let Response::Intake(intake) = nurse.call(Request::IntakeGet) else {
        panic!()
    };
    assert_eq!(intake.questions.len(), 6);
    let answers = vec![
        Answer::Text("headaches for two weeks".into()),
        Answer::Checklist(vec![0, 1]),
        Answer::Text("高血压，gout".into()),
        Answer::Text("penicillin".into()),
        Answer::Text("amlodipine".into()),
        Answer::Choice(Some(2)),
    ];
    let Response::Health(record) = nurse.call(Request::IntakeSubmit {
        id,
        answers: answers.clone(),
    }) else {
        panic!()
    };
    let illnesses: Vec<&str> = record
        .past_illnesses
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(illnesses, ["高血压", "gout"]);
    assert_eq!(record.allergies[0].substance, "penicillin");
    assert_eq!(record.medications[0].name, "amlodipine");
    assert_eq!(
        record.lifestyle.smoking,
        Some(caredesk::domain::health::Smoking::Current)
    );
    let Response::Observations(results) = nurse.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert!(
        results
            .iter()
            .any(|o| o.code == "10154-3" && o.value.text() == "headaches for two weeks")
    );
    assert_eq!(results.iter().filter(|o| o.code == "75325-1").count(), 2);
    let Response::History(history) = nurse.call(Request::RecordHistory { id, section: None })
    else {
        panic!()
    };
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|a| a.reason == "intake interview"));
    // The same interview again changes nothing in the record.
    let Response::Health(_) = nurse.call(Request::IntakeSubmit { id, answers }) else {
        panic!()
    };
    let Response::History(again) = nurse.call(Request::RecordHistory { id, section: None }) else {
        panic!()
    };
    assert_eq!(again.len(), 4);
    assert!(matches!(
        nurse.call(Request::IntakeSubmit {
            id,
            answers: vec![]
        }),
        Response::Error(ServiceError::Invalid(_))
    ));
}

#[test]
fn a_clinic_may_use_its_own_intake_interview() {
    use caredesk::domain::intake::Answer;
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    std::fs::write(
        t.dir().join("intake.toml"),
        r#"key = "intake"
version = "2"
name = { en = "Short intake", zh = "简短问诊" }
[[questions]]
id = "complaint"
kind = "text"
en = "Why are you here today?"
zh = "今天为什么来？"
record = "chief_complaint"
"#,
    )
    .unwrap();
    let nurse = t.sign_in(Role::Nurse);
    let Response::Intake(intake) = nurse.call(Request::IntakeGet) else {
        panic!()
    };
    assert_eq!(intake.questions.len(), 1);
    assert!(matches!(
        nurse.call(Request::IntakeSubmit {
            id,
            answers: vec![Answer::Text("check-up".into())]
        }),
        Response::Health(_)
    ));
    std::fs::write(t.dir().join("intake.toml"), "key = 3").unwrap();
    assert!(matches!(
        nurse.call(Request::IntakeGet),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("intake.toml")
    ));
}
