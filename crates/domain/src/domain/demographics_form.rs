//! One check of a patient's personal details, shared by the registration form, the
//! record editor (the terminal, which reads typed text) and the service (which
//! receives values and checks them again, as a script's or an old terminal's may be
//! wrong). Each problem names its field and a catalog key under `register.`, so both
//! say the same thing in the reader's language.

use chrono::NaiveDate;

use super::amendment::Demographics;
use super::identity::{
    IdNumberError, MobileError, check_id_number, check_mobile, normalise_id_number, read_date,
};
use super::patient::{IdType, Sex};
use crate::i18n::Locale;

/// The fields, in the form's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Sex,
    BirthDate,
    Phone,
    IdType,
    IdNumber,
    Address,
    EmergencyContact,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Name,
        Field::Sex,
        Field::BirthDate,
        Field::Phone,
        Field::IdType,
        Field::IdNumber,
        Field::Address,
        Field::EmergencyContact,
    ];

    /// The field's name on the wire (`ServiceError::Field`) and in scripts.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::Phone => "phone",
            Field::IdType => "id_type",
            Field::IdNumber => "id_number",
            Field::Address => "address",
            Field::EmergencyContact => "emergency_contact",
        }
    }

    /// Its place in the form.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What is wrong with one field: a catalog key under `register.` and the values its
/// message names (the offending number, the dates that disagree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Field,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    fn new(field: Field, key: &'static str) -> Self {
        Self {
            field,
            key,
            args: Vec::new(),
        }
    }

    fn with(field: Field, key: &'static str, args: Vec<(&'static str, String)>) -> Self {
        Self { field, key, args }
    }

    fn mobile(error: MobileError) -> Self {
        match error {
            MobileError::Length(n) => Self::with(
                Field::Phone,
                "mobile_length",
                vec![("count", n.to_string())],
            ),
            MobileError::Prefix => Self::new(Field::Phone, "mobile_prefix"),
            MobileError::Characters => Self::new(Field::Phone, "mobile_characters"),
        }
    }

    pub fn id_number(error: IdNumberError) -> Self {
        let field = Field::IdNumber;
        match error {
            IdNumberError::Length(n) => {
                Self::with(field, "id_length", vec![("count", n.to_string())])
            }
            IdNumberError::Characters => Self::new(field, "id_characters"),
            IdNumberError::BirthDate(date) => {
                Self::with(field, "id_birth_date", vec![("date", date)])
            }
            IdNumberError::BirthMismatch { found, form } => Self::with(
                field,
                "id_birth_mismatch",
                vec![("found", found.to_string()), ("form", form.to_string())],
            ),
            IdNumberError::Check { expected, found } => Self::with(
                field,
                "id_check",
                vec![
                    ("expected", expected.to_string()),
                    ("found", found.to_string()),
                ],
            ),
        }
    }

    /// The message in the locale's language.
    /// The problem as a message, rendered in the reader's language.
    pub fn message(&self) -> crate::i18n::Text {
        self.args.iter().fold(
            crate::i18n::Text::new(format!("register.{}", self.key)),
            |text, (name, value)| text.arg(name, value),
        )
    }

    pub fn text(&self, locale: &Locale) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        locale.tf(&format!("register.{}", self.key), &args)
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The longest name the desk keeps (names on cards and reports stay readable).
pub const MAX_NAME_CHARS: usize = 60;

/// The oldest age a birth date may give.
const MAX_AGE: u32 = 130;

/// A character a name may hold: letters of any script with their marks, spaces, the
/// separators names use (Chinese ·, Western . - '), and digits (an imported record's
/// generated names carry them); never a symbol, an emoji or a control character.
fn name_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == ' '
        || matches!(c, '·' | '•' | '.' | '-' | '\'' | '’')
        || unicode_mark(c)
}

/// A combining mark (accents written as separate characters).
fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF)
}

