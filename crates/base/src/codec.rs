//! Versioned encoding of stored values: `[format version: u16 BE][bincode 2 (serde)]`.
//!
//! Every record type states its current version; an older value is handed to the
//! type's `migrate` hook, a newer one is refused (it was written by a newer caredesk).

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// The largest message either side of the clinic server's socket accepts: a recording
/// chunk (1 MiB) with room to spare. Importers cut large files into pieces under it.
pub const MAX_FRAME: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    #[error("stored value is too short to hold a format version")]
    Truncated,
    #[error("stored value cannot be decoded: {0}")]
    Malformed(String),
    #[error(
        "stored value has format version {found}, newer than this caredesk ({known}): upgrade caredesk"
    )]
    Newer { found: u16, known: u16 },
    #[error("stored value has format version {0}, which has no migration")]
    NoMigration(u16),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// The most a stored value may announce: a damaged or hostile file must not make the
/// decoder allocate without bound.
pub const DECODE_LIMIT: usize = 64 << 20;

pub fn decode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

/// A type stored in the database, with the version of its current encoding.
pub trait Versioned: Serialize + DeserializeOwned {
    const VERSION: u16;

    /// Reads a value written under an older `version`. The default has none to read.
    fn migrate(version: u16, _payload: &[u8]) -> Result<Self, CodecError> {
        Err(CodecError::NoMigration(version))
    }
}

/// Encodes at the type's current version. The buffer is zeroised when dropped, since
/// it may be a patient record's plaintext on its way to being sealed.
/// `value` as format `version` stores it: what an older version wrote, for the tests
/// of each migration.
pub fn encode_as<T: serde::Serialize>(version: u16, value: &T) -> Vec<u8> {
    let mut bytes = version.to_be_bytes().to_vec();
    bytes.extend(bincode::serde::encode_to_vec(value, config()).unwrap_or_default());
    bytes
}

pub fn encode<T: Versioned>(value: &T) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(T::VERSION.to_be_bytes().to_vec());
    // Serialising our own plain data types into a Vec cannot fail.
    #[allow(clippy::expect_used)]
    let body = Zeroizing::new(
        bincode::serde::encode_to_vec(value, config()).expect("bincode encoding of a record"),
    );
    out.extend_from_slice(&body);
    out
}

pub fn decode<T: Versioned>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() < 2 {
        return Err(CodecError::Truncated);
    }
    let version = u16::from_be_bytes([bytes[0], bytes[1]]);
    let payload = &bytes[2..];
    if version == T::VERSION {
        let (value, read) = bincode::serde::decode_from_slice(payload, decode_config())
            .map_err(|e| CodecError::Malformed(e.to_string()))?;
        if read != payload.len() {
            return Err(CodecError::Malformed("trailing bytes".into()));
        }
        Ok(value)
    } else if version > T::VERSION {
        Err(CodecError::Newer {
            found: version,
            known: T::VERSION,
        })
    } else {
        T::migrate(version, payload)
    }
}

/// Decodes a payload at a given older version into an older type, for `migrate` hooks.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, CodecError> {
    bincode::serde::decode_from_slice(payload, decode_config())
        .map(|(value, _)| value)
        .map_err(|e| CodecError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V1 {
        name: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V2 {
        name: String,
        age: u32,
    }

    impl Versioned for V1 {
        const VERSION: u16 = 1;
    }

    impl Versioned for V2 {
        const VERSION: u16 = 2;
        fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
            match version {
                1 => {
                    let old: V1 = decode_payload(payload)?;
                    Ok(V2 {
                        name: old.name,
                        age: 0,
                    })
                }
                other => Err(CodecError::NoMigration(other)),
            }
        }
    }

    #[test]
    fn old_values_migrate_and_new_ones_are_refused() {
        let old = encode(&V1 { name: "a".into() });
        assert_eq!(
            decode::<V2>(&old).unwrap(),
            V2 {
                name: "a".into(),
                age: 0
            }
        );
        let new = encode(&V2 {
            name: "b".into(),
            age: 3,
        });
        assert_eq!(
            decode::<V1>(&new),
            Err(CodecError::Newer { found: 2, known: 1 })
        );
        assert_eq!(decode::<V1>(&[0]), Err(CodecError::Truncated));
    }
}
