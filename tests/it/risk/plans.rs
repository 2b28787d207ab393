//! Advice and intervention plans through the service: advice drafted from the tags and
//! approved by staff, a plan's progress from results, templates and stale saves.

use crate::common;

use super::{lab, patient};
use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::export::access::to_fhir;
use caredesk::clinic::{Request, Response};
use caredesk::domain::amendment::SectionValue;
use caredesk::domain::health::{Lifestyle, Smoking};

#[test]
fn advice_is_drafted_from_tags_approved_by_staff_and_kept() {
    use caredesk::domain::advice::Topic;
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "ADV-1");
    let doctor = t.sign_in(Role::Doctor);
    let mut reading = lab("ADV-1", "152", "5.0", "1.3");
    doctor.call(Request::ResultsImport {
        incoming: reading.clone(),
        rejected: 0,
        create_patients: false,
    });
    // Three days of high readings (the screening rule): a month and two months ago.
    for _ in 0..2 {
        for o in &mut reading[0].observations {
            o.taken_at -= 30 * 86_400;
        }
        doctor.call(Request::ResultsImport {
            incoming: reading.clone(),
            rejected: 0,
            create_patients: false,
        });
    }
    doctor.call(Request::TagsEvaluate { id });
    let Response::AdviceDraft(draft) = doctor.call(Request::AdviceDraft {
        id,
        lang: caredesk::i18n::Lang::ZhCn,
    }) else {
        panic!()
    };
    let templates: Vec<&str> = draft.iter().map(|i| i.template.as_str()).collect();
    assert_eq!(templates, ["salt", "activity"]);
    assert!(draft[0].text.contains("5克"));
    // The doctor shortens the salt advice and approves both.
    let mut approved = draft.clone();
    approved[0].text = "每日食盐不超过5克。".into();
    assert_eq!(
        doctor.call(Request::AdviceApprove {
            id,
            items: approved.clone()
        }),
        Response::Done
    );
    let Response::Advice(given) = doctor.call(Request::AdviceList { id }) else {
        panic!()
    };
    assert_eq!(given.len(), 1);
    assert_eq!(given[0].items, approved);
    assert_eq!(given[0].items[1].topic, Topic::Exercise);
    assert!(matches!(
        doctor.call(Request::AdviceApprove { id, items: vec![] }),
        Response::Error(caredesk::clinic::ServiceError::Invalid(_))
    ));
    // Given advice is part of the record: exported as a Communication.
    let Response::PatientExport(export) = doctor.call(Request::PatientExport {
        key: "ADV-1".into(),
    }) else {
        panic!()
    };
    let bundle = to_fhir(&export);
    let sent: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Communication")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["payload"][0]["contentString"],
        "每日食盐不超过5克。"
    );
}

