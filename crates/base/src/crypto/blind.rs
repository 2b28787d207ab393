//! Blind indexes: exact lookups by card number, phone or ID number without storing the
//! value. The index key is `HMAC(blind key, kind || normalised value)` with the store
//! suite's hash (SHA-256, or SM3 under 国密), so the
//! sled key reveals nothing without the store's keys, and equal values still meet.

use super::secret::SecretKey;

/// What an index entry looks up. The label is part of the MAC input, so a phone number
/// and an ID number with the same digits never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    CardNumber,
    Phone,
    /// The last four digits of a phone: a caller who gives only those is still found.
    PhoneTail,
    /// The last four digits of a card number, as the desk's lists show them
    /// (8860****1585): a patient who reads out only those is still found.
    CardTail,
    IdNumber,
    /// A medical record number another system (a lab, a hospital) uses for the patient.
    ExternalId,
    /// A result's identity (code, time, value, unit), so a re-import finds its twin.
    Result,
    /// The 17-digit 健康档案编号.
    RecordNumber,
}

impl IndexKind {
    fn label(self) -> &'static [u8] {
        match self {
            IndexKind::CardNumber => b"card",
            IndexKind::Phone => b"phone",
            IndexKind::PhoneTail => b"phone-tail",
            IndexKind::CardTail => b"card-tail",
            IndexKind::IdNumber => b"id-number",
            IndexKind::ExternalId => b"external-id",
            IndexKind::Result => b"result",
            IndexKind::RecordNumber => b"record-number",
        }
    }

    /// One byte that starts the sled key, so a prefix scan stays within one kind.
    pub fn tag(self) -> u8 {
        match self {
            IndexKind::CardNumber => b'c',
            IndexKind::Phone => b'p',
            IndexKind::PhoneTail => b't',
            IndexKind::CardTail => b'k',
            IndexKind::IdNumber => b'i',
            IndexKind::ExternalId => b'm',
            IndexKind::Result => b'r',
            IndexKind::RecordNumber => b'n',
        }
    }

    /// The canonical form two spellings of the same value share.
    ///
    /// - card and ID numbers: letters upper-cased, spaces and dashes dropped;
    /// - phones: digits only, a leading `+86`/`0086` country code dropped;
    /// - phone tails: the last four of those digits.
    pub fn normalise(self, value: &str) -> String {
        match self {
            IndexKind::Result => value.to_string(),
            IndexKind::CardNumber
            | IndexKind::IdNumber
            | IndexKind::ExternalId
            | IndexKind::RecordNumber => value
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .flat_map(char::to_uppercase)
                .collect(),
            IndexKind::PhoneTail => {
                let digits = IndexKind::Phone.normalise(value);
                let skip = digits.len().saturating_sub(4);
                digits[skip..].to_string()
            }
            IndexKind::CardTail => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                let skip = digits.len().saturating_sub(4);
                digits[skip..].to_string()
            }
            IndexKind::Phone => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                let trimmed = value.trim_start();
                if trimmed.starts_with("+86") || trimmed.starts_with("0086") {
                    let skip = if trimmed.starts_with('+') { 2 } else { 4 };
                    digits[skip..].to_string()
                } else {
                    digits
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct BlindIndexKey(SecretKey);

impl BlindIndexKey {
    pub fn new(key: SecretKey) -> Self {
        Self(key)
    }

    /// The key itself, to be kept sealed across data-key rotations.
    pub fn key(&self) -> &SecretKey {
        &self.0
    }

    /// The 32-byte token for a value (normalised here, so callers cannot forget).
    pub fn token(&self, kind: IndexKind, value: &str) -> [u8; 32] {
        let normalised = zeroize::Zeroizing::new(kind.normalise(value));
        let mut mac = super::suite::Mac::new(super::suite::current(), self.0.expose());
        mac.update(kind.label());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        mac.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_phone_meet() {
        let key = BlindIndexKey::new(SecretKey::from_bytes([3; 32]));
        let a = key.token(IndexKind::Phone, "139 1234 5678");
        let b = key.token(IndexKind::Phone, "+86 139-1234-5678");
        let c = key.token(IndexKind::Phone, "008613912345678");
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn kinds_do_not_collide() {
        let key = BlindIndexKey::new(SecretKey::from_bytes([3; 32]));
        assert_ne!(
            key.token(IndexKind::Phone, "12345"),
            key.token(IndexKind::CardNumber, "12345")
        );
    }

    #[test]
    fn a_phone_tail_is_its_last_four_digits_and_its_own_kind() {
        assert_eq!(IndexKind::PhoneTail.normalise("+86 139-1234-5678"), "5678");
        assert_eq!(IndexKind::PhoneTail.normalise("5678"), "5678");
        let key = BlindIndexKey::new(SecretKey::from_bytes([3; 32]));
        assert_eq!(
            key.token(IndexKind::PhoneTail, "13912345678"),
            key.token(IndexKind::PhoneTail, "5678")
        );
        assert_ne!(
            key.token(IndexKind::PhoneTail, "5678"),
            key.token(IndexKind::Phone, "5678")
        );
    }

    #[test]
    fn id_numbers_ignore_case_and_spacing() {
        assert_eq!(
            IndexKind::IdNumber.normalise("11010519491231002x "),
            "11010519491231002X"
        );
    }
}
