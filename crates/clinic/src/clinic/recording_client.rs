//! The terminal's side of call recordings: attaching a file in chunks (never whole in
//! memory), fetching one back to a writer, and playing one through the configured
//! player from a private temporary file that is removed afterwards.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::api::{RecordingStarted, Request};
use super::client::{Client, Signed};
use super::followup_api::FollowUpKey;
use crate::domain::followup::RecordingMeta;
use crate::domain::patient::PatientId;

/// Attaches the file at `path` to the follow-up's latest call; returns its id.
pub fn attach<C: Client>(
    session: &Signed<C>,
    key: FollowUpKey,
    path: &Path,
) -> Result<[u8; 16], String> {
    let problem = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
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
    } = session
        .ask(Request::RecordingBegin {
            key,
            extension,
            size,
            sha256: hasher.finalize().into(),
        })
        .map_err(|e| e.to_string())?;
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
        session
            .ask::<()>(Request::RecordingChunk {
                patient: key.patient,
                recording,
                index,
                bytes: chunk,
            })
            .map_err(|e| e.to_string())?;
        index += 1;
    }
    session
        .ask::<()>(Request::RecordingFinish {
            patient: key.patient,
            recording,
        })
        .map_err(|e| e.to_string())?;
    Ok(recording)
}

/// Writes the recording's bytes to `out`, chunk by chunk.
pub fn fetch<C: Client>(
    session: &Signed<C>,
    patient: PatientId,
    meta: &RecordingMeta,
    export: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    for index in 0..meta.chunks {
        let bytes: Vec<u8> = session
            .ask(Request::RecordingRead {
                patient,
                recording: meta.id,
                index,
                export,
            })
            .map_err(|e| e.to_string())?;
        out.write_all(&bytes)
            .map_err(|e| format!("cannot write the recording: {e}"))?;
    }
    out.flush()
        .map_err(|e| format!("cannot write the recording: {e}"))
}

/// Writes the recording to a new file at `path` (0600; an existing file is never
/// overwritten); the service audits it as a disclosure.
pub fn export<C: Client>(
    session: &Signed<C>,
    patient: PatientId,
    meta: &RecordingMeta,
    path: &Path,
) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
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
) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = tempfile::Builder::new()
        .prefix("caredesk-listen-")
        .tempdir()
        .map_err(|e| format!("cannot make a private temporary directory: {e}"))?;
    let path = dir.path().join(format!("recording.{}", meta.extension));
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot make the temporary file: {e}"))?;
        fetch(session, patient, meta, false, &mut file)?;
    }
    let mut words = player
        .split_whitespace()
        .map(|w| w.replace("{file}", &path.to_string_lossy()));
    let program = words
        .next()
        .ok_or("no player command: set [followup] player in settings.toml")?;
    let status = std::process::Command::new(&program)
        .args(words)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run the player {program:?}: {e}"))?;
    drop(dir);
    if status.success() {
        Ok(())
    } else {
        Err(format!("the player {program:?} ended with {status}"))
    }
}
