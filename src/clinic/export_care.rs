//! What care added to the record, as FHIR R4 resources: the plan in force as a
//! CarePlan with its Goals, approved advice as Communications, stage summaries as
//! Compositions (final once signed) and automatic tags as Flags.

use serde_json::{Value, json};

use super::export_fhir::{LOINC, UCUM, instant, resource};
use crate::domain::advice::Approved;
use crate::domain::plan::{Direction, PlanVersion};
use crate::domain::plan_form::kind_key;
use crate::domain::summary::SummaryVersion;
use crate::domain::tag_rules::AutoTag;

/// The latest plan version: a CarePlan and a Goal per goal (referenced by fullUrl).
pub(crate) fn care_plan(version: &PlanVersion, subject: &Value) -> Vec<Value> {
    let plan = &version.plan;
    let mut entries = Vec::new();
    let mut goal_refs = Vec::new();
    for (i, goal) in plan.goals.iter().enumerate() {
        let url = format!("urn:uuid:goal-{i}-{}", version.at);
        let indicator = crate::domain::indicators::by_key(&goal.indicator);
        let code = indicator.map(|i| i.codes[0]).unwrap_or("");
        let unit = indicator.map(|i| i.unit).unwrap_or("");
        let quantity = json!({ "value": goal.target, "unit": unit, "system": UCUM, "code": unit });
        let detail = match goal.direction {
            Direction::AtMost => json!({ "detailRange": { "high": quantity } }),
            Direction::AtLeast => json!({ "detailRange": { "low": quantity } }),
        };
        let mut target = json!({
            "measure": { "coding": [{ "system": LOINC, "code": code }], "text": goal.indicator },
            "dueDate": goal.by.to_string(),
        });
        if let (Some(t), Some(d)) = (target.as_object_mut(), detail.as_object()) {
            t.extend(d.clone());
        }
        entries.push(json!({ "fullUrl": url, "resource": {
            "resourceType": "Goal",
            "lifecycleStatus": if plan.active { "active" } else { "completed" },
            "description": { "text": format!("{} {}", goal.indicator, match goal.direction { Direction::AtMost => "≤", Direction::AtLeast => "≥" }) },
            "subject": subject,
            "target": [target],
        } }));
        goal_refs.push(json!({ "reference": url }));
    }
    let activities: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| {
            let mut detail = json!({
                "kind": "Task",
                "code": { "text": kind_key(a.kind) },
                "status": if a.done { "completed" } else { "scheduled" },
                "description": a.description,
                "performer": [{ "display": a.owner }],
            });
            if let Some(due) = a.due {
                detail["scheduledString"] = json!(due.to_string());
            }
            json!({ "detail": detail })
        })
        .collect();
    entries.push(resource(json!({
        "resourceType": "CarePlan",
        "status": if plan.active { "active" } else { "completed" },
        "intent": "plan",
        "title": plan.title,
        "subject": subject,
        "period": { "start": instant(version.started) },
        "created": instant(version.at),
        "author": { "display": version.by },
        "goal": goal_refs,
        "activity": activities,
    })));
    entries
}

pub(crate) fn advice(approved: &Approved, subject: &Value) -> Value {
    resource(json!({
        "resourceType": "Communication",
        "status": "completed",
        "category": [{ "text": "health advice" }],
        "subject": subject,
        "sent": instant(approved.at),
        "sender": { "display": approved.by },
        "payload": approved.items.iter().map(|i| json!({ "contentString": i.text })).collect::<Vec<_>>(),
    }))
}

/// Each summary's latest version: final once signed, preliminary before.
pub(crate) fn summaries(versions: &[SummaryVersion], subject: &Value) -> Vec<Value> {
    let mut latest: Vec<&SummaryVersion> = Vec::new();
    for v in versions {
        match latest.iter_mut().find(|l| l.number == v.number) {
            Some(slot) => *slot = v,
            None => latest.push(v),
        }
    }
    latest
        .into_iter()
        .map(|v| {
            let s = &v.summary;
            let mut composition = json!({
                "resourceType": "Composition",
                "status": if v.signed.is_some() { "final" } else { "preliminary" },
                "type": { "text": "stage health summary" },
                "subject": subject,
                "date": instant(v.at),
                "author": [{ "display": v.by }],
                "title": format!("Health summary {} – {}", s.period.from, s.period.to),
                "event": [{ "period": { "start": s.period.from.to_string(), "end": s.period.to.to_string() } }],
                "section": [{ "title": "Summary", "text": { "status": "additional", "div": xhtml(&s.text) } }],
            });
            if let Some((signer, at)) = &v.signed {
                composition["attester"] =
                    json!([{ "mode": "legal", "time": instant(*at), "party": { "display": signer } }]);
            }
            resource(composition)
        })
        .collect()
}

/// Narrative text as FHIR XHTML: escaped, one paragraph per line.
fn xhtml(text: &str) -> String {
    let escaped: Vec<String> = text
        .lines()
        .map(|l| {
            format!(
                "<p>{}</p>",
                l.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            )
        })
        .collect();
    format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div>",
        escaped.concat()
    )
}

pub(crate) fn flag(tag: &AutoTag, subject: &Value) -> Value {
    resource(json!({
        "resourceType": "Flag",
        "status": "active",
        "category": [{ "text": "automatic tag" }],
        "code": { "text": tag.tag },
        "subject": subject,
        "period": { "start": instant(tag.since) },
    }))
}
