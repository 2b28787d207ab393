//! The 健康体检表 through the service: a form drafted from a real Synthea patient's
//! imported results (units converted, only the year before the exam), saved by a nurse,
//! refused when stale or when an answer is one the form does not take, the values the
//! results lacked joining them, and the form printed and read back with poppler in
//! both languages, audited as a disclosure without its content.

use std::collections::BTreeMap;

use crate::common;
use crate::common::clinic::TestClinic;
use crate::fhir_import_real::{import, parse, patients_by_name};
use crate::followups::set_consent;
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientRef, ReportOutput};
use caredesk::clinic::results::exam_form::{ExamDraft, ExamSaved};
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::basic_info::Declared;
use caredesk::domain::consent::{Decision, Method, Processing};
use caredesk::domain::decimal::Decimal;
use caredesk::domain::exam_form::{Answer, ExamForm, ExamVersion};
use caredesk::domain::patient::PatientId;
use caredesk::i18n::Lang;

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Frankie174 of the Synthea sample, imported, with consent to process health data.
fn frankie(t: &TestClinic) -> PatientId {
    let incoming = parse("synthea/Frankie174_Jast432.json").incoming;
    import(t, &incoming, true);
    let id = patients_by_name(t, &["Frankie174"])[0];
    set_consent(&t.sign_in(Role::FrontDesk), id, Decision::Granted);
    id
}

fn number(text: &str) -> Answer {
    Answer::Number(Decimal::parse(text).unwrap())
}

fn codes(list: &[&str]) -> Answer {
    Answer::Codes(list.iter().map(|c| c.to_string()).collect())
}

fn save(
    t: &TestClinic,
    role: Role,
    id: PatientId,
    (number, base): (Option<u32>, usize),
    form: &ExamForm,
) -> Response {
    t.sign_in(role).call(Request::ExamSave {
        id,
        number,
        base,
        form: form.clone(),
    })
}

#[test]
fn a_form_drafted_from_real_results_is_saved_refused_when_stale_and_joins_the_results() {
    let t = TestClinic::with_all_roles();
    let id = frankie(&t);
    let nurse = t.sign_in(Role::Nurse);
    // Synthea measured a blood count on 2017-02-14 (10*3/uL, g/dL): a form for
    // 2018-01-10 takes it, in SI units, with the vital signs of the year before.
    let Response::ExamDraft(draft) = nurse.call(Request::ExamDraft {
        id,
        date: date(2018, 1, 10),
    }) else {
        panic!("draft")
    };
    let ExamDraft { form, filled } = *draft;
    for item in [
        "wbc",
        "platelets",
        "haemoglobin",
        "height",
        "weight",
        "bp_left_systolic",
    ] {
        assert!(filled.iter().any(|f| f == item), "{item} not in {filled:?}");
    }
    assert_eq!(form.number("wbc"), Some(6.6));
    assert_eq!(form.number("haemoglobin"), Some(170.0));
    // The lipids measured on 2018-02-20 came after the exam's day.
    assert_eq!(form.number("cholesterol_total"), None);
    assert_eq!(form.invalid_item(), None);

    // The front desk may not read or draft a form.
    assert!(matches!(
        t.sign_in(Role::FrontDesk).call(Request::ExamDraft {
            id,
            date: date(2018, 1, 10)
        }),
        Response::Error(ServiceError::Denied { .. })
    ));

    let count_results = || match nurse.call(Request::Observations { id, code: None }) {
        Response::Observations(all) => all.len(),
        other => panic!("{other:?}"),
    };
    let before = count_results();
    let mut typed = form.clone();
    typed.doctor = "周医生".into();
    typed.answers.extend(BTreeMap::from([
        ("symptoms".to_string(), codes(&["3", "13"])),
        ("temperature".to_string(), number("36.8")),
        ("respiration".to_string(), number("18")),
        ("elder_health".to_string(), codes(&["2"])),
        (
            "occupational_exposure".to_string(),
            Answer::Declared(Declared::Some("粉尘 5年 有防护".into())),
        ),
        ("evaluation".to_string(), codes(&["2"])),
        (
            "abnormalities".to_string(),
            Answer::Text("<script>血红蛋白偏高</script>".into()),
        ),
        ("guidance".to_string(), codes(&["2"])),
    ]));
    let Response::ExamSaved(ExamSaved {
        number: saved,
        results_added,
    }) = save(&t, Role::Nurse, id, (None, 0), &typed)
    else {
        panic!("save")
    };
    // Temperature and breathing rate were typed; everything filled came from results.
    assert_eq!((saved, results_added), (1, 2));
    assert_eq!(count_results(), before + 2);

    // A second version from the first; a save from the first again is stale.
    let mut second = typed.clone();
    second.answers.insert("temperature".into(), number("37.0"));
    assert!(matches!(
        save(&t, Role::Doctor, id, (Some(1), 1), &second),
        Response::ExamSaved(ExamSaved { number: 1, .. })
    ));
    assert!(matches!(
        save(&t, Role::Nurse, id, (Some(1), 1), &typed),
        Response::Error(ServiceError::Conflict(_))
    ));
    let Response::Exams(all) = nurse.call(Request::ExamList { id }) else {
        panic!()
    };
    let latest = caredesk::domain::exam_form::latest(&all);
    assert_eq!(latest.len(), 1);
    let (ExamVersion { form: kept, by, .. }, versions) = &latest[0];
    assert_eq!((by.as_str(), *versions), ("doctor.user", 2));
    assert_eq!(kept.number("temperature"), Some(37.0));
    // BMI was filled from the results, so it stays as they had it.
    assert!(kept.number("bmi").is_some());
}

