//! Automatic tags through the service: they follow the data (results, record, plan),
//! a clinic's rule file replaces the shipped one and a broken one keeps the rules in
//! force, and a bulk import is re-evaluated in the background.

use crate::common;
use caredesk::clinic::api::{AutoTagsView, SearchResults};

use super::{lab, patient};
use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response};
use caredesk::domain::amendment::SectionValue;
use caredesk::domain::health::{Lifestyle, Smoking};
use caredesk::domain::patient::PatientId;

#[test]
fn automatic_tags_follow_the_data_and_a_bad_rule_file_keeps_the_previous_rules() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "TAGS-1");
    let doctor = t.sign_in(Role::Doctor);
    let evaluate = || match doctor.call(Request::TagsEvaluate { id }) {
        Response::AutoTags(AutoTagsView { tags, problem }) => {
            (tags.into_iter().map(|t| t.tag).collect::<Vec<_>>(), problem)
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(evaluate(), (vec![], None));
    // Readings of 150 on three different days: hypertension. A manual tag stays apart.
    let mut reading = lab("TAGS-1", "150", "5.0", "1.3");
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
    doctor.call(Request::PatientSetTags {
        id,
        tags: vec!["VIP".into()],
    });
    let (tags, _) = evaluate();
    assert_eq!(tags, ["hypertension"]);
    // Smoking recorded: smoker too; then quitting removes the automatic tag only.
    doctor.call(Request::HealthAmend {
        id,
        before: SectionValue::Lifestyle(Lifestyle::default()),
        after: SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Current),
            ..Lifestyle::default()
        }),
        reason: "history taken".into(),
    });
    // Recomputed by the amendment itself: kept before anyone asks.
    let kept = || match doctor.call(Request::TagsGet { id }) {
        Response::AutoTags(AutoTagsView { tags, .. }) => {
            tags.into_iter().map(|t| t.tag).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(kept(), ["hypertension", "smoker", "high CV risk"]);
    assert_eq!(evaluate().0, kept());
    // Search rows carry them for the chart's roles, never for the front desk.
    let search =
        |who: &caredesk::clinic::client::Signed<caredesk::clinic::client::InProcess>| match who
            .call(Request::PatientSearch {
                query: "risk pat".into(),
                limit: 10,
            }) {
            Response::SearchResults(SearchResults { rows, .. }) => rows[0].clone(),
            other => panic!("{other:?}"),
        };
    let row = search(&doctor);
    assert_eq!(row.tags, ["VIP"]);
    assert_eq!(row.auto_tags, ["hypertension", "smoker", "high CV risk"]);
    let desk = t.sign_in(Role::FrontDesk);
    let row = search(&desk);
    assert_eq!(row.tags, ["VIP"]);
    assert!(row.auto_tags.is_empty());
    doctor.call(Request::HealthAmend {
        id,
        before: SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Current),
            ..Lifestyle::default()
        }),
        after: SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Former),
            ..Lifestyle::default()
        }),
        reason: "quit in October".into(),
    });
    assert_eq!(evaluate().0, ["hypertension"]);
    assert_eq!(
        search(&doctor).auto_tags,
        ["hypertension"],
        "the index follows"
    );
    let Response::Patient(view) = doctor.call(Request::PatientGet { id }) else {
        panic!()
    };
    assert_eq!(view.patient.tags, ["VIP"]);

    // The clinic's own rules replace the shipped ones; a broken file is reported with
    // its line and the previous rules stay in force.
    std::fs::write(
        t.dir().join("tag_rules.toml"),
        "[[rules]]\nid = \"lipids\"\ntag = \"watch lipids\"\nwhen = { indicator = \"cholesterol_total\", at_least = 4.5 }\n",
    )
    .unwrap();
    assert_eq!(evaluate(), (vec!["watch lipids".to_string()], None));
    std::fs::write(
        t.dir().join("tag_rules.toml"),
        "[[rules]]\nid = \"x\"\nwhen = 3\n",
    )
    .unwrap();
    let (tags, problem) = evaluate();
    assert_eq!(tags, ["watch lipids"]);
    let problem = problem.unwrap();
    assert!(
        problem.contains("line") && problem.contains("previous rules stay in force"),
        "{problem}"
    );
    // Oversight is told once, with the line, however often the rules are read.
    assert_eq!(evaluate().0, ["watch lipids"]);
    let refused = |client: &caredesk::clinic::client::Signed<caredesk::clinic::InProcess>| {
        let alerts: Vec<caredesk::clinic::oversight::alerts::AlertView> =
            client.ask(Request::AlertsList { limit: 100 }).unwrap();
        alerts
            .into_iter()
            .filter(|a| a.kind == caredesk::store::alerts::AlertKind::RuleFileRefused)
            .collect::<Vec<_>>()
    };
    let auditor = t.sign_in(Role::Auditor);
    let alerts = refused(&auditor);
    assert_eq!(alerts.len(), 1, "one alert for one bad file");
    assert!(
        alerts[0].detail.to_string().contains("tag_rules.toml")
            && alerts[0].detail.to_string().contains("line"),
        "{}",
        alerts[0].detail
    );
    // A different mistake is a new alert; a fixed file raises none.
    std::fs::write(t.dir().join("tag_rules.toml"), "[[rules]]\nid = \n").unwrap();
    assert_eq!(evaluate().0, ["watch lipids"]);
    assert_eq!(refused(&auditor).len(), 2);
    std::fs::remove_file(t.dir().join("tag_rules.toml")).unwrap();
    assert!(evaluate().1.is_none());
    assert_eq!(refused(&auditor).len(), 2);
}

