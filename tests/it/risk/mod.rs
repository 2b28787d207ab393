//! Risk assessments through the service: inputs from the record and the latest
//! results (units converted), assumptions said, missing inputs listed, kept with the
//! model version, exported as FHIR RiskAssessment.
//!
//! What is made from them: `tags` (automatic tags following the data, their rule file,
//! re-evaluation after a bulk import) and `plans` (advice and intervention plans).

mod plans;
mod tags;

use crate::common;
use caredesk::clinic::api::PatientCreated;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::export::access::to_fhir;
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
    assert!(
        pce.assumptions
            .iter()
            .any(|a| a.to_string().contains("no diabetes"))
    );
    assert!(
        pce.assumptions
            .iter()
            .any(|a| a.to_string().contains("race not recorded"))
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