/// A passport or other identity number: up to 20 letters, digits or '-'.
fn other_id_number(number: &str) -> bool {
    (1..=20).contains(&number.chars().count())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Checks details every registration and amendment must pass, and returns them in
/// canonical form (name trimmed, mobile as 11 digits, resident ID upper-cased).
pub fn check(details: &Demographics, today: NaiveDate) -> Result<Demographics, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut clean = details.clone();
    clean.name = details.name.trim().to_string();
    if clean.name.is_empty() {
        problems.push(Problem::new(Field::Name, "need_name"));
    } else if clean.name.chars().count() > MAX_NAME_CHARS {
        problems.push(Problem::with(
            Field::Name,
            "name_long",
            vec![("max", MAX_NAME_CHARS.to_string())],
        ));
    } else if !clean.name.chars().all(name_char) {
        problems.push(Problem::new(Field::Name, "name_chars"));
    }
    match details.birth_date {
        None => problems.push(Problem::new(Field::BirthDate, "need_birth_date")),
        Some(birth) if birth > today => problems.push(Problem::with(
            Field::BirthDate,
            "birth_future",
            vec![("date", birth.to_string())],
        )),
        // Nobody registered is older than anyone has lived: a slip of the year.
        Some(birth) if today.years_since(birth).is_some_and(|age| age > MAX_AGE) => {
            problems.push(Problem::with(
                Field::BirthDate,
                "birth_old",
                vec![("date", birth.to_string()), ("years", MAX_AGE.to_string())],
            ))
        }
        Some(_) => {}
    }
    clean.phone = None;
    if let Some(phone) = details.phone.as_deref().and_then(non_empty) {
        match check_mobile(&phone) {
            Ok(mobile) => clean.phone = Some(mobile),
            Err(e) => problems.push(Problem::mobile(e)),
        }
    }
    clean.id_number = None;
    if let Some(number) = details.id_number.as_deref().and_then(non_empty) {
        if details.id_type == IdType::ResidentId {
            match check_id_number(&number, details.birth_date) {
                Ok(_) => {
                    clean.id_number = Some(normalise_id_number(&number));
                    // The number records the sex too: F for a man's number is a slip.
                    let recorded = crate::domain::identity::sex_of_id_number(&number);
                    if let Some(recorded) = recorded
                        && matches!(details.sex, Sex::Male | Sex::Female)
                        && details.sex != recorded
                    {
                        let key = if recorded == Sex::Male {
                            "sex_id_male"
                        } else {
                            "sex_id_female"
                        };
                        problems.push(Problem::new(Field::Sex, key));
                    }
                }
                Err(e) => problems.push(Problem::id_number(e)),
            }
        } else if other_id_number(&number) {
            clean.id_number = Some(number);
        } else {
            problems.push(Problem::new(Field::IdNumber, "id_other"));
        }
    }
    clean.address = details.address.as_deref().and_then(non_empty);
    clean.emergency_contact = details.emergency_contact.as_deref().and_then(non_empty);
    if problems.is_empty() {
        Ok(clean)
    } else {
        Err(problems)
    }
}

