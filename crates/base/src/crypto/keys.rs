//! Sub-keys derived from the data key (DEK) by HKDF with distinct labels, so a key used
//! for one purpose never serves another. The hash is the store suite's (SHA-256, or SM3).

use super::blind::BlindIndexKey;
use super::secret::SecretKey;
use super::suite;

/// Derives a 256-bit key from high-entropy input keying material.
pub fn hkdf_key(ikm: &[u8], salt: &[u8], label: &str) -> SecretKey {
    SecretKey::from_bytes(suite::hkdf(suite::current(), ikm, salt, label))
}

/// The working keys of an unlocked store. Dropping it zeroises every key.
#[derive(Debug)]
pub struct DataKeys {
    /// Generation of the DEK these keys come from; recorded in every envelope header.
    pub generation: u32,
    dek: SecretKey,
    /// Seals records that belong to no single patient (users, settings).
    pub data: SecretKey,
    /// Keys the blind indexes (card number, phone, ID number).
    pub blind: BlindIndexKey,
    /// Wraps each patient's own key.
    pub patient_wrap: SecretKey,
    /// While a rotation is under way: the keys of the generation being replaced, for
    /// the values not re-sealed yet (each envelope names its generation).
    pub previous: Option<Box<DataKeys>>,
}

impl DataKeys {
    pub fn from_dek(dek: SecretKey, generation: u32) -> Self {
        let salt = b"caredesk data key hierarchy";
        Self {
            generation,
            data: hkdf_key(dek.expose(), salt, "caredesk/v1/data"),
            blind: BlindIndexKey::new(hkdf_key(dek.expose(), salt, "caredesk/v1/blind-index")),
            patient_wrap: hkdf_key(dek.expose(), salt, "caredesk/v1/patient-wrap"),
            dek,
            previous: None,
        }
    }

    /// The blind-index key outlives rotations (the store's keys embed its tokens), so
    /// after the first one it is kept sealed in the keyring instead of derived.
    pub fn with_blind(mut self, blind: BlindIndexKey) -> Self {
        self.blind = blind;
        self
    }

    /// These keys, or the previous generation's while a rotation is under way.
    pub fn for_generation(&self, generation: u32) -> Option<&DataKeys> {
        if generation == self.generation {
            Some(self)
        } else {
            self.previous
                .as_deref()
                .filter(|p| p.generation == generation)
        }
    }

    /// The DEK itself, needed only to wrap it into a new key slot.
    pub fn dek(&self) -> &SecretKey {
        &self.dek
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_give_distinct_keys() {
        let keys = DataKeys::from_dek(SecretKey::from_bytes([1; 32]), 1);
        assert_ne!(keys.data, keys.patient_wrap);
        assert_ne!(&keys.data, keys.dek());
    }

    #[test]
    fn derivation_is_deterministic() {
        let a = DataKeys::from_dek(SecretKey::from_bytes([1; 32]), 1);
        let b = DataKeys::from_dek(SecretKey::from_bytes([1; 32]), 1);
        assert_eq!(a.data, b.data);
    }
}
