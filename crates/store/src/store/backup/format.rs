//! The backup file: a header, sealed chunks, a clear manifest and a trailer.
//!
//! ```text
//! "CAREDESK-BACKUP\n"                  16 bytes
//! chunk*:   u32 BE length, sealed bytes  (XChaCha20-Poly1305 under the backup key;
//!                                         the associated data names the backup, the
//!                                         chunk's number and whether it is the last)
//! manifest: JSON (no patient data: ids, counts, the audit head, the key slots, and
//!           each chunk's offset, length and SHA-256)
//! trailer:  u64 BE manifest offset, u32 BE manifest length,
//!           SHA-256 of everything before the trailer,
//!           HMAC-SHA256 of that digest under the backup key,
//!           "CDBK-END"
//! ```
//!
//! Without a key, the digests show the file is whole (a copy gone wrong, a bad disk);
//! with the store's key, the MAC and every chunk's tag show it is the one caredesk
//! wrote and nobody changed it.

use std::io::{Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crypto::SecretKey;
use crate::crypto::envelope::{self, Aad};

pub const MAGIC: &[u8; 16] = b"CAREDESK-BACKUP\n";
pub const END: &[u8; 8] = b"CDBK-END";
pub const FORMAT: &str = "caredesk-backup/1";
const TRAILER_LEN: u64 = 8 + 4 + 32 + 32 + 8;
/// A chunk holds at most this much plaintext (one entry may exceed it alone).
pub const CHUNK_BYTES: usize = 1 << 20;
/// Nothing caredesk writes comes near this; a larger length is a damaged file.
const MAX_CHUNK: u32 = 64 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkInfo {
    pub offset: u64,
    pub len: u32,
    pub sha256: String,
}

/// What a backup holds, readable without any key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub backup_id: String,
    pub created: String,
    pub store_id: String,
    pub audit_head_seq: u64,
    pub audit_head_hash: String,
    pub entries: u64,
    pub trees: u64,
    pub files: Vec<String>,
    /// sled's id generator at the snapshot, so a restored store never reuses an id.
    pub next_id: u64,
    /// The generation of the data key the backup key comes from.
    pub key_generation: u32,
    /// The store's key slots (each wraps the data key; hex of the stored value).
    pub key_slots: Vec<String>,
    /// Grants a data-key rotation left for slots not used since (slot id, hex), so a
    /// slot that still wraps an older generation opens the backup too.
    #[serde(default)]
    pub key_grants: Vec<(u64, String)>,
    pub chunks: Vec<ChunkInfo>,
    /// The store's crypto suite (`standard` or `sm`): a restore works under it.
    #[serde(default = "standard_suite")]
    pub crypto_suite: String,
}

fn standard_suite() -> String {
    "standard".into()
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("cannot read or write the backup file: {0}")]
    Io(#[from] std::io::Error),
    #[error("this is not a caredesk backup (the file does not start or end as one)")]
    NotABackup,
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error(
        "the backup is not authentic: {0} (it was changed after it was written, or the key is another store's)"
    )]
    NotAuthentic(String),
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