/// The form's eight typed fields (in `Field::ALL` order) read and checked: the details,
/// or every problem found.
pub fn read(values: &[&str], today: NaiveDate) -> Result<Demographics, Vec<Problem>> {
    let value = |field: Field| values.get(field.index()).copied().unwrap_or("");
    let mut problems = Vec::new();
    let sex = Sex::parse(value(Field::Sex));
    if sex.is_none() {
        problems.push(Problem::new(Field::Sex, "bad_sex"));
    }
    let birth_text = value(Field::BirthDate);
    // An empty date is "missing" (said by `check`); a wrong one names what was typed.
    let birth_date = match non_empty(birth_text) {
        None => None,
        // A date in the future is said by `check`, with the other checks of values.
        Some(text) => match read_date(&text) {
            Some(date) => Some(date),
            None => {
                problems.push(Problem::with(
                    Field::BirthDate,
                    "bad_date",
                    vec![("text", text)],
                ));
                None
            }
        },
    };
    let id_type = IdType::parse(value(Field::IdType));
    if id_type.is_none() {
        problems.push(Problem::new(Field::IdType, "bad_id_type"));
    }
    let details = Demographics {
        name: value(Field::Name).to_string(),
        sex: sex.unwrap_or_default(),
        birth_date,
        phone: non_empty(value(Field::Phone)),
        // An unreadable type is the problem said: the number is not judged by a guess.
        id_type: id_type.unwrap_or(IdType::Other),
        id_number: non_empty(value(Field::IdNumber)),
        address: non_empty(value(Field::Address)),
        emergency_contact: non_empty(value(Field::EmergencyContact)),
    };
    let checked = check(&details, today);
    // One message per field: what could not be read comes first.
    for problem in checked.as_ref().err().into_iter().flatten() {
        if !problems.iter().any(|p| p.field == problem.field) {
            problems.push(problem.clone());
        }
    }
    match checked {
        Ok(clean) if problems.is_empty() => Ok(clean),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn hostile_names_ages_and_passport_numbers_are_refused_by_name() {
        let keys = |values: [&str; 8]| -> Vec<&'static str> {
            match read(&values, today()) {
                Ok(_) => Vec::new(),
                Err(problems) => problems.iter().map(|p| p.key).collect(),
            }
        };
        let long = "王".repeat(61);
        assert_eq!(
            keys([&long, "F", "1970-01-01", "", "R", "", "", ""]),
            ["name_long"]
        );
        assert_eq!(
            keys(["王芳😀", "F", "1970-01-01", "", "R", "", "", ""]),
            ["name_chars"]
        );
        assert_eq!(
            keys(["王芳\u{7}", "F", "1970-01-01", "", "R", "", "", ""]),
            ["name_chars"]
        );
        assert_eq!(
            keys(["王芳", "F", "1850-01-01", "", "R", "", "", ""]),
            ["birth_old"]
        );
        assert_eq!(
            keys(["王芳", "F", "1970-01-01", "", "P", "E1234😀", "", ""]),
            ["id_other"]
        );
        // Names as people and imports write them pass.
        for name in [
            "欧阳·娜娜",
            "Mary-Jane O'Neil",
            "Zoë Ångström",
            "Abe604 Kuhic920",
        ] {
            assert_eq!(
                keys([name, "F", "1970-01-01", "", "P", "E12345678", "", ""]),
                Vec::<&str>::new(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_good_form_reads_in_canonical_form() {
        let values = [
            " 王芳 ",
            "F",
            "1949-12-31",
            "139 1234 5678",
            "R",
            "11010519491231002x",
            "",
            "",
        ];
        let d = read(&values, today()).unwrap();
        assert_eq!(d.name, "王芳");
        assert_eq!(d.phone.as_deref(), Some("13912345678"));
        assert_eq!(d.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(d.address, None);
    }

    #[test]
    fn every_wrong_field_is_named_once_with_a_message_in_each_language() {
        let values = ["", "X", "", "12345", "Q", "123", "", ""];
        let problems = read(&values, today()).unwrap_err();
        let fields: Vec<Field> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                Field::Sex,
                Field::IdType,
                Field::Name,
                Field::BirthDate,
                Field::Phone
            ]
        );
        let en = Locale::new(Lang::En);
        let zh = Locale::new(Lang::ZhCn);
        for p in &problems {
            assert!(!p.text(&en).starts_with("register."), "{p:?}");
            assert!(!p.text(&zh).starts_with("register."), "{p:?}");
        }
        let birth = problems
            .iter()
            .find(|p| p.field == Field::BirthDate)
            .unwrap();
        assert_eq!(birth.text(&en), en.t("register.need_birth_date"));
    }

    #[test]
    fn the_service_and_the_form_refuse_the_same_id_number_for_the_same_reason() {
        let typed = [
            "李四",
            "M",
            "1980-01-01",
            "",
            "R",
            "110105194912310021",
            "",
            "",
        ];
        let from_form = read(&typed, today()).unwrap_err();
        let details = Demographics {
            name: "李四".into(),
            sex: Sex::Male,
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1),
            id_number: Some("110105194912310021".into()),
            ..Default::default()
        };
        let from_service = check(&details, today()).unwrap_err();
        assert_eq!(from_form, from_service);
        assert_eq!(from_form[0].field, Field::IdNumber);
        // Said in the reader's language, with the characters that disagree.
        let zh = from_form[0].text(&Locale::new(Lang::ZhCn));
        assert!(zh.contains("校验位") && zh.contains('1'), "{zh}");
        let en = from_form[0].text(&Locale::new(Lang::En));
        assert!(en.contains("check character"), "{en}");
    }
}
