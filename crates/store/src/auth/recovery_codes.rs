//! One-time recovery codes for a lost phone: shown once, stored only as salted hashes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypto::random_array;
use crate::crypto::secret::grouped_base32;

pub const COUNT: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCode {
    pub salt: [u8; 16],
    pub hash: [u8; 32],
}

fn normalise(code: &str) -> Zeroizing<String> {
    Zeroizing::new(
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

fn hash(salt: &[u8; 16], code: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"caredesk-recovery-code");
    hasher.update(salt);
    hasher.update(normalise(code).as_bytes());
    hasher.finalize().into()
}

/// Ten codes of 80 random bits each, as `XXXX-XXXX-XXXX-XXXX`, and their stored form.
pub fn generate() -> (Vec<Zeroizing<String>>, Vec<StoredCode>) {
    (0..COUNT)
        .map(|_| {
            let shown = grouped_base32(&random_array::<10>());
            let salt = random_array();
            let stored = StoredCode {
                salt,
                hash: hash(&salt, &shown),
            };
            (shown, stored)
        })
        .unzip()
}

/// Finds which stored code `code` is, if any (the caller then removes it: one use).
pub fn position(stored: &[StoredCode], code: &str) -> Option<usize> {
    use subtle::ConstantTimeEq;
    stored
        .iter()
        .position(|s| bool::from(hash(&s.salt, code).ct_eq(&s.hash)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_once_stored() {
        let (shown, stored) = generate();
        assert_eq!(shown.len(), COUNT);
        assert_eq!(position(&stored, &shown[3]), Some(3));
        assert_eq!(position(&stored, &shown[3].to_lowercase()), Some(3));
        assert_eq!(position(&stored, "AAAA-BBBB-CCCC-DDDD"), None);
    }
}
