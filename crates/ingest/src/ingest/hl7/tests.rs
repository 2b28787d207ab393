//! The parser on hand-written messages: structure, per-OBX refusals, times, alternates
//! and identifiers. Real messages from public sources are in `tests/it/hl7_real.rs`.

use super::segments::Delimiters;
use super::*;
use crate::domain::observation::{LOINC, ObsValue};
use crate::domain::patient::Sex;

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
    // The first and third were dated by OBR-7, which has no offset: the sender's
    // local time, for the service to place. The second carried +0800.
    assert_eq!(m.local_times, [0, 2]);
    assert!(m.unread.is_empty());
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
        let (bytes, count) = parse_bytes(text.as_bytes(), "f", 1);
        assert_eq!(count, messages);
        assert_eq!(bytes.incoming, parsed.incoming);
    }
}

#[test]
fn a_bad_result_is_reported_and_the_rest_of_its_message_kept() {
    let bad = GLUCOSE.replace("||5.2|", "||five|");
    let text = format!("{bad}{GLUCOSE}");
    let parsed = parse(&text, "f");
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.incoming.len(), 2);
    let first = &parsed.incoming[0];
    assert_eq!(first.observations.len(), 2);
    assert_eq!(first.unread.len(), 1);
    let r = &first.unread[0];
    assert_eq!(r.origin, "f message 1 (CNTRL-3456)");
    assert_eq!(r.place, "OBX 2, OBX-5");
    assert_eq!(
        r.reason.to_string(),
        "2093-3 Cholesterol: the value is not a number (type NM)"
    );
    // The indexes of local times follow the results kept.
    assert_eq!(first.local_times, [0, 1]);
    assert_eq!(parsed.incoming[1].observations.len(), 3);

    let badloinc = GLUCOSE.replace("2093-3^", "2093-4^");
    let m = &parse(&badloinc, "f").incoming[0];
    assert_eq!(m.unread[0].place, "OBX 2, OBX-3");
    assert_eq!(
        m.unread[0].reason.to_string(),
        "2093-4 is not a valid LOINC code (check digit)"
    );
    let badtime = GLUCOSE.replace("20020215080000+0800", "2002-02-15 08:00");
    let m = &parse(&badtime, "f").incoming[0];
    assert_eq!(m.observations.len(), 2);
    assert_eq!(m.unread[0].place, "OBX 2, OBX-14");
}

#[test]
fn an_unreadable_order_time_refuses_the_results_that_depend_on_it() {
    let text = GLUCOSE.replace("|||200202150730\r", "|||2002-02-15\r");
    let m = &parse(&text, "f").incoming[0];
    // OBX 2 has its own time; OBX 1 and 3 would have taken OBR-7's.
    assert_eq!(m.observations.len(), 1);
    assert_eq!(m.observations[0].code, "2093-3");
    let places: Vec<&str> = m.unread.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(places, ["OBR 1, OBR-7", "OBR 1, OBR-7"]);
    assert!(
        m.unread[0]
            .reason
            .to_string()
            .starts_with("1554-5 GLUCOSE: not an HL7 date/time")
    );
}

#[test]
fn whole_messages_are_refused_only_when_unreadable() {
    let no_pid = GLUCOSE
        .split('\r')
        .filter(|l| !l.starts_with("PID"))
        .collect::<Vec<_>>()
        .join("\r");
    let r = &parse(&no_pid, "f").rejected[0];
    assert_eq!(r.place, "PID");
    let no_obx: String = GLUCOSE
        .split('\r')
        .filter(|l| !l.starts_with("OBX"))
        .collect::<Vec<_>>()
        .join("\r");
    let r = &parse(&no_obx, "f").rejected[0];
    assert_eq!(r.place, "OBX");
    assert!(r.reason.to_string().contains("no results"), "{}", r.reason);
    let adt = GLUCOSE.replace("ORU^R01", "ADT^A01");
    assert_eq!(parse(&adt, "f").rejected[0].place, "MSH 1, MSH-9");
}

#[test]
fn other_pid_identifiers_when_pid_3_is_empty_and_never_the_name() {
    let other = GLUCOSE.replace(
        "PID|||555-44-4444~8860000000018^^^CLINIC||",
        "PID|1|EXT-1^^^LAB|||",
    );
    let m = &parse(&other, "f").incoming[0];
    assert_eq!(m.patient_ids, ["EXT-1"]);
    let alternates = GLUCOSE.replace(
        "PID|||555-44-4444~8860000000018^^^CLINIC||",
        "PID|1|||ALT-9~ALT-9|",
    );
    assert_eq!(parse(&alternates, "f").incoming[0].patient_ids, ["ALT-9"]);
    let none = GLUCOSE.replace("PID|||555-44-4444~8860000000018^^^CLINIC||", "PID|1||||");
    let m = &parse(&none, "f").incoming[0];
    assert!(m.patient_ids.is_empty());
    assert_eq!(m.observations.len(), 3);
}

