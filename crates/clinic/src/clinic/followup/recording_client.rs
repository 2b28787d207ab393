//! The terminal's side of call recordings: attaching a file in chunks (never whole in
//! memory), fetching one back to a writer, and playing one through the configured
//! player from a private temporary file that is removed afterwards.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::api::FollowUpKey;
use crate::clinic::api::{RecordingStarted, Request, ServiceError};
use crate::clinic::client::{Client, Signed};
use crate::domain::followup::RecordingMeta;
use crate::domain::patient::PatientId;
use crate::text;

/// Attaches the file at `path` to the follow-up's latest call; returns its id.
pub fn attach<C: Client>(
    session: &Signed<C>,
    key: FollowUpKey,
    path: &Path,
) -> Result<[u8; 16], ServiceError> {
    let problem = |e: std::io::Error| {
        ServiceError::Invalid(text!(
            "msg.file.unreadable",
            path = path.display(),
            detail = e
        ))
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string();
    // A first pass for the checksum, a second to send: one chunk in memory at a time.
    let mut file = std::fs::File::open(path).map_err(problem)?;
    let size = file.metadata().map_err(problem)?.len();
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(problem)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    let RecordingStarted {
        recording,
        chunk_size,
    } = session.ask(Request::RecordingBegin {
        key,
        extension,
        size,
        sha256: hasher.finalize().into(),
    })?;
    let chunk_size = chunk_size as usize;
    let mut file = std::fs::File::open(path).map_err(problem)?;
    let mut index = 0u32;
    loop {
        let mut chunk = Vec::with_capacity(chunk_size);
        let n = (&mut file)
            .take(chunk_size as u64)
            .read_to_end(&mut chunk)
            .map_err(problem)?;
        if n == 0 {
            break;
        }
        session.ask::<()>(Request::RecordingChunk {
            patient: key.patient,
            recording,
            index,
            bytes: chunk,
        })?;
        index += 1;
    }
    session.ask::<()>(Request::RecordingFinish {
        patient: key.patient,
        recording,
    })?;
    Ok(recording)
}

/// Writes the recording's bytes to `out`, chunk by chunk.
pub fn fetch<C: Client>(
    session: &Signed<C>,
    patient: PatientId,
    meta: &RecordingMeta,
    export: bool,
    out: &mut impl Write,
) -> Result<(), ServiceError> {
    for index in 0..meta.chunks {
        let bytes: Vec<u8> = session.ask(Request::RecordingRead {
            patient,
            recording: meta.id,
            index,
            export,
        })?;
        out.write_all(&bytes)
            .map_err(|e| ServiceError::Invalid(text!("msg.recordings.cannot_write", detail = e)))?;
    }
    out.flush()
        .map_err(|e| ServiceError::Invalid(text!("msg.recordings.cannot_write", detail = e)))
}

/// Writes the recording to a new file at `path` (0600; an existing file is never
/// overwritten); the service audits it as a disclosure.
pub fn export<C: Client>(
    session: &Signed<C>,
    patient: PatientId,
    meta: &RecordingMeta,
    path: &Path,
) -> Result<(), ServiceError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.recordings.cannot_create",
                path = path.display(),
                detail = e
            ))
        })?;
    let fetched = fetch(session, patient, meta, true, &mut file);
    if fetched.is_err() {
        let _ = std::fs::remove_file(path);
    }
    fetched
}

/// Plays the recording with `player` (`{file}` stands for the file's path; no shell
/// is involved): decrypted into a private directory (0700, the file 0600) that is
/// removed when the player ends.
pub fn play<C: Client>(
    session: &Signed<C>,
    patient: PatientId,
    meta: &RecordingMeta,
    player: &str,
) -> Result<(), ServiceError> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = tempfile::Builder::new()
        .prefix("caredesk-listen-")
        .tempdir()
        .map_err(|e| ServiceError::Invalid(text!("msg.recordings.no_temp_dir", detail = e)))?;
    let path = dir.path().join(format!("recording.{}", meta.extension));
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| ServiceError::Invalid(text!("msg.recordings.no_temp_file", detail = e)))?;
        fetch(session, patient, meta, false, &mut file)?;
    }
    let mut words = player
        .split_whitespace()
        .map(|w| w.replace("{file}", &path.to_string_lossy()));
    let program = words
        .next()
        .ok_or_else(|| ServiceError::Invalid(text!("msg.recordings.no_player")))?;
    let status = std::process::Command::new(&program)
        .args(words)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.recordings.player_failed",
                program = &program,
                detail = e
            ))
        })?;
    drop(dir);
    if status.success() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(text!(
            "msg.recordings.player_status",
            program = &program,
            status = status
        )))
    }
}
