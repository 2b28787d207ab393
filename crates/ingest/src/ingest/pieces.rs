//! Result files in pieces. A request to the daemon is one frame of at most 8 MiB, and
//! a lab's monthly HL7 file can be 100 MB; reading it whole would also hold all of it
//! in memory twice (the bytes and the text). So an HL7 file is read a block at a time,
//! cut between messages, and what it holds goes to the service in batches of about
//! `BATCH_BYTES` (encoded, as the frame carries them): each batch is one request, one
//! transaction and one audit record, and memory stays that of a batch whatever the
//! file's size. A FHIR bundle or a CSV file is one document: it is read whole as
//! before, and its results still go in batches. The pieces of an HL7 file are cut
//! as bytes, so that each message can be decoded as its MSH-18 says.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::files::{Format, parse_csv_files, parse_files};
use super::{Incoming, Parsed, Rejected, hl7};
use crate::codec::MAX_FRAME;

/// The encoded size a batch is closed at: an eighth of the frame limit.
pub const BATCH_BYTES: usize = MAX_FRAME / 8;
/// One message alone may fill a frame, less room for the request around it.
const LARGEST_MESSAGE: usize = MAX_FRAME - 64 * 1024;
/// How much of a file is read at a time.
const BLOCK: usize = 256 * 1024;

/// Where results come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// HL7 v2 or FHIR files.
    Files(Format),
    /// CSV files read through a mapping (a built-in name or a TOML file).
    Csv(&'a str),
}

/// Reads `files` and hands `send` one batch at a time, in file order: each batch's
/// results encode to at most `BATCH_BYTES` (a larger message goes alone), with the
/// rejections and skipped counts read since the one before.
pub fn read_in_batches(
    source: Source<'_>,
    files: &[PathBuf],
    send: &mut dyn FnMut(Parsed) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut batcher = Batcher {
        batch: Parsed::default(),
        bytes: 0,
        send,
    };
    for path in files {
        match source {
            Source::Files(Format::Hl7) => hl7_file(path, &mut batcher)?,
            Source::Files(format) => {
                batcher.add(parse_files(format, std::slice::from_ref(path))?)?;
            }
            Source::Csv(mapping) => {
                batcher.add(parse_csv_files(mapping, std::slice::from_ref(path))?)?;
            }
        }
    }
    batcher.flush()
}

struct Batcher<'a> {
    batch: Parsed,
    bytes: usize,
    send: &'a mut dyn FnMut(Parsed) -> anyhow::Result<()>,
}

impl Batcher<'_> {
    fn add(&mut self, parsed: Parsed) -> anyhow::Result<()> {
        self.batch.rejected.extend(parsed.rejected);
        self.batch.skipped += parsed.skipped;
        self.batch.add_not_kept(&parsed.not_kept);
        for incoming in parsed.incoming {
            let size = encoded_size(&incoming)?;
            if size > LARGEST_MESSAGE {
                self.batch.rejected.push(Rejected {
                    origin: incoming.origin.clone(),
                    place: String::new(),
                    reason: crate::text!(
                        "msg.ingest.too_large",
                        size = size,
                        max = LARGEST_MESSAGE
                    ),
                });
                continue;
            }
            if self.bytes + size > BATCH_BYTES && !self.batch.incoming.is_empty() {
                self.flush()?;
            }
            self.bytes += size;
            self.batch.incoming.push(incoming);
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        let batch = std::mem::take(&mut self.batch);
        self.bytes = 0;
        if batch.incoming.is_empty()
            && batch.rejected.is_empty()
            && batch.skipped == 0
            && batch.not_kept.is_empty()
        {
            return Ok(());
        }
        (self.send)(batch)
    }
}

/// What one message adds to a request frame.
fn encoded_size(incoming: &Incoming) -> anyhow::Result<usize> {
    bincode::serde::encode_into_std_write(
        incoming,
        &mut std::io::sink(),
        bincode::config::standard(),
    )
    .map_err(|e| anyhow::anyhow!("a message could not be encoded: {e}"))
}

/// An HL7 file a block at a time, as bytes: cut before the last message begun in
/// what was read, the complete messages decoded (each by its MSH-18, see
/// `hl7::parse_bytes`), parsed and batched.
fn hl7_file(path: &Path, batcher: &mut Batcher<'_>) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut file = std::fs::File::open(path).map_err(|e| super::files::unreadable(path, e))?;
    let mut block = vec![0u8; BLOCK];
    let mut pending: Vec<u8> = Vec::new();
    let mut next = 1;
    loop {
        let read = file
            .read(&mut block)
            .map_err(|e| super::files::unreadable(path, e))?;
        let last = read == 0;
        pending.extend_from_slice(&block[..read]);
        let cut = if last {
            pending.len()
        } else {
            hl7::last_message_start(&pending)
        };
        if cut > 0 {
            let (parsed, count) = hl7::parse_bytes(&pending[..cut], &name, next);
            next += count;
            pending.drain(..cut);
            batcher.add(parsed)?;
        }
        if last {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::GB18030;

    const MESSAGE: &str = "MSH|^~\\&|LAB|CITY|DESK|CLINIC|20260101080000||ORU^R01|1|P|2.5\rPID|1||P1^^^CITY^MR||Li^Na||19800101|F\rOBR|1|||LIPID|||20260101080000\rOBX|1|NM|2093-3^Cholesterol^LN||5.2|mmol/L|||||F\r";

    #[test]
    fn a_file_read_in_pieces_reads_as_the_whole_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.hl7");
        // Several blocks and several batches' worth.
        let count = 3 * BATCH_BYTES / MESSAGE.len();
        std::fs::write(&path, format!("\u{feff}{}", MESSAGE.repeat(count))).unwrap();
        let whole = hl7::parse(&MESSAGE.repeat(count), "lab.hl7");
        let mut batches = Vec::new();
        read_in_batches(
            Source::Files(Format::Hl7),
            std::slice::from_ref(&path),
            &mut |batch| {
                batches.push(batch);
                Ok(())
            },
        )
        .unwrap();
        assert!(batches.len() > 1, "{} batches", batches.len());
        let origins: Vec<String> = batches
            .iter()
            .flat_map(|b| b.incoming.iter().map(|i| i.origin.clone()))
            .collect();
        let expected: Vec<String> = whole.incoming.iter().map(|i| i.origin.clone()).collect();
        assert_eq!(origins, expected);
        assert_eq!(
            batches
                .iter()
                .flat_map(|b| b.incoming.clone())
                .collect::<Vec<_>>(),
            whole.incoming
        );
        for batch in &batches {
            let size: usize = batch
                .incoming
                .iter()
                .map(|i| encoded_size(i).unwrap())
                .sum();
            assert!(size <= BATCH_BYTES, "{size}");
        }
    }

    #[test]
    fn a_gb18030_file_reads_in_pieces_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.hl7");
        let text = MESSAGE.replace("Li^Na", "李^娜").repeat(2);
        let (bytes, _, _) = GB18030.encode(&text);
        std::fs::write(&path, &bytes).unwrap();
        let mut read = Vec::new();
        read_in_batches(Source::Files(Format::Hl7), &[path], &mut |batch| {
            read.extend(batch.incoming);
            Ok(())
        })
        .unwrap();
        assert_eq!(read, hl7::parse(&text, "lab.hl7").incoming);
        assert!(read[1].origin.starts_with("lab.hl7 message 2 "));
    }
}
