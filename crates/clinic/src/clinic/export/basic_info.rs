//! The 个人基本信息表 (the record's basic-info section) as a FHIR QuestionnaireResponse
//! of caredesk's form `urn:caredesk:basic-info|2017` (国家基本公共卫生服务规范 第三版):
//! one item per field asked, a coded field's answers as Codings of its national code
//! set (by its OID where WS/T 500 names one), a text field as a string, 外伤/输血/遗传病史
//! as "无" or what there was. caredesk's import reads it back into the section.

use serde_json::{Value, json};

use super::access::PatientExport;
use super::bundle::{Ids, entry, instant};
use crate::domain::amendment::Section;
use crate::domain::basic_info::{FHIR_FORM, FIELDS, FieldKind};
use crate::domain::code_sets;
use crate::i18n::Lang;

/// The section as a QuestionnaireResponse, or none when no field was asked.
pub(crate) fn basic_info(export: &PatientExport, ids: &mut Ids, subject: &Value) -> Option<Value> {
    let info = &export.health.basic;
    let mut items = Vec::new();
    for (field, kind) in FIELDS {
        let answers: Vec<Value> = match kind {
            FieldKind::Text => {
                let value = match field {
                    "workplace" => &info.workplace,
                    "household_address" => &info.household_address,
                    _ => &info.responsible_doctor,
                };
                value.iter().map(|v| json!({ "valueString": v })).collect()
            }
            FieldKind::Declared => info
                .declared
                .get(field)
                .map(|d| json!({ "valueString": d.shown(Lang::ZhCn) }))
                .into_iter()
                .collect(),
            FieldKind::Coded(set) => {
                let set = code_sets::set(set);
                info.codes(field)
                    .iter()
                    .map(|code| {
                        let display = set.get(code).map(|c| c.zh.clone()).unwrap_or_default();
                        json!({ "valueCoding": { "system": set.fhir_system(), "code": code, "display": display } })
                    })
                    .collect()
            }
        };
        if !answers.is_empty() {
            items.push(json!({ "linkId": field, "answer": answers }));
        }
    }
    if items.is_empty() {
        return None;
    }
    // Authored when the section last changed.
    let changed = export
        .amendments
        .iter()
        .filter(|a| a.section() == Section::BasicInfo)
        .map(|a| a.at)
        .max()
        .unwrap_or(export.exported_at);
    let url = ids.url("QuestionnaireResponse", "basic-info");
    Some(entry(
        &url,
        json!({
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": FHIR_FORM,
            "subject": subject,
            "authored": instant(changed),
            "item": items,
        }),
    ))
}
