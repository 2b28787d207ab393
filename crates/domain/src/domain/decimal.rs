//! Exact decimal numbers as results arrive ("0.53", "182", "-3.2"): stored as digits
//! and a scale so that a value reads back exactly as it was sent and compares exactly.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decimal {
    /// The value times 10^scale.
    pub digits: i64,
    pub scale: u8,
}

impl Decimal {
    /// Plain decimal notation, optional sign, at most 12 decimals and 18 digits.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
            || fraction.len() > 12
            || whole.len() + fraction.len() > 18
        {
            return None;
        }
        let digits: i64 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal {
            digits: if negative { -digits } else { digits },
            scale: fraction.len() as u8,
        })
    }

    pub fn from_f64(value: f64, scale: u8) -> Option<Decimal> {
        let scaled = (value * 10f64.powi(i32::from(scale))).round();
        (scaled.is_finite() && scaled.abs() < 9e17).then_some(Decimal {
            digits: scaled as i64,
            scale,
        })
    }

    pub fn to_f64(self) -> f64 {
        self.digits as f64 / 10f64.powi(i32::from(self.scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.digits < 0 { "-" } else { "" };
        let digits = self.digits.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_back_exactly() {
        for text in ["182", "0.53", "-3.2", "4.30", "0.005", "1000"] {
            assert_eq!(
                Decimal::parse(text).map(|d| d.to_string()).as_deref(),
                Some(text)
            );
        }
        assert_eq!(
            Decimal::parse("+7").map(|d| d.to_string()).as_deref(),
            Some("7")
        );
        assert_eq!(
            Decimal::parse(".5").map(|d| d.to_string()).as_deref(),
            Some("0.5")
        );
        for bad in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e5",
            "abc",
            "12 3",
            "1234567890123456789",
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
        assert!((Decimal::parse("6.1").unwrap().to_f64() - 6.1).abs() < 1e-12);
        assert_eq!(Decimal::from_f64(109.89, 0).unwrap().to_string(), "110");
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in ".{0,24}") {
            let _ = Decimal::parse(&text);
        }

        #[test]
        fn numbers_round_trip(digits in -999_999_999_999i64..999_999_999_999, scale in 0u8..6) {
            let d = Decimal { digits, scale };
            prop_assert_eq!(Decimal::parse(&d.to_string()), Some(d));
        }
    }
}
