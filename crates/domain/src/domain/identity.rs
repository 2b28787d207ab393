//! Checks of the identifiers staff type at the desk: mainland resident ID numbers
//! (GB 11643-1999), mainland mobile numbers, dates. Each failure says what is wrong and
//! how to fix it, so a form can show it next to the field.

use chrono::NaiveDate;

/// GB 11643-1999 weights of the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters; this one has {0}")]
    Length(usize),
    #[error("the first 17 characters of an ID number are digits; the last is a digit or X")]
    Characters,
    #[error("the ID number's birth date {0} is not a real date: check the digits 7 to 14")]
    BirthDate(String),
    #[error(
        "the ID number's birth date {found} does not match the date of birth {form}: correct one of them"
    )]
    BirthMismatch { found: NaiveDate, form: NaiveDate },
    #[error(
        "the ID number's check character should be {expected}, not {found}: a digit was mistyped"
    )]
    Check { expected: char, found: char },
}

/// The check character of the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK[(sum % 11) as usize] as char)
}

/// Upper-cases and drops spaces, so `11010519491231002x ` is read as typed.
pub fn normalise_id_number(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks a mainland resident ID number, and that its birth date is `birth` if given.
/// Returns the birth date it holds.
pub fn check_id_number(text: &str, birth: Option<NaiveDate>) -> Result<NaiveDate, IdNumberError> {
    let id = normalise_id_number(text);
    let count = id.chars().count();
    if count != 18 {
        return Err(IdNumberError::Length(count));
    }
    let (first17, last) = id.split_at(17);
    if !first17.chars().all(|c| c.is_ascii_digit())
        || !last.chars().all(|c| c.is_ascii_digit() || c == 'X')
    {
        return Err(IdNumberError::Characters);
    }
    let date_text = &first17[6..14];
    let found = NaiveDate::parse_from_str(date_text, "%Y%m%d")
        .ok()
        .filter(|d| *d >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default())
        .ok_or_else(|| IdNumberError::BirthDate(date_text.to_string()))?;
    let expected = id_check_char(first17).unwrap_or('?');
    let found_check = last.chars().next().unwrap_or('?');
    if expected != found_check {
        return Err(IdNumberError::Check {
            expected,
            found: found_check,
        });
    }
    if let Some(form) = birth
        && form != found
    {
        return Err(IdNumberError::BirthMismatch { found, form });
    }
    Ok(found)
}

/// The sex a valid resident ID number records: its 17th digit, odd for a man and even
/// for a woman (GB 11643-1999). `None` when the number is not a checked 18-digit one.
pub fn sex_of_id_number(text: &str) -> Option<crate::domain::patient::Sex> {
    check_id_number(text, None).ok()?;
    let digit = normalise_id_number(text).chars().nth(16)?.to_digit(10)?;
    Some(if digit % 2 == 1 {
        crate::domain::patient::Sex::Male
    } else {
        crate::domain::patient::Sex::Female
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error(
        "a phone is a mobile of 11 digits or a landline with its area code (0…, 10 to 12 digits); this one has {0} (write +86 or 0086 in front of a mobile, or nothing)"
    )]
    Length(usize),
    #[error("a mainland mobile number starts with 13 to 19")]
    Prefix,
    #[error("a mobile number holds digits only (spaces and dashes are fine)")]
    Characters,
}

/// The digits of a mainland phone, from how people write it: a mobile's 11
/// (`139 1234 5678`, `+86-139-1234-5678`, `008613912345678`), or a landline with its
/// area code, 10 to 12 digits starting with 0 (`010-6500 0000`, `0755 8888 8888`), as
/// many elderly residents give.
pub fn check_mobile(text: &str) -> Result<String, MobileError> {
    let trimmed = text.trim();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-' || c == '+'))
    {
        return Err(MobileError::Characters);
    }
    let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with("+86") {
        digits.drain(..2);
    } else if trimmed.starts_with("0086") {
        digits.drain(..4);
    }
    // A landline: 0, the area code, the number (never after a country code).
    let international = trimmed.starts_with('+') || trimmed.starts_with("0086");
    if !international && digits.starts_with('0') && (10..=12).contains(&digits.len()) {
        return Ok(digits);
    }
    if digits.len() != 11 {
        return Err(MobileError::Length(digits.len()));
    }
    let second = digits.as_bytes()[1];
    if !digits.starts_with('1') || !(b'3'..=b'9').contains(&second) {
        return Err(MobileError::Prefix);
    }
    Ok(digits)
}

/// A date as people type it: 1968-04-12, 1968/04/12, 19680412 or 1968.04.12.
pub fn read_date(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text.trim(), f).ok())
}

