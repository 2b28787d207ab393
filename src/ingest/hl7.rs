//! HL7 v2.x ORU^R01 result messages.
//!
//! Tolerant where real senders differ (segment separators \r, \n or \r\n; MLLP framing
//! bytes; several messages in a file; trailing empty fields), strict where a value
//! would be wrong (a number that is not one, an invalid LOINC code, a date that is not
//! one): such a message is rejected whole, with the segment and field named.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::{Incoming, Parsed, Rejected, loinc_valid};
use crate::domain::decimal::Decimal;
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{IdType, Patient, Sex};

/// The message's delimiters, from MSH-1 and MSH-2.
#[derive(Debug, Clone, Copy)]
struct Delimiters {
    field: char,
    component: char,
    repetition: char,
    escape: char,
    subcomponent: char,
}

impl Default for Delimiters {
    fn default() -> Self {
        Self {
            field: '|',
            component: '^',
            repetition: '~',
            escape: '\\',
            subcomponent: '&',
        }
    }
}

/// One segment: its name and fields, numbered as the standard numbers them (for MSH,
/// field 1 is the field separator itself).
struct Segment<'a> {
    name: &'a str,
    fields: Vec<&'a str>,
    /// Which occurrence of this segment name in the message (1-based), for messages.
    ordinal: usize,
}

impl<'a> Segment<'a> {
    fn field(&self, n: usize) -> &'a str {
        self.fields.get(n).copied().unwrap_or("")
    }

    fn place(&self, n: usize) -> String {
        format!("{} {}, {}-{n}", self.name, self.ordinal, self.name)
    }
}

