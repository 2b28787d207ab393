//! The syntax of an HL7 v2 message: delimiters from MSH-1 and MSH-2, segments and
//! their fields numbered as the standard numbers them, components, repetitions and
//! escape sequences, and where one message of a file ends and the next begins.

/// The message's delimiters, from MSH-1 and MSH-2.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delimiters {
    pub field: char,
    pub component: char,
    pub repetition: char,
    pub escape: char,
    pub subcomponent: char,
}

impl Default for Delimiters {
    fn default() -> Self {
        Self {
            field: '|',
            component: '^',
            repetition: '~',
            escape: '\\',
            subcomponent: '&',
        }
    }
}

impl Delimiters {
    /// The delimiters an MSH line declares (the defaults where it declares none).
    pub fn of_msh(first: &str) -> Delimiters {
        let mut chars = first.get(3..).unwrap_or("").chars();
        let field = chars.next().unwrap_or('|');
        let encoding: Vec<char> = chars.take_while(|c| *c != field).collect();
        Delimiters {
            field,
            component: encoding.first().copied().unwrap_or('^'),
            repetition: encoding.get(1).copied().unwrap_or('~'),
            escape: encoding.get(2).copied().unwrap_or('\\'),
            subcomponent: encoding.get(3).copied().unwrap_or('&'),
        }
    }

    pub fn repetitions<'a>(&self, field: &'a str) -> impl Iterator<Item = &'a str> + use<'a> {
        let repetition = self.repetition;
        field.split(repetition).filter(|r| !r.is_empty())
    }

    pub fn components<'a>(&self, field: &'a str) -> Vec<&'a str> {
        field.split(self.component).collect()
    }

    pub fn component<'a>(&self, field: &'a str, n: usize) -> &'a str {
        field.split(self.component).nth(n).unwrap_or("")
    }

    /// A component unescaped and trimmed.
    pub fn text(&self, field: &str, n: usize) -> String {
        self.unescape(self.component(field, n)).trim().to_string()
    }

    /// Resolves escape sequences: \F\ \S\ \T\ \R\ \E\ \.br\ and \Xhh..\ (hex bytes).
    pub fn unescape(&self, text: &str) -> String {
        let e = self.escape;
        if !text.contains(e) {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(e) {
            out.push_str(&rest[..start]);
            let after = &rest[start + e.len_utf8()..];
            let Some(end) = after.find(e) else {
                out.push_str(&rest[start..]);
                return out;
            };
            let code = &after[..end];
            match code {
                "F" => out.push(self.field),
                "S" => out.push(self.component),
                "T" => out.push(self.subcomponent),
                "R" => out.push(self.repetition),
                "E" => out.push(e),
                ".br" => out.push('\n'),
                hex if hex.starts_with('X') => {
                    let bytes: Vec<u8> = (1..hex.len())
                        .step_by(2)
                        .filter_map(|i| hex.get(i..i + 2))
                        .filter_map(|h| u8::from_str_radix(h, 16).ok())
                        .collect();
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
                // Formatting commands (\H\, \N\, \.sp\ …) carry no text.
                _ => {}
            }
            rest = &after[end + e.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
}

/// One segment: its name and fields, numbered as the standard numbers them (for MSH,
/// field 1 is the field separator itself).
pub(super) struct Segment<'a> {
    pub name: &'a str,
    pub fields: Vec<&'a str>,
    /// Which occurrence of this segment name in the message (1-based), for messages.
    pub ordinal: usize,
}

impl<'a> Segment<'a> {
    pub fn field(&self, n: usize) -> &'a str {
        self.fields.get(n).copied().unwrap_or("")
    }

    /// "OBX 3, OBX-5": the segment's occurrence and the field, as staff quote it back
    /// to the lab.
    pub fn place(&self, n: usize) -> String {
        format!("{} {}, {}-{n}", self.name, self.ordinal, self.name)
    }
}

/// A message's lines as segments.
pub(super) fn segments<'a>(lines: &[&'a str], d: &Delimiters) -> Vec<Segment<'a>> {
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    lines
        .iter()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(d.field).collect();
            let name = fields.first().copied().unwrap_or("");
            if name == "MSH" {
                // MSH-1 is the separator itself, so MSH-2 is the encoding characters.
                fields.insert(1, "|");
            }
            let ordinal = counts.entry(name).or_insert(0);
            *ordinal += 1;
            Segment {
                name,
                fields,
                ordinal: *ordinal,
            }
        })
        .collect()
}

/// The characters around messages that are not part of them: MLLP start and end
/// bytes and a byte-order mark.
const FRAMING: [char; 3] = ['\u{0b}', '\u{1c}', '\u{feff}'];

/// Splits text into messages: each starts at an MSH segment. MLLP start (0x0b) and
/// end (0x1c) bytes are dropped.
pub(super) fn messages(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in text.split(['\r', '\n']) {
        let line = line.trim_matches(|c| FRAMING.contains(&c));
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("MSH") || out.is_empty() {
            out.push(Vec::new());
        }
        if let Some(current) = out.last_mut() {
            current.push(line);
        }
    }
    out
}

/// Skips what may stand before a line's first segment name: MLLP bytes and a UTF-8
/// byte-order mark.
fn skip_framing(line: &[u8]) -> &[u8] {
    let mut rest = line;
    loop {
        if let Some(r) = rest.strip_prefix(b"\xEF\xBB\xBF") {
            rest = r;
        } else if let Some(r) = rest
            .strip_prefix(b"\x0b")
            .or_else(|| rest.strip_prefix(b"\x1c"))
        {
            rest = r;
        } else {
            return rest;
        }
    }
}

/// Splits bytes into the byte ranges of messages, each starting at a line that opens
/// with MSH. Done on bytes, before decoding, because each message names its own
/// character set (MSH-18); CR and LF never occur inside a character of UTF-8, the
/// ISO 8859 sets or GB 18030, so a cut there is safe in all of them.
pub(super) fn message_bytes(bytes: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at <= bytes.len() {
        let end = bytes[at..]
            .iter()
            .position(|b| *b == b'\r' || *b == b'\n')
            .map_or(bytes.len(), |p| at + p);
        let line = &bytes[at..end];
        let content = skip_framing(line);
        if content.starts_with(b"MSH") || (starts.is_empty() && !is_blank(content)) {
            starts.push(at);
        }
        at = end + 1;
    }
    let mut out = Vec::new();
    for (i, start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
        out.push(&bytes[*start..end]);
    }
    out
}

fn is_blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| b.is_ascii_whitespace() || *b == 0x0b || *b == 0x1c)
}

/// Where the last message that begins after the start of `bytes` begins: the start
/// of the last line that opens with MSH (after the framing bytes the parser ignores),
/// or 0 when there is none.
pub fn last_message_start(bytes: &[u8]) -> usize {
    let mut end = bytes.len();
    while let Some(found) = bytes[..end].windows(3).rposition(|w| w == b"MSH") {
        let mut line_start = found;
        while line_start > 0 && matches!(bytes[line_start - 1], 0x0b | 0x1c | 0xEF | 0xBB | 0xBF) {
            line_start -= 1;
        }
        if line_start > 0 && matches!(bytes[line_start - 1], b'\r' | b'\n') {
            return line_start;
        }
        // Look before this one ("MSH" inside a field is no message start).
        end = found + 2;
    }
    0
}
