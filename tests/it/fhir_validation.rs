//! The FHIR export checked by something that is not caredesk (`fhir_checks`: HL7's R4
//! 4.0.1 JSON schema and the invariants it cannot express): every Bundle of every demo
//! patient, and a hand-made record full of the cases the outside review found.

use crate::common::ManualClock;
use crate::common::clinic::{START, demo_client, demo_vault, quick_options};
use crate::fhir_checks::{is_uuid, problems};
use caredesk::clinic::export::access::{PatientExport, to_fhir};
use caredesk::clinic::{Clinic, Request, Response};
use caredesk::demo;
use serde_json::{Value, json};

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let bad = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:patient-1", "resource": { "resourceType": "Patient", "identifier": [] } },
            { "resource": { "resourceType": "Observation", "status": "final", "code": { "text": "x" },
                "subject": { "reference": "Patient/1" } } },
            { "fullUrl": "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", "resource": {
                "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "resourceType": "Consent", "status": "active",
                "scope": { "text": "x" }, "category": [{ "text": "x" }] } },
            { "fullUrl": "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950f", "resource": {
                "id": "0f8fad5b-d9cb-469f-a165-70867728950f", "resourceType": "Condition", "subject": { "reference": "x" },
                "wrongField": 1 } },
        ]
    });
    let found = problems(&bad).join("\n");
    for expected in [
        "schema:",
        "no timestamp",
        "no identifier",
        "fullUrl \"urn:uuid:patient-1\" is no urn:uuid",
        "fullUrl \"\" is no urn:uuid",
        "Observation without effective[x]",
        "Consent breaks ppc-1",
        "Condition breaks con-3/con-5",
        "empty element at /entry/0/resource/identifier",
        "reference \"Patient/1\"",
    ] {
        assert!(found.contains(expected), "{expected} not caught:\n{found}");
    }
    assert!(is_uuid("0f8fad5b-d9cb-569f-a165-70867728950e"));
    assert!(
        !is_uuid("0f8fad5b-d9cb-069f-a165-70867728950e"),
        "version 0"
    );
    assert!(!is_uuid("0f8fad5b-d9cb-569f-c165-70867728950e"), "variant");
    assert!(
        !is_uuid("0F8FAD5B-D9CB-569F-A165-70867728950E"),
        "upper case"
    );
}

