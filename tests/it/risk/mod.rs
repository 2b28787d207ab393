//! Risk assessments through the service: inputs from the record and the latest
//! results (units converted), assumptions said, missing inputs listed, kept with the
//! model version, exported as FHIR RiskAssessment.

use crate::common;
use caredesk::clinic::api::{AutoTagsView, PatientCreated, SearchResults};

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::export::to_fhir;
use caredesk::clinic::{Request, Response};
use caredesk::domain::amendment::{Section, SectionValue};
use caredesk::domain::assessment::Outcome;
use caredesk::domain::health::{Lifestyle, Smoking};
use caredesk::domain::patient::{IdType, PatientId, Sex};
use caredesk::domain::risk::Refusal;

fn patient(t: &TestClinic, birth: (i32, u32, u32), id_number: &str) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient("Risk Patient", "13700000041", id_number);
    p.id_type = IdType::Other;
    p.sex = Sex::Male;
    p.phone = None;
    p.birth_date = chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2);
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

fn lab(number: &str, sbp: &str, tc_mmol: &str, hdl_mmol: &str) -> Vec<caredesk::ingest::Incoming> {
    let text = format!(
        "MSH|^~\\&|LAB|X|CD|Y|20300101083000||ORU^R01|M1|P|2.5\r\
PID|||{number}||RISK^PATIENT\r\
OBR|1|||24331-1^Lipids^LN|||20300101080000\r\
OBX|1|NM|14647-2^Cholesterol^LN||{tc_mmol}|mmol/L|<5.2||||F\r\
OBX|2|NM|14646-4^HDL^LN||{hdl_mmol}|mmol/L|>1.0||||F\r\
OBX|3|NM|8480-6^Systolic^LN||{sbp}|mm[Hg]|90-139||||F\r"
    );
    caredesk::ingest::hl7::parse(&text, "lab.hl7").incoming
}

