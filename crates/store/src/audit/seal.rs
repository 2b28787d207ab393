//! Forward-secure sealing, after journald's Forward Secure Sealing.
//!
//! Epoch `e` has key `k_e`. `k_0` comes from the verification seed, shown once at `init`
//! and kept off the machine by the auditor; each step is one-way:
//! `k_{e+1} = SHA-256("caredesk-audit-advance" || k_e)`. The writer holds only the
//! current key (in `audit.seal`, overwritten in place when it advances), so someone who
//! takes the machine can forge nothing in an epoch that has already closed.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::crypto::suite;
use zeroize::Zeroizing;

use crate::crypto::keys::hkdf_key;
use crate::crypto::secret::{grouped_base32, parse_grouped_base32};
use crate::crypto::{SecretKey, random_array};

pub const SEAL_FILE: &str = "audit.seal";
const MAGIC: &[u8; 8] = b"CDSEAL1\0";
const FILE_LEN: usize = 8 + 8 + 32 + 8;

/// The auditor's verification seed: 256 random bits.
pub struct Seed(Zeroizing<[u8; 32]>);

impl Seed {
    pub fn generate() -> Self {
        Self(Zeroizing::new(random_array()))
    }

    pub fn display(&self) -> Zeroizing<String> {
        grouped_base32(self.0.as_ref())
    }

    pub fn parse(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = parse_grouped_base32(text)?.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(bytes)))
    }

    /// The key of epoch 0.
    pub fn first_key(&self) -> SecretKey {
        hkdf_key(
            self.0.as_ref(),
            b"caredesk audit seal",
            "caredesk/v1/audit-epoch-0",
        )
    }
}

/// One step forward; the old key cannot be computed back from the new one.
pub fn advance(key: &SecretKey) -> SecretKey {
    SecretKey::from_bytes(suite::digest(
        suite::current(),
        &[b"caredesk-audit-advance", key.expose()],
    ))
}

/// The key of `epoch`, computed from the seed (verifier side).
pub fn key_at(seed: &Seed, epoch: u64) -> SecretKey {
    let mut key = seed.first_key();
    for _ in 0..epoch {
        key = advance(&key);
    }
    key
}

/// A digest that tells whether two sealing keys are the same without revealing
/// either: the clinic server hands it to a verifier instead of its current key.
pub fn key_digest(key: &SecretKey) -> [u8; 32] {
    suite::digest(
        suite::current(),
        &[b"caredesk audit sealing key digest v1", key.expose()],
    )
}

/// A MAC keyed once and reused for many records (the keyed state is cloned per record),
/// HMAC with the store suite's hash.
#[derive(Clone)]
pub struct Sealer(suite::Mac);

impl Sealer {
    pub fn new(key: &SecretKey) -> Self {
        Self(suite::Mac::new(suite::current(), key.expose()))
    }

    pub fn mac(&self, hash: &[u8; 32]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(hash);
        mac.finalize()
    }

    pub fn check(&self, hash: &[u8; 32], tag: &[u8; 32]) -> bool {
        let mut mac = self.0.clone();
        mac.update(hash);
        mac.verify(tag)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealFileError {
    #[error("the audit seal file {0} is missing")]
    Missing(String),
    #[error("the audit seal file is damaged")]
    Damaged,
    #[error("cannot read or write the audit seal file: {0}")]
    Io(#[from] std::io::Error),
}

/// The writer's current epoch and key, kept in `DIR/audit.seal`.
pub struct SealState {
    pub epoch: u64,
    pub key: SecretKey,
    file: File,
}

impl SealState {
    pub fn create(dir: &Path, key: SecretKey) -> Result<Self, SealFileError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.join(SEAL_FILE))?;
        let mut state = Self {
            epoch: 0,
            key,
            file,
        };
        state.write()?;
        Ok(state)
    }

    pub fn open(dir: &Path) -> Result<Self, SealFileError> {
        let path = dir.join(SEAL_FILE);
        let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SealFileError::Missing(path.display().to_string()));
            }
            Err(e) => return Err(e.into()),
        };
        let mut bytes = Zeroizing::new([0u8; FILE_LEN]);
        file.read_exact(bytes.as_mut())
            .map_err(|_| SealFileError::Damaged)?;
        let (body, check) = bytes.split_at(FILE_LEN - 8);
        if &body[..8] != MAGIC || Sha256::digest(body)[..8] != *check {
            return Err(SealFileError::Damaged);
        }
        let epoch = u64::from_be_bytes(body[8..16].try_into().map_err(|_| SealFileError::Damaged)?);
        let key = SecretKey::from_slice(&body[16..48]).ok_or(SealFileError::Damaged)?;
        Ok(Self { epoch, key, file })
    }

    /// Moves the key forward to `epoch`, overwriting the old key in place and syncing.
    /// The state in memory moves only once the file holds the new key, so a failed
    /// write is tried again by the next advance.
    pub fn advance_to(&mut self, epoch: u64) -> Result<(), SealFileError> {
        let (mut next_epoch, mut key) = (self.epoch, self.key.clone());
        while next_epoch < epoch {
            key = advance(&key);
            next_epoch += 1;
        }
        Self::write_file(&mut self.file, next_epoch, &key)?;
        self.epoch = next_epoch;
        self.key = key;
        Ok(())
    }

    fn write(&mut self) -> Result<(), SealFileError> {
        Self::write_file(&mut self.file, self.epoch, &self.key)
    }

    fn write_file(file: &mut File, epoch: u64, key: &SecretKey) -> Result<(), SealFileError> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(FILE_LEN));
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&epoch.to_be_bytes());
        bytes.extend_from_slice(key.expose());
        let check = Sha256::digest(&bytes[..]);
        bytes.extend_from_slice(&check[..8]);
        // In place, same length: the previous key's bytes are overwritten, not left in
        // a freed block (best effort: a copy-on-write filesystem may still keep them).
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_evolve_one_way_and_match_the_seed() {
        let seed = Seed::generate();
        let k0 = seed.first_key();
        let k2 = advance(&advance(&k0));
        assert_eq!(k2, key_at(&seed, 2));
        assert_ne!(k0, k2);
    }

    #[test]
    fn seed_display_round_trips() {
        let seed = Seed::generate();
        let parsed = Seed::parse(&seed.display()).unwrap();
        assert_eq!(parsed.first_key(), seed.first_key());
    }

    #[test]
    fn seal_file_advances_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let seed = Seed::generate();
        let mut state = SealState::create(dir.path(), seed.first_key()).unwrap();
        state.advance_to(3).unwrap();
        let reopened = SealState::open(dir.path()).unwrap();
        assert_eq!(reopened.epoch, 3);
        assert_eq!(reopened.key, key_at(&seed, 3));
        assert_eq!(
            std::fs::metadata(dir.path().join(SEAL_FILE)).unwrap().len(),
            FILE_LEN as u64
        );
    }

    #[test]
    fn damaged_seal_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        SealState::create(dir.path(), Seed::generate().first_key()).unwrap();
        let path = dir.path().join(SEAL_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(matches!(
            SealState::open(dir.path()),
            Err(SealFileError::Damaged)
        ));
    }
}
