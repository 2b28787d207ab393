//! The wire: length-prefixed frames (`[length: u32 BE][bincode 2 of a serde value]`)
//! of the same `Request` and `Response` types the in-process client passes. A frame
//! longer than `MAX_FRAME`, or one that does not decode, ends its connection only.

use std::io::{Read, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::clinic::{Request, SessionToken};

pub use crate::codec::MAX_FRAME;

/// The largest frame the daemon reads on a connection that has not signed in: a
/// sign-in is a few hundred bytes, and a stranger must not make the daemon hold 8 MiB
/// for every connection it opens.
pub const SIGN_IN_FRAME: usize = 64 * 1024;

/// The wire's version. Requests and replies are encoded by variant index, so any
/// change to `Request`, `Response` or the frames changes what a byte means: bump this
/// with every such change (the pinned test in `tests` fails until it is).
pub const PROTOCOL: u32 = 19;

/// This build's version, which the greeting also carries (what staff are told).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a client sends.
#[derive(Debug, Serialize, Deserialize)]
pub enum ClientFrame {
    /// A terminal from before protocol 2 opened with this: it is turned away, since
    /// its requests would be misread.
    Hello { ssh_client: Option<String> },
    /// One request, as the holder of `session`.
    Call {
        session: Option<SessionToken>,
        request: Box<Request>,
    },
    /// First on every connection: the terminal's protocol and version, and the SSH
    /// client it sits behind (the daemon takes the OS user from the socket itself).
    /// The daemon answers with its `Greeting`, and closes the connection when the
    /// protocols differ.
    Greet {
        protocol: u32,
        version: String,
        ssh_client: Option<String>,
    },
}

/// What a terminal shows and does by the clinic's settings, which it cannot read
/// itself when it reaches the daemon over SSH (the settings are the daemon's): sent
/// by the daemon right after its `Greeting` when the protocols agree. Nothing here is
/// a patient's; the socket is the staff group's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalSettings {
    /// `[clinic] name`: the status bar.
    pub clinic_name: String,
    /// `[clinic] time_zone` (an IANA name; empty: the server's zone).
    pub time_zone: String,
    /// `[clinic] units`.
    pub units: crate::domain::indicators::UnitSystem,
    /// `[tui] lang`, `idle_logout` and `keymap`: the terminal's defaults.
    pub lang: String,
    pub idle_logout: String,
    pub keymap: String,
    /// `[followup] player` and `[report] printer`.
    pub player: String,
    pub printer: String,
}

/// The daemon's answer to `Greet`: its own protocol and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Greeting {
    pub protocol: u32,
    pub version: String,
    /// The server's crypto suite (`standard` or `sm`): a command that checks the audit
    /// chain on its own side (`audit verify`, `audit archive`) works under it.
    pub suite: String,
}

impl TerminalSettings {
    /// The terminal's part of the settings in force.
    pub fn of(settings: &crate::clinic::admin::settings::Settings) -> Self {
        Self {
            clinic_name: settings.clinic.name.clone(),
            time_zone: settings.clinic.time_zone.clone(),
            units: settings.clinic.units,
            lang: settings.tui.lang.clone(),
            idle_logout: settings.tui.idle_logout.clone(),
            keymap: settings.tui.keymap.clone(),
            player: settings.followup.player.clone(),
            printer: settings.report.printer.clone(),
        }
    }

    /// The same, as settings a terminal reads (the rest at their defaults).
    pub fn as_settings(&self) -> crate::clinic::admin::settings::Settings {
        let mut settings = crate::clinic::admin::settings::Settings::default();
        settings.clinic.name = self.clinic_name.clone();
        settings.clinic.time_zone = self.time_zone.clone();
        settings.clinic.units = self.units;
        settings.tui.lang = self.lang.clone();
        settings.tui.idle_logout = self.idle_logout.clone();
        settings.tui.keymap = self.keymap.clone();
        settings.followup.player = self.player.clone();
        settings.report.printer = self.printer.clone();
        settings
    }
}

impl Greeting {
    pub fn this_build() -> Self {
        Self {
            protocol: PROTOCOL,
            version: VERSION.to_string(),
            suite: crate::crypto::suite::current().name().to_string(),
        }
    }
}

/// What staff read when a terminal and the clinic server cannot talk.
pub fn version_mismatch(terminal: &Greeting, server: &Greeting) -> String {
    format!(
        "this terminal is caredesk {} (protocol {}), the clinic server {} (protocol {}): \
         update caredesk, or restart the clinic server after an update, so both are the same version",
        terminal.version, terminal.protocol, server.version, server.protocol
    )
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the connection closed")]
    Closed,
    #[error("a frame of {0} bytes is over the limit of {1}")]
    TooLarge(usize, usize),
    #[error("a frame did not decode: {0}")]
    Malformed(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Decoding stops at the frame limit: a frame that announces a longer string or list
/// than it can hold is refused before anything is allocated (found by the fuzzer: a
/// 25-byte frame naming a string of 2^63 bytes).
fn decode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_FRAME>()
}

/// A value as one frame, length first.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, FrameError> {
    let body = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| FrameError::Malformed(e.to_string()))?;
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(body.len(), MAX_FRAME));
    }
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

