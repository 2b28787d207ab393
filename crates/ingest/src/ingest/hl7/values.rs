//! What an OBX says: which test (OBX-3, LOINC preferred wherever it stands) and its
//! value by value type (OBX-2). No result is lost for its value type: numbers become
//! numbers (with their comparator), codes codes, and anything else is kept as the
//! text it reads as.

use super::segments::Delimiters;
use crate::domain::decimal::Decimal;
use crate::domain::observation::{LOINC, ObsValue};
use crate::i18n::Text;
use crate::ingest::loinc_valid;
use crate::text;

/// Where a local code stands when the sender gives no system.
pub const LOCAL: &str = "urn:caredesk:local";

/// The coding system of a CE/CWE: LOINC when the sender says LN (or says nothing and
/// the code has LOINC's shape).
pub fn coding_system(name: &str, code: &str) -> String {
    match name.trim() {
        "LN" | "LOINC" => LOINC.to_string(),
        "" if loinc_valid(code) => LOINC.to_string(),
        "" => LOCAL.to_string(),
        "SCT" | "SNM" | "SNOMED" | "SNOMEDCT" => "http://snomed.info/sct".to_string(),
        other => format!("urn:hl7v2:{other}"),
    }
}

/// The system name as the lab wrote it, from `coding_system`'s form (for mapping
/// files and messages to staff).
pub fn sender_system(system: &str) -> &str {
    if system == LOCAL {
        ""
    } else {
        system.strip_prefix("urn:hl7v2:").unwrap_or(system)
    }
}

/// The test an OBX-3 names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub system: String,
    pub code: String,
    pub display: Option<String>,
}

/// One identifier triplet (code, text, system) of a CWE.
struct Triplet {
    code: String,
    text: String,
    system: String,
    /// Whether the sender named the system (else it was guessed from the code).
    named: bool,
}

fn triplet(d: &Delimiters, field: &str, first: usize) -> Option<Triplet> {
    let code = d.text(field, first);
    let text = d.text(field, first + 1);
    if code.is_empty() && text.is_empty() {
        return None;
    }
    let named = d.text(field, first + 2);
    let system = coding_system(&named, &code);
    Some(Triplet {
        code,
        text,
        system,
        named: !named.is_empty(),
    })
}

/// OBX-3: the identifier (3.1–3.3) or the alternate (3.4–3.6), whichever is LOINC,
/// the identifier when neither is. When LOINC displaces the lab's own code, that code
/// stays in the name shown ("Glucose [GLU]"), so staff can still match it to the
/// lab's report. Err: why the OBX names no test.
pub fn test(d: &Delimiters, field: &str) -> Result<Test, Text> {
    let primary = triplet(d, field, 0).filter(|t| !t.code.is_empty());
    let alternate = triplet(d, field, 3).filter(|t| !t.code.is_empty());
    let (chosen, other) = match (primary, alternate) {
        (Some(p), Some(a)) if p.system != LOINC && a.system == LOINC => (a, Some(p)),
        (Some(p), a) => (p, a),
        (None, Some(a)) => (a, None),
        (None, None) => return Err(text!("msg.ingest.hl7_no_code")),
    };
    if chosen.system == LOINC && !loinc_valid(&chosen.code) {
        return Err(text!("msg.ingest.bad_loinc", code = &chosen.code));
    }
    let mut display = if chosen.text.is_empty() {
        other.as_ref().map(|o| o.text.clone()).unwrap_or_default()
    } else {
        chosen.text.clone()
    };
    if let Some(other) = &other
        && chosen.system == LOINC
        && other.system != LOINC
        && other.code != chosen.code
    {
        display = format!("{display} [{}]", other.code).trim().to_string();
    }
    Ok(Test {
        system: chosen.system,
        code: chosen.code,
        display: Some(display).filter(|t| !t.is_empty()),
    })
}

/// "<15", ">=300", "=5": the comparator and the number, when the text is one.
fn comparator_number(text: &str) -> Option<(Option<String>, Decimal)> {
    let text = text.trim();
    for prefix in ["<=", ">=", "<>", "<", ">", "="] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let value = Decimal::parse(rest)?;
            // "=" says no more than the number alone; "<>" (not equal) is no bound.
            return match prefix {
                "=" => Some((None, value)),
                "<>" => None,
                p => Some((Some(p.to_string()), value)),
            };
        }
    }
    Decimal::parse(text).map(|v| (None, v))
}

fn quantity(comparator: Option<String>, value: Decimal) -> ObsValue {
    ObsValue::Quantity { value, comparator }
}

