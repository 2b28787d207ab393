//! HL7 v2.x ORU result messages.
//!
//! Tolerant where real senders differ (segment separators \r, \n or \r\n; MLLP framing
//! bytes; several messages in a file; trailing empty fields; each message in its own
//! character set, MSH-18), and per result where a value would be wrong: an OBX whose
//! number is not one, whose LOINC code fails its check digit or whose time is not a
//! date is reported with its segment, field and reason (`Incoming::unread`, for the
//! review list) and the message's other results are kept. A message is refused whole
//! only when it cannot be read at all (no MSH, no PID, no OBX).
//!
//! - `segments`: delimiters, segments, escapes, where messages begin
//! - `charset`: MSH-18 and decoding a message's bytes
//! - `time`: HL7 date/times, and whether they carried an offset
//! - `values`: OBX-3 (LOINC preferred, alternates) and OBX-5 by value type
//! - `message`: MSH, PID, OBR and OBX into an `Incoming`

mod charset;
mod message;
mod segments;
mod time;
mod values;

pub use segments::last_message_start;
pub use time::{Stamp, format_time, parse_time, read as read_time};
pub use values::{LOCAL, coding_system, sender_system};

use super::{Parsed, Rejected};

/// Reads every message of a text. `name` labels where each came from.
pub fn parse(text: &str, name: &str) -> Parsed {
    parse_numbered(text, name, 1).0
}

fn add(parsed: &mut Parsed, lines: &[&str], origin: String) {
    let mut skipped = 0;
    match message::message(lines, &origin, &mut skipped) {
        Ok(incoming) => {
            parsed.skipped += skipped;
            parsed.incoming.push(incoming);
        }
        Err((place, reason)) => parsed.rejected.push(Rejected {
            origin,
            place,
            reason,
        }),
    }
}

/// Reads the messages of a piece of text whose first is message `first`; also gives
/// how many messages the piece held.
pub fn parse_numbered(text: &str, name: &str, first: usize) -> (Parsed, usize) {
    let mut parsed = Parsed::default();
    let found = segments::messages(text);
    for (i, lines) in found.iter().enumerate() {
        add(&mut parsed, lines, format!("{name} message {}", first + i));
    }
    (parsed, found.len())
}

/// Reads the messages of raw bytes (a file, or a piece of one cut between messages)
/// whose first is message `first`, each decoded as its MSH-18 says; also gives how
/// many messages the bytes held. A message whose bytes cannot be decoded is refused
/// with the reason; the others are read.
pub fn parse_bytes(bytes: &[u8], name: &str, first: usize) -> (Parsed, usize) {
    let mut parsed = Parsed::default();
    let mut count = 0;
    for chunk in segments::message_bytes(bytes) {
        let origin = format!("{name} message {}", first + count);
        match charset::decode(chunk) {
            Ok(text) => {
                let found = segments::messages(&text);
                // A chunk is one message; blank chunks hold none.
                for lines in &found {
                    add(
                        &mut parsed,
                        lines,
                        format!("{name} message {}", first + count),
                    );
                    count += 1;
                }
            }
            Err(reason) => {
                parsed.rejected.push(Rejected {
                    origin,
                    place: "MSH 1, MSH-18".into(),
                    reason,
                });
                count += 1;
            }
        }
    }
    (parsed, count)
}

#[cfg(test)]
mod tests;
