//! Archives of the audit log: the records from the genesis up to a date, in a file
//! that verifies on its own (`caredesk audit archive-verify`), for keeping the log's
//! early years off the machine. The log itself is never shortened: entries are kept
//! at least six years, and nothing in caredesk deletes them.
//!
//! ```text
//! "CAREDESK-AUDIT-ARCHIVE v1\n"   (a 国密 store's: "CAREDESK-AUDIT-ARCHIVE sm\n")
//! record*:  u32 BE key length, key, u32 BE value length, value  (as stored)
//! trailer:  JSON head {"seq", "hash", "epoch"} on its own last line
//! ```

use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};

use super::log::Head;
use super::verify::{Break, Report, Verifier, VerifyOptions};

pub const MAGIC: &[u8] = b"CAREDESK-AUDIT-ARCHIVE v1\n";
/// The same archive from a store of the 国密 suite: its chain is SM3, its seals HMAC-SM3.
pub const MAGIC_SM: &[u8] = b"CAREDESK-AUDIT-ARCHIVE sm\n";
const END: &[u8] = b"\nEND ";

#[derive(Debug, Serialize, Deserialize)]
struct Trailer {
    seq: u64,
    hash: String,
    epoch: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read or write the archive: {0}")]
    Io(#[from] std::io::Error),
    #[error("this is not a caredesk audit archive")]
    NotAnArchive,
    #[error("the archive is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Broken(#[from] Break),
    #[error("{0}")]
    Suite(String),
}

fn magic_of(suite: crate::crypto::Suite) -> &'static [u8] {
    match suite {
        crate::crypto::Suite::Standard => MAGIC,
        crate::crypto::Suite::Sm => MAGIC_SM,
    }
}

/// Writes records (stored key, stored value) as they come, checking them as it goes.
pub struct ArchiveWriter<'a, W: Write> {
    out: W,
    verifier: Verifier<'a>,
    /// Whether the first line is written: it names the suite, known once the store (or
    /// the server) has been reached, so it waits for the first record.
    started: bool,
}

impl<'a, W: Write> ArchiveWriter<'a, W> {
    pub fn new(out: W, options: &'a VerifyOptions<'a>) -> Result<Self, ArchiveError> {
        Ok(Self {
            out,
            verifier: Verifier::new(options),
            started: false,
        })
    }

    pub fn record(&mut self, key: &[u8], value: &[u8]) -> Result<(), ArchiveError> {
        if !self.started {
            self.out
                .write_all(magic_of(crate::crypto::suite::current()))?;
            self.started = true;
        }
        self.verifier.feed(key, value)?;
        for part in [key, value] {
            self.out.write_all(&(part.len() as u32).to_be_bytes())?;
            self.out.write_all(part)?;
        }
        Ok(())
    }

    /// Closes the archive with the head its records lead to; returns that report.
    pub fn finish(mut self) -> Result<Report, ArchiveError> {
        let head = self
            .verifier
            .head_so_far()
            .ok_or_else(|| ArchiveError::Damaged("no records before that date".into()))?;
        let trailer = Trailer {
            seq: head.seq,
            hash: data_encoding::HEXLOWER.encode(&head.hash),
            epoch: head.epoch,
        };
        let json =
            serde_json::to_string(&trailer).map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        self.out.write_all(END)?;
        self.out.write_all(json.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.verifier.finish(Some(head))?)
    }
}

/// Reads an archive and verifies it on its own: the chain from the genesis, every
/// seal against the seed when given, and the head in its trailer.
pub fn verify_archive(
    input: impl Read,
    options: &VerifyOptions<'_>,
) -> Result<Report, ArchiveError> {
    let mut input = std::io::BufReader::new(input);
    let mut magic = vec![0u8; MAGIC.len()];
    input
        .read_exact(&mut magic)
        .map_err(|_| ArchiveError::NotAnArchive)?;
    let suite = if magic == MAGIC {
        crate::crypto::Suite::Standard
    } else if magic == MAGIC_SM {
        crate::crypto::Suite::Sm
    } else {
        return Err(ArchiveError::NotAnArchive);
    };
    // The archive's suite checks its chain and seals (this process adopts it).
    crate::crypto::suite::adopt(suite).map_err(|e| ArchiveError::Suite(e.to_string()))?;
    let mut verifier = Verifier::new(options);
    let read_part =
        |input: &mut std::io::BufReader<_>, first: [u8; 4]| -> Result<Vec<u8>, ArchiveError> {
            let len = u32::from_be_bytes(first) as usize;
            if len > 64 << 20 {
                return Err(ArchiveError::Damaged("a record is impossibly long".into()));
            }
            let mut part = vec![0u8; len];
            input
                .read_exact(&mut part)
                .map_err(|_| ArchiveError::Damaged("it ends inside a record (cut off)".into()))?;
            Ok(part)
        };
    loop {
        let mut first = [0u8; 4];
        input
            .read_exact(&mut first)
            .map_err(|_| ArchiveError::Damaged("it ends without its head (cut off)".into()))?;
        if first == END[..4] {
            break;
        }
        let key = read_part(&mut input, first)?;
        let mut second = [0u8; 4];
        input
            .read_exact(&mut second)
            .map_err(|_| ArchiveError::Damaged("it ends inside a record (cut off)".into()))?;
        let value = read_part(&mut input, second)?;
        verifier.feed(&key, &value)?;
    }
    let mut rest = String::new();
    input.read_line(&mut rest)?;
    let json = rest
        .strip_prefix(std::str::from_utf8(&END[4..]).unwrap_or(" "))
        .ok_or_else(|| ArchiveError::Damaged("its head line is malformed".into()))?;
    let trailer: Trailer = serde_json::from_str(json.trim())
        .map_err(|e| ArchiveError::Damaged(format!("its head cannot be read: {e}")))?;
    let hash: [u8; 32] = data_encoding::HEXLOWER
        .decode(trailer.hash.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ArchiveError::Damaged("its head's hash is malformed".into()))?;
    Ok(verifier.finish(Some(Head {
        seq: trailer.seq,
        hash,
        epoch: trailer.epoch,
    }))?)
}