/// A structured numeric (SN): comparator ^ number [^ separator ^ number]. A single
/// number (with its comparator) is a quantity; a range (10-20), ratio (1:128, 1/3) or
/// categorical answer (2+) is kept as it reads.
fn structured(d: &Delimiters, raw: &str) -> Result<ObsValue, Text> {
    let parts: Vec<String> = d
        .components(raw)
        .iter()
        .map(|p| d.unescape(p).trim().to_string())
        .collect();
    let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
    if parts.len() == 1 {
        // A sender that wrote "<=0.25" without the components.
        return comparator_number(get(0))
            .map(|(c, v)| quantity(c, v))
            .ok_or_else(|| text!("msg.ingest.hl7_sn"));
    }
    let comparator = Some(get(0).to_string()).filter(|c| !c.is_empty() && c != "=");
    let Some(number) = Decimal::parse(get(1)) else {
        return Err(text!("msg.ingest.hl7_sn"));
    };
    let (separator, second) = (get(2), get(3));
    if separator.is_empty() && second.is_empty() {
        return Ok(quantity(comparator, number));
    }
    let text: String = parts[..parts.len().min(4)].concat();
    Ok(ObsValue::Text(text.trim().to_string()))
}

/// A telephone number (XTN) as one reads it: the number as written, or the e-mail
/// address, or country, area, number and extension put together.
fn telephone(d: &Delimiters, raw: &str) -> String {
    let c = |n: usize| d.text(raw, n);
    for written in [c(0), c(11), c(3)] {
        if !written.is_empty() {
            return written;
        }
    }
    let mut out = String::new();
    if !c(4).is_empty() {
        out.push_str(&format!("+{} ", c(4)));
    }
    if !c(5).is_empty() {
        out.push_str(&format!("({}) ", c(5)));
    }
    out.push_str(&c(6));
    if !c(7).is_empty() {
        out.push_str(&format!(" x{}", c(7)));
    }
    out.trim().to_string()
}

/// A coded value (CE, CWE, CNE): the identifier, or the alternate when the identifier
/// is empty, or the text alone.
fn coded(d: &Delimiters, raw: &str) -> Result<ObsValue, Text> {
    let chosen = triplet(d, raw, 0)
        .filter(|t| !t.code.is_empty())
        .or_else(|| triplet(d, raw, 3).filter(|t| !t.code.is_empty()))
        .or_else(|| triplet(d, raw, 0))
        .ok_or_else(|| text!("msg.ingest.hl7_coded"))?;
    Ok(ObsValue::Coded {
        system: (chosen.named && !chosen.code.is_empty()).then(|| chosen.system.clone()),
        code: if chosen.code.is_empty() {
            chosen.text.clone()
        } else {
            chosen.code
        },
        display: Some(chosen.text).filter(|t| !t.is_empty()),
    })
}

