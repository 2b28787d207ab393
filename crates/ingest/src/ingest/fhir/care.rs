//! What caredesk's own FHIR export says besides results: filled questionnaires of
//! caredesk's (QuestionnaireResponse whose `questionnaire` is
//! `urn:caredesk:questionnaire:<key>|<version>`; the service scores the answers again
//! by its definitions), consent decisions (Consent coded by `urn:caredesk:consent`,
//! with who recorded them, when and how), the intervention plan (a CarePlan tagged
//! `urn:caredesk:fhir:source|plan`, with its Goals) and surgeries (Procedures tagged
//! `…|record`). Other senders' questionnaires, consents, care plans and procedures say
//! what caredesk cannot score or act on: they are counted as not kept.

use crate::i18n::Text;
use crate::text;
use std::collections::HashMap;

use serde_json::Value;

use super::parse_time;
use super::values::text;
use crate::domain::consent::{
    Channel, ConsentEntry, Decision, Guardian, Method, Processing, ProcessingEntry, Purpose,
};
use crate::domain::health::Surgery;
use crate::domain::plan::{Action, Direction, Goal, Plan, PlanVersion};
use crate::domain::questionnaire::{Response, Scored};

/// caredesk's canonical for its questionnaires, as its export writes it.
const QUESTIONNAIRE: &str = "urn:caredesk:questionnaire:";
/// caredesk's code system for what a consent covers ("<purpose>/<channel>").
const CONSENT_CODE: &str = "urn:caredesk:consent";

/// Counted, not kept: a questionnaire that is not one of caredesk's.
pub const QUESTIONNAIRE_OTHER: &str = "QuestionnaireResponse (not a caredesk questionnaire)";
/// Counted, not kept: a consent that does not say which caredesk contact it covers.
pub const CONSENT_OTHER: &str = "Consent (not a caredesk contact decision)";

/// A completed response to a caredesk questionnaire, its answers in item order; not
/// yet scored (`scored` is left empty for the service to fill). `None`: not one of
/// caredesk's, or not completed.
pub(super) fn questionnaire_response(resource: &Value) -> Result<Option<Response>, Text> {
    let Some(canonical) = text(&resource["questionnaire"]) else {
        return Ok(None);
    };
    let Some((key, version)) = canonical
        .strip_prefix(QUESTIONNAIRE)
        .and_then(|rest| rest.split_once('|'))
    else {
        return Ok(None);
    };
    if !matches!(resource["status"].as_str(), Some("completed" | "amended")) {
        return Ok(None);
    }
    let at = resource["authored"]
        .as_str()
        .and_then(parse_time)
        .ok_or_else(|| text!("msg.ingest.fhir_authored"))?;
    let mut items: Vec<(usize, usize)> = Vec::new();
    for item in resource["item"].as_array().into_iter().flatten() {
        let link: usize = text(&item["linkId"])
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| text!("msg.ingest.fhir_link"))?;
        let answer = item["answer"][0]["valueInteger"]
            .as_u64()
            .ok_or_else(|| text!("msg.ingest.fhir_answer"))?;
        items.push((link, answer as usize));
    }
    items.sort_by_key(|(link, _)| *link);
    Ok(Some(Response {
        key: key.to_string(),
        version: version.to_string(),
        answers: items.into_iter().map(|(_, a)| a).collect(),
        scored: Scored {
            total: 0,
            band: String::new(),
            urgent: Vec::new(),
        },
        at,
        by: text(&resource["author"]["display"]).unwrap_or_default(),
    }))
}

/// A caredesk contact decision: which contact (purpose and channel), granted or
/// refused, when, how and by whom it was recorded. `None`: not one of caredesk's.
/// A Consent's caredesk code, its decision and when it was made.
fn coded_decision(resource: &Value) -> Option<(String, Decision, i64)> {
    let provision = &resource["provision"];
    let code = provision["code"]
        .as_array()?
        .iter()
        .flat_map(|c| c["coding"].as_array().into_iter().flatten())
        .find(|c| c["system"] == CONSENT_CODE)
        .and_then(|c| text(&c["code"]))?;
    let decision = match provision["type"].as_str()? {
        "permit" => Decision::Granted,
        "deny" => Decision::Refused,
        _ => return None,
    };
    let at = resource["dateTime"].as_str().and_then(parse_time)?;
    Some((code, decision, at))
}

pub(super) fn consent(resource: &Value) -> Option<ConsentEntry> {
    let (code, decision, at) = coded_decision(resource)?;
    let (purpose, channel) = code.split_once('/')?;
    let purpose = Purpose::ALL.into_iter().find(|p| p.name() == purpose)?;
    let channel = Channel::ALL.into_iter().find(|c| c.name() == channel)?;
    // "signed form consent, recorded by wang.li", as the export writes it.
    let title = text(&resource["sourceAttachment"]["title"]).unwrap_or_default();
    let (method, by) = title
        .split_once(" consent, recorded by ")
        .unwrap_or(("", ""));
    let method = match method {
        "verbal" => Method::Verbal,
        _ => Method::SignedForm,
    };
    Some(ConsentEntry {
        channel,
        purpose,
        decision,
        method,
        at,
        recorded_by: by.trim().to_string(),
    })
}