impl Delimiters {
    fn repetitions<'a>(&self, field: &'a str) -> impl Iterator<Item = &'a str> + use<'a> {
        let repetition = self.repetition;
        field.split(repetition).filter(|r| !r.is_empty())
    }

    fn components<'a>(&self, field: &'a str) -> Vec<&'a str> {
        field.split(self.component).collect()
    }

    fn component<'a>(&self, field: &'a str, n: usize) -> &'a str {
        field.split(self.component).nth(n).unwrap_or("")
    }

    /// Resolves escape sequences: \F\ \S\ \T\ \R\ \E\ \.br\ and \Xhh..\ (hex bytes).
    fn unescape(&self, text: &str) -> String {
        let e = self.escape;
        if !text.contains(e) {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(e) {
            out.push_str(&rest[..start]);
            let after = &rest[start + e.len_utf8()..];
            let Some(end) = after.find(e) else {
                out.push_str(&rest[start..]);
                return out;
            };
            let code = &after[..end];
            match code {
                "F" => out.push(self.field),
                "S" => out.push(self.component),
                "T" => out.push(self.subcomponent),
                "R" => out.push(self.repetition),
                "E" => out.push(e),
                ".br" => out.push('\n'),
                hex if hex.starts_with('X') => {
                    let bytes: Vec<u8> = (1..hex.len())
                        .step_by(2)
                        .filter_map(|i| hex.get(i..i + 2))
                        .filter_map(|h| u8::from_str_radix(h, 16).ok())
                        .collect();
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
                // Formatting commands (\H\, \N\, \.sp\ …) carry no text.
                _ => {}
            }
            rest = &after[end + e.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
}

/// Splits a file into messages: each starts at an MSH segment. MLLP start (0x0b) and
/// end (0x1c) bytes are dropped.
fn messages(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in text.split(['\r', '\n']) {
        let line = line.trim_matches(|c| c == '\u{0b}' || c == '\u{1c}' || c == '\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("MSH") || out.is_empty() {
            out.push(Vec::new());
        }
        if let Some(current) = out.last_mut() {
            current.push(line);
        }
    }
    out
}

/// An HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]) as unix seconds; a time without
/// an offset is read as UTC.
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let (stamp, offset) = match text.find(['+', '-']) {
        Some(i) if i >= 4 => (&text[..i], Some(&text[i..])),
        _ => (text, None),
    };
    let stamp = stamp.split('.').next().unwrap_or("");
    if stamp.len() < 4 || !stamp.chars().all(|c| c.is_ascii_digit()) || stamp.len() % 2 != 0 {
        return None;
    }
    let part = |from: usize, to: usize, default: u32| -> Option<u32> {
        match stamp.get(from..to) {
            Some(s) => s.parse().ok(),
            None => Some(default),
        }
    };
    let year: i32 = stamp.get(0..4)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, part(4, 6, 1)?, part(6, 8, 1)?)?;
    let time = date.and_hms_opt(part(8, 10, 0)?, part(10, 12, 0)?, part(12, 14, 0)?)?;
    let seconds = NaiveDateTime::and_utc(&time).timestamp();
    match offset {
        None => Some(seconds),
        Some(o) if o.len() == 5 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let hours: i64 = o.get(1..3)?.parse().ok()?;
            let minutes: i64 = o.get(3..5)?.parse().ok()?;
            Some(seconds - sign * (hours * 3600 + minutes * 60))
        }
        Some(_) => None,
    }
}

fn sex(code: &str) -> Sex {
    match code {
        "F" => Sex::Female,
        "M" => Sex::Male,
        "O" | "A" => Sex::Other,
        _ => Sex::Unknown,
    }
}

/// The patient as PID describes them (to create them from the review list).
fn patient(pid: &Segment<'_>, d: &Delimiters) -> Patient {
    let name = pid.field(5);
    let family = d.unescape(d.component(name, 0));
    let given = d.unescape(d.component(name, 1));
    let full = match (family.is_empty(), given.is_empty()) {
        (false, false) if family.is_ascii() => format!("{given} {family}"),
        _ => format!("{family}{given}"),
    };
    let birth = pid.field(7);
    let phone = d.component(d.repetitions(pid.field(13)).next().unwrap_or(""), 0);
    let address: Vec<String> = d
        .components(d.repetitions(pid.field(11)).next().unwrap_or(""))
        .iter()
        .take(5)
        .filter(|p| !p.is_empty())
        .map(|p| d.unescape(p))
        .collect();
    Patient {
        name: full.trim().to_string(),
        sex: sex(pid.field(8)),
        birth_date: birth
            .get(0..8)
            .and_then(|b| NaiveDate::parse_from_str(b, "%Y%m%d").ok()),
        phone: (!phone.is_empty()).then(|| phone.to_string()),
        id_type: IdType::Other,
        id_number: None,
        address: (!address.is_empty()).then(|| address.join(", ")),
        ..Patient::default()
    }
}

/// The coding system of a CE/CWE: LOINC when the sender says LN (or says nothing and
/// the code has LOINC's shape).
fn coding_system(name: &str, code: &str) -> String {
    match name {
        "LN" | "LOINC" => LOINC.to_string(),
        "" if loinc_valid(code) => LOINC.to_string(),
        "" => "urn:caredesk:local".to_string(),
        "SCT" | "SNM" => "http://snomed.info/sct".to_string(),
        other => format!("urn:hl7v2:{other}"),
    }
}

struct Context<'a> {
    origin: &'a str,
    d: Delimiters,
    /// OBR-7 of the current order group, for OBX without their own time.
    order_time: Option<i64>,
    /// MSH-7, the last resort.
    message_time: Option<i64>,
}

type Failure = (String, String);