/// The length a frame's header announces, refused above the limit before anything is
/// allocated.
pub fn body_length(header: [u8; 4]) -> Result<usize, FrameError> {
    body_length_within(header, MAX_FRAME)
}

/// The length a frame's header announces, refused above `limit` (at most `MAX_FRAME`).
pub fn body_length_within(header: [u8; 4], limit: usize) -> Result<usize, FrameError> {
    let length = u32::from_be_bytes(header) as usize;
    let limit = limit.min(MAX_FRAME);
    if length > limit {
        return Err(FrameError::TooLarge(length, limit));
    }
    Ok(length)
}

/// A frame's body as a value; trailing bytes are malformed.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    let (value, read) = bincode::serde::decode_from_slice(body, decode_config())
        .map_err(|e| FrameError::Malformed(e.to_string()))?;
    if read != body.len() {
        return Err(FrameError::Malformed(format!(
            "{} bytes left over",
            body.len() - read
        )));
    }
    Ok(value)
}

pub fn write_frame<T: Serialize>(to: &mut impl Write, value: &T) -> Result<(), FrameError> {
    to.write_all(&encode(value)?)?;
    to.flush()?;
    Ok(())
}

pub fn read_frame<T: DeserializeOwned>(from: &mut impl Read) -> Result<T, FrameError> {
    let mut header = [0u8; 4];
    match from.read_exact(&mut header) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        other => other?,
    }
    let mut body = vec![0u8; body_length(header)?];
    from.read_exact(&mut body)?;
    decode(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinic::{Response, Secret};

    /// The declarations of what travels, comments and blank lines aside: the enums
    /// named below, and every struct and enum of the reply payloads' own files.
    fn wire_shape() -> String {
        let named = [
            include_str!("../../../clinic/src/clinic/api/mod.rs"),
            include_str!("../../../clinic/src/clinic/response.rs"),
            include_str!("frame.rs"),
        ];
        let payloads = [
            // The replies' own structs (SignedIn, ReviewItem …).
            include_str!("../../../clinic/src/clinic/response.rs"),
            include_str!("../../../clinic/src/clinic/oversight/alerts.rs"),
            include_str!("../../../ingest/src/ingest/mod.rs"),
            include_str!("../../../clinic/src/clinic/reply_types.rs"),
            include_str!("../../../clinic/src/clinic/wire.rs"),
            include_str!("../../../clinic/src/clinic/api/arguments.rs"),
            include_str!("../../../clinic/src/clinic/api/secrets.rs"),
            // A search's rows.
            include_str!("../../../clinic/src/clinic/desk/name_index.rs"),
            // Every message the service sends.
            include_str!("../../../base/src/i18n/text.rs"),
            // The patient and the record as they travel.
            include_str!("../../../domain/src/domain/patient.rs"),
            include_str!("../../../domain/src/domain/amendment.rs"),
            include_str!("../../../domain/src/domain/health.rs"),
            include_str!("../../../domain/src/domain/basic_info.rs"),
            // Consent and the notice it is given under.
            include_str!("../../../domain/src/domain/consent.rs"),
            include_str!("../../../clinic/src/clinic/desk/notice.rs"),
            include_str!("../../../clinic/src/clinic/oversight/rights.rs"),
            include_str!("../../../clinic/src/clinic/oversight/rights_requests.rs"),
            include_str!("../../../domain/src/domain/rights_request.rs"),
            include_str!("../../../domain/src/domain/role.rs"),
            // A follow-up call, its record form, and the printed form.
            include_str!("../../../domain/src/domain/followup.rs"),
            include_str!("../../../domain/src/domain/followup_form.rs"),
            include_str!("../../../clinic/src/clinic/followup/api.rs"),
            include_str!("../../../clinic/src/clinic/followup/forms.rs"),
            // The examination form.
            include_str!("../../../domain/src/domain/exam_form.rs"),
            include_str!("../../../clinic/src/clinic/results/exam_form.rs"),
        ];
        let mut shape = String::new();
        for source in named {
            for start in [
                "pub enum Request {",
                "pub enum Response {",
                // Response's kinds are listed in the macro call that declares it.
                "responses! {",
                "pub enum ServiceError {",
                "pub enum ClientFrame {",
                "pub struct Greeting {",
                "pub struct TerminalSettings {",
            ] {
                if let Some(at) = code(source).find(start) {
                    add_block(&mut shape, &code(source)[at..]);
                }
            }
        }
        for source in payloads {
            let source = code(source);
            for (at, _) in source.match_indices("\npub ") {
                let item = &source[at + 1..];
                if item.starts_with("pub struct ") || item.starts_with("pub enum ") {
                    add_block(&mut shape, item);
                }
            }
        }
        shape
    }

    /// Only the code itself, never a test's own text.
    fn code(source: &str) -> &str {
        source.split("#[cfg(test)]").next().unwrap_or_default()
    }

    /// One declaration, up to its closing brace, without spaces: reformatting is not a
    /// change.
    fn add_block(shape: &mut String, body: &str) {
        let braced = body.lines().next().is_some_and(|l| l.ends_with('{'));
        let end = body
            .find(if braced { "\n}\n" } else { ";\n" })
            .unwrap_or(body.len());
        for line in body[..end].lines().map(str::trim) {
            if !line.is_empty() && !line.starts_with("//") && !line.starts_with("#[error") {
                shape.extend(line.chars().filter(|c| !c.is_whitespace()));
            }
        }
    }

    #[test]
    fn the_protocol_number_moves_with_the_shape_of_what_travels() {
        use sha2::{Digest, Sha256};
        let shape = wire_shape();
        for part in [
            "pubenumRequest{",
            "Registered(Registered),",
            "pubstructUserCreated{",
            "pubstructBackupPiece(pubVec<u8>)",
            "pubstructAuditEntry{",
            "pubenumPatientRef{",
            "pubstructSessionToken(pubString)",
            "pubenumClientFrame{",
            "pubstructPatientRow{",
            "pubstructText{",
            "pubstructReviewItem{",
            "pubstructSignedIn{",
            "pubstructRejected{",
            "pubstructAlertView{",
            "pubstructPatient{",
            "pubenumSectionValue{",
            "pubstructBasicInfo{",
            "pubstructConsentRecord{",
            "pubstructNoticeDocument{",
            "pubenumDisclosureKind{",
            "pubstructStandardForm{",
            "pubstructCallView{",
            "pubstructFollowUpFormDocument{",
            "pubstructExamFormDocument{",
            "pubstructTerminalSettings{",
            "pubenumAnswer{",
        ] {
            assert!(shape.contains(part), "the fingerprint misses {part}");
        }
        let digest = Sha256::digest(shape.as_bytes());
        let fingerprint: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        // Changed `Request`, `Response`, `ServiceError`, a reply's payload struct or the
        // frames? Then an older terminal would misread the new ones: bump PROTOCOL and
        // pin the new print. (A path in a declaration moving with its module, as when
        // the service's files went into capability folders, changes the print but not
        // the bytes: re-pin without a bump.)
        assert_eq!(
            (PROTOCOL, fingerprint.as_str()),
            (19, "cc8a71c579e07037"),
            "the wire changed: bump PROTOCOL and pin the new fingerprint"
        );
    }

    #[test]
    fn a_mismatch_names_both_versions_and_what_to_do() {
        let terminal = Greeting {
            protocol: 2,
            version: "0.9.0".into(),
            suite: "standard".into(),
        };
        let server = Greeting {
            protocol: 1,
            version: "0.8.0".into(),
            suite: "standard".into(),
        };
        let said = version_mismatch(&terminal, &server);
        assert!(
            said.contains("caredesk 0.9.0") && said.contains("server 0.8.0"),
            "{said}"
        );
        assert!(said.contains("update caredesk"), "{said}");
    }

    #[test]
    fn a_request_and_a_response_round_trip() {
        let call = ClientFrame::Call {
            session: None,
            request: Box::new(Request::Login {
                user: "li.na".into(),
                password: Secret::new("x"),
                code: Secret::new("123456"),
            }),
        };
        let frame = encode(&call).unwrap();
        let back: ClientFrame = read_frame(&mut &frame[..]).unwrap();
        assert!(matches!(back, ClientFrame::Call { .. }));
        let frame = encode(&Response::Done).unwrap();
        assert_eq!(
            read_frame::<Response>(&mut &frame[..]).unwrap(),
            Response::Done
        );
    }

    #[test]
    fn oversized_and_garbled_frames_are_refused() {
        let huge = (MAX_FRAME as u32 + 1).to_be_bytes();
        assert!(matches!(
            read_frame::<Response>(&mut &huge[..]),
            Err(FrameError::TooLarge(..))
        ));
        let garbled = [0, 0, 0, 3, 0xff, 0xff, 0xff];
        assert!(matches!(
            read_frame::<Response>(&mut &garbled[..]),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            read_frame::<Response>(&mut &[][..]),
            Err(FrameError::Closed)
        ));
    }
}
