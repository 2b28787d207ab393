//! Every message the service and the domain make is a catalog key (`text!`,
//! `Text::new`) rendered in the reader's language: each key is in both catalogs, and no
//! Chinese text holds an English word other than a code, a unit, a key name or a value
//! to type. (Issue 21: "a test renders every variant in zh-CN and finds no English
//! words other than codes and units".)

use std::path::{Path, PathBuf};

use caredesk::i18n::{Lang, Locale, Text};

/// Every Rust source file of the product (not its tests).
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("src"), &mut out);
    for krate in std::fs::read_dir(root.join("crates")).expect("crates/") {
        walk(&krate.expect("a crate").path().join("src"), &mut out);
    }
    out
}

/// The literal keys given to `text!(` and `Text::new(` in `source`.
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for opener in ["text!(", "Text::new("] {
        for (at, _) in source.match_indices(opener) {
            let rest = source[at + opener.len()..].trim_start();
            if let Some(quoted) = rest.strip_prefix('"')
                && let Some(end) = quoted.find('"')
                && !quoted[..end].contains('{')
            {
                keys.push(quoted[..end].to_string());
            }
        }
    }
    keys
}

/// The source without its inline test module (`#[cfg(test)] mod tests { … }`, last
/// in the file by convention).
fn product_code(source: &str) -> &str {
    let mut end = source.len();
    for (at, _) in source.match_indices("#[cfg(test)]\nmod ") {
        let line_end = source[at + 13..]
            .find('\n')
            .map_or(source.len(), |n| at + 13 + n);
        if source[at..line_end].trim_end().ends_with('{') {
            end = at;
            break;
        }
    }
    &source[..end]
}