#[test]
fn alternates_statuses_and_value_types_in_one_message() {
    let text = "MSH|^~\\&|LAB|F|DESK|C|20260301083000||ORU^R01|7|P|2.5.1\r\
PID|1||P7^^^LAB^MR||Li^Na||19800101|F\r\
OBR|1|||24323-8^Basic metabolic panel^LN|||20260301073000+0800\r\
OBX|1|NM|K^Potassium^99LAB^2823-3^Potassium^LN||<15|mmol/L|3.5-5.1||||R\r\
OBX|2|NM|NA^Sodium^99LAB||141|mmol/L|||||F\r\
OBX|3|TM|TIME^Collection time^99LAB||0830|||||F\r\
OBX|4|XTN|PH^Call-back number^99LAB||^WPN^PH^^86^10^12345678|||||F\r\
OBX|5|NM|2160-0^Creatinine^LN||88|umol/L|||||X\r\
OBX|6|TN|TN^Phone^99LAB||(010)1234-5678||||||D\r";
    let parsed = parse(text, "f");
    let m = &parsed.incoming[0];
    assert!(m.unread.is_empty(), "{:?}", m.unread);
    let o = &m.observations;
    assert_eq!(o.len(), 6);
    assert_eq!(
        (o[0].system.as_str(), o[0].code.as_str()),
        (LOINC, "2823-3")
    );
    assert_eq!(o[0].display.as_deref(), Some("Potassium [K]"));
    assert_eq!(
        o[0].value,
        ObsValue::Quantity {
            value: crate::domain::decimal::Decimal::parse("15").unwrap(),
            comparator: Some("<".into())
        }
    );
    assert_eq!(o[0].status.as_deref(), Some("R"));
    assert_eq!(
        (o[1].system.as_str(), o[1].code.as_str()),
        ("urn:hl7v2:99LAB", "NA")
    );
    assert_eq!(o[2].value, ObsValue::Text("0830".into()));
    assert_eq!(o[3].value, ObsValue::Text("+86 (10) 12345678".into()));
    // Kept with their statuses as sent; what X and D mean for trends is decided where
    // trends are made.
    assert_eq!(o[4].status.as_deref(), Some("X"));
    assert_eq!(o[5].status.as_deref(), Some("D"));
    // All dated by OBR-7, which had an offset.
    assert!(m.local_times.is_empty());
    assert_eq!(o[0].taken_at, parse_time("20260228233000").unwrap());
}

#[test]
fn escapes() {
    let d = Delimiters::default();
    assert_eq!(d.unescape("a\\F\\b\\S\\c\\R\\d\\E\\e"), "a|b^c~d\\e");
    assert_eq!(d.unescape("line\\.br\\two"), "line\ntwo");
    assert_eq!(d.unescape("\\X4869\\"), "Hi");
    assert_eq!(d.unescape("dangling \\F"), "dangling \\F");
}

#[test]
fn a_cut_falls_at_the_last_message_begun() {
    let two = format!("{GLUCOSE}\n\u{0b}{GLUCOSE}");
    assert_eq!(last_message_start(two.as_bytes()), GLUCOSE.len() + 1);
    assert_eq!(last_message_start(GLUCOSE.as_bytes()), 0);
    // MSH inside a field is no message start.
    assert_eq!(last_message_start(b"OBX|1|ST|x||MSH here\r"), 0);
}

proptest::proptest! {
    #[test]
    fn no_input_panics_the_parser(text in "(MSH|PID|OBR|OBX|[|^~&\\\\\r\n0-9A-Za-z.+<>-]){0,80}") {
        let _ = parse(&text, "fuzz");
        let _ = parse_bytes(text.as_bytes(), "fuzz", 1);
        let _ = last_message_start(text.as_bytes());
    }

    #[test]
    fn no_edit_of_a_real_message_panics_it(at in 0usize..400, insert in "[|^~&\\\\\r\nX0-9]{0,4}") {
        let mut text = GLUCOSE.to_string();
        let at = at.min(text.len());
        text.insert_str(at, &insert);
        let _ = parse(&text, "fuzz");
    }

    #[test]
    fn bytes_in_any_order_do_not_panic_it(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut input = b"MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5|||||X|".to_vec();
        input.extend(bytes);
        let _ = parse_bytes(&input, "fuzz", 1);
        let _ = last_message_start(&input);
    }
}
