//! caredesk's 个人基本信息表 QuestionnaireResponse (`urn:caredesk:basic-info|2017`,
//! written by `clinic::export::basic_info`) read back into the record's basic-info
//! section: each coded answer checked against the field's national code set, text as
//! given, 外伤/输血/遗传病史 as "无" or what there was.

use serde_json::Value;

use super::values::text;
use crate::domain::basic_info::{BasicInfo, Declared, FHIR_FORM, FieldKind, kind};
use crate::domain::code_sets;
use crate::i18n::Text;
use crate::text;

/// The section the response holds; `None`: not caredesk's basic-info form.
pub(super) fn basic_info(resource: &Value) -> Result<Option<BasicInfo>, Text> {
    if text(&resource["questionnaire"]).as_deref() != Some(FHIR_FORM) {
        return Ok(None);
    }
    let mut info = BasicInfo::default();
    for item in resource["item"].as_array().into_iter().flatten() {
        let field = text(&item["linkId"]).unwrap_or_default();
        let Some(field_kind) = kind(&field) else {
            return Err(text!("msg.ingest.basic_info_field", field = field));
        };
        let answers = item["answer"].as_array().cloned().unwrap_or_default();
        let string = || answers.first().and_then(|a| text(&a["valueString"]));
        match field_kind {
            FieldKind::Text => {
                let value = string().filter(|s| !s.trim().is_empty());
                match field.as_str() {
                    "workplace" => info.workplace = value,
                    "household_address" => info.household_address = value,
                    _ => info.responsible_doctor = value,
                }
            }
            FieldKind::Declared => {
                if let Some(declared) = string().as_deref().and_then(Declared::read) {
                    info.declared.insert(field, declared);
                }
            }
            FieldKind::Coded(set) => {
                let set = code_sets::set(set);
                let mut codes = Vec::new();
                for answer in &answers {
                    let coding = &answer["valueCoding"];
                    let code = text(&coding["code"]).unwrap_or_default();
                    let system = text(&coding["system"]).unwrap_or_default();
                    if system != set.fhir_system() || set.get(&code).is_none() {
                        return Err(text!(
                            "msg.ingest.basic_info_code",
                            field = field,
                            code = code,
                            set = set.standard.clone()
                        ));
                    }
                    codes.push(code);
                }
                if !codes.is_empty() {
                    info.coded.insert(field, codes);
                }
            }
        }
    }
    Ok(Some(info))
}