#[test]
fn every_demo_patient_s_export_validates_against_fhir_r4() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let clock = ManualClock::starting_at(START);
    let patients = 60;
    demo::create(&dir, patients, quick_options(&clock), &mut |_| {}).unwrap();
    // Each patient's key: a card number, else the ID number.
    let keys: Vec<String> = {
        let vault = demo_vault(&dir, &clock);
        vault
            .patient_ids()
            .unwrap()
            .iter()
            .map(|id| match vault.cards(id).unwrap().first() {
                Some(card) => card.number.clone(),
                None => vault.patient(id).unwrap().id_number.unwrap(),
            })
            .collect()
    };
    assert_eq!(keys.len(), patients);
    let clinic = std::sync::Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
    // The privacy officer answers access requests, restricted patients included.
    let auditor = demo_client(&clinic, "he.audit");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let (mut calls, mut bundles, mut raced) = (0, 0, 0);
    for key in &keys {
        let Response::PatientExport(export) =
            auditor.call(Request::PatientExport { key: key.clone() })
        else {
            panic!("no export for a demo patient")
        };
        calls += export.calls.len();
        let bundle = to_fhir(&export);
        let found = problems(&bundle);
        assert!(found.is_empty(), "{}", found.join("\n"));
        // The same record exported again gets the same ids.
        let mut later = (*export).clone();
        later.exported_at += 3600;
        let again = to_fhir(&later);
        let urls = |b: &Value| -> Vec<Value> {
            b["entry"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["fullUrl"].clone())
                .collect()
        };
        assert_eq!(urls(&bundle), urls(&again));
        assert_ne!(
            bundle["identifier"], again["identifier"],
            "a new Bundle each time"
        );
        raced += usize::from(
            resources(&bundle, "Patient")[0]["extension"]
                .as_array()
                .is_some_and(|x| {
                    x.iter().any(|x| {
                        x["url"]
                            .as_str()
                            .is_some_and(|u| u.ends_with("us-core-race"))
                    })
                }),
        );
        for e in bundle["entry"].as_array().unwrap() {
            *kinds
                .entry(e["resource"]["resourceType"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        bundles += 1;
    }
    assert_eq!(bundles, patients);
    // The demo exercises every kind of resource the export makes.
    for kind in [
        "Patient",
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "FamilyMemberHistory",
        "Observation",
        "QuestionnaireResponse",
        "RiskAssessment",
        "CarePlan",
        "Goal",
        "Communication",
        "Composition",
        "Flag",
        "Encounter",
        "Consent",
    ] {
        assert!(
            kinds.contains_key(kind),
            "no {kind} in the demo's exports: {kinds:?}"
        );
    }
    assert!(
        calls > 0 && kinds["Encounter"] == calls,
        "{calls} calls, {kinds:?}"
    );
    // The demo records race for some: the US Core extension carries it.
    assert!(raced > 0, "no demo patient with race");
}

fn at(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp()
}

fn day(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A record with what went wrong before: statuses, codes from other systems, non-UCUM
/// units, race, a withdrawn consent, a call with a recording and one not answered.
fn edge_cases() -> PatientExport {
    use caredesk::auth::Role;
    use caredesk::domain::amendment::{Amendment, SectionValue};
    use caredesk::domain::card::Card;
    use caredesk::domain::consent::{
        Channel, ConsentEntry, ConsentRecord, Decision, Method, Purpose,
    };
    use caredesk::domain::decimal::Decimal;
    use caredesk::domain::followup::RecordingMeta;
    use caredesk::domain::followup::{Adherence, Call, CallInput, Kind, Outcome};
    use caredesk::domain::health::*;
    use caredesk::domain::observation::{Observation, SourceKind};
    use caredesk::domain::patient::{IdType, Patient, PatientId, Sex};
    use caredesk::domain::summary::{FollowUpCounts, Period, StageSummary, SummaryVersion};
    const SNOMED: &str = "http://snomed.info/sct";
    let number = |t: &str| Decimal::parse(t).unwrap();
    let result = |code: &str, value: &str, unit: &str, status: Option<&str>, kind: SourceKind| {
        let mut o = Observation::typed_in(code, number(value), unit, at("2030-02-10T08:00:00Z"));
        o.status = status.map(str::to_string);
        o.source.kind = kind;
        o
    };
    let lifestyle = Lifestyle {
        smoking: Some(Smoking::Unknown),
        ..Lifestyle::default()
    };
    let consent = |decision, when: &str| ConsentEntry {
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision,
        method: Method::SignedForm,
        at: at(when),
        recorded_by: "wang.li".into(),
    };
    let call = |outcome, when: &str, notes: &str| Call {
        plan: 1,
        seq: 1,
        kind: Kind::Hypertension,
        input: CallInput {
            outcome,
            readings: vec![("systolic_bp".into(), 148.0)],
            adherence: Some(Adherence::Irregular),
            symptoms: String::new(),
            side_effects: String::new(),
            notes: notes.into(),
            visit: caredesk::domain::followup::VisitKind::Clinic,
            ticked: Vec::new(),
            form: Default::default(),
        },
        by: "chen.jing".into(),
        at: at(when),
        controlled: Some(false),
        referral: false,
        next_due: Some(day("2030-03-01")),
        class: Some(caredesk::domain::followup::VisitClass::Uncontrolled),
        reasons: Vec::new(),
        suggested: None,
    };
    let first_call = call(
        Outcome::Reached,
        "2030-02-15T02:00:00Z",
        "dizzy in the mornings",
    );
    PatientExport {
        followup_plans: Vec::new(),
        format: caredesk::clinic::export::access::FORMAT.into(),
        id: PatientId([0x42; 16]),
        patient: Patient {
            name: "王芳".into(),
            sex: Sex::Female,
            birth_date: Some(day("1949-12-31")),
            phone: Some("13912345678".into()),
            id_type: IdType::ResidentId,
            id_number: Some("11010519491231002X".into()),
            emergency_contact: Some("张伟 13800000000".into()),
            ..Patient::default()
        },
        cards: vec![Card::new(
            "88600000012".into(),
            "gold",
            12,
            day("2029-06-01"),
        )],
        consent: ConsentRecord {
            entries: vec![
                consent(Decision::Granted, "2029-06-01T01:00:00Z"),
                consent(Decision::Refused, "2030-01-01T01:00:00Z"),
            ],
            ..ConsentRecord::default()
        },
        health: HealthRecord {
            past_illnesses: vec![
                Condition {
                    name: "Prediabetes".into(),
                    code: Some("15777000".into()),
                    system: Some(SNOMED.into()),
                    ..Condition::default()
                },
                Condition {
                    name: "Diabetes".into(),
                    code: Some("44054006".into()),
                    system: Some(SNOMED.into()),
                    since: Some("2019".into()),
                    verification: Some(Verification::Refuted),
                    ..Condition::default()
                },
                Condition {
                    name: "高血压".into(),
                    code: Some("I10".into()),
                    since: Some("多年".into()),
                    ..Condition::default()
                },
                Condition {
                    name: "Gout".into(),
                    verification: Some(Verification::EnteredInError),
                    ..Condition::default()
                },
            ],
            allergies: vec![Allergy {
                substance: "青霉素".into(),
                severity: Some(Severity::Severe),
                ..Allergy::default()
            }],
            medications: vec![Medication {
                name: "Amlodipine".into(),
                code: Some("C08CA01".into()),
                system: Some("http://www.whocc.no/atc".into()),
                status: Some(MedicationStatus::Stopped),
                started: Some("2012-05".into()),
                ended: Some("2015".into()),
                ..Medication::default()
            }],
            lifestyle: lifestyle.clone(),
            measurements: Measurements {
                height_cm: Some(Tenths(1600)),
                weight_kg: Some(Tenths(615)),
                measured_on: Some(day("2030-01-05")),
                race: vec![Race::BlackOrAfricanAmerican],
                ..Measurements::default()
            },
            ..HealthRecord::default()
        },
        amendments: vec![Amendment {
            at: at("2030-01-02T03:04:05Z"),
            by: "dr.zhou".into(),
            role: Role::Doctor,
            reason: "asked at the check-up".into(),
            before: SectionValue::Lifestyle(Lifestyle::default()),
            after: SectionValue::Lifestyle(lifestyle),
        }],
        observations: vec![
            result("2093-3", "5.8", "mmol/L", Some("D"), SourceKind::Hl7),
            result("2085-9", "1.1", "mmol/L", Some("R"), SourceKind::Hl7),
            result("2571-8", "1.2", "mmol/l ", None, SourceKind::Csv),
            result("8480-6", "148", "mm[Hg]", None, SourceKind::Manual),
            result("8867-4", "72", "次/分", Some("F"), SourceKind::Hl7),
        ],
        summaries: vec![SummaryVersion {
            number: 1,
            summary: StageSummary {
                period: Period {
                    from: day("2030-02-01"),
                    to: day("2030-02-28"),
                },
                indicators: Vec::new(),
                goals: Vec::new(),
                risks: Vec::new(),
                questionnaires: Vec::new(),
                advice: Vec::new(),
                text: "本阶段血压偏高 <需复查> & 随访".into(),
                follow_ups: FollowUpCounts {
                    done: 1,
                    missed: 0,
                    phone: 0,
                    clinic: 1,
                    home: 0,
                },
            },
            by: "sun.hm".into(),
            at: at("2030-03-01T02:00:00Z"),
            signed: None,
        }],
        recordings: vec![RecordingMeta {
            id: [9; 16],
            plan: 1,
            seq: 1,
            call_at: first_call.at,
            extension: "amr".into(),
            size: 48_000,
            chunks: 1,
            sha256: [0; 32],
            by: "chen.jing".into(),
            at: first_call.at + 60,
            complete: true,
        }],
        calls: vec![
            first_call,
            call(Outcome::NoAnswer, "2030-03-02T02:00:00Z", ""),
        ],
        exported_at: START,
        questionnaires: Vec::new(),
        assessments: Vec::new(),
        auto_tags: Vec::new(),
        advice: Vec::new(),
        plans: Vec::new(),
    }
}

#[test]
fn edge_cases_export_as_stored_and_validate() {
    let export = edge_cases();
    let bundle = to_fhir(&export);
    let found = problems(&bundle);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(bundle["timestamp"], "2030-03-17T17:46:40Z");

    let patient = resources(&bundle, "Patient")[0];
    let identifiers = patient["identifier"].as_array().unwrap();
    let by_system = |system: &str| identifiers.iter().find(|i| i["system"] == system);
    assert_eq!(
        by_system("urn:oid:2.16.156.10011.1.3").unwrap()["value"],
        "11010519491231002X"
    );
    assert_eq!(
        by_system("urn:caredesk:card").unwrap()["value"],
        "88600000012"
    );
    let race = &patient["extension"][0];
    assert_eq!(
        race["url"],
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
    );
    assert_eq!(race["extension"][0]["valueCoding"]["code"], "2054-5");
    assert_eq!(
        race["extension"][0]["valueCoding"]["system"],
        "urn:oid:2.16.840.1.113883.6.238"
    );

    let observations = resources(&bundle, "Observation");
    let coded = |code: &str| {
        observations
            .iter()
            .find(|o| o["code"]["coding"][0]["code"] == code)
            .copied()
            .unwrap_or_else(|| panic!("no {code}"))
    };
    // Stored statuses, never final by default.
    assert_eq!(coded("2093-3")["status"], "entered-in-error");
    assert_eq!(coded("2085-9")["status"], "preliminary");
    assert!(
        coded("2085-9")["note"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not verified")
    );
    assert_eq!(coded("2571-8")["status"], "unknown");
    assert_eq!(coded("8480-6")["status"], "final");
    // UCUM only where the unit is UCUM.
    assert_eq!(
        coded("8480-6")["valueQuantity"]["system"],
        "http://unitsofmeasure.org"
    );
    assert_eq!(
        coded("2571-8")["valueQuantity"],
        json!({ "value": 1.2, "unit": "mmol/l " })
    );
    assert_eq!(coded("2571-8")["status"], "unknown");
    assert_eq!(
        coded("8867-4")["valueQuantity"],
        json!({ "value": 72, "unit": "次/分" })
    );
    // From the record: dated by the amendment that set them, or the measuring day.
    assert_eq!(
        coded("72166-2")["effectiveDateTime"],
        "2030-01-02T03:04:05Z"
    );
    assert_eq!(
        coded("72166-2")["valueCodeableConcept"]["coding"][0]["code"],
        "266927001"
    );
    assert_eq!(coded("8302-2")["effectiveDateTime"], "2030-01-05");
    assert_eq!(coded("8302-2")["valueQuantity"]["code"], "cm");

    let conditions = resources(&bundle, "Condition");
    let prediabetes = conditions
        .iter()
        .find(|c| c["code"]["text"] == "Prediabetes")
        .unwrap();
    assert_eq!(
        prediabetes["code"]["coding"][0]["system"],
        "http://snomed.info/sct"
    );
    assert_eq!(prediabetes["clinicalStatus"]["coding"][0]["code"], "active");
    let refuted = conditions
        .iter()
        .find(|c| c["code"]["text"] == "Diabetes")
        .unwrap();
    assert_eq!(
        refuted["verificationStatus"]["coding"][0]["code"],
        "refuted"
    );
    assert_eq!(refuted["onsetDateTime"], "2019");
    let typed = conditions
        .iter()
        .find(|c| c["code"]["text"] == "高血压")
        .unwrap();
    assert_eq!(
        typed["code"]["coding"][0]["system"],
        "http://hl7.org/fhir/sid/icd-10"
    );
    assert_eq!(typed["clinicalStatus"]["coding"][0]["code"], "active");
    let error = conditions
        .iter()
        .find(|c| c["code"]["text"] == "Gout")
        .unwrap();
    assert!(error.get("clinicalStatus").is_none());

    let medicines = resources(&bundle, "MedicationStatement");
    let amlodipine = medicines
        .iter()
        .find(|m| m["medicationCodeableConcept"]["text"] == "Amlodipine")
        .unwrap();
    assert_eq!(amlodipine["status"], "stopped");
    assert_eq!(amlodipine["effectivePeriod"]["end"], "2015");
    assert_eq!(
        amlodipine["medicationCodeableConcept"]["coding"][0]["system"],
        "http://www.whocc.no/atc"
    );

    let consents = resources(&bundle, "Consent");
    assert_eq!(consents.len(), 2);
    assert_eq!(consents[0]["status"], "inactive", "withdrawn later");
    assert_eq!(consents[1]["status"], "active");
    assert_eq!(consents[1]["provision"]["type"], "deny");
    assert_eq!(consents[1]["scope"]["coding"][0]["code"], "patient-privacy");
    assert_eq!(consents[1]["category"][0]["coding"][0]["code"], "59284-0");
    assert_eq!(consents[1]["policyRule"]["coding"][0]["code"], "OPTOUT");

    let encounters = resources(&bundle, "Encounter");
    assert_eq!(encounters.len(), 2);
    // The first call was made at the clinic (ambulatory), the second by phone.
    assert_eq!(encounters[0]["class"]["code"], "AMB");
    assert_eq!(encounters[0]["status"], "finished");
    assert_eq!(encounters[1]["status"], "cancelled");
    assert!(
        encounters[0]["extension"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["url"] == "urn:caredesk:fhir:call-recording" && x["valueBoolean"] == true)
    );
    let call_notes: Vec<&Value> = resources(&bundle, "Communication")
        .into_iter()
        .filter(|c| c["category"][0]["text"] == "follow-up call")
        .collect();
    assert_eq!(call_notes.len(), 2);
    let payload = call_notes[0]["payload"].to_string();
    assert!(payload.contains("dizzy in the mornings"), "{payload}");
    assert!(
        call_notes[0]["note"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Recording")
    );
    assert_eq!(call_notes[1]["status"], "not-done");
    // The summary's section points at the call made in its period.
    let composition = resources(&bundle, "Composition")[0];
    let section = composition["section"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Follow-up calls")
        .unwrap();
    let encounter_url = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Encounter")
        .unwrap()["fullUrl"]
        .clone();
    assert_eq!(section["entry"][0]["reference"], encounter_url);
}
