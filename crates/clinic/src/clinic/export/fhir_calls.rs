//! Follow-up calls as FHIR R4: each call an Encounter (virtual, by phone; finished when
//! the patient was reached, cancelled when not) with its outcome, and a Communication
//! in that Encounter carrying what the nurse wrote (notes, symptoms, side effects,
//! adherence, what the protocol made of it) and whether a recording is held.

use serde_json::{Value, json};

use super::bundle::{Ids, entry, instant, reference};
use crate::domain::followup::RecordingMeta;
use crate::domain::followup::{Adherence, Call, Outcome, VisitKind};

const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PARTICIPATION_MODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";
/// caredesk's code system for follow-up kinds (hypertension, diabetes …).
pub(crate) const FOLLOWUP_KIND: &str = "urn:caredesk:followup-kind";
/// Extension: the call's outcome (reached, no_answer, busy, wrong_number, refused,
/// callback), a code of caredesk's.
pub(crate) const CALL_OUTCOME: &str = "urn:caredesk:fhir:call-outcome";
/// Extension: whether the clinic holds a recording of the call.
pub(crate) const CALL_RECORDING: &str = "urn:caredesk:fhir:call-recording";

fn identity(call: &Call) -> String {
    format!("{}|{}|{}", call.plan, call.seq, call.at)
}

/// The fullUrl of a call's Encounter (for references from elsewhere in the Bundle).
pub(crate) fn encounter_url(ids: &Ids, call: &Call) -> String {
    ids.url_of("Encounter", &identity(call), 1)
}

/// How the visit was made: (Encounter class code (v3 ActCode), display, Communication
/// medium (v3 ParticipationMode)).
fn visit_class(call: &Call) -> (&'static str, &'static str, &'static str) {
    match call.input.visit {
        VisitKind::Phone => ("VR", "virtual", "PHONE"),
        VisitKind::Clinic => ("AMB", "ambulatory", "FACE"),
        VisitKind::Home => ("HH", "home health", "FACE"),
    }
}

fn adherence(a: Adherence) -> &'static str {
    match a {
        Adherence::Regular => "regular",
        Adherence::Irregular => "irregular",
        Adherence::Stopped => "stopped",
        Adherence::NotApplicable => "not applicable",
    }
}

/// What the nurse wrote and the protocol decided, one line each.
fn call_lines(call: &Call) -> Vec<String> {
    let input = &call.input;
    let mut lines = Vec::new();
    for (label, text) in [
        ("Notes", &input.notes),
        ("Symptoms", &input.symptoms),
        ("Side effects", &input.side_effects),
    ] {
        if !text.trim().is_empty() {
            lines.push(format!("{label}: {}", text.trim()));
        }
    }
    if let Some(a) = input.adherence {
        lines.push(format!("Medication adherence: {}", adherence(a)));
    }
    if !input.readings.is_empty() {
        let readings: Vec<String> = input
            .readings
            .iter()
            .map(|(key, value)| {
                let indicator = crate::domain::indicators::by_key(key);
                let name = indicator.map(|i| i.en).unwrap_or(key);
                let unit = indicator.map(|i| i.unit).unwrap_or("");
                format!("{name} {value} {unit}").trim_end().to_string()
            })
            .collect();
        lines.push(format!("Readings reported: {}", readings.join(", ")));
    }
    if let Outcome::Callback(at) = input.outcome {
        lines.push(format!("Callback requested for {}", instant(at)));
    }
    match call.controlled {
        Some(true) => lines.push("Controlled: yes".into()),
        Some(false) => lines.push("Controlled: no".into()),
        None => {}
    }
    if let Some(class) = call.class {
        lines.push(format!("Visit class: {}", class.key().replace('_', " ")));
    }
    if !input.ticked.is_empty() {
        lines.push(format!(
            "Signs and symptoms ticked: {}",
            input.ticked.join(", ")
        ));
    }
    if call.referral {
        lines.push("Referral: yes".into());
    }
    if !call.reasons.is_empty() {
        let reasons: Vec<String> = call
            .reasons
            .iter()
            .map(|r| r.text(crate::i18n::Lang::En))
            .collect();
        lines.push(format!("Referral reasons: {}", reasons.join("; ")));
    }
    if let Some(next) = call.next_due {
        lines.push(format!("Next follow-up due {next}"));
    }
    lines
}

/// Each call as an Encounter and a Communication, oldest first.
pub(crate) fn calls(
    calls: &[Call],
    recordings: &[RecordingMeta],
    ids: &mut Ids,
    subject: &Value,
) -> Vec<Value> {
    let mut out = Vec::new();
    for call in calls {
        let reached = !matches!(
            call.input.outcome,
            Outcome::NoAnswer | Outcome::Busy | Outcome::WrongNumber
        );
        let recorded: Vec<&RecordingMeta> = recordings
            .iter()
            .filter(|r| r.plan == call.plan && r.seq == call.seq && r.call_at == call.at)
            .collect();
        let held = recorded.iter().any(|r| r.complete);
        let (class, class_display, medium) = visit_class(call);
        let kind = json!({
            "coding": [{ "system": FOLLOWUP_KIND, "code": call.kind.key() }],
            "text": format!("{} follow-up", call.kind.key().replace('_', " ")),
        });
        let extension = json!([
            { "url": CALL_OUTCOME, "valueCode": call.input.outcome.key() },
            { "url": CALL_RECORDING, "valueBoolean": held },
        ]);
        let encounter_url = ids.url("Encounter", &identity(call));
        out.push(entry(
            &encounter_url,
            json!({
                "resourceType": "Encounter",
                "extension": extension,
                "status": if reached { "finished" } else { "cancelled" },
                "class": { "system": ACT_CODE, "code": class, "display": class_display },
                "type": [kind],
                "subject": subject,
                "participant": [{ "individual": { "display": call.by } }],
                "period": { "start": instant(call.at), "end": instant(call.at) },
            }),
        ));
        let mut communication = json!({
            "resourceType": "Communication",
            "extension": extension,
            "status": if reached { "completed" } else { "not-done" },
            "category": [{ "text": "follow-up call" }],
            "medium": [{ "coding": [{ "system": PARTICIPATION_MODE, "code": medium }] }],
            "subject": subject,
            "encounter": reference(&encounter_url),
            "sent": instant(call.at),
            "recipient": [subject],
            "sender": { "display": call.by },
            "payload": call_lines(call).into_iter().map(|l| json!({ "contentString": l })).collect::<Vec<_>>(),
        });
        if !reached {
            communication["statusReason"] =
                json!({ "text": call.input.outcome.key().replace('_', " ") });
        }
        let notes: Vec<Value> = recorded
            .iter()
            .map(|r| {
                let state = if r.complete { "held" } else { "incomplete" };
                json!({ "text": format!("Recording of this call {state} by the clinic ({}, {} bytes, added {} by {}); ask the clinic for a copy.", r.extension, r.size, instant(r.at), r.by) })
            })
            .collect();
        communication["note"] = json!(notes);
        out.push(entry(
            &ids.url("Communication", &format!("call|{}", identity(call))),
            communication,
        ));
    }
    out
}
