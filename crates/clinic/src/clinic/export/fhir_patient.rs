//! The patient and their consent as FHIR R4: a Patient whose identifiers carry their
//! systems (the mainland resident ID's OID, caredesk's URNs for member cards and other
//! documents), and a Consent per recorded decision with its scope, category, policy
//! rule (ppc-1) and what it permits or denies. Race, when recorded, is the US Core race
//! extension on the Patient.

use serde_json::{Value, json};

use super::access::PatientExport;
use super::bundle::{
    CARD, ID_DOCUMENT, Ids, PASSPORT, PATIENT_ID, RESIDENT_ID, V2_0203, entry, instant,
};
use crate::domain::card::CardStatus;
use crate::domain::clinical_status::{OMB_RACE_SYSTEM, Race};
use crate::domain::consent::{
    ConsentEntry, Decision, Method, Processing, ProcessingEntry, Purpose,
};
use crate::domain::patient::{IdType, Sex};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PURPOSE_OF_USE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
pub(crate) const US_CORE_RACE: &str =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
/// caredesk's code system for what a consent covers: "<purpose>/<channel>".
pub(crate) const CONSENT_CODE: &str = "urn:caredesk:consent";

fn gender(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::Other => "other",
        Sex::Unknown => "unknown",
    }
}

fn identifier_type(code: &str, display: &str, text: &str) -> Value {
    json!({ "coding": [{ "system": V2_0203, "code": code, "display": display }], "text": text })
}

/// Another document's type, coded by CV02.01.101 (身份证件类别代码) so a receiver
/// and caredesk's own import tell a driving licence from a travel permit.
fn document_type(id_type: IdType) -> Value {
    use crate::i18n::Lang;
    let set = crate::domain::code_sets::set("id_type");
    let mut coding = json!({ "code": id_type.code(), "display": id_type.name(Lang::ZhCn) });
    if !set.oid.is_empty() {
        coding["system"] = json!(format!("urn:oid:{}", set.oid));
    }
    json!({
        "coding": [coding],
        "text": format!("{} ({})", id_type.name(Lang::En), id_type.name(Lang::ZhCn)),
    })
}

/// The Patient: name, sex, birth date, contact details and every identifier.
pub(crate) fn patient(export: &PatientExport, url: &str) -> Value {
    let p = &export.patient;
    let mut identifiers = vec![json!({
        "use": "secondary",
        "system": PATIENT_ID,
        "value": export.id.to_string(),
    })];
    if let Some(number) = p.id_number.as_deref().filter(|n| !n.trim().is_empty()) {
        let (system, kind) = match p.id_type {
            IdType::ResidentId => (
                RESIDENT_ID,
                identifier_type(
                    "NI",
                    "National unique individual identifier",
                    "Resident identity card (居民身份证)",
                ),
            ),
            IdType::Passport => (
                PASSPORT,
                identifier_type("PPN", "Passport number", "Passport"),
            ),
            other => (ID_DOCUMENT, document_type(other)),
        };
        identifiers
            .push(json!({ "use": "official", "type": kind, "system": system, "value": number }));
    }
    if let Some(number) = &p.record_number {
        identifiers.push(json!({
            "use": "official",
            "type": { "text": "Health record number (城乡居民健康档案编号)" },
            "system": format!("urn:oid:{}", crate::domain::record_number::OID),
            "value": number,
        }));
    }
    for card in &export.cards {
        let active = card.status == CardStatus::Active;
        identifiers.push(json!({
            "use": if active { "usual" } else { "old" },
            "type": identifier_type("MB", "Member Number", &format!("Member card ({})", card.card_type)),
            "system": CARD,
            "value": card.number,
            "period": { "start": card.issued.to_string(), "end": card.valid_until.to_string() },
        }));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "identifier": identifiers,
        "name": [{ "text": p.name }],
        "gender": gender(p.sex),
    });
    if let Some(birth) = p.birth_date {
        patient["birthDate"] = json!(birth.to_string());
    }
    if let Some(phone) = &p.phone {
        patient["telecom"] = json!([{ "system": "phone", "value": phone, "use": "mobile" }]);
    }
    if let Some(address) = &p.address {
        patient["address"] = json!([{ "text": address }]);
    }
    let race = &export.health.measurements.race;
    if !race.is_empty() {
        patient["extension"] = json!([us_core_race(race)]);
    }
    if let Some(contact) = &p.emergency_contact {
        patient["contact"] = json!([{
            "relationship": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C", "display": "Emergency Contact" }] }],
            "name": { "text": contact },
        }]);
    }
    entry(url, patient)
}

/// The US Core race extension: an ombCategory per category, and the text (required).
fn us_core_race(race: &[Race]) -> Value {
    let mut parts: Vec<Value> = race
        .iter()
        .map(|r| json!({ "url": "ombCategory", "valueCoding": { "system": OMB_RACE_SYSTEM, "code": r.code(), "display": r.display() } }))
        .collect();
    parts.push(json!({ "url": "text", "valueString": race.iter().map(|r| r.display()).collect::<Vec<_>>().join(", ") }));
    json!({ "url": US_CORE_RACE, "extension": parts })
}