#[test]
fn an_overdue_follow_up_call_tags_the_patient_until_it_is_ticked_done() {
    use caredesk::domain::plan::{Action, ActionKind, Plan};
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "PLAN-3");
    let nurse = t.sign_in(Role::Nurse);
    let mut plan = Plan {
        title: "Blood pressure".into(),
        goals: vec![],
        actions: vec![Action {
            kind: ActionKind::FollowUpCall,
            description: "monthly call".into(),
            owner: "chen.jing".into(),
            due: Some(t.today() - chrono::Days::new(10)),
            done: false,
        }],
        active: true,
    };
    let kept =
        |who: &caredesk::clinic::client::Signed<caredesk::clinic::client::InProcess>| match who
            .call(Request::TagsGet { id })
        {
            Response::AutoTags(AutoTagsView { tags, .. }) => {
                tags.into_iter().map(|t| t.tag).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
    assert_eq!(
        nurse.call(Request::PlanSet {
            id,
            plan: plan.clone(),
            base: 0
        }),
        Response::Done
    );
    assert_eq!(kept(&nurse), ["overdue follow-up"]);
    plan.actions[0].done = true;
    assert_eq!(
        nurse.call(Request::PlanSet { id, plan, base: 1 }),
        Response::Done
    );
    assert!(kept(&nurse).is_empty(), "the call was made: the tag goes");
}

#[test]
fn a_bulk_import_is_reevaluated_in_the_background_and_settled_before_a_read() {
    let t = TestClinic::with_all_roles();
    let ids: Vec<PatientId> = (0..3)
        .map(|i| patient(&t, (1975, 1, 1), &format!("BULK-{i}")))
        .collect();
    let nurse = t.sign_in(Role::Nurse);
    // One file with three high readings a month apart for each of three patients.
    let mut incoming = Vec::new();
    for i in 0..3 {
        for months in [1, 2] {
            let mut older = lab(&format!("BULK-{i}"), "150", "5.0", "1.3");
            for o in &mut older[0].observations {
                o.taken_at -= months * 30 * 86_400;
            }
            incoming.extend(older);
        }
        incoming.extend(lab(&format!("BULK-{i}"), "152", "5.0", "1.3"));
    }
    let Response::ResultsImported(summary) = nurse.call(Request::ResultsImport {
        incoming,
        rejected: 0,
        create_patients: false,
    }) else {
        panic!()
    };
    assert_eq!(summary.imported, 27);
    // Reading a patient's tags brings them up to date, whether or not the background
    // worker got there first.
    let tags_of = |id: PatientId| match nurse.call(Request::TagsGet { id }) {
        Response::AutoTags(AutoTagsView { tags, .. }) => {
            tags.into_iter().map(|t| t.tag).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    assert!(tags_of(ids[1]).contains(&"hypertension".to_string()));
    // The rest are done by the worker (or at the latest when the clinic settles).
    t.clinic.settle();
    for id in &ids {
        assert!(tags_of(*id).contains(&"hypertension".to_string()));
        let Response::Risks(risks) = nurse.call(Request::RiskList { id: *id }) else {
            panic!()
        };
        assert!(!risks.is_empty());
    }
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    let reevaluated: std::collections::BTreeSet<String> = rows
        .iter()
        .filter(|r| r.action == "health.reevaluate" && r.detail.contains("trigger=results.import"))
        .flat_map(|r| r.subjects.clone())
        .collect();
    assert_eq!(reevaluated.len(), 3, "each patient once, as the system");
}
