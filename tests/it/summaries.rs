//! Stage summaries through the service: drafted from the period's results, plan,
//! risks, questionnaires and advice; saved with the author's narrative (the figures
//! recomputed, never taken from the terminal); signed; every save a version; a stale
//! save refused.

use crate::common;
use caredesk::clinic::api::{PatientCreated, SummarySaved};

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::decimal::Decimal;
use caredesk::domain::observation::Observation;
use caredesk::domain::patient::{IdType, PatientId};
use caredesk::domain::plan::{Direction, Goal, Plan};
use caredesk::domain::summary::{GoalOutcome, Period};
use chrono::Days;

const DAY: i64 = 86_400;

fn patient(t: &TestClinic) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient("Summary Patient", "13700000077", "SUM-1");
    p.id_type = IdType::Other;
    p.birth_date = chrono::NaiveDate::from_ymd_opt(1970, 5, 1);
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_summary_is_drafted_from_the_period_edited_signed_and_versioned() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    let start = t.today();
    let doctor = t.sign_in(Role::Doctor);
    let plan = Plan {
        title: "Blood pressure".into(),
        goals: vec![Goal {
            indicator: "systolic_bp".into(),
            direction: Direction::AtMost,
            target: 130.0,
            by: start + Days::new(60),
        }],
        actions: vec![],
        active: true,
    };
    assert_eq!(
        doctor.call(Request::PlanSet { id, plan, base: 0 }),
        Response::Done
    );
    doctor.call(Request::QuestionnaireSubmit {
        id,
        key: "phq9".into(),
        answers: vec![1, 1, 0, 1, 0, 0, 0, 0, 0],
    });
    // Readings on day 10 and day 40 of the plan.
    for (days, value) in [(10, "150"), (30, "128")] {
        t.clock.advance_secs(days * DAY);
        let doctor = t.sign_in(Role::Doctor);
        let reading =
            Observation::typed_in("8480-6", Decimal::parse(value).unwrap(), "mm[Hg]", t.now());
        assert_eq!(
            doctor.call(Request::ObservationAdd {
                id,
                observation: reading
            }),
            Response::Done
        );
    }
    // Three months later the doctor writes the summary.
    t.clock.advance_secs(80 * DAY);
    let doctor = t.sign_in(Role::Doctor);
    let period = Period {
        from: start,
        to: start + Days::new(90),
    };
    let Response::SummaryDraft(draft) = doctor.call(Request::SummaryDraft {
        id,
        period,
        lang: caredesk::i18n::Lang::En,
    }) else {
        panic!()
    };
    let sbp = draft
        .indicators
        .iter()
        .find(|c| c.indicator == "systolic_bp")
        .unwrap();
    assert_eq!((sbp.start, sbp.end, sbp.count), (150.0, 128.0, 2));
    assert_eq!(draft.goals[0].outcome, GoalOutcome::Met);
    assert_eq!(draft.questionnaires[0].key, "phq9");
    assert!(draft.text.contains("150 → 128"), "{}", draft.text);

    let text = format!("{}\nDoing well; keep walking.", draft.text);
    let Response::SummarySaved(SummarySaved { number }) = doctor.call(Request::SummarySave {
        id,
        number: None,
        base: 0,
        period,
        text: text.clone(),
    }) else {
        panic!()
    };
    assert_eq!(number, 1);
    // Signing names the version it saw; a second signature of it is refused.
    assert_eq!(
        doctor.call(Request::SummarySign {
            id,
            number,
            base: 1
        }),
        Response::SummarySaved(SummarySaved { number })
    );
    assert!(matches!(
        doctor.call(Request::SummarySign { id, number, base: 2 }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("already signed")
    ));
    // A manager editing from version 1 is refused: version 2 (signed) is newer.
    let manager = t.sign_in(Role::HealthManager);
    assert!(matches!(
        manager.call(Request::SummarySave {
            id,
            number: Some(number),
            base: 1,
            period,
            text: "stale".into()
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    let Response::Summaries(versions) = manager.call(Request::SummaryList { id }) else {
        panic!()
    };
    assert_eq!(versions.len(), 2);
    assert!(versions[0].signed.is_none() && versions[1].signed.is_some());
    assert_eq!(versions[1].summary.text, text.trim());
    assert_eq!(versions[1].summary.indicators, draft.indicators);
    // A second summary gets the next number.
    let Response::SummarySaved(SummarySaved { number: second }) =
        manager.call(Request::SummarySave {
            id,
            number: None,
            base: 0,
            period,
            text: "Second look.".into(),
        })
    else {
        panic!()
    };
    assert_eq!(second, 2);

    // The export carries the plan, the summaries and the tags; in FHIR the plan is a
    // CarePlan with its Goal, the signed summary a final Composition.
    let Response::PatientExport(export) = doctor.call(Request::PatientExport {
        key: "SUM-1".into(),
    }) else {
        panic!()
    };
    assert_eq!((export.plans.len(), export.summaries.len()), (1, 3));
    let bundle = caredesk::clinic::export::access::to_fhir(&export);
    let resources: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    let of = |kind: &str| {
        resources
            .iter()
            .filter(|r| r["resourceType"] == kind)
            .copied()
            .collect::<Vec<_>>()
    };
    let plan = of("CarePlan");
    assert_eq!(plan[0]["title"], "Blood pressure");
    let goal = of("Goal");
    assert_eq!(goal[0]["target"][0]["detailRange"]["high"]["value"], 130.0);
    assert_eq!(
        goal[0]["target"][0]["measure"]["coding"][0]["code"],
        "8480-6"
    );
    let compositions = of("Composition");
    assert_eq!(compositions.len(), 2, "the latest version of each summary");
    assert_eq!(compositions[0]["status"], "final");
    assert_eq!(compositions[0]["attester"][0]["mode"], "legal");
    assert!(
        compositions[0]["section"][0]["text"]["div"]
            .as_str()
            .unwrap()
            .contains("keep walking")
    );
    assert_eq!(compositions[1]["status"], "preliminary");
}

#[test]
fn bad_periods_and_texts_are_refused_with_the_reason() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t);
    let doctor = t.sign_in(Role::Doctor);
    let today = t.today();
    let future = Period {
        from: today,
        to: today + Days::new(30),
    };
    assert!(matches!(
        doctor.call(Request::SummaryDraft { id, period: future, lang: caredesk::i18n::Lang::En }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("looks back")
    ));
    let backwards = Period {
        from: today,
        to: today - Days::new(30),
    };
    assert!(matches!(
        doctor.call(Request::SummaryDraft { id, period: backwards, lang: caredesk::i18n::Lang::En }),
        Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("swap")
    ));
    let fine = Period {
        from: today - Days::new(30),
        to: today,
    };
    assert!(matches!(
        doctor.call(Request::SummarySave {
            id,
            number: None,
            base: 0,
            period: fine,
            text: "  ".into()
        }),
        Response::Error(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        doctor.call(Request::SummarySave {
            id,
            number: Some(9),
            base: 0,
            period: fine,
            text: "x".into()
        }),
        Response::Error(ServiceError::NotFound(_))
    ));
    // The front desk never sees a summary.
    let desk = t.sign_in(Role::FrontDesk);
    assert!(matches!(
        desk.call(Request::SummaryList { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
}
