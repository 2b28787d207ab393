//! The 规范's 高血压/2型糖尿病患者随访服务记录表 through the service: recorded by a
//! doctor as well as a nurse, the protocol's class offered (a preview that saves
//! nothing) and the clinician's kept beside it, the form's values checked, the weight
//! and HbA1c joining the results, face-to-face visits counted, and the form printed
//! and read back with poppler in both languages.

use crate::common;
use crate::common::clinic::TestClinic;
use crate::followups::{add_plan, call, patient, queue};
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientRef, ReportOutput};
use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter};
use caredesk::clinic::followup::forms::FollowUpFormDocument;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::followup::{Kind, Outcome, ReferralReason, VisitClass, VisitKind};
use caredesk::domain::followup_form::{Grade, Hypoglycaemia, Medicine, Pair, StandardForm};
use caredesk::i18n::Lang;

fn form() -> StandardForm {
    StandardForm {
        weight: Pair {
            now: Some(74.0),
            target: Some(70.0),
        },
        cigarettes: Pair {
            now: Some(10),
            target: Some(5),
        },
        exercise_per_week: Pair {
            now: Some(3),
            target: Some(5),
        },
        exercise_minutes: Pair {
            now: Some(30),
            target: Some(30),
        },
        psychology: Some(Grade::Good),
        compliance: Some(Grade::Fair),
        medicines: vec![Medicine {
            name: "苯磺酸氨氯地平片".into(),
            usage: "每日1次 每次5mg".into(),
        }],
        ..StandardForm::default()
    }
}

#[test]
fn a_doctor_records_the_form_and_the_clinicians_class_is_kept_beside_the_protocols() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let doctor = t.sign_in(Role::Doctor);
    let desk = t.sign_in(Role::FrontDesk);
    // Born 1960: 65 or over, so the target is under 150/90; 156/92 is not controlled.
    let id = patient(&t, 1, true);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    let key = FollowUpKey::of(&queue(&doctor, QueueFilter::default()).rows[0].item);
    assert!(matches!(
        doctor.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed(_)
    ));
    let mut input = call(
        Outcome::Reached,
        &[("systolic_bp", 156.0), ("diastolic_bp", 92.0)],
    );
    input.visit = VisitKind::Clinic;
    input.form = form();
    // The protocol's class, offered before the doctor chooses: nothing is saved.
    let Response::FollowUpCallSaved(preview) = doctor.call(Request::FollowUpCallPreview {
        key,
        input: input.clone(),
    }) else {
        panic!("preview")
    };
    assert_eq!(preview.class, Some(VisitClass::Uncontrolled));
    let Response::FollowUpChart(chart) = doctor.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    assert!(chart.calls.is_empty(), "a preview saves nothing");
    // The front desk may neither preview nor print the form.
    assert!(matches!(
        desk.call(Request::FollowUpCallPreview {
            key,
            input: input.clone()
        }),
        Response::Error(ServiceError::Denied { .. })
    ));

    // Values out of the form's ranges are refused, naming the field.
    let mut wrong = input.clone();
    wrong.form.cigarettes.now = Some(400);
    let refused = doctor.call(Request::FollowUpCallSave { key, input: wrong });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("Cigarettes/day") && m.to_string().contains("0–100")),
        "{refused:?}"
    );
    let mut wrong = input.clone();
    wrong.form.referral_to = "市第一医院 心内科".into();
    let refused = doctor.call(Request::FollowUpCallSave { key, input: wrong });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("reason")),
        "{refused:?}"
    );

    // The doctor judges it controlled (home readings lower) and refers for advice.
    input.form.class = Some(VisitClass::Controlled);
    input.form.referral_reason = "血压波动大，需专科调整用药".into();
    input.form.referral_to = "北京市朝阳医院 心血管内科".into();
    let Response::FollowUpCallSaved(saved) = doctor.call(Request::FollowUpCallSave {
        key,
        input: input.clone(),
    }) else {
        panic!("save")
    };
    assert_eq!(saved.class, Some(VisitClass::Controlled));
    assert_eq!(saved.suggested, Some(VisitClass::Uncontrolled));
    assert!(saved.referral);
    assert!(matches!(
        saved.reasons.last(),
        Some(ReferralReason::Clinician { to, .. }) if to == "北京市朝阳医院 心血管内科"
    ));
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    let kept = &chart.calls[0];
    assert_eq!(
        kept.input.form, input.form,
        "the form reads back as recorded"
    );
    assert_eq!(kept.by, t.staff[&Role::Doctor].name);
    assert_eq!(kept.suggested, Some(VisitClass::Uncontrolled));
    // The weight on the form joined the results.
    let Response::Observations(results) = nurse.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert!(
        results
            .iter()
            .any(|o| o.code == "29463-7" && format!("{:?}", o.value).contains("74"))
    );
}

