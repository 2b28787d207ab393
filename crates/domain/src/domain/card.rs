//! Member cards. Numbers: a configurable prefix, a serial that is never reused, and a
//! Luhn check digit, so a mistyped digit is caught at the desk. A card's life: active,
//! lost (a new number replaces it), expired, cancelled.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Active,
    Lost,
    Expired,
    Cancelled,
}

impl CardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Active => "active",
            CardStatus::Lost => "lost",
            CardStatus::Expired => "expired",
            CardStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub number: String,
    /// A type name from the clinic's settings (`basic`, `silver`, `gold` …).
    pub card_type: String,
    pub status: CardStatus,
    pub issued: NaiveDate,
    pub valid_until: NaiveDate,
    /// The lost card this one replaces.
    pub replaces: Option<String>,
    /// The card that replaced this one after it was reported lost.
    pub replaced_by: Option<String>,
}

impl Versioned for Card {
    const VERSION: u16 = 1;
}

impl Card {
    pub fn new(number: String, card_type: &str, validity_months: u32, issued: NaiveDate) -> Card {
        let valid_until = issued
            .checked_add_months(Months::new(validity_months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(issued);
        Card {
            number,
            card_type: card_type.to_string(),
            status: CardStatus::Active,
            issued,
            valid_until,
            replaces: None,
            replaced_by: None,
        }
    }

    /// The status on `today`: an active card past its validity is expired.
    pub fn status_on(&self, today: NaiveDate) -> CardStatus {
        match self.status {
            CardStatus::Active if today > self.valid_until => CardStatus::Expired,
            other => other,
        }
    }
}

/// The Luhn check digit for `digits` (the number without its check digit).
pub fn luhn_check_digit(digits: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let mut d = c.to_digit(10)?;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// True when the last digit of `number` is its Luhn check digit.
pub fn luhn_valid(number: &str) -> bool {
    let Some((body, last)) = number.len().checked_sub(1).map(|i| number.split_at(i)) else {
        return false;
    };
    !body.is_empty() && last.parse::<u8>().ok() == luhn_check_digit(body)
}

/// `prefix` + the serial zero-padded to `width` digits + the check digit.
pub fn card_number(prefix: &str, serial: u64, width: usize) -> Option<String> {
    if !prefix.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let body = format!("{prefix}{serial:0width$}");
    let check = luhn_check_digit(&body)?;
    Some(format!("{body}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_and_expiry() {
        let issued = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let card = Card::new("88600000000011".into(), "basic", 12, issued);
        assert_eq!(
            card.valid_until,
            NaiveDate::from_ymd_opt(2027, 1, 30).unwrap()
        );
        assert_eq!(card.status_on(card.valid_until), CardStatus::Active);
        assert_eq!(
            card.status_on(card.valid_until.succ_opt().unwrap()),
            CardStatus::Expired
        );
    }

    #[test]
    fn known_luhn_numbers() {
        // Published examples: 79927398713 is valid; a payment test number too.
        assert!(luhn_valid("79927398713"));
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("79927398710"));
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7"));
    }

    #[test]
    fn card_numbers_carry_prefix_serial_and_check() {
        let n = card_number("8860", 42, 8).unwrap();
        assert_eq!(&n[..12], "886000000042");
        assert!(luhn_valid(&n));
        assert_eq!(card_number("88A", 1, 8), None);
    }

    #[test]
    fn every_single_digit_typo_and_adjacent_swap_is_caught() {
        let n = card_number("8860", 123_456, 8).unwrap();
        let bytes = n.as_bytes();
        for i in 0..bytes.len() {
            for d in b'0'..=b'9' {
                if bytes[i] != d {
                    let mut typo = bytes.to_vec();
                    typo[i] = d;
                    assert!(!luhn_valid(std::str::from_utf8(&typo).unwrap()));
                }
            }
        }
        for i in 0..bytes.len() - 1 {
            // Luhn misses only the 09 <-> 90 swap.
            if bytes[i] != bytes[i + 1]
                && !matches!((bytes[i], bytes[i + 1]), (b'0', b'9') | (b'9', b'0'))
            {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                assert!(
                    !luhn_valid(std::str::from_utf8(&swapped).unwrap()),
                    "{n} swap at {i}"
                );
            }
        }
    }
}