#[test]
fn a_plan_s_goals_show_progress_from_the_results_since_it_began() {
    use caredesk::domain::plan::{Action, ActionKind, Direction, Goal, Plan, Progress};
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "PLAN-1");
    let doctor = t.sign_in(Role::Doctor);
    let plan = Plan {
        title: "Blood pressure under control".into(),
        goals: vec![Goal {
            indicator: "systolic_bp".into(),
            direction: Direction::AtMost,
            target: 130.0,
            by: chrono::NaiveDate::from_ymd_opt(2031, 6, 30).unwrap(),
        }],
        actions: vec![Action {
            kind: ActionKind::FollowUpCall,
            description: "call monthly about home readings".into(),
            owner: "chen.jing".into(),
            due: None,
            done: false,
        }],
        active: true,
    };
    assert_eq!(
        doctor.call(Request::PlanSet {
            id,
            plan: plan.clone(),
            base: 0,
        }),
        Response::Done
    );
    let Response::Plan(reply) = doctor.call(Request::PlanGet { id }) else {
        panic!()
    };
    let view = (*reply).unwrap();
    assert_eq!((&view.current.plan, view.number), (&plan, 1));
    assert_eq!(view.progress, [Progress::NoData]);
    // Results after the plan began: 150, then 140: half way to 130.
    let mut first = lab("PLAN-1", "150", "5.0", "1.3");
    let mut second = lab("PLAN-1", "140", "5.0", "1.3");
    let now = t.now();
    for (incoming, at) in [(&mut first, now + 86_400), (&mut second, now + 2 * 86_400)] {
        for o in &mut incoming[0].observations {
            o.taken_at = at;
        }
    }
    for incoming in [first, second] {
        doctor.call(Request::ResultsImport {
            incoming,
            rejected: 0,
            create_patients: false,
        });
    }
    let Response::Plan(reply) = doctor.call(Request::PlanGet { id }) else {
        panic!()
    };
    let progress = (*reply).unwrap().progress;
    let Progress::Moving {
        fraction, overdue, ..
    } = progress[0]
    else {
        panic!("{progress:?}")
    };
    assert!((fraction - 0.5).abs() < 1e-9 && !overdue);
    // A bad plan is refused with the reason.
    let mut bad = plan;
    bad.goals[0].indicator = "happiness".into();
    assert!(matches!(
        doctor.call(Request::PlanSet {
            id,
            plan: bad,
            base: 1
        }),
        Response::Error(caredesk::clinic::ServiceError::Invalid(m)) if m.to_string().contains("happiness")
    ));
}

#[test]
fn a_plan_starts_from_the_template_the_tags_suggest_and_a_stale_save_is_refused() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "PLAN-2");
    let doctor = t.sign_in(Role::Doctor);
    doctor.call(Request::HealthAmend {
        id,
        before: SectionValue::Lifestyle(Lifestyle::default()),
        after: SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Current),
            ..Lifestyle::default()
        }),
        reason: "history taken".into(),
    });
    let Response::PlanTemplates(offers) = doctor.call(Request::PlanTemplates {
        id,
        lang: caredesk::i18n::Lang::ZhCn,
    }) else {
        panic!()
    };
    assert_eq!(
        (offers[0].id.as_str(), offers[0].title.as_str()),
        ("smoking", "戒烟")
    );
    assert!(offers[0].suggested && !offers[1].suggested);
    let Response::PlanDraft(draft) = doctor.call(Request::PlanDraft {
        id,
        template: "hypertension".into(),
        lang: caredesk::i18n::Lang::En,
    }) else {
        panic!()
    };
    assert_eq!(draft.title, "Blood pressure control");
    assert_eq!(draft.goals[0].by, t.today() + chrono::Months::new(6));
    assert!(matches!(
        doctor.call(Request::PlanDraft {
            id,
            template: "astrology".into(),
            lang: caredesk::i18n::Lang::En
        }),
        Response::Error(caredesk::clinic::ServiceError::NotFound(_))
    ));
    let save = |who: &caredesk::clinic::client::Signed<caredesk::clinic::client::InProcess>,
                plan: &caredesk::domain::plan::Plan,
                base| {
        who.call(Request::PlanSet {
            id,
            plan: plan.clone(),
            base,
        })
    };
    assert_eq!(save(&doctor, &draft, 0), Response::Done);
    // Two staff edit version 1; the second to save is refused and loses nothing.
    let manager = t.sign_in(Role::HealthManager);
    let mut ticked = (*draft).clone();
    ticked.actions[0].done = true;
    assert_eq!(save(&manager, &ticked, 1), Response::Done);
    let mut retitled = (*draft).clone();
    retitled.title = "BP".into();
    assert!(matches!(
        save(&doctor, &retitled, 1),
        Response::Error(caredesk::clinic::ServiceError::Conflict(_))
    ));
    let Response::Plan(view) = doctor.call(Request::PlanGet { id }) else {
        panic!()
    };
    let view = (*view).unwrap();
    assert_eq!(view.number, 2);
    assert!(view.current.plan.actions[0].done);
    assert_eq!(
        view.current.by,
        common::clinic::role_user(Role::HealthManager)
    );
}