#[test]
fn answers_the_form_does_not_take_and_dates_out_of_bounds_are_refused_with_the_item_named() {
    let t = TestClinic::with_all_roles();
    let id = frankie(&t);
    let base = ExamForm::new(t.today());
    for (item, answer) in [
        ("temperature", number("98.6")),
        ("lips", codes(&["9"])),
        ("symptoms", codes(&["1", "2"])),
        ("smoking", codes(&["1", "3"])),
        ("no_such_item", Answer::Text("x".into())),
        ("lips", Answer::Text("红润".into())),
        ("abnormalities", Answer::Text("长".repeat(201))),
        ("abnormalities", Answer::Text("   ".into())),
    ] {
        let mut form = base.clone();
        form.answers.insert(item.into(), answer);
        match save(&t, Role::Nurse, id, (None, 0), &form) {
            Response::Error(ServiceError::Field { field, .. }) => assert_eq!(field, item),
            other => panic!("{item}: {other:?}"),
        }
    }
    for day in [t.today().succ_opt().unwrap(), date(1899, 12, 31)] {
        let form = ExamForm::new(day);
        assert!(
            matches!(
                save(&t, Role::Nurse, id, (None, 0), &form),
                Response::Error(ServiceError::Field { ref field, .. }) if field == "date"
            ),
            "{day}"
        );
    }
    // Nothing was kept.
    let Response::Exams(all) = t.sign_in(Role::Nurse).call(Request::ExamList { id }) else {
        panic!()
    };
    assert!(all.is_empty());
    // A patient who refused the processing of their health data: the form is not
    // recorded (their record is only stored).
    let refused = t
        .sign_in(Role::FrontDesk)
        .call(Request::ConsentProcessingSet {
            id,
            scope: Processing::HealthData,
            decision: Decision::Refused,
            method: Method::SignedForm,
            guardian: None,
        });
    assert!(matches!(refused, Response::Consent(_)), "{refused:?}");
    assert!(matches!(
        save(&t, Role::Nurse, id, (None, 0), &base),
        Response::Error(ServiceError::Conflict(_))
    ));
}