/// One OBX segment as observations (a repeated value gives one each), or why not.
fn observations(
    obx: &Segment<'_>,
    cx: &Context<'_>,
    skipped: &mut u64,
) -> Result<Vec<Observation>, Failure> {
    let d = &cx.d;
    let value_type = obx.field(2).trim();
    if matches!(value_type, "ED" | "RP") {
        // An attached document or a pointer to one: not a result caredesk keeps.
        *skipped += 1;
        return Ok(Vec::new());
    }
    let identifier = obx.field(3);
    let code = d.unescape(d.component(identifier, 0)).trim().to_string();
    if code.is_empty() {
        return Err((obx.place(3), "the observation has no code".into()));
    }
    let system = coding_system(d.component(identifier, 2), &code);
    if system == LOINC && !loinc_valid(&code) {
        return Err((
            obx.place(3),
            format!("{code} is not a valid LOINC code (check digit)"),
        ));
    }
    let display = Some(d.unescape(d.component(identifier, 1))).filter(|t| !t.is_empty());
    let raw_values: Vec<&str> = d.repetitions(obx.field(5)).collect();
    if raw_values.is_empty() {
        // A pending result without a value yet.
        *skipped += 1;
        return Ok(Vec::new());
    }
    let time_field = obx.field(14);
    let taken_at = if time_field.is_empty() {
        cx.order_time.or(cx.message_time)
    } else {
        Some(parse_time(time_field).ok_or_else(|| {
            (
                obx.place(14),
                "not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])".to_string(),
            )
        })?)
    }
    .ok_or_else(|| {
        (
            obx.place(14),
            "no time: neither OBX-14, OBR-7 nor MSH-7".into(),
        )
    })?;
    let unit = Some(d.unescape(d.component(obx.field(6), 0)))
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    let range = RefRange::parse(&d.unescape(obx.field(7)));
    let flags: Vec<String> = d
        .repetitions(obx.field(8))
        .map(|f| d.component(f, 0).trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    let status = Some(obx.field(11).trim().to_string()).filter(|s| !s.is_empty());
    let mut out = Vec::new();
    for raw in raw_values {
        let value = match value_type {
            "NM" => ObsValue::Quantity {
                value: Decimal::parse(raw).ok_or_else(|| {
                    (
                        obx.place(5),
                        "the value is not a number (type NM)".to_string(),
                    )
                })?,
                comparator: None,
            },
            "SN" => {
                // comparator ^ number [^ separator ^ number]
                let parts = d.components(raw);
                let comparator = parts.first().map(|c| c.trim()).filter(|c| !c.is_empty());
                let number = parts.get(1).copied().unwrap_or("");
                match (Decimal::parse(number), parts.get(2)) {
                    (Some(value), None | Some(&"")) => ObsValue::Quantity {
                        value,
                        comparator: comparator.map(str::to_string),
                    },
                    // A ratio or range ("1:128", "2-4") is kept as it reads.
                    (Some(_), Some(_)) => ObsValue::Text(parts[..].join("").trim().to_string()),
                    (None, _) => {
                        return Err((
                            obx.place(5),
                            "the value is not a structured number (type SN)".to_string(),
                        ));
                    }
                }
            }
            "FN" => ObsValue::Text(d.unescape(&d.components(raw).join(" ")).trim().to_string()),
            "CE" | "CWE" | "CNE" => {
                let code = d.unescape(d.component(raw, 0));
                let text = d.unescape(d.component(raw, 1));
                if code.is_empty() && text.is_empty() {
                    return Err((obx.place(5), "a coded value without code or text".into()));
                }
                ObsValue::Coded {
                    system: Some(d.component(raw, 2))
                        .filter(|s| !s.is_empty())
                        .map(|s| coding_system(s, &code)),
                    code: if code.is_empty() { text.clone() } else { code },
                    display: Some(text).filter(|t| !t.is_empty()),
                }
            }
            "ST" | "TX" | "FT" | "" => ObsValue::Text(d.unescape(raw)),
            "DT" | "TS" | "DTM" => ObsValue::Text(raw.to_string()),
            other => {
                return Err((
                    obx.place(2),
                    format!(
                        "value type {other} is not one caredesk reads (NM, SN, ST, TX, FT, CE, CWE)"
                    ),
                ));
            }
        };
        out.push(Observation {
            system: system.clone(),
            code: code.clone(),
            display: display.clone(),
            value,
            unit: unit.clone(),
            range: range.clone(),
            flags: flags.clone(),
            taken_at,
            status: status.clone(),
            source: Source {
                kind: SourceKind::Hl7,
                reference: cx.origin.to_string(),
            },
        });
    }
    Ok(out)
}

/// One message (its segment lines) as an `Incoming`, or why not.
fn message(lines: &[&str], origin: &str, skipped: &mut u64) -> Result<Incoming, Failure> {
    let first = lines.first().copied().unwrap_or("");
    if !first.starts_with("MSH") || first.len() < 8 {
        return Err((
            "MSH 1".into(),
            "the message does not start with an MSH segment".into(),
        ));
    }
    let mut chars = first[3..].chars();
    let field = chars.next().unwrap_or('|');
    let encoding: Vec<char> = chars.take_while(|c| *c != field).collect();
    let d = Delimiters {
        field,
        component: encoding.first().copied().unwrap_or('^'),
        repetition: encoding.get(1).copied().unwrap_or('~'),
        escape: encoding.get(2).copied().unwrap_or('\\'),
        subcomponent: encoding.get(3).copied().unwrap_or('&'),
    };
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    let segments: Vec<Segment<'_>> = lines
        .iter()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(d.field).collect();
            let name = fields.first().copied().unwrap_or("");
            if name == "MSH" {
                // MSH-1 is the separator itself, so MSH-2 is the encoding characters.
                fields.insert(1, "|");
            }
            let ordinal = counts.entry(name).or_insert(0);
            *ordinal += 1;
            Segment {
                name,
                fields,
                ordinal: *ordinal,
            }
        })
        .collect();
    let msh = &segments[0];
    let kind = msh.field(9);
    if d.component(kind, 0) != "ORU" {
        return Err((
            msh.place(9),
            format!(
                "message type {} is not a result message (ORU^R01)",
                kind.replace(d.component, "^")
            ),
        ));
    }
    let control = msh.field(10);
    let origin = if control.is_empty() {
        origin.to_string()
    } else {
        format!("{origin} ({control})")
    };
    let mut cx = Context {
        origin: &origin,
        d,
        order_time: None,
        message_time: parse_time(msh.field(7)),
    };
    let Some(pid) = segments.iter().find(|s| s.name == "PID") else {
        return Err((
            "PID".into(),
            "the message has no PID segment: whose results are these?".into(),
        ));
    };
    let patient_ids: Vec<String> = d
        .repetitions(pid.field(3))
        .map(|r| d.unescape(d.component(r, 0)).trim().to_string())
        .filter(|id| !id.is_empty())
        .collect();
    if patient_ids.is_empty() {
        return Err((pid.place(3), "no patient identifier in PID-3".into()));
    }
    let mut found = Vec::new();
    for segment in &segments {
        match segment.name {
            "OBR" => {
                let time = segment.field(7);
                cx.order_time = if time.is_empty() {
                    None
                } else {
                    Some(parse_time(time).ok_or_else(|| {
                        (
                            segment.place(7),
                            "not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])".to_string(),
                        )
                    })?)
                };
            }
            "OBX" => found.extend(observations(segment, &cx, skipped)?),
            _ => {}
        }
    }
    Ok(Incoming {
        origin: origin.clone(),
        patient_ids,
        patient: Some(patient(pid, &d)),
        observations: found,
        conditions: Vec::new(),
        medications: Vec::new(),
        reported: Default::default(),
    })
}