fn purpose_of_use(purpose: Purpose) -> Option<(&'static str, &'static str)> {
    match purpose {
        Purpose::Care => Some(("TREAT", "treatment")),
        Purpose::Marketing => Some(("HMARKT", "healthcare marketing")),
        // No HL7 purpose of use fits health education; the code says it.
        Purpose::Education => None,
    }
}

/// A Consent per recorded decision, oldest first: the decision in force for its channel
/// and purpose is active, one a later decision replaced is inactive.
pub(crate) fn consents(export: &PatientExport, ids: &mut Ids, subject: &Value) -> Vec<Value> {
    let entries = &export.consent.entries;
    let mut out: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let superseded = entries[i + 1..].iter().any(|later| {
                later.channel == e.channel && later.purpose == e.purpose && later.at >= e.at
            });
            consent(e, superseded, ids, subject)
        })
        .collect();
    let separate = &export.consent.processing;
    out.extend(separate.iter().enumerate().map(|(i, e)| {
        let superseded = separate[i + 1..]
            .iter()
            .any(|later| later.scope == e.scope && later.at >= e.at);
        processing_consent(e, superseded, ids, subject)
    }));
    out
}

/// How a consent was given, as the export's attachment title says it.
fn method_word(method: Method) -> &'static str {
    match method {
        Method::SignedForm => "signed form",
        Method::Verbal => "verbal",
    }
}

/// What every exported Consent shares: its status, scope, category, patient, time,
/// attachment title and policy rule around the decision's own provision.
fn consent_resource(
    url: &str,
    (superseded, at): (bool, i64),
    subject: &Value,
    (category, title): (String, String),
    policy_rule: Value,
    provision: Value,
) -> Value {
    entry(
        url,
        json!({
            "resourceType": "Consent",
            "status": if superseded { "inactive" } else { "active" },
            "scope": { "coding": [{ "system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent" }] },
            "category": [
                { "coding": [{ "system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent" }] },
                { "text": category },
            ],
            "patient": subject,
            "dateTime": instant(at),
            "performer": [subject],
            "sourceAttachment": { "title": title },
            "policyRule": policy_rule,
            "provision": provision,
        }),
    )
}

fn opt_in(granted: bool) -> Value {
    json!({ "coding": [{ "system": ACT_CODE, "code": if granted { "OPTIN" } else { "OPTOUT" } }] })
}

/// A separate PIPL consent: its scope as caredesk's code (`pipl/health_data`,
/// `pipl/provide_to_others`), the article it answers, the notice's version and, for a
/// child, the guardian who gave it.
fn processing_consent(
    e: &ProcessingEntry,
    superseded: bool,
    ids: &mut Ids,
    subject: &Value,
) -> Value {
    let granted = e.decision == Decision::Granted;
    let (what, article) = match e.scope {
        Processing::HealthData => ("processing of health information", "PIPL art. 29"),
        Processing::ProvideToOthers => ("provision to other processors", "PIPL art. 23"),
    };
    let mut title = format!(
        "{} consent under notice {}, recorded by {}",
        method_word(e.method),
        e.notice_version,
        e.recorded_by
    );
    if let Some(g) = &e.guardian {
        title.push_str(&format!(
            ", given by guardian {} ({})",
            g.name, g.relationship
        ));
    }
    let mut policy_rule = opt_in(granted);
    policy_rule["text"] = json!(article);
    let provision = json!({
        "type": if granted { "permit" } else { "deny" },
        "period": { "start": instant(e.at) },
        "action": [{ "coding": [{ "system": CONSENT_ACTION, "code": if e.scope == Processing::HealthData { "use" } else { "disclose" } }] }],
        "code": [{
            "coding": [{ "system": CONSENT_CODE, "code": format!("pipl/{}", e.scope.name()) }],
            "text": what,
        }],
    });
    let url = ids.url("Consent", &format!("pipl|{}|{}", e.scope.name(), e.at));
    consent_resource(
        &url,
        (superseded, e.at),
        subject,
        (format!("{what} ({article})"), title),
        policy_rule,
        provision,
    )
}

fn consent(e: &ConsentEntry, superseded: bool, ids: &mut Ids, subject: &Value) -> Value {
    let granted = e.decision == Decision::Granted;
    let what = format!("{} contact by {}", e.purpose.name(), e.channel.name());
    let mut provision = json!({
        "type": if granted { "permit" } else { "deny" },
        "period": { "start": instant(e.at) },
        "action": [{ "coding": [{ "system": CONSENT_ACTION, "code": "use", "display": "Use" }] }],
        "code": [{
            "coding": [{ "system": CONSENT_CODE, "code": format!("{}/{}", e.purpose.name(), e.channel.name()) }],
            "text": what,
        }],
    });
    if let Some((code, display)) = purpose_of_use(e.purpose) {
        provision["purpose"] =
            json!([{ "system": PURPOSE_OF_USE, "code": code, "display": display }]);
    }
    let url = ids.url(
        "Consent",
        &format!("{}|{}|{}", e.purpose.name(), e.channel.name(), e.at),
    );
    let title = format!(
        "{} consent, recorded by {}",
        method_word(e.method),
        e.recorded_by
    );
    consent_resource(
        &url,
        (superseded, e.at),
        subject,
        (what, title),
        opt_in(granted),
        provision,
    )
}
