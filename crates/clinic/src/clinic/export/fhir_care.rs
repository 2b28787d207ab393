//! What care added to the record, as FHIR R4 resources: the plan in force as a
//! CarePlan with its Goals, approved advice as Communications, stage summaries as
//! Compositions (final once signed, with sections that point at the plan's Goals and
//! the period's follow-up calls) and automatic tags as Flags.

use serde_json::{Value, json};

use super::bundle::{Ids, LOINC, entry, instant, quantity, reference};
use crate::domain::advice::Approved;
use crate::domain::followup::Call;
use crate::domain::plan::{Direction, PlanVersion};
use crate::domain::plan_form::kind_key;
use crate::domain::summary::SummaryVersion;
use crate::domain::tag_rules::AutoTag;

/// A goal's identity in the export: the plan it belongs to and its indicator (several
/// goals on one indicator are told apart by their order).
fn goal_identity(version: &PlanVersion, indicator: &str) -> String {
    format!("{}|{}", version.started, indicator)
}

/// The fullUrl of the goal at `index` of the plan version.
fn goal_url(ids: &Ids, version: &PlanVersion, index: usize) -> String {
    let goals = &version.plan.goals;
    let indicator = &goals[index].indicator;
    let nth = goals[..=index]
        .iter()
        .filter(|g| &g.indicator == indicator)
        .count();
    ids.url_of("Goal", &goal_identity(version, indicator), nth as u32)
}

/// The latest plan version: a CarePlan and a Goal per goal (referenced by fullUrl, from
/// the plan and from each activity, which serves the plan's goals).
pub(crate) fn care_plan(version: &PlanVersion, ids: &mut Ids, subject: &Value) -> Vec<Value> {
    let plan = &version.plan;
    let mut entries = Vec::new();
    let mut goal_refs = Vec::new();
    for goal in &plan.goals {
        let url = ids.url("Goal", &goal_identity(version, &goal.indicator));
        let indicator = crate::domain::indicators::by_key(&goal.indicator);
        let unit = indicator.map(|i| i.unit);
        let target_quantity = quantity(json!(goal.target), unit);
        let detail = match goal.direction {
            Direction::AtMost => json!({ "detailRange": { "high": target_quantity } }),
            Direction::AtLeast => json!({ "detailRange": { "low": target_quantity } }),
        };
        let mut measure = json!({ "text": goal.indicator });
        if let Some(i) = indicator {
            measure["coding"] = json!([{ "system": LOINC, "code": i.codes[0], "display": i.en }]);
        }
        let mut target = json!({ "measure": measure, "dueDate": goal.by.to_string() });
        if let (Some(t), Some(d)) = (target.as_object_mut(), detail.as_object()) {
            t.extend(d.clone());
        }
        entries.push(entry(
            &url,
            json!({
                "resourceType": "Goal",
                "lifecycleStatus": if plan.active { "active" } else { "completed" },
                "description": { "text": format!("{} {} {}", goal.indicator, match goal.direction { Direction::AtMost => "≤", Direction::AtLeast => "≥" }, goal.target) },
                "subject": subject,
                "target": [target],
            }),
        ));
        goal_refs.push(reference(&url));
    }
    let activities: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| {
            let mut detail = json!({
                "kind": "Task",
                "code": { "text": kind_key(a.kind) },
                "goal": goal_refs,
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
    let url = ids.url("CarePlan", &version.started.to_string());
    entries.push(entry(
        &url,
        json!({
            "resourceType": "CarePlan",
            // caredesk's own plan: an import of this export brings it back.
            "meta": { "tag": [{ "system": crate::ingest::fhir::SOURCE_TAG, "code": "plan", "display": "caredesk intervention plan" }] },
            "status": if plan.active { "active" } else { "completed" },
            "intent": "plan",
            "title": plan.title,
            "subject": subject,
            "period": { "start": instant(version.started) },
            "created": instant(version.at),
            "author": { "display": version.by },
            "goal": goal_refs,
            "activity": activities,
        }),
    ));
    entries
}

pub(crate) fn advice(approved: &Approved, ids: &mut Ids, subject: &Value) -> Value {
    let url = ids.url("Communication", &format!("advice|{}", approved.at));
    entry(
        &url,
        json!({
            "resourceType": "Communication",
            "status": "completed",
            "category": [{ "text": "health advice" }],
            "subject": subject,
            "sent": instant(approved.at),
            "sender": { "display": approved.by },
            "payload": approved.items.iter().map(|i| json!({ "contentString": i.text })).collect::<Vec<_>>(),
        }),
    )
}

/// Each summary's latest version: final once signed, preliminary before. Besides its
/// text, a section lists the plan's Goals it reports on (those still in the latest
/// plan) and one the follow-up calls of its period.
pub(crate) fn summaries(
    versions: &[SummaryVersion],
    plan: Option<&PlanVersion>,
    calls: &[Call],
    ids: &mut Ids,
    subject: &Value,
) -> Vec<Value> {
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
            let mut sections = vec![json!({ "title": "Summary", "text": { "status": "additional", "div": xhtml(&s.text) } })];
            let goals: Vec<Value> = plan
                .map(|p| {
                    p.plan
                        .goals
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| s.goals.iter().any(|r| &r.goal == *g))
                        .map(|(i, _)| reference(&goal_url(ids, p, i)))
                        .collect()
                })
                .unwrap_or_default();
            if !goals.is_empty() {
                sections.push(json!({ "title": "Goals", "entry": goals }));
            }
            let in_period: Vec<Value> = calls
                .iter()
                .filter(|c| {
                    chrono::DateTime::from_timestamp(c.at, 0)
                        .map(|t| t.date_naive())
                        .is_some_and(|d| d >= s.period.from && d <= s.period.to)
                })
                .map(|c| reference(&super::fhir_calls::encounter_url(ids, c)))
                .collect();
            if !in_period.is_empty() {
                sections.push(json!({ "title": "Follow-up calls", "entry": in_period }));
            }
            let mut composition = json!({
                "resourceType": "Composition",
                "status": if v.signed.is_some() { "final" } else { "preliminary" },
                "type": { "text": "stage health summary" },
                "subject": subject,
                "date": instant(v.at),
                "author": [{ "display": v.by }],
                "title": format!("Health summary {} – {}", s.period.from, s.period.to),
                "event": [{ "period": { "start": s.period.from.to_string(), "end": s.period.to.to_string() } }],
                "section": sections,
            });
            if let Some((signer, at)) = &v.signed {
                composition["attester"] =
                    json!([{ "mode": "legal", "time": instant(*at), "party": { "display": signer } }]);
            }
            entry(&ids.url("Composition", &v.number.to_string()), composition)
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

pub(crate) fn flag(tag: &AutoTag, ids: &mut Ids, subject: &Value) -> Value {
    let url = ids.url("Flag", &tag.tag);
    entry(
        &url,
        json!({
            "resourceType": "Flag",
            "status": "active",
            "category": [{ "text": "automatic tag" }],
            "code": { "text": tag.tag },
            "subject": subject,
            "period": { "start": instant(tag.since) },
        }),
    )
}