fn print(
    t: &TestClinic,
    role: Role,
    id: caredesk::domain::patient::PatientId,
    file: &str,
) -> Box<FollowUpFormDocument> {
    match t.sign_in(role).call(Request::FollowUpFormPrint {
        patient: PatientRef::Id(id),
        plan: None,
        year: None,
        output: ReportOutput::File(file.into()),
    }) {
        Response::FollowUpForm(document) => document,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_diabetes_form_prints_as_the_standard_has_it_and_reads_back_in_both_languages() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 2, true);
    add_plan(&nurse, id, Kind::Diabetes, t.today());
    let key = FollowUpKey::of(&queue(&nurse, QueueFilter::default()).rows[0].item);
    assert!(matches!(
        nurse.call(Request::FollowUpClaim { key }),
        Response::FollowUpClaimed(_)
    ));
    let mut input = call(Outcome::Reached, &[("glucose_fasting", 6.6)]);
    input.visit = VisitKind::Home;
    input.form = form();
    input.form.hba1c = Some((7.1, t.today().pred_opt().unwrap()));
    input.form.hypoglycaemia = Some(Hypoglycaemia::Occasional);
    input.form.insulin = "门冬胰岛素 早晚各8单位".into();
    assert!(matches!(
        nurse.call(Request::FollowUpCallSave { key, input }),
        Response::FollowUpCallSaved(_)
    ));
    // HbA1c joined the results on the day it was measured.
    let Response::Observations(results) = nurse.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert!(results.iter().any(|o| o.code == "4548-4"));

    // A nurse prints it (the front desk may not); the print is audited as a disclosure.
    assert!(matches!(
        t.sign_in(Role::FrontDesk).call(Request::FollowUpFormPrint {
            patient: PatientRef::Id(id),
            plan: None,
            year: None,
            output: ReportOutput::Preview,
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let document = print(&t, Role::Nurse, id, "form.pdf");
    assert_eq!((document.face_to_face, document.visits_per_year), (1, 4));
    assert_eq!(document.calls.len(), 1);
    let zh = common::pdf_text(&caredesk::report::followup_form_pdf(&document, Lang::ZhCn).unwrap());
    for expected in [
        "2型糖尿病患者随访服务记录表",
        "随访方式",
        "家庭",
        "足背动脉搏动",
        "日吸烟量",
        "10 / 5",
        "糖化血红蛋白",
        "7.1%",
        "低血糖反应",
        "偶尔",
        "此次随访分类",
        "控制满意",
        "苯磺酸氨氯地平片",
        "门冬胰岛素",
        "本年 1/4 次",
        "随访医生签名",
    ] {
        assert!(zh.contains(expected), "{expected:?} not in:\n{zh}");
    }
    let en = common::pdf_text(&caredesk::report::followup_form_pdf(&document, Lang::En).unwrap());
    for expected in [
        "Type 2 diabetes follow-up record",
        "Kind of visit",
        "home",
        "HbA1c",
        "occasional",
        "This visit's class",
        "1 of 4 this year",
    ] {
        assert!(en.contains(expected), "{expected:?} not in:\n{en}");
    }
    let rows = common::clinic::audit_rows(&t.sign_in(Role::Auditor));
    assert!(rows.iter().any(|r| {
        r.action == "followup.form_print"
            && r.detail
                .contains("disclosure: follow-up record form to file=form.pdf")
            && !r.detail.contains("氨氯地平")
    }));
}

#[test]
fn a_patient_with_two_plans_names_one_and_other_kinds_have_no_form() {
    let t = TestClinic::with_all_roles();
    let nurse = t.sign_in(Role::Nurse);
    let id = patient(&t, 3, true);
    add_plan(&nurse, id, Kind::Hypertension, t.today());
    add_plan(&nurse, id, Kind::Diabetes, t.today());
    add_plan(&nurse, id, Kind::PostExam, t.today());
    let ask = |plan| {
        nurse.call(Request::FollowUpFormPrint {
            patient: PatientRef::Id(id),
            plan,
            year: None,
            output: ReportOutput::Preview,
        })
    };
    let which = ask(None);
    assert!(
        matches!(&which, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("--plan") && m.to_string().contains("1 (hypertension), 2 (diabetes)")),
        "{which:?}"
    );
    assert!(matches!(
        ask(Some(3)),
        Response::Error(ServiceError::Invalid(_))
    ));
    let Response::FollowUpForm(document) = ask(Some(2)) else {
        panic!()
    };
    assert_eq!(document.kind, Kind::Diabetes);
    // No visit yet this year: the form says so rather than printing empty columns.
    let text = common::pdf_text(&caredesk::report::followup_form_pdf(&document, Lang::En).unwrap());
    assert!(
        text.contains("No visit reached the patient this year."),
        "{text}"
    );
}
