//! Call recordings (随访电话录音): attached in chunks after the call (each chunk one
//! request, so a 100 MB file never sits whole in memory), checked against the
//! checksum given at the start, and read back chunk by chunk to listen (or to hand
//! out: audited as a disclosure).

use crate::clinic::api::RecordingStarted;
use crate::text;
use sha2::{Digest, Sha256};

use super::api::FollowUpKey;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::followup::RecordingMeta;
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;

/// The bytes in each chunk (the last may be shorter).
pub const CHUNK: u32 = 1 << 20;
/// The largest recording accepted.
pub const MAX_SIZE: u64 = 2 << 30;
pub const EXTENSIONS: &[&str] = &["wav", "mp3", "amr", "m4a", "aac", "ogg", "opus", "flac"];

fn hex(id: &[u8; 16]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn begin(
    ctx: &Ctx<'_>,
    key: FollowUpKey,
    extension: &str,
    size: u64,
    sha256: [u8; 32],
) -> Result<Reply, ServiceError> {
    readable(ctx, &key.patient)?;
    let extension = extension.trim().trim_start_matches('.').to_lowercase();
    if !EXTENSIONS.contains(&extension.as_str()) {
        return Err(ServiceError::Invalid(text!(
            "msg.recordings.bad_extension",
            kinds = EXTENSIONS.join(", "),
            extension = extension
        )));
    }
    if size == 0 || size > MAX_SIZE {
        return Err(ServiceError::Invalid(text!("msg.recordings.bad_size")));
    }
    let call = ctx
        .vault
        .calls(&key.patient)?
        .into_iter()
        .rev()
        .find(|c| c.plan == key.plan && c.seq == key.seq)
        .ok_or_else(|| ServiceError::Invalid(text!("msg.recordings.call_first")))?;
    let id: [u8; 16] = crate::crypto::secret::random_array();
    let meta = RecordingMeta {
        id,
        plan: key.plan,
        seq: key.seq,
        call_at: call.at,
        extension,
        size,
        chunks: size.div_ceil(u64::from(CHUNK)) as u32,
        sha256,
        by: ctx.session.user.clone(),
        at: ctx.now,
        complete: false,
    };
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_recording_meta(&mut writes, &key.patient, &meta)?;
    Ok(Reply::new(Response::RecordingStarted(RecordingStarted {
        recording: id,
        chunk_size: CHUNK,
    }))
    .writes(writes)
    .subject(key.patient.to_string())
    .detail(format!("recording={} size={size}", hex(&id))))
}

fn meta(
    ctx: &Ctx<'_>,
    patient: &PatientId,
    recording: [u8; 16],
) -> Result<RecordingMeta, ServiceError> {
    ctx.vault
        .recording_meta(patient, &recording)?
        .ok_or_else(|| ServiceError::NotFound("recording".into()))
}

/// The length chunk `index` of a recording of `size` bytes has.
fn chunk_len(size: u64, index: u32) -> u64 {
    let start = u64::from(index) * u64::from(CHUNK);
    (size - start).min(u64::from(CHUNK))
}

pub(crate) fn chunk(
    ctx: &Ctx<'_>,
    patient: &PatientId,
    recording: [u8; 16],
    index: u32,
    bytes: Vec<u8>,
) -> Result<Reply, ServiceError> {
    readable(ctx, patient)?;
    let meta = meta(ctx, patient, recording)?;
    if meta.complete {
        return Err(ServiceError::Invalid(text!(
            "msg.recordings.already_attached"
        )));
    }
    if index >= meta.chunks || bytes.len() as u64 != chunk_len(meta.size, index) {
        return Err(ServiceError::Invalid(text!(
            "msg.recordings.chunk_length",
            index = index,
            chunks = meta.chunks
        )));
    }
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_recording_chunk(&mut writes, patient, &recording, index, bytes)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(patient.to_string())
        .detail(format!("recording={} chunk={index}", hex(&recording))))
}

pub(crate) fn finish(
    ctx: &Ctx<'_>,
    patient: &PatientId,
    recording: [u8; 16],
) -> Result<Reply, ServiceError> {
    readable(ctx, patient)?;
    let mut meta = meta(ctx, patient, recording)?;
    // Read back chunk by chunk: memory stays at one chunk whatever the size.
    let mut hasher = Sha256::new();
    for index in 0..meta.chunks {
        let bytes = ctx
            .vault
            .recording_chunk(patient, &recording, index)?
            .ok_or_else(|| {
                ServiceError::Invalid(text!(
                    "msg.recordings.chunk_missing",
                    index = index,
                    chunks = meta.chunks
                ))
            })?;
        hasher.update(&bytes);
    }
    if hasher.finalize().as_slice() != meta.sha256 {
        return Err(ServiceError::Invalid(text!("msg.recordings.damaged")));
    }
    meta.complete = true;
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_recording_meta(&mut writes, patient, &meta)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(patient.to_string())
        .detail(format!(
            "recording={} size={} chunks={}",
            hex(&recording),
            meta.size,
            meta.chunks
        )))
}

pub(crate) fn read(
    ctx: &Ctx<'_>,
    patient: &PatientId,
    recording: [u8; 16],
    index: u32,
    export: bool,
) -> Result<Reply, ServiceError> {
    readable(ctx, patient)?;
    let meta = meta(ctx, patient, recording)?;
    if !meta.complete {
        return Err(ServiceError::Invalid(text!("msg.recordings.incomplete")));
    }
    let bytes = ctx
        .vault
        .recording_chunk(patient, &recording, index)?
        .ok_or_else(|| ServiceError::NotFound(format!("chunk {index} of the recording")))?;
    let purpose = if export {
        "disclosure: recording exported"
    } else {
        "listen"
    };
    Ok(Reply::new(Response::RecordingBytes(bytes))
        .subject(patient.to_string())
        .detail(format!(
            "recording={} chunk={index} {purpose}",
            hex(&recording)
        )))
}
