//! The 健康档案编号 (WS 365 DE01.00.009.00, N17): 6 digits of the county (GB/T 2260),
//! 3 of the 乡镇 (street), 3 of the 村居 (village or neighbourhood committee) and a
//! 5-digit serial within that 村居. Given once when the record is filed and never
//! changed, unlike a member card, which is replaced when lost.

/// The OID of the national namespace of 城乡居民健康档案编号, as WS/T 500 documents
/// and regional platforms name the identifier.
pub const OID: &str = "2.16.156.10011.1.2";

/// Digits of the area part (county + 乡镇 + 村居).
pub const AREA_DIGITS: usize = 12;

/// The largest serial five digits hold.
pub const MAX_SERIAL: u64 = 99_999;

/// Whether `area` is a 12-digit area code whose county part is not all zeros.
pub fn area_valid(area: &str) -> bool {
    area.len() == AREA_DIGITS && area.bytes().all(|b| b.is_ascii_digit()) && &area[..6] != "000000"
}

/// The number for the `serial`-th record of `area`; `None` when the area is not a
/// valid code or the serial does not fit in five digits.
pub fn compose(area: &str, serial: u64) -> Option<String> {
    (area_valid(area) && (1..=MAX_SERIAL).contains(&serial)).then(|| format!("{area}{serial:05}"))
}

/// A number as typed or imported, spaces and dashes dropped, when it is 17 digits.
pub fn normalise(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == 17 && digits.bytes().all(|b| b.is_ascii_digit()) && area_valid(&digits[..12]))
        .then_some(digits)
}

/// "310104 001 001 00042": the parts apart, as the record and the card show it.
pub fn grouped(number: &str) -> String {
    if number.len() != 17 || !number.is_ascii() {
        return number.to_string();
    }
    format!(
        "{} {} {} {}",
        &number[..6],
        &number[6..9],
        &number[9..12],
        &number[12..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_area_and_a_five_digit_serial() {
        assert_eq!(
            compose("310104001002", 42).as_deref(),
            Some("31010400100200042")
        );
        assert_eq!(compose("310104001002", 0), None);
        assert_eq!(compose("310104001002", 100_000), None);
        assert_eq!(compose("3101040010", 1), None);
        assert_eq!(compose("000000001002", 1), None);
        assert_eq!(grouped("31010400100200042"), "310104 001 002 00042");
        assert_eq!(
            normalise("310104 001 002 00042").as_deref(),
            Some("31010400100200042")
        );
        assert_eq!(normalise("3101040010020004"), None);
        assert_eq!(normalise("3101040010020004X"), None);
    }
}