/// The associated data of chunk `index`: the backup, the position, and whether the
/// stream ends there (so chunks cannot be dropped, reordered or cut off).
fn chunk_aad(backup_id: &[u8; 16], index: u64, last: bool) -> Vec<u8> {
    let mut aad = backup_id.to_vec();
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

/// The backup's MAC over the file's digest, with the store suite's HMAC.
fn mac(key: &SecretKey, digest: &[u8; 32]) -> [u8; 32] {
    use crate::crypto::suite;
    let mut mac = suite::Mac::new(suite::current(), key.expose());
    mac.update(b"caredesk backup manifest");
    mac.update(digest);
    mac.finalize()
}

/// Writes chunks, then the manifest and trailer; keeps the running digest.
pub struct Writer<W: Write> {
    out: W,
    key: SecretKey,
    backup_id: [u8; 16],
    hash: Sha256,
    offset: u64,
    chunks: Vec<ChunkInfo>,
    pending: Option<Vec<u8>>,
}

impl<W: Write> Writer<W> {
    pub fn new(mut out: W, key: SecretKey, backup_id: [u8; 16]) -> Result<Self, FormatError> {
        out.write_all(MAGIC)?;
        let mut hash = Sha256::new();
        hash.update(MAGIC);
        Ok(Self {
            out,
            key,
            backup_id,
            hash,
            offset: MAGIC.len() as u64,
            chunks: Vec::new(),
            pending: None,
        })
    }

    fn emit(&mut self, plain: &[u8], last: bool) -> Result<(), FormatError> {
        let index = self.chunks.len() as u64;
        let aad = chunk_aad(&self.backup_id, index, last);
        let sealed = envelope::seal(&self.key, 0, Aad::new("backup", &aad), plain);
        let len = u32::try_from(sealed.len())
            .ok()
            .filter(|l| *l <= MAX_CHUNK)
            .ok_or_else(|| FormatError::Damaged("a chunk is too large".into()))?;
        let frame_start = self.offset;
        for part in [&len.to_be_bytes()[..], &sealed[..]] {
            self.out.write_all(part)?;
            self.hash.update(part);
        }
        self.offset += 4 + sealed.len() as u64;
        self.chunks.push(ChunkInfo {
            offset: frame_start,
            len,
            sha256: hex(&Sha256::digest(&sealed)),
        });
        Ok(())
    }

    /// Adds one chunk of plaintext. The previous one is written now, knowing it is
    /// not the last.
    pub fn chunk(&mut self, plain: Vec<u8>) -> Result<(), FormatError> {
        if let Some(previous) = self.pending.replace(plain) {
            self.emit(&previous, false)?;
        }
        Ok(())
    }

    /// Writes the last chunk, the manifest (its chunk list filled in) and the trailer.
    pub fn finish(mut self, mut manifest: Manifest) -> Result<W, FormatError> {
        let last = self.pending.take().unwrap_or_default();
        self.emit(&last, true)?;
        manifest.chunks = std::mem::take(&mut self.chunks);
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| FormatError::Damaged(format!("the manifest cannot be written: {e}")))?;
        self.out.write_all(&json)?;
        self.hash.update(&json);
        let digest: [u8; 32] = self.hash.finalize().into();
        let mut trailer = Vec::with_capacity(TRAILER_LEN as usize);
        trailer.extend_from_slice(&self.offset.to_be_bytes());
        trailer.extend_from_slice(&(json.len() as u32).to_be_bytes());
        trailer.extend_from_slice(&digest);
        trailer.extend_from_slice(&mac(&self.key, &digest));
        trailer.extend_from_slice(END);
        self.out.write_all(&trailer)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A backup file opened for checking or restoring.
pub struct Reader<R: Read + Seek> {
    input: R,
    pub manifest: Manifest,
    digest: [u8; 32],
    mac: [u8; 32],
    backup_id: [u8; 16],
}

impl<R: Read + Seek> Reader<R> {
    /// Reads the trailer and manifest and checks every byte against the digests; no
    /// key is needed.
    pub fn open(mut input: R) -> Result<Self, FormatError> {
        let size = input.seek(SeekFrom::End(0))?;
        if size < MAGIC.len() as u64 + TRAILER_LEN {
            return Err(FormatError::NotABackup);
        }
        let mut magic = [0u8; 16];
        input.seek(SeekFrom::Start(0))?;
        input.read_exact(&mut magic)?;
        let mut trailer = [0u8; TRAILER_LEN as usize];
        input.seek(SeekFrom::Start(size - TRAILER_LEN))?;
        input.read_exact(&mut trailer)?;
        if &magic != MAGIC {
            return Err(FormatError::NotABackup);
        }
        if &trailer[TRAILER_LEN as usize - 8..] != END {
            return Err(FormatError::Damaged(
                "it does not end as a backup does: the file was cut off (an unfinished copy?)"
                    .into(),
            ));
        }
        let field = |at: usize, n: usize| &trailer[at..at + n];
        let manifest_offset = u64::from_be_bytes(field(0, 8).try_into().unwrap_or_default());
        let manifest_len = u32::from_be_bytes(field(8, 4).try_into().unwrap_or_default());
        let digest: [u8; 32] = field(12, 32).try_into().unwrap_or_default();
        let mac: [u8; 32] = field(44, 32).try_into().unwrap_or_default();
        if manifest_offset + u64::from(manifest_len) != size - TRAILER_LEN {
            return Err(FormatError::Damaged(
                "the trailer does not point at the manifest (the file was cut or extended)".into(),
            ));
        }
        // Every byte before the trailer, against the digest.
        input.seek(SeekFrom::Start(0))?;
        let mut hash = Sha256::new();
        std::io::copy(
            &mut (&mut input).take(size - TRAILER_LEN),
            &mut HashWriter(&mut hash),
        )?;
        if <[u8; 32]>::from(hash.finalize()) != digest {
            return Err(FormatError::Damaged(
                "its contents do not match the checksum in its trailer".into(),
            ));
        }
        let mut json = vec![0u8; manifest_len as usize];
        input.seek(SeekFrom::Start(manifest_offset))?;
        input.read_exact(&mut json)?;
        let manifest: Manifest = serde_json::from_slice(&json)
            .map_err(|e| FormatError::Damaged(format!("the manifest cannot be read: {e}")))?;
        if manifest.format != FORMAT {
            return Err(FormatError::Damaged(format!(
                "format {:?}, which this caredesk does not know",
                manifest.format
            )));
        }
        let backup_id: [u8; 16] = data_encoding::HEXLOWER
            .decode(manifest.backup_id.as_bytes())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| FormatError::Damaged("the backup id is malformed".into()))?;
        let mut reader = Self {
            input,
            manifest,
            digest,
            mac,
            backup_id,
        };
        reader.check_chunk_list(manifest_offset)?;
        Ok(reader)
    }

    /// Each chunk where the manifest says, back to back, with its own checksum.
    fn check_chunk_list(&mut self, manifest_offset: u64) -> Result<(), FormatError> {
        let mut expected = MAGIC.len() as u64;
        for (i, chunk) in self.manifest.chunks.clone().iter().enumerate() {
            if chunk.offset != expected || chunk.len > MAX_CHUNK {
                return Err(FormatError::Damaged(format!("chunk {i} is out of place")));
            }
            let sealed = self.sealed(chunk)?;
            if hex(&Sha256::digest(&sealed)) != chunk.sha256 {
                return Err(FormatError::Damaged(format!(
                    "chunk {i} does not match its checksum"
                )));
            }
            expected += 4 + u64::from(chunk.len);
        }
        if expected != manifest_offset || self.manifest.chunks.is_empty() {
            return Err(FormatError::Damaged(
                "the chunks do not fill the file up to the manifest".into(),
            ));
        }
        Ok(())
    }

    fn sealed(&mut self, chunk: &ChunkInfo) -> Result<Vec<u8>, FormatError> {
        self.input.seek(SeekFrom::Start(chunk.offset))?;
        let mut len = [0u8; 4];
        self.input.read_exact(&mut len)?;
        if u32::from_be_bytes(len) != chunk.len {
            return Err(FormatError::Damaged("a chunk's length is wrong".into()));
        }
        let mut sealed = vec![0u8; chunk.len as usize];
        self.input.read_exact(&mut sealed)?;
        Ok(sealed)
    }

    pub fn backup_id(&self) -> [u8; 16] {
        self.backup_id
    }

    /// Checks the manifest's MAC under `key`.
    pub fn authenticate(&self, key: &SecretKey) -> Result<(), FormatError> {
        let expected = mac(key, &self.digest);
        if expected != self.mac {
            return Err(FormatError::NotAuthentic(
                "the manifest's seal does not match".into(),
            ));
        }
        Ok(())
    }

    /// Opens every chunk in order, handing each plaintext to `each`.
    pub fn for_each_chunk(
        &mut self,
        key: &SecretKey,
        mut each: impl FnMut(&[u8]) -> Result<(), FormatError>,
    ) -> Result<(), FormatError> {
        self.authenticate(key)?;
        let chunks = self.manifest.chunks.clone();
        let count = chunks.len();
        for (i, chunk) in chunks.iter().enumerate() {
            let sealed = self.sealed(chunk)?;
            let aad = chunk_aad(&self.backup_id, i as u64, i + 1 == count);
            let plain = envelope::open(key, Aad::new("backup", &aad), &sealed).map_err(|_| {
                FormatError::NotAuthentic(format!("chunk {i} does not open under the store's key"))
            })?;
            each(&plain)?;
        }
        Ok(())
    }
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
