//! A FHIR AllergyIntolerance and FamilyMemberHistory as the record's allergies and
//! family history: substance, reaction and severity; relative and each condition, with
//! their codes. Refuted and entered-in-error ones are counted, not kept.

use crate::i18n::Text;
use crate::text;
use serde_json::Value;

use super::record::{clean, diagnosis_rank, named, status_code, substance_rank};
use super::values::{concept_text, text};
use crate::domain::health::{Allergy, FamilyCondition, Severity};

/// An allergy, or why it is not kept.
pub(super) enum AllergyRead {
    Kept(Allergy),
    /// Refuted or entered in error: counted, not kept.
    Withdrawn,
}

pub(super) fn allergy(resource: &Value) -> Result<AllergyRead, Text> {
    let verification = status_code(&resource["verificationStatus"]);
    if matches!(
        verification.as_deref(),
        Some("refuted" | "entered-in-error")
    ) {
        return Ok(AllergyRead::Withdrawn);
    }
    let concept = if resource["code"].is_object() {
        &resource["code"]
    } else {
        &resource["substance"]
    };
    let (substance, coded) =
        named(concept, substance_rank).ok_or_else(|| text!("msg.ingest.fhir_allergy"))?;
    let mut manifestations: Vec<String> = Vec::new();
    let mut severity: Option<Severity> = None;
    for reaction in resource["reaction"].as_array().into_iter().flatten() {
        for m in reaction["manifestation"].as_array().into_iter().flatten() {
            // R4 gives a CodeableConcept; R5 and later a CodeableReference.
            let concept = if m["concept"].is_object() {
                &m["concept"]
            } else {
                m
            };
            if let Some(t) = concept_text(concept).map(|t| clean(&t))
                && !manifestations.contains(&t)
            {
                manifestations.push(t);
            }
        }
        let this = text(&reaction["severity"]).and_then(|s| Severity::parse(&s));
        severity = match (severity, this) {
            (Some(a), Some(b)) => Some(
                if Severity::ALL.iter().position(|s| *s == b)
                    > Severity::ALL.iter().position(|s| *s == a)
                {
                    b
                } else {
                    a
                },
            ),
            (a, b) => a.or(b),
        };
    }
    let (code, system) = coded.map(|(c, s, _)| (c, s)).unzip();
    Ok(AllergyRead::Kept(Allergy {
        substance,
        reaction: (!manifestations.is_empty()).then(|| manifestations.join(", ")),
        severity,
        code,
        system: system.flatten(),
    }))
}

/// HL7 v3 RoleCode family members, for a relationship sent as a bare code.
fn relative_word(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_uppercase().as_str() {
        "FTH" | "NFTH" | "FATHER" => "father",
        "MTH" | "NMTH" | "MOTHER" => "mother",
        "PRN" | "NPRN" => "parent",
        "BRO" | "NBRO" | "HBRO" => "brother",
        "SIS" | "NSIS" | "HSIS" => "sister",
        "SIB" | "NSIB" | "HSIB" | "TWIN" => "sibling",
        "SON" | "SONC" => "son",
        "DAU" | "DAUC" => "daughter",
        "CHILD" | "NCHILD" => "child",
        "GRFTH" | "PGRFTH" | "MGRFTH" => "grandfather",
        "GRMTH" | "PGRMTH" | "MGRMTH" => "grandmother",
        "GRPRN" | "PGRPRN" | "MGRPRN" => "grandparent",
        "UNCLE" | "PUNCLE" | "MUNCLE" => "uncle",
        "AUNT" | "PAUNT" | "MAUNT" => "aunt",
        "COUSN" | "PCOUSN" | "MCOUSN" => "cousin",
        "SPS" | "HUSB" | "WIFE" => "spouse",
        _ => return None,
    })
}

/// A relative's conditions, or why there is nothing to keep.
pub(super) enum FamilyRead {
    Kept(Vec<FamilyCondition>),
    EnteredInError,
    NoCondition,
}

pub(super) fn family(resource: &Value) -> FamilyRead {
    if status_code(&resource["status"]).as_deref() == Some("entered-in-error") {
        return FamilyRead::EnteredInError;
    }
    let relationship = &resource["relationship"];
    let code = relationship["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|c| text(&c["code"]));
    let relative = text(&relationship["text"])
        .or_else(|| {
            relationship["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| text(&c["display"]))
        })
        .or_else(|| code.as_deref().and_then(relative_word).map(str::to_string))
        .or(code)
        .or_else(|| text(&resource["name"]))
        .map(|r| clean(&r))
        .unwrap_or_else(|| "relative".into());
    let conditions: Vec<FamilyCondition> = resource["condition"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| named(&c["code"], diagnosis_rank))
        .map(|(condition, coded)| {
            let (code, system) = coded.map(|(c, s, _)| (c, s)).unzip();
            FamilyCondition {
                relative: relative.clone(),
                condition,
                code,
                system: system.flatten(),
            }
        })
        .collect();
    if conditions.is_empty() {
        FamilyRead::NoCondition
    } else {
        FamilyRead::Kept(conditions)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::record_codes::{ICD10, SNOMED};

    #[test]
    fn allergies_and_family_history() {
        let Ok(AllergyRead::Kept(a)) = allergy(&json!({
            "code": {"coding": [{"system": SNOMED, "code": "227493005", "display": "Cashew nuts"}]},
            "reaction": [
              {"manifestation": [{"coding": [{"system": SNOMED, "code": "39579001", "display": "Anaphylactic reaction"}]}], "severity": "severe"},
              {"manifestation": [{"concept": {"text": "Urticaria"}}], "severity": "moderate"}]}))
        else {
            panic!("kept")
        };
        assert_eq!(a.substance, "Cashew nuts");
        assert_eq!(a.code.as_deref(), Some("227493005"));
        assert_eq!(
            a.reaction.as_deref(),
            Some("Anaphylactic reaction, Urticaria")
        );
        assert_eq!(a.severity, Some(Severity::Severe));
        assert!(matches!(
            allergy(
                &json!({"verificationStatus": {"coding": [{"code": "refuted"}]}, "code": {"text": "x"}})
            ),
            Ok(AllergyRead::Withdrawn)
        ));
        let FamilyRead::Kept(f) = family(&json!({
            "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MTH"}]},
            "condition": [{"code": {"coding": [{"system": SNOMED, "code": "44054006"}], "text": "Diabetes"}},
                          {"code": {"coding": [{"system": ICD10, "code": "I10"}]}}]}))
        else {
            panic!("kept")
        };
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].relative, "mother");
        assert_eq!(f[0].condition, "Diabetes");
        assert_eq!(f[1].condition, "ICD-10 I10");
        assert_eq!(
            (f[1].code.as_deref(), f[1].system.as_deref()),
            (Some("I10"), None)
        );
        assert!(matches!(
            family(&json!({"status": "entered-in-error"})),
            FamilyRead::EnteredInError
        ));
    }
}