/// A date as staff type it: `1968-04-12`, `1968/4/12` or `19680412`; not in the future.
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = text.trim();
    let date = read_date(text).ok_or_else(|| {
        format!("{text:?} is not a date: write it as YYYY-MM-DD, e.g. 1968-04-12")
    })?;
    if date > today {
        return Err(format!("{date} is in the future: check the year"));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn id_numbers() {
        let valid = [
            ("11010519491231002X", date(1949, 12, 31)),
            ("11010519491231002x", date(1949, 12, 31)),
            ("440524188001010014", date(1880, 1, 1)),
            ("110105196804120017", date(1968, 4, 12)),
        ];
        for (id, birth) in valid {
            if birth.year() < 1900 {
                assert!(
                    matches!(check_id_number(id, None), Err(IdNumberError::BirthDate(_))),
                    "{id}"
                );
                continue;
            }
            assert_eq!(check_id_number(id, Some(birth)), Ok(birth), "{id}");
        }
        type Expect = fn(&IdNumberError) -> bool;
        let cases: [(&str, Expect); 6] = [
            ("1101051949123100", |e| {
                matches!(e, IdNumberError::Length(16))
            }),
            ("11010519491231002Y", |e| {
                matches!(e, IdNumberError::Characters)
            }),
            ("1101051949123A002X", |e| {
                matches!(e, IdNumberError::Characters)
            }),
            ("110105194913310025", |e| {
                matches!(e, IdNumberError::BirthDate(_))
            }),
            ("110105194902300025", |e| {
                matches!(e, IdNumberError::BirthDate(_))
            }),
            ("110105194912310021", |e| {
                matches!(
                    e,
                    IdNumberError::Check {
                        expected: 'X',
                        found: '1'
                    }
                )
            }),
        ];
        for (id, expected) in cases {
            let err = check_id_number(id, None).unwrap_err();
            assert!(expected(&err), "{id}: {err}");
        }
        let mismatch = check_id_number("11010519491231002X", Some(date(1950, 1, 1))).unwrap_err();
        assert!(mismatch.to_string().contains("does not match"));
    }

    #[test]
    fn every_single_digit_typo_is_caught() {
        let id = "110105196804120017";
        for i in 0..17 {
            for d in b'0'..=b'9' {
                let mut typo = id.as_bytes().to_vec();
                if typo[i] == d {
                    continue;
                }
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap();
                assert!(check_id_number(&typo, None).is_err(), "{typo} passed");
            }
        }
    }

    #[test]
    fn mobiles() {
        for ok in [
            "13912345678",
            "139 1234 5678",
            "+86 139-1234-5678",
            "008613912345678",
            "19912345678",
        ] {
            let expected = if ok.starts_with("199") {
                "19912345678"
            } else {
                "13912345678"
            };
            assert_eq!(check_mobile(ok).as_deref(), Ok(expected), "{ok}");
        }
        assert_eq!(check_mobile("1391234567"), Err(MobileError::Length(10)));
        assert_eq!(check_mobile("12912345678"), Err(MobileError::Prefix));
        assert_eq!(check_mobile("23912345678"), Err(MobileError::Prefix));
        assert_eq!(check_mobile("139l2345678"), Err(MobileError::Characters));
        // A landline with its area code, as elderly residents give it.
        for (landline, expected) in [
            ("010-6500 0000", "01065000000"),
            ("0755 8888 8888", "075588888888"),
            ("0871-6512345", "08716512345"),
        ] {
            assert_eq!(
                check_mobile(landline).as_deref(),
                Ok(expected),
                "{landline}"
            );
        }
        assert_eq!(check_mobile("0123"), Err(MobileError::Length(4)));
        assert!(check_mobile("0086 010 6500 0000").is_err());
    }

    #[test]
    fn dates() {
        let today = date(2026, 11, 23);
        for text in ["1968-04-12", "1968/4/12", "19680412", "1968.04.12"] {
            assert_eq!(parse_date(text, today), Ok(date(1968, 4, 12)), "{text}");
        }
        assert!(
            parse_date("12/04/1968", today)
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert!(
            parse_date("2027-01-01", today)
                .unwrap_err()
                .contains("future")
        );
        assert!(parse_date("1968-02-30", today).is_err());
    }

    use chrono::Datelike;
}