/// What OBX-5 holds, by OBX-2. `Ok(None)`: a kind caredesk does not keep (an attached
/// document or a pointer to one). Err: why the value cannot be read as its type says.
pub fn value(d: &Delimiters, value_type: &str, raw: &str) -> Result<Option<ObsValue>, Text> {
    let joined = |separator: &str| {
        d.components(raw)
            .iter()
            .map(|p| d.unescape(p).trim().to_string())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(separator)
    };
    Ok(Some(match value_type {
        "ED" | "RP" => return Ok(None),
        "NM" => {
            let (comparator, value) =
                comparator_number(&d.unescape(raw)).ok_or_else(|| text!("msg.ingest.hl7_nm"))?;
            quantity(comparator, value)
        }
        "SN" => structured(d, raw)?,
        "CE" | "CWE" | "CNE" | "CF" => coded(d, raw)?,
        "IS" | "ID" => ObsValue::Coded {
            system: None,
            code: d.unescape(raw).trim().to_string(),
            display: None,
        },
        "XTN" => ObsValue::Text(telephone(d, raw)),
        // Plain text: a plain number sent as text is still a number.
        "ST" | "" => {
            let text = d.unescape(raw);
            match Decimal::parse(&text) {
                Some(value) => quantity(None, value),
                None => ObsValue::Text(text),
            }
        }
        "TX" | "FT" => ObsValue::Text(d.unescape(raw)),
        // A name, a range of numbers or dates: their parts as they read.
        "FN" | "XPN" | "XCN" | "XAD" | "XON" | "PN" | "AD" => ObsValue::Text(joined(" ")),
        "NR" | "DR" => ObsValue::Text(joined(" - ")),
        // Dates and times (DT, DTM, TS, TM), and whatever else a lab sends: kept as it
        // reads, never dropped for its type.
        _ => ObsValue::Text(joined(" ")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> Delimiters {
        Delimiters::default()
    }

    fn q(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    fn read(value_type: &str, raw: &str) -> ObsValue {
        value(&d(), value_type, raw).unwrap().unwrap()
    }

    #[test]
    fn numbers_with_comparators() {
        assert_eq!(read("NM", "<15"), quantity(Some("<".into()), q("15")));
        assert_eq!(read("NM", ">300"), quantity(Some(">".into()), q("300")));
        assert_eq!(read("NM", "<=0.5"), quantity(Some("<=".into()), q("0.5")));
        assert_eq!(read("NM", ">= 2"), quantity(Some(">=".into()), q("2")));
        assert_eq!(read("NM", " 5.20 "), quantity(None, q("5.20")));
        assert!(value(&d(), "NM", "five").is_err());
        assert!(value(&d(), "NM", "<>3").is_err());
        assert_eq!(read("SN", "<^15"), quantity(Some("<".into()), q("15")));
        assert_eq!(read("SN", "^182"), quantity(None, q("182")));
        assert_eq!(read("SN", "=^23"), quantity(None, q("23")));
        assert_eq!(read("SN", "^10^-^20"), ObsValue::Text("10-20".into()));
        assert_eq!(read("SN", "^1^:^128"), ObsValue::Text("1:128".into()));
        assert_eq!(read("SN", "^2^+"), ObsValue::Text("2+".into()));
        assert_eq!(read("SN", "<=0.25"), quantity(Some("<=".into()), q("0.25")));
        assert!(value(&d(), "SN", "^x").is_err());
        assert_eq!(read("ST", "154"), quantity(None, q("154")));
        assert_eq!(read("ST", "NEGATIVE"), ObsValue::Text("NEGATIVE".into()));
    }

    #[test]
    fn other_types_are_kept_as_text_or_codes() {
        assert_eq!(
            read("TM", "223100.0000"),
            ObsValue::Text("223100.0000".into())
        );
        assert_eq!(read("DT", "20230201"), ObsValue::Text("20230201".into()));
        assert_eq!(
            read("TN", "(555)555-1212"),
            ObsValue::Text("(555)555-1212".into())
        );
        assert_eq!(
            read("XTN", "^WPN^PH^^1^303^4362727^12"),
            ObsValue::Text("+1 (303) 4362727 x12".into())
        );
        assert_eq!(
            read("XTN", "^NET^Internet^lab@example.org"),
            ObsValue::Text("lab@example.org".into())
        );
        assert_eq!(read("NR", "1^10"), ObsValue::Text("1 - 10".into()));
        assert_eq!(
            read("VR", "First^Second"),
            ObsValue::Text("First Second".into())
        );
        assert_eq!(
            read("CWE", "^^^LA6576-8^Positive^LN"),
            ObsValue::Coded {
                system: Some(LOINC.into()),
                code: "LA6576-8".into(),
                display: Some("Positive".into())
            }
        );
        assert_eq!(value(&d(), "ED", "x^y"), Ok(None));
    }

    #[test]
    fn loinc_is_preferred_wherever_it_stands() {
        let t = test(&d(), "GLU^Glucose^99LAB^2345-7^Glucose [Mass/volume]^LN").unwrap();
        assert_eq!((t.system.as_str(), t.code.as_str()), (LOINC, "2345-7"));
        assert_eq!(t.display.as_deref(), Some("Glucose [Mass/volume] [GLU]"));
        let t = test(&d(), "^SBP^^8480-6^Systolic blood pressure^LN").unwrap();
        assert_eq!(t.code, "8480-6");
        assert_eq!(t.display.as_deref(), Some("Systolic blood pressure"));
        let t = test(&d(), "^^^99717-6^17-Hydroxyprogesterone (CAH II)^L").unwrap();
        assert_eq!(
            (t.system.as_str(), t.code.as_str()),
            ("urn:hl7v2:L", "99717-6")
        );
        let t = test(&d(), "600-7^Bacteria^LN^BCEXT^EXTENDED BLOOD CULTURE^L").unwrap();
        assert_eq!(t.code, "600-7");
        assert_eq!(t.display.as_deref(), Some("Bacteria [BCEXT]"));
        assert!(test(&d(), "").is_err());
        assert!(
            test(&d(), "2093-4^Chol^LN")
                .unwrap_err()
                .to_string()
                .contains("check digit")
        );
    }
}
