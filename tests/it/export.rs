//! Export of everything held on a patient, by card, ID or phone number; JSON and FHIR.

use crate::common;
use caredesk::clinic::api::Registered;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::export::access::{FORMAT, to_fhir};
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::amendment::Section;
use caredesk::domain::consent::{Channel, Decision, Method, Purpose};
use caredesk::domain::patient::{IdType, Patient, Sex};
use chrono::NaiveDate;

#[test]
fn a_doctor_exports_everything_by_card_id_or_phone_as_json_and_fhir() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let patient = Patient {
        name: "王芳".into(),
        sex: Sex::Female,
        birth_date: NaiveDate::from_ymd_opt(1949, 12, 31),
        phone: Some("13912345678".into()),
        id_type: IdType::ResidentId,
        id_number: Some("11010519491231002X".into()),
        address: Some("北京市朝阳区建国路 88 号".into()),
        ..Patient::default()
    };
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient,
        card_type: "gold".into(),
    }) else {
        panic!()
    };
    desk.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision: Decision::Granted,
        method: Method::SignedForm,
    });
    let doctor = t.sign_in(Role::Doctor);
    common::amend_entries(&doctor, id, Section::Allergies, &["penicillin"]);
    common::amend_entries(&doctor, id, Section::PastIllnesses, &["gout"]);
    // A lab result, and a questionnaire.
    let lab = caredesk::ingest::hl7::parse(
        &format!(
            "MSH|^~\\&|LAB|X|CD|Y|20260301083000||ORU^R01|M1|P|2.5\r\
PID|||{}||ZHANG^FANG\r\
OBR|1|||24331-1^Lipids^LN|||20260301080000\r\
OBX|1|NM|2093-3^Cholesterol^LN||4.30|mmol/L|3.0-5.2|N|||F\r\
OBX|2|SN|2571-8^Triglycerides^LN||<^0.5|mmol/L|<1.7||||F\r",
            card.number
        ),
        "lab.hl7",
    );
    assert!(lab.rejected.is_empty(), "{:?}", lab.rejected);
    doctor.call(Request::ResultsImport {
        incoming: lab.incoming,
        rejected: 0,
        create_patients: false,
    });
    doctor.call(Request::QuestionnaireSubmit {
        id,
        key: "gad7".into(),
        answers: vec![1, 1, 0, 0, 2, 0, 1],
    });

    for key in [card.number.as_str(), "11010519491231002x", "139 1234 5678"] {
        let Response::PatientExport(export) =
            doctor.call(Request::PatientExport { key: key.into() })
        else {
            panic!("{key}")
        };
        assert_eq!(export.id, id);
        assert_eq!(export.format, FORMAT);
        assert_eq!(export.cards.len(), 1);
        assert_eq!(export.consent.entries.len(), 1);
        assert_eq!(export.health.allergies[0].substance, "penicillin");
        assert_eq!(export.amendments.len(), 2);
        // Two lab results, and the questionnaire's total and band.
        assert_eq!(export.observations.len(), 4);
        assert_eq!(export.questionnaires.len(), 1);
    }
    let Response::PatientExport(export) = doctor.call(Request::PatientExport {
        key: card.number.clone(),
    }) else {
        panic!()
    };
    let bundle = to_fhir(&export);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let resources: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        [
            "Patient",
            "Condition",
            "AllergyIntolerance",
            "Observation",
            "Observation",
            "Observation",
            "Observation",
            "QuestionnaireResponse",
            "Consent"
        ]
    );
    let cholesterol = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["code"]["coding"][0]["code"] == "2093-3")
        .unwrap();
    assert_eq!(
        cholesterol["code"]["coding"][0]["system"],
        "http://loinc.org"
    );
    assert_eq!(cholesterol["valueQuantity"]["value"], 4.3);
    assert_eq!(cholesterol["valueQuantity"]["unit"], "mmol/L");
    assert_eq!(
        cholesterol["valueQuantity"]["system"],
        "http://unitsofmeasure.org"
    );
    assert_eq!(cholesterol["referenceRange"][0]["high"]["value"], 5.2);
    assert_eq!(cholesterol["interpretation"][0]["coding"][0]["code"], "N");
    assert_eq!(cholesterol["effectiveDateTime"], "2026-03-01T08:00:00Z");
    let triglycerides = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["code"]["coding"][0]["code"] == "2571-8")
        .unwrap();
    assert_eq!(triglycerides["valueQuantity"]["comparator"], "<");
    let fhir_patient = &bundle["entry"][0]["resource"];
    assert_eq!(fhir_patient["birthDate"], "1949-12-31");
    assert_eq!(fhir_patient["gender"], "female");
    let identifiers = fhir_patient["identifier"].as_array().unwrap();
    // Identifiers carry their systems: the card under caredesk's URN, the resident ID
    // under its OID.
    assert!(
        identifiers
            .iter()
            .any(|i| i["value"] == card.number.as_str() && i["system"] == "urn:caredesk:card")
    );
    assert!(
        identifiers
            .iter()
            .any(|i| i["value"] == "11010519491231002X"
                && i["system"] == "urn:oid:2.16.156.10011.1.3")
    );
    let consent = &bundle["entry"][8]["resource"];
    assert_eq!(consent["provision"]["type"], "permit");
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["scope"]["coding"][0]["code"], "patient-privacy");
    assert_eq!(consent["policyRule"]["coding"][0]["code"], "OPTIN");
    // Every entry has a urn:uuid: fullUrl and the references point at the Patient's.
    let patient_url = bundle["entry"][0]["fullUrl"].as_str().unwrap();
    assert!(patient_url.starts_with("urn:uuid:"), "{patient_url}");
    assert_eq!(cholesterol["subject"]["reference"], patient_url);
    assert_eq!(consent["patient"]["reference"], patient_url);
    let gout = &bundle["entry"][1]["resource"];
    assert_eq!(gout["clinicalStatus"]["coding"][0]["code"], "active");
    assert!(bundle.to_string().find("[]").is_none(), "no empty arrays");
    // caredesk's own JSON carries the follow-up calls too (none here yet).
    let own = serde_json::to_value(&*export).unwrap();
    assert!(own["calls"].as_array().unwrap().is_empty());
    assert_eq!(own["exported_at"], t.now());

    // Not for the front desk; an unknown key names the problem; the export is audited.
    assert!(matches!(
        desk.call(Request::PatientExport {
            key: card.number.clone()
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        doctor.call(Request::PatientExport {
            key: "88609999999999".into()
        }),
        Response::Error(ServiceError::NotFound(_))
    ));
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    let exports: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "patient.export" && r.outcome == "ok")
        .collect();
    assert_eq!(exports.len(), 4);
    assert_eq!(exports[0].subjects, vec![id.to_string()]);
    assert!(exports[0].detail.contains("disclosure"));
}

#[test]
fn a_shared_phone_asks_for_a_card_or_id_number() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    for (name, birth, id) in [
        ("李秀英", (1925, 1, 1), "110105192501010023"),
        ("王芳", (1949, 12, 31), "11010519491231002X"),
    ] {
        let patient = Patient {
            name: name.into(),
            birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
            phone: Some("13912345678".into()),
            id_number: Some(id.into()),
            ..Patient::default()
        };
        assert!(matches!(
            desk.call(Request::PatientRegister {
                patient,
                card_type: "basic".into()
            }),
            Response::Registered { .. }
        ));
    }
    let auditor = t.sign_in(Role::Auditor);
    let reply = auditor.call(Request::PatientExport {
        key: "13912345678".into(),
    });
    assert!(
        matches!(reply, Response::Error(ServiceError::Conflict(ref m)) if m.to_string().contains("share this phone")),
        "{reply:?}"
    );
}