#[test]
fn every_message_key_the_code_names_is_in_both_catalogs() {
    let en = Locale::new(Lang::En);
    let zh = Locale::new(Lang::ZhCn);
    let known: std::collections::HashSet<&String> = en.keys().collect();
    let mut seen = 0;
    let mut missing = Vec::new();
    for path in sources() {
        let source = std::fs::read_to_string(&path).expect("a source file");
        // A unit test's own keys (made up to test the fallback) are not messages.
        let code = product_code(&source);
        for key in keys_in(code) {
            seen += 1;
            // `text!("key")` inside this test's own doc comments is not a message.
            if key.is_empty() || key == "key" {
                continue;
            }
            if !known.contains(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
            // Rendered, the key never shows: a missing entry would show the key itself.
            let shown = zh.text(&Text::new(key.clone()));
            assert_ne!(shown, key, "{key} has no zh-CN text");
        }
    }
    assert!(seen > 150, "the scan found only {seen} messages");
    assert!(
        missing.is_empty(),
        "keys without a catalog entry: {missing:#?}"
    );
}

#[test]
fn every_service_message_in_the_catalogs_is_one_the_code_says() {
    let code: String = sources()
        .iter()
        .map(|path| {
            let source = std::fs::read_to_string(path).expect("a source file");
            product_code(&source).to_string()
        })
        .collect();
    let en = Locale::new(Lang::En);
    let mut unused: Vec<&String> = en
        .keys()
        .filter(|k| k.starts_with("msg.") && !code.contains(&format!("\"{k}\"")))
        .collect();
    unused.sort();
    assert!(unused.is_empty(), "messages nothing says: {unused:#?}");
}

/// What may stay in Latin letters inside Chinese text: codes, units, keys, commands,
/// file and setting names, and the values a user types (which the parser reads).
const ALLOWED: &[&str] = &[
    // Keys on the keyboard.
    "Esc",
    "Enter",
    "Tab",
    "Shift-Tab",
    "PgUp",
    "PgDn",
    "Ctrl-S",
    "Ctrl-U",
    // The product, files, settings and commands.
    "caredesk",
    "settings.toml",
    "followup.toml",
    "rules",
    "cards",
    "prefix",
    "followup",
    "player",
    "font",
    "font_bold",
    "report",
    "import",
    "patient_amend",
    "health_amend",
    "system",
    "admin",
    "settings_admin",
    "user_admin",
    "Debian",
    "apt-get",
    "install",
    "TrueType",
    "OpenType",
    "English",
    "li.na",
    "clinic",
    "area_code",
    "notice",
    // Standards, formats and codes.
    "Rh",
    "PDF",
    "CUPS",
    "LOINC",
    "ICD",
    "SNOMED",
    "CT",
    "snomed",
    "HL",
    "hl",
    "FHIR",
    "fhir",
    "JSON",
    "json",
    "CSV",
    "csv",
    "URI",
    "YYYY-MM-DD",
    "HH",
    "MM",
    "wav",
    "mp",
    "amr",
    "ASCVD",
    "PCE",
    "Framingham",
    "FINDRISC",
    "HDL",
    "BMI",
    "VIP",
    "GiB",
    // HL7 v2 segments and types, FHIR resources and elements, as a lab's message
    // names them (what the clinic reads back to the lab).
    "AllergyIntolerance",
    "Bundle",
    "Condition",
    "Medication",
    "Observation",
    "Patient",
    "MSH",
    "OBR",
    "OBX",
    "ORU",
    "PID",
    "NM",
    "SN",
    "UNICODE",
    "UTF",
    "GB",
    "YYYYMMDD",
    "HHMM",
    "SS",
    "ZZZZ",
    "authored",
    "bundle",
    "component",
    "effective",
    "issued",
    "linkId",
    "medicationCodeableConcept",
    "resourceType",
    "subject",
    "true",
    "false",
    "valueBoolean",
    "valueCodeableConcept",
    "valueInteger",
    "valueQuantity.value",
    "valueString",
    "numeric",
    // Units, and CUPS's own commands.
    "mmHg",
    "mmol",
    "lpadmin",
    "cups",
    "kg",
    "cm",
    "mm",
    "Hg",
    "mg",
    "dL",
    // Values typed into fields and read by the parser (card types, packages,
    // indicator keys, blood groups, OMB race categories).
    "basic",
    "silver",
    "gold",
    "cardio",
    "senior",
    "zw",
    "systolic_bp",
    "glucose_fasting",
    "hba1c",
    "m4a",
    "diet",
    "exercise",
    "hypertension",
    "by",
    "O-",
    "B-",
    "AB",
    "White",
    "Black",
    "African",
    "American",
    "Asian",
    "Indian",
    "Alaska",
    "Native",
    "Hawaiian",
    "Other",
    "Pacific",
    "Islander",
    "or",
];

#[test]
fn chinese_text_holds_no_english_words_but_codes_units_and_values_to_type() {
    let zh = Locale::new(Lang::ZhCn);
    let mut english = Vec::new();
    for key in zh.keys() {
        let text = zh.t(key);
        // Placeholders and `commands` are not words of the sentence.
        let mut plain = String::new();
        let mut skip = None;
        for c in text.chars() {
            match (skip, c) {
                (None, '{') => skip = Some('}'),
                (None, '`') => skip = Some('`'),
                (Some(end), c) if c == end => skip = None,
                (Some(_), _) => {}
                (None, c) => plain.push(c),
            }
        }
        let words = plain
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .map(|w| w.trim_matches(|c: char| c == '.' || c == '-' || c.is_ascii_digit()))
            .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2);
        for word in words {
            let allowed = ALLOWED
                .iter()
                .any(|a| *a == word || word.starts_with(a) && a.ends_with('-'));
            if !allowed {
                english.push(format!("{key}: {word:?} in {text:?}"));
            }
        }
    }
    assert!(english.is_empty(), "English in zh-CN: {english:#?}");
}

#[test]
fn a_service_error_reads_in_the_desk_s_language_and_in_english_for_commands() {
    use caredesk::clinic::ServiceError;
    let error = ServiceError::Conflict(caredesk::text!(
        "msg.booking.full",
        package = "basic",
        date = "2026-12-08",
        taken = 40,
        capacity = 40
    ));
    assert_eq!(
        error.to_string(),
        "basic is fully booked on 2026-12-08 (40 of 40 places taken): choose another day"
    );
    let zh = Locale::new(Lang::ZhCn);
    let shown = caredesk::tui::signin::error_text(&zh, &error);
    assert!(shown.contains("已约满") && shown.contains("40"), "{shown}");
    assert!(!shown.contains("fully"), "{shown}");
}