/// Reads every message of a file. `name` labels where each came from.
pub fn parse(text: &str, name: &str) -> Parsed {
    parse_numbered(text, name, 1).0
}

/// Reads the messages of a piece of a file whose first is message `first`; also gives
/// how many messages the piece held.
pub fn parse_numbered(text: &str, name: &str, first: usize) -> (Parsed, usize) {
    let mut parsed = Parsed::default();
    let found = messages(text);
    for (i, lines) in found.iter().enumerate() {
        let origin = format!("{name} message {}", first + i);
        let mut skipped = 0;
        match message(lines, &origin, &mut skipped) {
            Ok(incoming) => {
                parsed.skipped += skipped;
                parsed.incoming.push(incoming);
            }
            Err((place, reason)) => parsed.rejected.push(Rejected {
                origin,
                place,
                reason,
            }),
        }
    }
    (parsed, found.len())
}

/// The current time as an HL7 DTM, for messages this program writes (tests, demo).
pub fn format_time(unix: i64) -> String {
    Utc.timestamp_opt(unix, 0)
        .single()
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUCOSE: &str = "MSH|^~\\&|GHH LAB|ELAB-3|GHH OE|BLDG4|200202150930||ORU^R01|CNTRL-3456|P|2.4\r\
PID|||555-44-4444~8860000000018^^^CLINIC||EVERYWOMAN^EVE^E^^^^L|JONES|19620320|F|||153 FERNWOOD DR.^^STATESVILLE^OH^35292||(206)3345232\r\
OBR|1|845439^GHH OE|1045813^GHH LAB|1554-5^GLUCOSE|||200202150730\r\
OBX|1|SN|1554-5^GLUCOSE^LN||^182|mg/dl|70_105|H|||F\r\
OBX|2|NM|2093-3^Cholesterol^LN||5.2|mmol/L|<5.2|N|||F|||20020215080000+0800\r\
OBX|3|ST|11526-1^Note^LN||fasting \\T\\ rested|||||F\r";

    #[test]
    fn a_result_message_becomes_observations() {
        let parsed = parse(GLUCOSE, "lab.hl7");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let m = &parsed.incoming[0];
        assert_eq!(m.patient_ids, ["555-44-4444", "8860000000018"]);
        assert_eq!(m.origin, "lab.hl7 message 1 (CNTRL-3456)");
        let p = m.patient.as_ref().unwrap();
        assert_eq!(p.name, "EVE EVERYWOMAN");
        assert_eq!(p.sex, Sex::Female);
        let o = &m.observations;
        assert_eq!(o.len(), 3);
        assert_eq!(o[0].code, "1554-5");
        assert_eq!(o[0].value.text(), "182");
        assert_eq!(o[0].unit.as_deref(), Some("mg/dl"));
        assert_eq!(o[0].flags, ["H"]);
        assert_eq!(o[0].taken_at, parse_time("200202150730").unwrap());
        assert!(o[0].abnormal());
        // OBX-14 with its offset wins over OBR-7.
        assert_eq!(o[1].taken_at, parse_time("20020215000000").unwrap());
        assert!(!o[1].abnormal());
        assert_eq!(o[2].value, ObsValue::Text("fasting & rested".into()));
    }

    #[test]
    fn separators_mllp_and_several_messages() {
        let crlf = GLUCOSE.replace('\r', "\r\n");
        let lf = GLUCOSE.replace('\r', "\n");
        let framed = format!("\u{0b}{GLUCOSE}\u{1c}\r\u{0b}{GLUCOSE}\u{1c}\r");
        for (text, messages) in [(crlf, 1), (lf, 1), (framed, 2)] {
            let parsed = parse(&text, "f");
            assert_eq!(parsed.incoming.len(), messages);
            assert!(parsed.incoming.iter().all(|m| m.observations.len() == 3));
        }
    }

    #[test]
    fn a_bad_value_rejects_its_message_and_the_next_one_is_read() {
        let bad = GLUCOSE.replace("||5.2|", "||five|");
        let text = format!("{bad}{GLUCOSE}");
        let parsed = parse(&text, "f");
        assert_eq!(parsed.incoming.len(), 1);
        assert_eq!(parsed.rejected.len(), 1);
        let r = &parsed.rejected[0];
        assert_eq!(r.origin, "f message 1");
        assert_eq!(r.place, "OBX 2, OBX-5");
        assert!(r.reason.contains("not a number"), "{}", r.reason);
        let badloinc = GLUCOSE.replace("2093-3^", "2093-4^");
        let parsed = parse(&badloinc, "f");
        assert_eq!(parsed.rejected[0].place, "OBX 2, OBX-3");
    }

    #[test]
    fn escapes() {
        let d = Delimiters::default();
        assert_eq!(d.unescape("a\\F\\b\\S\\c\\R\\d\\E\\e"), "a|b^c~d\\e");
        assert_eq!(d.unescape("line\\.br\\two"), "line\ntwo");
        assert_eq!(d.unescape("\\X4869\\"), "Hi");
        assert_eq!(d.unescape("dangling \\F"), "dangling \\F");
    }

    proptest::proptest! {
        #[test]
        fn no_input_panics_the_parser(text in "(MSH|PID|OBR|OBX|[|^~&\\\\\r\n0-9A-Za-z.+-]){0,80}") {
            let _ = parse(&text, "fuzz");
        }

        #[test]
        fn no_edit_of_a_real_message_panics_it(at in 0usize..400, insert in "[|^~&\\\\\r\nX0-9]{0,4}") {
            let mut text = GLUCOSE.to_string();
            let at = at.min(text.len());
            text.insert_str(at, &insert);
            let _ = parse(&text, "fuzz");
        }
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("20020215"), parse_time("200202150000"));
        assert_eq!(parse_time("200202150930+0100"), parse_time("200202150830"));
        assert_eq!(parse_time("2002021509301.5"), None);
        assert_eq!(parse_time("20021315"), None);
        assert_eq!(parse_time(""), None);
        assert!(parse_time("20020215093012.345").is_some());
    }
}