#[test]
fn the_form_prints_every_section_and_reads_back_in_both_languages() {
    let t = TestClinic::with_all_roles();
    let id = frankie(&t);
    let mut form = ExamForm::new(t.today());
    form.doctor = "周医生".into();
    form.answers.extend(BTreeMap::from([
        ("symptoms".to_string(), codes(&["3", "13"])),
        ("temperature".to_string(), number("36.6")),
        ("bp_left_systolic".to_string(), number("142")),
        ("bp_right_systolic".to_string(), number("138")),
        ("dorsalis_pedis".to_string(), codes(&["3"])),
        ("urine_protein".to_string(), codes(&["2"])),
        ("potassium".to_string(), number("4.1")),
        ("hbsag".to_string(), codes(&["1"])),
        ("cerebrovascular".to_string(), codes(&["1"])),
        (
            "vaccinations".to_string(),
            Answer::Declared(Declared::Some(
                "流感疫苗 2025-10-08 社区卫生服务中心".into(),
            )),
        ),
        ("evaluation".to_string(), codes(&["2"])),
        ("abnormalities".to_string(), Answer::Text("血压偏高".into())),
        ("guidance".to_string(), codes(&["1", "2"])),
        ("risk_control".to_string(), codes(&["3", "4", "5"])),
        ("target_weight".to_string(), number("80")),
    ]));
    assert!(matches!(
        save(&t, Role::Nurse, id, (None, 0), &form),
        Response::ExamSaved(_)
    ));
    // A nurse records the form; printing it gives it out, which is the doctor's.
    assert!(matches!(
        t.sign_in(Role::Nurse).call(Request::ExamFormPrint {
            patient: PatientRef::Id(id),
            number: None,
            output: ReportOutput::Preview,
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let Response::ExamForm(document) = t.sign_in(Role::Doctor).call(Request::ExamFormPrint {
        patient: PatientRef::Id(id),
        number: Some(1),
        output: ReportOutput::File("exam.pdf".into()),
    }) else {
        panic!("print")
    };
    let zh = common::pdf_text(&caredesk::report::exam_form_pdf(&document, Lang::ZhCn).unwrap());
    for expected in [
        "健康体检表",
        "症状",
        "头晕、乏力",
        "一般状况",
        "体温（℃）",
        "36.6",
        "血压 右侧 收缩压（mmHg）",
        "138",
        "生活方式",
        "脏器功能",
        "查体",
        "触及左侧弱或消失",
        "辅助检查",
        "可疑（±）",
        "血钾浓度",
        "4.1",
        "乙型肝炎表面抗原",
        "阴性",
        "现存主要健康问题",
        "住院治疗情况",
        "主要用药情况",
        "非免疫规划预防接种史",
        "流感疫苗",
        "健康评价",
        "有异常",
        "血压偏高",
        "健康指导",
        "纳入慢性病患者健康管",
        "建议复查",
        "减体重目标（kg）",
        "周医生",
        "医生签字",
    ] {
        assert!(zh.contains(expected), "{expected:?} not in:\n{zh}");
    }
    let en = common::pdf_text(&caredesk::report::exam_form_pdf(&document, Lang::En).unwrap());
    for expected in [
        "Health Examination Form",
        "Symptoms",
        "Dizziness, Fatigue",
        "Temperature (℃)",
        "Foot pulses",
        "Left weak or absent",
        "Kidney: potassium",
        "Hepatitis B surface antigen",
        "Health evaluation",
        "Abnormal findings",
        "Health guidance",
        "Recheck",
    ] {
        assert!(en.contains(expected), "{expected:?} not in:\n{en}");
    }
    let rows = common::clinic::audit_rows(&t.sign_in(Role::Auditor));
    assert!(rows.iter().any(|r| {
        r.action == "exam.form_print"
            && r.detail
                .contains("disclosure: examination form to file=exam.pdf")
            && !r.detail.contains("血压")
    }));
}