/// A separate PIPL consent as caredesk's export writes it: coded `pipl/<scope>`, the
/// notice's version, who recorded it and any guardian in the attachment's title
/// ("signed form consent under notice 2026-12, recorded by wang.li, given by guardian
/// 王丽 (母亲)").
pub(super) fn processing_consent(resource: &Value) -> Option<ProcessingEntry> {
    let (code, decision, at) = coded_decision(resource)?;
    let scope = code.strip_prefix("pipl/")?;
    let scope = Processing::ALL.into_iter().find(|p| p.name() == scope)?;
    let title = text(&resource["sourceAttachment"]["title"]).unwrap_or_default();
    let (method, rest) = title.split_once(" consent under notice ")?;
    let (version, rest) = rest.split_once(", recorded by ")?;
    let (by, guardian) = match rest.split_once(", given by guardian ") {
        Some((by, guardian)) => {
            let (name, relationship) = guardian.strip_suffix(')')?.rsplit_once(" (")?;
            (
                by,
                Some(Guardian {
                    name: name.to_string(),
                    relationship: relationship.to_string(),
                }),
            )
        }
        None => (rest, None),
    };
    Some(ProcessingEntry {
        scope,
        decision,
        method: if method == "verbal" {
            Method::Verbal
        } else {
            Method::SignedForm
        },
        notice_version: version.to_string(),
        at,
        recorded_by: by.trim().to_string(),
        guardian,
    })
}

/// Whether a caredesk export tagged this resource with `code` (`record`: made from
/// the health record; `plan`: the intervention plan).
pub(super) fn tagged(resource: &Value, code: &str) -> bool {
    resource["meta"]["tag"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["system"] == super::SOURCE_TAG && t["code"] == code)
}

fn day(v: &Value) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(v.as_str()?, "%Y-%m-%d").ok()
}

/// A Goal of caredesk's plan: the indicator (measure text), the limit and the day.
fn goal(resource: &Value) -> Option<Goal> {
    let target = &resource["target"][0];
    let (direction, value) = match (
        target["detailRange"]["high"]["value"].as_f64(),
        target["detailRange"]["low"]["value"].as_f64(),
    ) {
        (Some(high), None) => (Direction::AtMost, high),
        (None, Some(low)) => (Direction::AtLeast, low),
        _ => return None,
    };
    Some(Goal {
        indicator: text(&target["measure"]["text"])?,
        direction,
        target: value,
        by: day(&target["dueDate"])?,
    })
}

/// caredesk's intervention plan (a tagged CarePlan) as the version exported: title,
/// goals (the Goals it references, by fullUrl or `Goal/id`), actions, who made it,
/// when, and since when the plan runs. `None` when a part cannot be read.
pub(super) fn care_plan(resource: &Value, goals: &HashMap<String, Value>) -> Option<PlanVersion> {
    let mut plan_goals = Vec::new();
    for r in resource["goal"].as_array().into_iter().flatten() {
        plan_goals.push(goal(goals.get(&text(&r["reference"])?)?)?);
    }
    let mut actions = Vec::new();
    for activity in resource["activity"].as_array().into_iter().flatten() {
        let detail = &activity["detail"];
        actions.push(Action {
            kind: crate::domain::plan_form::kind_of(&text(&detail["code"]["text"])?)?,
            description: text(&detail["description"]).unwrap_or_default(),
            owner: text(&detail["performer"][0]["display"]).unwrap_or_default(),
            due: day(&detail["scheduledString"]),
            done: detail["status"] == "completed",
        });
    }
    let time = |field: &Value| field.as_str().and_then(parse_time);
    Some(PlanVersion {
        plan: Plan {
            title: text(&resource["title"])?,
            goals: plan_goals,
            actions,
            active: resource["status"] == "active",
        },
        by: text(&resource["author"]["display"]).unwrap_or_default(),
        at: time(&resource["created"])?,
        started: time(&resource["period"]["start"])?,
    })
}

/// A surgery from the record (a tagged Procedure): the name, the year or date as
/// typed, the note.
pub(super) fn surgery(resource: &Value) -> Option<Surgery> {
    Some(Surgery {
        name: text(&resource["code"]["text"])?,
        year: text(&resource["performedDateTime"]).or_else(|| text(&resource["performedString"])),
        note: text(&resource["note"][0]["text"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn caredesk_questionnaires_and_consents_read_back() {
        let q = questionnaire_response(&json!({
            "resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": "urn:caredesk:questionnaire:gad7|1",
            "authored": "2030-01-02T03:04:05Z", "author": {"display": "chen.jing"},
            "item": [{"linkId": "2", "answer": [{"valueInteger": 3}]},
                     {"linkId": "1", "answer": [{"valueInteger": 1}]}]}))
        .unwrap()
        .unwrap();
        assert_eq!((q.key.as_str(), q.version.as_str()), ("gad7", "1"));
        assert_eq!(q.answers, [1, 3]);
        assert_eq!(q.by, "chen.jing");
        let other = json!({"resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": "http://loinc.org/q/44249-1"});
        assert_eq!(questionnaire_response(&other).unwrap(), None);

        let c = consent(&json!({
            "resourceType": "Consent", "status": "active", "dateTime": "2030-01-01T01:00:00Z",
            "sourceAttachment": {"title": "verbal consent, recorded by wang.li"},
            "provision": {"type": "deny", "code": [{"coding": [
                {"system": "urn:caredesk:consent", "code": "care/phone"}]}]}}))
        .unwrap();
        assert_eq!(
            (c.purpose, c.channel, c.decision, c.method),
            (
                Purpose::Care,
                Channel::Phone,
                Decision::Refused,
                Method::Verbal
            )
        );
        assert_eq!(c.recorded_by, "wang.li");
        assert_eq!(
            consent(&json!({"resourceType": "Consent", "provision": {"type": "permit"}})),
            None
        );
    }
}