#[test]
fn an_assessment_reads_the_record_and_latest_results_and_is_kept_and_exported() {
    let t = TestClinic::with_all_roles();
    // 55 at the test clock's time (2030).
    let id = patient(&t, (1975, 1, 1), "RISK-1");
    let doctor = t.sign_in(Role::Doctor);
    doctor.call(Request::ResultsImport {
        incoming: lab("RISK-1", "120", "5.51", "1.29"),
        rejected: 0,
        create_patients: false,
    });
    // A smoker on amlodipine.
    doctor.call(Request::HealthAmend {
        id,
        before: SectionValue::Lifestyle(Lifestyle::default()),
        after: SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Current),
            ..Lifestyle::default()
        }),
        reason: "history taken".into(),
    });
    common::amend_entries(&doctor, id, Section::Medications, &["Amlodipine 5 mg"]);
    let Response::Risks(risks) = doctor.call(Request::RiskAssess { id }) else {
        panic!()
    };
    let pce = risks.iter().find(|r| r.model == "ascvd_pce").unwrap();
    assert_eq!(pce.version, "2013 ACC/AHA");
    assert!(pce.source.contains("Goff"));
    // mmol/L converted to mg/dL for the equations.
    let tc = pce.inputs.total_cholesterol.unwrap();
    assert!((tc - 213.1).abs() < 0.2, "{tc}");
    assert!(pce.inputs.smoker && pce.inputs.treated_for_hypertension && !pce.inputs.diabetes);
    assert!(pce.assumptions.iter().any(|a| a.contains("no diabetes")));
    assert!(
        pce.assumptions
            .iter()
            .any(|a| a.contains("race not recorded"))
    );
    let Outcome::Risk {
        probability,
        band,
        chinese_band,
    } = &pce.outcome
    else {
        panic!("{:?}", pce.outcome)
    };
    assert!(
        *probability > 0.053,
        "a treated smoker's risk is above the example's 5.3 %"
    );
    assert!(!band.is_empty() && chinese_band.is_some());
    // FINDRISC needs its questionnaire.
    let findrisc = risks.iter().find(|r| r.model == "findrisc").unwrap();
    assert!(
        matches!(&findrisc.outcome, Outcome::Refused(Refusal::Missing(m)) if m[0].contains("FINDRISC"))
    );
    doctor.call(Request::QuestionnaireSubmit {
        id,
        key: "findrisc".into(),
        answers: vec![2, 1, 1, 1, 0, 1, 0, 0],
    });
    // The questionnaire's arrival recomputed the risks by itself: FINDRISC is kept
    // without anyone opening the risk screen, and only FINDRISC changed.
    let Response::Risks(kept) = doctor.call(Request::RiskList { id }) else {
        panic!()
    };
    assert!(matches!(&kept[0].outcome, Outcome::Score { score: 11, .. }));
    assert_ne!(kept[1].model, "findrisc", "one new FINDRISC, not a pile");
    doctor.call(Request::RiskAssess { id });
    let Response::Risks(again) = doctor.call(Request::RiskList { id }) else {
        panic!()
    };
    assert_eq!(again.len(), kept.len(), "nothing changed, nothing kept");
    // The recomputation is audited as the system's work, naming what caused it.
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    let system: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "health.reevaluate")
        .collect();
    assert!(!system.is_empty());
    assert!(
        system
            .iter()
            .all(|r| r.user == "system" && r.role == "system")
    );
    assert!(
        system
            .iter()
            .any(|r| r.detail.contains("trigger=questionnaire.submit"))
    );

    let Response::PatientExport(export) = doctor.call(Request::PatientExport {
        key: "RISK-1".into(),
    }) else {
        panic!()
    };
    let bundle = to_fhir(&export);
    // The automatic tags go with the record, as Flags.
    assert!(export.auto_tags.iter().any(|t| t.tag == "smoker"));
    let flags: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Flag")
        .collect();
    assert!(
        flags.iter().any(|f| f["code"]["text"] == "smoker"),
        "{flags:?}"
    );
    let assessments: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "RiskAssessment")
        .collect();
    assert!(!assessments.is_empty());
    let first = assessments[0];
    assert!(
        first["method"]["text"]
            .as_str()
            .unwrap()
            .contains("Pooled Cohort")
    );
    assert!(
        first["prediction"][0]["probabilityDecimal"]
            .as_f64()
            .unwrap()
            > 0.05
    );
}

#[test]
fn missing_measurements_are_listed_not_guessed() {
    let t = TestClinic::with_all_roles();
    let id = patient(&t, (1975, 1, 1), "RISK-2");
    let nurse = t.sign_in(Role::Nurse);
    let Response::Risks(risks) = nurse.call(Request::RiskAssess { id }) else {
        panic!()
    };
    let pce = risks.iter().find(|r| r.model == "ascvd_pce").unwrap();
    let Outcome::Refused(Refusal::Missing(missing)) = &pce.outcome else {
        panic!("{:?}", pce.outcome)
    };
    assert_eq!(missing.len(), 3, "{missing:?}");
    // Too young for the Pooled Cohort Equations: said, not extrapolated.
    let young = patient(&t, (1995, 1, 1), "RISK-3");
    nurse.call(Request::ResultsImport {
        incoming: lab("RISK-3", "118", "4.8", "1.4"),
        rejected: 0,
        create_patients: false,
    });
    let Response::Risks(risks) = nurse.call(Request::RiskAssess { id: young }) else {
        panic!()
    };
    let pce = risks.iter().find(|r| r.model == "ascvd_pce").unwrap();
    assert!(
        matches!(&pce.outcome, Outcome::Refused(Refusal::OutOfRange { input, .. }) if input == "age")
    );
    let framingham = risks.iter().find(|r| r.model == "framingham_cvd").unwrap();
    assert!(
        matches!(framingham.outcome, Outcome::Risk { .. }),
        "Framingham covers 30-74"
    );
}

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
        let alerts: Vec<caredesk::clinic::alerts::AlertView> =
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
        alerts[0].detail.contains("tag_rules.toml") && alerts[0].detail.contains("line"),
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
        Response::Error(caredesk::clinic::ServiceError::Invalid(m)) if m.contains("happiness")
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
